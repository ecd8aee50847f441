"""Admin of the suggestions work: the three reviews, assignment, the 五办 of key
suggestions, extensions, reassignment, paper evaluations and guidance.

Each step is a small form on its own admin page that calls one service; the
changelist is scoped, estimated-count paginated, searchable in Chinese (jieba +
tsvector) and exportable (masked, audited).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congress.admin import RegionListFilter
from congress.admin import ScopedAdminMixin
from congress.admin import ScopedExportMixin
from congress.admin import ScopedInlineMixin
from congress.models import Organization
from congress.models import User
from congress.roles import Role
from deputies.models import Deputy
from suggestions import services
from suggestions.imports import suggestion_import
from suggestions.models import Assignment
from suggestions.models import Evaluation
from suggestions.models import Review
from suggestions.models import Suggestion
from suggestions.models import SuggestionEvent
from suggestions.resources import SuggestionResource
from suggestions.search import search_filter


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审查结论"), choices=Review.Decision.choices)
    comment = forms.CharField(
        label=_("意见或理由"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    merged_into = forms.ModelChoiceField(
        label=_("并入建议"), required=False, queryset=Suggestion.objects.none()
    )


class AssignForm(forms.Form):
    lead_unit = forms.ModelChoiceField(
        label=_("主办单位"), required=False, queryset=Organization.objects.none()
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("协办单位"), required=False, queryset=Organization.objects.none()
    )
    separate_units = forms.ModelMultipleChoiceField(
        label=_("分办单位"), required=False, queryset=Organization.objects.none()
    )


class SupervisionForm(forms.Form):
    is_key = forms.BooleanField(label=_("重点建议"), required=False)
    supervising_leader = forms.ModelChoiceField(
        label=_("督办的常委会领导"), required=False, queryset=User.objects.none()
    )
    government_leader = forms.ModelChoiceField(
        label=_("领办的政府领导"), required=False, queryset=User.objects.none()
    )
    following_committee = forms.ModelChoiceField(
        label=_("对口督办的专委会"),
        required=False,
        queryset=Organization.objects.none(),
    )
    coordinating_committee = forms.ModelChoiceField(
        label=_("统筹督办的代表工委"),
        required=False,
        queryset=Organization.objects.none(),
    )
    fund_amount = forms.DecimalField(
        label=_("建议办理专项资金(万元)"), required=False, min_value=0
    )


class ExtendForm(forms.Form):
    assignment = forms.ModelChoiceField(
        label=_("交办"), queryset=Assignment.objects.none()
    )
    approved_by = forms.ModelChoiceField(
        label=_("批准人"), queryset=User.objects.none()
    )
    reason = forms.CharField(
        label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReassignForm(forms.Form):
    assignment = forms.ModelChoiceField(
        label=_("申请调整的交办"), queryset=Assignment.objects.none()
    )
    unit = forms.ModelChoiceField(
        label=_("新承办单位"), queryset=Organization.objects.none()
    )


class PaperEvaluationForm(forms.Form):
    deputy = forms.ModelChoiceField(label=_("代表"), queryset=Deputy.objects.none())
    result = forms.ChoiceField(label=_("测评结果"), choices=Evaluation.Result.choices)
    comment = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("xlsx 文件"))
    confirm = forms.BooleanField(
        label=_("检查无误后正式导入(不勾选则只检查)"), required=False
    )


class GuidanceForm(forms.Form):
    note = forms.CharField(
        label=_("指导意见"), widget=forms.Textarea(attrs={"rows": 4})
    )


class YearListFilter(admin.SimpleListFilter):
    """The last six years, without a DISTINCT over the table."""

    title = _("年度")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        year = timezone.localdate().year
        return [(str(y), str(y)) for y in range(year, year - 6, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        return (
            queryset.filter(year=int(value)) if value and value.isdigit() else queryset
        )


class AssignmentInline(ScopedInlineMixin, admin.TabularInline):
    model = Assignment
    extra = 0
    can_delete = False
    fields = (
        "unit",
        "role",
        "assigned_on",
        "due_date",
        "extended",
        "acknowledged_at",
        "reassignment_reason",
        "co_view_at",
        "is_active",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = SuggestionEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Suggestion)
class SuggestionAdmin(ScopedExportMixin, ScopedAdminMixin, admin.ModelAdmin):
    resource_classes = [SuggestionResource]
    import_export_change_list_template = "suggestions/admin_change_list.html"
    list_display = (
        "number_display",
        "title",
        "lead_deputy",
        "category",
        "status",
        "review_stage",
        "is_key",
        "year",
    )
    list_filter = (
        "status",
        "review_stage",
        "category",
        "is_key",
        YearListFilter,
        RegionListFilter,
    )
    list_select_related = ("lead_deputy",)
    search_fields = ("title",)
    search_help_text = _("按标题和内容中的词搜索,例如“道路”。")
    # Newest first by id: a backward primary-key scan stops after one page, where
    # sorting a county's (or the city's) suggestions by year and number would not.
    ordering = ("-pk",)
    inlines = [AssignmentInline, EventInline]
    readonly_fields = [f.name for f in Suggestion._meta.fields if f.name != "id"] + [
        "chain_link"
    ]
    exclude = ("search_vector", "signers", "citizen_opinions")
    actions = ["review_pass"]

    def has_add_permission(self, request):
        return False  # drafted in the deputy portal, or imported

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("编号"), ordering="number")
    def number_display(self, obj: Suggestion) -> str:
        return obj.number_label or "—"

    @admin.display(description=_("办理全过程"))
    def chain_link(self, obj: Suggestion) -> str:
        links = [(reverse("suggestions:detail", args=[obj.pk]), gettext("查看全过程"))]
        for name, label in (
            ("review", gettext("审查")),
            ("assign", gettext("交办")),
            ("supervision", gettext("五办与专项资金")),
            ("extend", gettext("批准延期")),
            ("reassign", gettext("调整承办单位")),
            ("paper-evaluation", gettext("录入纸质测评")),
            ("guidance", gettext("选题指导")),
        ):
            links.append(
                (
                    reverse(
                        f"admin:suggestions_suggestion_{name.replace('-', '_')}",
                        args=[obj.pk],
                    ),
                    label,
                )
            )
        return format_html(
            " · ".join(['<a href="{}">{}</a>'] * len(links)),
            *[part for link in links for part in link],
        )

    def get_export_queryset(self, request):
        # The lead unit column reads the assignments: prefetch them, not one per row.
        return (
            super()
            .get_export_queryset(request)
            .select_related("lead_deputy", "region", "session__term__region")
            .prefetch_related("assignments__unit")
        )

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        return search_filter(queryset, search_term), False

    # --- bulk action ----------------------------------------------------------

    @admin.action(description=_("审查通过(当前阶段)"))
    def review_pass(self, request, queryset):
        passed, refused = 0, []
        for suggestion in queryset:
            try:
                services.suggestion_review(
                    suggestion=suggestion,
                    actor=request.user,
                    stage=suggestion.review_stage,
                    decision=Review.Decision.PASS,
                )
                passed += 1
            except ValidationError as exc:
                refused.append(f"{suggestion}: {' '.join(exc.messages)}")
        if passed:
            self.message_user(
                request,
                gettext("%(n)s 件建议审查通过。") % {"n": passed},
                messages.SUCCESS,
            )
        for text in refused:
            self.message_user(request, text, messages.ERROR)

    # --- one page per step ----------------------------------------------------

    def get_urls(self):
        urls = super().get_urls()
        view = self.admin_site.admin_view
        own = [
            path(
                f"<path:object_id>/{name}/",
                view(self.step_view),
                {"step": name},
                name=f"suggestions_suggestion_{name.replace('-', '_')}",
            )
            for name in (
                "review",
                "assign",
                "supervision",
                "extend",
                "reassign",
                "paper-evaluation",
                "guidance",
            )
        ]
        own.append(
            path(
                "import-xlsx/",
                view(self.import_view),
                name="suggestions_suggestion_import_xlsx",
            )
        )
        return own + urls

    def import_view(self, request):
        """Upload an xlsx: a dry run lists every error; confirm to create all rows."""
        if not services.is_committee_staff(request.user):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        outcome = None
        if request.method == "POST" and form.is_valid():
            try:
                outcome = suggestion_import(
                    content=form.cleaned_data["file"].read(),
                    actor=request.user,
                    dry_run=not form.cleaned_data["confirm"],
                )
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                if outcome.ok and not outcome.dry_run:
                    self.message_user(
                        request,
                        gettext("已导入 %(n)s 件建议。") % {"n": outcome.created},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:suggestions_suggestion_changelist")
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("从表格导入建议"),
            "form": form,
            "outcome": outcome,
        }
        return render(request, "suggestions/admin_import.html", context)

    def _form_for(self, step: str, request, suggestion: Suggestion, data=None):
        user = request.user
        units = Organization.objects.visible_to(user).filter(is_active=True)
        if step == "review":
            form = ReviewForm(data)
            form.fields["merged_into"].queryset = (
                Suggestion.objects.visible_to(user)
                .exclude(pk=suggestion.pk)
                .filter(
                    status__in=[
                        Suggestion.Status.REVIEWING,
                        Suggestion.Status.REGISTERED,
                        Suggestion.Status.ASSIGNED,
                        Suggestion.Status.HANDLING,
                    ]
                )
            )
        elif step == "assign":
            form = AssignForm(data)
            for name in ("lead_unit", "co_units", "separate_units"):
                form.fields[name].queryset = units
        elif step == "supervision":
            form = SupervisionForm(
                data,
                initial={
                    "is_key": suggestion.is_key,
                    "supervising_leader": suggestion.supervising_leader_id,
                    "government_leader": suggestion.government_leader_id,
                    "following_committee": suggestion.following_committee_id,
                    "coordinating_committee": suggestion.coordinating_committee_id,
                    "fund_amount": suggestion.fund_amount,
                },
            )
            people = User.objects.filter(
                scope_region__code__startswith=suggestion.region.prefix, is_active=True
            )
            form.fields["supervising_leader"].queryset = people.filter(
                groups__name=Role.LEADERSHIP.value
            )
            form.fields["government_leader"].queryset = people
            committees = units.filter(
                kind__in=[
                    Organization.Kind.SPECIAL_COMMITTEE,
                    Organization.Kind.WORKING_COMMITTEE,
                ]
            )
            form.fields["following_committee"].queryset = committees
            form.fields["coordinating_committee"].queryset = committees
        elif step == "extend":
            form = ExtendForm(data)
            form.fields["assignment"].queryset = suggestion.assignments.filter(
                is_active=True, extended=False
            ).select_related("unit")
            form.fields["approved_by"].queryset = User.objects.filter(
                scope_region__code__startswith=suggestion.region.prefix,
                groups__name=Role.LEADERSHIP.value,
            )
        elif step == "reassign":
            form = ReassignForm(data)
            form.fields["assignment"].queryset = suggestion.assignments.filter(
                is_active=True, reassignment_requested_at__isnull=False
            ).select_related("unit")
            form.fields["unit"].queryset = units
        elif step == "paper-evaluation":
            form = PaperEvaluationForm(data)
            form.fields["deputy"].queryset = Deputy.objects.filter(
                pk__in=[d.pk for d in services.deputies_to_answer(suggestion)]
            )
        else:
            form = GuidanceForm(data)
        return form

    def _run(self, step: str, request, suggestion: Suggestion, data: dict) -> None:
        actor = request.user
        if step == "review":
            services.suggestion_review(
                suggestion=suggestion,
                actor=actor,
                stage=suggestion.review_stage,
                decision=data["decision"],
                comment=data["comment"],
                merged_into=data["merged_into"],
            )
        elif step == "assign":
            services.suggestion_assign(
                suggestion=suggestion,
                actor=actor,
                lead_unit=data["lead_unit"],
                co_units=list(data["co_units"]),
                separate_units=list(data["separate_units"]),
            )
        elif step == "supervision":
            services.suggestion_set_supervision(
                suggestion=suggestion, actor=actor, **data
            )
        elif step == "extend":
            services.assignment_extend(
                assignment=data["assignment"],
                actor=actor,
                approved_by=data["approved_by"],
                reason=data["reason"],
            )
        elif step == "reassign":
            services.assignment_reassign(
                assignment=data["assignment"], actor=actor, unit=data["unit"]
            )
        elif step == "paper-evaluation":
            services.evaluation_record(
                suggestion=suggestion,
                actor=actor,
                deputy=data["deputy"],
                result=data["result"],
                comment=data["comment"],
                is_paper=True,
            )
        else:
            services.suggestion_guide(
                suggestion=suggestion, actor=actor, note=data["note"]
            )

    def step_view(self, request, object_id, step: str):
        suggestion = self.get_object(request, object_id)
        if not services.is_committee_staff(request.user):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form = self._form_for(step, request, suggestion, data)
        if data is not None and form.is_valid():
            try:
                self._run(step, request, suggestion, form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                self.message_user(request, gettext("已办理。"), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:suggestions_suggestion_change", args=[suggestion.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": suggestion,
            "title": f"{suggestion} · {dict(STEP_TITLES)[step]}",
            "form": form,
            "stage": suggestion.get_review_stage_display(),
        }
        return render(request, "suggestions/admin_step.html", context)


STEP_TITLES = (
    ("review", _("审查")),
    ("assign", _("交办")),
    ("supervision", _("五办与专项资金")),
    ("extend", _("批准延期")),
    ("reassign", _("调整承办单位")),
    ("paper-evaluation", _("录入纸质测评")),
    ("guidance", _("选题指导")),
)
