"""Admin of 履职积分 and 向选民述职 (registered from ``DeputiesConfig.ready``).

- 积分规则 (PointRule): scoped; a township may set its own rule, otherwise the
  county's applies (``deputies.points``).
- 积分明细 (PointEntry): read-only, rebuilt from the facts every night; the
  changelist never counts the whole table (``EstimatedCountPaginator``).
- 积分确认 (PointConfirmation): the confirmations, and a page listing the facts
  that wait for one, with a confirm button (``point_confirm``).
- 积分排名公示 (RankingSnapshot): staff freeze a ranking and publish it (晾晒).
- 向选民述职 (VoterReport): recorded through ``voter_report_record``.

Every write goes through a service of ``deputies.points``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congress.admin import ScopedAdminMixin
from congress.scope import user_sees_everything
from deputies import points
from deputies.models import PointConfirmation
from deputies.models import PointEntry
from deputies.models import PointRule
from deputies.models import RankingSnapshot
from deputies.models import VoterReport

PENDING_LIMIT = 200
YEARS_IN_FILTER = 5


class YearFilter(admin.SimpleListFilter):
    """The last five years, without the SELECT DISTINCT over the ledger that
    Django's default filter runs (160 ms on a city's ledger)."""

    title = _("年度")
    parameter_name = "year"
    lookup = "year"

    def lookups(self, request, model_admin):
        this_year = timezone.localdate().year
        return [
            (str(y), str(y)) for y in range(this_year, this_year - YEARS_IN_FILTER, -1)
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(**{self.lookup: int(value)})
        return queryset


class DateYearFilter(YearFilter):
    lookup = "date__year"


@admin.register(PointRule)
class PointRuleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "region",
        "fact",
        "points",
        "yearly_cap",
        "needs_confirmation",
        "is_active",
    )
    list_filter = ("fact", "needs_confirmation", "is_active")
    list_select_related = ("region",)
    search_fields = ("region__name",)
    fields = (
        "region",
        "fact",
        "points",
        "yearly_cap",
        "needs_confirmation",
        "is_active",
    )


@admin.register(PointEntry)
class PointEntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("deputy", "year", "date", "fact", "points", "rule")
    list_filter = (YearFilter, "fact")
    list_select_related = ("deputy", "rule", "rule__region")
    search_fields = ("deputy__name",)
    readonly_fields = ("deputy", "year", "date", "fact", "source_id", "rule", "points")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PendingFactForm(forms.Form):
    fact = forms.ChoiceField(label=_("履职事项"), choices=())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fact"].choices = [
            (fact, label)
            for fact, label in PointRule.Fact.choices
            if fact in points.CONFIRMABLE_FACTS
        ]


@admin.register(PointConfirmation)
class PointConfirmationAdmin(admin.ModelAdmin):
    list_display = ("fact", "source_id", "confirmed_by", "confirmed_at")
    list_filter = ("fact",)
    list_select_related = ("confirmed_by",)
    show_full_result_count = False
    change_list_template = "deputies/points/admin_confirmation_changelist.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if user_sees_everything(request.user):
            return queryset
        scope = request.user.scope_region
        if scope is None:
            return queryset.none()
        return queryset.filter(
            confirmed_by__scope_region__code__startswith=scope.prefix
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        urls = [
            path(
                "pending/",
                self.admin_site.admin_view(self.pending_view),
                name="deputies_pointconfirmation_pending",
            )
        ]
        return urls + super().get_urls()

    def pending_view(self, request):
        """待确认的履职事项: facts of a kind in the user's scope with no confirmation."""
        if not request.user.has_perm("deputies.add_pointconfirmation"):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else request.GET
        form = PendingFactForm(
            {
                "fact": data.get("fact", points.CONFIRMABLE_FACTS[0]),
                "year": data.get("year", timezone.localdate().year),
            }
        )
        if request.method == "POST" and form.is_valid():
            try:
                count = points.point_confirm(
                    fact=form.cleaned_data["fact"],
                    source_ids=request.POST.getlist("source_id"),
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as exc:
                message = exc.messages[0] if hasattr(exc, "messages") else str(exc)
                self.message_user(request, message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("已确认 %(count)s 条记录,下次积分计算时计入。")
                    % {"count": count},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(
                f"{request.path}?fact={form.cleaned_data['fact']}"
                f"&year={form.cleaned_data['year']}"
            )
        rows = []
        if form.is_valid():
            rows = points.point_facts_pending_rows(
                fact=form.cleaned_data["fact"],
                user=request.user,
                year=form.cleaned_data["year"],
                limit=PENDING_LIMIT,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("待确认的履职事项"),
            "form": form,
            "rows": rows,
            "limit": PENDING_LIMIT,
        }
        return TemplateResponse(request, "deputies/points/admin_pending.html", context)


class RankingSnapshotForm(forms.ModelForm):
    class Meta:
        model = RankingSnapshot
        fields = ("title", "region", "year", "level")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "title" in self.fields:  # read-only once the snapshot is made
            self.fields["title"].required = False
            self.fields["title"].help_text = _("留空则按年度、区划和层级自动生成。")
        if not self.initial.get("year"):
            self.initial["year"] = timezone.localdate().year


@admin.register(RankingSnapshot)
class RankingSnapshotAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = RankingSnapshotForm
    list_display = ("title", "region", "year", "level", "row_count", "published_at")
    list_filter = (YearFilter, "level")
    list_select_related = ("region",)
    actions = ("publish", "unpublish")
    readonly_fields = ("public_link", "published_at", "published_by", "row_count")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("title", "region", "year", "level")
        return (
            "title",
            "region",
            "year",
            "level",
            "row_count",
            "published_at",
            "published_by",
            "public_link",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("title", "region", "year", "level", *self.readonly_fields)

    @admin.display(description=_("人数"))
    def row_count(self, obj: RankingSnapshot) -> int:
        return len(obj.rows or [])

    @admin.display(description=_("公示页面"))
    def public_link(self, obj: RankingSnapshot) -> str:
        if obj.published_at is None:
            return gettext("尚未公布")
        url = reverse("ranking-public", args=[obj.public_token])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', url, url
        )

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = points.ranking_snapshot_create(
            title=obj.title,
            region=obj.region,
            year=obj.year,
            level=obj.level,
            actor=request.user,
        )
        # The admin goes on with ``obj``: make it the row the service wrote.
        obj.pk = created.pk
        obj.title = created.title
        obj.rows = created.rows
        obj.public_token = created.public_token
        obj.created_at = created.created_at
        obj._state.adding = False

    @admin.action(description=_("公布所选排名(晾晒)"), permissions=["change"])
    def publish(self, request, queryset):
        done = 0
        for snapshot in queryset:
            try:
                points.ranking_publish(snapshot=snapshot, actor=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                message = exc.messages[0] if hasattr(exc, "messages") else str(exc)
                self.message_user(
                    request, f"{snapshot.title}:{message}", messages.WARNING
                )
        if done:
            self.message_user(
                request,
                gettext("已公布 %(count)s 个排名。") % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("撤下所选排名"), permissions=["change"])
    def unpublish(self, request, queryset):
        done = 0
        for snapshot in queryset:
            try:
                points.ranking_unpublish(snapshot=snapshot, actor=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                message = exc.messages[0] if hasattr(exc, "messages") else str(exc)
                self.message_user(
                    request, f"{snapshot.title}:{message}", messages.WARNING
                )
        if done:
            self.message_user(
                request,
                gettext("已撤下 %(count)s 个排名。") % {"count": done},
                messages.SUCCESS,
            )


class VoterReportForm(forms.ModelForm):
    class Meta:
        model = VoterReport
        fields = (
            "deputy",
            "date",
            "place",
            "voters_present",
            "satisfied",
            "basically_satisfied",
            "unsatisfied",
            "average_score",
            "summary",
        )

    def _post_clean(self) -> None:
        super()._post_clean()
        try:
            points.voter_report_check(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


@admin.register(VoterReport)
class VoterReportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = VoterReportForm
    list_display = (
        "deputy",
        "date",
        "voters_present",
        "satisfied",
        "basically_satisfied",
        "unsatisfied",
        "satisfaction_rate",
        "average_score",
    )
    list_select_related = ("deputy",)
    search_fields = ("deputy__name",)
    autocomplete_fields = ("deputy",)
    # A year filter rather than date_hierarchy: two fewer queries over the table.
    list_filter = (DateYearFilter,)

    @admin.display(description=_("满意率"))
    def satisfaction_rate(self, obj: VoterReport) -> str:
        rate = points.voter_report_satisfaction_rate(obj)
        return "—" if rate is None else f"{rate}%"

    def save_model(self, request, obj, form, change):
        self.check_in_scope(request, obj)
        points.voter_report_record(report=obj, actor=request.user, changed=change)
