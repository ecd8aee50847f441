"""PDF reports of livelihood_votes: the signed result and the annual report."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from congress import voting
from congress.models import GeneratedReport
from congress.reports import registry
from congress.reports.render import render_pdf
from livelihood_votes import services
from livelihood_votes.reports import ANNUAL_KIND
from livelihood_votes.reports import RESULT_KIND
from tests.factories.livelihood_votes import deputies_with_users
from tests.factories.livelihood_votes import published_round

pytestmark = pytest.mark.django_db


def _tool(tool: str, content: bytes, tmp_path: Path) -> str:
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(content)
    command = [tool, str(path)] + (["-"] if tool == "pdftotext" else [])
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def _render(kind: str, *, region, params) -> bytes:
    report_kind = registry.report_kind_get(kind)
    context = report_kind.build_context(region=region, params=params)
    return render_pdf(report_kind.template_name, context).content


@pytest.fixture
def decided(county_a, staff_a):
    round_ = published_round(region=county_a, staff=staff_a, candidates=3, choose=2)
    voters = deputies_with_users(5, region=county_a, term=round_.term)
    round_ = services.round_voting_open(round_=round_, user=staff_a)
    for voter in voters:
        voting.vote_cast(
            poll=round_.poll,
            voter=voter,
            choices={o.pk: "yes" for o in round_.poll.options.order_by("order")[:2]},
        )
    services.round_voting_close(round_=round_, user=staff_a)
    services.round_decide(round_=round_, user=staff_a)
    round_.refresh_from_db()
    return round_


def test_result_report_pdf_has_counts_signatures_and_cjk_font(decided, tmp_path):
    content = _render(
        RESULT_KIND, region=decided.region, params={"round_id": decided.pk}
    )
    assert content.startswith(b"%PDF")
    text = re.sub(r"\s+", "", _tool("pdftotext", content, tmp_path))
    assert "票决结果报告" in text or "各候选项目得票" in text
    assert "候选项目1" in text and "赞成:5" in text
    assert "计票人(签名)" in text and "总监票人(签名)" in text
    fonts = _tool("pdffonts", content, tmp_path)
    assert "CJK" in fonts and " yes " in fonts


def test_annual_report_pdf_lists_projects_with_charts(decided, staff_a, tmp_path):
    services.round_implementation_start(round_=decided, user=staff_a)
    content = _render(ANNUAL_KIND, region=decided.region, params={"year": 2026})
    assert content.startswith(b"%PDF")
    text = re.sub(r"\s+", "", _tool("pdftotext", content, tmp_path))
    assert "各项目完成进度" in text and "代表满意度测评结果" in text
    assert "候选项目1" in text and "候选项目2" in text


def test_result_report_requested_from_presiding_page(
    client, decided, staff_a, django_capture_on_commit_callbacks
):
    client.force_login(staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("livelihood-staff-report", args=[decided.pk]))
    report = GeneratedReport.objects.get(kind=RESULT_KIND)
    assert response.url == reverse("report-detail", args=[report.pk])
    assert report.status == GeneratedReport.Status.DONE
    assert report.file.read().startswith(b"%PDF")


def test_result_report_refused_for_another_county(client, decided, staff_b):
    client.force_login(staff_b)
    response = client.post(reverse("livelihood-staff-report", args=[decided.pk]))
    assert response.status_code == 404
    assert not GeneratedReport.objects.exists()
