"""Who sees what, the portal pages, and query counts that do not grow with rows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from congress.services import roles_sync
from suggestions import selectors
from suggestions import services
from suggestions.models import Assignment
from suggestions.models import Suggestion
from suggestions.search import search_reindex
from tests.factories.congress import UserFactory
from tests.factories.suggestions import SuggestionFactory

pytestmark = pytest.mark.django_db


def _assigned_many(n, *, deputy, unit, staff):
    """``n`` suggestions assigned to ``unit`` (bulk: the flow is tested elsewhere)."""
    today = timezone.localdate()
    suggestions = Suggestion.objects.bulk_create(
        [
            Suggestion(
                title=f"关于农村道路硬化的建议{i}",
                content="建议硬化村组道路,方便群众出行。",
                lead_deputy=deputy,
                region=deputy.region.county,
                status=Suggestion.Status.ASSIGNED,
                year=today.year,
                number=100 + i,
            )
            for i in range(n)
        ]
    )
    Assignment.objects.bulk_create(
        [
            Assignment(
                suggestion=s,
                unit=unit,
                role=Assignment.Role.LEAD,
                assigned_on=today,
                assigned_by=staff,
                due_date=today + datetime.timedelta(days=10 + i),
            )
            for i, s in enumerate(suggestions)
        ]
    )
    search_reindex(suggestion_ids=[s.pk for s in suggestions])
    return suggestions


# --- visibility grid ----------------------------------------------------------


def test_unit_sees_only_its_assignments(
    client, deputy_a, unit_a, unit_a2, staff_a, liaison_a, liaison_a2
):
    [mine] = _assigned_many(1, deputy=deputy_a, unit=unit_a, staff=staff_a)
    assignment = mine.assignments.get()
    client.force_login(liaison_a2)
    response = client.get(reverse("suggestions:unit-list"))
    assert mine.title not in response.content.decode()
    detail = reverse("suggestions:unit-detail", args=[assignment.pk])
    assert client.get(detail).status_code == 404
    assert client.get(reverse("suggestions:detail", args=[mine.pk])).status_code == 404
    client.force_login(liaison_a)
    assert mine.title in client.get(reverse("suggestions:unit-list")).content.decode()
    assert client.get(detail).status_code == 200


def test_deputy_sees_own_and_cosigned_only(client, deputy_a, deputy_a2, deputy_b):
    own = SuggestionFactory(lead_deputy=deputy_a, title="李代表的建议")
    cosigned = SuggestionFactory(lead_deputy=deputy_a2, title="王代表邀请联名的建议")
    services.signer_invite(suggestion=cosigned, actor=deputy_a2.user, deputy=deputy_a)
    other = SuggestionFactory(lead_deputy=deputy_b, title="洞口代表的建议")
    client.force_login(deputy_a.user)
    page = client.get(reverse("suggestions:portal-list")).content.decode()
    assert own.title in page and cosigned.title in page
    assert other.title not in page
    assert (
        client.get(reverse("suggestions:portal-detail", args=[other.pk])).status_code
        == 404
    )
    visible = set(selectors.suggestion_visible_to(deputy_b.user))
    assert visible == {other}


def test_supervisor_sees_what_they_supervise(
    client, deputy_a, staff_a, leader_a, committee_a, advance
):
    supervised = SuggestionFactory(lead_deputy=deputy_a, title="重点建议:农村道路")
    plain = SuggestionFactory(lead_deputy=deputy_a, title="一般建议:路灯")
    advance(supervised, "registered")
    services.suggestion_set_supervision(
        suggestion=supervised,
        actor=staff_a,
        is_key=True,
        supervising_leader=leader_a,
        coordinating_committee=committee_a,
    )
    member = UserFactory(username="daibiao_gongwei", organization=committee_a)
    for user in (leader_a, member):
        assert supervised in selectors.suggestion_list_for_supervisor(user=user)
        assert plain not in selectors.suggestion_list_for_supervisor(user=user)
    client.force_login(member)
    page = client.get(reverse("suggestions:supervisor-list")).content.decode()
    assert supervised.title in page and plain.title not in page
    assert client.get(reverse("suggestions:detail", args=[plain.pk])).status_code == 404


def test_government_leader_and_following_committee_see_what_they_supervise(
    client, deputy_a, staff_a, leader_a, county_a, advance
):
    """领办 government leader and 对口督办 special committee: their own list only."""
    from congress.models import Organization
    from tests.factories.congress import OrganizationFactory

    committee = OrganizationFactory(
        name="隆回县人大常委会农业农村委员会",
        region=county_a,
        kind=Organization.Kind.SPECIAL_COMMITTEE,
    )
    governor = UserFactory(username="fu_xianzhang", scope_region=county_a)
    member = UserFactory(username="nongwei_member", organization=committee)
    led = SuggestionFactory(lead_deputy=deputy_a, title="县长领办:高标准农田管护")
    followed = SuggestionFactory(lead_deputy=deputy_a, title="农委对口督办:饮水安全")
    for suggestion, extra in (
        (led, {"government_leader": governor}),
        (followed, {"following_committee": committee}),
    ):
        advance(suggestion, "registered")
        services.suggestion_set_supervision(
            suggestion=suggestion,
            actor=staff_a,
            is_key=True,
            supervising_leader=leader_a,
            **extra,
        )
    assert list(selectors.suggestion_list_for_supervisor(user=governor)) == [led]
    assert list(selectors.suggestion_list_for_supervisor(user=member)) == [followed]
    client.force_login(governor)
    page = client.get(reverse("suggestions:supervisor-list")).content.decode()
    assert led.title in page and followed.title not in page
    assert client.get(reverse("suggestions:detail", args=[led.pk])).status_code == 200
    assert (
        client.get(reverse("suggestions:detail", args=[followed.pk])).status_code == 404
    )


def test_other_county_sees_nothing(client, deputy_a, staff_a, staff_b, unit_a):
    [suggestion] = _assigned_many(1, deputy=deputy_a, unit=unit_a, staff=staff_a)
    assert not selectors.suggestion_visible_to(staff_b).exists()
    assert selectors.suggestion_visible_to(staff_a).get() == suggestion
    client.force_login(staff_b)
    url = reverse("admin:suggestions_suggestion_change", args=[suggestion.pk])
    assert client.get(url).status_code == 404
    changelist = client.get(reverse("admin:suggestions_suggestion_changelist"))
    assert suggestion.title not in changelist.content.decode()
    step = reverse("admin:suggestions_suggestion_review", args=[suggestion.pk])
    assert client.get(step).status_code == 404


# --- pages -----------------------------------------------------------------------


def test_deputy_drafts_and_submits_through_portal(client, deputy_a):
    client.force_login(deputy_a.user)
    response = client.post(
        reverse("suggestions:portal-create"),
        {
            "title": "关于农村道路硬化的建议",
            "content": "桃洪镇多个村组道路尚未硬化,建议列入明年计划。",
            "category": "transport",
        },
    )
    suggestion = Suggestion.objects.get()
    assert response.url == reverse("suggestions:portal-detail", args=[suggestion.pk])
    client.post(reverse("suggestions:portal-action", args=[suggestion.pk, "submit"]))
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.REVIEWING


def test_unit_reply_without_contact_shows_error(client, deputy_a, advance, liaison_a):
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    assignment = advance(suggestion, "handling")
    client.force_login(liaison_a)
    response = client.post(
        reverse("suggestions:unit-action", args=[assignment.pk, "reply"]),
        {"result_class": "A", "text": "已解决", "signer": "张局长"},
        follow=True,
    )
    assert "须先与代表见面沟通" in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.HANDLING


def test_admin_review_and_assign_pages(client, deputy_a, staff_a, unit_a):
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    services.suggestion_submit(suggestion=suggestion, actor=deputy_a.user)
    client.force_login(staff_a)
    review = reverse("admin:suggestions_suggestion_review", args=[suggestion.pk])
    for _stage in range(3):
        response = client.post(review, {"decision": "pass"})
        assert response.status_code == 302
    assign = reverse("admin:suggestions_suggestion_assign", args=[suggestion.pk])
    client.post(assign, {"lead_unit": unit_a.pk})
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.ASSIGNED
    again = client.post(assign, {"lead_unit": unit_a.pk})
    assert "不能重复交办" in again.content.decode()


def test_admin_search_finds_two_character_word(client, deputy_a, staff_a, unit_a):
    _assigned_many(2, deputy=deputy_a, unit=unit_a, staff=staff_a)
    client.force_login(staff_a)
    url = reverse("admin:suggestions_suggestion_changelist")
    assert "农村道路硬化" in client.get(url, {"q": "道路"}).content.decode()
    assert "农村道路硬化" not in client.get(url, {"q": "教育"}).content.decode()


# --- query counts at two sizes --------------------------------------------------


@pytest.mark.parametrize("rows", [5, 50])
def test_unit_list_queries_do_not_grow(
    client, django_assert_max_num_queries, rows, deputy_a, unit_a, staff_a, liaison_a
):
    _assigned_many(rows, deputy=deputy_a, unit=unit_a, staff=staff_a)
    client.force_login(liaison_a)
    # session, user (+scope region), groups, the unit, count, the page, nav unread
    with django_assert_max_num_queries(9):
        response = client.get(reverse("suggestions:unit-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
def test_portal_list_queries_do_not_grow(
    client, django_assert_max_num_queries, rows, deputy_a, unit_a, staff_a
):
    _assigned_many(rows, deputy=deputy_a, unit=unit_a, staff=staff_a)
    client.force_login(deputy_a.user)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("suggestions:portal-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
def test_admin_changelist_queries_do_not_grow(
    client, django_assert_max_num_queries, rows, deputy_a, unit_a, staff_a
):
    _assigned_many(rows, deputy=deputy_a, unit=unit_a, staff=staff_a)
    client.force_login(staff_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:suggestions_suggestion_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
def test_supervisor_list_queries_do_not_grow(
    client, django_assert_max_num_queries, rows, deputy_a, unit_a, staff_a, leader_a
):
    suggestions = _assigned_many(rows, deputy=deputy_a, unit=unit_a, staff=staff_a)
    Suggestion.objects.filter(pk__in=[s.pk for s in suggestions]).update(
        is_key=True, supervising_leader=leader_a
    )
    client.force_login(leader_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("suggestions:supervisor-list"))
    assert response.status_code == 200


def test_admin_change_page_links_every_step(client, deputy_a, staff_a):
    roles_sync()  # the role groups' model permissions, as after migrate
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    client.force_login(staff_a)
    url = reverse("admin:suggestions_suggestion_change", args=[suggestion.pk])
    page = client.get(url).content.decode()
    for step in ("review", "assign", "supervision", "extend", "paper-evaluation"):
        assert f"/{step}/" in page
    assert reverse("suggestions:detail", args=[suggestion.pk]) in page
    changelist = client.get(reverse("admin:suggestions_suggestion_changelist"))
    assert 'id="import-xlsx"' in changelist.content.decode()


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [
        ("staff_a", 200),
        ("leader_a", 200),
        ("city_staff", 200),
        ("liaison_a", 403),
        ("deputy_a_user", 403),
    ],
)
def test_statistics_page_for_staff_and_leadership_only(
    client, request, user_fixture, status, deputy_a
):
    if user_fixture == "deputy_a_user":
        user = deputy_a.user
    else:
        user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    assert client.get(reverse("suggestions:statistics")).status_code == status


def test_statistics_region_outside_scope_is_404(client, staff_a, county_b):
    client.force_login(staff_a)
    response = client.get(reverse("suggestions:statistics"), {"region": county_b.code})
    assert response.status_code == 404


def test_assignment_notifies_unit_after_commit(
    deputy_a, advance, staff_a, unit_a, liaison_a, django_capture_on_commit_callbacks
):
    from congress.models import Notification

    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    advance(suggestion, "registered")
    with django_capture_on_commit_callbacks() as callbacks:
        services.suggestion_assign(
            suggestion=suggestion, actor=staff_a, lead_unit=unit_a
        )
    notification = Notification.objects.get(
        kind="suggestion_assigned", recipient=liaison_a
    )
    assert suggestion.title in notification.title
    assert callbacks, "delivery is enqueued after commit"


@pytest.mark.parametrize("action", ["submit", "confirm", "evaluate"])
def test_portal_action_by_another_deputy_changes_nothing(
    client, deputy_a, deputy_a2, action
):
    """A deputy who may see a co-signed suggestion still cannot act as its lead."""
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    services.signer_invite(suggestion=suggestion, actor=deputy_a.user, deputy=deputy_a2)
    services.signer_confirm(suggestion=suggestion, actor=deputy_a2.user)
    client.force_login(deputy_a2.user)
    response = client.post(
        reverse("suggestions:portal-action", args=[suggestion.pk, action]),
        {"result": "satisfied"},
        follow=True,
    )
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.DRAFT
    assert response.context["messages"]
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_cosigner_rates_in_portal_after_lead_closed_it(
    client, deputy_a, deputy_a2, advance
):
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    services.signer_invite(suggestion=suggestion, actor=deputy_a.user, deputy=deputy_a2)
    services.signer_confirm(suggestion=suggestion, actor=deputy_a2.user)
    advance(suggestion, "replied")
    services.evaluation_record(
        suggestion=suggestion, actor=deputy_a.user, deputy=deputy_a, result="satisfied"
    )
    detail = reverse("suggestions:portal-detail", args=[suggestion.pk])
    client.force_login(deputy_a.user)
    assert client.get(detail).context["evaluation_form"] is None
    client.force_login(deputy_a2.user)
    assert client.get(detail).context["evaluation_form"] is not None
    client.post(
        reverse("suggestions:portal-action", args=[suggestion.pk, "evaluate"]),
        {"result": "basically_satisfied"},
    )
    assert suggestion.evaluations.filter(
        deputy=deputy_a2, result="basically_satisfied"
    ).exists()
    assert client.get(detail).context["evaluation_form"] is None


def test_whole_chain_on_one_page(
    client,
    deputy_a,
    opinion_a,
    advance,
    staff_a,
    liaison_a,
    django_assert_max_num_queries,
):
    """Opinion → suggestion → reviews → assignment → handling → reply → evaluation →
    re-handling, each with who and when, in a bounded number of queries."""
    suggestion = services.suggestion_draft_from_opinion(
        opinion=opinion_a, deputy=deputy_a, actor=deputy_a.user
    )
    advance(suggestion, "closed")
    client.force_login(staff_a)
    url = reverse("suggestions:detail", args=[suggestion.pk])
    with django_assert_max_num_queries(30):
        page = client.get(url).content.decode()
    for text in (
        opinion_a.content[:20],
        "起草",
        "提交",
        "代表团审查 · 通过",
        "代表工委审查 · 通过",
        "立案",
        "隆回县交通运输局(主办)",
        "签收",
        "见面沟通",
        "不满意",
        "再次办理",
        "第2轮",
        "满意",
        "已办结",
        str(staff_a),
        str(liaison_a),
    ):
        assert text in page, text
