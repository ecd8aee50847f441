"""Reads of 进站履职 and 履职活动 for the deputy portal, the admin and the bench.

A station manager's and staff's reads start from ``visible_to(user)``. A deputy's
own records — the visits they were at, their duty days, their attendance — are
reached through the deputy themselves instead: a township deputy's scope region is
their township, yet the county congress holds the activities they attend, and the
object rules (``deputies/visit_rules.py``) say a deputy sees exactly these rows.
Each selector runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from dataclasses import field

from django.db.models import Count
from django.db.models import F
from django.db.models import Func
from django.db.models import IntegerField
from django.db.models import OuterRef
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from congress.models import User
from deputies.models import Activity
from deputies.models import ActivityParticipant
from deputies.models import Deputy
from deputies.models import LiaisonStation
from deputies.models import StationDuty
from deputies.models import StationVisit
from deputies.models import StationVisitDeputy
from deputies.models import VisitPhoto
from deputies.visits import deputy_of
from deputies.visits import logs_as_staff


def visit_list_for_user(*, user: User) -> QuerySet[StationVisit]:
    """The visits the user holds in the portal, newest first, station joined.

    A deputy: the visits they were present at. A station manager: every visit of
    the stations they manage. Staff: the visits they logged.
    """
    deputy = deputy_of(user)
    # One subquery of visit ids (a union), so PostgreSQL starts from the few ids
    # instead of testing an OR on every one of millions of visits.
    parts = []
    if deputy is not None:
        parts.append(
            StationVisitDeputy.objects.filter(deputy=deputy)
            .order_by()
            .values("visit_id")
        )
    managed = list(
        LiaisonStation.objects.visible_to(user)
        .filter(manager=user)
        .values_list("pk", flat=True)
    )
    if managed:
        parts.append(
            StationVisit.objects.filter(station_id__in=managed).order_by().values("pk")
        )
    if logs_as_staff(user):
        parts.append(
            StationVisit.objects.visible_to(user)
            .filter(logged_by=user)
            .order_by()
            .values("pk")
        )
    if not parts:
        return StationVisit.objects.none()
    ids = parts[0] if len(parts) == 1 else parts[0].union(*parts[1:])
    return (
        StationVisit.objects.filter(pk__in=ids)
        .select_related("station")
        # A correlated count for the rows of the page, not a GROUP BY over them all.
        .annotate(
            photo_count=Coalesce(
                Subquery(
                    VisitPhoto.objects.filter(visit=OuterRef("pk"))
                    .order_by()
                    .values("visit")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            )
        )
        # Sort the user's few hundred visits rather than walk the newest-first
        # index of all visits: for a deputy with no recent visit that walk reads
        # millions of rows before it finds twenty. "date + 0" is the same order
        # without the index (PostgreSQL cannot use an index for an expression).
        .annotate(newest=Func(F("date"), template="(%(expressions)s + 0)"))
        .order_by("-newest", "-pk")
    )


def visit_get_for_user(*, user: User, pk: int) -> StationVisit:
    """One visit with its deputies and photos; 404 for missing and forbidden alike."""
    # The rule decides (scope for staff, presence for deputies, the station for
    # its manager); missing and forbidden look the same.
    visit = (
        StationVisit.objects.select_related("station", "region", "logged_by")
        .prefetch_related(
            Prefetch("deputies", queryset=Deputy.objects.order_by("name", "pk")),
            Prefetch("photos", queryset=VisitPhoto.objects.order_by("pk")),
        )
        .filter(pk=pk)
        .first()
    )
    if visit is None or not user.has_perm("deputies.view_stationvisit", visit):
        raise Http404(_("没有找到这条进站记录,或您无权查看。"))
    return visit


def visit_photo_get_for_user(*, user: User, pk: int) -> VisitPhoto:
    """A visit photo the user may see (through its visit); 404 otherwise."""
    photo = VisitPhoto.objects.select_related("visit__station").filter(pk=pk).first()
    if photo is None or not user.has_perm("deputies.view_stationvisit", photo.visit):
        raise Http404(_("没有找到这张照片,或您无权查看。"))
    return photo


def attendance_list_for_user(*, user: User) -> QuerySet[ActivityParticipant]:
    """The user's own activity invitations with attendance, newest activity first."""
    deputy = deputy_of(user)
    if deputy is None:
        return ActivityParticipant.objects.none()
    return (
        ActivityParticipant.objects.filter(deputy=deputy)
        .select_related("activity", "activity__organizer")
        .order_by("-activity__date", "-activity_id")
    )


@dataclass
class PortalSummary:
    """What the portal home shows: next duty days and a few counts."""

    deputy: Deputy | None
    next_duties: list[StationDuty] = field(default_factory=list)
    visits_this_year: int = 0
    visits_total: int = 0
    activities_present_this_year: int = 0
    activities_upcoming: int = 0
    managed_stations: list[LiaisonStation] = field(default_factory=list)


NEXT_DUTIES = 5


def portal_summary(*, user: User, today: datetime.date) -> PortalSummary:
    """The portal home: the deputy's next duty days and their counts this year."""
    deputy = deputy_of(user)
    summary = PortalSummary(deputy=deputy)
    summary.managed_stations = list(
        LiaisonStation.objects.visible_to(user)
        .filter(manager=user, is_active=True)
        .order_by("name", "pk")
    )
    if deputy is None:
        return summary
    summary.next_duties = list(
        StationDuty.objects.filter(
            deputies=deputy, date__gte=today, station__is_active=True
        )
        .select_related("station")
        .order_by("date", "station_id")[:NEXT_DUTIES]
    )
    year_start = datetime.date(today.year, 1, 1)
    visits = StationVisit.objects.filter(
        pk__in=StationVisitDeputy.objects.filter(deputy=deputy).values("visit_id")
    ).aggregate(
        total=Count("pk"),
        this_year=Count("pk", filter=Q(date__gte=year_start)),
    )
    summary.visits_total = visits["total"]
    summary.visits_this_year = visits["this_year"]
    attendance = ActivityParticipant.objects.filter(deputy=deputy).aggregate(
        present=Count(
            "pk",
            filter=Q(
                attendance=ActivityParticipant.Attendance.PRESENT,
                activity__date__gte=year_start,
            ),
        ),
        upcoming=Count("pk", filter=Q(activity__date__gte=today)),
    )
    summary.activities_present_this_year = attendance["present"]
    summary.activities_upcoming = attendance["upcoming"]
    return summary


def activity_list_upcoming(*, user: User, today: datetime.date) -> QuerySet[Activity]:
    """Activities in scope on or after ``today`` (for staff overviews)."""
    return (
        Activity.objects.visible_to(user)
        .filter(date__gte=today)
        .select_related("region", "organizer")
        .order_by("date", "pk")
    )
