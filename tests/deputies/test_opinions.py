"""民情民意 services: submission and screening, review, handling transitions, who may
handle, the citizen's rating, reminders and escalation, scope, and the admin."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from congress.models import AuditEvent
from congress.models import Notification
from deputies import opinions
from deputies.models import CitizenOpinion
from deputies.models import SensitiveWord
from deputies.tasks import opinion_remind
from tests.deputies.opinion_fixtures import *  # noqa: F403
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import MandateFactory

pytestmark = pytest.mark.django_db

S = CitizenOpinion.Status


def _in_state(opinion: CitizenOpinion, status: str, **extra) -> CitizenOpinion:
    """Put an opinion into a state directly (the grid below starts from each)."""
    values = {"status": status, **extra}
    if status in (S.REPLIED, S.CLOSED):
        values.setdefault("replied_at", opinion.received_at)
        values.setdefault("reply", "已答复。")
    CitizenOpinion.objects.filter(pk=opinion.pk).update(**values)
    opinion.refresh_from_db()
    return opinion


# --- submission and screening ---------------------------------------------------


def test_opinion_submit_clean_text_is_received_with_code_and_encrypted_phone(submit):
    """A clean opinion is received at once, gets a 12-character code, and its phone
    is stored encrypted with a digest."""
    opinion = submit()
    assert opinion.status == S.RECEIVED
    assert opinion.received_at is not None
    assert len(opinion.tracking_code) == 12
    assert opinion.sensitive_hits == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, phone_digest FROM deputies_citizenopinion WHERE id = %s",
            [opinion.pk],
        )
        stored, digest = cursor.fetchone()
    assert "13907391234" not in stored, "the phone is stored in clear"
    assert digest, "no digest for the phone"
    assert CitizenOpinion.objects.get(pk=opinion.pk).phone == "13907391234"


def test_opinion_submit_phone_without_consent_is_refused_and_writes_nothing(submit):
    """A phone number without the consent box is refused with a Chinese message."""
    with pytest.raises(ValidationError, match="同意代表通过此号码联系我"):
        submit(phone_consent=False)
    assert CitizenOpinion.objects.count() == 0


def test_opinion_submit_without_phone_needs_no_consent(submit):
    """The phone is optional; without one, no consent is recorded."""
    opinion = submit(phone="", phone_consent=True)
    assert opinion.phone == "" and opinion.phone_consent is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"phone": "12345"}, "11位手机号码"),
        ({"content": "路坏"}, "至少5个字"),
        ({"content": "长" * 2001}, "不能超过2000个字"),
        ({"category": "nonsense"}, "请选择意见类别"),
    ],
)
def test_opinion_submit_bad_input_is_refused(submit, kwargs, message):
    """Bad input gets its Chinese error and writes nothing."""
    with pytest.raises(ValidationError, match=message):
        submit(**kwargs)
    assert CitizenOpinion.objects.count() == 0


def test_opinion_submit_to_inactive_station_is_refused(submit, station):
    """A switched-off station takes no opinions."""
    station.is_active = False
    station.save()
    with pytest.raises(ValidationError, match="已停用"):
        submit()


def test_opinion_submit_to_deputy_goes_through_their_station(submit, station):
    """An opinion left with a deputy is handled at the deputy's station."""
    li = station.deputies.get(name="李建国")
    opinion = submit(deputy=li)
    assert opinion.deputy == li and opinion.station == station
    assert opinion.region == station.region


def test_opinion_submit_sensitive_word_goes_to_review_not_to_the_deputy(
    submit, deputy_user, manager
):
    """A hit on an active word holds the opinion in review, hidden from the deputy
    and the station, and records which words hit."""
    SensitiveWord.objects.create(word="代办证件")
    opinion = submit(content="村里有人张贴代 办证件的小广告。")  # spaces do not hide it
    assert opinion.status == S.IN_REVIEW
    assert opinion.sensitive_hits == ["代办证件"]
    assert opinion.received_at is None
    for user in (deputy_user, manager):
        assert not opinions.opinion_list_for_handler(user=user).exists()
        assert not opinions.opinion_is_addressed_to(user, opinion)


def test_sensitive_words_apply_by_region(submit, county_a, county_b, township_a):
    """A word of the opinion's county applies; another county's word and an
    inactive word do not."""
    SensitiveWord.objects.create(word="甲词", region=county_b)
    SensitiveWord.objects.create(word="乙词", is_active=False)
    assert submit(content="内容里有甲词也有乙词。").status == S.RECEIVED
    SensitiveWord.objects.create(word="丙词", region=county_a)
    assert submit(content="内容里有丙词的情况。").status == S.IN_REVIEW


# --- review -------------------------------------------------------------------


def test_review_release_receives_the_opinion_for_the_deputy(
    submit, staff_a, deputy_user
):
    """Staff release a held opinion: it is received from then and the deputy sees it."""
    SensitiveWord.objects.create(word="代办证件")
    opinion = submit(content="有人张贴代办证件广告,请查处。")
    released = opinions.opinion_review_release(opinion=opinion, actor=staff_a)
    assert released.status == S.RECEIVED and released.received_at is not None
    opinion.refresh_from_db()
    assert opinions.opinion_list_for_handler(user=deputy_user).filter(
        pk=opinion.pk
    ).exists() or opinions.opinion_is_addressed_to(deputy_user, opinion)
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.STATE_CHANGE, detail__transition="opinion.release"
    ).exists()


def test_review_reject_needs_a_reason(submit, staff_a):
    """Refusing an opinion needs a reason, which is kept for the citizen."""
    SensitiveWord.objects.create(word="代办证件")
    opinion = submit(content="有人张贴代办证件广告,请查处。")
    with pytest.raises(ValidationError, match="请填写不予受理的理由"):
        opinions.opinion_review_reject(opinion=opinion, actor=staff_a, note=" ")
    rejected = opinions.opinion_review_reject(
        opinion=opinion, actor=staff_a, note="含违法广告内容。"
    )
    assert rejected.status == S.REJECTED and rejected.review_note == "含违法广告内容。"


@pytest.mark.parametrize("who", ["manager", "deputy_user", "staff_b", "leader_a"])
def test_review_by_anyone_but_staff_of_the_county_is_refused(
    submit, request, who, staff_b, leader_a
):
    """Only committee staff over the opinion's region review; station managers,
    deputies, another county's staff and leadership (read only) are refused."""
    SensitiveWord.objects.create(word="代办证件")
    opinion = submit(content="有人张贴代办证件广告,请查处。")
    actor = request.getfixturevalue(who)
    with pytest.raises(ValidationError, match="只有本辖区人大常委会工作人员"):
        opinions.opinion_review_release(opinion=opinion, actor=actor)
    opinion.refresh_from_db()
    assert opinion.status == S.IN_REVIEW


def test_review_release_of_received_opinion_is_refused(submit, staff_a):
    """Only an opinion in review can be released."""
    with pytest.raises(ValidationError, match="不能审核通过"):
        opinions.opinion_review_release(opinion=submit(), actor=staff_a)


# --- handling transitions: the grid ----------------------------------------------

ALL_STATES = [s for s in S.values]
ALLOWED = {
    "reply": {S.RECEIVED, S.ASSIGNED, S.REFERRED},
    "refer": {S.RECEIVED, S.ASSIGNED},
    "raise": {S.RECEIVED, S.ASSIGNED},
    "close": {S.REPLIED, S.REFERRED, S.RAISED},
}
RESULT = {"reply": S.REPLIED, "refer": S.REFERRED, "raise": S.RAISED, "close": S.CLOSED}


def _run(action, opinion, actor, unit):
    if action == "reply":
        return opinions.opinion_reply(
            opinion=opinion, actor=actor, reply="已协调修缮。"
        )
    if action == "refer":
        return opinions.opinion_refer(opinion=opinion, actor=actor, unit=unit)
    if action == "raise":
        return opinions.opinion_raise(opinion=opinion, actor=actor)
    return opinions.opinion_close(opinion=opinion, actor=actor)


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("action", list(ALLOWED))
def test_handling_transition_grid(submit, station, staff_a, unit_a, action, state):
    """Each handling action is allowed from its states and refused, in Chinese and
    without change, from every other state (the actor is the county's staff; the
    deputy raising is the addressed deputy, so staff name nobody)."""
    li = station.deputies.get(name="李建国")
    opinion = _in_state(submit(deputy=li), state)
    actor = staff_a if action != "raise" else li.user
    if state in ALLOWED[action]:
        result = _run(action, opinion, actor, unit_a)
        assert result.status == RESULT[action]
    else:
        with pytest.raises(ValidationError, match="不能|无权处理"):
            _run(action, opinion, actor, unit_a)
        opinion.refresh_from_db()
        assert opinion.status == state


def test_reply_records_who_and_when(submit, station, deputy_user):
    """The addressed deputy replies; the reply, its time and author are kept."""
    opinion = submit(deputy=station.deputies.get(name="李建国"))
    replied = opinions.opinion_reply(
        opinion=opinion, actor=deputy_user, reply="已联系镇政府,本月维修。"
    )
    assert replied.status == S.REPLIED
    assert replied.replied_by == deputy_user and replied.replied_at is not None


def test_reply_empty_is_refused(submit, deputy_user, station):
    opinion = submit(deputy=station.deputies.get(name="李建国"))
    with pytest.raises(ValidationError, match="请填写答复内容"):
        opinions.opinion_reply(opinion=opinion, actor=deputy_user, reply="  ")


@pytest.mark.parametrize(
    ("who", "addressed_to", "allowed"),
    [
        ("deputy_user", "li", True),
        ("other_deputy_user", "li", False),
        ("other_deputy_user", "station", True),
        ("manager", "li", True),
        ("staff_a", "li", True),
        ("staff_b", "li", False),
        ("leader_a", "li", False),
        ("city_staff", "li", True),
    ],
)
def test_who_may_reply(submit, station, request, who, addressed_to, allowed):
    """The addressed deputy, the station's manager and staff over the region reply;
    a deputy of the same station only to an opinion left with the station for no
    one in particular; another county's staff and leadership never."""
    kwargs = (
        {"deputy": station.deputies.get(name="李建国")} if addressed_to == "li" else {}
    )
    opinion = submit(**kwargs)
    actor = request.getfixturevalue(who)
    if allowed:
        assert (
            opinions.opinion_reply(opinion=opinion, actor=actor, reply="收到。").status
            == S.REPLIED
        )
    else:
        with pytest.raises(ValidationError, match="无权处理"):
            opinions.opinion_reply(opinion=opinion, actor=actor, reply="收到。")


def test_refer_to_unit_of_another_county_is_refused(submit, deputy_user, unit_b):
    """A unit outside the opinion's county cannot take it."""
    opinion = submit()
    with pytest.raises(ValidationError, match="本县"):
        opinions.opinion_refer(opinion=opinion, actor=deputy_user, unit=unit_b)


def test_refer_keeps_unit_and_public_note(submit, deputy_user, unit_a):
    opinion = opinions.opinion_refer(
        opinion=submit(), actor=deputy_user, unit=unit_a, note="已转县交通运输局办理。"
    )
    assert opinion.status == S.REFERRED and opinion.referred_to == unit_a
    assert opinion.reply == "已转县交通运输局办理。"


def test_raise_makes_a_suggestion_draft_linked_to_the_opinion(
    submit, station, deputy_user
):
    """Raising marks the opinion and asks the suggestions app for a draft of the
    deputy that keeps the link to the opinion."""
    li = station.deputies.get(name="李建国")
    opinion = opinions.opinion_raise(opinion=submit(deputy=li), actor=deputy_user)
    assert opinion.status == S.RAISED
    from suggestions.models import Suggestion

    draft = Suggestion.objects.get(citizen_opinions=opinion)
    assert draft.lead_deputy == li


def test_assign_only_to_a_deputy_of_the_station(submit, manager, station, township_a):
    """The manager assigns a station's opinion to one of its deputies, no other."""
    opinion = submit()
    outsider = DeputyFactory(name="外站代表", region=township_a)
    MandateFactory(deputy=outsider)
    with pytest.raises(ValidationError, match="编入本联络站"):
        opinions.opinion_assign(opinion=opinion, deputy=outsider, actor=manager)
    zhang = station.deputies.get(name="张秀兰")
    assigned = opinions.opinion_assign(opinion=opinion, deputy=zhang, actor=manager)
    assert assigned.status == S.ASSIGNED and assigned.deputy == zhang


# --- the citizen's rating ---------------------------------------------------------


def test_rate_only_after_a_reply_and_only_once(submit, deputy_user):
    """Rating before a reply is refused; after it, once; a second time refused."""
    opinion = submit()
    with pytest.raises(ValidationError, match="代表答复后才能评价"):
        opinions.opinion_rate(
            tracking_code=opinion.tracking_code, satisfaction="satisfied"
        )
    opinions.opinion_reply(opinion=opinion, actor=deputy_user, reply="已修好。")
    rated = opinions.opinion_rate(
        tracking_code=opinion.tracking_code.lower(),
        satisfaction="basically_satisfied",
        comment="修得还行",
    )
    assert rated.satisfaction == "basically_satisfied" and rated.rated_at
    with pytest.raises(ValidationError, match="只能评价一次"):
        opinions.opinion_rate(
            tracking_code=opinion.tracking_code, satisfaction="unsatisfied"
        )


def test_rate_bad_choice_or_unknown_code_is_refused(submit, deputy_user):
    opinion = submit()
    opinions.opinion_reply(opinion=opinion, actor=deputy_user, reply="已修好。")
    with pytest.raises(ValidationError, match="请选择满意"):
        opinions.opinion_rate(tracking_code=opinion.tracking_code, satisfaction="x")
    with pytest.raises(ValidationError, match="查询码不存在"):
        opinions.opinion_rate(tracking_code="NOSUCHCODE22", satisfaction="satisfied")


# --- reminders and escalation ------------------------------------------------------

RECEIVED_AT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def _at(day: int):
    return time_machine.travel(
        datetime.datetime(2026, 3, day, 1, 0, tzinfo=datetime.UTC), tick=False
    )


def _reminders(kind: str):
    return Notification.objects.filter(kind=kind)


def test_reminder_after_7_days_then_escalation_after_10_each_sent_once(
    submit, station, deputy_user, manager, django_capture_on_commit_callbacks
):
    """Unanswered 7 days after it was received: the deputy is reminded; after 10:
    the station manager. The job run twice (and again the next day) sends once."""
    with time_machine.travel(RECEIVED_AT, tick=False):
        opinion = submit(deputy=station.deputies.get(name="李建国"))
    with _at(8):  # 6 days on: nothing yet
        opinion_remind()
    assert not Notification.objects.exists()
    for day in (9, 9, 10):
        with _at(day), django_capture_on_commit_callbacks(execute=True):
            opinion_remind()
    reminders = _reminders(opinions.OPINION_REMIND_KIND)
    assert [n.recipient for n in reminders] == [deputy_user]
    assert reminders.get().sent_at is not None, "the reminder was not delivered"
    assert opinion.tracking_code in reminders.get().title
    assert not _reminders(opinions.OPINION_ESCALATE_KIND).exists()
    for day in (12, 12, 13):
        with _at(day), django_capture_on_commit_callbacks(execute=True):
            opinion_remind()
    escalations = _reminders(opinions.OPINION_ESCALATE_KIND)
    assert [n.recipient for n in escalations] == [manager]
    assert _reminders(opinions.OPINION_REMIND_KIND).count() == 1


def test_reminder_skips_answered_opinions_and_goes_to_manager_without_deputy(
    submit, station, deputy_user, manager
):
    """A replied opinion reminds nobody; one left with the station for no one in
    particular reminds the manager."""
    with time_machine.travel(RECEIVED_AT, tick=False):
        answered = submit(deputy=station.deputies.get(name="李建国"))
        opinions.opinion_reply(opinion=answered, actor=deputy_user, reply="已办。")
        for_station = submit()
    with _at(9):
        run = opinions.opinion_remind_overdue(today=datetime.date(2026, 3, 9))
    assert run.reminded == 1
    notification = _reminders(opinions.OPINION_REMIND_KIND).get()
    assert notification.recipient == manager
    assert notification.object_id == for_station.pk


def test_reminder_counts_from_release_not_submission(submit, staff_a):
    """An opinion held in review counts its 7 days from its release."""
    SensitiveWord.objects.create(word="代办证件")
    with time_machine.travel(RECEIVED_AT, tick=False):
        opinion = submit(content="有人张贴代办证件广告,请查处。")
    with _at(6):
        opinions.opinion_review_release(opinion=opinion, actor=staff_a)
    run = opinions.opinion_remind_overdue(today=datetime.date(2026, 3, 10))
    assert run.reminded == 0
    run = opinions.opinion_remind_overdue(today=datetime.date(2026, 3, 13))
    assert run.reminded == 1


# --- scope ---------------------------------------------------------------------------


def test_scope_county_b_staff_see_nothing_of_county_a(submit, staff_a, staff_b):
    """visible_to: county A's opinions are county A staff's, never county B's."""
    opinion = submit()
    assert list(CitizenOpinion.objects.visible_to(staff_a)) == [opinion]
    assert not CitizenOpinion.objects.visible_to(staff_b).exists()
    assert not staff_b.has_perm("deputies.view_citizenopinion", opinion)
    assert staff_a.has_perm("deputies.view_citizenopinion", opinion)


def test_station_manager_permission_reaches_only_own_stations(
    submit, manager, township_a
):
    """A station manager's model permission does not open other stations' opinions
    of their township."""
    from tests.factories.deputies import LiaisonStationFactory

    other = LiaisonStationFactory(name="另一联络站", region=township_a)
    mine = submit()
    theirs = submit(station=other)
    assert manager.has_perm("deputies.change_citizenopinion", mine)
    assert not manager.has_perm("deputies.view_citizenopinion", theirs)


# --- admin ---------------------------------------------------------------------------


def _changelist():
    return reverse("admin:deputies_citizenopinion_changelist")


def test_admin_changelist_scoped_and_masked(client, submit, staff_a, staff_b):
    """County A staff list the opinion with a masked phone; county B staff do not
    see it, and its change page is a 404 for them."""
    opinion = submit()
    client.force_login(staff_a)
    html = client.get(_changelist()).content.decode()
    assert opinion.tracking_code in html and "139****1234" in html
    assert "13907391234" not in html
    client.force_login(staff_b)
    html = client.get(_changelist()).content.decode()
    assert opinion.tracking_code not in html
    change = reverse("admin:deputies_citizenopinion_change", args=[opinion.pk])
    assert client.get(change).status_code == 404


def test_admin_review_actions_call_the_services(client, submit, staff_a):
    """The review queue's actions release and (with a reason) reject."""
    SensitiveWord.objects.create(word="代办证件")
    first = submit(content="有人张贴代办证件广告,请查处。")
    second = submit(content="又见代办证件广告,请查处。")
    client.force_login(staff_a)
    queue = client.get(reverse("admin:deputies_citizenopinion_review"))
    assert queue.status_code == 302 and "status__exact=in_review" in queue["Location"]
    client.post(
        _changelist(), {"action": "release_opinions", "_selected_action": [first.pk]}
    )
    first.refresh_from_db()
    assert first.status == S.RECEIVED
    asked = client.post(
        _changelist(), {"action": "reject_opinions", "_selected_action": [second.pk]}
    )
    assert "不予受理的理由" in asked.content.decode()
    client.post(
        _changelist(),
        {
            "action": "reject_opinions",
            "_selected_action": [second.pk],
            "apply": "1",
            "review_note": "违法广告。",
        },
    )
    second.refresh_from_db()
    assert second.status == S.REJECTED and second.review_note == "违法广告。"


def _make_opinions(station, n: int) -> None:
    CitizenOpinion.objects.bulk_create(
        CitizenOpinion(
            station=station,
            region=station.region,
            content=f"第{i}条意见内容",
            phone="13907391234" if i % 2 else "",
            tracking_code=f"QC{i:06d}X{station.pk}",
        )
        for i in range(n)
    )


@pytest.mark.parametrize("rows", [5, 50])
def test_admin_changelist_queries_do_not_grow(
    client, station, staff_a, rows, django_assert_max_num_queries
):
    """The changelist makes the same number of queries for 5 and 50 opinions."""
    _make_opinions(station, rows)
    client.force_login(staff_a)
    with django_assert_max_num_queries(14):
        response = client.get(_changelist())
    assert response.status_code == 200


def test_sensitive_word_admin_county_staff_read_global_words(client, staff_a, county_a):
    """County staff see the words that apply everywhere but cannot change them."""
    everywhere = SensitiveWord.objects.create(word="全市词")
    mine = SensitiveWord.objects.create(word="本县词", region=county_a)
    client.force_login(staff_a)
    html = client.get(
        reverse("admin:deputies_sensitiveword_changelist")
    ).content.decode()
    assert "全市词" in html and "本县词" in html
    assert staff_a.has_perm("deputies.change_sensitiveword", mine)
    assert not staff_a.has_perm("deputies.change_sensitiveword", everywhere)
    assert staff_a.has_perm("deputies.view_sensitiveword", everywhere)


# --- demo and scale data -------------------------------------------------------------


def test_demo_builder_every_state_and_idempotent(station, unit_a):
    """The demo builder gives the demo stations opinions in every state; a second
    run adds nothing."""
    from deputies.opinion_data import opinions_demo_build

    opinions_demo_build(log=lambda m: None)
    count = CitizenOpinion.objects.count()
    assert set(CitizenOpinion.objects.values_list("status", flat=True)) == set(S.values)
    opinions_demo_build(log=lambda m: None)
    assert CitizenOpinion.objects.count() == count
    assert SensitiveWord.objects.filter(region__isnull=True).count() == 3


def test_scale_builder_set_based_and_idempotent(station):
    """The scale builder inserts the asked number once; phones decrypt; a second
    run with a larger number adds only the difference."""
    from deputies.opinion_data import opinions_scale_build

    opinions_scale_build(options={"opinions": 40}, log=lambda m: None)
    assert CitizenOpinion.objects.count() == 40
    opinions_scale_build(options={"opinions": 40}, log=lambda m: None)
    assert CitizenOpinion.objects.count() == 40
    opinions_scale_build(options={"opinions": 45}, log=lambda m: None)
    assert CitizenOpinion.objects.count() == 45
    with_phone = CitizenOpinion.objects.exclude(phone="").first()
    assert with_phone is not None and with_phone.phone.startswith("1357390")
    assert with_phone.phone_digest
    assert set(CitizenOpinion.objects.values_list("status", flat=True)) <= set(S.values)


def test_admin_period_filter_keeps_the_opinions_of_the_period(client, station, staff_a):
    """“收到日期 · 今年 / 去年” list the opinions received then, by local date."""
    _make_opinions(station, 2)
    old, new = CitizenOpinion.objects.order_by("pk")
    year = timezone.localdate().year
    last_year = datetime.datetime(year - 1, 6, 1, 9, 0, tzinfo=datetime.UTC)
    CitizenOpinion.objects.filter(pk=old.pk).update(created_at=last_year)
    client.force_login(staff_a)

    this_year = client.get(_changelist(), {"period": "this_year"}).content.decode()
    before = client.get(_changelist(), {"period": "last_year"}).content.decode()

    assert new.tracking_code in this_year and old.tracking_code not in this_year
    assert old.tracking_code in before and new.tracking_code not in before
