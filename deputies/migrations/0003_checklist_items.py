"""Seed the nine standard items of the 九有 station standard.

Items already present (by name) are left as an administrator edited them.
"""

from django.db import migrations

NINE_ITEMS = [
    ("有场所", "有固定的活动场所,面积满足代表接待选民和开展活动的需要。"),
    ("有牌子", "有统一规范的站牌标识,悬挂于醒目位置。"),
    ("有制度", "有进站履职、接待选民、意见办理等工作制度并上墙公示。"),
    ("有计划", "有年度和季度活动计划,明确进站日和进站代表。"),
    ("有活动", "按计划定期开展代表进站接待、视察调研等活动。"),
    ("有台账", "有接待选民、意见收集和办理反馈的工作台账,记录完整。"),
    ("有经费", "有必要的工作经费保障,纳入财政预算。"),
    ("有人员", "有专人负责联络站日常管理和联络服务工作。"),
    ("有成效", "收集的意见建议得到及时办理反馈,群众满意度高。"),
]


def seed_items(apps, schema_editor):
    ChecklistItem = apps.get_model("deputies", "ChecklistItem")
    present = set(ChecklistItem.objects.values_list("name", flat=True))
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(name=name, order=(i + 1) * 10, description=description)
            for i, (name, description) in enumerate(NINE_ITEMS)
            if name not in present
        ]
    )


def unseed_items(apps, schema_editor):
    ChecklistItem = apps.get_model("deputies", "ChecklistItem")
    StationChecklistEntry = apps.get_model("deputies", "StationChecklistEntry")
    names = [name for name, _description in NINE_ITEMS]
    used = StationChecklistEntry.objects.values("item_id")
    ChecklistItem.objects.filter(name__in=names).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("deputies", "0002_station_duty_checklist"),
    ]

    operations = [
        migrations.RunPython(seed_items, unseed_items),
    ]
