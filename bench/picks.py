"""Arguments of the pages that name one object (a token, a code, a pk), picked from
the scale data. A ``Page`` names one of these with ``pick="<function>"``.

Each takes the county the benchmark measures (隆回县) and returns the URL's
arguments, or None when the data set has no such object (the row is then skipped
with a note). They pick a busy object where that is cheap, so the page is not
measured on its emptiest case.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from congress.models import Region


def station_token(*, county: Region) -> tuple | None:
    """The county's station with most deputies."""
    from deputies.models import LiaisonStation

    station = (
        LiaisonStation.objects.filter(region__code__startswith=county.prefix)
        .annotate(n=Count("stationassignment"))
        .order_by("-n", "pk")
        .first()
    )
    return None if station is None else (station.public_token,)


def deputy_token(*, county: Region) -> tuple | None:
    """The portal's bench deputy (``bench_deputy``): seated and in a station."""
    from deputies.models import Deputy

    deputy = Deputy.objects.filter(user__username="bench_deputy").first()
    return None if deputy is None else (deputy.public_token,)


def opinion_code(*, county: Region) -> tuple | None:
    """A replied opinion of the county (the tracking page then shows the reply
    and the rating form)."""
    from deputies.models import CitizenOpinion

    opinion = (
        CitizenOpinion.objects.filter(
            region__code__startswith=county.prefix, replied_at__isnull=False
        )
        .order_by("-pk")
        .first()
    ) or CitizenOpinion.objects.filter(region__code__startswith=county.prefix).order_by(
        "-pk"
    ).first()
    return None if opinion is None else (opinion.tracking_code,)


def ranking_token(*, county: Region) -> tuple | None:
    """The county's published ranking (晾晒). The scale builder publishes none,
    so the system publishes this year's county-level ranking, as the demo does."""
    from deputies.models import Level
    from deputies.models import RankingSnapshot
    from deputies.points import ranking_publish
    from deputies.points import ranking_snapshot_create

    snapshot = RankingSnapshot.objects.filter(
        region=county, published_at__isnull=False
    ).first()
    if snapshot is None:
        snapshot = ranking_snapshot_create(
            title="",
            region=county,
            year=timezone.localdate().year,
            level=Level.COUNTY,
            actor=None,
        )
        if not snapshot.rows:
            return None
        snapshot = ranking_publish(snapshot=snapshot, actor=None)
    return (snapshot.public_token,)


def oversight_big_item(*, county: Region) -> tuple | None:
    """The county's oversight item with 200 problems (the four-lists benchmark's)."""
    from oversight.models import OversightItem

    item = (
        OversightItem.objects.filter(region=county)
        .annotate(n=Count("opinions__problems"))
        .order_by("-n", "pk")
        .first()
    )
    return None if item is None else (item.pk,)


def oversight_published_item(*, county: Region) -> tuple | None:
    """A published oversight item of the county (the public result page)."""
    from oversight.models import OversightItem

    item = (
        OversightItem.objects.filter(region=county, published_at__isnull=False)
        .order_by("pk")
        .first()
    )
    return None if item is None else (item.pk,)


def livelihood_project(*, county: Region) -> tuple | None:
    """A decided livelihood project of the county (its public progress page)."""
    from livelihood_votes.models import LivelihoodProject

    project = LivelihoodProject.objects.filter(region=county).order_by("pk").first()
    return None if project is None else (project.pk,)


def livelihood_round(*, county: Region) -> tuple | None:
    """The county's decided voting round (its public page)."""
    from livelihood_votes.models import VotingRound

    round_ = VotingRound.objects.filter(region=county).order_by("-year", "pk").first()
    return None if round_ is None else (round_.pk,)
