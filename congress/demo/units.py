"""The county-level units (单位) every county has."""

from __future__ import annotations

from congress.models import Organization

K = Organization.Kind

COUNTY_UNITS: tuple[tuple[str, str], ...] = (
    ("人民政府办公室", K.GOVERNMENT_DEPARTMENT),
    ("发展和改革局", K.GOVERNMENT_DEPARTMENT),
    ("教育局", K.GOVERNMENT_DEPARTMENT),
    ("科学技术和工业信息化局", K.GOVERNMENT_DEPARTMENT),
    ("公安局", K.GOVERNMENT_DEPARTMENT),
    ("民政局", K.GOVERNMENT_DEPARTMENT),
    ("司法局", K.GOVERNMENT_DEPARTMENT),
    ("财政局", K.GOVERNMENT_DEPARTMENT),
    ("人力资源和社会保障局", K.GOVERNMENT_DEPARTMENT),
    ("自然资源局", K.GOVERNMENT_DEPARTMENT),
    ("住房和城乡建设局", K.GOVERNMENT_DEPARTMENT),
    ("交通运输局", K.GOVERNMENT_DEPARTMENT),
    ("水利局", K.GOVERNMENT_DEPARTMENT),
    ("农业农村局", K.GOVERNMENT_DEPARTMENT),
    ("商务局", K.GOVERNMENT_DEPARTMENT),
    ("文化旅游广电体育局", K.GOVERNMENT_DEPARTMENT),
    ("卫生健康局", K.GOVERNMENT_DEPARTMENT),
    ("退役军人事务局", K.GOVERNMENT_DEPARTMENT),
    ("应急管理局", K.GOVERNMENT_DEPARTMENT),
    ("审计局", K.GOVERNMENT_DEPARTMENT),
    ("市场监督管理局", K.GOVERNMENT_DEPARTMENT),
    ("统计局", K.GOVERNMENT_DEPARTMENT),
    ("医疗保障局", K.GOVERNMENT_DEPARTMENT),
    ("林业局", K.GOVERNMENT_DEPARTMENT),
    ("城市管理和综合执法局", K.GOVERNMENT_DEPARTMENT),
    ("乡村振兴局", K.GOVERNMENT_DEPARTMENT),
    ("生态环境分局", K.GOVERNMENT_DEPARTMENT),
    ("税务局", K.OTHER),
    ("供电公司", K.OTHER),
    ("人民法院", K.COURT),
    ("人民检察院", K.PROCURATORATE),
    ("监察委员会", K.SUPERVISORY_COMMISSION),
    ("人大常委会法制委员会", K.SPECIAL_COMMITTEE),
    ("人大常委会财政经济委员会", K.SPECIAL_COMMITTEE),
    ("人大常委会社会建设委员会", K.SPECIAL_COMMITTEE),
    ("人大常委会农业农村委员会", K.SPECIAL_COMMITTEE),
    ("人大常委会教育科学文化卫生委员会", K.SPECIAL_COMMITTEE),
    ("人大常委会代表工作委员会", K.WORKING_COMMITTEE),
    ("人大常委会预算工作委员会", K.WORKING_COMMITTEE),
    ("人大常委会监察和司法工作委员会", K.WORKING_COMMITTEE),
)
