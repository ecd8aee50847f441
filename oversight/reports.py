"""The oversight app's PDF reports: the four lists of one item (四张清单) and the
year's oversight plan (年度监督工作计划)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Q
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress.models import GeneratedReport
from congress.models import PollOption
from congress.models import Region
from congress.models import User
from congress.reports.charts import bar_chart_svg
from congress.reports.qr import qr_svg
from congress.reports.registry import ReportKind
from congress.reports.services import report_request
from congress.roles import Role
from oversight.models import Category
from oversight.models import Countermeasure
from oversight.models import Method
from oversight.models import OversightItem
from oversight.models import OversightPlan
from oversight.models import Problem
from oversight.models import ProjectReview
from oversight.models import PublicEvaluation
from oversight.models import RandomDraw
from oversight.selectors import opinion_list_with_lists
from oversight.selectors import plan_get_with_items

FOUR_LISTS_KIND = "oversight.four_lists"
PLAN_KIND = "oversight.plan"
SUMMARY_KIND = "oversight.summary"

VERDICT_LABELS = {code.value: str(code.label) for code in PollOption.Code}


def can_request_oversight_report(user) -> bool:
    """Committee staff, leadership and system admins may print oversight reports."""
    return bool(
        user is not None
        and user.is_authenticated
        and (
            user.is_superuser
            or user.has_role(Role.STAFF)
            or user.has_role(Role.LEADERSHIP)
            or user.has_role(Role.SYSTEM_ADMIN)
        )
    )


def build_four_lists_context(
    *, region: Region, params: dict[str, Any]
) -> dict[str, Any]:
    """Read the four lists of one item; a fixed number of queries however long."""
    item = (
        OversightItem.objects.in_region(region)
        .select_related("region", "lead_committee")
        .get(pk=params["item_id"])
    )
    opinions = opinion_list_with_lists(item=item)
    problems = [p for o in opinions for p in o.problems.all()]
    countermeasures = [c for p in problems for c in p.countermeasures.all()]
    rectifications = [r for c in countermeasures for r in c.rectifications.all()]
    evaluations = [
        {
            "title": e.poll.title,
            "audience": e.get_audience_display(),
            "verdict": VERDICT_LABELS.get(e.verdict, _("未确定")),
            "reason": e.verdict_reason,
        }
        for o in opinions
        for e in o.evaluations.all()
    ]
    return {
        "item": item,
        "cover_org": _("%(region)s人大常委会") % {"region": item.region.name},
        "cover_subtitle": item.title,
        "generated_at": timezone.localtime(),
        "opinions": opinions,
        "problems": problems,
        "countermeasures": countermeasures,
        "rectifications": rectifications,
        "evaluations": evaluations,
        "qr_svg": qr_svg(
            reverse("admin:oversight_oversightitem_change", args=[item.pk])
        ),
    }


def build_plan_context(*, region: Region, params: dict[str, Any]) -> dict[str, Any]:
    """Read a plan with its items, grouped by month, and a chart by area."""
    plan = plan_get_with_items(plan_id=params["plan_id"])
    if not region.contains(plan.region):
        raise OversightPlan.DoesNotExist
    items = list(plan.items.all())
    by_category = Counter(item.get_category_display() for item in items)
    chart = bar_chart_svg(
        [(str(label), by_category.get(str(label), 0)) for label in Category.labels],
        title=_("各领域监督事项数"),
    )
    return {
        "plan": plan,
        "items": items,
        "cover_org": _("%(region)s人大常委会") % {"region": plan.region.name},
        "cover_subtitle": plan.get_status_display(),
        "generated_at": timezone.localtime(),
        "chart_svg": chart,
        "qr_svg": qr_svg(
            reverse("admin:oversight_oversightplan_change", args=[plan.pk])
        ),
    }


def build_summary_context(*, region: Region, params: dict[str, Any]) -> dict[str, Any]:
    """The year's oversight summary of a region: items by method and area, the four
    lists' progress, evaluation verdicts, draws and halted projects, with charts."""
    year = int(params["year"])
    items = list(
        OversightItem.objects.in_region(region)
        .filter(Q(plan__year=year) | Q(parent__plan__year=year))
        .select_related("region")
        .order_by("planned_month", "pk")
    )
    item_ids = [i.pk for i in items]
    by_method = Counter(i.get_method_display() for i in items)
    by_category = Counter(i.get_category_display() for i in items)
    problems = Problem.objects.filter(opinion__item_id__in=item_ids)
    countermeasures = Countermeasure.objects.filter(
        problem__opinion__item_id__in=item_ids
    )
    verdicts = Counter(
        PublicEvaluation.objects.filter(
            item_id__in=item_ids, concluded_at__isnull=False
        ).values_list("verdict", flat=True)
    )
    projects = ProjectReview.objects.filter(item_id__in=item_ids)
    halted = projects.filter(recommendation=ProjectReview.Recommendation.HALT)
    figures = {
        "items": len(items),
        "published": sum(1 for i in items if i.published_at),
        "problems": problems.count(),
        "rectified": problems.filter(status=Problem.Status.RECTIFIED).count(),
        "countermeasures": countermeasures.count(),
        "countermeasures_done": countermeasures.filter(
            status=Countermeasure.Status.DONE
        ).count(),
        "draws": RandomDraw.objects.filter(
            item_id__in=item_ids, status=RandomDraw.Status.DRAWN
        ).count(),
        "projects": projects.count(),
        "halted": halted.count(),
        "halted_budget": halted.aggregate(total=Sum("budget"))["total"] or 0,
    }
    return {
        "year": year,
        "region": region,
        "items": items,
        "figures": figures,
        "cover_org": _("%(region)s人大常委会") % {"region": region.name},
        "cover_subtitle": _("%(year)s年度监督工作总结") % {"year": year},
        "generated_at": timezone.localtime(),
        "method_chart": bar_chart_svg(
            [(str(label), by_method.get(str(label), 0)) for label in Method.labels],
            title=_("各监督方式事项数"),
        ),
        "category_chart": bar_chart_svg(
            [(str(label), by_category.get(str(label), 0)) for label in Category.labels],
            title=_("各领域监督事项数"),
        ),
        "verdict_chart": bar_chart_svg(
            [(label, verdicts.get(code, 0)) for code, label in VERDICT_LABELS.items()],
            title=_("审议意见落实情况满意度测评结果"),
        ),
        "qr_svg": qr_svg(reverse("oversight-results")),
    }


SUMMARY = ReportKind(
    kind=SUMMARY_KIND,
    title=gettext_lazy("年度监督工作总结"),
    template_name="oversight/reports/summary.html",
    build_context=build_summary_context,
    can_request=can_request_oversight_report,
)

FOUR_LISTS = ReportKind(
    kind=FOUR_LISTS_KIND,
    title=gettext_lazy("监督事项四张清单"),
    template_name="oversight/reports/four_lists.html",
    build_context=build_four_lists_context,
    can_request=can_request_oversight_report,
)

PLAN = ReportKind(
    kind=PLAN_KIND,
    title=gettext_lazy("年度监督工作计划"),
    template_name="oversight/reports/plan.html",
    build_context=build_plan_context,
    can_request=can_request_oversight_report,
)


def four_lists_request(*, item: OversightItem, requester: User) -> GeneratedReport:
    """Ask for the four lists of one item, within the requester's scope."""
    return report_request(
        kind=FOUR_LISTS_KIND,
        params={"region_id": item.region_id, "item_id": item.pk},
        requester=requester,
    )


def plan_report_request(*, plan: OversightPlan, requester: User) -> GeneratedReport:
    """Ask for the PDF of a year's plan, within the requester's scope."""
    return report_request(
        kind=PLAN_KIND,
        params={"region_id": plan.region_id, "plan_id": plan.pk},
        requester=requester,
    )


def summary_report_request(*, plan: OversightPlan, requester: User) -> GeneratedReport:
    """Ask for the year's oversight summary of the plan's region."""
    return report_request(
        kind=SUMMARY_KIND,
        params={"region_id": plan.region_id, "year": plan.year},
        requester=requester,
    )
