"""Admin of citizens' opinions (民情民意) and sensitive words (registered from
``DeputiesConfig.ready``).

The opinion form is read-only: state changes go through the services of
``deputies.opinions`` (the review queue's release and reject actions here, the
deputy portal for the rest). Phones are masked (``PersonalDataAdminMixin``: the
full number through the audited reveal page). The changelist is scoped and uses
the estimated count (``ScopedAdminMixin``): the city holds 500,000 opinions.

The review queue is the changelist filtered to "待审核" (``…/citizenopinion/review/``
is a stable address for it).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congress.admin import PersonalDataAdminMixin
from congress.admin import ScopedAdminMixin
from congress.admin import validate_phone
from congress.fields import mask_phone
from deputies import opinions
from deputies.admin_visits import VisitPeriodFilter
from deputies.models import CitizenOpinion
from deputies.models import SensitiveWord
from deputies.opinion_forms import OpinionRejectForm

READ_ONLY_FIELDS = (
    "tracking_code",
    "status",
    "channel",
    "station",
    "deputy",
    "region",
    "name",
    "phone_masked",
    "phone_consent",
    "category",
    "content",
    "sensitive_hits",
    "review_note",
    "created_at",
    "received_at",
    "reply",
    "replied_at",
    "replied_by",
    "referred_to",
    "satisfaction",
    "satisfaction_comment",
    "rated_at",
)


class OpinionPeriodFilter(VisitPeriodFilter):
    """Fixed periods instead of a date hierarchy, whose MIN/MAX over a county's
    opinions took half a second at city scale."""

    title = _("收到日期")
    field = "created_at"


@admin.register(CitizenOpinion)
class CitizenOpinionAdmin(PersonalDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    personal_data_fields = {"phone": mask_phone}
    personal_data_validators = {"phone": validate_phone}

    list_display = (
        "tracking_code",
        "status",
        "category",
        "station",
        "deputy",
        "phone_masked",
        "hits",
        "created_at",
        "satisfaction",
    )
    list_filter = (
        OpinionPeriodFilter,
        "status",
        "category",
        "channel",
        "satisfaction",
        "phone_consent",
    )
    search_fields = ("=tracking_code",)
    list_select_related = ("station", "deputy")
    fields = READ_ONLY_FIELDS
    readonly_fields = READ_ONLY_FIELDS
    actions = ["release_opinions", "reject_opinions"]

    def has_add_permission(self, request) -> bool:
        # Citizens leave opinions through the public pages; nobody types one here.
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # The form is read-only (the services change state); the permission still
        # matters for the review actions on the changelist.
        if obj is not None:
            return False
        return super().has_change_permission(request)

    @admin.display(description=_("手机号码"))
    def phone_masked(self, obj: CitizenOpinion) -> str:
        return obj.masked_phone or "—"

    @admin.display(description=_("命中敏感词"))
    def hits(self, obj: CitizenOpinion) -> str:
        return "、".join(obj.sensitive_hits or []) or "—"

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "review/",
                self.admin_site.admin_view(self.review_queue_view),
                name=f"{opts.app_label}_{opts.model_name}_review",
            ),
            *super().get_urls(),
        ]

    def review_queue_view(self, request):
        """The review queue: opinions held for a sensitive word."""
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return HttpResponseRedirect(
            f"{url}?status__exact={CitizenOpinion.Status.IN_REVIEW}"
        )

    def _run(self, request, queryset, service, done: str, **kwargs) -> int:
        succeeded = 0
        for opinion in queryset.order_by("pk"):
            try:
                service(opinion=opinion, actor=request.user, **kwargs)
            except ValidationError as error:
                self.message_user(
                    request,
                    f"{opinion.tracking_code}:{' '.join(error.messages)}",
                    messages.ERROR,
                )
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, done % {"n": succeeded}, messages.SUCCESS)
        return succeeded

    @admin.action(description=_("审核通过,交代表办理"), permissions=["change"])
    def release_opinions(self, request, queryset):
        self._run(
            request,
            queryset,
            opinions.opinion_review_release,
            gettext("已审核通过%(n)s条意见。"),
        )

    @admin.action(description=_("不予受理"), permissions=["change"])
    def reject_opinions(self, request, queryset):
        """Ask for the reason first (the citizen reads it), then refuse each one."""
        form = OpinionRejectForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._run(
                request,
                queryset,
                opinions.opinion_review_reject,
                gettext("已对%(n)s条意见作不予受理处理。"),
                note=form.cleaned_data["review_note"],
            )
            return None
        return TemplateResponse(
            request,
            "admin/deputies/citizenopinion/reject.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("不予受理"),
                "form": form,
                "opinions": queryset.order_by("pk"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(SensitiveWord)
class SensitiveWordAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Words that send an opinion to review. County staff keep their county's
    words and read the ones without a region (which apply everywhere)."""

    list_display = ("word", "region", "is_active", "note")
    list_filter = ("is_active",)
    search_fields = ("word",)
    list_select_related = ("region",)
    autocomplete_fields = ("region",)

    def get_queryset(self, request):
        scoped = super().get_queryset(request)
        everywhere = admin.ModelAdmin.get_queryset(self, request).filter(
            region__isnull=True
        )
        return (scoped | everywhere).select_related("region")
