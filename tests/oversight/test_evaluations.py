"""Evaluations: the democratic evaluation (民主测评) of a case review's unit, and
opening evaluations from the admin with their audience, electorate, base and quorum."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from congress import voting
from congress.models import Poll
from congress.models import PollOption
from congress.roles import Role
from oversight import services
from oversight.models import DeliberationOpinion
from oversight.models import Method
from oversight.models import OversightItem
from oversight.models import PublicEvaluation
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.oversight import OversightItemFactory

pytestmark = pytest.mark.django_db

S, B, U = "satisfied", "basically_satisfied", "unsatisfied"


@pytest.fixture
def court(county_a):
    return OrganizationFactory(name="隆回县人民法院", region=county_a)


@pytest.fixture
def procuratorate(county_a):
    return OrganizationFactory(name="隆回县人民检察院", region=county_a)


@pytest.fixture
def case_review(county_a, court, procuratorate):
    item = OversightItemFactory(
        region=county_a, title="2027年两官评议", method=Method.CASE_REVIEW
    )
    item.responsible_units.set([court, procuratorate])
    return item


@pytest.fixture
def members(county_a):
    return [UserFactory(username=f"member{n}", scope_region=county_a) for n in range(4)]


def _vote(poll, voters, codes):
    options = {o.code: o.pk for o in poll.options.all()}
    for voter, code in zip(voters, codes, strict=False):
        voting.vote_cast(poll=poll, voter=voter, choices=[options[code]])


def test_unit_evaluation_of_a_case_review_follows_the_satisfaction_rule(
    client, case_review, court, county_a, staff_a, members
):
    """The poll names the unit; the verdict is the platform's single rule; it is
    shown on the item's public result page once published."""
    evaluation = services.unit_evaluation_open(
        item=case_review,
        unit=court,
        audience=PublicEvaluation.Audience.MEMBERS,
        voters=members,
        user=staff_a,
    )
    poll = evaluation.poll
    assert "隆回县人民法院" in poll.title and poll.kind == Poll.Kind.SATISFACTION
    assert set(poll.voters.values_list("user_id", flat=True)) == {m.pk for m in members}
    assert poll.electorate_label == "常委会组成人员"
    case_review.refresh_from_db()
    assert case_review.status == OversightItem.Status.IN_PROGRESS
    # The deputy's portal lists it among the open evaluations of a voter.
    assert list(services.evaluation_list_open_for_voter(user=members[0])) == [poll]
    # 2 满意 of 4 entitled is exactly half: not 满意; 2 + 1 = 3 of 4 is 基本满意.
    _vote(poll, members, [S, S, B, U])
    evaluation = services.evaluation_conclude(evaluation=evaluation, user=staff_a)
    assert evaluation.verdict == PollOption.Code.BASICALLY_SATISFIED
    assert evaluation.verdict_label == "基本满意"
    assert evaluation.opinion is None
    with pytest.raises(ValidationError, match="已经确定"):
        services.evaluation_conclude(evaluation=evaluation, user=staff_a)
    with pytest.raises(ValidationError, match="已经对隆回县人民法院进行过民主测评"):
        services.unit_evaluation_open(
            item=case_review,
            unit=court,
            audience=PublicEvaluation.Audience.MEMBERS,
            voters=members,
            user=staff_a,
        )

    url = reverse("oversight-result", args=[case_review.pk])
    services.item_publish(item=case_review, user=staff_a, summary="评查结果良好。")
    page = client.get(url).content.decode()
    assert 'id="unit-evaluations"' in page
    assert "隆回县人民法院" in page and "基本满意" in page
    # The procuratorate's evaluation was never opened; a completed item takes none.
    assert "隆回县人民检察院" not in page.split('id="unit-evaluations"')[1]
    with pytest.raises(ValidationError, match="已经完成"):
        services.unit_evaluation_open(
            item=case_review,
            unit=case_review.responsible_units.exclude(pk=court.pk).get(),
            audience=PublicEvaluation.Audience.MEMBERS,
            voters=members,
            user=staff_a,
        )


def test_unit_evaluation_only_for_case_reviews_and_their_units(
    county_a, case_review, staff_a, members
):
    work_report = OversightItemFactory(region=county_a, method=Method.WORK_REPORT)
    unit = case_review.responsible_units.first()
    work_report.responsible_units.add(unit)
    with pytest.raises(ValidationError, match="只有案件评查"):
        services.unit_evaluation_open(
            item=work_report,
            unit=unit,
            audience="members",
            voters=members,
            user=staff_a,
        )
    stranger = OrganizationFactory(name="隆回县公安局", region=county_a)
    with pytest.raises(ValidationError, match="不是本事项的被监督单位"):
        services.unit_evaluation_open(
            item=case_review,
            unit=stranger,
            audience="members",
            voters=members,
            user=staff_a,
        )
    assert not PublicEvaluation.objects.exists()
    assert not Poll.objects.exists()


def test_unit_evaluation_short_of_quorum_has_no_verdict(
    case_review, court, staff_a, members
):
    evaluation = services.unit_evaluation_open(
        item=case_review,
        unit=court,
        audience="members",
        voters=members,
        user=staff_a,
        base=Poll.Base.VOTING,
        quorum=3,
    )
    _vote(evaluation.poll, members, [S, S])
    evaluation = services.evaluation_conclude(evaluation=evaluation, user=staff_a)
    assert evaluation.verdict == "" and evaluation.verdict_label == "无结论"
    assert "法定人数" in evaluation.verdict_reason


# --- the admin ------------------------------------------------------------------


@pytest.fixture
def rectified_opinion(county_a, staff_a):
    """An opinion whose only problem is rectified: ready for its evaluation."""
    item = OversightItemFactory(region=county_a)
    deputy_user = UserFactory(
        username="item_deputy", scope_region=county_a, roles=[Role.DEPUTY]
    )
    item.deputies.add(DeputyFactory(region=county_a, user=deputy_user))
    opinion = services.opinion_issue(
        item=item,
        text="加快管网建设",
        issued_on=datetime.date(2027, 3, 1),
        report_due=datetime.date(2027, 5, 1),
        user=staff_a,
    )
    problem = services.problem_add(
        opinion=opinion, description="管网老化", user=staff_a
    )
    measure = services.countermeasure_add(
        problem=problem,
        unit=OrganizationFactory(region=county_a),
        measure="改造管网",
        deadline=datetime.date(2027, 4, 30),
        user=staff_a,
    )
    services.rectification_report(
        countermeasure=measure, done="已改造", completed=True, user=staff_a
    )
    return opinion


def _post_action(client, url, action, pk, **fields):
    data = {"action": action, "_selected_action": [pk], "index": 0, **fields}
    return client.post(url, data)


OPINIONS = "admin:oversight_deliberationopinion_changelist"


def test_admin_asks_for_the_evaluation_settings_before_opening(
    client, staff_a, rectified_opinion, members
):
    client.force_login(staff_a)
    url = reverse(OPINIONS)
    page = _post_action(client, url, "open_evaluation", rectified_opinion.pk)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="evaluation-open"' in html
    assert 'name="audience"' in html and 'name="quorum"' in html
    assert f'value="{members[0].pk}"' in html  # the county's accounts are offered
    assert not PublicEvaluation.objects.exists()


@pytest.mark.parametrize(
    ("audience", "base", "quorum"),
    [
        ("members", Poll.Base.VOTING, 2),
        ("public", Poll.Base.ENTITLED, None),
    ],
)
def test_admin_opens_members_or_public_evaluation_with_base_and_quorum(
    client, staff_a, rectified_opinion, members, audience, base, quorum
):
    client.force_login(staff_a)
    response = _post_action(
        client,
        reverse(OPINIONS),
        "open_evaluation",
        rectified_opinion.pk,
        apply="1",
        audience=audience,
        voters=[m.pk for m in members[:3]],
        base=base,
        quorum="" if quorum is None else quorum,
    )
    assert response.status_code == 302
    evaluation = PublicEvaluation.objects.get(opinion=rectified_opinion)
    assert evaluation.audience == audience
    assert evaluation.item == rectified_opinion.item
    poll = evaluation.poll
    assert poll.status == Poll.Status.OPEN
    assert poll.base == base and poll.quorum == quorum
    assert poll.electorate_label == PublicEvaluation.Audience(audience).label
    assert set(poll.voters.values_list("user_id", flat=True)) == {
        m.pk for m in members[:3]
    }
    rectified_opinion.refresh_from_db()
    assert rectified_opinion.status == DeliberationOpinion.Status.EVALUATING


def test_admin_deputies_evaluation_defaults_to_the_items_deputies(
    client, staff_a, rectified_opinion
):
    client.force_login(staff_a)
    _post_action(
        client,
        reverse(OPINIONS),
        "open_evaluation",
        rectified_opinion.pk,
        apply="1",
        audience="deputies",
        base=Poll.Base.ENTITLED,
        quorum="",
    )
    poll = PublicEvaluation.objects.get(opinion=rectified_opinion).poll
    assert list(poll.voters.values_list("user__username", flat=True)) == ["item_deputy"]
    assert poll.base == Poll.Base.ENTITLED and poll.quorum is None


def test_admin_refuses_members_evaluation_without_voters(
    client, staff_a, rectified_opinion
):
    client.force_login(staff_a)
    page = _post_action(
        client,
        reverse(OPINIONS),
        "open_evaluation",
        rectified_opinion.pk,
        apply="1",
        audience="public",
        base=Poll.Base.ENTITLED,
    )
    assert page.status_code == 200
    assert "请选择参加测评的人员" in page.content.decode()
    assert not PublicEvaluation.objects.exists()
    rectified_opinion.refresh_from_db()
    assert rectified_opinion.status == DeliberationOpinion.Status.ISSUED


def test_admin_opens_the_democratic_evaluation_of_each_unit(
    client, staff_a, case_review, members
):
    client.force_login(staff_a)
    response = _post_action(
        client,
        reverse("admin:oversight_oversightitem_changelist"),
        "open_unit_evaluation",
        case_review.pk,
        apply="1",
        audience="members",
        voters=[m.pk for m in members],
        base=Poll.Base.VOTING,
        quorum=3,
    )
    assert response.status_code == 302
    evaluations = PublicEvaluation.objects.filter(item=case_review).order_by("pk")
    assert [e.unit.name for e in evaluations] == ["隆回县人民法院", "隆回县人民检察院"]
    for evaluation in evaluations:
        assert evaluation.opinion is None and evaluation.audience == "members"
        assert evaluation.poll.base == Poll.Base.VOTING
        assert evaluation.poll.quorum == 3
        assert evaluation.unit.name in evaluation.poll.title
        assert evaluation.poll.voters.count() == 4
    # Opening again is refused for the item as a whole; nothing more is created.
    _post_action(
        client,
        reverse("admin:oversight_oversightitem_changelist"),
        "open_unit_evaluation",
        case_review.pk,
        apply="1",
        audience="members",
        voters=[m.pk for m in members],
        base=Poll.Base.VOTING,
    )
    assert PublicEvaluation.objects.filter(item=case_review).count() == 2
    # 评价清单 lists them with their unit, where staff conclude them.
    listing = client.get(reverse("admin:oversight_publicevaluation_changelist"))
    assert "隆回县人民检察院" in listing.content.decode()


# --- 评+述: the official's review opens its evaluation with the same settings -----


@pytest.fixture
def official(county_a):
    from oversight.models import AppointedOfficial

    return AppointedOfficial.objects.create(
        region=county_a,
        name="肖某",
        position="局长",
        organization=OrganizationFactory(name="隆回县水利局", region=county_a),
    )


REVIEW_ADD = "admin:oversight_officialreview_add"


def _review_post(client, official, **fields):
    data = {
        "official": official.pk,
        "year": 2027,
        "report": "一年来履职情况……",
        "audience": "members",
        "base": Poll.Base.ENTITLED,
        "quorum": "",
        **fields,
    }
    return client.post(reverse(REVIEW_ADD), data)


def test_review_add_page_asks_for_the_evaluation_settings(client, staff_a, members):
    client.force_login(staff_a)
    html = client.get(reverse(REVIEW_ADD)).content.decode()
    for name in ("audience", "voters", "base", "quorum", "report"):
        assert f'name="{name}"' in html, name
    assert f'value="{members[0].pk}"' in html  # the county's accounts are offered


def test_admin_opens_an_official_review_with_the_chosen_settings(
    client, staff_a, official, members
):
    from oversight.models import OfficialReview

    client.force_login(staff_a)
    response = _review_post(
        client,
        official,
        voters=[m.pk for m in members[:3]],
        base=Poll.Base.VOTING,
        quorum=2,
    )
    assert response.status_code == 302
    review = OfficialReview.objects.get()
    assert review.official == official and review.year == 2027
    poll = review.poll
    assert poll.status == Poll.Status.OPEN and poll.kind == Poll.Kind.SATISFACTION
    assert poll.base == Poll.Base.VOTING and poll.quorum == 2
    assert poll.electorate_label == "常委会组成人员"
    assert set(poll.voters.values_list("user_id", flat=True)) == {
        m.pk for m in members[:3]
    }
    # Counted by the one rule on the chosen base: 2 满意 of 2 voting is 满意 …
    _vote(poll, members[:2], [S, S])
    review = services.official_review_conclude(review=review, user=staff_a)
    assert review.verdict == S


def test_admin_official_review_by_the_items_deputies(
    client, staff_a, official, rectified_opinion
):
    from oversight.models import OfficialReview

    client.force_login(staff_a)
    item = rectified_opinion.item
    response = _review_post(client, official, audience="deputies", item=item.pk)
    assert response.status_code == 302
    poll = OfficialReview.objects.get().poll
    assert list(poll.voters.values_list("user__username", flat=True)) == ["item_deputy"]
    assert poll.electorate_label == "人大代表"
    assert poll.base == Poll.Base.ENTITLED and poll.quorum is None


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"quorum": 4}, "法定人数(4人)不能多于应投票人数(3人)"),
        ({"quorum": 0}, 'form-row errors field-quorum"'),
        ({"base": "half"}, 'form-row errors field-base"'),
        ({"voters": []}, "请选择参加测评的人员"),
        ({"audience": "deputies", "voters": []}, "人大代表测评时请选择监督事项"),
        ({"report": "  "}, "请填写述职报告"),
    ],
)
def test_admin_refuses_bad_review_settings_and_opens_nothing(
    client, staff_a, official, members, fields, error
):
    from oversight.models import OfficialReview

    client.force_login(staff_a)
    fields = {"voters": [m.pk for m in members[:3]], **fields}
    page = _review_post(client, official, **fields)
    assert page.status_code == 200
    assert error in page.content.decode()
    assert not OfficialReview.objects.exists()
    assert not Poll.objects.exists()


def test_official_review_service_refuses_bad_settings_and_changes_nothing(
    staff_a, official, members
):
    from oversight.models import OfficialReview

    def open_review(**settings):
        return services.official_review_open(
            official=official,
            year=2027,
            report="述职报告",
            user=staff_a,
            **{"voters": members, "audience": "members", **settings},
        )

    for settings, message in [
        ({"base": "half"}, "过半数的基数只能是全体应投票人或实际投票人"),
        ({"quorum": 0}, "法定人数至少为1人"),
        ({"quorum": 5}, r"法定人数(5人)不能多于应投票人数(4人)"),
        ({"voters": []}, "没有应投票人"),
        ({"audience": "everyone"}, "测评人员只能是"),
    ]:
        with pytest.raises(ValidationError) as refused:
            open_review(**settings)
        assert message in refused.value.messages[0], settings
    assert not OfficialReview.objects.exists()
    assert not Poll.objects.exists()
    review = open_review(quorum=4, base=Poll.Base.VOTING)
    assert review.poll.quorum == 4 and review.poll.voters.count() == 4
    with pytest.raises(ValidationError, match="已经存在"):
        open_review()
    assert Poll.objects.count() == 1
