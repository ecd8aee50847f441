"""The voting engine: counting rules at their boundaries, one ballot per voter,
secrecy of the ballot tables, receipt codes, paper counts (congress/voting.py)."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db import models
from django.urls import reverse

from congress import voting
from congress.models import AuditEvent
from congress.models import Ballot
from congress.models import BallotChoice
from congress.models import BallotReceipt
from congress.models import PaperCount
from congress.models import Poll
from congress.models import PollOption
from congress.models import User
from congress.roles import Role
from tests.factories.congress import UserFactory
from tests.factories.congress import voters_create

pytestmark = pytest.mark.django_db


# --- helpers ---------------------------------------------------------------------


def _poll(region, voters, *, kind=Poll.Kind.CHOOSE, **kwargs) -> Poll:
    options = kwargs.pop("options", ["甲项目", "乙项目", "丙项目"])
    if kind == Poll.Kind.SATISFACTION:
        options = ()
    if kind == Poll.Kind.CHOOSE:
        kwargs.setdefault("max_choices", 1)
    poll = voting.poll_create(
        title="测试票决",
        region=region,
        kind=kind,
        user=None,
        options=options,
        voters=voters,
        **kwargs,
    )
    return voting.poll_open(poll=poll, user=None)


def _options(poll) -> list[PollOption]:
    return list(poll.options.order_by("order"))


def _by_code(poll) -> dict[str, int]:
    return {o.code: o.pk for o in poll.options.all()}


@pytest.fixture
def staff_a2(county_a):
    """A second clerk of county A."""
    return UserFactory(username="staff_a2", scope_region=county_a, roles=[Role.STAFF])


# --- the satisfaction rule (voting.satisfaction_verdict) -------------------------------


@pytest.mark.parametrize(
    ("satisfied", "basic", "base", "expected"),
    [
        # 满意 exactly half of the base is not "more than half".
        (50, 0, 100, PollOption.Code.UNSATISFIED),
        (50, 1, 100, PollOption.Code.BASICALLY_SATISFIED),
        (51, 0, 100, PollOption.Code.SATISFIED),
        # 满意 + 基本满意 exactly half: 不满意; one more: 基本满意.
        (20, 30, 100, PollOption.Code.UNSATISFIED),
        (20, 31, 100, PollOption.Code.BASICALLY_SATISFIED),
        # Odd base: 50 of 99 is more than half, 49 is not.
        (50, 0, 99, PollOption.Code.SATISFIED),
        (49, 0, 99, PollOption.Code.UNSATISFIED),
    ],
)
def test_satisfaction_verdict_at_the_half_boundary(satisfied, basic, base, expected):
    """满意 needs more than half of the base; else 基本满意 needs 满意+基本满意 more than
    half; exactly half is not enough for either."""
    verdict = voting.satisfaction_verdict(
        satisfied=satisfied, basically_satisfied=basic, base=base, quorum_met=True
    )
    assert verdict.code == expected.value, verdict.reason


def test_satisfaction_verdict_without_quorum_has_no_verdict():
    """Short of the quorum there is no verdict, and the reason says so."""
    verdict = voting.satisfaction_verdict(
        satisfied=90, basically_satisfied=0, base=100, quorum_met=False
    )
    assert verdict.code == ""
    assert "法定人数" in verdict.reason


def _satisfaction_poll_voted(county, n_voters, votes, **kwargs) -> Poll:
    """A closed satisfaction poll of ``n_voters`` where ``votes`` lists codes cast."""
    voters = voters_create(n_voters, region=county, prefix="sat")
    poll = _poll(county, voters, kind=Poll.Kind.SATISFACTION, **kwargs)
    codes = _by_code(poll)
    for voter, code in zip(voters, votes, strict=False):
        voting.vote_cast(poll=poll, voter=voter, choices=[codes[code]])
    return voting.poll_close(poll=poll, user=None)


S = PollOption.Code.SATISFIED.value
B = PollOption.Code.BASICALLY_SATISFIED.value
U = PollOption.Code.UNSATISFIED.value


def test_poll_tally_satisfaction_base_entitled_counts_absent_voters(county_a):
    """Base = all entitled: 6 满意 of 10 entitled is 满意, though only 7 voted; 5 of
    10 (exactly half) is not."""
    poll = _satisfaction_poll_voted(county_a, 10, [S] * 6 + [U])
    tally = voting.poll_tally(poll=poll)
    assert (tally.base, tally.turnout.voted) == (10, 7)
    assert tally.verdict.code == S, tally.verdict.reason


def test_poll_tally_satisfaction_exactly_half_of_entitled_is_not_satisfied(county_a):
    """5 满意 of 10 entitled (base = all entitled) is exactly half: 基本满意 only if
    满意+基本满意 is more than half, here 不满意."""
    poll = _satisfaction_poll_voted(county_a, 10, [S] * 5 + [U] * 2)
    assert voting.poll_tally(poll=poll).verdict.code == U


def test_poll_tally_satisfaction_base_voting_counts_only_ballots(county_a):
    """Base = those voting: 5 满意 of 7 ballots is more than half (of 10 it is not)."""
    poll = _satisfaction_poll_voted(
        county_a, 10, [S] * 5 + [U] * 2, base=Poll.Base.VOTING
    )
    tally = voting.poll_tally(poll=poll)
    assert tally.base == 7
    assert tally.verdict.code == S, tally.verdict.reason


def test_poll_tally_satisfaction_without_quorum_gives_no_verdict(county_a):
    """Default quorum is more than half of the electorate: 5 of 10 is short of it."""
    poll = _satisfaction_poll_voted(county_a, 10, [S] * 5, base=Poll.Base.VOTING)
    tally = voting.poll_tally(poll=poll)
    assert (tally.quorum_required, tally.quorum_met) == (6, False)
    assert tally.verdict.code == ""
    assert "法定人数" in tally.verdict.reason


def test_poll_tally_satisfaction_with_explicit_quorum(county_a):
    """A quorum set on the poll replaces the default: 5 voters meet a quorum of 5."""
    poll = _satisfaction_poll_voted(
        county_a, 10, [S] * 3 + [B] * 2, base=Poll.Base.VOTING, quorum=5
    )
    tally = voting.poll_tally(poll=poll)
    assert tally.quorum_met
    assert tally.verdict.code == S


# --- the approval rule (voting.approval_rank / approval_result) -------------------------


def test_approval_rank_exactly_half_of_base_is_not_approved():
    """Yes votes equal to half the base do not approve; one more does."""
    ranking = voting.approval_rank(yes_counts={"a": 50, "b": 51}, base=100, choose=2)
    assert ranking.approved == ["b"]
    assert ranking.chosen == ["b"]
    assert ranking.runoff == []


def test_approval_rank_most_votes_chosen_top_n():
    """Of the approved, the N with most votes are chosen."""
    ranking = voting.approval_rank(
        yes_counts={"a": 60, "b": 90, "c": 70, "d": 80}, base=100, choose=2
    )
    assert ranking.chosen == ["b", "d"]
    assert ranking.runoff == []


def test_approval_rank_tie_at_cut_off_is_flagged_for_runoff():
    """Two candidates tied for the last place: neither is chosen silently."""
    ranking = voting.approval_rank(
        yes_counts={"a": 90, "b": 70, "c": 70, "d": 60}, base=100, choose=2
    )
    assert ranking.chosen == ["a"]
    assert sorted(ranking.runoff) == ["b", "c"]
    assert ranking.seats_left == 1


def test_approval_rank_tie_above_cut_off_is_not_a_runoff():
    """A tie that is wholly inside the chosen places needs no run-off."""
    ranking = voting.approval_rank(
        yes_counts={"a": 70, "b": 70, "c": 60}, base=100, choose=2
    )
    assert sorted(ranking.chosen) == ["a", "b"]
    assert ranking.runoff == []


def test_approval_result_base_entitled_versus_present(county_a):
    """Approval by more than half of ALL entitled (10) or of those present (voting)."""
    voters = voters_create(10, region=county_a, prefix="appr")
    for base, expected_chosen in [
        (Poll.Base.ENTITLED, ["乙"]),
        (Poll.Base.VOTING, ["乙", "甲"]),
    ]:
        poll = _poll(
            county_a,
            voters,
            kind=Poll.Kind.APPROVAL,
            options=["甲", "乙", "丙"],
            base=base,
            max_choices=2,
        )
        a, b, c = _options(poll)
        # 8 vote: 甲 5 yes (not more than half of 10, more than half of 8), 乙 7 yes.
        for i, voter in enumerate(voters[:8]):
            voting.vote_cast(
                poll=poll,
                voter=voter,
                choices={
                    a.pk: "yes" if i < 5 else "no",
                    b.pk: "yes" if i < 7 else "abstain",
                    c.pk: "no",
                },
            )
        voting.poll_close(poll=poll, user=None)
        result = voting.approval_result(poll=poll, choose=2)
        labels = {o.option_id: o.label for o in result.tally.options}
        assert [labels[k] for k in result.ranking.chosen] == expected_chosen, base
        assert result.tally.option(a.pk).yes == 5
        assert result.tally.option(b.pk).abstain == 1


def test_approval_result_tie_at_cut_off_from_real_ballots(county_a):
    """Real ballots that tie for the last place produce a run-off and say so."""
    voters = voters_create(5, region=county_a, prefix="tie")
    poll = _poll(county_a, voters, kind=Poll.Kind.CHOOSE, max_choices=2)
    a, b, c = _options(poll)
    picks = [[a.pk, b.pk], [a.pk, c.pk], [a.pk, b.pk], [a.pk, c.pk], [b.pk, c.pk]]
    for voter, choice in zip(voters, picks, strict=True):
        voting.vote_cast(poll=poll, voter=voter, choices=choice)
    voting.poll_close(poll=poll, user=None)
    result = voting.approval_result(poll=poll, choose=2)
    assert result.ranking.chosen == [a.pk]
    assert sorted(result.ranking.runoff) == sorted([b.pk, c.pk])
    assert result.needs_runoff
    assert "再次投票" in result.reason


def test_approval_result_without_quorum_chooses_nothing(county_a):
    """Short of the quorum no project is chosen, and the reason says so."""
    voters = voters_create(10, region=county_a, prefix="noq")
    poll = _poll(county_a, voters, kind=Poll.Kind.CHOOSE, max_choices=1)
    a, *_ = _options(poll)
    for voter in voters[:5]:
        voting.vote_cast(poll=poll, voter=voter, choices=[a.pk])
    voting.poll_close(poll=poll, user=None)
    result = voting.approval_result(poll=poll, choose=1)
    assert result.ranking.chosen == []
    assert "法定人数" in result.reason


# --- casting ----------------------------------------------------------------------


def test_vote_cast_twice_refused_by_the_unique_receipt(county_a):
    """One ballot per voter: the second attempt is refused in Chinese and writes nothing."""
    voters = voters_create(2, region=county_a, prefix="dup")
    poll = _poll(county_a, voters)
    a, b, _c = _options(poll)
    voting.vote_cast(poll=poll, voter=voters[0], choices=[a.pk])
    with pytest.raises(ValidationError, match="您已经投过票"):
        voting.vote_cast(poll=poll, voter=voters[0], choices=[b.pk])
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert BallotReceipt.objects.filter(poll=poll).count() == 1
    assert not BallotChoice.objects.filter(option=b).exists()


def test_vote_cast_not_entitled_refused(county_a):
    """Someone outside the electorate cannot vote."""
    voters = voters_create(2, region=county_a, prefix="ent")
    outsider = UserFactory(username="outsider", scope_region=county_a)
    poll = _poll(county_a, voters)
    with pytest.raises(ValidationError, match="不在本次票决的投票人范围内"):
        voting.vote_cast(poll=poll, voter=outsider, choices=[_options(poll)[0].pk])
    assert not Ballot.objects.filter(poll=poll).exists()


def test_vote_cast_when_not_open_refused(county_a):
    """No vote before the opening or after the close."""
    voters = voters_create(1, region=county_a, prefix="win")
    poll = voting.poll_create(
        title="草稿",
        region=county_a,
        kind=Poll.Kind.CHOOSE,
        user=None,
        options=["甲", "乙"],
        voters=voters,
        max_choices=1,
    )
    option = _options(poll)[0].pk
    with pytest.raises(ValidationError, match="投票尚未开始或已经截止"):
        voting.vote_cast(poll=poll, voter=voters[0], choices=[option])
    voting.poll_open(poll=poll, user=None)
    voting.poll_close(poll=poll, user=None)
    with pytest.raises(ValidationError, match="投票尚未开始或已经截止"):
        voting.vote_cast(poll=poll, voter=voters[0], choices=[option])


@pytest.mark.parametrize(
    ("kind", "make_choices", "message"),
    [
        (Poll.Kind.CHOOSE, lambda o: [o[0].pk, o[1].pk], "最多只能选择1项"),
        (Poll.Kind.CHOOSE, lambda o: [], "请至少选择一项"),
        (Poll.Kind.CHOOSE, lambda o: [o[0].pk, o[0].pk], "不能重复选择"),
        (Poll.Kind.CHOOSE, lambda o: [999999], "不属于本次票决"),
        (Poll.Kind.APPROVAL, lambda o: [o[0].pk], "赞成、反对或弃权"),
        (Poll.Kind.APPROVAL, lambda o: {o[0].pk: "maybe"}, "赞成、反对或弃权"),
        (
            Poll.Kind.APPROVAL,
            lambda o: {o[0].pk: "yes", o[1].pk: "yes"},
            "赞成的项数不能超过1项",
        ),
        (Poll.Kind.SATISFACTION, lambda o: [o[0].pk, o[1].pk], "选择一项"),
    ],
)
def test_vote_cast_invalid_or_too_many_choices_refused(
    county_a, kind, make_choices, message
):
    """Invalid ballots are refused with a Chinese message and leave no receipt."""
    voters = voters_create(1, region=county_a, prefix="inv")
    poll = _poll(county_a, voters, kind=kind, max_choices=1)
    with pytest.raises(ValidationError, match=message):
        voting.vote_cast(
            poll=poll, voter=voters[0], choices=make_choices(_options(poll))
        )
    assert not BallotReceipt.objects.filter(poll=poll).exists()


def test_poll_open_refuses_more_choices_than_options(county_a):
    """A 'choose up to N' poll needs at least N options."""
    poll = voting.poll_create(
        title="差额",
        region=county_a,
        kind=Poll.Kind.CHOOSE,
        user=None,
        options=["甲", "乙"],
        voters=voters_create(1, region=county_a, prefix="mx"),
        max_choices=3,
    )
    with pytest.raises(ValidationError, match="不能多于候选项数"):
        voting.poll_open(poll=poll, user=None)


def test_poll_tally_while_open_refused_but_turnout_shown(county_a):
    """While the poll is open there is no partial result, only the turnout."""
    voters = voters_create(4, region=county_a, prefix="turn")
    poll = _poll(county_a, voters)
    voting.vote_cast(poll=poll, voter=voters[0], choices=[_options(poll)[0].pk])
    with pytest.raises(ValidationError, match="投票尚未截止"):
        voting.poll_tally(poll=poll)
    turnout = voting.poll_turnout(poll=poll)
    assert (turnout.entitled, turnout.voted, turnout.percent) == (4, 1, 25.0)


def test_poll_state_changes_audited_but_votes_never(county_a):
    """Opening, closing and publishing are audited; casting a secret vote is not."""
    voters = voters_create(2, region=county_a, prefix="aud")
    poll = _poll(county_a, voters)
    voting.vote_cast(poll=poll, voter=voters[0], choices=[_options(poll)[0].pk])
    voting.poll_close(poll=poll, user=None)
    voting.poll_publish(poll=poll, user=None)
    transitions = list(
        AuditEvent.objects.filter(object_type="congress.poll")
        .order_by("time", "pk")
        .values_list("detail__transition", flat=True)
    )
    assert transitions == ["create", "open", "close", "publish"]
    assert not AuditEvent.objects.filter(user=voters[0]).exists()
    assert not AuditEvent.objects.filter(object_type__startswith="congress.ballot")
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.PUBLISHED


# --- secrecy ------------------------------------------------------------------------


def _columns(model) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = %s",
            [model._meta.db_table],
        )
        return dict(cursor.fetchall())


def _foreign_tables(model) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ccu.table_name FROM information_schema.table_constraints tc "
            "JOIN information_schema.constraint_column_usage ccu "
            "ON tc.constraint_name = ccu.constraint_name "
            "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = %s",
            [model._meta.db_table],
        )
        return {row[0] for row in cursor.fetchall()}


def test_ballot_schema_has_no_link_to_a_user_or_receipt():
    """The ballot tables refer to no user and no receipt, have no time column, and
    their primary keys are random UUIDs (no sequence that follows the receipts)."""
    user_table = User._meta.db_table
    receipt_table = BallotReceipt._meta.db_table
    for model in (Ballot, BallotChoice):
        columns = _columns(model)
        assert columns["id"] == "uuid", f"{model.__name__} pk is {columns['id']}"
        assert not any(
            t in {"timestamp with time zone", "date"} for t in columns.values()
        )
        assert not {
            c for c in columns if "user" in c or "voter" in c or "receipt_id" in c
        }
        foreign = _foreign_tables(model)
        assert user_table not in foreign and receipt_table not in foreign, foreign
        for f in model._meta.get_fields():
            if f.is_relation and f.related_model is not None and f.concrete:
                assert f.related_model not in (User, BallotReceipt), f.name
        assert not any(
            isinstance(f, models.DateTimeField | models.DateField | models.AutoField)
            for f in model._meta.concrete_fields
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND column_default LIKE 'nextval%%'",
            [Ballot._meta.db_table],
        )
        assert cursor.fetchall() == []


def test_secret_ballot_rows_hold_no_voter_and_no_receipt_value(county_a):
    """After secret votes, no ballot row holds a voter id, a receipt id or any value
    stored on a receipt, and no receipt points to a ballot."""
    voters = voters_create(5, region=county_a, prefix="sec")
    poll = _poll(county_a, voters, kind=Poll.Kind.APPROVAL, max_choices=3)
    codes = []
    for voter in voters:
        codes.append(
            voting.vote_cast(
                poll=poll,
                voter=voter,
                choices={o.pk: "yes" for o in _options(poll)[:2]},
            )
        )
    receipts = list(BallotReceipt.objects.filter(poll=poll).values())
    assert all(r["ballot_id"] is None for r in receipts)
    receipt_values = {
        str(v) for r in receipts for k, v in r.items() if k not in {"poll_id"}
    }
    voter_ids = {str(v.pk) for v in voters}
    # poll_id and option_id are checked by the schema test to point to the poll and
    # its options; every other value must be unrelated to voters and receipts.
    checked_out = {"poll_id", "option_id"}
    with connection.cursor() as cursor:
        for model in (Ballot, BallotChoice):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # noqa: S608
            names = [col.name for col in cursor.description]
            for row in cursor.fetchall():
                values = {
                    str(v)
                    for n, v in zip(names, row, strict=True)
                    if n not in checked_out
                }
                assert not values & voter_ids, (model.__name__, row)
                assert not values & receipt_values, (model.__name__, row)
    # The receipt code itself is stored nowhere, only its hash on the ballot.
    for code in codes:
        plain = voting.receipt_code_normalize(code)
        for model in (Ballot, BallotReceipt):
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # noqa: S608
                assert not any(
                    plain in str(v) for row in cursor.fetchall() for v in row
                )


def test_named_poll_records_who_chose_what(county_a):
    """In a named poll the receipt points to the voter's ballot."""
    voters = voters_create(2, region=county_a, prefix="nam")
    poll = _poll(county_a, voters, secrecy=Poll.Secrecy.NAMED)
    a = _options(poll)[0]
    voting.vote_cast(poll=poll, voter=voters[0], choices=[a.pk])
    receipt = BallotReceipt.objects.get(poll=poll, voter=voters[0])
    assert isinstance(receipt.ballot_id, uuid.UUID)
    assert receipt.ballot.choices.get().option == a


def test_ballot_verify_finds_the_ballot_of_a_receipt_code(county_a):
    """The receipt code finds its ballot and choices (typed in any case, with or
    without dashes); an unknown code finds nothing."""
    voters = voters_create(2, region=county_a, prefix="rcp")
    poll = _poll(county_a, voters)
    a, b, _c = _options(poll)
    code = voting.vote_cast(poll=poll, voter=voters[0], choices=[b.pk])
    voting.vote_cast(poll=poll, voter=voters[1], choices=[a.pk])
    check = voting.ballot_verify(poll=poll, receipt_code=code.lower().replace("-", " "))
    assert check.found
    assert check.choices == [(b.label, "赞成")]
    assert not voting.ballot_verify(poll=poll, receipt_code="AAAA-BBBB-CCCC-DDDD").found


# --- paper ballots --------------------------------------------------------------------


def _paper_counts(poll, a, b):
    return {a.pk: {"yes": 6, "no": 3, "abstain": 1}, b.pk: {"yes": 2, "no": 8}}


def _approval_with_paper(county):
    voters = voters_create(20, region=county, prefix="pap")
    poll = _poll(county, voters, kind=Poll.Kind.APPROVAL, options=["甲", "乙"])
    a, b = _options(poll)
    for voter in voters[:5]:
        voting.vote_cast(poll=poll, voter=voter, choices={a.pk: "yes", b.pk: "no"})
    voting.poll_close(poll=poll, user=None)
    return poll, a, b


def test_paper_count_confirmed_by_second_clerk_is_tallied(county_a, staff_a, staff_a2):
    """Entered by one clerk and confirmed with the same counts by another, the paper
    counts add to the electronic ones."""
    poll, a, b = _approval_with_paper(county_a)
    paper = voting.paper_count_enter(
        poll=poll,
        label="纸质选票",
        ballots=10,
        counts=_paper_counts(poll, a, b),
        user=staff_a,
    )
    with pytest.raises(ValidationError, match="尚未复核一致"):
        voting.poll_tally(poll=poll)
    paper = voting.paper_count_confirm(
        paper_count=paper, ballots=10, counts=_paper_counts(poll, a, b), user=staff_a2
    )
    assert paper.status == PaperCount.Status.CONFIRMED
    assert paper.confirmed_by == staff_a2
    tally = voting.poll_tally(poll=poll)
    assert tally.turnout.voted == 15
    assert (tally.option(a.pk).yes, tally.option(a.pk).no) == (11, 3)
    assert (tally.option(b.pk).yes, tally.option(b.pk).no) == (2, 13)


def test_paper_count_confirm_by_the_same_clerk_refused(county_a, staff_a):
    """The clerk who entered the counts cannot confirm them."""
    poll, a, b = _approval_with_paper(county_a)
    paper = voting.paper_count_enter(
        poll=poll,
        label="纸质选票",
        ballots=10,
        counts=_paper_counts(poll, a, b),
        user=staff_a,
    )
    with pytest.raises(ValidationError, match="录入人不能复核自己的计票"):
        voting.paper_count_confirm(
            paper_count=paper,
            ballots=10,
            counts=_paper_counts(poll, a, b),
            user=staff_a,
        )
    assert PaperCount.objects.get(pk=paper.pk).status == PaperCount.Status.ENTERED


def test_paper_count_mismatch_flagged_and_blocks_tally_and_publish(
    county_a, staff_a, staff_a2
):
    """A second entry that differs is flagged; tally and publication are refused
    until the counts are entered again and confirmed."""
    poll, a, b = _approval_with_paper(county_a)
    paper = voting.paper_count_enter(
        poll=poll,
        label="纸质选票",
        ballots=10,
        counts=_paper_counts(poll, a, b),
        user=staff_a,
    )
    wrong = {a.pk: {"yes": 7, "no": 2, "abstain": 1}, b.pk: {"yes": 2, "no": 8}}
    paper = voting.paper_count_confirm(
        paper_count=paper, ballots=10, counts=wrong, user=staff_a2
    )
    assert paper.status == PaperCount.Status.MISMATCH
    assert "甲" in paper.mismatch
    with pytest.raises(ValidationError, match="尚未复核一致"):
        voting.poll_tally(poll=poll)
    with pytest.raises(ValidationError, match="尚未复核一致"):
        voting.poll_publish(poll=poll, user=staff_a)
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.CLOSED
    # Resolved: the first clerk recounts and enters the corrected counts, confirmed.
    paper = voting.paper_count_enter(
        poll=poll, label="纸质选票", ballots=10, counts=wrong, user=staff_a
    )
    voting.paper_count_confirm(
        paper_count=paper, ballots=10, counts=wrong, user=staff_a2
    )
    voting.poll_publish(poll=poll, user=staff_a)
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.PUBLISHED


def test_paper_count_inconsistent_totals_refused(county_a, staff_a):
    """Per-option counts that do not add up to the number of paper ballots are refused."""
    poll, a, b = _approval_with_paper(county_a)
    with pytest.raises(ValidationError, match="之和应等于纸质选票数10"):
        voting.paper_count_enter(
            poll=poll,
            label="纸质选票",
            ballots=10,
            counts={a.pk: {"yes": 6, "no": 3}, b.pk: {"yes": 2, "no": 8}},
            user=staff_a,
        )
    assert not PaperCount.objects.filter(poll=poll).exists()


# --- the admin ----------------------------------------------------------------------

MODEL_BACKEND = "congress.backends.UserBackend"


def _login(client, user):
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def test_poll_admin_changelist_scoped_with_turnout(client, county_a, county_b, staff_a):
    """County A staff see county A's polls with their turnout, not county B's; county
    B's poll page answers 404."""
    poll_a = _poll(county_a, voters_create(4, region=county_a, prefix="adma"))
    voting.vote_cast(
        poll=poll_a,
        voter=poll_a.voters.first().user,
        choices=[_options(poll_a)[0].pk],
    )
    poll_b = _poll(county_b, voters_create(2, region=county_b, prefix="admb"))
    Poll.objects.filter(pk=poll_b.pk).update(title="洞口县票决")
    _login(client, staff_a)
    response = client.get(reverse("admin:congress_poll_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "测试票决" in html
    assert "1/4(25.0%)" in html
    assert "洞口县票决" not in html
    url = reverse("admin:congress_poll_change", args=[poll_b.pk])
    assert client.get(url).status_code == 404


def test_poll_admin_actions_open_close_publish_through_services(
    client, county_a, staff_a
):
    """The admin actions call the services; a refused transition shows its message."""
    poll = voting.poll_create(
        title="年度民生实事满意度测评",
        region=county_a,
        kind=Poll.Kind.SATISFACTION,
        user=staff_a,
        voters=voters_create(3, region=county_a, prefix="act"),
    )
    _login(client, staff_a)
    url = reverse("admin:congress_poll_changelist")
    for action, status in [
        ("open_polls", Poll.Status.OPEN),
        ("close_polls", Poll.Status.CLOSED),
        ("publish_polls", Poll.Status.PUBLISHED),
    ]:
        response = client.post(
            url, {"action": action, "_selected_action": [poll.pk]}, follow=True
        )
        assert response.status_code == 200
        assert Poll.objects.get(pk=poll.pk).status == status, action
    response = client.post(
        url, {"action": "open_polls", "_selected_action": [poll.pk]}, follow=True
    )
    assert "不能进行此操作" in response.content.decode()
    assert AuditEvent.objects.filter(
        user=staff_a, detail__transition="publish"
    ).exists()


def test_paper_count_admin_entry_and_confirmation_by_two_clerks(
    client, county_a, staff_a, staff_a2
):
    """Clerk one enters the counts in the admin; clerk one cannot confirm them; clerk
    two, entering the same counts without seeing them, confirms."""
    poll, a, b = _approval_with_paper(county_a)
    data = {
        "poll": poll.pk,
        "label": "纸质选票",
        "ballots": 10,
        f"option_{a.pk}_yes": 6,
        f"option_{a.pk}_no": 3,
        f"option_{a.pk}_abstain": 1,
        f"option_{b.pk}_yes": 2,
        f"option_{b.pk}_no": 8,
        f"option_{b.pk}_abstain": 0,
    }
    add_url = reverse("admin:congress_papercount_add") + f"?poll={poll.pk}"
    _login(client, staff_a)
    assert f"option_{a.pk}_abstain" in client.get(add_url).content.decode()
    response = client.post(add_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    paper = PaperCount.objects.get(poll=poll)
    assert (paper.status, paper.entered_by) == (PaperCount.Status.ENTERED, staff_a)
    change_url = reverse("admin:congress_papercount_change", args=[paper.pk])
    confirm = {k: v for k, v in data.items() if k not in {"poll", "label"}}
    response = client.post(change_url, confirm)
    assert "录入人不能复核自己的计票" in response.content.decode()
    client.logout()
    _login(client, staff_a2)
    page = client.get(change_url).content.decode()
    assert 'name="ballots" value="10"' not in page, "first entry must stay hidden"
    response = client.post(change_url, confirm)
    assert response.status_code == 302, response.content.decode()[:2000]
    paper.refresh_from_db()
    assert (paper.status, paper.confirmed_by) == (PaperCount.Status.CONFIRMED, staff_a2)
    page = client.get(change_url)
    assert page.status_code == 200
    assert "已确认" in page.content.decode()
    changelist = client.get(reverse("admin:congress_papercount_changelist"))
    assert "纸质选票" in changelist.content.decode()


def _xmins(model, poll) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT xmin::text FROM {model._meta.db_table} WHERE poll_id = %s",  # noqa: S608
            [poll.pk],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_poll_close_rewrites_secret_ballots_so_transaction_ids_do_not_link(county_a):
    """While open, a ballot's PostgreSQL transaction id (xmin) lies next to its
    receipt's; the close rewrites the ballots so that all carry the closing
    transaction's id, and the receipt codes and counts survive."""
    voters = voters_create(6, region=county_a, prefix="xmin")
    poll = _poll(county_a, voters, kind=Poll.Kind.CHOOSE, max_choices=1)
    a, b, _c = _options(poll)
    codes = [
        voting.vote_cast(poll=poll, voter=v, choices=[a.pk if i < 4 else b.pk])
        for i, v in enumerate(voters)
    ]
    # The leak the close removes: the receipt, written in a savepoint, has the next
    # transaction id after its ballot's, so each ballot sits next to its receipt.
    receipt_xmins = [int(x) for x in _xmins(BallotReceipt, poll)]
    for ballot_xmin in map(int, _xmins(Ballot, poll)):
        assert any(abs(r - ballot_xmin) <= 2 for r in receipt_xmins), ballot_xmin
    old_ids = set(Ballot.objects.filter(poll=poll).values_list("pk", flat=True))
    voting.poll_close(poll=poll, user=None)
    after = _xmins(Ballot, poll)
    assert len(after) == 6 and len(set(after)) == 1
    assert not set(after) & set(_xmins(BallotReceipt, poll))
    assert not old_ids & set(
        Ballot.objects.filter(poll=poll).values_list("pk", flat=True)
    )
    assert voting.ballot_verify(poll=poll, receipt_code=codes[5]).choices == [
        (b.label, "赞成")
    ]
    tally = voting.poll_tally(poll=poll)
    assert (tally.option(a.pk).yes, tally.option(b.pk).yes) == (4, 2)


@pytest.mark.parametrize("n_options", [2, 20])
def test_vote_cast_query_count_does_not_grow_with_options(
    county_a, django_assert_num_queries, n_options
):
    """A secret approval ballot costs the same queries with 2 or 20 candidates."""
    voters = voters_create(1, region=county_a, prefix="qc")
    poll = _poll(
        county_a,
        voters,
        kind=Poll.Kind.APPROVAL,
        options=[f"候选{i}" for i in range(n_options)],
    )
    choices = {o.pk: "yes" for o in _options(poll)}
    # SAVEPOINT (vote_cast's atomic inside the test transaction), the poll's
    # advisory lock (shared), SELECT … FOR SHARE poll with the voter's entitlement
    # and the option ids, one INSERT of receipt, ballot and choices, RELEASE.
    with django_assert_num_queries(5):
        voting.vote_cast(poll=poll, voter=voters[0], choices=choices)
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == n_options


def test_poll_admin_add_satisfaction_poll_gets_three_grades(client, county_a, staff_a):
    """Adding a satisfaction poll in the admin gives it 满意, 基本满意, 不满意."""
    _login(client, staff_a)
    management = {
        f"{prefix}-{key}": value
        for prefix in ("options", "voters")
        for key, value in {
            "TOTAL_FORMS": 0,
            "INITIAL_FORMS": 0,
            "MIN_NUM_FORMS": 0,
            "MAX_NUM_FORMS": 1000,
        }.items()
    }
    response = client.post(
        reverse("admin:congress_poll_add"),
        {
            "title": "专项工作报告满意度测评",
            "region": county_a.pk,
            "kind": Poll.Kind.SATISFACTION,
            "secrecy": Poll.Secrecy.SECRET,
            "base": Poll.Base.ENTITLED,
            "electorate_label": "常委会组成人员",
            **management,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    poll = Poll.objects.get(title="专项工作报告满意度测评")
    assert list(poll.options.order_by("order").values_list("label", flat=True)) == [
        "满意",
        "基本满意",
        "不满意",
    ]
