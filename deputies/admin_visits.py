"""Admin of 进站履职 (station visits) and 履职活动 (activities with attendance).

Imported by ``deputies/admin.py``. The visit changelist stays fast on five million
rows: the paginator estimates instead of an exact COUNT(*) (``ScopedAdminMixin``),
the filters offer fixed choices (no DISTINCT over the table, no date hierarchy),
and each row's station and region are joined, not fetched one by one. Visits are
logged through the portal's ``visit_log`` service; here staff read, filter and
delete them. Attendance goes through ``activity_attendance_record``.
"""

from __future__ import annotations

import datetime
import json

from django import forms
from django.contrib import admin
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Count
from django.db.models import IntegerField
from django.db.models import OuterRef
from django.db.models import QuerySet
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congress.admin import EstimatedCountPaginator
from congress.admin import RegionListFilter
from congress.admin import ScopedAdminMixin
from congress.admin import ScopedInlineMixin
from deputies.models import Activity
from deputies.models import ActivityParticipant
from deputies.models import StationVisit
from deputies.models import StationVisitDeputy
from deputies.models import VisitPhoto
from deputies.visits import AttendanceEntry
from deputies.visits import activity_attendance_mark_all_present
from deputies.visits import activity_attendance_record
from deputies.visits import attendance_check
from deputies.visits import logs_as_staff as visits_logs_as_staff

# Count at most this many rows exactly; beyond it, the planner's estimate will do.
EXACT_COUNT_CAP = 5_000


class CappedCountPaginator(EstimatedCountPaginator):
    """Count a visit changelist without ever counting millions of rows.

    ``EstimatedCountPaginator`` trusts the planner's estimate, which for a
    search (``station__name`` contains …) can be far too low and then leads to an
    exact COUNT(*) over the whole table. Here the exact count stops after
    ``EXACT_COUNT_CAP`` rows (``SELECT count(*) FROM (… LIMIT cap + 1)``); a list
    longer than that shows the planner's estimate (at least the cap).
    """

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        capped = queryset.order_by()[: EXACT_COUNT_CAP + 1].count()
        if capped <= EXACT_COUNT_CAP:
            return capped
        return max(_planner_estimate(queryset), capped)


def _planner_estimate(queryset: QuerySet) -> int:
    if connections[queryset.db].vendor != "postgresql":
        return queryset.count()
    plan = json.loads(queryset.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


class VisitPeriodFilter(admin.SimpleListFilter):
    """Fixed periods: an index range on the date, never a scan for distinct dates."""

    title = _("进站日期")
    parameter_name = "period"
    field = "date"  # a DateField; a DateTimeField is compared from local midnight

    def lookups(self, request, model_admin):
        return (
            ("30d", _("最近30天")),
            ("this_year", _("今年")),
            ("last_year", _("去年")),
            ("older", _("更早")),
        )

    def queryset(self, request, queryset):
        today = timezone.localdate()
        this_year = datetime.date(today.year, 1, 1)
        last_year = datetime.date(today.year - 1, 1, 1)
        since, until = {
            "30d": (today - datetime.timedelta(days=30), None),
            "this_year": (this_year, None),
            "last_year": (last_year, this_year),
            "older": (None, last_year),
        }.get(self.value(), (None, None))
        if since is not None:
            queryset = queryset.filter(**{f"{self.field}__gte": self._bound(since)})
        if until is not None:
            queryset = queryset.filter(**{f"{self.field}__lt": self._bound(until)})
        return queryset

    def _bound(self, day: datetime.date):
        if self.field == "date":
            return day
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class VisitDeputyInline(admin.TabularInline):
    model = StationVisitDeputy
    extra = 0
    fields = ("deputy",)
    readonly_fields = ("deputy",)
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("deputy")


class VisitPhotoInline(ScopedInlineMixin, admin.TabularInline):
    """The photos, read-only, served through the scoped photo view."""

    model = VisitPhoto
    extra = 0
    fields = ("preview", "width", "height", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("照片"))
    def preview(self, obj: VisitPhoto) -> str:
        url = reverse("portal-visit-photo", args=[obj.pk])
        return format_html(
            '<a href="{}"><img src="{}" alt="" width="160" loading="lazy"></a>',
            url,
            url,
        )


@admin.register(StationVisit)
class StationVisitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    paginator = CappedCountPaginator
    list_display = (
        "date",
        "station",
        "region",
        "kind",
        "voters_received",
        "logged_by",
    )
    list_display_links = ("date", "station")
    list_filter = ("kind", VisitPeriodFilter, RegionListFilter)
    search_fields = ("station__name",)
    list_select_related = ("station", "region", "logged_by")
    ordering = ("-date", "-pk")
    readonly_fields = (
        "station",
        "region",
        "date",
        "kind",
        "voters_received",
        "summary",
        "deputies_present",
        "logged_by",
        "created_at",
    )
    fields = readonly_fields
    inlines = [VisitDeputyInline, VisitPhotoInline]

    def has_add_permission(self, request):
        # Visits are logged through the portal (the visit_log service checks the
        # station, the date window and the photos); staff may backfill there.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("到场代表"))
    def deputies_present(self, obj: StationVisit) -> str:
        names = obj.deputies.order_by("name").values_list("name", flat=True)
        return format_html_join("、", "{}", ((n,) for n in names)) or "—"

    def changelist_view(self, request, extra_context=None):
        # Staff log and backfill visits on the portal's form (the visit_log service).
        extra_context = extra_context or {}
        if visits_logs_as_staff(request.user):
            extra_context["log_url"] = reverse("portal-visit-log")
        return super().changelist_view(request, extra_context)


class ParticipantFormSet(forms.BaseInlineFormSet):
    """Refuse, in the form, attendance that cannot be true (the service agrees)."""

    def clean(self):
        super().clean()
        activity_date = self.instance.date
        if activity_date is None:
            return
        today = timezone.localdate()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or not data.get("deputy"):
                continue
            try:
                attendance_check(
                    activity_date=activity_date,
                    attendance=data.get("attendance"),
                    today=today,
                )
            except ValidationError as exc:
                form.add_error("attendance", exc)


class ActivityParticipantInline(ScopedInlineMixin, admin.TabularInline):
    model = ActivityParticipant
    formset = ParticipantFormSet
    extra = 1
    fields = ("deputy", "attendance", "note")
    autocomplete_fields = ("deputy",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("deputy")


def _attendance_count(attendance: str | None = None):
    rows = ActivityParticipant.objects.filter(activity=OuterRef("pk"))
    if attendance is not None:
        rows = rows.filter(attendance=attendance)
    counted = rows.order_by().values("activity").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@admin.register(Activity)
class ActivityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "date",
        "title",
        "kind",
        "region",
        "invited",
        "present",
        "absent",
        "on_leave",
    )
    list_display_links = ("date", "title")
    list_filter = ("kind", VisitPeriodFilter, RegionListFilter)
    search_fields = ("title", "place")
    list_select_related = ("region",)
    ordering = ("-date", "-pk")
    autocomplete_fields = ("region", "organizer")
    inlines = [ActivityParticipantInline]
    actions = ["mark_all_present"]

    def get_queryset(self, request):
        # One correlated count per column and row of the page (index on
        # activity_id), not a GROUP BY over every attendance row of the table.
        attendance = ActivityParticipant.Attendance
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_invited=_attendance_count(),
                n_present=_attendance_count(attendance.PRESENT),
                n_absent=_attendance_count(attendance.ABSENT),
                n_on_leave=_attendance_count(attendance.ON_LEAVE),
            )
        )

    @admin.display(description=_("应到"), ordering="n_invited")
    def invited(self, obj) -> int:
        return obj.n_invited

    @admin.display(description=_("出席"), ordering="n_present")
    def present(self, obj) -> int:
        return obj.n_present

    @admin.display(description=_("缺席"), ordering="n_absent")
    def absent(self, obj) -> int:
        return obj.n_absent

    @admin.display(description=_("请假"), ordering="n_on_leave")
    def on_leave(self, obj) -> int:
        return obj.n_on_leave

    def save_formset(self, request, form, formset, change):
        """Attendance goes through ``activity_attendance_record``."""
        if formset.model is not ActivityParticipant:
            return super().save_formset(request, form, formset, change)
        entries = []
        removed = []
        for inline_form in formset.forms:
            data = getattr(inline_form, "cleaned_data", None) or {}
            deputy = data.get("deputy")
            if not deputy:
                continue
            if data.get("DELETE"):
                if inline_form.instance.pk:
                    removed.append(inline_form.instance.deputy)
                continue
            if inline_form.has_changed() or not inline_form.instance.pk:
                entries.append(
                    AttendanceEntry(
                        deputy=deputy,
                        attendance=data.get("attendance")
                        or ActivityParticipant.Attendance.INVITED,
                        note=data.get("note", ""),
                    )
                )
        activity_attendance_record(
            activity=form.instance,
            entries=entries,
            removed=removed,
            actor=request.user,
        )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = (
            [],
            [],
            [],
        )

    @admin.action(description=_("将未登记的代表全部标记为出席"), permissions=["change"])
    def mark_all_present(self, request, queryset):
        try:
            changed = activity_attendance_mark_all_present(
                activities=queryset.order_by("pk"), actor=request.user
            )
        except ValidationError as exc:
            self.message_user(request, ";".join(exc.messages), messages.ERROR)
            return
        self.message_user(
            request,
            gettext(
                "已将%(count)s名未登记的代表标记为出席;已登记缺席、请假的保持不变,"
                "尚未举行的活动未处理。"
            )
            % {"count": changed},
            messages.SUCCESS,
        )
