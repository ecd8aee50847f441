"""民情民意 pages: the public form with its rate limits, the tracking page, the deputy
portal's inbox, the audited phone reveal, and a scan for full phone numbers."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress.models import AuditEvent
from deputies import opinions
from deputies.models import CitizenOpinion
from deputies.models import SensitiveWord
from deputies.opinion_views import SUBMIT_RATE_PER_ADDRESS
from deputies.opinion_views import SUBMIT_RATE_PER_PHONE
from tests.deputies.opinion_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db

FULL_PHONE = re.compile(r"1[3-9]\d{9}")
S = CitizenOpinion.Status

FORM = {
    "content": "村口到镇上的道路坑洼严重,雨天积水,希望尽快修缮。",
    "category": "transport",
    "name": "王女士",
    "phone": "13907391234",
    "phone_consent": "on",
}


def _limit(rate: str) -> int:
    return int(rate.split("/")[0])


def _form_url(station) -> str:
    return reverse("station-opinion", args=[station.public_token])


def _post(client, station, address="203.0.113.7", **data):
    return client.post(_form_url(station), {**FORM, **data}, REMOTE_ADDR=address)


# --- the public form ---------------------------------------------------------------


def test_station_page_links_to_the_opinion_form(client, station):
    html = client.get(reverse("station-public", args=[station.public_token])).content
    assert _form_url(station) in html.decode()


def test_submit_on_station_page_gives_the_tracking_code(client, station):
    """A citizen leaves an opinion and lands on its page with the code shown."""
    response = _post(client, station)
    assert response.status_code == 302, response.content.decode()[:500]
    opinion = CitizenOpinion.objects.get()
    assert opinion.station == station and opinion.phone_consent
    assert response["Location"].startswith(
        reverse("opinion-track", args=[opinion.tracking_code])
    )
    html = client.get(response["Location"]).content.decode()
    assert "提交成功" in html and opinion.tracking_code in html


def test_submit_on_deputy_page_addresses_the_deputy(client, station):
    li = station.deputies.get(name="李建国")
    response = client.post(
        reverse("deputy-opinion", args=[li.public_token]), FORM, REMOTE_ADDR="1.2.3.4"
    )
    assert response.status_code == 302
    assert CitizenOpinion.objects.get().deputy == li


def test_submit_phone_without_consent_shows_error_and_writes_nothing(client, station):
    response = _post(client, station, phone_consent="")
    assert response.status_code == 400
    assert "同意代表通过此号码联系我" in response.content.decode()
    assert not CitizenOpinion.objects.exists()


def test_rate_limit_per_address(client, station):
    """Past the limit one address gets a 429 with a Chinese message and nothing is
    written; another address still may; a forged X-Forwarded-For does not help."""
    limit = _limit(SUBMIT_RATE_PER_ADDRESS)
    for i in range(limit):
        response = _post(client, station, phone=f"1390739{i:04d}")
        assert response.status_code == 302, i
    response = client.post(
        _form_url(station),
        {**FORM, "phone": "13800000000"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert response.status_code == 429
    assert "提交太频繁了" in response.content.decode()
    assert CitizenOpinion.objects.count() == limit
    assert _post(client, station, address="203.0.113.8").status_code == 302


def test_rate_limit_per_phone(client, station):
    """One phone number past its limit is refused from any address."""
    limit = _limit(SUBMIT_RATE_PER_PHONE)
    for i in range(limit):
        assert _post(client, station, address=f"198.51.100.{i}").status_code == 302
    response = _post(client, station, address="198.51.100.200")
    assert response.status_code == 429
    assert "提交太频繁了" in response.content.decode()
    assert CitizenOpinion.objects.count() == limit
    other = _post(client, station, address="198.51.100.201", phone="13607390000")
    assert other.status_code == 302


# --- tracking ----------------------------------------------------------------------


def _track(client, opinion):
    return client.get(reverse("opinion-track", args=[opinion.tracking_code]))


def test_tracking_page_shows_status_reply_and_no_personal_data(
    client, submit, deputy_user, station
):
    """Status, reply and date; no name and no phone (not even one the citizen
    typed into the text)."""
    opinion = submit(
        deputy=station.deputies.get(name="李建国"),
        content="路灯坏了,请联系我13812349876。",
    )
    opinions.opinion_reply(
        opinion=opinion, actor=deputy_user, reply="已修好,有事打15807391111。"
    )
    html = _track(client, opinion).content.decode()
    assert "已答复" in html and "已修好" in html
    assert "王女士" not in html, "the citizen's name is shown"
    assert not FULL_PHONE.search(html), FULL_PHONE.search(html)
    assert "138****9876" in html


def test_tracking_page_shows_held_opinion_as_received(client, submit):
    """An opinion held for a sensitive word reads 已受理 to the public."""
    SensitiveWord.objects.create(word="代办证件")
    opinion = submit(content="有人张贴代办证件广告,请查处。")
    html = _track(client, opinion).content.decode()
    assert "已受理" in html and "待审核" not in html and "代办证件广告" in html


def test_tracking_lookup_redirects_and_unknown_code_is_404(client, submit):
    opinion = submit()
    url = reverse("opinion-track-lookup")
    response = client.get(url, {"code": opinion.tracking_code.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "opinion-track", args=[opinion.tracking_code]
    )
    missing = client.get(url, {"code": "ZZZZZZZZZZZZ"})
    assert missing.status_code == 404 and "查询码不存在" in missing.content.decode()


def test_rating_on_the_tracking_page_once(client, submit, deputy_user):
    """The rating form appears once replied, takes one rating, then disappears."""
    opinion = submit()
    assert "评价答复" not in _track(client, opinion).content.decode()
    opinions.opinion_reply(opinion=opinion, actor=deputy_user, reply="已修好。")
    assert "评价答复" in _track(client, opinion).content.decode()
    url = reverse("opinion-track", args=[opinion.tracking_code])
    response = client.post(url, {"satisfaction": "satisfied", "comment": "很快"})
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.satisfaction == "satisfied"
    html = client.get(response["Location"]).content.decode()
    assert "感谢您的评价" in html and "评价答复" not in html
    again = client.post(url, {"satisfaction": "unsatisfied"})
    assert again.status_code == 400


# --- the deputy portal -----------------------------------------------------------


def _inbox(client):
    return client.get(reverse("portal-opinion-list"))


def _detail(client, opinion):
    return client.get(reverse("portal-opinion-detail", args=[opinion.pk]))


def test_inbox_shows_my_opinions_not_others_nor_held_ones(
    client, submit, station, deputy_user, other_deputy_user, manager
):
    """The addressed deputy and the manager see an opinion; another deputy of the
    station does not (it is not theirs), nor anyone one held in review."""
    li = station.deputies.get(name="李建国")
    mine = submit(deputy=li, content="李代表您好,路灯坏了请帮忙。")
    SensitiveWord.objects.create(word="代办证件")
    held = submit(deputy=li, content="有人张贴代办证件广告,请查处。")
    client.force_login(deputy_user)
    html = _inbox(client).content.decode()
    assert "路灯坏了" in html and "代办证件" not in html
    assert _detail(client, held).status_code == 404
    client.force_login(other_deputy_user)
    assert "路灯坏了" not in _inbox(client).content.decode()
    assert _detail(client, mine).status_code == 404
    client.force_login(manager)
    assert "路灯坏了" in _inbox(client).content.decode()


def test_inbox_of_a_grouped_deputy_holds_what_their_station_holds(
    client, submit, station, township_a, other_deputy_user, manager
):
    """An opinion left with the station for no one in particular is in the inbox of
    every deputy grouped into it and of its manager; one left with another station
    is in none of theirs, and its page is a 404 to them."""
    from tests.factories.deputies import LiaisonStationFactory

    other_station = LiaisonStationFactory(name="另一联络站", region=township_a)
    ours = submit(content="本站:村口路灯坏了请修。")
    theirs = submit(station=other_station, content="他站:垃圾没人清运。")
    for user in (other_deputy_user, manager):
        client.force_login(user)
        html = _inbox(client).content.decode()
        assert "本站:村口路灯坏了" in html, user.username
        assert "他站:垃圾没人清运" not in html, user.username
        assert _detail(client, ours).status_code == 200
        assert _detail(client, theirs).status_code == 404


def test_inbox_status_filter(client, submit, station, deputy_user):
    li = station.deputies.get(name="李建国")
    submit(deputy=li, content="第一条:路灯坏了请修。")
    second = submit(deputy=li, content="第二条:垃圾没人清运。")
    opinions.opinion_reply(opinion=second, actor=deputy_user, reply="已清运。")
    client.force_login(deputy_user)
    html = client.get(reverse("portal-opinion-list"), {"status": "replied"}).content
    assert "第二条" in html.decode() and "第一条" not in html.decode()


def test_portal_reply_refer_raise_close_through_forms(
    client, submit, station, deputy_user, unit_a
):
    li = station.deputies.get(name="李建国")
    client.force_login(deputy_user)
    first = submit(deputy=li)
    url = reverse("portal-opinion-reply", args=[first.pk])
    assert client.post(url, {"reply": ""}).status_code == 400
    assert client.post(url, {"reply": "已协调修缮。"}).status_code == 302
    client.post(reverse("portal-opinion-close", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == S.CLOSED
    second = submit(deputy=li)
    client.post(
        reverse("portal-opinion-refer", args=[second.pk]),
        {"unit": unit_a.pk, "note": "已转交通运输局。"},
    )
    second.refresh_from_db()
    assert second.status == S.REFERRED and second.referred_to == unit_a
    third = submit(deputy=li)
    client.post(reverse("portal-opinion-raise", args=[third.pk]))
    third.refresh_from_db()
    assert third.status == S.RAISED


def test_portal_refused_transition_shows_chinese_message(
    client, submit, station, deputy_user
):
    opinion = submit(deputy=station.deputies.get(name="李建国"))
    client.force_login(deputy_user)
    response = client.post(
        reverse("portal-opinion-close", args=[opinion.pk]), follow=True
    )
    assert "不能办结" in response.content.decode()
    opinion.refresh_from_db()
    assert opinion.status == S.RECEIVED


def test_manager_assigns_station_opinion(client, submit, station, manager):
    opinion = submit()
    zhang = station.deputies.get(name="张秀兰")
    client.force_login(manager)
    assert "分派给代表" in _detail(client, opinion).content.decode()
    client.post(
        reverse("portal-opinion-assign", args=[opinion.pk]), {"deputy": zhang.pk}
    )
    opinion.refresh_from_db()
    assert opinion.status == S.ASSIGNED and opinion.deputy == zhang


def test_phone_reveal_is_audited_and_needs_consent(
    client, submit, station, deputy_user, other_deputy_user
):
    """The full number only after the click, written to the audit log; never
    without the citizen's consent; never for someone it is not addressed to."""
    li = station.deputies.get(name="李建国")
    opinion = submit(deputy=li)
    url = reverse("portal-opinion-phone", args=[opinion.pk])
    client.force_login(other_deputy_user)
    assert client.post(url).status_code == 404
    client.force_login(deputy_user)
    page = _detail(client, opinion).content.decode()
    assert "139****1234" in page and "13907391234" not in page
    assert "显示完整号码" in page
    revealed = client.post(url)
    assert "13907391234" in revealed.content.decode()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERSONAL_DATA_VIEW)
    assert event.user == deputy_user and event.object_id == str(opinion.pk)
    no_consent = submit(deputy=li, phone="")
    CitizenOpinion.objects.filter(pk=no_consent.pk).update(phone_consent=False)
    no_consent.phone = "13607390000"
    no_consent.save()
    response = client.post(
        reverse("portal-opinion-phone", args=[no_consent.pk]), follow=True
    )
    html = response.content.decode()
    assert "13607390000" not in html and "没有同意" in html
    assert (
        AuditEvent.objects.filter(kind=AuditEvent.Kind.PERSONAL_DATA_VIEW).count() == 1
    )


def test_nav_link_for_deputy_and_manager(client, deputy_user, manager, station):
    for user in (deputy_user, manager):
        client.force_login(user)
        html = client.get(reverse("notification-list")).content.decode()
        assert reverse("portal-opinion-list") in html


def test_no_public_or_portal_page_shows_a_full_phone_number(
    submit, station, deputy_user, manager, staff_a
):
    """Scan every public and portal page of opinions for 1[3-9]\\d{9}."""
    li = station.deputies.get(name="李建国")
    opinion = submit(deputy=li, content="我的电话13812340000,请联系。")
    replied = submit(deputy=li)
    opinions.opinion_reply(opinion=replied, actor=deputy_user, reply="回电13512345678")
    public = [
        reverse("station-public", args=[station.public_token]),
        reverse("deputy-public", args=[li.public_token]),
        _form_url(station),
        reverse("deputy-opinion", args=[li.public_token]),
        reverse("opinion-track-lookup"),
        reverse("opinion-track", args=[opinion.tracking_code]),
        reverse("opinion-track", args=[replied.tracking_code]),
    ]
    portal = [
        reverse("portal-opinion-list"),
        reverse("portal-opinion-detail", args=[opinion.pk]),
        reverse("portal-opinion-detail", args=[replied.pk]),
    ]
    anonymous = Client()
    pages = [(url, anonymous.get(url)) for url in public]
    for user in (deputy_user, manager):
        signed_in = Client()
        signed_in.force_login(user)
        pages += [(url, signed_in.get(url)) for url in portal]
    for url, response in pages:
        assert response.status_code == 200, (url, response.status_code)
        found = FULL_PHONE.search(response.content.decode())
        assert found is None, f"{url} shows {found.group(0)}"


def _bulk(station, deputy, n, start=0):
    CitizenOpinion.objects.bulk_create(
        CitizenOpinion(
            station=station,
            deputy=deputy,
            region=station.region,
            content=f"第{i}条意见内容",
            phone="13907391234" if i % 2 else "",
            tracking_code=f"PG{i:06d}X{station.pk}",
        )
        for i in range(start, start + n)
    )


def _inbox_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = _inbox(client)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("user", ["deputy_user", "manager"])
def test_inbox_queries_are_the_same_for_5_and_50_opinions(
    client, request, station, user, unit_a, django_assert_max_num_queries
):
    """The inbox of a deputy and of a station manager makes the same number of
    queries for 5 and 50 opinions (some referred to a unit, some replied): session
    user, roles, count, the page (station/deputy/unit joined) and the
    navigation's unread count."""
    li = station.deputies.get(name="李建国")
    client.force_login(request.getfixturevalue(user))

    def rows_add(n: int, start: int = 0) -> None:
        _bulk(station, li, n, start)
        ids = CitizenOpinion.objects.order_by("pk").values_list("pk", flat=True)
        CitizenOpinion.objects.filter(pk__in=list(ids)[::3]).update(referred_to=unit_a)

    rows_add(5)
    small, html = _inbox_queries(client)
    assert html.count('class="notification"') == 5
    rows_add(45, start=5)
    with django_assert_max_num_queries(small):
        large, html = _inbox_queries(client)
    assert html.count('class="notification"') == 20, "twenty to a page"
    assert large == small
    assert small <= 10, small


def test_tracking_lookups_are_rate_limited_per_address(client, submit):
    """Guessing codes (in the form or the address bar) is cut off per address."""
    from deputies.opinion_views import TRACK_RATE_PER_ADDRESS

    opinion = submit()
    url = reverse("opinion-track", args=["ZZZZZZZZZZZZ"])
    for _ in range(_limit(TRACK_RATE_PER_ADDRESS)):
        assert client.get(url, REMOTE_ADDR="192.0.2.9").status_code == 404
    blocked = client.get(
        reverse("opinion-track", args=[opinion.tracking_code]), REMOTE_ADDR="192.0.2.9"
    )
    assert blocked.status_code == 429 and "提交太频繁了" in blocked.content.decode()
    assert _track(client, opinion).status_code == 200  # another address
