"""``generate_scale_data --reset`` for the oversight app.

Oversight rows point at the city's regions, units, deputies and users, topics at
citizen opinions, and evaluations and official reviews own satisfaction polls
whose voters and receipts point at users; all of it goes before the deputies'
reset (order 10) and the core reset, children before parents, with raw deletes
(no per-row signals). The reminders about them (``Notification`` names its target
by content type and id, not by a foreign key) and the city's oversight reports go
too.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from congress.extensions import scale_polls_delete
from congress.extensions import scale_raw_delete
from congress.models import GeneratedReport
from congress.models import Notification
from oversight.models import AppointedOfficial
from oversight.models import BudgetIndicator
from oversight.models import CaseFile
from oversight.models import CaseScore
from oversight.models import Countermeasure
from oversight.models import DeliberationOpinion
from oversight.models import Expert
from oversight.models import ExpertAssignment
from oversight.models import ExpertConflict
from oversight.models import FollowUp
from oversight.models import InquiryQuestion
from oversight.models import Milestone
from oversight.models import OfficialReview
from oversight.models import OversightItem
from oversight.models import OversightPlan
from oversight.models import Problem
from oversight.models import ProjectReview
from oversight.models import PublicEvaluation
from oversight.models import RandomDraw
from oversight.models import Rectification
from oversight.models import ResearchCampaign
from oversight.models import ResearchGroup
from oversight.models import TopicProposal
from oversight.models import TopicSupport
from oversight.reports import FOUR_LISTS_KIND
from oversight.reports import PLAN_KIND
from oversight.reports import SUMMARY_KIND


def _notifications_delete(querysets: list[models.QuerySet]) -> None:
    """Delete the notifications whose target is in one of ``querysets`` (only for the
    models some notification names, so the big tables are not scanned for nothing)."""
    named = set(
        Notification.objects.filter(content_type__app_label="oversight")
        .values_list("content_type_id", flat=True)
        .distinct()
    )
    for queryset in querysets:
        content_type = ContentType.objects.get_for_model(queryset.model)
        if content_type.pk in named:
            scale_raw_delete(
                Notification.objects.filter(
                    content_type=content_type, object_id__in=queryset.values("pk")
                )
            )


def oversight_scale_reset(*, prefix: str) -> None:
    """Delete the plans, items, topics, experts, officials and budget indicators in
    ``prefix`` with everything hanging from them, and the polls they own."""
    in_region = Q(region__code__startswith=prefix)
    items = OversightItem.objects.filter(
        in_region | Q(plan__region__code__startswith=prefix)
    )
    plans = OversightPlan.objects.filter(in_region)
    opinions = DeliberationOpinion.objects.filter(item__in=items)
    problems = Problem.objects.filter(opinion__in=opinions)
    countermeasures = Countermeasure.objects.filter(problem__in=problems)
    evaluations = PublicEvaluation.objects.filter(
        Q(opinion__in=opinions) | Q(item__in=items)
    )
    officials = AppointedOfficial.objects.filter(in_region)
    official_reviews = OfficialReview.objects.filter(
        Q(official__in=officials) | Q(item__in=items)
    )
    project_reviews = ProjectReview.objects.filter(in_region | Q(item__in=items))
    experts = Expert.objects.filter(in_region)
    draws = RandomDraw.objects.filter(in_region | Q(item__in=items))
    cases = CaseFile.objects.filter(item__in=items)
    topics = TopicProposal.objects.filter(in_region)
    campaigns = ResearchCampaign.objects.filter(in_region)
    indicators = BudgetIndicator.objects.filter(in_region)
    poll_ids = set(evaluations.values_list("poll_id", flat=True)) | set(
        official_reviews.filter(poll__isnull=False).values_list("poll_id", flat=True)
    )
    _notifications_delete(
        [
            items,
            plans,
            opinions,
            problems,
            countermeasures,
            evaluations,
            official_reviews,
            project_reviews,
            topics,
            indicators,
        ]
    )
    reports = GeneratedReport.objects.filter(
        kind__in=[FOUR_LISTS_KIND, PLAN_KIND, SUMMARY_KIND],
        region__code__startswith=prefix,
    )
    for report in reports.exclude(file=""):
        report.file.delete(save=False)
    for queryset in (
        reports,
        Rectification.objects.filter(countermeasure__in=countermeasures),
        countermeasures,
        problems,
        FollowUp.objects.filter(opinion__in=opinions),
        evaluations,
        opinions,
        official_reviews,
        officials,
        project_reviews,
        CaseScore.objects.filter(case__in=cases),
        CaseScore.objects.filter(expert__in=experts),
        cases,
        ExpertAssignment.objects.filter(
            Q(item__in=items) | Q(expert__in=experts) | Q(draw__in=draws)
        ),
        draws,
        ExpertConflict.objects.filter(expert__in=experts),
        experts,
        InquiryQuestion.objects.filter(item__in=items),
        Milestone.objects.filter(item__in=items),
        OversightItem.deputies.through.objects.filter(oversightitem__in=items),
        OversightItem.responsible_units.through.objects.filter(oversightitem__in=items),
        items,
        plans,
        TopicSupport.objects.filter(topic__in=topics),
        topics,
        ResearchGroup.objects.filter(campaign__in=campaigns),
        campaigns,
        indicators,
    ):
        scale_raw_delete(queryset)
    scale_polls_delete(poll_ids)
