"""Import of deputies from an xlsx roster: one row, one deputy with one mandate.

The import checks every row before it writes anything: the dry run returns every
problem (row number as Excel shows it, the column, the reason in Chinese); the commit
runs the same checks and writes all rows in one transaction or none.

Why a service and not a plain ``ModelResource``: one row makes two models (a
``Deputy`` and its ``Mandate``); phones and ID numbers are encrypted, so duplicates
are found through their keyed digests, not by a lookup on the value; the scope of
the importing user decides which regions are allowed; and 10,000 rows must go in
well under a minute, which django-import-export's row-by-row save does not do. The
admin still uses django-import-export's pages (upload, preview, confirm) through
``deputies.resources.DeputyImportResource``, which calls this module.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any
from typing import BinaryIO

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from simple_history.utils import bulk_create_with_history

from congress import crypto
from congress.audit import audit_record
from congress.fields import PHONE_RE
from congress.fields import id_number_is_valid
from congress.fields import mask_phone
from congress.models import AuditEvent
from congress.models import Region
from congress.models import Term
from congress.scope import user_sees_everything
from deputies.models import Constituency
from deputies.models import Delegation
from deputies.models import Deputy
from deputies.models import Level
from deputies.models import Mandate

if TYPE_CHECKING:
    from congress.models import User

BATCH_SIZE = 1000

# The columns of the roster, in the order of the template (header = Excel row 1).
COLUMNS: dict[str, str] = {
    "name": "姓名",
    "gender": "性别",
    "ethnicity": "民族",
    "birth_date": "出生日期",
    "political_status": "政治面貌",
    "occupation_category": "职业类别",
    "workplace": "工作单位",
    "title": "职务",
    "phone": "手机号码",
    "id_number": "身份证号",
    "region": "所在区划代码",
    "level": "层级",
    "congress_region": "人大所在区划代码",
    "term": "届次",
    "delegation": "代表团",
    "constituency": "选区编号",
}
HEADERS: list[str] = list(COLUMNS.values())

# Which congress level sits in which kind of region (national and provincial
# congresses sit above the city and are not in the region tree of a deployment).
LEVEL_REGION = {
    Level.CITY: Region.Level.CITY,
    Level.COUNTY: Region.Level.COUNTY,
    Level.TOWNSHIP: Region.Level.TOWNSHIP,
}

SHORT_CODE_RE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")
TERM_RE = re.compile(r"^第?(\d{1,3})届?$")
DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


class DeputyImportRefused(Exception):
    """The commit was refused because the file has errors; nothing was written."""

    def __init__(self, outcome: DeputyImportOutcome) -> None:
        super().__init__(
            _("导入文件有%(n)s处错误,未导入任何数据。") % {"n": len(outcome.errors)}
        )
        self.outcome = outcome


@dataclass(frozen=True)
class ImportProblem:
    """One problem of the file: the Excel row (1 = header), the column, the reason."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("第%(row)s行 %(field)s:%(message)s") % {
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class ImportRow:
    """A row that passed every check, ready to be written."""

    row: int
    deputy: Deputy
    mandate: Mandate
    values: dict[str, Any]


@dataclass
class DeputyImportOutcome:
    """What an import found (dry run) or did (commit)."""

    rows: list[ImportRow] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)
    total_rows: int = 0
    created: int = 0
    dry_run: bool = True

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def errors_by_row(self) -> dict[int, list[ImportProblem]]:
        grouped: dict[int, list[ImportProblem]] = {}
        for problem in self.errors:
            grouped.setdefault(problem.row, []).append(problem)
        return grouped


def read_xlsx(file: BinaryIO) -> list[tuple[Any, ...]]:
    """Read the first sheet of an xlsx file into rows of cell values (header first)."""
    workbook = load_workbook(file, read_only=True, data_only=True)
    try:
        return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    finally:
        workbook.close()


# --- cell parsing -------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as stripped text; whole numbers typed as numbers lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = DATE_RE.match(_text(value))
    if not match:
        raise ValueError
    year, month, day = (int(part) for part in match.groups())
    return datetime.date(year, month, day)


def _labels(choices) -> dict[str, str]:
    """Map each Chinese label of a TextChoices (and its stored value) to the value."""
    mapping = {str(label): value for value, label in choices.choices}
    mapping.update({value: value for value in choices.values})
    return mapping


def _allowed(choices) -> str:
    return "、".join(str(label) for label in choices.labels)


def _full_code(text: str) -> str | None:
    return Region.full_code(text) if SHORT_CODE_RE.match(text) else None


# The columns that take a label of a choice (or its stored value).
CHOICE_COLUMNS = {
    "gender": Deputy.Gender,
    "political_status": Deputy.PoliticalStatus,
    "occupation_category": Deputy.OccupationCategory,
    "level": Level,
}


class _Lookups:
    """Everything the rows refer to, loaded in a handful of queries, and the
    labels of the choices, translated once per file: per row and column they cost
    more than every other check of a 10,000-row roster together."""

    def __init__(self, records: list[tuple[int, dict[str, str]]]) -> None:
        self.choices: dict[str, dict[str, str]] = {
            key: _labels(choices) for key, choices in CHOICE_COLUMNS.items()
        }
        self.allowed: dict[str, str] = {
            key: _allowed(choices) for key, choices in CHOICE_COLUMNS.items()
        }
        self.display: dict[str, dict[str, str]] = {
            key: {value: str(label) for value, label in choices.choices}
            for key, choices in CHOICE_COLUMNS.items()
        }
        self._term_names: dict[int, str] = {}
        region_codes: set[str] = set()
        term_numbers: set[int] = set()
        phone_digests: set[str] = set()
        id_digests: set[str] = set()
        for _row, values in records:
            for key in ("region", "congress_region"):
                code = _full_code(values[key])
                if code:
                    region_codes.add(code)
            match = TERM_RE.match(values["term"])
            if match:
                term_numbers.add(int(match.group(1)))
            if values["phone"]:
                phone_digests.add(crypto.digest(values["phone"]))
            if values["id_number"]:
                id_digests.add(crypto.digest(values["id_number"]))
        self.regions: dict[str, Region] = {
            r.code: r for r in Region.objects.filter(code__in=region_codes)
        }
        self.terms: dict[tuple[int, int], Term] = {
            (t.region_id, t.number): t
            for t in Term.objects.filter(
                region__code__in=region_codes, number__in=term_numbers
            ).select_related("region")
        }
        term_ids = [t.pk for t in self.terms.values()]
        self.delegations: dict[tuple[int, str], Delegation] = {
            (d.term_id, d.name): d
            for d in Delegation.objects.filter(term__in=term_ids).order_by()
        }
        self.constituencies: dict[tuple[int, int], Constituency] = {
            (c.term_id, c.number): c
            for c in Constituency.objects.filter(term__in=term_ids).order_by()
        }
        self.existing_phones: set[str] = set()
        self.existing_ids: set[str] = set()
        if phone_digests or id_digests:
            existing = (
                Deputy.objects.filter(
                    Q(phone_digest__in=phone_digests)
                    | Q(id_number_digest__in=id_digests)
                )
                .order_by()
                .values_list("phone_digest", "id_number_digest")
            )
            for phone_digest, id_digest in existing:
                self.existing_phones.add(phone_digest)
                self.existing_ids.add(id_digest)

    def term_name(self, term: Term) -> str:
        """``str(term)`` once per term, not once per row."""
        if term.pk not in self._term_names:
            self._term_names[term.pk] = str(term)
        return self._term_names[term.pk]


def _in_scope(user: User, region: Region) -> bool:
    if user_sees_everything(user):
        return True
    scope = user.scope_region
    return scope is not None and scope.contains(region)


def _check_row(
    *,
    row: int,
    values: dict[str, str],
    raw: dict[str, Any],
    user: User,
    lookups: _Lookups,
    seen_phones: dict[str, int],
    seen_ids: dict[str, int],
) -> tuple[list[ImportProblem], ImportRow | None]:
    """Check one row; return its problems, or the unsaved deputy and mandate."""
    problems: list[ImportProblem] = []

    def problem(key: str, message: str) -> None:
        problems.append(ImportProblem(row=row, field=COLUMNS[key], message=message))

    def required(key: str) -> bool:
        if not values[key]:
            problem(key, _("不能为空。"))
            return False
        return True

    name = values["name"]
    if required("name") and len(name) > 50:
        problem("name", _("不能超过50个字。"))

    chosen: dict[str, str] = {}
    for key in CHOICE_COLUMNS:
        if not required(key):
            continue
        value = lookups.choices[key].get(values[key])
        if value is None:
            problem(
                key,
                _("“%(value)s”不是有效的%(field)s,应为:%(allowed)s。")
                % {
                    "value": values[key],
                    "field": COLUMNS[key],
                    "allowed": lookups.allowed[key],
                },
            )
        else:
            chosen[key] = value

    ethnicity = values["ethnicity"] or "汉族"
    if len(ethnicity) > 20:
        problem("ethnicity", _("不能超过20个字。"))

    birth_date = None
    if values["birth_date"]:
        try:
            birth_date = _date(raw["birth_date"])
        except ValueError:
            problem(
                "birth_date",
                _("“%(value)s”不是有效日期,请写成1975-03-08。")
                % {"value": values["birth_date"]},
            )
    if len(values["workplace"]) > 200:
        problem("workplace", _("不能超过200个字。"))
    if len(values["title"]) > 100:
        problem("title", _("不能超过100个字。"))

    phone = "".join(values["phone"].split())
    phone_digest = ""
    if phone:
        if not PHONE_RE.match(phone):
            problem(
                "phone",
                _("“%(value)s”不是有效的手机号码(1开头、第二位3至9的11位数字)。")
                % {"value": phone},
            )
        else:
            phone_digest = crypto.digest(phone)
            if phone_digest in seen_phones:
                problem(
                    "phone",
                    _("与第%(other)s行的手机号码重复。")
                    % {"other": seen_phones[phone_digest]},
                )
            elif phone_digest in lookups.existing_phones:
                problem("phone", _("该手机号码已属于系统中的另一名代表。"))
            else:
                seen_phones[phone_digest] = row

    id_number = values["id_number"].upper()
    id_digest = ""
    if id_number:
        if not id_number_is_valid(id_number):
            problem(
                "id_number",
                _("“%(value)s”不是有效的身份证号(18位,校验位不符或格式错误)。")
                % {"value": id_number},
            )
        else:
            id_digest = crypto.digest(id_number)
            if id_digest in seen_ids:
                problem(
                    "id_number",
                    _("与第%(other)s行的身份证号重复。")
                    % {"other": seen_ids[id_digest]},
                )
            elif id_digest in lookups.existing_ids:
                problem("id_number", _("该身份证号已属于系统中的另一名代表。"))
            else:
                seen_ids[id_digest] = row

    regions: dict[str, Region] = {}
    for key in ("region", "congress_region"):
        if not required(key):
            continue
        code = _full_code(values[key])
        region = lookups.regions.get(code) if code else None
        if region is None:
            problem(
                key,
                _("区划代码“%(code)s”不存在(应为12位统计用区划代码或其6位、9位简码)。")
                % {"code": values[key]},
            )
        else:
            regions[key] = region

    region = regions.get("region")
    if region is not None and not _in_scope(user, region):
        problem(
            "region",
            _("“%(region)s”不在您的管辖范围内,不能导入。") % {"region": region.name},
        )
    congress_region = regions.get("congress_region")
    if region is not None and congress_region is not None:
        if not congress_region.contains(region):
            problem(
                "congress_region",
                _("代表所在的“%(region)s”不在“%(congress)s”人大的行政区域内。")
                % {"region": region.name, "congress": congress_region.name},
            )
    level = chosen.get("level")
    if congress_region is not None and level in LEVEL_REGION:
        if congress_region.level != LEVEL_REGION[level]:
            problem(
                "level",
                _("层级“%(level)s”与人大所在区划“%(congress)s”(%(kind)s)不符。")
                % {
                    "level": Level(level).label,
                    "congress": congress_region.name,
                    "kind": congress_region.get_level_display(),
                },
            )

    term = None
    if required("term"):
        match = TERM_RE.match(values["term"])
        if not match:
            problem(
                "term",
                _("“%(value)s”不是有效的届次,请填写数字,例如18。")
                % {"value": values["term"]},
            )
        elif congress_region is not None:
            term = lookups.terms.get((congress_region.pk, int(match.group(1))))
            if term is None:
                problem(
                    "term",
                    _("“%(congress)s”没有第%(number)s届人民代表大会。")
                    % {"congress": congress_region.name, "number": match.group(1)},
                )

    delegation = None
    if values["delegation"] and term is not None:
        delegation = lookups.delegations.get((term.pk, values["delegation"]))
        if delegation is None:
            problem(
                "delegation",
                _("%(term)s没有名为“%(name)s”的代表团。")
                % {"term": term, "name": values["delegation"]},
            )

    constituency = None
    if values["constituency"] and term is not None:
        number = values["constituency"]
        if number.isdigit():
            constituency = lookups.constituencies.get((term.pk, int(number)))
        if constituency is None:
            problem(
                "constituency",
                _("%(term)s没有编号为“%(number)s”的选区。")
                % {"term": term, "number": number},
            )

    if problems:
        return problems, None
    assert region is not None and congress_region is not None and term is not None
    deputy = Deputy(
        name=name,
        gender=chosen["gender"],
        ethnicity=ethnicity,
        birth_date=birth_date,
        political_status=chosen["political_status"],
        occupation_category=chosen["occupation_category"],
        workplace=values["workplace"],
        title=values["title"],
        phone=phone,
        phone_digest=phone_digest,
        id_number=id_number,
        id_number_digest=id_digest,
        region=region,
    )
    mandate = Mandate(
        deputy=deputy,
        level=chosen["level"],
        congress_region=congress_region,
        term=term,
        delegation=delegation,
        constituency=constituency,
        status=Mandate.Status.ACTIVE,
        start_date=term.start_date,
    )
    preview = {
        COLUMNS["name"]: name,
        COLUMNS["gender"]: lookups.display["gender"][deputy.gender],
        COLUMNS["phone"]: mask_phone(phone),
        COLUMNS["region"]: region.name,
        COLUMNS["level"]: lookups.display["level"][mandate.level],
        COLUMNS["term"]: lookups.term_name(term),
        COLUMNS["delegation"]: delegation.name if delegation else "",
    }
    return [], ImportRow(row=row, deputy=deputy, mandate=mandate, values=preview)


def deputy_import_check(
    *, user: User, rows: Iterable[Sequence[Any]]
) -> DeputyImportOutcome:
    """Check a roster (header row first) and return every problem; write nothing."""
    outcome = DeputyImportOutcome()
    iterator = iter(rows)
    header_row = next(iterator, None)
    headers = [_text(cell) for cell in header_row or ()]
    missing = [h for h in HEADERS if h not in headers]
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
    index = {key: headers.index(header) for key, header in COLUMNS.items()}

    records: list[tuple[int, dict[str, str], dict[str, Any]]] = []
    for number, cells in enumerate(iterator, start=2):
        raw = {key: cells[i] if i < len(cells) else None for key, i in index.items()}
        values = {key: _text(value) for key, value in raw.items()}
        if not any(values.values()):
            continue  # an empty line in the sheet
        records.append((number, values, raw))
    outcome.total_rows = len(records)
    if not records:
        outcome.errors.append(
            ImportProblem(row=2, field=_("数据"), message=_("文件中没有代表数据。"))
        )
        return outcome

    lookups = _Lookups([(number, values) for number, values, _raw in records])
    seen_phones: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for number, values, raw in records:
        problems, checked = _check_row(
            row=number,
            values=values,
            raw=raw,
            user=user,
            lookups=lookups,
            seen_phones=seen_phones,
            seen_ids=seen_ids,
        )
        outcome.errors.extend(problems)
        if checked is not None:
            outcome.rows.append(checked)
    return outcome


def deputy_import(
    *,
    user: User,
    rows: Iterable[Sequence[Any]],
    dry_run: bool,
    file_name: str = "",
    request: HttpRequest | None = None,
) -> DeputyImportOutcome:
    """Import a roster of deputies (header row first), all rows or none.

    With ``dry_run`` the rows are only checked. Otherwise the rows are checked again
    and written in batches inside one transaction; a file with any problem is
    refused with ``DeputyImportRefused`` and nothing is written. Commits and
    refusals are both audited with their row count. (The transaction is the inner
    ``_deputy_import_write``, so that the audit row of a refusal is not rolled back
    with it.)
    """
    if dry_run:
        return deputy_import_check(user=user, rows=rows)
    try:
        outcome = _deputy_import_write(user=user, rows=rows)
    except DeputyImportRefused as refused:
        # Written after the import's savepoint is rolled back, so the refusal stays.
        _import_audited(
            user=user,
            request=request,
            outcome=refused.outcome,
            file_name=file_name,
            success=False,
        )
        raise
    _import_audited(
        user=user, request=request, outcome=outcome, file_name=file_name, success=True
    )
    return outcome


@transaction.atomic
def _deputy_import_write(
    *, user: User, rows: Iterable[Sequence[Any]]
) -> DeputyImportOutcome:
    """Check and write in one transaction; raise (and roll back) on any problem."""
    outcome = deputy_import_check(user=user, rows=rows)
    outcome.dry_run = False
    if not outcome.is_valid:
        raise DeputyImportRefused(outcome)
    deputies = [checked.deputy for checked in outcome.rows]
    bulk_create_with_history(
        deputies,
        Deputy,
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=_("批量导入"),
    )
    mandates = []
    for checked in outcome.rows:
        checked.mandate.deputy = checked.deputy
        mandates.append(checked.mandate)
    bulk_create_with_history(
        mandates,
        Mandate,
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=_("批量导入"),
    )
    outcome.created = len(deputies)
    return outcome


def _import_audited(
    *,
    user: User,
    request: HttpRequest | None,
    outcome: DeputyImportOutcome,
    file_name: str,
    success: bool,
) -> None:
    audit_record(
        kind=AuditEvent.Kind.IMPORT,
        user=user,
        request=request,
        success=success,
        detail={
            "model": Deputy._meta.label_lower,
            "rows": outcome.created if success else outcome.total_rows,
            "errors": len(outcome.errors),
            "file": file_name,
        },
    )
