"""Small builders for the facts that earn points (tests of deputies.points)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from deputies.models import Activity
from deputies.models import ActivityParticipant
from deputies.models import CitizenOpinion
from deputies.models import Deputy
from deputies.models import LiaisonStation
from deputies.models import PointRule
from deputies.models import StationVisit
from deputies.models import StationVisitDeputy
from deputies.models import VoterReport


def rule(region, fact, points, cap=None, *, confirm=False, active=True) -> PointRule:
    return PointRule.objects.create(
        region=region,
        fact=fact,
        points=Decimal(str(points)),
        yearly_cap=None if cap is None else Decimal(str(cap)),
        needs_confirmation=confirm,
        is_active=active,
    )


def visit(station: LiaisonStation, day: datetime.date, *deputies: Deputy):
    v = StationVisit.objects.create(station=station, date=day, summary="接待选民")
    StationVisitDeputy.objects.bulk_create(
        [StationVisitDeputy(visit=v, deputy=d) for d in deputies]
    )
    return v


def activity(region, day, attendance: dict[Deputy, str], kind=None):
    a = Activity.objects.create(
        title="执法检查",
        kind=kind or Activity.Kind.LAW_ENFORCEMENT,
        date=day,
        region=region,
    )
    return [
        ActivityParticipant.objects.create(activity=a, deputy=d, attendance=state)
        for d, state in attendance.items()
    ]


def opinion_replied(deputy: Deputy, when: datetime.datetime, status="replied"):
    return CitizenOpinion.objects.create(
        deputy=deputy,
        region=deputy.region,
        content="路灯坏了",
        status=status,
        reply="已联系维修",
        replied_at=when,
    )


def voter_report(deputy: Deputy, day: datetime.date, **kwargs) -> VoterReport:
    return VoterReport.objects.create(deputy=deputy, date=day, **kwargs)


def aware(year, month, day, hour=12) -> datetime.datetime:
    return datetime.datetime(
        year, month, day, hour, tzinfo=timezone.get_default_timezone()
    )
