"""Forms of the deputies app, and the admin's import pages built on them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats.base_formats import XLSX
from import_export.forms import ConfirmImportForm
from import_export.forms import ImportForm

from deputies.imports import HEADERS
from deputies.resources import DeputyImportResource


class DeputyImportForm(ImportForm):
    """Upload of a deputy roster (xlsx only, Chinese labels)."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["import_file"].label = _("代表名册文件(xlsx)")
        self.fields["import_file"].help_text = _(
            "第1行为表头,须包含以下各列:%(columns)s。先预览校验,确认后才会导入。"
        ) % {"columns": "、".join(HEADERS)}
        self.fields["import_file"].widget.attrs["accept"] = ".xlsx"
        self.fields["format"].label = _("文件格式")


class DeputyImportAdminMixin(ImportMixin):
    """The deputy roster import in the admin: upload → preview of every error → confirm.

    The pages and the temporary file are django-import-export's; the checks and the
    writes are the service's (``deputies.imports.deputy_import`` via the resource).
    """

    import_template_name = "admin/deputies/deputy/import.html"
    # Both buttons on the changelist: this import and ScopedExportMixin's export.
    import_export_change_list_template = (
        "admin/import_export/change_list_import_export.html"
    )
    import_form_class = DeputyImportForm
    confirm_form_class = ConfirmImportForm
    # History (simple-history) and the audit log record the import; one LogEntry
    # per row of a 10,000-row roster would only slow it down.
    skip_admin_log = True

    @property
    def import_formats(self):
        return [XLSX]

    def get_import_resource_classes(self, request):
        return [DeputyImportResource]

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"request": request}

    def has_import_permission(self, request):
        return self.has_add_permission(request) and request.user.has_perm(
            "deputies.add_mandate"
        )

    def process_result(self, result, request):
        if result.has_validation_errors():
            # The file changed meaning between preview and confirm (someone added a
            # deputy with the same phone meanwhile): nothing was written.
            for problem in result.import_errors[:20]:
                messages.error(request, str(problem))
            messages.error(
                request,
                gettext("导入文件有%(n)s处错误,未导入任何数据。")
                % {"n": len(result.import_errors)},
            )
            return HttpResponseRedirect(
                reverse(
                    "admin:{}_{}_import".format(*self.get_model_info()),
                    current_app=self.admin_site.name,
                )
            )
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        messages.success(
            request,
            gettext("已导入%(n)s名代表及其代表资格。") % {"n": result.outcome.created},
        )
