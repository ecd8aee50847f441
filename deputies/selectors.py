"""Reads of deputies and stations shared by views, reports and tasks."""

from __future__ import annotations

from django.db.models import Prefetch
from django.db.models import QuerySet

from congress.models import Region
from deputies.models import Deputy
from deputies.models import LiaisonStation
from deputies.models import Mandate
from deputies.models import StationAssignment


def deputy_list_for_roster(*, region: Region) -> QuerySet[Deputy]:
    """Deputies in a region's subtree with their active mandates, for the roster.

    Two queries whatever the size: the deputies (with region and parent region
    joined) and one prefetch of their active mandates with term and delegation.
    """
    mandates = (
        Mandate.objects.active()
        .select_related("term", "delegation")
        .order_by("deputy_id", "level")
    )
    return (
        Deputy.objects.in_region(region)
        .select_related("region", "region__parent")
        .prefetch_related(Prefetch("mandates", queryset=mandates, to_attr="active"))
        .order_by("region__code", "name", "pk")
    )


def station_list_for_roster(*, region: Region) -> QuerySet[LiaisonStation]:
    """Active stations in a region's subtree with their grouped deputies.

    Two queries: the stations (with region) and one prefetch of the assignments
    with each deputy.
    """
    assignments = StationAssignment.objects.select_related("deputy").order_by(
        "-is_leader", "deputy__name", "pk"
    )
    return (
        LiaisonStation.objects.in_region(region)
        .filter(is_active=True)
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "stationassignment_set", queryset=assignments, to_attr="assignments"
            )
        )
        .order_by("region__code", "kind", "name", "pk")
    )
