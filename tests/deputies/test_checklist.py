"""The 九有 checklist of liaison stations: items kept in the admin, entries with evidence."""

from __future__ import annotations

import datetime
import secrets

import factory
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from deputies.models import ChecklistItem
from deputies.models import HolidayRule
from deputies.models import StationChecklistEntry
from deputies.services import checklist_entry_record
from deputies.services import checklist_for_station
from tests.factories.deputies import ChecklistItemFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import StationChecklistEntryFactory

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "congress.backends.UserBackend"
TOKEN = factory.LazyFunction(lambda: secrets.token_urlsafe(16))
NINE = [
    "有场所",
    "有牌子",
    "有制度",
    "有计划",
    "有活动",
    "有台账",
    "有经费",
    "有人员",
    "有成效",
]


@pytest.fixture
def station_a(township_a):
    return LiaisonStationFactory(name="隆回甲站", region=township_a, public_token=TOKEN)


@pytest.fixture
def station_b(township_b):
    return LiaisonStationFactory(name="洞口乙站", region=township_b, public_token=TOKEN)


@pytest.fixture
def place():
    return ChecklistItem.objects.get(name="有场所")


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def test_migration_seeds_the_nine_items_in_order():
    """The data migration seeds the nine standard items, active, in their order."""
    items = list(ChecklistItem.objects.filter(name__in=NINE).order_by("order"))
    assert [item.name for item in items] == NINE
    assert all(item.is_active and item.description for item in items)


def test_new_station_defaults_to_next_working_day(station_a):
    """A station moves duty days off holidays unless it chooses otherwise."""
    assert station_a.holiday_rule == HolidayRule.NEXT_WORKING_DAY
    assert station_a.duty_days == [6, 16, 26]


def test_checklist_entry_record_creates_then_updates_one_row(station_a, place, staff_a):
    """Recording the same item twice updates the one entry; history keeps both."""
    first = checklist_entry_record(
        station=station_a,
        item=place,
        met=False,
        evidence="",
        checked_on=yesterday(),
        actor=staff_a,
    )
    second = checklist_entry_record(
        station=station_a,
        item=place,
        met=True,
        evidence="新建接待室80平方米。",
        checked_on=timezone.localdate(),
        actor=staff_a,
    )

    assert first.pk == second.pk
    assert StationChecklistEntry.objects.filter(station=station_a).count() == 1
    second.refresh_from_db()
    assert second.met and second.evidence == "新建接待室80平方米。"
    assert second.checked_by == staff_a
    assert second.history.count() == 2, "the earlier standing must stay in history"


def test_checklist_met_without_evidence_is_refused(station_a, place, staff_a):
    """A met item needs a description or a file, in a clear Chinese message."""
    with pytest.raises(ValidationError) as excinfo:
        checklist_entry_record(
            station=station_a,
            item=place,
            met=True,
            evidence="   ",
            checked_on=yesterday(),
            actor=staff_a,
        )
    assert "须填写佐证说明或上传佐证材料" in str(excinfo.value)
    assert not StationChecklistEntry.objects.exists()


def test_checklist_met_with_file_only_is_accepted(
    station_a, place, staff_a, settings, tmp_path
):
    """An uploaded file is evidence enough."""
    settings.MEDIA_ROOT = tmp_path
    entry = checklist_entry_record(
        station=station_a,
        item=place,
        met=True,
        checked_on=yesterday(),
        actor=staff_a,
        evidence_file=SimpleUploadedFile("场所照片.pdf", b"%PDF-1.4 test"),
    )
    assert entry.met and entry.evidence_file.name.startswith("stations/checklist/")


def test_checklist_future_check_date_is_refused(station_a, place, staff_a):
    """A check cannot be dated after today."""
    with pytest.raises(ValidationError) as excinfo:
        checklist_entry_record(
            station=station_a,
            item=place,
            met=False,
            checked_on=timezone.localdate() + datetime.timedelta(days=1),
            actor=staff_a,
        )
    assert "核查日期不能晚于今天" in str(excinfo.value)


def test_checklist_disabled_item_takes_no_new_entry(station_a, staff_a):
    """An item switched off in the admin takes no new entries."""
    item = ChecklistItemFactory(name="有网站", is_active=False)
    with pytest.raises(ValidationError) as excinfo:
        checklist_entry_record(
            station=station_a,
            item=item,
            met=False,
            checked_on=yesterday(),
            actor=staff_a,
        )
    assert "“有网站”已停用" in str(excinfo.value)


def test_checklist_for_station_lists_active_items_with_entries(station_a, place):
    """Every active item appears in order, with the station's entry or None."""
    entry = StationChecklistEntryFactory(station=station_a, item=place)
    ChecklistItemFactory(name="有网站", is_active=False)

    rows = checklist_for_station(station=station_a)

    names = [item.name for item, _entry in rows]
    assert names[:9] == NINE and "有网站" not in names
    assert rows[0] == (place, entry)
    assert all(e is None for _item, e in rows[1:])


# --- the admin -------------------------------------------------------------------


def test_admin_checklist_items_editable_by_sysadmin_only(client, sysadmin, staff_a):
    """A system admin configures the items; staff may only read them."""
    client.force_login(sysadmin, backend=MODEL_BACKEND)
    response = client.get(reverse("admin:deputies_checklistitem_changelist"))
    assert response.status_code == 200
    assert all(name in response.content.decode() for name in NINE)
    assert client.get(reverse("admin:deputies_checklistitem_add")).status_code == 200

    client.force_login(staff_a, backend=MODEL_BACKEND)
    assert (
        client.get(reverse("admin:deputies_checklistitem_changelist")).status_code
        == 200
    )
    assert client.get(reverse("admin:deputies_checklistitem_add")).status_code == 403


def test_admin_station_form_has_checklist_inline_and_holiday_rule(
    client, staff_a, station_a
):
    """The station form carries the holiday choice and the 九有 inline."""
    client.force_login(staff_a, backend=MODEL_BACKEND)
    response = client.get(
        reverse("admin:deputies_liaisonstation_change", args=[station_a.pk])
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="holiday_rule"' in content
    assert "checklist_entries-TOTAL_FORMS" in content
    assert "顺延至下一个工作日" in content


def test_admin_entry_add_records_checker_and_refuses_other_county(
    client, staff_a, station_a, station_b, place
):
    """Staff add an entry for their own station (checker recorded); another
    county's station is not a valid choice."""
    client.force_login(staff_a, backend=MODEL_BACKEND)
    url = reverse("admin:deputies_stationchecklistentry_add")
    data = {
        "station": station_a.pk,
        "item": place.pk,
        "met": "on",
        "evidence": "有固定场所。",
        "checked_on": yesterday().isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = StationChecklistEntry.objects.get(station=station_a, item=place)
    assert entry.checked_by == staff_a

    response = client.post(url, {**data, "station": station_b.pk})
    assert response.status_code == 200, "a county B station was accepted"
    assert not StationChecklistEntry.objects.filter(station=station_b).exists()


def test_admin_entry_met_without_evidence_shows_error(
    client, staff_a, station_a, place
):
    """The admin form refuses a met item without evidence, in Chinese."""
    client.force_login(staff_a, backend=MODEL_BACKEND)
    response = client.post(
        reverse("admin:deputies_stationchecklistentry_add"),
        {
            "station": station_a.pk,
            "item": place.pk,
            "met": "on",
            "evidence": "",
            "checked_on": yesterday().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "须填写佐证说明或上传佐证材料" in response.content.decode()
    assert not StationChecklistEntry.objects.exists()


def test_admin_entry_changelist_is_scoped(client, staff_b, station_a, station_b, place):
    """County B staff see their own entries and none of county A's."""
    StationChecklistEntryFactory(station=station_a, item=place)
    StationChecklistEntryFactory(station=station_b, item=place)
    client.force_login(staff_b, backend=MODEL_BACKEND)
    response = client.get(reverse("admin:deputies_stationchecklistentry_changelist"))
    content = response.content.decode()
    assert "洞口乙站" in content
    assert "隆回甲站" not in content, "county A's entry leaked"
