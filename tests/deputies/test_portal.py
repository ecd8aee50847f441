"""The deputy portal (/portal/): pages, logging a visit, no phone numbers, queries."""
# ruff: noqa: F811 (fixtures imported from tests.deputies.visit_helpers)

from __future__ import annotations

import datetime
import re
from urllib.parse import urlencode

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from congress.roles import Role
from deputies.models import Activity
from deputies.models import ActivityParticipant
from deputies.models import StationVisit
from deputies.models import VisitPhoto
from tests.deputies.visit_helpers import NOW
from tests.deputies.visit_helpers import PHONE
from tests.deputies.visit_helpers import TODAY
from tests.deputies.visit_helpers import colleague_a  # noqa: F401
from tests.deputies.visit_helpers import count_queries
from tests.deputies.visit_helpers import deputy_a  # noqa: F401
from tests.deputies.visit_helpers import deputy_b  # noqa: F401
from tests.deputies.visit_helpers import deputy_user  # noqa: F401
from tests.deputies.visit_helpers import image_upload
from tests.deputies.visit_helpers import station_a  # noqa: F401
from tests.deputies.visit_helpers import station_b  # noqa: F401
from tests.deputies.visit_helpers import visits_make
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import StationAssignmentFactory
from tests.factories.deputies import StationDutyFactory

pytestmark = pytest.mark.django_db

PHONE_RE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def deputy_client(client, deputy_a):
    client.force_login(deputy_a.user)
    return client


def test_portal_home_shows_next_duty_days_counts_and_sections(
    deputy_client, deputy_a, station_a
):
    """我的履职: the next duty days at the deputy's station, this year's counts, and
    the list of portal sections."""
    StationDutyFactory(station=station_a, date=TODAY, deputies=[deputy_a])
    StationDutyFactory(
        station=station_a, date=TODAY + datetime.timedelta(days=6), deputies=[deputy_a]
    )
    StationDutyFactory(
        station=station_a, date=TODAY - datetime.timedelta(days=4), deputies=[deputy_a]
    )
    visits_make(station=station_a, deputies=[deputy_a], count=3)
    response = deputy_client.get(reverse("portal-home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'datetime="2026-11-20"' in html and 'datetime="2026-11-26"' in html
    assert 'datetime="2026-11-16"' not in html, "a past duty day is not 'next'"
    assert "今天" in html
    summary = response.context["summary"]
    assert (summary.visits_this_year, summary.visits_total) == (3, 3)
    for name in ("portal-visit-log", "portal-visit-list", "portal-activity-list"):
        assert f'href="{reverse(name)}"' in html


def test_portal_log_page_preselects_today_duty_station_and_the_deputy(
    deputy_client, deputy_a, township_a
):
    """On a duty day the form preselects that station, today's date, and the deputy."""
    second = LiaisonStationFactory(name="滩头镇代表之家", region=township_a)
    StationAssignmentFactory(station=second, deputy=deputy_a)
    StationDutyFactory(station=second, date=TODAY, deputies=[deputy_a])
    response = deputy_client.get(reverse("portal-visit-log"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.selected == second
    assert form.initial["date"] == TODAY
    assert form.initial["deputies"] == [deputy_a.pk]
    assert f'<option value="{second.pk}" selected>' in response.content.decode()


def test_portal_log_page_without_duty_takes_first_station(
    deputy_client, station_a, deputy_a
):
    response = deputy_client.get(reverse("portal-visit-log"))
    assert response.context["form"].selected == station_a


def test_portal_log_visit_with_photo_then_see_it(
    deputy_client, deputy_a, colleague_a, station_a
):
    """Posting the form logs the visit with its photo and shows it; the list has it."""
    response = deputy_client.post(
        reverse("portal-visit-log"),
        {
            "station": station_a.pk,
            "date": "2026-11-20",
            "kind": StationVisit.Kind.RECEPTION,
            "deputies": [colleague_a.pk],
            "voters_received": "4",
            "summary": "接待选民四人,反映集镇排水不畅。",
            "photos": [image_upload("site.jpg", size=(2400, 1800))],
        },
    )
    visit = StationVisit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal-visit-detail", args=[visit.pk])
    photo = VisitPhoto.objects.get()
    assert (photo.width, photo.height) == (1600, 1200)
    detail = deputy_client.get(response["Location"]).content.decode()
    assert "反映集镇排水不畅" in detail
    assert reverse("portal-visit-photo", args=[photo.pk]) in detail
    assert "李建国" in detail and "王秀英" in detail
    listing = deputy_client.get(reverse("portal-visit-list")).content.decode()
    assert reverse("portal-visit-detail", args=[visit.pk]) in listing


def test_portal_log_bad_photo_shows_chinese_error_and_writes_nothing(
    deputy_client, station_a, deputy_a
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = deputy_client.post(
        reverse("portal-visit-log"),
        {
            "station": station_a.pk,
            "date": "2026-11-20",
            "kind": StationVisit.Kind.RECEPTION,
            "voters_received": "0",
            "summary": "学习交流。",
            "photos": [SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a photo")],
        },
    )
    assert response.status_code == 400
    assert "不是JPEG、PNG或WebP格式的照片" in response.content.decode()
    assert not StationVisit.objects.exists()


def test_portal_log_station_of_other_deputy_is_not_offered(
    deputy_client, station_b, deputy_b, station_a, deputy_a
):
    """A forged station id from another county fails the form; nothing written."""
    response = deputy_client.post(
        reverse("portal-visit-log"),
        {
            "station": station_b.pk,
            "date": "2026-11-20",
            "kind": StationVisit.Kind.RECEPTION,
            "voters_received": "0",
            "summary": "伪造的站点。",
        },
    )
    assert response.status_code == 400
    assert "station" in response.context["form"].errors
    assert not StationVisit.objects.exists()


def test_portal_deputies_partial_lists_the_chosen_station_group(
    deputy_client, deputy_a, colleague_a, station_a, township_a
):
    """Switching station swaps in that station's group, the deputy ticked."""
    second = LiaisonStationFactory(name="滩头镇代表之家", region=township_a)
    StationAssignmentFactory(station=second, deputy=deputy_a)
    response = deputy_client.get(
        reverse("portal-visit-deputies"), {"station": second.pk}
    )
    html = response.content.decode()
    assert "李建国" in html and "王秀英" not in html
    assert 'id="visit-deputies"' in html
    assert response.context["form"].initial["deputies"] == [deputy_a.pk]
    assert "checked" in html
    response = deputy_client.get(
        reverse("portal-visit-deputies"), {"station": station_a.pk}
    )
    assert "王秀英" in response.content.decode()


def test_portal_is_closed_to_other_roles(client, county_a):
    """A unit liaison (no deputy, no station) is refused; anonymous goes to log in."""
    liaison = UserFactory(
        username="liaison", scope_region=county_a, roles=[Role.UNIT_LIAISON]
    )
    assert client.get(reverse("portal-home")).status_code == 302
    client.force_login(liaison)
    assert client.get(reverse("portal-home")).status_code == 403
    assert client.get(reverse("portal-visit-log")).status_code == 403


def test_portal_visit_detail_of_another_deputy_is_404(
    deputy_client, station_b, deputy_b
):
    visits_make(station=station_b, deputies=[deputy_b], count=1)
    other = StationVisit.objects.get()
    response = deputy_client.get(reverse("portal-visit-detail", args=[other.pk]))
    assert response.status_code == 404


def test_portal_pages_show_no_full_phone_number(
    deputy_client, deputy_a, colleague_a, station_a
):
    """No portal page shows a full mobile number (the deputy's is 13812345678)."""
    station_a.contact_phone = "13900001111"
    station_a.save()
    StationDutyFactory(station=station_a, date=TODAY, deputies=[deputy_a])
    visits_make(station=station_a, deputies=[deputy_a, colleague_a], count=2)
    visit = StationVisit.objects.first()
    activity = Activity.objects.create(
        title="视察城乡供水",
        kind=Activity.Kind.INSPECTION,
        date=TODAY,
        region=station_a.region,
    )
    ActivityParticipant.objects.create(activity=activity, deputy=deputy_a)
    urls = [
        reverse("portal-home"),
        reverse("portal-visit-log"),
        reverse("portal-visit-list"),
        reverse("portal-visit-detail", args=[visit.pk]),
        reverse("portal-activity-list"),
        reverse("portal-visit-deputies") + f"?station={station_a.pk}",
    ]
    for url in urls:
        response = deputy_client.get(url)
        assert response.status_code == 200, url
        found = PHONE_RE.findall(response.content.decode())
        assert not found, (url, found)
    assert PHONE == deputy_a.phone


# --- query counts: the same with 5 and with 50 rows ------------------------------


def _activities_make(*, deputy, region, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        activity = Activity.objects.create(
            title=f"活动{i}",
            kind=Activity.Kind.TRAINING,
            date=TODAY - datetime.timedelta(days=i),
            region=region,
        )
        ActivityParticipant.objects.create(
            activity=activity,
            deputy=deputy,
            attendance=ActivityParticipant.Attendance.PRESENT,
        )


def _duties_make(*, deputy, station, count: int, start: int = 0) -> None:
    """``count`` duty days of ``deputy`` at ``station`` from today on."""
    for i in range(start, start + count):
        StationDutyFactory(
            station=station,
            date=TODAY + datetime.timedelta(days=i),
            deputies=[deputy],
        )


def _photos_add(*, count: int) -> None:
    """A photo on each of the ``count`` newest visits (rows only, no files)."""
    newest = StationVisit.objects.order_by("-date", "-pk")[:count]
    VisitPhoto.objects.bulk_create(
        VisitPhoto(visit=visit, image=f"visits/{visit.pk}.jpg") for visit in newest
    )


# What each page lists, and how many of the rows it shows with 5 and with 50.
LISTED = {
    "portal-home": ('class="duty-item"', 5, 5),  # the next five duty days
    "portal-visit-list": ('class="visit-item"', 5, 20),  # twenty to a page
    "portal-activity-list": ('class="activity-item"', 5, 20),
}


@pytest.mark.parametrize("url_name", list(LISTED))
def test_portal_page_queries_do_not_grow_with_rows(
    deputy_client,
    deputy_a,
    colleague_a,
    station_a,
    url_name,
    django_assert_max_num_queries,
):
    """Each portal page makes the same number of queries with 5 and with 50 rows
    (duty days, visits with photos, activities)."""
    url = reverse(url_name)
    marker, shown_small, shown_large = LISTED[url_name]

    def rows_make(count: int, start: int = 0) -> None:
        visits_make(
            station=station_a,
            deputies=[deputy_a, colleague_a],
            count=count,
            start=start,
        )
        _activities_make(
            deputy=deputy_a, region=station_a.region, count=count, start=start
        )
        _duties_make(deputy=deputy_a, station=station_a, count=count, start=start)

    rows_make(5)
    _photos_add(count=5)
    small, response = count_queries(deputy_client, url)
    assert response.content.decode().count(marker) == shown_small
    rows_make(45, start=5)
    _photos_add(count=50)
    with django_assert_max_num_queries(small):
        large, response = count_queries(deputy_client, url)
    assert response.content.decode().count(marker) == shown_large
    assert large == small
    # session, user (with scope region), groups, deputy, and the page's own reads
    assert small <= 10, small


def test_portal_visit_detail_queries_do_not_grow_with_photos(
    deputy_client, deputy_a, station_a, township_a, django_assert_max_num_queries
):
    from deputies.visits import visit_log

    few = visit_log(
        user=deputy_a.user,
        station=station_a,
        date=TODAY,
        kind=StationVisit.Kind.RECEPTION,
        deputies=[],
        summary="一张照片",
        photos=[image_upload("1.jpg")],
        today=TODAY,
    )
    many = visit_log(
        user=deputy_a.user,
        station=station_a,
        date=TODAY,
        kind=StationVisit.Kind.STUDY,
        deputies=[],
        summary="六张照片",
        photos=[image_upload(f"{i}.jpg") for i in range(6)],
        today=TODAY,
    )
    small, _r = count_queries(
        deputy_client, reverse("portal-visit-detail", args=[few.pk])
    )
    with django_assert_max_num_queries(small):
        large, _r = count_queries(
            deputy_client, reverse("portal-visit-detail", args=[many.pk])
        )
    assert large == small
    assert small <= 10, small


def _colleagues_add(station, township, *, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        colleague = DeputyFactory(name=f"同站代表{i:02d}", region=township)
        StationAssignmentFactory(station=station, deputy=colleague)


@pytest.mark.parametrize("partial", [False, True])
def test_portal_visit_log_queries_do_not_grow_with_the_station_group(
    deputy_client,
    deputy_a,
    station_a,
    township_a,
    partial,
    django_assert_max_num_queries,
):
    """登记进站履职 (and its htmx list of the station's deputies) makes the same
    number of queries for a group of 5 and of 50 deputies on today's duty."""
    url = reverse("portal-visit-deputies" if partial else "portal-visit-log")
    if partial:
        url += f"?station={station_a.pk}"
    duty = StationDutyFactory(station=station_a, date=TODAY, deputies=[deputy_a])
    _colleagues_add(station_a, township_a, count=4)
    small, response = count_queries(deputy_client, url)
    assert response.content.decode().count('name="deputies"') == 5
    _colleagues_add(station_a, township_a, count=45, start=4)
    duty.deputies.set(station_a.deputies.all())
    with django_assert_max_num_queries(small):
        large, response = count_queries(deputy_client, url)
    assert large == small
    assert small <= 10, small
    assert response.content.decode().count('name="deputies"') == 50


@pytest.mark.parametrize(
    "url_name",
    ["admin:deputies_stationvisit_changelist", "admin:deputies_activity_changelist"],
)
def test_admin_changelist_queries_do_not_grow_with_rows(
    client,
    staff_a,
    deputy_a,
    colleague_a,
    station_a,
    url_name,
    django_assert_max_num_queries,
):
    """The visit and activity changelists: same queries with 5 and 50 rows."""
    client.force_login(staff_a)
    url = reverse(url_name)
    visits_make(station=station_a, deputies=[deputy_a, colleague_a], count=5)
    _activities_make(deputy=deputy_a, region=station_a.region, count=5)
    small, _r = count_queries(client, url)
    visits_make(station=station_a, deputies=[deputy_a, colleague_a], count=45, start=5)
    _activities_make(deputy=deputy_a, region=station_a.region, count=45, start=5)
    with django_assert_max_num_queries(small):
        large, response = count_queries(client, url)
    assert large == small
    assert len(response.context["cl"].result_list) == 50


def test_admin_visit_changelist_is_scoped(client, staff_b, deputy_a, station_a):
    """County B staff see none of county A's visits."""
    visits_make(station=station_a, deputies=[deputy_a], count=3)
    client.force_login(staff_b)
    response = client.get(reverse("admin:deputies_stationvisit_changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 0
    visit = StationVisit.objects.first()
    change = client.get(reverse("admin:deputies_stationvisit_change", args=[visit.pk]))
    assert change.status_code == 404


def test_admin_visit_changelist_never_counts_the_whole_table(
    client, city_staff, deputy_a, station_a, monkeypatch
):
    """Above the cap the changelist shows the planner's estimate: no COUNT(*) runs
    without a LIMIT (on five million visits it would take seconds), for the plain
    list and for a search."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from deputies import admin_visits

    monkeypatch.setattr(admin_visits, "EXACT_COUNT_CAP", 3)
    visits_make(station=station_a, deputies=[deputy_a], count=12)
    client.force_login(city_staff)
    url = reverse("admin:deputies_stationvisit_changelist")
    for query in ("", "?q=联络站"):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url + query)
        assert response.status_code == 200
        counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"]]
        assert counts, "the capped count ran"
        for sql in counts:
            assert "LIMIT 4" in sql, sql
        assert response.context["cl"].paginator.count >= 4
        assert len(response.context["cl"].result_list) == 12


def test_admin_visit_changelist_links_staff_to_the_log_form(client, staff_a, leader_a):
    """Staff get a 登记进站履职 button (the portal form, where they may backfill);
    leadership, who only read, do not."""
    url = reverse("admin:deputies_stationvisit_changelist")
    log_url = reverse("portal-visit-log")
    client.force_login(staff_a)
    assert f'href="{log_url}"' in client.get(url).content.decode()
    client.force_login(leader_a)
    response = client.get(url)
    assert response.status_code == 200
    assert f'href="{log_url}"' not in response.content.decode()


def test_admin_visit_changelist_checkboxes_for_actions(
    client, staff_a, deputy_a, station_a
):
    """Each row has Django's action checkbox (name, value, class, aria-label) and
    the header the select-all box; actions.js and its counter are on the page."""
    visits_make(station=station_a, deputies=[deputy_a], count=3)
    client.force_login(staff_a)
    response = client.get(reverse("admin:deputies_stationvisit_changelist"))
    html = response.content.decode()
    assert (
        '<input type="checkbox" id="action-toggle"'
        ' aria-label="选择此页面上的所有对象执行操作">' in html
    )
    assert html.count('class="action-select"') == 3
    for visit in StationVisit.objects.all():
        assert (
            '<td class="action-checkbox"><input type="checkbox"'
            f' name="_selected_action" value="{visit.pk}" class="action-select"'
            f' aria-label="选择此对象执行操作 - {escape(str(visit))}"></td>'
        ) in html
    assert "admin/js/actions.js" in html
    assert 'class="action-counter"' in html
    assert '<option value="delete_selected">' in html


def test_admin_visit_changelist_bulk_delete_through_selected_rows(
    client, staff_a, deputy_a, station_a, deputy_b, station_b
):
    """Rows posted as ``_selected_action`` go through the action (delete: the
    confirmation, then the deletion); a row outside the scope is not touched."""
    visits_make(station=station_a, deputies=[deputy_a], count=3)
    visits_make(station=station_b, deputies=[deputy_b], count=1)
    mine = list(StationVisit.objects.filter(station=station_a).order_by("pk"))
    other = StationVisit.objects.get(station=station_b)
    client.force_login(staff_a)
    url = reverse("admin:deputies_stationvisit_changelist")
    data = {
        "action": "delete_selected",
        "_selected_action": [mine[0].pk, mine[1].pk, other.pk],
    }
    confirm = client.post(url, data)
    assert confirm.status_code == 200
    assert "admin/delete_selected_confirmation.html" in [
        t.name for t in confirm.templates
    ]
    done = client.post(url, {**data, "post": "yes"})
    assert done.status_code == 302
    assert set(StationVisit.objects.values_list("pk", flat=True)) == {
        mine[2].pk,
        other.pk,
    }


def test_admin_visit_changelist_links_keep_the_filters(
    client, staff_a, deputy_a, station_a
):
    """Filtered, each row's two links (date, station) open the visit with the
    list's filters preserved, so 返回 comes back to the same list."""
    visits_make(station=station_a, deputies=[deputy_a], count=3)
    client.force_login(staff_a)
    query = "period=this_year&kind__exact=reception"
    url = reverse("admin:deputies_stationvisit_changelist")
    html = client.get(f"{url}?{query}").content.decode()
    for visit in StationVisit.objects.all():
        change = reverse("admin:deputies_stationvisit_change", args=[visit.pk])
        link = f'href="{change}?{urlencode({"_changelist_filters": query})}"'
        assert html.count(link) == 2, link
