"""xlsx export of suggestions (django-import-export): Chinese headers, units by name.

The import is ``suggestions.imports`` (dry run first, all or nothing), because an
imported row must go through the same checks as the services.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields
from import_export import resources

from suggestions.models import Assignment
from suggestions.models import Suggestion


class SuggestionResource(resources.ModelResource):
    """One row per suggestion, in the columns the import reads back."""

    year = fields.Field(attribute="year", column_name=_("年度"))
    number = fields.Field(attribute="number", column_name=_("编号"))
    session = fields.Field(attribute="session", column_name=_("会议"))
    title = fields.Field(attribute="title", column_name=_("标题"))
    content = fields.Field(attribute="content", column_name=_("内容"))
    category = fields.Field(attribute="get_category_display", column_name=_("类别"))
    lead_deputy = fields.Field(attribute="lead_deputy__name", column_name=_("领衔代表"))
    status = fields.Field(attribute="get_status_display", column_name=_("状态"))
    lead_unit = fields.Field(column_name=_("主办单位"))
    region = fields.Field(attribute="region__code", column_name=_("区划代码"))

    class Meta:
        model = Suggestion
        fields = (
            "year",
            "number",
            "session",
            "title",
            "content",
            "category",
            "lead_deputy",
            "status",
            "lead_unit",
            "region",
        )
        export_order = fields

    def __init__(self, *, unmasked: bool = False, **kwargs):
        super().__init__(**kwargs)

    def get_queryset(self):
        return Suggestion.objects.select_related("lead_deputy", "region", "session")

    def dehydrate_lead_unit(self, suggestion: Suggestion) -> str:
        # Prefetched by the admin's export queryset when it is large.
        for assignment in suggestion.assignments.all():
            if assignment.is_active and assignment.role == Assignment.Role.LEAD:
                return assignment.unit.name
        return ""

    def dehydrate_session(self, suggestion: Suggestion) -> str:
        return str(suggestion.session) if suggestion.session_id else ""
