"""Fixtures and helpers for the visit, portal and activity tests.

Import the fixtures into a test module (``from tests.deputies.visit_helpers import *``
is avoided: name them). Two townships in two counties, a station in each with two
grouped deputies; the first deputy of station A has an account.
"""

from __future__ import annotations

import datetime
import io
import secrets

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from congress.roles import Role
from deputies.models import StationVisit
from deputies.models import StationVisitDeputy
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import StationAssignmentFactory

TOKEN = factory.LazyFunction(lambda: secrets.token_urlsafe(16))
TODAY = datetime.date(2026, 11, 20)
# 2026-11-20 09:00 in Asia/Shanghai.
NOW = datetime.datetime(2026, 11, 20, 1, 0, tzinfo=datetime.UTC)
PHONE = "13812345678"


@pytest.fixture
def station_a(township_a):
    return LiaisonStationFactory(
        name="桃洪镇人大代表联络站", region=township_a, public_token=TOKEN
    )


@pytest.fixture
def station_b(township_b):
    return LiaisonStationFactory(
        name="文昌街道人大代表联络站", region=township_b, public_token=TOKEN
    )


@pytest.fixture
def deputy_user(county_a):
    return UserFactory(username="deputy_a", scope_region=county_a, roles=[Role.DEPUTY])


@pytest.fixture
def deputy_a(township_a, station_a, deputy_user):
    deputy = DeputyFactory(
        name="李建国",
        region=township_a,
        user=deputy_user,
        phone=PHONE,
        public_token=TOKEN,
    )
    StationAssignmentFactory(station=station_a, deputy=deputy, is_leader=True)
    return deputy


@pytest.fixture
def colleague_a(township_a, station_a):
    deputy = DeputyFactory(name="王秀英", region=township_a, public_token=TOKEN)
    StationAssignmentFactory(station=station_a, deputy=deputy)
    return deputy


@pytest.fixture
def deputy_b(township_b, station_b):
    user = UserFactory(
        username="deputy_b", scope_region=township_b.parent, roles=[Role.DEPUTY]
    )
    deputy = DeputyFactory(
        name="赵敏", region=township_b, user=user, public_token=TOKEN
    )
    StationAssignmentFactory(station=station_b, deputy=deputy)
    return deputy


@pytest.fixture
def manager_a(county_a, station_a):
    user = UserFactory(
        username="manager_a", scope_region=county_a, roles=[Role.STATION_MANAGER]
    )
    station_a.manager = user
    station_a.save()
    return user


def image_upload(
    name: str = "photo.jpg",
    *,
    size: tuple[int, int] = (400, 300),
    fmt: str = "JPEG",
    exif: Image.Exif | None = None,
    mode: str = "RGB",
) -> SimpleUploadedFile:
    """A real image file as a browser would upload it."""
    buffer = io.BytesIO()
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, fmt, **kwargs)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
    return SimpleUploadedFile(
        name, buffer.getvalue(), content_type=content_type.get(fmt, "image/gif")
    )


def visits_make(*, station, deputies, count: int, start: int = 0) -> None:
    """``count`` visits at ``station`` with ``deputies`` present (bulk, no service)."""
    rows = StationVisit.objects.bulk_create(
        [
            StationVisit(
                station=station,
                region_id=station.region_id,
                date=TODAY - datetime.timedelta(days=start + i),
                summary=f"第{start + i}次进站",
                voters_received=i % 5,
            )
            for i in range(count)
        ]
    )
    StationVisitDeputy.objects.bulk_create(
        [StationVisitDeputy(visit=v, deputy=d) for v in rows for d in deputies]
    )


def count_queries(client, url: str) -> tuple[int, object]:
    """The number of queries one GET makes, and the response."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), response
