"""Reads of the oversight app that views, reports and tasks share."""

from __future__ import annotations

from django.db.models import Prefetch
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from congress.models import User
from oversight.models import CaseFile
from oversight.models import Countermeasure
from oversight.models import DeliberationOpinion
from oversight.models import OversightItem
from oversight.models import OversightPlan
from oversight.models import Problem
from oversight.models import RandomDraw
from oversight.models import Rectification
from oversight.models import TopicProposal


def topic_list_for_deputy(*, deputy) -> QuerySet[TopicProposal]:
    """The topics a deputy proposed, newest first."""
    return TopicProposal.objects.filter(deputy=deputy).order_by("-created_at", "-pk")


def topic_list_open_in(*, region, year: int) -> QuerySet[TopicProposal]:
    """Topics of a county's year still open for support (附议)."""
    return TopicProposal.objects.filter(
        region=region,
        year=year,
        status__in=[TopicProposal.Status.PROPOSED, TopicProposal.Status.SHORTLISTED],
    ).order_by("-support", "-created_at")


def countermeasure_list_for_unit(*, user: User) -> QuerySet[Countermeasure]:
    """The countermeasures assigned to the user's unit (nothing without a unit)."""
    if user.organization_id is None:
        return Countermeasure.objects.none()
    return (
        Countermeasure.objects.filter(unit_id=user.organization_id)
        .select_related("problem__opinion__item", "unit")
        .prefetch_related(
            Prefetch(
                "rectifications",
                queryset=Rectification.objects.order_by("reported_at", "pk"),
            )
        )
        .order_by("status", "deadline", "pk")
    )


def item_list_for_expert(*, user: User) -> QuerySet[OversightItem]:
    """The items the user takes part in as an expert, with their selected cases."""
    expert = getattr(user, "expert", None)
    if expert is None:
        return OversightItem.objects.none()
    return (
        OversightItem.objects.filter(expert_assignments__expert=expert)
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "cases",
                queryset=CaseFile.objects.select_related("unit").order_by("number"),
            )
        )
        .order_by("-pk")
        .distinct()
    )


def case_get_for_expert(*, user: User, pk: int) -> CaseFile:
    """A case of an item the user is assigned to as an expert; 404 otherwise."""
    expert = getattr(user, "expert", None)
    case = (
        CaseFile.objects.filter(pk=pk, item__expert_assignments__expert=expert)
        .select_related("item", "unit")
        .first()
        if expert is not None
        else None
    )
    if case is None:
        raise Http404(_("没有找到该案卷,或您不是该事项的评查专家。"))
    return case


def countermeasure_get_for_unit(*, user: User, pk: int) -> Countermeasure:
    """One of the user's unit's countermeasures; 404 otherwise."""
    row = countermeasure_list_for_unit(user=user).filter(pk=pk).first()
    if row is None:
        raise Http404(_("没有找到该对策,或它不属于您的单位。"))
    return row


def item_list_published() -> QuerySet[OversightItem]:
    """Items whose results are published, newest first (public page)."""
    return (
        OversightItem.objects.filter(published_at__isnull=False)
        .select_related("region")
        .order_by("-published_at", "-pk")
    )


def draw_get_public(*, token: str) -> RandomDraw:
    draw = RandomDraw.objects.select_related("region", "item").filter(
        public_token=token
    )
    found = draw.first()
    if found is None:
        raise Http404(_("没有找到该抽签。"))
    return found


def opinion_list_with_lists(*, item: OversightItem) -> list[DeliberationOpinion]:
    """An item's opinions with the four lists, in a fixed number of queries."""
    return list(
        DeliberationOpinion.objects.filter(item=item)
        .order_by("issued_on", "pk")
        .prefetch_related(
            Prefetch(
                "problems",
                queryset=Problem.objects.select_related("follow_up").order_by("number"),
            ),
            Prefetch(
                "problems__countermeasures",
                queryset=Countermeasure.objects.select_related("unit").order_by(
                    "deadline", "pk"
                ),
            ),
            Prefetch(
                "problems__countermeasures__rectifications",
                queryset=Rectification.objects.order_by("reported_at", "pk"),
            ),
            "evaluations__poll",
            "follow_ups",
        )
    )


def plan_get_with_items(*, plan_id: int) -> OversightPlan:
    return (
        OversightPlan.objects.select_related("region")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=OversightItem.objects.select_related("lead_committee")
                .prefetch_related("responsible_units")
                .order_by("planned_month", "pk"),
            )
        )
        .get(pk=plan_id)
    )
