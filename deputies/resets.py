"""``generate_scale_data --reset`` for the deputies app's own rows.

The core reset removes deputies, stations and users; everything below that points
at them goes first, children before parents, with raw deletes (no per-row signals
or history for a wipe of millions of generated rows).
"""

from __future__ import annotations

from congress.extensions import scale_raw_delete
from deputies.models import Activity
from deputies.models import ActivityParticipant
from deputies.models import CitizenOpinion
from deputies.models import SensitiveWord
from deputies.models import StationChecklistEntry
from deputies.models import StationDuty
from deputies.models import StationVisit
from deputies.models import StationVisitDeputy
from deputies.models import VisitPhoto


def deputies_scale_reset(*, prefix: str) -> None:
    """Delete the visits, opinions, activities and rosters in ``prefix`` (the points
    ledger has its own reset, ``points_scale_reset``)."""
    in_region = {"region__code__startswith": prefix}
    visits = StationVisit.objects.filter(**in_region)
    activities = Activity.objects.filter(**in_region)
    duties = StationDuty.objects.filter(station__region__code__startswith=prefix)
    duty_deputies = StationDuty.deputies.through.objects.filter(stationduty__in=duties)
    for queryset in (
        ActivityParticipant.history.filter(activity__in=activities),
        ActivityParticipant.objects.filter(activity__in=activities),
        Activity.history.filter(**in_region),
        activities,
        VisitPhoto.objects.filter(visit__in=visits),
        StationVisitDeputy.objects.filter(visit__in=visits),
        StationVisit.history.filter(**in_region),
        visits,
        CitizenOpinion.history.filter(**in_region),
        CitizenOpinion.objects.filter(**in_region),
        SensitiveWord.objects.filter(**in_region),
        duty_deputies,
        duties,
        StationChecklistEntry.history.filter(station__region__code__startswith=prefix),
        StationChecklistEntry.objects.filter(station__region__code__startswith=prefix),
    ):
        scale_raw_delete(queryset)
