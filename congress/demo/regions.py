"""邵阳市 and its twelve county-level divisions (DESIGN.md, demo and scale data).

Township names of 隆回县 are the real ones as far as we know them; every other
township and village name is generated from a fixed syllable list, so the data is
reproducible and nobody mistakes it for a real register.
"""

from __future__ import annotations

from dataclasses import dataclass

# The electing congresses of national and provincial deputies (GB/T 2260 codes).
NATION_CODE = "100000"
NATION_NAME = "全国"
PROVINCE_CODE = "430000"
PROVINCE_NAME = "湖南省"
CITY_CODE = "430500"
CITY_NAME = "邵阳市"


@dataclass(frozen=True)
class County:
    code: str
    name: str
    is_district: bool = False


COUNTIES: tuple[County, ...] = (
    County("430502", "双清区", True),
    County("430503", "大祥区", True),
    County("430511", "北塔区", True),
    County("430522", "新邵县"),
    County("430523", "邵阳县"),
    County("430524", "隆回县"),
    County("430525", "洞口县"),
    County("430527", "绥宁县"),
    County("430528", "新宁县"),
    County("430529", "城步苗族自治县"),
    County("430581", "武冈市"),
    County("430582", "邵东市"),
)
COUNTY_BY_NAME = {c.name: c for c in COUNTIES}

# The four counties that speak in the seed, filled by seed_demo.
DEMO_COUNTIES = ("隆回县", "洞口县", "武冈市", "大祥区")

# 隆回县: 25 township-level divisions (18 镇, 7 乡).
LONGHUI_TOWNSHIPS = (
    "桃洪镇",
    "小沙江镇",
    "金石桥镇",
    "司门前镇",
    "高平镇",
    "六都寨镇",
    "荷香桥镇",
    "横板桥镇",
    "周旺镇",
    "滩头镇",
    "鸭田镇",
    "西洋江镇",
    "岩口镇",
    "北山镇",
    "三阁司镇",
    "南岳庙镇",
    "七江镇",
    "羊古坳镇",
    "罗洪镇",
    "雨山镇",
    "山界回族乡",
    "虎形山瑶族乡",
    "麻塘山乡",
    "大水田乡",
    "荷田乡",
)

# Township counts of the other counties (generated names).
TOWNSHIP_COUNTS = {
    "大祥区": 12,
    "洞口县": 18,
    "武冈市": 18,
}
DEFAULT_TOWNSHIP_COUNT = 24

_SYLLABLES = (
    "石门 清水 黄泥 高坪 长塘 白竹 花桥 枫林 杨柳 金塘 龙潭 桃源 竹山 荷塘 新田 "
    "云峰 青山 水口 樟树 岭下 梅溪 双江 凤凰 马鞍 狮子 栗坪 松林 茶园 大湾 小溪 "
    "罗家 李家 周家 陈家 刘家 唐家 曾家 邓家 肖家 谢家 蒋家 易家 田心 上堡 下堡 "
    "塘边 桥头 坪上 井冲 岩门 沙坪 柏树 杉木 檀山 文昌 太平 和平 红旗 光明 东风"
).split()


def township_names(county: County) -> list[str]:
    """The township-level division names of a county, in code order."""
    if county.name == "隆回县":
        return list(LONGHUI_TOWNSHIPS)
    count = TOWNSHIP_COUNTS.get(county.name, DEFAULT_TOWNSHIP_COUNT)
    offset = int(county.code) % len(_SYLLABLES)
    names: list[str] = []
    for i in range(count):
        stem = _SYLLABLES[(offset + i * 7) % len(_SYLLABLES)]
        if county.is_district and i < count // 2:
            suffix = "街道"
        elif i % 6 == 5:
            suffix = "乡"
        else:
            suffix = "镇"
        name = stem + suffix
        while name in names:  # pragma: no cover - the stride keeps stems apart
            stem += "新"
            name = stem + suffix
        names.append(name)
    return names


def township_code(county: County, index: int, name: str) -> str:
    """9-digit code: 街道 001…, 镇 100…, 乡 200… (统计用区划代码 practice)."""
    if name.endswith("街道"):
        return f"{county.code}{1 + index:03d}"
    if name.endswith("乡"):
        return f"{county.code}{200 + index:03d}"
    return f"{county.code}{100 + index:03d}"


def village_names(township_code: str, count: int) -> list[str]:
    """Generated village (村) names, unique within the township."""
    offset = int(township_code[-3:]) + int(township_code[4:6])
    names = []
    for j in range(count):
        a = _SYLLABLES[(offset + j) % len(_SYLLABLES)]
        b = _SYLLABLES[(offset * 3 + j * 11) % len(_SYLLABLES)][0]
        name = f"{a}{b}村"
        if name in names:
            name = f"{a}{b}{j + 1}村"
        names.append(name)
    return names
