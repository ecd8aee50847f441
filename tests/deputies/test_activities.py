"""履职活动: staff record attendance through the service; deputies see their own."""
# ruff: noqa: F811 (fixtures imported from tests.deputies.visit_helpers)

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from congress.models import AuditEvent
from deputies.models import Activity
from deputies.models import ActivityParticipant
from deputies.visit_selectors import attendance_list_for_user
from deputies.visits import AttendanceEntry
from deputies.visits import activity_attendance_mark_all_present
from deputies.visits import activity_attendance_record
from tests.deputies.visit_helpers import TODAY
from tests.deputies.visit_helpers import colleague_a  # noqa: F401
from tests.deputies.visit_helpers import deputy_a  # noqa: F401
from tests.deputies.visit_helpers import deputy_b  # noqa: F401
from tests.deputies.visit_helpers import deputy_user  # noqa: F401
from tests.deputies.visit_helpers import station_a  # noqa: F401
from tests.deputies.visit_helpers import station_b  # noqa: F401

pytestmark = pytest.mark.django_db

Attendance = ActivityParticipant.Attendance


@pytest.fixture
def activity(county_a):
    return Activity.objects.create(
        title="《食品安全法》执法检查",
        kind=Activity.Kind.LAW_ENFORCEMENT,
        date=TODAY - datetime.timedelta(days=2),
        region=county_a,
    )


@pytest.fixture
def upcoming(county_a):
    return Activity.objects.create(
        title="列席常委会会议",
        kind=Activity.Kind.STANDING_COMMITTEE,
        date=TODAY + datetime.timedelta(days=10),
        region=county_a,
    )


def record(activity, actor, *entries, **kwargs):
    return activity_attendance_record(
        activity=activity,
        entries=[AttendanceEntry(deputy=d, attendance=a) for d, a in entries],
        actor=actor,
        today=TODAY,
        **kwargs,
    )


def test_attendance_record_staff_records_and_changes(
    activity, staff_a, deputy_a, colleague_a
):
    """Staff record present and on leave, then change one; history and audit kept."""
    record(
        activity,
        staff_a,
        (deputy_a, Attendance.PRESENT),
        (colleague_a, Attendance.ON_LEAVE),
    )
    record(activity, staff_a, (colleague_a, Attendance.ABSENT))
    rows = dict(
        ActivityParticipant.objects.filter(activity=activity).values_list(
            "deputy__name", "attendance"
        )
    )
    assert rows == {"李建国": "present", "王秀英": "absent"}
    participant = ActivityParticipant.objects.get(deputy=colleague_a)
    assert [h.attendance for h in participant.history.order_by("history_id")] == [
        "on_leave",
        "absent",
    ]
    assert AuditEvent.objects.filter(object_type="deputies.activity").count() == 2


def test_attendance_record_same_again_changes_nothing(activity, staff_a, deputy_a):
    record(activity, staff_a, (deputy_a, Attendance.PRESENT))
    record(activity, staff_a, (deputy_a, Attendance.PRESENT))
    assert ActivityParticipant.objects.get().history.count() == 1
    assert AuditEvent.objects.filter(object_type="deputies.activity").count() == 1


def test_attendance_before_the_day_only_leave(upcoming, staff_a, deputy_a, colleague_a):
    """Before the activity, a deputy may be on leave but not present or absent."""
    with pytest.raises(ValidationError, match="活动尚未举行,不能登记出席或缺席"):
        record(upcoming, staff_a, (deputy_a, Attendance.PRESENT))
    assert not ActivityParticipant.objects.exists()
    record(
        upcoming,
        staff_a,
        (deputy_a, Attendance.ON_LEAVE),
        (colleague_a, Attendance.INVITED),
    )
    assert ActivityParticipant.objects.count() == 2


def test_attendance_out_of_scope_is_refused(
    activity, staff_b, staff_a, deputy_a, deputy_b
):
    """County B staff cannot touch a county A activity; county A staff cannot add a
    county B deputy."""
    with pytest.raises(ValidationError, match="您无权登记该活动的出席情况"):
        record(activity, staff_b, (deputy_a, Attendance.PRESENT))
    with pytest.raises(ValidationError, match="赵敏不在您的管辖范围内"):
        record(activity, staff_a, (deputy_b, Attendance.PRESENT))
    assert not ActivityParticipant.objects.exists()


def test_attendance_leadership_cannot_record(activity, leader_a, deputy_a):
    with pytest.raises(ValidationError, match="您无权"):
        record(activity, leader_a, (deputy_a, Attendance.PRESENT))


def test_attendance_deputy_twice_is_refused(activity, staff_a, deputy_a):
    with pytest.raises(ValidationError, match="李建国重复出现"):
        record(
            activity,
            staff_a,
            (deputy_a, Attendance.PRESENT),
            (deputy_a, Attendance.ABSENT),
        )


def test_attendance_removed_deputy_is_uninvited(
    activity, staff_a, deputy_a, colleague_a
):
    record(
        activity,
        staff_a,
        (deputy_a, Attendance.PRESENT),
        (colleague_a, Attendance.PRESENT),
    )
    record(activity, staff_a, removed=[colleague_a])
    assert list(ActivityParticipant.objects.values_list("deputy__name", flat=True)) == [
        "李建国"
    ]


def test_mark_all_present_keeps_recorded_and_skips_future(
    activity, upcoming, staff_a, deputy_a, colleague_a
):
    """The bulk action marks the unrecorded present, keeps leave, skips activities
    still to come, and a second run changes nothing."""
    record(
        activity,
        staff_a,
        (deputy_a, Attendance.INVITED),
        (colleague_a, Attendance.ON_LEAVE),
    )
    record(upcoming, staff_a, (deputy_a, Attendance.INVITED))
    changed = activity_attendance_mark_all_present(
        activities=[activity, upcoming], actor=staff_a, today=TODAY
    )
    assert changed == 1
    assert dict(
        ActivityParticipant.objects.filter(activity=activity).values_list(
            "deputy__name", "attendance"
        )
    ) == {"李建国": "present", "王秀英": "on_leave"}
    assert ActivityParticipant.objects.get(activity=upcoming).attendance == "invited"
    assert (
        activity_attendance_mark_all_present(
            activities=[activity, upcoming], actor=staff_a, today=TODAY
        )
        == 0
    )


def test_admin_mark_all_present_action(client, activity, staff_a, deputy_a):
    record(activity, staff_a, (deputy_a, Attendance.INVITED))
    client.force_login(staff_a)
    response = client.post(
        reverse("admin:deputies_activity_changelist"),
        {"action": "mark_all_present", "_selected_action": [activity.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "已将1名未登记的代表标记为出席" in response.content.decode()
    assert ActivityParticipant.objects.get().attendance == "present"


def test_admin_inline_attendance_goes_through_the_service(
    client, activity, staff_a, deputy_a
):
    """Adding a participant in the admin inline records it through the service
    (audited); a 'present' before the day is refused with the service's message."""
    client.force_login(staff_a)
    url = reverse("admin:deputies_activity_change", args=[activity.pk])
    data = {
        "title": activity.title,
        "kind": activity.kind,
        "date": activity.date.isoformat(),
        "region": activity.region_id,
        "place": "",
        "description": "",
        "attendance-TOTAL_FORMS": "1",
        "attendance-INITIAL_FORMS": "0",
        "attendance-MIN_NUM_FORMS": "0",
        "attendance-MAX_NUM_FORMS": "1000",
        "attendance-0-deputy": deputy_a.pk,
        "attendance-0-attendance": "present",
        "attendance-0-note": "",
        "attendance-0-activity": activity.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ActivityParticipant.objects.get().attendance == "present"
    assert AuditEvent.objects.filter(
        object_type="deputies.activity", detail__transition="activity_attendance_record"
    ).exists()

    future = {**data, "date": (TODAY + datetime.timedelta(days=400)).isoformat()}
    future["attendance-0-deputy"] = deputy_a.pk
    response = client.post(url, {**future, "attendance-INITIAL_FORMS": "0"})
    assert response.status_code == 200
    assert "活动尚未举行" in response.content.decode()


def test_deputy_sees_only_own_attendance(
    activity, staff_a, deputy_a, colleague_a, client
):
    """My activities: the deputy's own rows; a colleague's are not there."""
    record(
        activity,
        staff_a,
        (deputy_a, Attendance.PRESENT),
        (colleague_a, Attendance.ABSENT),
    )
    rows = list(attendance_list_for_user(user=deputy_a.user))
    assert [(r.deputy_id, r.attendance) for r in rows] == [(deputy_a.pk, "present")]
    assert deputy_a.user.has_perm("deputies.view_activity", activity)
    assert not deputy_a.user.has_perm("deputies.change_activity", activity)
    client.force_login(deputy_a.user)
    html = client.get(reverse("portal-activity-list")).content.decode()
    assert "执法检查" in html and "出席" in html


@pytest.mark.parametrize(
    ("who", "view", "change"),
    [
        ("staff_a", True, True),
        ("staff_b", False, False),
        ("leader_a", True, False),
        ("city_staff", True, True),
        ("invited_deputy", True, False),
        ("other_deputy", False, False),
    ],
)
def test_activity_rules_grid(
    request, activity, staff_a, deputy_a, deputy_b, who, view, change
):
    record(activity, staff_a, (deputy_a, Attendance.PRESENT))
    if who == "invited_deputy":
        user = deputy_a.user
    elif who == "other_deputy":
        user = deputy_b.user
    else:
        user = request.getfixturevalue(who)
    assert user.has_perm("deputies.view_activity", activity) is view
    assert user.has_perm("deputies.change_activity", activity) is change


def test_township_deputy_sees_county_activity_they_attend(
    activity, staff_a, deputy_a, township_a, client
):
    """A deputy whose scope is their township still sees the county's activity they
    were invited to (their own attendance is reached through them, not the scope)."""
    deputy_a.user.scope_region = township_a
    deputy_a.user.save()
    record(activity, staff_a, (deputy_a, Attendance.PRESENT))
    assert [r.activity_id for r in attendance_list_for_user(user=deputy_a.user)] == [
        activity.pk
    ]
    client.force_login(deputy_a.user)
    assert "执法检查" in client.get(reverse("portal-activity-list")).content.decode()
    home = client.get(reverse("portal-home"))
    assert home.context["summary"].activities_present_this_year == 1
