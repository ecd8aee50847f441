"""The 建议办理情况报告 PDF shows the statistics page's figures; the reply letter."""

import re
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from congress.models import GeneratedReport
from congress.models import Region
from congress.reports.services import report_request
from suggestions import services
from suggestions.models import Reply
from suggestions.models import ReviewStage
from suggestions.reports import handling_report_pdf
from tests.factories.congress import RegionFactory
from tests.factories.suggestions import SuggestionFactory
from tests.pdf import pdf_fonts
from tests.suggestions.conftest import deputy_with_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return re.sub(r"\s+", "", text)


@pytest.fixture
def handled_year(deputy_a, deputy_a2, advance, liaison_a):
    """Three suggestions: closed satisfied (A), re-handled (closed), replied B."""
    first = SuggestionFactory(lead_deputy=deputy_a, category="transport")
    advance(first, "replied")
    services.evaluation_record(
        suggestion=first, actor=deputy_a.user, deputy=deputy_a, result="satisfied"
    )
    second = SuggestionFactory(lead_deputy=deputy_a2, category="transport")
    advance(second, "closed")
    third = SuggestionFactory(lead_deputy=deputy_a, category="education")
    advance(third, "replied", result_class="B")
    return [first, second, third]


def test_statistics_page_and_report_pdf_show_same_figures(
    client,
    handled_year,
    staff_a,
    county_a,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    year = timezone.localdate().year
    client.force_login(staff_a)
    page = client.get(reverse("suggestions:statistics"), {"year": year})
    html = page.content.decode()
    unit_row = page.context["units"][0]
    assert (unit_row.assigned, unit_row.replied, unit_row.a, unit_row.b) == (3, 3, 2, 1)
    assert unit_row.rehandled == 1
    # Final ratings: 满意 (first), 满意 after re-handling (second) → 2/2.
    assert unit_row.satisfaction_rate == "100.0%"
    assert "隆回县交通运输局" in html and "100.0%" in html

    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(
            kind="suggestions.handling",
            params={"region_id": county_a.pk, "year": year},
            requester=staff_a,
        )
    report.refresh_from_db()
    assert report.status == GeneratedReport.Status.DONE, report.error
    content = report.file.read()
    assert content.startswith(b"%PDF")
    text = _text(content, tmp_path)
    assert "代表建议办理情况报告" in text
    assert "隆回县交通运输局" in text
    assert "100.0%" in text
    assert "2/1/0/0" in text  # A/B/C/D as on the statistics page
    assert unit_row.on_time_rate in text
    assert "CJK" in pdf_fonts(content, tmp_path)


def test_category_and_township_figures_on_page_and_in_pdf(
    client, handled_year, deputy_a, deputy_b, staff_a, county_a, tmp_path
):
    """Per category and per township (of the lead deputy): registered suggestions
    only, of the county and year; the report PDF prints the page's figures."""
    xiaoshajiang = RegionFactory(
        name="小沙江镇",
        code=Region.full_code("430524109"),
        level=Region.Level.TOWNSHIP,
        parent=county_a,
    )
    mountain = deputy_with_user(xiaoshajiang, "deputy_a3", "刘春花")
    registered = SuggestionFactory(lead_deputy=mountain, category="health")
    services.suggestion_submit(suggestion=registered, actor=mountain.user)
    for stage in ReviewStage.values:
        services.suggestion_review(
            suggestion=registered, actor=staff_a, stage=stage, decision="pass"
        )
    SuggestionFactory(lead_deputy=deputy_a, category="environment")  # a draft
    SuggestionFactory(lead_deputy=deputy_b, category="urban")  # another county
    year = timezone.localdate().year
    client.force_login(staff_a)
    page = client.get(reverse("suggestions:statistics"), {"year": year})
    categories = [("交通出行", 2), ("医疗卫生", 1), ("教育科技文化", 1)]
    townships = [("桃洪镇", 3), ("小沙江镇", 1)]
    assert sorted(page.context["categories"]) == sorted(categories)
    assert page.context["townships"] == townships
    html = re.sub(r"\s+", "", page.content.decode())
    pdf = _text(handling_report_pdf(region=county_a, year=year), tmp_path)
    for label, n in categories + townships:
        assert f"{label}:{n}" in html, label
        assert f"{label}:{n}" in pdf, label
    assert "生态环境" not in pdf and "城乡建设" not in pdf


def test_reply_letter_pdf(client, deputy_a, advance, liaison_a, liaison_a2, tmp_path):
    suggestion = SuggestionFactory(lead_deputy=deputy_a, title="关于农村道路硬化的建议")
    assignment = advance(suggestion, "replied", result_class="B")
    reply = Reply.objects.get(assignment=assignment)
    url = reverse("suggestions:unit-reply-letter", args=[assignment.pk, reply.pk])
    client.force_login(liaison_a2)
    assert client.get(url).status_code == 404
    client.force_login(liaison_a)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF")
    text = _text(content, tmp_path)
    assert "隆回县交通运输局" in text
    assert "关于农村道路硬化的建议" in text
    assert "李建国代表" in text
    assert "签发人:张局长" in text
    assert "年底前完成道路硬化" in text
    assert "CJK" in pdf_fonts(content, tmp_path)


def test_deputy_downloads_own_reply_letter_only(client, deputy_a, deputy_b, advance):
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    assignment = advance(suggestion, "replied")
    reply = Reply.objects.get(assignment=assignment)
    url = reverse("suggestions:portal-reply-letter", args=[suggestion.pk, reply.pk])
    client.force_login(deputy_b.user)
    assert client.get(url).status_code == 404
    client.force_login(deputy_a.user)
    response = client.get(url)
    assert response.content.startswith(b"%PDF")
