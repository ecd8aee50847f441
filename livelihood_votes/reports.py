"""PDF reports of livelihood_votes: the signed voting result (票决结果报告) of a round
and the year's report on every project (民生实事项目年度报告) with charts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress import voting
from congress.models import PaperCount
from congress.models import PollOption
from congress.models import Region
from congress.reports.charts import bar_chart_svg
from congress.reports.qr import qr_svg
from congress.reports.registry import ReportKind
from congress.roles import Role
from livelihood_votes.models import CandidateProject
from livelihood_votes.models import LivelihoodProject
from livelihood_votes.models import Milestone
from livelihood_votes.models import VotingRound

RESULT_KIND = "livelihood_votes.result"
ANNUAL_KIND = "livelihood_votes.annual"


def _round_for(region: Region, params: dict[str, Any]) -> VotingRound:
    rounds = VotingRound.objects.in_region(region).select_related(
        "region", "poll", "runoff_poll", "session", "term"
    )
    if params.get("round_id"):
        round_ = rounds.filter(pk=params["round_id"]).first()
    else:
        round_ = (
            rounds.filter(poll__status="published")
            .order_by("-decided_at", "-pk")
            .first()
        )
    if round_ is None:
        raise ValidationError(_("本区划没有已经公布结果的票决批次。"))
    return round_


def build_result_context(*, region: Region, params: dict[str, Any]) -> dict[str, Any]:
    """The signed result of a round: counts per candidate, ranking, paper counts,
    and the lines the counters sign (计票人, 监票人, 总监票人)."""
    round_ = _round_for(region, params)
    if round_.poll is None or round_.poll.status != "published":
        raise ValidationError(_("票决结果尚未公布,不能打印结果报告。"))
    tally = voting.poll_tally(poll=round_.poll)
    candidates = list(
        CandidateProject.objects.filter(round=round_)
        .select_related("responsible_unit")
        .order_by("rank", "-yes_votes", "order")
    )
    chosen = [c for c in candidates if c.outcome == CandidateProject.Outcome.CHOSEN]
    runoff_tally = None
    if round_.runoff_poll is not None and round_.runoff_poll.status == "published":
        runoff_tally = voting.poll_tally(poll=round_.runoff_poll)
    papers = list(
        PaperCount.objects.filter(poll=round_.poll).select_related(
            "entered_by", "confirmed_by"
        )
    )
    chart = bar_chart_svg(
        [(c.title, c.yes_votes or 0) for c in candidates],
        title=_("各候选项目赞成票"),
    )
    return {
        "round": round_,
        "cover_org": _("%(region)s人民代表大会") % {"region": round_.region.name},
        "cover_subtitle": round_.title,
        "generated_at": timezone.localtime(),
        "tally": tally,
        "runoff_tally": runoff_tally,
        "candidates": candidates,
        "chosen": chosen,
        "papers": papers,
        "chart_svg": chart,
        "qr_svg": qr_svg(reverse("livelihood-round", args=[round_.pk])),
    }


VERDICT_LABELS = dict(PollOption.Code.choices)


def build_annual_context(*, region: Region, params: dict[str, Any]) -> dict[str, Any]:
    """Every project of the year's rounds in the region: progress, money, verdicts."""
    year = int(params.get("year") or timezone.localdate().year)
    rounds = list(
        VotingRound.objects.in_region(region)
        .filter(year=year)
        .exclude(poll__isnull=True)
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "projects",
                queryset=LivelihoodProject.objects.select_related("responsible_unit")
                .prefetch_related(
                    Prefetch(
                        "milestones", queryset=Milestone.objects.order_by("due_date")
                    )
                )
                .order_by("candidate__rank", "pk"),
            )
        )
        .order_by("region__code", "batch")
    )
    projects = [p for r in rounds for p in r.projects.all()]
    budget = sum((p.budget for p in projects), start=0)
    spent = sum((p.funds_spent for p in projects), start=0)
    completed = sum(
        1 for p in projects if p.status == LivelihoodProject.Status.COMPLETED
    )
    verdicts = {code: 0 for code in VERDICT_LABELS}
    for p in projects:
        if p.verdict:
            verdicts[p.verdict] += 1
    progress_chart = bar_chart_svg(
        [(p.title[:14], p.percent) for p in projects], title=_("各项目完成进度(%)")
    )
    verdict_chart = bar_chart_svg(
        [(str(VERDICT_LABELS[c]), n) for c, n in verdicts.items()],
        title=_("代表满意度测评结果(项目数)"),
    )
    today = timezone.localdate()
    return {
        "region": region,
        "year": year,
        "cover_org": _("%(region)s人大常委会") % {"region": region.name},
        "cover_subtitle": _("%(year)s年民生实事项目") % {"year": year},
        "generated_at": timezone.localtime(),
        "rounds": rounds,
        "project_count": len(projects),
        "completed": completed,
        "budget": budget,
        "spent": spent,
        "progress_chart": progress_chart,
        "verdict_chart": verdict_chart,
        "today": today,
        "qr_svg": qr_svg(reverse("livelihood-rounds")),
    }


def can_request(user) -> bool:
    """Committee staff, leadership and system admins may print these reports."""
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


RESULT = ReportKind(
    kind=RESULT_KIND,
    title=gettext_lazy("民生实事项目票决结果报告"),
    template_name="livelihood_votes/reports/result.html",
    build_context=build_result_context,
    can_request=can_request,
)

ANNUAL = ReportKind(
    kind=ANNUAL_KIND,
    title=gettext_lazy("民生实事项目年度报告"),
    template_name="livelihood_votes/reports/annual.html",
    build_context=build_annual_context,
    can_request=can_request,
)
