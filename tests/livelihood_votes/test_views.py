"""Pages of livelihood_votes: public proposal and results, the deputy's ballot and
receipt, the presiding page's turnout, the unit's monthly report."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress import voting
from congress.models import Ballot
from congress.models import Poll
from livelihood_votes import services
from livelihood_votes.models import ProgressReport
from livelihood_votes.models import ProjectProposal
from livelihood_votes.models import VotingRound
from tests.factories.congress import OrganizationFactory
from tests.factories.livelihood_votes import VotingRoundFactory
from tests.factories.livelihood_votes import deputies_with_users
from tests.factories.livelihood_votes import liaison_for
from tests.factories.livelihood_votes import published_round

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def voting_round(county_a, staff_a):
    round_ = published_round(region=county_a, staff=staff_a, candidates=3, choose=2)
    voters = deputies_with_users(5, region=county_a, term=round_.term)
    round_ = services.round_voting_open(round_=round_, user=staff_a)
    return round_, voters


def _ballot_post(poll: Poll, yes: list[str]) -> dict[str, str]:
    return {
        f"option_{o.pk}": "yes" if o.label in yes else "no" for o in poll.options.all()
    }


# --- public --------------------------------------------------------------------------


def test_public_propose_creates_proposal_and_shows_tracking_code(client, county_a):
    round_ = VotingRoundFactory(region=county_a)
    response = client.post(
        reverse("livelihood-propose", args=[round_.pk]),
        {
            "title": "村小学修建风雨操场",
            "content": "下雨天孩子们没有地方活动。",
            "phone": "13900001111",
        },
    )
    proposal = ProjectProposal.objects.get()
    assert response.status_code == 302
    assert response.url == reverse(
        "livelihood-proposal-track", args=[proposal.tracking_code]
    )
    page = client.get(response.url).content.decode()
    assert "村小学修建风雨操场" in page and "13900001111" not in page
    assert proposal.source == ProjectProposal.Source.CITIZEN


def test_public_propose_bad_phone_changes_nothing(client, county_a):
    round_ = VotingRoundFactory(region=county_a)
    response = client.post(
        reverse("livelihood-propose", args=[round_.pk]),
        {"title": "路灯", "content": "安装路灯", "phone": "12345"},
    )
    assert response.status_code == 400
    assert "请填写11位手机号码" in response.content.decode()
    assert not ProjectProposal.objects.exists()


def test_public_propose_is_rate_limited(client, county_a):
    """Like the opinion form: past the limit per address, refused and nothing stored."""
    round_ = VotingRoundFactory(region=county_a)
    url = reverse("livelihood-propose", args=[round_.pk])
    for i in range(10):
        client.post(url, {"title": f"项目{i}", "content": "内容"})
    response = client.post(url, {"title": "第十一个", "content": "内容"})
    assert response.status_code == 429
    assert "提交太频繁" in response.content.decode()
    assert ProjectProposal.objects.count() == 10


def test_public_propose_closed_round_takes_nothing(client, county_a, staff_a):
    round_ = published_round(region=county_a, staff=staff_a)
    response = client.post(
        reverse("livelihood-propose", args=[round_.pk]),
        {"title": "项目", "content": "内容"},
    )
    assert "征集已经结束" in response.content.decode()
    assert not ProjectProposal.objects.exists()


def test_public_round_shows_no_counts_until_published(client, voting_round, staff_a):
    round_, voters = voting_round
    for voter in voters:
        voting.vote_cast(
            poll=round_.poll,
            voter=voter,
            choices={o.pk: "yes" for o in round_.poll.options.all()[:2]},
        )
    url = reverse("livelihood-round", args=[round_.pk])
    page = client.get(url).content.decode()
    assert "候选项目1" in page and "赞成 5" not in page
    services.round_voting_close(round_=round_, user=staff_a)
    services.round_decide(round_=round_, user=staff_a)
    page = client.get(url).content.decode()
    assert "票决结果" in page and "赞成 5 · 反对 0 · 弃权 0" in page


def test_public_round_in_screening_is_hidden(client, county_a, staff_a):
    round_ = VotingRoundFactory(region=county_a)
    services.round_screening_start(round_=round_, user=staff_a)
    assert client.get(reverse("livelihood-round", args=[round_.pk])).status_code == 404


@pytest.mark.parametrize("size", [5, 50])
def test_public_round_detail_queries_do_not_grow(
    client, county_a, staff_a, size, django_assert_max_num_queries
):
    """round (1) + candidates (1) + projects (1), whatever the number of candidates."""
    round_ = published_round(region=county_a, staff=staff_a, candidates=size, choose=2)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("livelihood-round", args=[round_.pk]))
    assert response.status_code == 200


# --- deputy portal ------------------------------------------------------------------------


def test_deputy_votes_sees_receipt_and_checks_it(client, voting_round):
    round_, voters = voting_round
    client.force_login(voters[0])
    listing = client.get(reverse("portal-votes")).content.decode()
    assert round_.title in listing and "去投票" in listing
    url = reverse("portal-vote", args=[round_.poll.pk])
    assert "赞成票最多投 2 项" in client.get(url).content.decode()
    response = client.post(url, _ballot_post(round_.poll, ["候选项目1", "候选项目2"]))
    assert response.status_code == 200
    code = response.context["code"]
    assert code in response.content.decode()
    assert (
        response["Cache-Control"].startswith("max-age=0")
        or "no-cache" in response["Cache-Control"]
    )
    check = client.post(
        reverse("portal-vote-check", args=[round_.poll.pk]), {"code": code}
    )
    page = check.content.decode()
    assert "您的选票已计入" in page and "候选项目1:赞成" in page
    wrong = client.post(
        reverse("portal-vote-check", args=[round_.poll.pk]), {"code": "AAAA-BBBB"}
    )
    assert "没有找到" in wrong.content.decode()
    again = client.post(url, _ballot_post(round_.poll, ["候选项目3"]))
    assert "您已经投过票" in again.content.decode()
    assert Ballot.objects.filter(poll=round_.poll).count() == 1


def _ballot_post_queries(client, county, staff, candidates: int) -> int:
    round_ = published_round(region=county, staff=staff, candidates=candidates)
    voters = deputies_with_users(
        1, region=county, term=round_.term, prefix=f"q{candidates}-"
    )
    round_ = services.round_voting_open(round_=round_, user=staff)
    client.force_login(voters[0])
    yes = [c.title for c in round_.candidates.all()[:2]]
    data = _ballot_post(round_.poll, yes)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(reverse("portal-vote", args=[round_.poll.pk]), data)
    assert response.status_code == 200 and "投票成功" in response.content.decode()
    return len(ctx.captured_queries)


def test_ballot_post_queries_do_not_grow_with_candidates(
    client, county_a, staff_a, county_b, staff_b
):
    """The accepted ballot costs the same queries with 3 or 15 candidates, and no
    more than: the session, the user with their roles, the poll with its option
    ids (not the options and their candidates: nothing shows them); in vote_cast
    the advisory lock, the poll row with entitlement and option ids, one statement
    for the receipt, the ballot and its choices (and the test transaction's
    savepoint and its release); the receipt page's unread count."""
    small = _ballot_post_queries(client, county_a, staff_a, 3)
    large = _ballot_post_queries(client, county_b, staff_b, 15)
    assert small == large
    assert large <= 9


def test_ballot_with_too_many_yes_is_refused(client, voting_round):
    """The engine's refusal comes back on the whole ballot: every candidate with
    its description, the deputy's answers still marked."""
    round_, voters = voting_round
    client.force_login(voters[0])
    response = client.post(
        reverse("portal-vote", args=[round_.poll.pk]),
        _ballot_post(round_.poll, ["候选项目1", "候选项目2", "候选项目3"]),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "赞成的项数不能超过2项" in page
    for candidate in round_.candidates.all():
        assert candidate.title in page and candidate.description in page
    form = response.context["form"]
    assert (
        form[
            "option_" + str(round_.candidates.get(title="候选项目3").option_id)
        ].value()
        == "yes"
    )
    assert not Ballot.objects.exists()


def test_ballot_with_an_unknown_answer_is_shown_again_with_its_candidates(
    client, voting_round
):
    """A ballot the form refuses (an answer that is not 赞成, 反对 or 弃权) is shown
    again with the candidates' names and the error under the line; nothing is
    written."""
    round_, voters = voting_round
    client.force_login(voters[0])
    data = _ballot_post(round_.poll, ["候选项目1"])
    first = round_.candidates.get(title="候选项目1")
    data[f"option_{first.option_id}"] = "maybe"
    response = client.post(reverse("portal-vote", args=[round_.poll.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert all(c.title in page for c in round_.candidates.all())
    assert response.context["form"].errors[f"option_{first.option_id}"]
    assert not Ballot.objects.exists() and not round_.poll.receipts.exists()


def test_user_outside_the_electorate_gets_404(client, voting_round, staff_b):
    round_, _voters = voting_round
    client.force_login(staff_b)
    assert client.get(reverse("portal-vote", args=[round_.poll.pk])).status_code == 404


def test_open_poll_of_another_kind_is_not_a_portal_ballot(
    client, county_a, voting_round
):
    """A deputy who is a voter of an open poll that belongs to no round, run-off or
    project evaluation gets the same 404 on the ballot page, read or posted."""
    _round, voters = voting_round
    other = voting.poll_create(
        title="其他表决",
        region=county_a,
        kind=Poll.Kind.APPROVAL,
        user=None,
        options=["甲"],
        voters=[voters[0]],
    )
    other = voting.poll_open(poll=other, user=None)
    client.force_login(voters[0])
    url = reverse("portal-vote", args=[other.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _ballot_post(other, ["甲"])).status_code == 404
    assert not Ballot.objects.filter(poll=other).exists()


# --- presiding staff ------------------------------------------------------------------------


def test_turnout_live_shows_counts_but_no_result_while_open(
    client, voting_round, staff_a
):
    round_, voters = voting_round
    voting.vote_cast(
        poll=round_.poll,
        voter=voters[0],
        choices={o.pk: "yes" for o in round_.poll.options.all()[:1]},
    )
    client.force_login(staff_a)
    fragment = client.get(reverse("livelihood-staff-turnout", args=[round_.pk]))
    text = fragment.content.decode()
    assert "应投票 <strong>5</strong>" in text and "已投票 <strong>1</strong>" in text
    assert 'hx-trigger="every 5s"' in text
    page = client.get(
        reverse("livelihood-staff-round", args=[round_.pk])
    ).content.decode()
    assert 'id="result"' not in page


def test_staff_of_another_county_cannot_see_or_act(client, voting_round, staff_b):
    round_, _voters = voting_round
    client.force_login(staff_b)
    assert (
        client.get(reverse("livelihood-staff-round", args=[round_.pk])).status_code
        == 404
    )
    response = client.post(
        reverse("livelihood-staff-action", args=[round_.pk, "close"])
    )
    assert response.status_code == 404
    round_.poll.refresh_from_db()
    assert round_.poll.status == Poll.Status.OPEN


def test_deputy_cannot_use_the_presiding_page(client, voting_round):
    round_, voters = voting_round
    client.force_login(voters[0])
    response = client.post(
        reverse("livelihood-staff-action", args=[round_.pk, "close"])
    )
    assert response.status_code == 403


def test_staff_close_and_decide_publish_result(client, voting_round, staff_a):
    round_, voters = voting_round
    for voter in voters:
        voting.vote_cast(
            poll=round_.poll,
            voter=voter,
            choices={o.pk: "yes" for o in round_.poll.options.order_by("order")[:2]},
        )
    client.force_login(staff_a)
    client.post(reverse("livelihood-staff-action", args=[round_.pk, "close"]))
    client.post(reverse("livelihood-staff-action", args=[round_.pk, "decide"]))
    round_.refresh_from_db()
    assert round_.status == VotingRound.Status.DECIDED
    page = client.get(
        reverse("livelihood-staff-round", args=[round_.pk])
    ).content.decode()
    assert 'id="result"' in page


def test_staff_action_refused_shows_chinese_message(client, voting_round, staff_a):
    round_, _voters = voting_round
    client.force_login(staff_a)
    response = client.post(
        reverse("livelihood-staff-action", args=[round_.pk, "decide"]), follow=True
    )
    assert "投票尚未截止" in response.content.decode()


def test_paper_count_entered_then_confirmed_by_another_clerk(
    client, voting_round, staff_a
):
    from congress.roles import Role
    from tests.factories.congress import UserFactory

    round_, _voters = voting_round
    services.round_voting_close(round_=round_, user=staff_a)
    options = list(round_.poll.options.order_by("order"))
    data = {"label": "纸质选票", "ballots": 2}
    for o in options:
        data.update({f"o{o.pk}_yes": 1, f"o{o.pk}_no": 1, f"o{o.pk}_abstain": 0})
    client.force_login(staff_a)
    client.post(reverse("livelihood-staff-paper", args=[round_.pk]), data)
    clerk2 = UserFactory(
        username="clerk2", scope_region=round_.region, roles=[Role.STAFF]
    )
    client.force_login(clerk2)
    response = client.post(
        reverse("livelihood-staff-paper", args=[round_.pk]), data, follow=True
    )
    assert "复核一致" in response.content.decode()
    assert round_.poll.paper_counts.get().status == "confirmed"


# --- unit portal and public progress ----------------------------------------------------------


@pytest.fixture
def project(county_a, staff_a):
    unit = OrganizationFactory(region=county_a, name="县水利局")
    round_ = published_round(region=county_a, staff=staff_a, candidates=3, unit=unit)
    voters = deputies_with_users(3, region=county_a, term=round_.term)
    round_ = services.round_voting_open(round_=round_, user=staff_a)
    for v in voters:
        voting.vote_cast(
            poll=round_.poll,
            voter=v,
            choices={o.pk: "yes" for o in round_.poll.options.order_by("order")[:2]},
        )
    services.round_voting_close(round_=round_, user=staff_a)
    services.round_decide(round_=round_, user=staff_a)
    services.round_implementation_start(round_=round_, user=staff_a)
    return round_.projects.order_by("pk").first()


def test_unit_liaison_reports_progress(client, project):
    liaison = liaison_for(project.responsible_unit)
    client.force_login(liaison)
    listing = client.get(reverse("livelihood-portal-projects")).content.decode()
    assert project.title in listing
    today = datetime.date.today()  # noqa: DTZ011 (a month, any zone)
    response = client.post(
        reverse("livelihood-portal-report", args=[project.pk]),
        {
            "month": f"{today:%Y-%m}",
            "percent": 40,
            "funds_spent": "30.5",
            "narrative": "管网铺设完成四成。",
        },
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.percent, report.funds_spent) == (40, Decimal("30.5"))


def test_liaison_of_another_unit_cannot_report(client, project, county_a):
    other = liaison_for(OrganizationFactory(region=county_a), username="other")
    client.force_login(other)
    response = client.post(
        reverse("livelihood-portal-report", args=[project.pk]),
        {"month": "2026-01", "percent": 40, "funds_spent": "1", "narrative": "x"},
    )
    assert response.status_code == 404
    assert not ProgressReport.objects.exists()


def test_public_project_page_shows_milestones(client, project, staff_a):
    services.milestone_create(
        project=project,
        title="管网铺设完工",
        due_date=datetime.date(2026, 10, 31),
        user=staff_a,
    )
    page = client.get(reverse("livelihood-project", args=[project.pk])).content.decode()
    assert "管网铺设完工" in page and "2026-10-31" in page and "县水利局" in page


def test_public_round_page_shows_every_projects_progress(client, project):
    """The public round page lists each decided project with its percent and a
    link to its page (milestones, reports, visits)."""
    liaison = liaison_for(project.responsible_unit)
    services.progress_report_submit(
        project=project,
        month=datetime.date.today(),  # noqa: DTZ011 (a month, any zone)
        percent=35,
        funds_spent=Decimal("12"),
        narrative="完成管网铺设三成。",
        user=liaison,
    )
    projects = list(project.round.projects.order_by("pk"))
    assert len(projects) == 2
    page = client.get(reverse("livelihood-round", args=[project.round_id]))
    text = page.content.decode()
    for p in projects:
        assert p.title in text
        assert reverse("livelihood-project", args=[p.pk]) in text
    assert 'value="35"' in text and "35%" in text
    assert 'value="0"' in text, "the project without a report shows 0 %"


def test_deputy_records_supervision_visit_in_portal(client, project, county_a):
    from livelihood_votes.models import SupervisionVisit

    deputy_user = project.round.poll.voters.first().user
    client.force_login(deputy_user)
    listing = client.get(reverse("livelihood-portal-supervision")).content.decode()
    assert project.title in listing
    url = reverse("livelihood-portal-supervision-new", args=[project.pk])
    response = client.post(
        url,
        {
            "date": "2026-01-05",
            "deputies": [deputy_user.deputy.pk],
            "rating": "behind",
            "findings": "进度滞后,建议增加施工力量。",
        },
    )
    assert response.status_code == 302
    visit = SupervisionVisit.objects.get()
    assert list(visit.deputies.all()) == [deputy_user.deputy]
    page = client.get(reverse("livelihood-project", args=[project.pk])).content.decode()
    assert "建议增加施工力量" in page


def test_deputy_of_another_county_cannot_record_supervision(client, project, county_b):
    from tests.factories.congress import TermFactory

    other = deputies_with_users(
        1, region=county_b, term=TermFactory(region=county_b), prefix="b"
    )[0]
    client.force_login(other)
    url = reverse("livelihood-portal-supervision-new", args=[project.pk])
    assert client.get(url).status_code == 404


def test_staff_enters_public_survey_and_milestone(client, project, staff_a):
    client.force_login(staff_a)
    url = reverse("livelihood-staff-project", args=[project.pk])
    client.post(
        url,
        {
            "action": "survey",
            "s-satisfied": 30,
            "s-basically_satisfied": 40,
            "s-unsatisfied": 30,
        },
    )
    project.refresh_from_db()
    assert project.public_verdict == "basically_satisfied"
    client.post(
        url, {"action": "milestone", "m-title": "竣工验收", "m-due_date": "2026-12-20"}
    )
    assert project.milestones.get().title == "竣工验收"


@pytest.mark.parametrize("size", [5, 50])
def test_public_project_page_queries_do_not_grow(
    client, project, staff_a, size, django_assert_max_num_queries
):
    """project (1) + milestones (1) + reports (1) + visits (1) + their deputies (1)."""
    for i in range(size):
        services.milestone_create(
            project=project,
            title=f"节点{i}",
            due_date=datetime.date(2026, 12, 1),
            user=staff_a,
        )
    with django_assert_max_num_queries(6):
        response = client.get(reverse("livelihood-project", args=[project.pk]))
    assert response.status_code == 200


def test_staff_screening_declines_promotes_and_adds_candidate(
    client, county_a, township_a, staff_a
):
    from deputies.models import CitizenOpinion

    round_ = VotingRoundFactory(region=county_a)
    proposal = services.proposal_submit(
        round_=round_, source="citizen", title="修路", content="村道坑洼"
    )
    other = services.proposal_submit(
        round_=round_, source="citizen", title="广告", content="与民生无关"
    )
    opinion = CitizenOpinion.objects.create(
        region=township_a, content="希望建设农贸市场。", name="王大妈"
    )
    client.force_login(staff_a)
    url = reverse("livelihood-staff-screening", args=[round_.pk])
    client.post(
        url, {"action": "decline", "proposal": other.pk, "note": "不属于民生实事"}
    )
    other.refresh_from_db()
    assert other.status == ProjectProposal.Status.DECLINED
    client.post(
        url,
        {"action": "promote", "o-code": opinion.tracking_code, "o-title": "农贸市场"},
    )
    assert round_.proposals.filter(source="opinion", title="农贸市场").exists()
    services.round_screening_start(round_=round_, user=staff_a)
    unit = OrganizationFactory(region=county_a)
    client.post(
        url,
        {
            "action": "candidate",
            "c-title": "村道硬化",
            "c-description": "硬化村道5公里",
            "c-responsible_unit": unit.pk,
            "c-budget": "120",
            "c-target_date": "2026-12-31",
            "c-proposals": [proposal.pk],
        },
    )
    candidate = round_.candidates.get()
    assert list(candidate.proposals.all()) == [proposal]
    proposal.refresh_from_db()
    assert proposal.status == ProjectProposal.Status.ADOPTED


def test_staff_of_another_county_cannot_screen(client, county_a, staff_b):
    round_ = VotingRoundFactory(region=county_a)
    client.force_login(staff_b)
    url = reverse("livelihood-staff-screening", args=[round_.pk])
    assert client.get(url).status_code == 404


def test_deputy_evaluates_a_project_in_the_portal(client, project, staff_a):
    """The year-end satisfaction poll is on the deputy's phone like the ballot."""
    round_ = project.round
    services.round_evaluation_open(round_=round_, user=staff_a)
    project.refresh_from_db()
    poll = project.evaluation_poll
    voter = poll.voters.first().user
    client.force_login(voter)
    listing = client.get(reverse("portal-votes")).content.decode()
    assert poll.title in listing
    grade = poll.options.get(code="satisfied")
    response = client.post(reverse("portal-vote", args=[poll.pk]), {"grade": grade.pk})
    assert "投票成功" in response.content.decode()
    assert poll.ballots.count() == 1


def test_staff_opens_voting_for_present_deputies_only(client, county_a, staff_a):
    round_ = published_round(region=county_a, staff=staff_a, base="voting")
    voters = deputies_with_users(5, region=county_a, term=round_.term)
    client.force_login(staff_a)
    page = client.get(
        reverse("livelihood-staff-round", args=[round_.pk])
    ).content.decode()
    assert "按出席会议的代表开始投票" in page
    url = reverse("livelihood-staff-action", args=[round_.pk, "open"])
    response = client.post(url, {"present_only": "1"}, follow=True)
    assert "请勾选出席会议的代表" in response.content.decode()
    client.post(
        url, {"present_only": "1", "present": [v.deputy.pk for v in voters[:3]]}
    )
    round_.refresh_from_db()
    assert round_.status == VotingRound.Status.VOTING
    assert round_.entitled_count == 3
    assert round_.poll.voters.count() == 3


def _png_upload(name="site.png"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_progress_photos_are_checked_and_shown_publicly(
    client, project, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    liaison = liaison_for(project.responsible_unit)
    client.force_login(liaison)
    url = reverse("livelihood-portal-report", args=[project.pk])
    today = datetime.date.today()  # noqa: DTZ011 (a month, any zone)
    form = {
        "month": f"{today:%Y-%m}",
        "percent": 20,
        "funds_spent": "5",
        "narrative": "开工。",
    }
    fake = SimpleUploadedFile(
        "x.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg"
    )
    response = client.post(url, {**form, "photos": [fake]})
    assert response.status_code == 400
    assert "不是JPEG、PNG或WebP格式的照片" in response.content.decode()
    assert not ProgressReport.objects.exists()
    response = client.post(url, {**form, "photos": [_png_upload()]})
    assert response.status_code == 302
    photo = ProgressReport.objects.get().photos.get()
    assert photo.image.name.endswith(".jpg")
    client.logout()
    page = client.get(reverse("livelihood-project", args=[project.pk])).content.decode()
    photo_url = reverse("livelihood-photo", args=[photo.pk])
    assert photo_url in page
    image = client.get(photo_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("size", [5, 50])
def test_presiding_page_queries_do_not_grow(
    client, county_a, staff_a, size, django_assert_max_num_queries
):
    """session, user, groups, round, poll status reads, turnout counts, options,
    candidates, paper counts, projects, nav: fixed, whatever the candidates."""
    round_ = published_round(region=county_a, staff=staff_a, candidates=size, choose=2)
    deputies_with_users(3, region=county_a, term=round_.term)
    round_ = services.round_voting_open(round_=round_, user=staff_a)
    client.force_login(staff_a)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("livelihood-staff-round", args=[round_.pk]))
    assert response.status_code == 200
