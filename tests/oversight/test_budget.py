"""Budget and debt watch: risk rules at their steps, the all-or-nothing import, alerts."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from congress.models import AuditEvent
from congress.models import Notification
from deputies.imports import read_xlsx
from oversight.budget import COLUMNS
from oversight.budget import BudgetImportRefused
from oversight.budget import Risk
from oversight.budget import budget_import
from oversight.budget import county_risk
from oversight.budget import risk_assess
from oversight.models import BudgetIndicator
from tests.deputies.xlsx import xlsx_bytes
from tests.factories.congress import OrganizationFactory

pytestmark = pytest.mark.django_db

HEADERS = list(COLUMNS.values())


def _rows(data: bytes):
    return read_xlsx(io.BytesIO(data))


@pytest.mark.parametrize(
    ("executed", "level"),
    [
        # June: 50% of the year gone. Lag 9.9 points: green; 10: yellow.
        (Decimal("40.1"), Risk.GREEN),
        (Decimal("40"), Risk.YELLOW),
        (Decimal("30.1"), Risk.YELLOW),
        (Decimal("30"), Risk.ORANGE),
        (Decimal("20"), Risk.RED),
    ],
)
def test_execution_lag_steps(executed, level):
    assert risk_assess(month=6, budget=Decimal(100), executed=executed).level == level


@pytest.mark.parametrize(
    ("debt", "level"),
    [
        (Decimal("79.9"), Risk.GREEN),
        (Decimal("80"), Risk.YELLOW),
        (Decimal("100"), Risk.ORANGE),
        (Decimal("120"), Risk.RED),
    ],
)
def test_debt_ratio_steps(debt, level):
    """The worse of the two counts: execution on time, debt decides."""
    risk = risk_assess(
        month=12,
        budget=Decimal(100),
        executed=Decimal(100),
        debt_balance=debt,
        fiscal_capacity=Decimal(100),
    )
    assert risk.level == level


@pytest.fixture
def units(county_a, county_b):
    return (
        OrganizationFactory(code="LH-EDU", name="隆回县教育局", region=county_a),
        OrganizationFactory(code="LH-WAT", name="隆回县水利局", region=county_a),
        OrganizationFactory(code="DK-EDU", name="洞口县教育局", region=county_b),
    )


def test_import_good_file_writes_and_alerts_staff_once(units, county_a, staff_a):
    data = xlsx_bytes(
        [
            ["LH-EDU", 2026, 6, 1000, 480, 0, None],
            ["LH-WAT", 2026, 6, 1000, 150, 900, 600],
        ],
        headers=HEADERS,
    )
    dry = budget_import(user=staff_a, rows=_rows(data), dry_run=True)
    assert dry.is_valid and BudgetIndicator.objects.count() == 0
    outcome = budget_import(user=staff_a, rows=_rows(data), dry_run=False)
    assert outcome.written == 2 and outcome.alerts == 1
    result = county_risk(region=county_a, year=2026, month=6)
    levels = {row.unit.code: risk.level for row, risk in result.units}
    assert levels == {"LH-EDU": Risk.GREEN, "LH-WAT": Risk.RED}
    assert result.total.level == Risk.RED  # 630 of 2000 executed; debt 150%
    again = budget_import(user=staff_a, rows=_rows(data), dry_run=False)
    assert again.alerts == 0 and BudgetIndicator.objects.count() == 2
    assert Notification.objects.filter(kind="oversight.budget_alert").count() == 1


def test_import_bad_file_reports_every_row_and_writes_nothing(units, staff_a):
    data = xlsx_bytes(
        [
            ["LH-EDU", 2026, 6, 1000, 480, 0, None],  # fine
            ["DK-EDU", 2026, 6, 1000, 480, 0, None],  # county B: out of scope
            ["LH-WAT", 2026, 13, "一千", -5, 0, None],  # month, budget, executed
            ["LH-EDU", 2026, 6, 1000, 480, 0, None],  # duplicate of row 2
        ],
        headers=HEADERS,
    )
    with pytest.raises(BudgetImportRefused, match="未导入任何数据") as refused:
        budget_import(user=staff_a, rows=_rows(data), dry_run=False)
    messages = [str(p) for p in refused.value.outcome.errors]
    assert any(m.startswith("第3行 单位编码") and "管辖范围" in m for m in messages)
    assert any(m.startswith("第4行 月份") for m in messages)
    assert any(m.startswith("第4行 年度预算数") and "数字" in m for m in messages)
    assert any(m.startswith("第4行 累计执行数") and "负数" in m for m in messages)
    assert any(m.startswith("第5行") and "重复" in m for m in messages)
    assert BudgetIndicator.objects.count() == 0
    assert AuditEvent.objects.filter(kind="import", success=False).exists()


def test_import_missing_columns_is_refused_clearly(units, staff_a):
    data = xlsx_bytes([["LH-EDU", 2026]], headers=["单位编码", "年度"])
    outcome = budget_import(user=staff_a, rows=_rows(data), dry_run=True)
    assert "缺少必需的列" in str(outcome.errors[0])
    assert "月份" in str(outcome.errors[0])


def test_xlsx_helper_writes_our_headers():
    data = xlsx_bytes([], headers=HEADERS)
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == HEADERS


def test_admin_import_page_checks_then_imports(client, units, staff_a):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(staff_a)
    url = reverse("admin:oversight_budgetindicator_import")
    data = xlsx_bytes([["LH-EDU", 2026, 6, 1000, 480, 0, None]], headers=HEADERS)
    page = client.post(url, {"file": SimpleUploadedFile("b.xlsx", data)})
    assert "检查通过" in page.content.decode()
    assert BudgetIndicator.objects.count() == 0
    done = client.post(
        url, {"file": SimpleUploadedFile("b.xlsx", data), "commit": "on"}
    )
    assert done.status_code == 302 and BudgetIndicator.objects.count() == 1
    bad = client.post(url, {"file": SimpleUploadedFile("b.xlsx", b"not a workbook")})
    assert "无法读取该文件" in bad.content.decode()
    changelist = client.get(reverse("admin:oversight_budgetindicator_changelist"))
    assert "48.0%" in changelist.content.decode()
