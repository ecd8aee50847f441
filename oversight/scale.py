"""City-scale oversight data (``generate_scale_data``) and the benchmark render.

Per county: two years of plans with 30 items each, every item with a deliberation
opinion, ten problems, a countermeasure and a rectification for each; one item with
200 problems (the four-lists PDF benchmark); 40 experts and 100 topics. Written
with ``bulk_create`` (the services would take hours at this size; the data obey
their rules). Idempotent: a county that has its scale plans is skipped.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from congress.models import Organization
from congress.models import Region
from oversight.models import Category
from oversight.models import Countermeasure
from oversight.models import DeliberationOpinion
from oversight.models import Expert
from oversight.models import Method
from oversight.models import OversightItem
from oversight.models import OversightPlan
from oversight.models import Problem
from oversight.models import Rectification
from oversight.models import TopicProposal

ITEMS_PER_PLAN = 30
PROBLEMS_PER_ITEM = 10
BIG_ITEM_PROBLEMS = 200
SCALE_TITLE = "规模数据"


def _county_build(county: Region, today: datetime.date) -> int:
    units = list(Organization.objects.filter(region=county).order_by("pk")[:30])
    if not units:
        return 0
    categories = Category.values
    methods = Method.values
    items: list[OversightItem] = []
    for year in (today.year - 1, today.year):
        plan, created = OversightPlan.objects.get_or_create(
            region=county,
            year=year,
            defaults={
                "title": f"{county.name}{year}年度监督工作计划",
                "status": OversightPlan.Status.PUBLISHED,
                "published_at": timezone.now(),
            },
        )
        for n in range(ITEMS_PER_PLAN):
            items.append(
                OversightItem(
                    plan=plan,
                    region=county,
                    title=f"{SCALE_TITLE}{year}-{n + 1:02d} {county.name}监督事项",
                    category=categories[n % len(categories)],
                    method=methods[n % len(methods)],
                    planned_month=n % 12 + 1,
                    status=OversightItem.Status.IN_PROGRESS,
                    published_at=timezone.now() if n % 3 == 0 else None,
                    public_summary="整改情况良好。" if n % 3 == 0 else "",
                )
            )
    OversightItem.objects.bulk_create(items)
    opinions = DeliberationOpinion.objects.bulk_create(
        DeliberationOpinion(
            item=item,
            text="审议意见",
            issued_on=datetime.date(today.year, item.planned_month, 1),
            report_due=datetime.date(today.year, item.planned_month, 1)
            + datetime.timedelta(days=60),
        )
        for item in items
    )
    problems: list[Problem] = []
    for i, opinion in enumerate(opinions):
        count = BIG_ITEM_PROBLEMS if i == 0 else PROBLEMS_PER_ITEM
        problems.extend(
            Problem(
                opinion=opinion, number=n + 1, description=f"问题{n + 1}:整改不到位"
            )
            for n in range(count)
        )
    Problem.objects.bulk_create(problems, batch_size=2000)
    measures = Countermeasure.objects.bulk_create(
        (
            Countermeasure(
                problem=problem,
                unit=units[n % len(units)],
                measure=f"对策:{problem.description}",
                deadline=problem.opinion.report_due,
                status=Countermeasure.Status.DONE
                if n % 2
                else Countermeasure.Status.PENDING,
            )
            for n, problem in enumerate(problems)
        ),
        batch_size=2000,
    )
    Rectification.objects.bulk_create(
        (
            Rectification(
                countermeasure=m,
                done="已推进整改",
                status=Rectification.Status.COMPLETED
                if m.status == Countermeasure.Status.DONE
                else Rectification.Status.IN_PROGRESS,
            )
            for m in measures
        ),
        batch_size=2000,
    )
    Expert.objects.bulk_create(
        Expert(region=county, name=f"专家{n + 1:02d}", field="法学") for n in range(40)
    )
    TopicProposal.objects.bulk_create(
        TopicProposal(
            region=county,
            year=today.year + 1,
            title=f"{SCALE_TITLE}议题{n + 1}",
            category=categories[n % len(categories)],
            source=TopicProposal.Source.MEMBER,
            support=n % 17,
        )
        for n in range(100)
    )
    return len(items)


def oversight_scale_build(*, options: dict, log: Callable[[str], None]) -> None:
    """Fill every county with oversight items and the four lists (see the docstring)."""
    started = time.monotonic()
    today = timezone.localdate()
    made = 0
    for county in Region.objects.filter(level=Region.Level.COUNTY).order_by("code"):
        if OversightItem.objects.filter(
            region=county, title__startswith=SCALE_TITLE
        ).exists():
            continue
        with transaction.atomic():
            made += _county_build(county, today)
    log(f"oversight: {made} scale items in {time.monotonic() - started:.1f} s")


def four_lists_render(*, region: Region):
    """Benchmark: render the four lists of the county's item with most problems."""
    from congress.reports.render import render_pdf
    from oversight.reports import build_four_lists_context

    item = (
        OversightItem.objects.in_region(region)
        .filter(title__startswith=SCALE_TITLE)
        .order_by("pk")
        .first()
    )
    if item is None:
        return None
    context = build_four_lists_context(region=region, params={"item_id": item.pk})
    context["report_title"] = item.title
    return render_pdf("oversight/reports/four_lists.html", context)
