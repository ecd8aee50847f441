"""xlsx import of suggestions kept in Excel (many offices do): dry run, all or nothing.

The columns are those of the export (``resources.SuggestionResource``): 年度, 编号,
标题, 内容, 类别, 领衔代表, and optionally 主办单位. Each row becomes a registered
(立案) suggestion of the importing user's county, or — with 主办单位 — an assigned
one whose deadline the calendar computes from today. The whole file is checked
first; one bad row and nothing is written, and every error is reported with its
row number in Chinese.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from dataclasses import field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from congress import audit
from congress.calendar import reply_due
from congress.models import Organization
from congress.models import Region
from congress.models import User
from deputies.models import Deputy
from suggestions import search
from suggestions.events import suggestion_event_record
from suggestions.models import Assignment
from suggestions.models import Category
from suggestions.models import Suggestion
from suggestions.models import SuggestionEvent
from suggestions.services import is_committee_staff

REQUIRED = ("年度", "编号", "标题", "内容", "类别", "领衔代表")
OPTIONAL = ("主办单位",)
MAX_ROWS = 5000


@dataclass
class ImportOutcome:
    rows: int = 0
    created: int = 0
    errors: list[str] = field(default_factory=list)
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    year: int
    number: int
    title: str
    content: str
    category: str
    deputy: Deputy
    unit: Organization | None


def _read(content: bytes) -> tuple[list[str], list[tuple[int, dict]]]:
    try:
        sheet = load_workbook(
            io.BytesIO(content), read_only=True, data_only=True
        ).active
    except Exception as exc:  # openpyxl raises many kinds for a non-xlsx file
        raise ValidationError(_("无法读取文件,请上传 xlsx 格式的表格。")) from exc
    rows = sheet.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, [])]
    data = []
    for index, values in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in values):
            continue
        data.append((index, dict(zip(header, values, strict=False))))
        if len(data) > MAX_ROWS:
            raise ValidationError(
                _("一次最多导入 %(n)s 行,请分批导入。") % {"n": MAX_ROWS}
            )
    return header, data


def _county_of(user: User) -> Region:
    region = user.scope_region
    if region is None or region.level < Region.Level.COUNTY:
        raise ValidationError(_("只有县级人大常委会工作人员可以导入建议。"))
    return region.county


def suggestion_import(*, content: bytes, actor: User, dry_run: bool) -> ImportOutcome:
    """Check every row; unless ``dry_run`` and only when all rows pass, create them all."""
    if not is_committee_staff(actor):
        raise ValidationError(_("只有人大常委会工作人员可以导入建议。"))
    county = _county_of(actor)
    header, data = _read(content)
    missing = [c for c in REQUIRED if c not in header]
    outcome = ImportOutcome(rows=len(data), dry_run=dry_run)
    if missing:
        outcome.errors.append(_("缺少列:%(cols)s") % {"cols": "、".join(missing)})
        return outcome
    categories = {str(label): value for value, label in Category.choices}
    deputies: dict[str, list[Deputy]] = {}
    for deputy in Deputy.objects.in_region(county).only("pk", "name", "region_id"):
        deputies.setdefault(deputy.name, []).append(deputy)
    units = {u.name: u for u in Organization.objects.in_region(county)}
    taken = set(
        Suggestion.objects.filter(region=county, session__isnull=True).values_list(
            "year", "number"
        )
    )
    seen: set[tuple[int, int]] = set()
    rows: list[_Row] = []
    for line, values in data:
        errors = []

        def err(message: str, line: int = line, errors: list = errors) -> None:
            errors.append(_("第%(line)s行:%(msg)s") % {"line": line, "msg": message})

        try:
            year = int(values.get("年度"))
            number = int(values.get("编号"))
            if not 2000 <= year <= 2100 or number < 1:
                raise ValueError
        except (TypeError, ValueError):
            err(_("年度和编号须是数字"))
            year = number = 0
        title = str(values.get("标题") or "").strip()
        text = str(values.get("内容") or "").strip()
        if not title or len(title) > 200:
            err(_("标题不能为空,且不超过200字"))
        if len(text) < 10:
            err(_("内容太短"))
        category = categories.get(str(values.get("类别") or "").strip())
        if category is None:
            err(
                _("类别“%(value)s”不在以下之列:%(choices)s")
                % {"value": values.get("类别"), "choices": "、".join(categories)}
            )
        name = str(values.get("领衔代表") or "").strip()
        matches = deputies.get(name, [])
        if len(matches) != 1:
            err(
                _("本县没有名为“%(name)s”的代表") % {"name": name}
                if not matches
                else _("本县有多名代表叫“%(name)s”,请在系统中录入") % {"name": name}
            )
        unit_name = str(values.get("主办单位") or "").strip()
        unit = units.get(unit_name) if unit_name else None
        if unit_name and unit is None:
            err(_("本县没有名为“%(name)s”的单位") % {"name": unit_name})
        if year and (year, number) in taken | seen:
            err(
                _("%(year)s年闭会期间第%(number)s号已存在")
                % {"year": year, "number": number}
            )
        seen.add((year, number))
        if errors:
            outcome.errors.extend(errors)
            continue
        rows.append(_Row(line, year, number, title, text, category, matches[0], unit))
    if outcome.errors or dry_run:
        return outcome
    outcome.created = _create(rows=rows, county=county, actor=actor)
    return outcome


@transaction.atomic
def _create(*, rows: list[_Row], county: Region, actor: User) -> int:
    now = timezone.now()
    today = timezone.localdate()
    for row in rows:
        suggestion = Suggestion(
            year=row.year,
            number=row.number,
            title=row.title,
            content=row.content,
            category=row.category,
            lead_deputy=row.deputy,
            region=county,
            status=Suggestion.Status.ASSIGNED
            if row.unit
            else Suggestion.Status.REGISTERED,
            submitted_at=now,
            registered_at=now,
        )
        suggestion.full_clean(exclude=["search_vector"])
        suggestion.save()
        if search.uses_tsvector():
            Suggestion.objects.filter(pk=suggestion.pk).update(
                search_vector=search.search_vector_expression(
                    title=row.title, content=row.content
                )
            )
        suggestion_event_record(
            suggestion=suggestion,
            kind=SuggestionEvent.Kind.REGISTERED,
            actor=actor,
            note=_("由表格导入(第%(line)s行)") % {"line": row.line},
        )
        if row.unit:
            Assignment.objects.create(
                suggestion=suggestion,
                unit=row.unit,
                role=Assignment.Role.LEAD,
                assigned_on=today,
                assigned_by=actor,
                due_date=reply_due(assigned_on=today),
            )
    audit.state_change_event(
        user=actor,
        obj=county,
        transition="suggestions_import",
        detail={"rows": len(rows)},
    )
    return len(rows)
