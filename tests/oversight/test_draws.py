"""Public draws (当众抽签) with a committed seed, and experts' conflicts of interest."""

import hashlib
import hmac

import pytest
from django.core.exceptions import ValidationError

from oversight import draws
from oversight import services
from oversight.models import ExpertAssignment
from oversight.models import Method
from oversight.models import RandomDraw
from tests.factories.congress import OrganizationFactory
from tests.factories.oversight import ExpertFactory
from tests.factories.oversight import OversightItemFactory

pytestmark = pytest.mark.django_db


def _independent_recompute(seed, entropy, keys, count):
    """The verification recipe printed on the public page, written out again."""

    def score(key):
        return hmac.new(
            seed.encode(), f"{entropy}|{key}".encode(), hashlib.sha256
        ).hexdigest()

    return sorted(keys, key=lambda k: (score(k), k))[:count]


def test_draw_compute_same_seed_and_list_give_same_result():
    """The same seed, entropy and list always give the same result, in any order."""
    keys = [f"K{i}" for i in range(30)]
    seed = "ab" * 32
    first = draws.draw_compute(seed=seed, public_entropy="3-5-6", keys=keys, count=5)
    again = draws.draw_compute(
        seed=seed, public_entropy="3-5-6", keys=list(reversed(keys)), count=5
    )
    assert first == again
    assert len(set(first)) == 5
    assert first == _independent_recompute(seed, "3-5-6", keys, 5)


def test_draw_compute_other_seed_or_entropy_changes_result():
    keys = [f"K{i}" for i in range(30)]
    base = draws.draw_compute(seed="ab" * 32, public_entropy="1", keys=keys, count=5)
    assert base != draws.draw_compute(
        seed="cd" * 32, public_entropy="1", keys=keys, count=5
    )
    assert base != draws.draw_compute(
        seed="ab" * 32, public_entropy="2", keys=keys, count=5
    )


@pytest.fixture
def unit(county_a):
    return OrganizationFactory(name="隆回县人民法院", region=county_a)


@pytest.fixture
def case_item(county_a, unit):
    item = OversightItemFactory(
        region=county_a, title="两官评议案件评查", method=Method.CASE_REVIEW
    )
    item.responsible_units.set([unit])
    return item


def test_draw_revealed_seed_matches_commitment_and_recomputes(
    case_item, staff_a, county_a
):
    """Before: list and hash published, seed hidden. After: the seed hashes to the
    commitment and anyone recomputes the published result."""
    experts = [ExpertFactory(region=county_a) for _ in range(8)]
    draw = services.draw_prepare_experts(item=case_item, count=3, user=staff_a)
    assert draw.seed_revealed == ""
    assert len(draw.seed_hash) == 64
    assert [c["key"] for c in draw.candidates] == sorted(
        services.expert_key(e) for e in experts
    )

    draw = services.draw_perform(draw=draw, public_entropy="4 2 6", user=staff_a)

    assert hashlib.sha256(draw.seed_revealed.encode()).hexdigest() == draw.seed_hash
    keys = [c["key"] for c in draw.candidates]
    assert draw.result == _independent_recompute(draw.seed, "4 2 6", keys, 3)
    check = services.draw_verify(draw=draw)
    assert check.commitment_ok and check.result_ok
    assigned = set(
        ExpertAssignment.objects.filter(item=case_item).values_list(
            "expert_id", flat=True
        )
    )
    assert {services.expert_key(e) for e in experts if e.pk in assigned} == set(
        draw.result
    )


def test_conflicted_expert_is_never_a_candidate_nor_drawn(
    case_item, unit, staff_a, county_a
):
    """An expert with a declared conflict with the unit is left off the list, so no
    seed can draw them."""
    conflicted = ExpertFactory(region=county_a, name="回避专家")
    others = [ExpertFactory(region=county_a) for _ in range(3)]
    services.expert_conflict_declare(
        expert=conflicted, unit=unit, reason="配偶在该院任职", user=staff_a
    )
    for attempt in range(10):
        item = OversightItemFactory(region=county_a, method=Method.CASE_REVIEW)
        item.responsible_units.set([unit])
        draw = services.draw_prepare_experts(item=item, count=3, user=staff_a)
        keys = {c["key"] for c in draw.candidates}
        assert services.expert_key(conflicted) not in keys
        assert keys == {services.expert_key(e) for e in others}
        services.draw_perform(draw=draw, public_entropy=str(attempt), user=staff_a)
    assert not ExpertAssignment.objects.filter(expert=conflicted).exists()


def test_conflict_declared_after_publication_refuses_the_draw(
    case_item, unit, staff_a, county_a
):
    experts = [ExpertFactory(region=county_a) for _ in range(3)]
    draw = services.draw_prepare_experts(item=case_item, count=2, user=staff_a)
    services.expert_conflict_declare(
        expert=experts[0], unit=unit, reason="曾代理该院案件", user=staff_a
    )
    with pytest.raises(ValidationError, match="利害关系"):
        services.draw_perform(draw=draw, public_entropy="1", user=staff_a)
    draw.refresh_from_db()
    assert draw.status == RandomDraw.Status.COMMITTED
    assert draw.result == []


def test_conflicted_expert_cannot_be_assigned_by_hand(case_item, unit, staff_a):
    expert = ExpertFactory(region=case_item.region, name="李律师")
    services.expert_conflict_declare(
        expert=expert, unit=unit, reason="代理过该院案件", user=staff_a
    )
    with pytest.raises(ValidationError, match="李律师.*利害关系"):
        services.expert_assign(item=case_item, expert=expert, user=staff_a)
    assert not ExpertAssignment.objects.exists()


def test_made_draw_cannot_be_altered(case_item, staff_a, county_a):
    """Neither the service nor a direct save may change a made draw."""
    for _ in range(4):
        ExpertFactory(region=county_a)
    draw = services.draw_prepare_experts(item=case_item, count=2, user=staff_a)
    draw = services.draw_perform(draw=draw, public_entropy="9", user=staff_a)
    result = list(draw.result)
    with pytest.raises(ValidationError, match="不能更改"):
        services.draw_perform(draw=draw, public_entropy="8", user=staff_a)
    draw.result = ["E99999"]
    with pytest.raises(ValidationError, match="不能更改"):
        draw.save()
    draw.refresh_from_db()
    assert draw.result == result and draw.public_entropy == "9"


def test_draw_prepare_refuses_bad_lists(county_a, staff_a):
    with pytest.raises(ValidationError, match="候选名单为空"):
        services.draw_prepare(
            region=county_a,
            title="t",
            kind="other",
            candidates=[],
            count=1,
            user=staff_a,
        )
    with pytest.raises(ValidationError, match="重复"):
        services.draw_prepare(
            region=county_a,
            title="t",
            kind="other",
            candidates=[("a", "甲"), ("a", "乙")],
            count=1,
            user=staff_a,
        )
    with pytest.raises(ValidationError, match="抽取数量"):
        services.draw_prepare(
            region=county_a,
            title="t",
            kind="other",
            candidates=[("a", "甲")],
            count=2,
            user=staff_a,
        )
    assert not RandomDraw.objects.exists()


def test_case_draw_marks_selected_cases_and_only_assigned_experts_score(
    case_item, unit, staff_a, county_a
):
    for n in range(6):
        services.case_add(
            item=case_item,
            number=f"(2026)湘0524民初{n}号",
            title="合同纠纷",
            unit=unit,
            user=staff_a,
        )
    draw = services.draw_prepare_cases(item=case_item, count=2, user=staff_a)
    draw = services.draw_perform(draw=draw, public_entropy="5", user=staff_a)
    selected = list(case_item.cases.filter(selected=True))
    assert sorted(c.number for c in selected) == sorted(draw.result)
    expert = ExpertFactory(region=county_a)
    with pytest.raises(ValidationError, match="没有被确定"):
        services.case_score(
            case=selected[0], expert=expert, score=90, comment="", user=staff_a
        )
    services.expert_assign(item=case_item, expert=expert, user=staff_a)
    not_selected = case_item.cases.filter(selected=False).first()
    with pytest.raises(ValidationError, match="没有被抽中"):
        services.case_score(
            case=not_selected, expert=expert, score=90, comment="", user=staff_a
        )
    row = services.case_score(
        case=selected[0], expert=expert, score=92, comment="规范", user=staff_a
    )
    assert row.score == 92
    visited = services.case_visit_record(
        case=selected[0], text=" 回访原告,对审理过程满意 ", user=staff_a
    )
    assert visited.party_visit == "回访原告,对审理过程满意"
    selected[0].refresh_from_db()
    assert selected[0].party_visit == "回访原告,对审理过程满意"
    with pytest.raises(ValidationError, match="已经抽签"):
        services.case_add(
            item=case_item, number="X", title="t", unit=unit, user=staff_a
        )
