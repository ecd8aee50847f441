"""Export and import of deputies (django-import-export): Chinese headers, region by code.

Phones and ID numbers are masked unless the admin passes ``unmasked=True``, which it
does only for a user with ``congress.view_personal_data`` who chose the unmasked
export (and the export is audited either way, see ``congress.admin``).

The import (``DeputyImportResource``) keeps django-import-export's admin pages
(upload, dry-run preview, confirm) but hands the rows to the service
``deputies.imports.deputy_import``: one row makes a deputy and a mandate, and
duplicates are found through the digests of encrypted fields.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields
from import_export import resources
from import_export.results import Result
from import_export.results import RowResult
from import_export.widgets import ForeignKeyWidget

from congress.fields import mask_id_number
from congress.fields import mask_phone
from congress.models import Region
from deputies.imports import COLUMNS
from deputies.imports import DeputyImportOutcome
from deputies.imports import DeputyImportRefused
from deputies.imports import deputy_import
from deputies.models import Deputy
from deputies.models import LiaisonStation


class DeputyResource(resources.ModelResource):
    """One row per deputy."""

    name = fields.Field(attribute="name", column_name=_("姓名"))
    gender = fields.Field(attribute="get_gender_display", column_name=_("性别"))
    ethnicity = fields.Field(attribute="ethnicity", column_name=_("民族"))
    birth_date = fields.Field(attribute="birth_date", column_name=_("出生日期"))
    political_status = fields.Field(
        attribute="get_political_status_display", column_name=_("政治面貌")
    )
    occupation_category = fields.Field(
        attribute="get_occupation_category_display", column_name=_("职业类别")
    )
    workplace = fields.Field(attribute="workplace", column_name=_("工作单位"))
    title = fields.Field(attribute="title", column_name=_("职务"))
    phone = fields.Field(attribute="phone", column_name=_("手机号码"))
    id_number = fields.Field(attribute="id_number", column_name=_("身份证号"))
    region_code = fields.Field(
        attribute="region",
        column_name=_("区划代码"),
        widget=ForeignKeyWidget(Region, field="code"),
    )
    region_name = fields.Field(attribute="region__name", column_name=_("所在区划"))

    class Meta:
        model = Deputy
        fields = (
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "political_status",
            "occupation_category",
            "workplace",
            "title",
            "phone",
            "id_number",
            "region_code",
            "region_name",
        )
        export_order = fields

    def __init__(self, *, unmasked: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.unmasked = unmasked

    def get_queryset(self):
        return super().get_queryset().select_related("region")

    def dehydrate_phone(self, deputy: Deputy) -> str:
        return deputy.phone if self.unmasked else mask_phone(deputy.phone)

    def dehydrate_id_number(self, deputy: Deputy) -> str:
        return deputy.id_number if self.unmasked else mask_id_number(deputy.id_number)


class LiaisonStationResource(resources.ModelResource):
    """One row per liaison station."""

    name = fields.Field(attribute="name", column_name=_("名称"))
    kind = fields.Field(attribute="get_kind_display", column_name=_("类别"))
    region_code = fields.Field(
        attribute="region",
        column_name=_("区划代码"),
        widget=ForeignKeyWidget(Region, field="code"),
    )
    region_name = fields.Field(attribute="region__name", column_name=_("所在区划"))
    address = fields.Field(attribute="address", column_name=_("地址"))
    contact_phone = fields.Field(attribute="contact_phone", column_name=_("站点电话"))
    is_active = fields.Field(attribute="is_active", column_name=_("启用"))

    class Meta:
        model = LiaisonStation
        fields = (
            "name",
            "kind",
            "region_code",
            "region_name",
            "address",
            "contact_phone",
            "is_active",
        )
        export_order = fields


class DeputyImportResult(Result):
    """django-import-export's result, carrying the service's outcome for the page."""

    def __init__(self, outcome: DeputyImportOutcome) -> None:
        super().__init__()
        self.outcome = outcome
        self.import_errors = outcome.errors
        self.total_rows = outcome.total_rows
        preview_headers = list(outcome.rows[0].values) if outcome.rows else []
        self.diff_headers = preview_headers
        for number, problems in outcome.errors_by_row().items():
            errors: dict[str, list[str]] = {}
            for problem in problems:
                errors.setdefault(problem.field, []).append(problem.message)
            self.append_invalid_row(number, {}, ValidationError(errors))
        if outcome.errors:
            self.totals[RowResult.IMPORT_TYPE_INVALID] = len(self.invalid_rows)
            return
        for checked in outcome.rows:
            row_result = RowResult()
            row_result.import_type = RowResult.IMPORT_TYPE_NEW
            row_result.number = checked.row
            row_result.diff = [checked.values[h] for h in preview_headers]
            if checked.deputy.pk is not None:
                row_result.add_instance_info(checked.deputy)
                row_result.instance = checked.deputy
            self.append_row_result(row_result)
            self.increment_row_result_total(row_result)


class DeputyImportResource(resources.ModelResource):
    """The roster columns; ``import_data`` runs ``deputies.imports.deputy_import``."""

    name = fields.Field(column_name=COLUMNS["name"])
    gender = fields.Field(column_name=COLUMNS["gender"])
    ethnicity = fields.Field(column_name=COLUMNS["ethnicity"])
    birth_date = fields.Field(column_name=COLUMNS["birth_date"])
    political_status = fields.Field(column_name=COLUMNS["political_status"])
    occupation_category = fields.Field(column_name=COLUMNS["occupation_category"])
    workplace = fields.Field(column_name=COLUMNS["workplace"])
    title = fields.Field(column_name=COLUMNS["title"])
    phone = fields.Field(column_name=COLUMNS["phone"])
    id_number = fields.Field(column_name=COLUMNS["id_number"])
    region = fields.Field(column_name=COLUMNS["region"])
    level = fields.Field(column_name=COLUMNS["level"])
    congress_region = fields.Field(column_name=COLUMNS["congress_region"])
    term = fields.Field(column_name=COLUMNS["term"])
    delegation = fields.Field(column_name=COLUMNS["delegation"])
    constituency = fields.Field(column_name=COLUMNS["constituency"])

    class Meta:
        model = Deputy
        name = _("代表名册(每行一名代表及其代表资格)")
        fields = tuple(COLUMNS)
        import_order = fields

    def __init__(self, *, request=None, **kwargs):
        super().__init__()
        self.request = request

    def import_data(  # type: ignore[override]
        self, dataset, dry_run=False, raise_errors=False, **kwargs
    ) -> DeputyImportResult:
        """Check (dry run) or commit the whole dataset through the import service."""
        rows = [tuple(dataset.headers or ()), *dataset]
        try:
            outcome = deputy_import(
                user=kwargs.get("user"),
                rows=rows,
                dry_run=dry_run,
                file_name=kwargs.get("file_name") or "",
                request=self.request,
            )
        except DeputyImportRefused as refused:
            if raise_errors:
                raise
            outcome = refused.outcome
        return DeputyImportResult(outcome)
