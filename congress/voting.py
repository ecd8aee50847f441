"""The voting engine (票决 and 满意度测评) that oversight and livelihood_votes stand on.

Every write of a poll goes through the services here.

Secrecy. In a secret poll ``vote_cast`` writes, in one transaction, a
``BallotReceipt`` (THAT the voter voted) and a ``Ballot`` with its ``BallotChoice``
rows (WHAT was chosen). Nothing links the two: the ballot tables have no column
naming a user or a receipt, no timestamp, and random UUID primary keys (a sequence
would number ballots in the order the receipts are written). The receipt code given
to the voter is stored only as its SHA-256 hash, and only on the ballot, so the voter
can find their ballot with it and nobody can find the voter from the ballot. Votes
are never written to the audit log. In a named poll the receipt points to the ballot.
What the schema cannot hide, PostgreSQL's own bookkeeping could: a ballot and its
receipt share the writing transaction's id (``xmin``) and the physical order of
insertion. ``poll_close`` therefore rewrites a secret poll's ballots in random order
with new ids, in the closing transaction. While the poll is open, read access to the
ballot and receipt tables must stay with the database administrator.

Serialisation. ``vote_cast`` takes the poll shared (its advisory lock shared and its
row ``FOR SHARE``); ``poll_close``, ``poll_publish`` and every other change take it
exclusively (the advisory lock and ``FOR UPDATE``), each before checking the status.
Votes do not wait for each other; a close waits for the votes in progress, votes
arriving meanwhile queue behind it and then see the poll closed: a vote either
commits before the close or is refused, no ballot is accepted after the close. One
ballot per voter is enforced by the unique constraint on (poll, voter) of the
receipts.

Results. Nobody sees a partial result while a poll is open (``poll_tally`` refuses);
staff follow the turnout (``poll_turnout``). Paper ballots are entered as per-option
counts by one clerk and confirmed by a second who enters them independently; until
every paper count is confirmed nothing is tallied or published.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import uuid
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import connection
from django.db import transaction
from django.db.models import Count
from django.db.models import Exists
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from congress import audit
from congress import db
from congress.models import Ballot
from congress.models import BallotChoice
from congress.models import BallotReceipt
from congress.models import PaperCount
from congress.models import Poll
from congress.models import PollOption
from congress.models import PollVoter
from congress.models import Region
from congress.models import User

Answer = BallotChoice.Answer
ANSWERS = (Answer.YES.value, Answer.NO.value, Answer.ABSTAIN.value)

# Receipt codes: 16 characters from an alphabet without look-alikes (0/O, 1/I/L),
# 80 random bits, shown in groups of four (ABCD-EFGH-JKMN-PQRS).
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 16

SATISFACTION_OPTIONS = (
    (PollOption.Code.SATISFIED, 1),
    (PollOption.Code.BASICALLY_SATISFIED, 2),
    (PollOption.Code.UNSATISFIED, 3),
)


# --- receipt codes -------------------------------------------------------------------


def receipt_code_new() -> str:
    """Return a new random receipt code for a voter to keep."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def receipt_code_normalize(code: str) -> str:
    """Upper-case the code and drop spaces and dashes (as a voter may type it)."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def receipt_hash(code: str) -> str:
    """The SHA-256 of a normalised receipt code: the only form that is stored."""
    return hashlib.sha256(receipt_code_normalize(code).encode()).hexdigest()


# --- the counting rules (pure functions, tested at their boundaries) ----------------


def more_than_half(votes: int, base: int) -> bool:
    """过半数: strictly more than half of the base (exactly half is not enough)."""
    return base > 0 and 2 * votes > base


@dataclass(frozen=True)
class SatisfactionVerdict:
    """The verdict of a satisfaction poll; ``code`` is empty when there is none."""

    code: str
    label: str
    reason: str


def satisfaction_verdict(
    *, satisfied: int, basically_satisfied: int, base: int, quorum_met: bool
) -> SatisfactionVerdict:
    """Apply the satisfaction rule to the counts.

    Source: the rule written, in nearly these words, into the 满意度测评 measures
    (测评办法) that county and city people's congress standing committees adopt for
    special work reports and deliberation opinions: 满意票超过半数的为满意;满意票与
    基本满意票之和超过半数的为基本满意;否则为不满意. No national law fixes it, each
    congress's own measure does, which is why the base (all entitled voters or those
    voting) is a setting of the poll. A poll short of its quorum has no verdict.
    """
    if not quorum_met:
        return SatisfactionVerdict(
            code="",
            label=_("无结论"),
            reason=_("投票人数未达到法定人数,测评结果无效。"),
        )
    if more_than_half(satisfied, base):
        code = PollOption.Code.SATISFIED
        reason = _("满意票超过半数。")
    elif more_than_half(satisfied + basically_satisfied, base):
        code = PollOption.Code.BASICALLY_SATISFIED
        reason = _("满意票未超过半数,满意票与基本满意票之和超过半数。")
    else:
        code = PollOption.Code.UNSATISFIED
        reason = _("满意票与基本满意票之和未超过半数。")
    return SatisfactionVerdict(code=code.value, label=str(code.label), reason=reason)


@dataclass(frozen=True)
class ApprovalRanking:
    """Who is approved, who is chosen, and who ties at the cut-off.

    ``approved`` holds the keys approved by more than half of the base, most votes
    first. ``chosen`` are the ones chosen outright; ``runoff`` the ones tied at the
    cut-off for the ``seats_left`` remaining places (a run-off, never a silent pick).
    """

    approved: list
    chosen: list
    runoff: list
    seats_left: int


def approval_rank(
    *, yes_counts: Mapping[Hashable, int], base: int, choose: int
) -> ApprovalRanking:
    """Rank by the livelihood-voting rule: more than half of the base, then most votes.

    The practice the seed describes (隆回, 武冈, 大祥: 差额票决): a candidate needs the
    yes votes of more than half of all deputies (or of those present, as the poll
    states); of those, the ones with most votes are chosen, up to ``choose``. A tie
    at the cut-off is reported for a run-off and never broken silently.
    """
    if choose < 1:
        raise ValidationError(_("应选数至少为1。"), code="choose")
    approved = sorted(
        (key for key, yes in yes_counts.items() if more_than_half(yes, base)),
        key=lambda key: -yes_counts[key],
    )
    if len(approved) <= choose:
        return ApprovalRanking(
            approved=approved, chosen=list(approved), runoff=[], seats_left=0
        )
    cutoff = yes_counts[approved[choose - 1]]
    if yes_counts[approved[choose]] < cutoff:
        return ApprovalRanking(
            approved=approved, chosen=approved[:choose], runoff=[], seats_left=0
        )
    chosen = [key for key in approved if yes_counts[key] > cutoff]
    runoff = [key for key in approved if yes_counts[key] == cutoff]
    return ApprovalRanking(
        approved=approved,
        chosen=chosen,
        runoff=runoff,
        seats_left=choose - len(chosen),
    )


# --- setting a poll up ---------------------------------------------------------------


# The poll's advisory lock: (class, object) = (hashtext('congress.poll'), poll id);
# two polls whose ids agree modulo 2**31 only ever wait for each other needlessly.
_ADVISORY = "hashtext('congress.poll'), %s::int4"


def _advisory_key(poll: Poll) -> int:
    return poll.pk % 2**31


def _lock(poll: Poll) -> Poll:
    """Take the poll exclusively: its advisory lock, then its row ``FOR UPDATE``.
    Every change of a poll (open, close, publish, paper counts) takes it.

    On SQLite (the demo of ``make run``) there is nothing to take: SQLite lets one
    transaction write at a time, and ``select_for_update`` does nothing there.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT pg_advisory_xact_lock({_ADVISORY})", [_advisory_key(poll)]
            )
    return Poll.objects.select_for_update().get(pk=poll.pk)


def _lock_for_vote(poll: Poll, voter: User) -> Poll | None:
    """Take the poll shared for one vote: its advisory lock shared, then the row
    ``FOR SHARE`` in the query that also says whether ``voter`` is entitled and
    lists the option ids. Returns ``None`` when the poll does not exist.

    Shared locks do not conflict with each other, so ballots commit side by side.
    The exclusive lock of ``_lock`` conflicts with both, so a close waits for every
    vote already holding them, and a vote arriving while the close holds them
    waits and then reads the closed status (the poll is read in a statement after
    the wait: READ COMMITTED gives it a snapshot that includes the close). The
    advisory lock is what makes the close's turn come: PostgreSQL queues a shared
    request behind an exclusive one already waiting for a lock, whereas a row's
    ``FOR SHARE`` is granted at once next to the shared lockers holding the row,
    so a steady stream of votes would keep a close waiting until it ends. The row
    lock stays for any change of the poll row that does not take ``_lock``
    (``FOR KEY SHARE`` would not do: an UPDATE of a non-key column does not
    conflict with it).

    On SQLite (the demo) the same answers come from plain queries; SQLite lets
    one transaction write at a time.
    """
    if connection.vendor != "postgresql":
        found = (
            Poll.objects.filter(pk=poll.pk)
            .annotate(
                voter_entitled=Exists(
                    PollVoter.objects.filter(poll=OuterRef("pk"), user=voter)
                )
            )
            .first()
        )
        if found is not None:
            found.option_ids = list(found.options.values_list("pk", flat=True))
        return found
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_advisory_xact_lock_shared({_ADVISORY})", [_advisory_key(poll)]
        )
    row = db.fetch_one(_vote_poll_sql(), [voter.pk, poll.pk])
    if row is None:
        return None
    found = db.instance(Poll, row)
    found.voter_entitled, found.option_ids = row[db.width(Poll) :]
    return found


@functools.cache
def _vote_poll_sql() -> str:
    """The poll ``FOR SHARE``, whether the voter is entitled, its option ids."""
    voters = PollVoter._meta.db_table
    options = PollOption._meta.db_table
    return (
        f"SELECT {db.columns(Poll, 'p')},"
        f" EXISTS (SELECT 1 FROM {voters} v"
        " WHERE v.poll_id = p.id AND v.user_id = %s) AS voter_entitled,"
        f" ARRAY(SELECT o.id FROM {options} o WHERE o.poll_id = p.id) AS option_ids"
        f" FROM {Poll._meta.db_table} p WHERE p.id = %s FOR SHARE OF p"
    )


def _refuse_unless(poll: Poll, *statuses: str) -> None:
    if poll.status not in statuses:
        raise ValidationError(
            _("票决“%(poll)s”当前状态为“%(status)s”,不能进行此操作。")
            % {"poll": poll.title, "status": poll.get_status_display()},
            code="status",
        )


@transaction.atomic
def poll_create(
    *,
    title: str,
    region: Region,
    kind: str,
    user: User | None,
    secrecy: str = Poll.Secrecy.SECRET,
    options: Sequence[str] = (),
    voters: Iterable[User] = (),
    electorate_label: str = "",
    base: str = Poll.Base.ENTITLED,
    quorum: int | None = None,
    max_choices: int | None = None,
) -> Poll:
    """Create a draft poll with its options and electorate.

    A satisfaction poll always gets the three grades 满意, 基本满意, 不满意.
    """
    poll = Poll.objects.create(
        title=title,
        region=region,
        kind=kind,
        secrecy=secrecy,
        electorate_label=electorate_label,
        base=base,
        quorum=quorum,
        max_choices=max_choices,
    )
    poll_options_prepare(poll=poll, labels=options)
    poll_electorate_set(poll=poll, users=voters, label=electorate_label or None)
    audit.state_change_event(user=user, obj=poll, transition="create")
    return poll


@transaction.atomic
def poll_options_prepare(*, poll: Poll, labels: Sequence[str] = ()) -> None:
    """Add the options of a draft poll (the three grades for a satisfaction poll)."""
    poll = _lock(poll)
    _refuse_unless(poll, Poll.Status.DRAFT)
    if poll.kind == Poll.Kind.SATISFACTION:
        existing = set(poll.options.values_list("code", flat=True))
        PollOption.objects.bulk_create(
            PollOption(poll=poll, label=str(code.label), code=code.value, order=order)
            for code, order in SATISFACTION_OPTIONS
            if code.value not in existing
        )
        return
    start = poll.options.count()
    PollOption.objects.bulk_create(
        PollOption(poll=poll, label=label, order=start + i)
        for i, label in enumerate(labels, 1)
    )


@transaction.atomic
def poll_electorate_set(
    *, poll: Poll, users: Iterable[User], label: str | None = None
) -> int:
    """Replace the electorate of a draft poll (e.g. the deputies of a term, or those
    present at a session); return its size."""
    poll = _lock(poll)
    _refuse_unless(poll, Poll.Status.DRAFT)
    if label is not None:
        poll.electorate_label = label
        poll.save(update_fields=["electorate_label"])
    PollVoter.objects.filter(poll=poll).delete()
    PollVoter.objects.bulk_create(
        (PollVoter(poll=poll, user_id=u.pk) for u in users), ignore_conflicts=True
    )
    return PollVoter.objects.filter(poll=poll).count()


@transaction.atomic
def poll_open(*, poll: Poll, user: User | None) -> Poll:
    """Open the voting window of a draft poll."""
    poll = _lock(poll)
    _refuse_unless(poll, Poll.Status.DRAFT)
    options = poll.options.count()
    if poll.kind == Poll.Kind.SATISFACTION:
        codes = set(poll.options.values_list("code", flat=True))
        if codes != {code.value for code, _order in SATISFACTION_OPTIONS}:
            raise ValidationError(
                _("满意度测评的选项应为满意、基本满意、不满意三项。"), code="options"
            )
    elif options < 1:
        raise ValidationError(_("请先添加候选项。"), code="options")
    if poll.kind == Poll.Kind.CHOOSE and not poll.max_choices:
        raise ValidationError(_("限额选择须填写最多可选数。"), code="max_choices")
    if poll.max_choices and poll.max_choices > options:
        raise ValidationError(
            _("最多可选数(%(n)s)不能多于候选项数(%(options)s)。")
            % {"n": poll.max_choices, "options": options},
            code="max_choices",
        )
    if not poll.voters.exists():
        raise ValidationError(_("请先确定应投票人。"), code="electorate")
    poll.status = Poll.Status.OPEN
    poll.opened_at = timezone.now()
    poll.save(update_fields=["status", "opened_at"])
    audit.state_change_event(user=user, obj=poll, transition="open")
    return poll


@transaction.atomic
def poll_close(*, poll: Poll, user: User | None) -> Poll:
    """Close the voting window; a vote that has not committed by now is refused.

    A secret poll's ballots are rewritten shuffled (see ``_ballots_rewrite_shuffled``).
    """
    poll = _lock(poll)
    _refuse_unless(poll, Poll.Status.OPEN)
    poll.status = Poll.Status.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["status", "closed_at"])
    if poll.secrecy == Poll.Secrecy.SECRET:
        _ballots_rewrite_shuffled(poll)
    audit.state_change_event(
        user=user,
        obj=poll,
        transition="close",
        detail={"voted": poll.receipts.count()},
    )
    return poll


def _ballots_rewrite_shuffled(poll: Poll) -> None:
    """Write a closed secret poll's ballots again, in random order, with new ids.

    A ballot and its receipt are written in one transaction, so until now they
    share PostgreSQL's hidden ``xmin`` (the id of the writing transaction) and sit
    in the same physical order: someone with SQL access could join them on either.
    Rewritten here, every ballot of the poll carries the closing transaction's id
    and a random place. Receipt codes still work: they find ballots by hash.
    """
    rng = secrets.SystemRandom()
    ballots = list(Ballot.objects.filter(poll=poll).values_list("pk", "receipt_hash"))
    choices: dict = {}
    for ballot_id, option_id, answer in BallotChoice.objects.filter(
        ballot__poll=poll
    ).values_list("ballot_id", "option_id", "answer"):
        choices.setdefault(ballot_id, []).append((option_id, answer))
    BallotChoice.objects.filter(ballot__poll=poll).delete()
    Ballot.objects.filter(poll=poll).delete()
    rng.shuffle(ballots)
    new_ballots = [Ballot(poll=poll, receipt_hash=digest) for _pk, digest in ballots]
    Ballot.objects.bulk_create(new_ballots)
    new_choices = [
        BallotChoice(ballot=new, option_id=option_id, answer=answer)
        for (old_pk, _digest), new in zip(ballots, new_ballots, strict=True)
        for option_id, answer in choices.get(old_pk, [])
    ]
    rng.shuffle(new_choices)
    BallotChoice.objects.bulk_create(new_choices, batch_size=2000)


# --- voting --------------------------------------------------------------------------


def _option_id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            _("选票中有无法识别的选项。"), code="invalid_choice"
        ) from None


def _answers_for(poll: Poll, choices, option_ids: set[int]) -> dict[int, str]:
    """Check a ballot's choices against the poll's options; return {option id:
    answer}."""
    if poll.kind == Poll.Kind.APPROVAL:
        if not isinstance(choices, Mapping):
            raise ValidationError(
                _("请对每个候选项表决赞成、反对或弃权。"), code="invalid_choice"
            )
        answers = {_option_id(k): str(v) for k, v in choices.items()}
        if not set(answers) <= option_ids:
            raise ValidationError(
                _("选票中有不属于本次票决的选项。"), code="invalid_choice"
            )
        if any(a not in ANSWERS for a in answers.values()):
            raise ValidationError(
                _("表决只能是赞成、反对或弃权。"), code="invalid_choice"
            )
        # A candidate left unmarked counts as an abstention, as on a paper ballot.
        for pk in option_ids - set(answers):
            answers[pk] = Answer.ABSTAIN
        yes = sum(1 for a in answers.values() if a == Answer.YES)
        if poll.max_choices and yes > poll.max_choices:
            raise ValidationError(
                _("赞成的项数不能超过%(n)s项。") % {"n": poll.max_choices},
                code="too_many_choices",
            )
        return answers
    if isinstance(choices, Mapping):
        chosen = [k for k, v in choices.items() if v == Answer.YES]
    elif isinstance(choices, str | int):
        chosen = [choices]
    else:
        chosen = list(choices)
    picked = [_option_id(c) for c in chosen]
    if len(set(picked)) != len(picked):
        raise ValidationError(_("同一选项不能重复选择。"), code="invalid_choice")
    if not set(picked) <= option_ids:
        raise ValidationError(
            _("选票中有不属于本次票决的选项。"), code="invalid_choice"
        )
    if poll.kind == Poll.Kind.SATISFACTION:
        if len(picked) != 1:
            raise ValidationError(
                _("满意度测评请在满意、基本满意、不满意中选择一项。"),
                code="invalid_choice",
            )
    else:
        if not picked:
            raise ValidationError(_("请至少选择一项。"), code="invalid_choice")
        if len(picked) > (poll.max_choices or len(option_ids)):
            raise ValidationError(
                _("最多只能选择%(n)s项。") % {"n": poll.max_choices},
                code="too_many_choices",
            )
    return dict.fromkeys(picked, Answer.YES.value)


@transaction.atomic
def vote_cast(*, poll: Poll, voter: User, choices) -> str:
    """Record one voter's ballot and return the receipt code to give them.

    ``choices`` is ``{option id: "yes" | "no" | "abstain"}`` for an approval poll
    (an option left out is an abstention) and the chosen option ids otherwise.
    Refused when the poll is not open, the voter is not entitled, has voted already,
    or the choices are invalid or too many.
    """
    poll = _lock_for_vote(poll, voter)
    if poll is None or poll.status != Poll.Status.OPEN:
        raise ValidationError(
            _("投票尚未开始或已经截止,不能投票。"), code="poll_not_open"
        )
    if not poll.voter_entitled:
        raise ValidationError(_("您不在本次票决的投票人范围内。"), code="not_entitled")
    answers = _answers_for(poll, choices, set(poll.option_ids))
    code = receipt_code_new()
    # No savepoint around the receipt: a second vote fails at the receipt and
    # nothing after it is written; the refusal leaves this atomic block, which
    # rolls the vote back.
    try:
        _ballot_write(poll, voter, receipt_hash(code), answers)
    except IntegrityError:
        raise ValidationError(
            _("您已经投过票,每人只能投一次。"), code="already_voted"
        ) from None
    return code


def _ballot_write(poll: Poll, voter: User, hashed: str, answers: dict) -> None:
    """Write the receipt, the ballot and its choices: on PostgreSQL in one
    statement (one round trip instead of three, no model instances, prepared by
    ``congress.db.cursor``), elsewhere through the ORM. The receipt comes first, so a second vote by the same voter
    fails on the receipt's unique constraint before anything else is written. Only
    a named poll's receipt points to its ballot (the foreign key is checked at
    commit, so it may name the ballot written by the same statement)."""
    named = poll.secrecy == Poll.Secrecy.NAMED
    ballot_id = uuid.uuid4()
    if connection.vendor != "postgresql":
        receipt = BallotReceipt.objects.create(poll=poll, voter=voter)
        ballot = Ballot.objects.create(id=ballot_id, poll=poll, receipt_hash=hashed)
        BallotChoice.objects.bulk_create(
            BallotChoice(ballot=ballot, option_id=pk, answer=answer)
            for pk, answer in answers.items()
        )
        if named:
            receipt.ballot = ballot
            receipt.save(update_fields=["ballot"])
        return
    receipts = BallotReceipt._meta.db_table
    ballots = Ballot._meta.db_table
    rows = BallotChoice._meta.db_table
    with db.cursor() as cursor:
        cursor.execute(
            f"WITH r AS (INSERT INTO {receipts} (poll_id, voter_id, voted_at, ballot_id)"
            " VALUES (%s, %s, %s, %s) RETURNING 1),"
            f" b AS (INSERT INTO {ballots} (id, poll_id, receipt_hash)"
            " SELECT %s, %s, %s FROM r RETURNING id)"
            f" INSERT INTO {rows} (id, ballot_id, option_id, answer)"
            " SELECT gen_random_uuid(), b.id, c.option_id, c.answer"
            " FROM b, unnest(%s::bigint[], %s::varchar[]) AS c(option_id, answer)",
            [
                poll.pk,
                voter.pk,
                timezone.now(),
                ballot_id if named else None,
                ballot_id,
                poll.pk,
                hashed,
                [int(pk) for pk in answers],
                list(answers.values()),
            ],
        )


@dataclass(frozen=True)
class BallotCheck:
    """What a receipt code finds: whether the ballot is counted, and its choices."""

    found: bool
    choices: list[tuple[str, str]] = field(default_factory=list)


def ballot_verify(*, poll: Poll, receipt_code: str) -> BallotCheck:
    """Find the ballot of a receipt code and list its choices (option, answer)."""
    ballot = Ballot.objects.filter(
        poll=poll, receipt_hash=receipt_hash(receipt_code)
    ).first()
    if ballot is None:
        return BallotCheck(found=False)
    rows = (
        BallotChoice.objects.filter(ballot=ballot)
        .select_related("option")
        .order_by("option__order", "option__pk")
    )
    return BallotCheck(
        found=True,
        choices=[(row.option.label, str(row.get_answer_display())) for row in rows],
    )


# --- paper ballots -------------------------------------------------------------------


def _normalize_counts(
    poll: Poll, ballots: int, counts: Mapping
) -> dict[str, dict[str, int]]:
    """Check one clerk's counts: {option id: {"yes": n, "no": n, "abstain": n}}."""
    options = {str(pk): label for pk, label in poll.options.values_list("pk", "label")}
    if ballots < 0:
        raise ValidationError(_("纸质选票数不能为负数。"), code="counts")
    normalized: dict[str, dict[str, int]] = {}
    for key, value in counts.items():
        key = str(key)
        if key not in options:
            raise ValidationError(_("计票中有不属于本次票决的选项。"), code="counts")
        if not isinstance(value, Mapping):
            value = {Answer.YES.value: value}
        row = {answer: int(value.get(answer, 0) or 0) for answer in ANSWERS}
        if set(value) - set(ANSWERS):
            raise ValidationError(_("票数只能按赞成、反对、弃权填写。"), code="counts")
        if any(n < 0 for n in row.values()):
            raise ValidationError(_("票数不能为负数。"), code="counts")
        normalized[key] = row
    for key in options:
        normalized.setdefault(key, dict.fromkeys(ANSWERS, 0))
    for key, row in normalized.items():
        if poll.kind == Poll.Kind.APPROVAL and sum(row.values()) != ballots:
            raise ValidationError(
                _("“%(option)s”的赞成、反对、弃权票数之和应等于纸质选票数%(n)s。")
                % {"option": options[key], "n": ballots},
                code="counts",
            )
        if row[Answer.YES] > ballots:
            raise ValidationError(
                _("“%(option)s”的票数不能多于纸质选票数%(n)s。")
                % {"option": options[key], "n": ballots},
                code="counts",
            )
    if poll.kind == Poll.Kind.SATISFACTION:
        chosen = sum(row[Answer.YES] for row in normalized.values())
        if chosen != ballots:
            raise ValidationError(
                _("满意、基本满意、不满意票数之和应等于纸质选票数%(n)s。")
                % {"n": ballots},
                code="counts",
            )
    return normalized


def paper_counts_check(*, poll: Poll, ballots: int, counts: Mapping) -> None:
    """Check a clerk's counts without writing anything (forms call it in ``clean``)."""
    _normalize_counts(poll, ballots, counts)


@transaction.atomic
def paper_count_enter(
    *, poll: Poll, label: str, ballots: int, counts: Mapping, user: User
) -> PaperCount:
    """Enter (or, after a mismatch, enter again) the counts of a batch of paper ballots.

    The entry waits for a second clerk's independent confirmation.
    """
    poll = _lock(poll)
    _refuse_unless(poll, Poll.Status.OPEN, Poll.Status.CLOSED)
    normalized = _normalize_counts(poll, ballots, counts)
    paper = (
        PaperCount.objects.select_for_update().filter(poll=poll, label=label).first()
    )
    if paper is not None and paper.status == PaperCount.Status.CONFIRMED:
        raise ValidationError(
            _("“%(label)s”的计票已经复核确认,不能再修改。") % {"label": label},
            code="confirmed",
        )
    if paper is None:
        paper = PaperCount(poll=poll, label=label)
    paper.ballots = ballots
    paper.counts = normalized
    paper.status = PaperCount.Status.ENTERED
    paper.entered_by = user
    paper.entered_at = timezone.now()
    paper.confirmed_by = None
    paper.confirmed_at = None
    paper.mismatch = {}
    paper.save()
    audit.state_change_event(user=user, obj=paper, transition="paper_count_enter")
    return paper


@transaction.atomic
def paper_count_confirm(
    *, paper_count: PaperCount, ballots: int, counts: Mapping, user: User
) -> PaperCount:
    """Confirm a paper count by entering the same counts independently.

    The confirming clerk must not be the one who entered it. Equal counts confirm
    the entry; a difference is flagged (status 复核不一致, with the differences) and
    the poll cannot be tallied or published until the count is entered again or
    confirmed with equal counts.
    """
    poll = _lock(paper_count.poll)
    paper = PaperCount.objects.select_for_update().get(pk=paper_count.pk)
    if paper.status == PaperCount.Status.CONFIRMED:
        raise ValidationError(_("该计票已经复核确认。"), code="confirmed")
    if paper.entered_by_id == user.pk:
        raise ValidationError(
            _("复核须由另一名工作人员独立录入,录入人不能复核自己的计票。"),
            code="same_clerk",
        )
    normalized = _normalize_counts(poll, ballots, counts)
    labels = {str(pk): label for pk, label in poll.options.values_list("pk", "label")}
    differences: dict[str, dict] = {}
    if ballots != paper.ballots:
        differences[_("纸质选票数")] = {"entered": paper.ballots, "confirmed": ballots}
    for key, row in normalized.items():
        if paper.counts.get(key) != row:
            differences[labels[key]] = {
                "entered": paper.counts.get(key),
                "confirmed": row,
            }
    if differences:
        paper.status = PaperCount.Status.MISMATCH
        paper.mismatch = differences
        paper.save(update_fields=["status", "mismatch"])
        audit.state_change_event(
            user=user, obj=paper, transition="paper_count_mismatch", success=False
        )
        return paper
    paper.status = PaperCount.Status.CONFIRMED
    paper.confirmed_by = user
    paper.confirmed_at = timezone.now()
    paper.mismatch = {}
    paper.save(update_fields=["status", "confirmed_by", "confirmed_at", "mismatch"])
    audit.state_change_event(user=user, obj=paper, transition="paper_count_confirm")
    return paper


# --- turnout, tally, publication ----------------------------------------------------


@dataclass(frozen=True)
class Turnout:
    """How many may vote and how many have (no word on what they chose)."""

    entitled: int
    electronic: int
    paper: int

    @property
    def voted(self) -> int:
        return self.electronic + self.paper

    @property
    def percent(self) -> float:
        return round(100 * self.voted / self.entitled, 1) if self.entitled else 0.0


def poll_turnout(*, poll: Poll) -> Turnout:
    """The turnout, which staff may follow while the poll is open."""
    paper = sum(
        poll.paper_counts.filter(status=PaperCount.Status.CONFIRMED).values_list(
            "ballots", flat=True
        )
    )
    return Turnout(
        entitled=poll.voters.count(),
        electronic=poll.receipts.count(),
        paper=paper,
    )


@dataclass(frozen=True)
class OptionCount:
    option_id: int
    label: str
    code: str
    yes: int
    no: int
    abstain: int


@dataclass(frozen=True)
class PollTally:
    """The counts of a closed poll: electronic ballots plus confirmed paper counts."""

    turnout: Turnout
    base: int
    quorum_required: int
    quorum_met: bool
    options: list[OptionCount]
    verdict: SatisfactionVerdict | None
    warnings: list[str]

    def option(self, option_id: int) -> OptionCount:
        return next(o for o in self.options if o.option_id == option_id)


def poll_quorum_required(*, poll: Poll, entitled: int) -> int:
    """The quorum: as set on the poll, otherwise more than half of the electorate."""
    return poll.quorum if poll.quorum is not None else entitled // 2 + 1


def poll_tally(*, poll: Poll) -> PollTally:
    """Count a closed poll. Refused while it is open (no partial results) and while a
    paper count is unconfirmed or mismatched."""
    poll = Poll.objects.get(pk=poll.pk)
    if poll.status in (Poll.Status.DRAFT, Poll.Status.OPEN):
        raise ValidationError(
            _("投票尚未截止,不能查看计票结果;投票期间只能查看投票率。"),
            code="poll_open",
        )
    pending = poll.paper_counts.exclude(status=PaperCount.Status.CONFIRMED)
    if pending.exists():
        raise ValidationError(
            _("纸质选票计票“%(labels)s”尚未复核一致,不能计票或公布。")
            % {"labels": "、".join(pending.values_list("label", flat=True))},
            code="paper_unconfirmed",
        )
    counts: dict[int, dict[str, int]] = {}
    rows = (
        BallotChoice.objects.filter(ballot__poll=poll)
        .values("option_id", "answer")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["option_id"], dict.fromkeys(ANSWERS, 0))[
            row["answer"]
        ] += row["n"]
    for paper in poll.paper_counts.all():
        for key, row in paper.counts.items():
            target = counts.setdefault(int(key), dict.fromkeys(ANSWERS, 0))
            for answer in ANSWERS:
                target[answer] += row.get(answer, 0)
    turnout = poll_turnout(poll=poll)
    warnings = []
    if turnout.voted > turnout.entitled:
        warnings.append(
            _("投票数%(voted)s多于应投票人数%(entitled)s,请核对纸质选票。")
            % {"voted": turnout.voted, "entitled": turnout.entitled}
        )
    options = []
    for option in poll.options.all():
        c = counts.get(option.pk, dict.fromkeys(ANSWERS, 0))
        options.append(
            OptionCount(
                option_id=option.pk,
                label=option.label,
                code=option.code,
                yes=c[Answer.YES],
                no=c[Answer.NO],
                abstain=c[Answer.ABSTAIN],
            )
        )
    base = turnout.entitled if poll.base == Poll.Base.ENTITLED else turnout.voted
    quorum_required = poll_quorum_required(poll=poll, entitled=turnout.entitled)
    quorum_met = turnout.voted >= quorum_required
    verdict = None
    if poll.kind == Poll.Kind.SATISFACTION:
        by_code = {o.code: o.yes for o in options}
        verdict = satisfaction_verdict(
            satisfied=by_code.get(PollOption.Code.SATISFIED, 0),
            basically_satisfied=by_code.get(PollOption.Code.BASICALLY_SATISFIED, 0),
            base=base,
            quorum_met=quorum_met,
        )
    return PollTally(
        turnout=turnout,
        base=base,
        quorum_required=quorum_required,
        quorum_met=quorum_met,
        options=options,
        verdict=verdict,
        warnings=warnings,
    )


@dataclass(frozen=True)
class ApprovalResult:
    """The outcome of a 差额 vote: chosen options, and a run-off if tied at the cut-off."""

    tally: PollTally
    choose: int
    ranking: ApprovalRanking
    reason: str

    @property
    def needs_runoff(self) -> bool:
        return bool(self.ranking.runoff)


def approval_result(*, poll: Poll, choose: int) -> ApprovalResult:
    """Apply the livelihood-voting rule (``approval_rank``) to a closed poll.

    Without quorum nothing is chosen, and the result says so.
    """
    if poll.kind == Poll.Kind.SATISFACTION:
        raise ValidationError(_("满意度测评不适用赞成票计票规则。"), code="kind")
    tally = poll_tally(poll=poll)
    if not tally.quorum_met:
        return ApprovalResult(
            tally=tally,
            choose=choose,
            ranking=ApprovalRanking(
                approved=[], chosen=[], runoff=[], seats_left=choose
            ),
            reason=_("投票人数%(voted)s未达到法定人数%(quorum)s,票决无效。")
            % {"voted": tally.turnout.voted, "quorum": tally.quorum_required},
        )
    ranking = approval_rank(
        yes_counts={o.option_id: o.yes for o in tally.options},
        base=tally.base,
        choose=choose,
    )
    if ranking.runoff:
        reason = _("第%(n)s位票数相同,需对并列的候选项再次投票。") % {
            "n": len(ranking.chosen) + 1
        }
    else:
        reason = _("赞成票超过半数的候选项按得票多少确定。")
    return ApprovalResult(tally=tally, choose=choose, ranking=ranking, reason=reason)


@transaction.atomic
def poll_publish(*, poll: Poll, user: User | None) -> Poll:
    """Publish the result of a closed poll whose paper counts are all confirmed."""
    poll = _lock(poll)
    _refuse_unless(poll, Poll.Status.CLOSED)
    tally = poll_tally(poll=poll)
    poll.status = Poll.Status.PUBLISHED
    poll.published_at = timezone.now()
    poll.save(update_fields=["status", "published_at"])
    audit.state_change_event(
        user=user,
        obj=poll,
        transition="publish",
        detail={
            "voted": tally.turnout.voted,
            "verdict": tally.verdict.code if tally.verdict else "",
        },
    )
    return poll
