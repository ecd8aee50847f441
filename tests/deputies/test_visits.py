"""进站履职: the visit_log service, photos, rules, the photo view and the data builders."""
# ruff: noqa: F811 (fixtures imported from tests.deputies.visit_helpers)

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from congress.models import AuditEvent
from congress.models import Region
from congress.roles import Role
from deputies import visit_selectors
from deputies.models import ActivityParticipant
from deputies.models import LiaisonStation
from deputies.models import StationAssignment
from deputies.models import StationVisit
from deputies.models import StationVisitDeputy
from deputies.models import VisitPhoto
from deputies.visit_data import visits_scale_build
from deputies.visits import LOG_WINDOW_DAYS
from deputies.visits import MAX_PHOTO_BYTES
from deputies.visits import PHOTO_MAX_SIDE
from deputies.visits import photo_prepare
from deputies.visits import visit_log
from tests.deputies.visit_helpers import TODAY
from tests.deputies.visit_helpers import colleague_a  # noqa: F401
from tests.deputies.visit_helpers import deputy_a  # noqa: F401
from tests.deputies.visit_helpers import deputy_b  # noqa: F401
from tests.deputies.visit_helpers import deputy_user  # noqa: F401
from tests.deputies.visit_helpers import image_upload
from tests.deputies.visit_helpers import manager_a  # noqa: F401
from tests.deputies.visit_helpers import station_a  # noqa: F401
from tests.deputies.visit_helpers import station_b  # noqa: F401
from tests.factories.congress import RegionFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import StationAssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def log(user, station, **overrides):
    values = {
        "user": user,
        "station": station,
        "date": TODAY,
        "kind": StationVisit.Kind.RECEPTION,
        "deputies": [],
        "voters_received": 3,
        "summary": "接待选民三人,反映村道破损。",
        "today": TODAY,
    }
    values.update(overrides)
    return visit_log(**values)


# --- the service -----------------------------------------------------------------


def test_visit_log_deputy_logs_own_station_and_is_always_present(
    deputy_a, colleague_a, station_a
):
    """A deputy logs a visit at their station: the region is the station's, they are
    among those present even unticked, and the log is audited."""
    visit = log(deputy_a.user, station_a, deputies=[colleague_a])
    assert visit.region_id == station_a.region_id
    assert set(visit.deputies.values_list("name", flat=True)) == {"李建国", "王秀英"}
    assert visit.logged_by == deputy_a.user
    event = AuditEvent.objects.get(object_type="deputies.stationvisit")
    assert event.detail["transition"] == "visit_log"
    assert event.object_id == str(visit.pk)


def test_visit_log_station_not_assigned_is_refused_in_chinese(deputy_a, township_a):
    """A deputy may not log for a station of their township they are not grouped
    into: a Chinese message, nothing written."""
    other = LiaisonStationFactory(name="金石桥代表之家", region=township_a)
    with pytest.raises(ValidationError, match="您未编入“金石桥代表之家”"):
        log(deputy_a.user, other)
    assert not StationVisit.objects.exists()


def test_visit_log_other_county_station_is_out_of_scope(staff_a, station_b, deputy_b):
    """County A staff cannot log a visit at a county B station."""
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        log(staff_a, station_b, deputies=[deputy_b])
    assert not StationVisit.objects.exists()


def test_visit_log_future_date_is_refused(deputy_a, station_a):
    """Nobody logs a visit that has not happened yet."""
    with pytest.raises(ValidationError, match="进站日期不能晚于今天"):
        log(deputy_a.user, station_a, date=TODAY + datetime.timedelta(days=1))
    assert not StationVisit.objects.exists()


def test_visit_log_deputy_window_and_staff_backfill(deputy_a, station_a, staff_a):
    """A deputy logs within the window; an older visit is refused for them and
    accepted from staff (who backfill from the paper ledger)."""
    edge = TODAY - datetime.timedelta(days=LOG_WINDOW_DAYS)
    assert log(deputy_a.user, station_a, date=edge).date == edge
    too_old = edge - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="只能登记30天以内的进站履职"):
        log(deputy_a.user, station_a, date=too_old, summary="另一次")
    backfilled = log(staff_a, station_a, date=too_old, deputies=[deputy_a])
    assert backfilled.date == too_old
    assert StationVisit.objects.count() == 2


def test_visit_log_deputy_outside_group_is_refused(deputy_a, station_a, deputy_b):
    """The deputies present come from the station's group."""
    with pytest.raises(ValidationError, match="赵敏未编入该联络站"):
        log(deputy_a.user, station_a, deputies=[deputy_b])
    assert not StationVisitDeputy.objects.exists()


def test_visit_log_staff_must_name_a_deputy(staff_a, station_a, deputy_a):
    """Staff logging for a station choose at least one deputy present."""
    with pytest.raises(ValidationError, match="请至少选择一名到场代表"):
        log(staff_a, station_a)


def test_visit_log_station_manager_logs_for_their_station_only(
    manager_a, station_a, deputy_a, township_a
):
    """A station manager logs for the station they manage, not for another."""
    visit = log(manager_a, station_a, deputies=[deputy_a])
    assert list(visit.deputies.all()) == [deputy_a]
    other = LiaisonStationFactory(region=township_a)
    StationAssignmentFactory(station=other, deputy=deputy_a)
    with pytest.raises(ValidationError, match="您未编入"):
        log(manager_a, other, deputies=[deputy_a], summary="另一站")


def test_visit_log_double_submit_is_refused(deputy_a, station_a):
    """The same record twice (a double tap on 提交) is refused the second time."""
    log(deputy_a.user, station_a)
    with pytest.raises(ValidationError, match="请勿重复提交"):
        log(deputy_a.user, station_a)
    assert StationVisit.objects.count() == 1


def test_visit_log_inactive_station_is_refused(deputy_a, station_a):
    station_a.is_active = False
    station_a.save()
    with pytest.raises(ValidationError, match="已停用"):
        log(deputy_a.user, station_a)


def test_visit_log_empty_summary_and_negative_voters(deputy_a, station_a):
    """Each bad field gets its own message."""
    with pytest.raises(ValidationError) as caught:
        log(deputy_a.user, station_a, summary="  ", voters_received=-1)
    assert caught.value.message_dict["summary"] == ["请填写履职情况。"]
    assert caught.value.message_dict["voters_received"] == ["接待选民人数不能为负数。"]


# --- photos ----------------------------------------------------------------------


def test_visit_log_stores_photos_as_jpeg(deputy_a, station_a):
    """PNG and WebP photos are stored as JPEG with their size recorded."""
    visit = log(
        deputy_a.user,
        station_a,
        photos=[
            image_upload("a.png", fmt="PNG", mode="RGBA", size=(200, 100)),
            image_upload("b.webp", fmt="WEBP", size=(120, 160)),
        ],
    )
    photos = list(visit.photos.order_by("pk"))
    assert [(p.width, p.height) for p in photos] == [(200, 100), (120, 160)]
    for photo in photos:
        assert photo.image.name.endswith(".jpg")
        with photo.image.open("rb") as handle:
            assert Image.open(handle).format == "JPEG"


def test_photo_large_is_shrunk_upright_and_without_exif():
    """A 4000×3000 phone photo rotated by EXIF comes out 1200×1600, upright, with
    no EXIF (no GPS position, no camera) left."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "TestCam"  # Make
    upload = image_upload("big.jpg", size=(4000, 3000), exif=exif)
    prepared = photo_prepare(upload)
    assert (prepared.width, prepared.height) == (1200, PHOTO_MAX_SIDE)
    image = Image.open(io.BytesIO(prepared.content))
    assert image.format == "JPEG"
    assert image.size == (1200, 1600)
    assert dict(image.getexif()) == {}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.jpg", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
        ("notes.png", "会议纪要".encode()),
    ],
)
def test_photo_not_an_image_is_refused(deputy_a, station_a, name, content):
    """A file named like a photo but holding something else is refused by content."""
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    with pytest.raises(ValidationError, match="不是JPEG、PNG或WebP格式的照片"):
        log(deputy_a.user, station_a, photos=[upload])
    assert not StationVisit.objects.exists()
    assert not VisitPhoto.objects.exists()


def test_photo_gif_is_refused():
    """A real image of another type (GIF) is refused too."""
    with pytest.raises(ValidationError, match="不是JPEG、PNG或WebP"):
        photo_prepare(image_upload("anim.gif", fmt="GIF"))


def test_photo_too_large_is_refused(deputy_a, station_a):
    """A photo over 10 MB is refused before it is decoded."""
    upload = SimpleUploadedFile(
        "huge.jpg", b"\xff" * (MAX_PHOTO_BYTES + 1), content_type="image/jpeg"
    )
    with pytest.raises(ValidationError, match="超过10MB"):
        log(deputy_a.user, station_a, photos=[upload])
    assert not StationVisit.objects.exists()


def test_photo_seven_is_one_too_many(deputy_a, station_a):
    """Six photos at most: the seventh refuses the whole visit."""
    with pytest.raises(ValidationError, match="最多上传6张照片,您选择了7张"):
        log(
            deputy_a.user,
            station_a,
            photos=[image_upload(f"{i}.jpg") for i in range(7)],
        )
    assert not StationVisit.objects.exists()
    visit = log(
        deputy_a.user, station_a, photos=[image_upload(f"{i}.jpg") for i in range(6)]
    )
    assert visit.photos.count() == 6


# --- rules -----------------------------------------------------------------------


@pytest.fixture
def visit(deputy_a, colleague_a, station_a):
    return log(deputy_a.user, station_a, deputies=[colleague_a])


@pytest.mark.parametrize(
    ("who", "view", "change"),
    [
        ("present_deputy", True, False),
        ("other_deputy_same_county", False, False),
        ("deputy_other_county", False, False),
        ("station_manager", True, False),
        ("other_station_manager", False, False),
        ("staff_a", True, True),
        ("staff_b", False, False),
        ("city_staff", True, True),
        ("leader_a", True, False),
        ("anonymous", False, False),
    ],
)
def test_visit_rules_grid(
    request, visit, deputy_b, county_a, township_a, who, view, change
):
    """Who may view and change a visit: the deputies present and the station's
    manager see it; staff and leadership by scope; nobody else."""
    from django.contrib.auth.models import AnonymousUser

    station = visit.station
    if who == "present_deputy":
        user = visit.logged_by
    elif who == "other_deputy_same_county":
        user = UserFactory(
            username="other_dep", scope_region=county_a, roles=[Role.DEPUTY]
        )
        DeputyFactory(region=township_a, user=user)
    elif who == "deputy_other_county":
        user = deputy_b.user
    elif who == "station_manager":
        user = UserFactory(
            username="mgr", scope_region=county_a, roles=[Role.STATION_MANAGER]
        )
        LiaisonStation.objects.filter(pk=station.pk).update(manager=user)
    elif who == "other_station_manager":
        user = UserFactory(
            username="mgr2", scope_region=county_a, roles=[Role.STATION_MANAGER]
        )
        LiaisonStationFactory(region=township_a, manager=user)
    elif who == "anonymous":
        user = AnonymousUser()
    else:
        user = request.getfixturevalue(who)
    visit.refresh_from_db()
    assert user.has_perm("deputies.view_stationvisit", visit) is view
    assert user.has_perm("deputies.change_stationvisit", visit) is change


def test_visit_list_for_user_deputy_sees_only_own(
    visit, deputy_b, station_b, colleague_a, station_a, deputy_a
):
    """A deputy's list holds the visits they were at, not their station's others."""
    log(deputy_b.user, station_b)
    mine = visit_selectors.visit_list_for_user(user=deputy_a.user)
    assert [v.pk for v in mine] == [visit.pk]
    theirs = visit_selectors.visit_list_for_user(user=deputy_b.user)
    assert visit.pk not in [v.pk for v in theirs]
    assert theirs.count() == 1


def test_visit_list_station_manager_sees_their_station(
    visit, manager_a, station_b, deputy_b
):
    log(deputy_b.user, station_b)
    assert [v.pk for v in visit_selectors.visit_list_for_user(user=manager_a)] == [
        visit.pk
    ]


# --- the photo view --------------------------------------------------------------


@pytest.fixture
def photo_visit(deputy_a, station_a):
    return log(deputy_a.user, station_a, photos=[image_upload("p.jpg")])


def test_visit_photo_served_to_the_deputy_present(client, photo_visit, deputy_a):
    photo = photo_visit.photos.get()
    client.force_login(deputy_a.user)
    response = client.get(reverse("portal-visit-photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_visit_photo_hidden_from_others_and_not_public(
    client, photo_visit, deputy_b, staff_b
):
    """Another county's deputy and staff get 404; the media path serves nothing;
    an anonymous visitor is sent to log in."""
    photo = photo_visit.photos.get()
    url = reverse("portal-visit-photo", args=[photo.pk])
    for user in (deputy_b.user, staff_b):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert client.get(f"/media/{photo.image.name}").status_code == 404


def test_visit_photo_served_to_staff_in_scope(client, photo_visit, staff_a):
    photo = photo_visit.photos.get()
    client.force_login(staff_a)
    assert client.get(reverse("portal-visit-photo", args=[photo.pk])).status_code == 200


# --- data builders ---------------------------------------------------------------


def test_visits_scale_build_is_set_based_and_idempotent(city):
    """The scale builder tops up to the requested count once: every visit has one
    to three deputies of its station's group, and a second run adds nothing."""
    county = RegionFactory(
        name="隆回县",
        code=Region.full_code("430524"),
        level=Region.Level.COUNTY,
        parent=city,
    )
    township = RegionFactory(
        name="桃洪镇",
        code=Region.full_code("430524100"),
        level=Region.Level.TOWNSHIP,
        parent=county,
    )
    stations = [LiaisonStationFactory(region=township) for _ in range(3)]
    for i, station in enumerate(stations):
        for _ in range(i + 1):  # groups of 1, 2 and 3 deputies
            StationAssignmentFactory(
                station=station, deputy=DeputyFactory(region=township)
            )
    options = {"visits": 90, "activities": 12}
    visits_scale_build(options=options, log=lambda m: None)
    visits_scale_build(options=options, log=lambda m: None)
    assert StationVisit.objects.count() == 90
    groups = {}
    for station_id, deputy_id in StationAssignment.objects.values_list(
        "station_id", "deputy_id"
    ):
        groups.setdefault(station_id, set()).add(deputy_id)
    present = {}
    for visit_id, station_id, deputy_id in StationVisitDeputy.objects.values_list(
        "visit_id", "visit__station_id", "deputy_id"
    ):
        assert deputy_id in groups[station_id]
        present.setdefault(visit_id, set()).add(deputy_id)
    assert len(present) == 90
    assert {len(d) for d in present.values()} <= {1, 2, 3}
    assert max(len(d) for d in present.values()) == 3
    oldest = StationVisit.objects.order_by("date").first().date
    assert oldest >= timezone.localdate() - datetime.timedelta(days=5 * 365 + 1)
    assert StationVisit.objects.filter(region=township).count() == 90
    from deputies.models import Activity

    assert Activity.objects.count() == 12
    assert ActivityParticipant.objects.filter(activity__region=township).exists()


def test_visits_scale_build_bulk_path_rebuilds_every_index(city, monkeypatch):
    """A big load drops the plain indexes and builds them again: afterwards the
    tables have exactly the indexes they had, and the rows are all there."""
    from django.db import connection

    from deputies import visit_data

    township = RegionFactory(
        name="桃洪镇",
        code=Region.full_code("430524100"),
        level=Region.Level.TOWNSHIP,
        parent=city,
    )
    station = LiaisonStationFactory(region=township)
    StationAssignmentFactory(station=station, deputy=DeputyFactory(region=township))

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)",
                [list(visit_data.VISIT_TABLES)],
            )
            return sorted(row[0] for row in cursor.fetchall())

    before = indexes()
    monkeypatch.setattr(visit_data, "REINDEX_ABOVE", 10)
    visits_scale_build(options={"visits": 40, "activities": 1}, log=lambda m: None)
    assert indexes() == before
    assert "visit_date_id" in before
    assert StationVisit.objects.count() == 40
    assert StationVisitDeputy.objects.count() == 40


def test_visits_demo_build_fills_duty_days_and_is_idempotent(city):
    """The demo builder logs visits on the demo stations' past duty days of the
    last three months, features the deputy with an account, adds six activities
    (past ones with attendance) and adds nothing on a second run."""
    import time_machine

    from deputies.models import Activity
    from deputies.visit_data import visits_demo_build

    county = RegionFactory(
        name="隆回县",
        code=Region.full_code("430524"),
        level=Region.Level.COUNTY,
        parent=city,
    )
    township = RegionFactory(
        name="桃洪镇",
        code=Region.full_code("430524100"),
        level=Region.Level.TOWNSHIP,
        parent=county,
    )
    station = LiaisonStationFactory(region=township)
    featured = DeputyFactory(
        region=township, user=UserFactory(username="demo_dep", roles=[Role.DEPUTY])
    )
    StationAssignmentFactory(station=station, deputy=featured)
    for _ in range(3):
        StationAssignmentFactory(station=station, deputy=DeputyFactory(region=township))
    with time_machine.travel(
        datetime.datetime(2026, 11, 20, 2, 0, tzinfo=datetime.UTC), tick=False
    ):
        visits_demo_build(log=lambda m: None)
        visits_demo_build(log=lambda m: None)
    dates = sorted(StationVisit.objects.values_list("date", flat=True))
    assert dates[0] >= datetime.date(2026, 8, 20)
    assert dates[-1] == datetime.date(2026, 11, 16)
    assert {d.day for d in dates} <= {6, 16, 26}
    assert len(dates) == len(set(dates)) == 9
    with_featured = StationVisit.objects.filter(deputies=featured).count()
    assert with_featured >= 5, with_featured
    assert Activity.objects.filter(region=county).count() == 6
    upcoming = Activity.objects.get(date__gt=datetime.date(2026, 11, 20))
    assert set(upcoming.attendance.values_list("attendance", flat=True)) == {"invited"}
    past = ActivityParticipant.objects.filter(
        activity__date__lte=datetime.date(2026, 11, 20)
    )
    assert past.exists() and not past.filter(attendance="invited").exists()
    assert ActivityParticipant.objects.filter(deputy=featured).count() == 6


def test_visit_log_deputy_other_county_station_refused(deputy_a, station_b):
    """A deputy cannot log at another county's station they are not grouped into."""
    with pytest.raises(ValidationError, match="您未编入“文昌街道人大代表联络站”"):
        log(deputy_a.user, station_b)
    assert not StationVisit.objects.exists()


def test_visit_log_deputy_scope_need_not_cover_own_station(
    deputy_a, station_a, township_b
):
    """The deputy's own station decides, not their scope region: a deputy scoped
    elsewhere still logs at the station they are grouped into."""
    deputy_a.user.scope_region = township_b
    deputy_a.user.save()
    assert log(deputy_a.user, station_a).station == station_a


def test_visit_list_for_user_newest_first(deputy_a, station_a):
    """My visits come newest first (by date, then the later record first)."""
    from tests.deputies.visit_helpers import visits_make

    visits_make(station=station_a, deputies=[deputy_a], count=4)
    dates = [v.date for v in visit_selectors.visit_list_for_user(user=deputy_a.user)]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == TODAY
