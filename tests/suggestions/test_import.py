"""xlsx import: dry run reports every error; one bad row and nothing is created."""

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from suggestions.imports import suggestion_import
from suggestions.models import Suggestion
from suggestions.resources import SuggestionResource
from suggestions.search import search_filter

pytestmark = pytest.mark.django_db

HEADER = ["年度", "编号", "标题", "内容", "类别", "领衔代表", "主办单位"]


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _good(deputy, unit):
    return [
        [
            2025,
            1,
            "关于农村道路硬化的建议",
            "建议硬化桃洪镇村组道路八公里。",
            "交通出行",
            deputy.name,
            unit.name,
        ],
        [
            2025,
            2,
            "关于学校食堂的建议",
            "建议改善乡镇学校食堂条件。",
            "教育科技文化",
            deputy.name,
            "",
        ],
    ]


def test_dry_run_then_commit(deputy_a, unit_a, staff_a):
    content = _xlsx(_good(deputy_a, unit_a))
    outcome = suggestion_import(content=content, actor=staff_a, dry_run=True)
    assert outcome.ok and outcome.rows == 2
    assert not Suggestion.objects.exists()
    outcome = suggestion_import(content=content, actor=staff_a, dry_run=False)
    assert outcome.created == 2
    road = Suggestion.objects.get(number=1)
    assert road.status == Suggestion.Status.ASSIGNED
    assert road.assignments.get().unit == unit_a
    assert Suggestion.objects.get(number=2).status == Suggestion.Status.REGISTERED
    assert search_filter(Suggestion.objects.all(), "道路").get() == road


def test_one_bad_row_imports_nothing_and_lists_every_error(deputy_a, unit_a, staff_a):
    rows = _good(deputy_a, unit_a) + [
        [2025, 3, "关于某事的建议", "短", "不存在的类别", "查无此人", "没有这个局"],
        [
            2025,
            1,
            "重复编号的建议",
            "内容足够长足够长足够长。",
            "其他",
            deputy_a.name,
            "",
        ],
    ]
    outcome = suggestion_import(content=_xlsx(rows), actor=staff_a, dry_run=False)
    assert not outcome.ok
    text = "\n".join(outcome.errors)
    assert "第4行:内容太短" in text
    assert "类别“不存在的类别”" in text
    assert "本县没有名为“查无此人”的代表" in text
    assert "本县没有名为“没有这个局”的单位" in text
    assert "第5行:2025年闭会期间第1号已存在" in text
    assert not Suggestion.objects.exists()


def test_other_county_deputy_not_found(deputy_b, unit_a, staff_a):
    rows = [
        [
            2025,
            1,
            "关于道路的建议",
            "内容足够长足够长足够长。",
            "其他",
            deputy_b.name,
            "",
        ]
    ]
    outcome = suggestion_import(content=_xlsx(rows), actor=staff_a, dry_run=False)
    assert "本县没有名为" in outcome.errors[0]
    assert not Suggestion.objects.exists()


def test_not_xlsx_refused(staff_a):
    with pytest.raises(ValidationError, match="xlsx"):
        suggestion_import(content=b"not a workbook", actor=staff_a, dry_run=True)


def test_export_has_chinese_headers(client, staff_a, deputy_a, unit_a):
    suggestion_import(
        content=_xlsx(_good(deputy_a, unit_a)), actor=staff_a, dry_run=False
    )
    from suggestions.resources import SuggestionResource

    dataset = SuggestionResource().export(Suggestion.objects.all())
    assert dataset.headers[:3] == ["年度", "编号", "会议"]
    assert "隆回县交通运输局" in dataset.csv


def test_admin_export_is_scoped_and_without_n_plus_one(
    client, staff_a, staff_b, deputy_a, unit_a, django_assert_max_num_queries
):
    suggestion_import(
        content=_xlsx(_good(deputy_a, unit_a)), actor=staff_a, dry_run=False
    )
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    from suggestions.admin import SuggestionAdmin

    admin = SuggestionAdmin(Suggestion, site)
    for user, expected in ((staff_a, 2), (staff_b, 0)):
        request = RequestFactory().get("/")
        request.user = user
        queryset = admin.get_export_queryset(request)
        with django_assert_max_num_queries(6):
            dataset = SuggestionResource().export(queryset)
        assert len(dataset) == expected


def test_admin_import_page_checks_then_imports(client, staff_a, deputy_a, unit_a):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    url = reverse("admin:suggestions_suggestion_import_xlsx")
    client.force_login(staff_a)
    content = _xlsx(_good(deputy_a, unit_a))
    check = client.post(url, {"file": SimpleUploadedFile("建议.xlsx", content)})
    assert "检查通过:2 行可以导入" in check.content.decode()
    assert not Suggestion.objects.exists()
    done = client.post(
        url, {"file": SimpleUploadedFile("建议.xlsx", content), "confirm": "on"}
    )
    assert done.status_code == 302
    assert Suggestion.objects.count() == 2
