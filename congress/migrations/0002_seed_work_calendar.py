"""Seed the working-day calendar (法定节假日 and 调休上班日) for 2025–2026.

The days come from the ``chinese-calendar`` package (congress.calendar); days
already present are kept, so running it again, or after an administrator's
edit, changes nothing. Reversing removes exactly the seeded days that still
hold the package's values.
"""

from django.db import migrations

SEED_YEARS = (2025, 2026)


def seed(apps, schema_editor):
    from congress.calendar import calendar_seed_into

    WorkCalendarDay = apps.get_model("congress", "WorkCalendarDay")
    calendar_seed_into(WorkCalendarDay, years=SEED_YEARS)


def unseed(apps, schema_editor):
    from congress.calendar import calendar_source_days

    WorkCalendarDay = apps.get_model("congress", "WorkCalendarDay")
    for day, kind, name in calendar_source_days(years=SEED_YEARS):
        WorkCalendarDay.objects.filter(date=day, kind=kind, name=name).delete()


class Migration(migrations.Migration):
    # After 0003 only so that the graph keeps a single leaf; the seed does not
    # depend on the audit trigger.
    dependencies = [
        ("congress", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
