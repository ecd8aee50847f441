"""Budget and debt watch (预算联网监督, a first step): the risk rules, the xlsx import
of monthly indicators, and the alerts.

The rules — the ONE place they live:

- Execution rate = cumulative execution / annual budget. It is compared with the
  share of the year gone by (month / 12, the "时序进度" that budget committees use).
  Lagging by less than 10 percentage points is green, 10 to under 20 yellow,
  20 to under 30 orange, 30 or more red.
- Debt ratio (债务率) = debt balance / comprehensive fiscal capacity (综合财力).
  100% is the warning line of the Ministry of Finance's early warning of local
  government debt risk; this platform marks under 80% green, 80% to under 100%
  yellow, 100% to under 120% orange and 120% or more red.
- A unit's level is the worse of the two; the county's is computed the same way
  from the totals of all its units.

These steps are the platform's defaults, not statute: a deployment may set
``OVERSIGHT_BUDGET_THRESHOLDS`` in settings.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from django.conf import settings
from django.db import models
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress.audit import audit_record
from congress.models import AuditEvent
from congress.models import Organization
from congress.models import Region
from congress.models import User
from congress.notify import notification_schedule
from congress.roles import Role
from congress.scope import user_sees_everything
from deputies.imports import ImportProblem
from oversight.models import BudgetIndicator


class Risk(models.IntegerChoices):
    GREEN = 0, gettext_lazy("绿色")
    YELLOW = 1, gettext_lazy("黄色")
    ORANGE = 2, gettext_lazy("橙色")
    RED = 3, gettext_lazy("红色")


DEFAULT_THRESHOLDS = {
    # percentage points behind the time-elapsed share: yellow, orange, red from …
    "execution_lag": (10, 20, 30),
    # debt ratio in percent: yellow, orange, red from …
    "debt_ratio": (80, 100, 120),
}


def thresholds() -> dict[str, tuple[int, int, int]]:
    return {
        **DEFAULT_THRESHOLDS,
        **getattr(settings, "OVERSIGHT_BUDGET_THRESHOLDS", {}),
    }


def _level(value: Decimal, steps: Sequence[int]) -> Risk:
    level = Risk.GREEN
    for risk, step in zip((Risk.YELLOW, Risk.ORANGE, Risk.RED), steps, strict=True):
        if value >= step:
            level = risk
    return level


@dataclass(frozen=True)
class RiskAssessment:
    execution_rate: Decimal | None  # percent
    expected_rate: Decimal  # percent
    debt_ratio: Decimal | None  # percent
    level: Risk

    @property
    def label(self) -> str:
        return str(self.level.label)


def risk_assess(
    *,
    month: int,
    budget: Decimal,
    executed: Decimal,
    debt_balance: Decimal = Decimal(0),
    fiscal_capacity: Decimal | None = None,
) -> RiskAssessment:
    """Apply the rules of the module docstring to one set of figures."""
    steps = thresholds()
    expected = (Decimal(month) * 100 / 12).quantize(Decimal("0.1"))
    level = Risk.GREEN
    execution_rate = None
    if budget > 0:
        execution_rate = (executed * 100 / budget).quantize(Decimal("0.1"))
        level = max(level, _level(expected - execution_rate, steps["execution_lag"]))
    debt_ratio = None
    if fiscal_capacity:
        debt_ratio = (debt_balance * 100 / fiscal_capacity).quantize(Decimal("0.1"))
        level = max(level, _level(debt_ratio, steps["debt_ratio"]))
    return RiskAssessment(
        execution_rate=execution_rate,
        expected_rate=expected,
        debt_ratio=debt_ratio,
        level=Risk(level),
    )


def indicator_risk(row: BudgetIndicator) -> RiskAssessment:
    return risk_assess(
        month=row.month,
        budget=row.budget,
        executed=row.executed,
        debt_balance=row.debt_balance,
        fiscal_capacity=row.fiscal_capacity,
    )


@dataclass
class CountyRisk:
    region: Region
    year: int
    month: int
    units: list[tuple[BudgetIndicator, RiskAssessment]]
    total: RiskAssessment | None


def county_risk(*, region: Region, year: int, month: int) -> CountyRisk:
    """Every unit's level for one month, and the county's from the totals."""
    rows = list(
        BudgetIndicator.objects.in_region(region)
        .filter(year=year, month=month)
        .select_related("unit")
        .order_by("unit__name")
    )
    units = [(row, indicator_risk(row)) for row in rows]
    total = None
    if rows:
        capacity = sum((r.fiscal_capacity or 0 for r in rows), Decimal(0))
        total = risk_assess(
            month=month,
            budget=sum((r.budget for r in rows), Decimal(0)),
            executed=sum((r.executed for r in rows), Decimal(0)),
            debt_balance=sum((r.debt_balance for r in rows), Decimal(0)),
            fiscal_capacity=capacity or None,
        )
    return CountyRisk(region=region, year=year, month=month, units=units, total=total)


# --- import ----------------------------------------------------------------------------

COLUMNS: dict[str, str] = {
    "unit": "单位编码",
    "year": "年度",
    "month": "月份",
    "budget": "年度预算数(万元)",
    "executed": "累计执行数(万元)",
    "debt_balance": "债务余额(万元)",
    "fiscal_capacity": "综合财力(万元)",
}
REQUIRED = ("unit", "year", "month", "budget", "executed")


class BudgetImportRefused(Exception):
    """The commit was refused because the file has errors; nothing was written."""

    def __init__(self, outcome: BudgetImportOutcome) -> None:
        super().__init__(
            _("导入文件有%(n)s处错误,未导入任何数据。") % {"n": len(outcome.errors)}
        )
        self.outcome = outcome


@dataclass
class BudgetImportOutcome:
    rows: list[BudgetIndicator] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)
    written: int = 0
    alerts: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decimal(value: Any) -> Decimal | None:
    text = _text(value).replace(",", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def _units_in_scope(user: User, codes: Iterable[str]) -> dict[str, Organization]:
    units = Organization.objects.filter(code__in=set(codes)).select_related("region")
    if not user_sees_everything(user):
        scope = user.scope_region
        if scope is None:
            return {}
        units = units.filter(region__code__startswith=scope.prefix)
    return {u.code: u for u in units}


def budget_import_check(
    *, user: User, rows: Iterable[Sequence[Any]]
) -> BudgetImportOutcome:
    """Check the file (header row first); return every problem; write nothing."""
    outcome = BudgetImportOutcome()
    iterator = iter(rows)
    headers = [_text(c) for c in next(iterator, None) or ()]
    missing = [COLUMNS[k] for k in REQUIRED if COLUMNS[k] not in headers]
    if missing:
        outcome.errors.append(
            ImportProblem(
                row=1,
                field=_("表头"),
                message=_("缺少必需的列:%(columns)s。整个文件未导入。")
                % {"columns": "、".join(missing)},
            )
        )
        return outcome
    index = {k: headers.index(h) for k, h in COLUMNS.items() if h in headers}
    records = []
    for number, cells in enumerate(iterator, start=2):
        raw = {k: cells[i] if i < len(cells) else None for k, i in index.items()}
        if not any(_text(v) for v in raw.values()):
            continue
        records.append((number, raw))
    if not records:
        outcome.errors.append(
            ImportProblem(row=2, field=_("数据"), message=_("文件中没有数据。"))
        )
        return outcome
    units = _units_in_scope(user, (_text(raw.get("unit")) for _n, raw in records))
    seen: dict[tuple, int] = {}
    for number, raw in records:
        problems = []

        def problem(key: str, message: str, number=number, problems=problems) -> None:
            problems.append(
                ImportProblem(row=number, field=COLUMNS[key], message=message)
            )

        unit = units.get(_text(raw.get("unit")))
        if unit is None:
            problem("unit", _("单位编码不存在,或该单位不在您的管辖范围内。"))
        values: dict[str, Any] = {}
        for key in ("year", "month"):
            text = _text(raw.get(key))
            if not text.isdigit():
                problem(key, _("应为整数。"))
            else:
                values[key] = int(text)
        if "month" in values and not 1 <= values["month"] <= 12:
            problem("month", _("月份应在1至12之间。"))
        if "year" in values and not 2000 <= values["year"] <= 2100:
            problem("year", _("年度不正确。"))
        for key in ("budget", "executed", "debt_balance", "fiscal_capacity"):
            try:
                number_value = _decimal(raw.get(key))
            except ValueError:
                problem(key, _("应为数字。"))
                continue
            if number_value is None:
                if key in REQUIRED:
                    problem(key, _("必填。"))
                continue
            if number_value < 0:
                problem(key, _("不能为负数。"))
            values[key] = number_value
        if values.get("budget") == 0:
            problem("budget", _("年度预算数不能为0。"))
        if unit is not None and "year" in values and "month" in values:
            key = (unit.pk, values["year"], values["month"])
            if key in seen:
                problem(
                    "unit",
                    _("与第%(row)s行重复(同一单位同一月份)。") % {"row": seen[key]},
                )
            seen.setdefault(key, number)
        outcome.errors.extend(problems)
        if not problems:
            outcome.rows.append(
                BudgetIndicator(
                    region=unit.region,
                    unit=unit,
                    year=values["year"],
                    month=values["month"],
                    budget=values["budget"],
                    executed=values["executed"],
                    debt_balance=values.get("debt_balance", Decimal(0)),
                    fiscal_capacity=values.get("fiscal_capacity"),
                    imported_by=user,
                )
            )
    return outcome


def budget_import(
    *, user: User, rows: Iterable[Sequence[Any]], dry_run: bool, file_name: str = ""
) -> BudgetImportOutcome:
    """Import monthly indicators, all rows or none; alert on orange and red.

    A row for a unit and month already imported replaces the earlier figures.
    Commits and refusals are audited.
    """
    if dry_run:
        return budget_import_check(user=user, rows=rows)
    try:
        outcome = _budget_import_write(user=user, rows=rows)
    except BudgetImportRefused as refused:
        _audited(user, refused.outcome, file_name, success=False)
        raise
    _audited(user, outcome, file_name, success=True)
    return outcome


@transaction.atomic
def _budget_import_write(*, user: User, rows) -> BudgetImportOutcome:
    outcome = budget_import_check(user=user, rows=rows)
    if not outcome.is_valid:
        raise BudgetImportRefused(outcome)
    saved = []
    for row in outcome.rows:
        obj, _created = BudgetIndicator.objects.update_or_create(
            unit=row.unit,
            year=row.year,
            month=row.month,
            defaults={
                "region": row.region,
                "budget": row.budget,
                "executed": row.executed,
                "debt_balance": row.debt_balance,
                "fiscal_capacity": row.fiscal_capacity,
                "imported_by": user,
            },
        )
        saved.append(obj)
    outcome.written = len(saved)
    outcome.alerts = budget_alert(rows=saved)
    return outcome


def _audited(user, outcome: BudgetImportOutcome, file_name: str, success: bool):
    audit_record(
        kind=AuditEvent.Kind.IMPORT,
        user=user,
        success=success,
        detail={
            "model": BudgetIndicator._meta.label_lower,
            "rows": outcome.written if success else len(outcome.rows),
            "errors": len(outcome.errors),
            "file": file_name,
        },
    )


def budget_alert(*, rows: Iterable[BudgetIndicator]) -> int:
    """Tell the county's staff of each orange or red unit; once per unit and month."""
    created = 0
    staff_by_county: dict[int, list[User]] = {}
    for row in rows:
        risk = indicator_risk(row)
        if risk.level < Risk.ORANGE:
            continue
        county = row.region.county or row.region
        if county.pk not in staff_by_county:
            staff_by_county[county.pk] = list(
                User.objects.filter(
                    scope_region=county,
                    is_active=True,
                    groups__name=Role.STAFF.value,
                ).distinct()
            )
        for recipient in staff_by_county[county.pk]:
            _n, new = notification_schedule(
                recipient=recipient,
                kind="oversight.budget_alert",
                obj=row,
                due_date=datetime.date(row.year, row.month, 1),
                title=_("预算监督预警(%(level)s):%(unit)s %(year)s年%(month)s月")
                % {
                    "level": risk.label,
                    "unit": row.unit.name,
                    "year": row.year,
                    "month": row.month,
                },
                body=_("执行率%(rate)s%%(时序进度%(expected)s%%),债务率%(debt)s")
                % {
                    "rate": risk.execution_rate,
                    "expected": risk.expected_rate,
                    "debt": f"{risk.debt_ratio}%"
                    if risk.debt_ratio is not None
                    else "—",
                },
            )
            created += new
    return created
