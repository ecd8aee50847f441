"""履职档案 PDF and booklet, 向选民述职, the points pages and admin screens."""

from __future__ import annotations

import datetime
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.urls import reverse

from congress.models import GeneratedReport
from congress.reports.services import report_request
from congress.roles import Role
from deputies import archive
from deputies.models import Level
from deputies.models import PointConfirmation
from deputies.models import PointEntry
from deputies.models import PointRule
from deputies.models import RankingSnapshot
from deputies.models import VoterReport
from deputies.points import points_rebuild
from deputies.points import voter_report_record
from deputies.points_tasks import points_rebuild_task
from tests.factories.congress import TermFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import MandateFactory
from tests.factories.points import activity
from tests.factories.points import aware
from tests.factories.points import opinion_replied
from tests.factories.points import rule
from tests.factories.points import visit

pytestmark = pytest.mark.django_db

Fact = PointRule.Fact
YEAR = 2026
PHONE = re.compile(r"1[3-9]\d{9}")
TODAY = datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def _pdf_tool(tool: str, content: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(content)
    out = ["-"] if tool == "pdftotext" else []
    command = [tool, *args, str(path), *out]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _assert_cjk_embedded(content: bytes, tmp_path: Path) -> None:
    fonts = _pdf_tool("pdffonts", content, tmp_path)
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk), fonts


@pytest.fixture
def term_a(county_a):
    return TermFactory(region=county_a, number=18)


@pytest.fixture
def station(township_a):
    return LiaisonStationFactory(region=township_a, name="桃洪镇人大代表联络站")


@pytest.fixture
def deputy_user(township_a):
    return UserFactory(
        username="deputy_li", scope_region=township_a, roles=[Role.DEPUTY]
    )


@pytest.fixture
def deputy(township_a, term_a, county_a, deputy_user):
    d = DeputyFactory(
        region=township_a, name="李建国", phone="13812345678", user=deputy_user
    )
    MandateFactory(deputy=d, level=Level.COUNTY, congress_region=county_a, term=term_a)
    return d


@pytest.fixture
def facts(county_a, station, deputy):
    """A year of 李建国's work under the demo rules, and the ledger."""
    rule(county_a, Fact.VISIT, 2, 24)
    rule(county_a, Fact.ACTIVITY_PRESENT, 3, 30)
    rule(county_a, Fact.OPINION_REPLIED, 1, 20)
    rule(county_a, Fact.VOTER_REPORT, 10, 10)
    for month in (3, 6, 9):
        visit(station, datetime.date(YEAR, month, 6), deputy)
    activity(county_a, datetime.date(YEAR, 5, 12), {deputy: "present"})
    opinion = opinion_replied(deputy, aware(YEAR, 4, 2))
    opinion.content = "村口路灯坏了,请联系我 13900001111"
    opinion.save()
    VoterReport.objects.create(
        deputy=deputy,
        date=datetime.date(YEAR, 7, 1),
        place="桃洪镇综合服务中心",
        voters_present=50,
        satisfied=40,
        basically_satisfied=8,
        unsatisfied=2,
        average_score=Decimal("92.5"),
    )
    points_rebuild(year=YEAR)
    return deputy


# --- the 履职档案 PDF -------------------------------------------------------------


def test_archive_pdf_prints_the_year_in_chinese_with_embedded_fonts(facts, tmp_path):
    pdf = archive.archive_render(deputy_id=facts.pk, year=YEAR)

    assert pdf.content.startswith(b"%PDF")
    text = _squeeze(_pdf_tool("pdftotext", pdf.content, tmp_path))
    for expected in (
        "李建国代表2026年度履职档案",
        "隆回县县级人大代表",
        "桃洪镇人大代表联络站",
        "进站履职(3)",
        "参加履职活动(1)",
        "收到的群众意见(1)",
        "向选民述职(1)",
        "满意率96.0%",
        "履职积分:20.0分",
        "排第1名(共1名)",
        "各月进站履职和参加活动次数",
    ):
        assert expected in text, f"{expected!r} missing: {text[:2000]}"
    assert not PHONE.search(text), "no full phone number in an archive"
    _assert_cjk_embedded(pdf.content, tmp_path)


def test_archive_context_reads_a_fixed_number_of_queries(
    facts, county_a, township_a, station, django_assert_max_num_queries
):
    """Deputies, seats, visits, activities, opinions, reports, points and the
    suggestions app's two (led, co-signed): batch reads, whatever the count."""
    others = [DeputyFactory(region=township_a) for _ in range(20)]
    for other in others:
        visit(station, datetime.date(YEAR, 2, 6), other)
    with django_assert_max_num_queries(9):
        few = archive.archives_build(deputy_ids=[facts.pk], year=YEAR)
    with django_assert_max_num_queries(9):
        many = archive.archives_build(
            deputy_ids=[facts.pk, *(o.pk for o in others)], year=YEAR
        )
    assert len(few) == 1 and len(many) == 21


def test_booklet_of_a_congress_goes_through_the_report_queue(
    facts,
    county_a,
    township_a,
    term_a,
    staff_a,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    """Every deputy of the term, one archive each, ranked in the congress."""
    colleague = DeputyFactory(region=township_a, name="王秀英")
    MandateFactory(
        deputy=colleague, level=Level.COUNTY, congress_region=county_a, term=term_a
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(
            kind=archive.BOOKLET_KIND,
            params={"region_id": county_a.pk, "term_id": term_a.pk, "year": YEAR},
            requester=staff_a,
        )
    report.refresh_from_db()

    assert report.status == GeneratedReport.Status.DONE, report.error
    assert report.pages >= 4  # cover, index, one archive each
    content = Path(report.file.path).read_bytes()
    assert content.startswith(b"%PDF")
    text = _squeeze(_pdf_tool("pdftotext", content, tmp_path))
    assert "代表2026年度履职档案汇编" in text
    assert "李建国" in text and "王秀英" in text
    assert "第1名(共2名)" in text and "第2名(共2名)" in text
    # The booklet prints visits grouped by station, one paragraph a section.
    assert "桃洪镇人大代表联络站:3月6日、6月6日、9月6日(3次)" in text
    assert not PHONE.search(text)
    _assert_cjk_embedded(content, tmp_path)


def test_booklet_outside_the_scope_is_refused(county_a, term_a, staff_b):
    with pytest.raises(ValidationError, match="权限范围"):
        report_request(
            kind=archive.BOOKLET_KIND,
            params={"region_id": county_a.pk, "year": YEAR},
            requester=staff_b,
        )
    assert not GeneratedReport.objects.exists()


def test_archive_download_is_scoped(client, facts, staff_a, staff_b, deputy_user):
    url = reverse("points-deputy-archive", args=[facts.pk]) + f"?year={YEAR}"
    client.force_login(staff_b)
    assert client.get(url).status_code == 404
    client.force_login(deputy_user)
    assert client.get(url).status_code == 403  # deputies use their own page
    client.force_login(staff_a)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")

    client.force_login(deputy_user)
    mine = client.get(reverse("portal-points-archive") + f"?year={YEAR}")
    assert mine.status_code == 200 and mine.content.startswith(b"%PDF")


# --- 向选民述职 ------------------------------------------------------------------------


def test_voter_report_record_counts_as_a_fact(county_a, deputy, staff_a):
    rule(county_a, Fact.VOTER_REPORT, 10, 10)
    report = VoterReport(
        deputy=deputy,
        date=datetime.date(YEAR, 6, 1),
        voters_present=30,
        satisfied=20,
        basically_satisfied=6,
        unsatisfied=1,
        average_score=Decimal("88"),
    )

    voter_report_record(report=report, actor=staff_a)
    points_rebuild(year=YEAR)

    assert report.recorded_by == staff_a
    assert list(PointEntry.objects.values_list("fact", "points")) == [
        (Fact.VOTER_REPORT, Decimal("10.0"))
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"satisfied": 30, "unsatisfied": 5}, "超过到会选民"),
        ({"date": datetime.date(2026, 12, 1)}, "不能晚于今天"),
        ({"average_score": Decimal("101")}, "0 到 100"),
    ],
)
def test_voter_report_record_refuses_bad_input(deputy, staff_a, changes, message):
    values = {
        "deputy": deputy,
        "date": datetime.date(YEAR, 6, 1),
        "voters_present": 30,
        "satisfied": 20,
        **changes,
    }
    with pytest.raises(ValidationError, match=message):
        voter_report_record(report=VoterReport(**values), actor=staff_a)
    assert not VoterReport.objects.exists()


def test_voter_report_outside_the_scope_is_refused(deputy, staff_b):
    report = VoterReport(deputy=deputy, date=datetime.date(YEAR, 6, 1))
    with pytest.raises(PermissionDenied):
        voter_report_record(report=report, actor=staff_b)
    assert not VoterReport.objects.exists()


# --- the nightly task ---------------------------------------------------------------


def test_points_task_run_twice_writes_once(facts):
    PointEntry.objects.all().delete()

    first = points_rebuild_task.delay().get()
    lines = sorted(PointEntry.objects.values_list("fact", "source_id", "points"))
    second = points_rebuild_task.delay().get()

    assert first == len(lines) == 6 and second == 0
    assert (
        sorted(PointEntry.objects.values_list("fact", "source_id", "points")) == lines
    )


# --- pages ---------------------------------------------------------------------------


def _visits_for(deputy, station, n):
    for i in range(n):
        visit(station, datetime.date(YEAR, 1 + i % 12, 1 + i % 28), deputy)


@pytest.mark.parametrize("n", [5, 50])
def test_portal_points_page_queries_do_not_grow(
    client, county_a, station, deputy, deputy_user, n, django_assert_max_num_queries
):
    """Session, user, deputy, totals by fact, seats, rank per seat, recent lines."""
    rule(county_a, Fact.VISIT, 1)
    _visits_for(deputy, station, n)
    points_rebuild(year=YEAR)
    client.force_login(deputy_user)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("portal-points"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<strong>{n}.0</strong>" in html
    assert "排第 <strong>1</strong> 名(共 1 名)" in html
    assert not PHONE.search(html)


def test_portal_points_page_needs_a_deputy(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("portal-points")).status_code == 403


@pytest.mark.parametrize("n", [5, 50])
def test_staff_ranking_page_queries_do_not_grow(
    client, county_a, township_a, term_a, staff_a, n, django_assert_max_num_queries
):
    for i in range(n):
        d = DeputyFactory(region=township_a, name=f"代表{i:02d}")
        MandateFactory(
            deputy=d, level=Level.COUNTY, congress_region=county_a, term=term_a
        )
    client.force_login(staff_a)
    url = reverse("points-ranking") + f"?year={YEAR}&level=county&region={county_a.pk}"

    with django_assert_max_num_queries(8):
        response = client.get(url)

    assert response.status_code == 200
    assert "代表00" in response.content.decode()


def test_staff_ranking_page_offers_only_regions_in_scope(
    client, county_a, township_a, term_a, staff_b
):
    d = DeputyFactory(region=township_a, name="隆回代表")
    MandateFactory(deputy=d, level=Level.COUNTY, congress_region=county_a, term=term_a)
    client.force_login(staff_b)

    response = client.get(
        reverse("points-ranking") + f"?year={YEAR}&level=county&region={county_a.pk}"
    )

    assert response.status_code == 200
    assert "隆回代表" not in response.content.decode()
    assert "隆回县" not in response.content.decode()


# --- admin -----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [5, 50])
@pytest.mark.parametrize(
    "model", ["pointentry", "pointrule", "voterreport", "rankingsnapshot"]
)
def test_admin_changelists_queries_do_not_grow(
    client,
    county_a,
    township_a,
    station,
    staff_a,
    n,
    model,
    django_assert_max_num_queries,
):
    deputies = [DeputyFactory(region=township_a) for _ in range(n)]
    rule(county_a, Fact.VISIT, 1)
    for fact in (Fact.ACTIVITY_PRESENT, Fact.OPINION_REPLIED, Fact.VOTER_REPORT):
        rule(county_a, fact, 1)
    for deputy in deputies:
        visit(station, datetime.date(YEAR, 3, 6), deputy)
        VoterReport.objects.create(deputy=deputy, date=datetime.date(YEAR, 3, 1))
    points_rebuild(year=YEAR)
    for i in range(n):
        RankingSnapshot.objects.create(
            title=f"排名{i}", region=county_a, year=YEAR, level=Level.COUNTY
        )
    client.force_login(staff_a)

    with django_assert_max_num_queries(12):
        response = client.get(reverse(f"admin:deputies_{model}_changelist"))

    assert response.status_code == 200


def test_admin_pending_confirmations_confirm_in_scope(
    client, county_a, station, deputy, staff_a
):
    rule(county_a, Fact.VISIT, 2, confirm=True)
    v = visit(station, datetime.date(YEAR, 3, 6), deputy)
    client.force_login(staff_a)
    url = reverse("admin:deputies_pointconfirmation_pending")

    page = client.get(url, {"fact": Fact.VISIT, "year": YEAR})
    assert page.status_code == 200
    assert "桃洪镇人大代表联络站" in page.content.decode()

    client.post(url, {"fact": Fact.VISIT, "year": YEAR, "source_id": [v.pk]})
    assert PointConfirmation.objects.filter(fact=Fact.VISIT, source_id=v.pk).exists()
    points_rebuild(year=YEAR)
    assert PointEntry.objects.get().points == 2


def test_admin_snapshot_add_then_publish_action(client, county_a, facts, staff_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("admin:deputies_rankingsnapshot_add"),
        {"title": "", "region": county_a.pk, "year": YEAR, "level": Level.COUNTY},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    snapshot = RankingSnapshot.objects.get()
    assert snapshot.rows[0]["name"] == "李建国"

    client.post(
        reverse("admin:deputies_rankingsnapshot_changelist"),
        {"action": "publish", "_selected_action": [snapshot.pk]},
    )
    snapshot.refresh_from_db()
    assert snapshot.published_at is not None
    public = client.get(reverse("ranking-public", args=[snapshot.public_token]))
    assert "李建国" in public.content.decode()


def test_admin_voter_report_form_shows_the_vote_error(client, deputy, staff_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("admin:deputies_voterreport_add"),
        {
            "deputy": deputy.pk,
            "date": "2026-06-01",
            "voters_present": 10,
            "satisfied": 9,
            "basically_satisfied": 3,
            "unsatisfied": 0,
        },
    )
    assert response.status_code == 200
    assert "超过到会选民" in response.content.decode()
    assert not VoterReport.objects.exists()


def test_archive_lists_the_suggestions_led_in_the_year(facts):
    from suggestions.models import Suggestion

    Suggestion.objects.create(
        title="关于修缮村道的建议",
        content="村道破损严重。",
        lead_deputy=facts,
        region=facts.region,
        status="registered",
        submitted_at=aware(YEAR, 3, 1),
    )

    [item] = archive.archives_build(deputy_ids=[facts.pk], year=YEAR)

    section = next(s for s in item.sections if s.key == "suggestions")
    assert [line.text for line in section.lines] == ["关于修缮村道的建议"]
    assert section.lines[0].note.startswith("领衔")


# --- demo data ---------------------------------------------------------------------------


def test_demo_builder_sets_rules_rebuilds_and_publishes_once(county_a, station, deputy):
    """seed_demo twice: the demo rule set, one published ranking, the same ledger."""
    from deputies.points_data import DEMO_RULES
    from deputies.points_data import points_demo_build

    visit(station, datetime.date(YEAR, 3, 6), deputy)
    points_demo_build(log=lambda message: None)
    ledger = sorted(PointEntry.objects.values_list("fact", "source_id", "points"))
    points_demo_build(log=lambda message: None)

    assert PointRule.objects.filter(region=county_a).count() == len(DEMO_RULES)
    assert sorted(PointEntry.objects.values_list("fact", "source_id", "points")) == (
        ledger
    )
    assert (Fact.VISIT, Decimal("2.0")) in [(f, p) for f, _, p in ledger]
    snapshot = RankingSnapshot.objects.get()
    assert snapshot.published_at is not None
    assert snapshot.rows[0]["name"] == "李建国"
