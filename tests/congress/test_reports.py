"""PDF report pipeline: rendering, fonts, the task, the pages and the roster."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress.models import GeneratedReport
from congress.models import Region
from congress.reports import registry
from congress.reports.charts import bar_chart_svg
from congress.reports.qr import qr_svg
from congress.reports.render import page_number_css
from congress.reports.render import render_pdf
from congress.reports.services import report_generate
from congress.reports.services import report_request
from congress.reports.tasks import report_generate_task
from congress.roles import Role
from deputies.models import Deputy
from deputies.models import Level
from deputies.reports import ROSTER_KIND
from deputies.reports import ROSTER_TEMPLATE
from deputies.reports import build_roster_context
from tests.factories.congress import RegionFactory
from tests.factories.congress import TermFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory
from tests.factories.deputies import MandateFactory
from tests.factories.deputies import StationAssignmentFactory
from tests.pdf import assert_cjk_embedded
from tests.pdf import squeeze

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Generated files go to a temporary media directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf_text(content: bytes, tmp_path: Path, *, page: int | None = None) -> str:
    """Text of the PDF (or of one page) as pdftotext extracts it."""
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    args = ["pdftotext", "-layout"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    result = subprocess.run(
        [*args, str(path), "-"], capture_output=True, check=True, text=True
    )
    return result.stdout


def make_roster(
    county: Region,
    township: Region,
    *,
    deputies: int,
    stations: int = 1,
    first: int = 0,
):
    """A county with ``deputies`` deputies in one township and a few stations,
    numbered from ``first`` so the helper can be called twice."""
    term = TermFactory(region=county)
    people = []
    for index in range(first, first + deputies):
        deputy = DeputyFactory(
            region=township,
            name=f"代表{index:03d}号",
            workplace="隆回县农业农村局",
            title="局长",
            phone=f"1380000{index:04d}",
        )
        MandateFactory(
            deputy=deputy, level=Level.COUNTY, congress_region=county, term=term
        )
        people.append(deputy)
    for index in range(first, first + stations):
        station = LiaisonStationFactory(
            region=township, name=f"桃洪镇第{index + 1}代表联络站", address="人民路1号"
        )
        for deputy in people[:3]:
            StationAssignmentFactory(station=station, deputy=deputy)
    return people


def test_roster_pdf_has_chinese_text_page_numbers_and_embedded_cjk_font(
    county_a, township_a, tmp_path
):
    """The roster renders to a PDF whose text is Chinese and whose CJK font is
    embedded, with the county, a deputy, a station and "第 1 页"."""
    make_roster(county_a, township_a, deputies=4, stations=2)
    pdf = render_pdf(ROSTER_TEMPLATE, build_roster_context(region=county_a, params={}))

    assert pdf.content.startswith(b"%PDF"), "the output is not a PDF"
    text = squeeze(pdf_text(pdf.content, tmp_path))
    for expected in (
        "隆回县",
        "代表000号",
        "桃洪镇第1代表联络站",
        "第1页",
        "138****0000",
    ):
        assert expected in text, f"{expected!r} missing from the PDF text"
    assert "13800000000" not in text, "the roster must print phones masked"
    assert_cjk_embedded(pdf.content, tmp_path)


def test_roster_pdf_many_rows_repeats_the_table_header_on_each_page(
    county_a, township_a, tmp_path
):
    """A long deputy table runs over several pages and every page of it starts
    with the column headers again."""
    make_roster(county_a, township_a, deputies=90)
    pdf = render_pdf(ROSTER_TEMPLATE, build_roster_context(region=county_a, params={}))

    assert pdf.pages >= 5, f"expected a multi-page roster, got {pdf.pages} pages"
    table_pages = [
        page
        for page in range(1, pdf.pages + 1)
        if "隆回县农业农村局" in squeeze(pdf_text(pdf.content, tmp_path, page=page))
    ]
    assert len(table_pages) >= 2, f"the table should span pages, got {table_pages}"
    for page in table_pages:
        text = squeeze(pdf_text(pdf.content, tmp_path, page=page))
        assert "工作单位及职务" in text, f"page {page} lacks the repeated header"
        assert f"第{page}页/共{pdf.pages}页" in text, f"page {page} lacks its number"


def test_roster_selector_query_count_is_the_same_for_5_and_50_deputies(
    county_a, township_a, django_assert_max_num_queries
):
    """Building the roster costs a fixed number of queries (deputies, their
    mandates, stations, their assignments), not one per deputy."""
    make_roster(county_a, township_a, deputies=5)
    with CaptureQueriesContext(connection) as small:
        build_roster_context(region=county_a, params={})

    make_roster(county_a, township_a, deputies=45, stations=3, first=5)
    # 1 deputies + regions, 2 active mandates with term and delegation,
    # 3 stations + region, 4 assignments with deputy.
    with django_assert_max_num_queries(4):
        build_roster_context(region=county_a, params={})
    with CaptureQueriesContext(connection) as large:
        build_roster_context(region=county_a, params={})
    assert len(small) == len(large), (
        f"{len(small)} queries for 5 deputies, {len(large)} for 50"
    )


def test_roster_groups_deputies_by_township_and_counts_them_in_the_chart(
    county_a, township_a
):
    """Deputies are grouped under their township; the chart carries the counts."""
    other = RegionFactory(
        name="六都寨镇",
        code=Region.full_code("430524101"),
        level=Region.Level.TOWNSHIP,
        parent=county_a,
    )
    make_roster(county_a, township_a, deputies=3)
    DeputyFactory(region=other, name="李四")
    context = build_roster_context(region=county_a, params={})

    assert [g.name for g in context["deputy_groups"]] == ["桃洪镇", "六都寨镇"]
    assert [len(g.rows) for g in context["deputy_groups"]] == [3, 1]
    assert "六都寨镇" in context["chart_svg"], "the chart should label townships"
    assert context["deputy_count"] == 4


def test_roster_excludes_other_counties(county_a, township_a, township_b):
    """A county's roster lists nothing from another county."""
    make_roster(county_a, township_a, deputies=2)
    DeputyFactory(region=township_b, name="洞口代表")
    LiaisonStationFactory(region=township_b, name="洞口联络站")
    context = build_roster_context(region=county_a, params={})

    names = [row.name for g in context["deputy_groups"] for row in g.rows]
    assert "洞口代表" not in names
    assert "洞口联络站" not in [s["name"] for s in context["stations"]]


def test_report_request_runs_the_task_after_commit_and_stores_the_pdf(
    county_a, township_a, staff_a, django_capture_on_commit_callbacks
):
    """A request creates a pending report; after commit the task renders it,
    counts its pages and marks it done at 100%."""
    make_roster(county_a, township_a, deputies=3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = report_request(
            kind=ROSTER_KIND, params={"region_id": county_a.pk}, requester=staff_a
        )
        assert report.status == GeneratedReport.Status.PENDING
    assert len(callbacks) == 1, "the task must be enqueued once, after commit"

    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.DONE, report.error
    assert report.progress == 100
    assert report.pages and report.pages >= 3
    assert report.title == "隆回县代表和联络站名册"
    assert report.region == county_a
    with report.file.open("rb") as handle:
        assert handle.read(4) == b"%PDF"


def test_report_task_run_twice_produces_one_file(
    county_a, township_a, staff_a, media_root, django_capture_on_commit_callbacks
):
    """A retried task (the worker died after finishing) finds the report done
    and leaves the one file alone."""
    make_roster(county_a, township_a, deputies=2)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(
            kind=ROSTER_KIND, params={"region_id": county_a.pk}, requester=staff_a
        )
    report.refresh_from_db()
    first_name, first_finished = report.file.name, report.finished_at

    report_generate_task.apply(args=[report.pk])
    report.refresh_from_db()

    assert report.file.name == first_name
    assert report.finished_at == first_finished
    files = list(Path(media_root).rglob("*.pdf"))
    assert len(files) == 1, f"expected one PDF, found {files}"


def test_report_task_is_declared_idempotent_for_redelivery():
    """The task acknowledges late and is re-queued if its worker dies, and goes
    to the reports queue."""
    from django.conf import settings

    assert report_generate_task.name == "congress.reports.generate"
    assert report_generate_task.acks_late is True
    assert report_generate_task.reject_on_worker_lost is True
    routes = settings.CELERY_TASK_ROUTES
    assert routes["congress.reports.*"]["queue"] == "reports"


def test_report_request_for_a_region_out_of_scope_is_refused(
    county_b, staff_a, django_capture_on_commit_callbacks
):
    """County-A staff cannot ask for county B's roster; nothing is queued."""
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(ValidationError, match="不在您的权限范围内"):
            report_request(
                kind=ROSTER_KIND, params={"region_id": county_b.pk}, requester=staff_a
            )
    assert not callbacks
    assert not GeneratedReport.objects.exists()


def test_report_request_by_a_role_without_reports_is_refused(county_a):
    """A deputy may not print the county roster."""
    deputy_user = UserFactory(scope_region=county_a, roles=[Role.DEPUTY])
    with pytest.raises(PermissionDenied, match="无权申请"):
        report_request(
            kind=ROSTER_KIND, params={"region_id": county_a.pk}, requester=deputy_user
        )


def test_report_request_of_an_unknown_kind_is_refused(county_a, staff_a):
    """An unregistered kind is refused with its name in the message."""
    with pytest.raises(ValidationError, match="未知的报表类别"):
        report_request(
            kind="nope.nothing", params={"region_id": county_a.pk}, requester=staff_a
        )


def test_report_generate_failure_marks_the_report_failed_with_the_error(
    county_a, staff_a, monkeypatch
):
    """An error while building the report is stored and shown, not lost."""

    def broken(**kwargs):
        raise RuntimeError("数据源不可用")

    kind = registry.ReportKind(
        kind="tests.broken",
        title="坏报表",
        template_name=ROSTER_TEMPLATE,
        build_context=broken,
        can_request=lambda user: True,
    )
    monkeypatch.setitem(registry._REGISTRY, kind.kind, kind)
    report = GeneratedReport.objects.create(
        kind=kind.kind, title="坏报表", region=county_a, requester=staff_a
    )
    report_generate(report_id=report.pk)
    report.refresh_from_db()

    assert report.status == GeneratedReport.Status.FAILED
    assert "数据源不可用" in report.error
    assert not report.file


def make_done_report(region, requester, content=b"%PDF-1.7 test") -> GeneratedReport:
    from django.core.files.base import ContentFile

    report = GeneratedReport.objects.create(
        kind=ROSTER_KIND,
        title=f"{region.name}代表和联络站名册",
        region=region,
        requester=requester,
        status=GeneratedReport.Status.DONE,
        progress=100,
        pages=1,
    )
    report.file.save("r.pdf", ContentFile(content))
    return report


def test_report_of_county_b_is_404_to_county_a_staff(
    client, staff_a, staff_b, county_b
):
    """County-A staff get 404 for county B's report page and download."""
    report = make_done_report(county_b, staff_b)
    client.force_login(staff_a)

    assert client.get(reverse("report-detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("report-download", args=[report.pk])).status_code == 404


def test_report_download_streams_the_pdf_to_its_county_staff(client, staff_b, county_b):
    """The requester downloads the PDF as an attachment, and the export is audited."""
    from congress.models import AuditEvent

    report = make_done_report(county_b, staff_b)
    client.force_login(staff_b)
    response = client.get(reverse("report-download", args=[report.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.EXPORT, user=staff_b
    ).exists(), "a report download is an export and must be audited"


def test_report_download_requires_login(client, staff_b, county_b):
    """Anonymous visitors are sent to the login page."""
    report = make_done_report(county_b, staff_b)
    response = client.get(reverse("report-download", args=[report.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_report_detail_while_running_shows_progress_and_refreshes(
    client, staff_a, county_a
):
    """A running report's page shows its progress and reloads itself."""
    report = GeneratedReport.objects.create(
        kind=ROSTER_KIND,
        title="隆回县代表和联络站名册",
        region=county_a,
        requester=staff_a,
        status=GeneratedReport.Status.RUNNING,
        progress=60,
    )
    client.force_login(staff_a)
    html = client.get(reverse("report-detail", args=[report.pk])).content.decode()

    assert 'value="60"' in html, "the progress bar should show 60%"
    assert "生成中" in html
    assert 'http-equiv="refresh"' in html, "a running report's page must refresh"
    assert reverse("report-download", args=[report.pk]) not in html


def test_report_detail_when_done_links_the_download_and_stops_refreshing(
    client, staff_a, county_a
):
    """A finished report's page offers the download and no longer reloads."""
    report = make_done_report(county_a, staff_a)
    client.force_login(staff_a)
    html = client.get(reverse("report-detail", args=[report.pk])).content.decode()

    assert reverse("report-download", args=[report.pk]) in html
    assert 'http-equiv="refresh"' not in html


def test_report_list_shows_my_reports_only(client, staff_a, county_a):
    """The list shows the user's own reports and the kinds they may request."""
    mine = make_done_report(county_a, staff_a)
    colleague = UserFactory(scope_region=county_a, roles=[Role.STAFF])
    theirs = make_done_report(county_a, colleague)
    theirs.title = "同事的报表"
    theirs.save(update_fields=["title"])
    client.force_login(staff_a)
    html = client.get(reverse("report-list")).content.decode()

    assert reverse("report-detail", args=[mine.pk]) in html
    assert "同事的报表" not in html
    assert reverse("report-new", args=[ROSTER_KIND]) in html


def test_report_new_page_offers_only_counties_in_scope_and_creates_the_report(
    client, staff_a, county_a, county_b, township_a, django_capture_on_commit_callbacks
):
    """The request form lists the user's county only; posting it makes the
    report and leads to its status page."""
    make_roster(county_a, township_a, deputies=1)
    client.force_login(staff_a)
    url = reverse("report-new", args=[ROSTER_KIND])
    html = client.get(url).content.decode()
    assert "隆回县" in html and "洞口县" not in html

    refused = client.post(url, {"region": county_b.pk})
    assert refused.status_code == 200, "an out-of-scope county is a form error"
    assert not GeneratedReport.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"region": county_a.pk})
    report = GeneratedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("report-detail", args=[report.pk])
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.DONE, report.error


def test_page_number_css_turns_the_translated_label_into_counters():
    """The footer label keeps its Chinese text around the two page counters."""
    css = page_number_css()
    assert '"第 " counter(page) " 页 / 共 " counter(pages) " 页"' in css


def test_bar_chart_svg_escapes_labels_and_keeps_them_as_text():
    """Chart labels are text (searchable in the PDF) and escaped."""
    svg = bar_chart_svg([("桃洪镇<b>", 3), ("六都寨镇", 0)], title="代表人数")
    assert "<text" in svg and "桃洪镇&lt;b&gt;" in svg and "代表人数" in svg
    assert "<b>" not in svg


def test_qr_svg_encodes_an_absolute_site_url(settings):
    """The QR code is inline SVG for the site's absolute address."""
    settings.SITE_URL = "https://rd.example.gov.cn"
    from congress.reports.qr import absolute_url

    assert absolute_url("/admin/") == "https://rd.example.gov.cn/admin/"
    assert qr_svg("/admin/").startswith("<svg")


def test_deputy_masked_phone_is_what_the_roster_prints(county_a, township_a):
    """The roster row carries the masked phone, never the stored number."""
    make_roster(county_a, township_a, deputies=1)
    row = build_roster_context(region=county_a, params={})["deputy_groups"][0].rows[0]
    assert row.phone == Deputy.objects.get().masked_phone == "138****0000"
    assert row.levels == "县"


@pytest.mark.django_db(transaction=True)
def test_report_task_runs_in_a_real_worker_through_redis(
    county_a, township_a, staff_a, media_root
):
    """A worker process started with the reports queue picks the task up from
    Redis, renders the roster and marks it done; a second delivery of the same
    message (a retry after a lost worker) leaves the one file as it was."""
    import os
    import sys
    import time

    from celery import Celery
    from django.conf import settings as django_settings

    redis_url = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
    make_roster(county_a, township_a, deputies=3)
    report = GeneratedReport.objects.create(
        kind=ROSTER_KIND,
        title="隆回县代表和联络站名册",
        params={"region_id": county_a.pk},
        region=county_a,
        requester=staff_a,
    )
    database = django_settings.DATABASES["default"]
    queue = f"reports-test-{os.getpid()}"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": redis_url,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "MEDIA_ROOT": str(media_root),
    }
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "congress",
            "worker",
            "-Q",
            queue,
            "-P",
            "solo",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "WARNING",
        ],
        env=env,
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    sender = Celery(broker=redis_url)
    try:
        for _ in range(2):
            sender.send_task("congress.reports.generate", args=[report.pk], queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            report.refresh_from_db()
            if report.status in (
                GeneratedReport.Status.DONE,
                GeneratedReport.Status.FAILED,
            ):
                break
            assert worker.poll() is None, worker.stdout.read().decode()
            time.sleep(0.3)
        # Let the second delivery run too before looking at the files.
        time.sleep(2)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode()
        sender.close()

    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.DONE, (
        f"{report.status} {report.error}\n{output}"
    )
    assert report.progress == 100
    files = list(Path(media_root).rglob("*.pdf"))
    assert len(files) == 1, f"expected one PDF, found {files}"
    assert files[0].read_bytes().startswith(b"%PDF")


def test_report_generate_records_progress_in_steps(
    county_a, township_a, staff_a, monkeypatch
):
    """The task reports rising progress (context, HTML, layout, written) before
    the report is done at 100%."""
    from congress.reports import services

    seen: list[int] = []
    original = services.report_progress_set

    def record(*, report_id: int, progress: int) -> None:
        seen.append(progress)
        original(report_id=report_id, progress=progress)

    monkeypatch.setattr(services, "report_progress_set", record)
    make_roster(county_a, township_a, deputies=1)
    report = GeneratedReport.objects.create(
        kind=ROSTER_KIND,
        title="隆回县代表和联络站名册",
        region=county_a,
        requester=staff_a,
    )
    report_generate(report_id=report.pk)
    report.refresh_from_db()

    assert seen == [10, 30, 60, 90], f"progress steps were {seen}"
    assert report.status == GeneratedReport.Status.DONE
    assert report.progress == 100
