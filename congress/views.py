"""Views of the core app: the home page that shows each role where to go, and the
in-app notification inbox.

``congress`` imports no app (DESIGN.md): the deputy and station facts on the home
page are reached through the user's reverse relations and ``apps.get_model``.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Prefetch
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import JsonResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.static import serve

from congress import notify
from congress.roles import Role

NOTIFICATIONS_PER_PAGE = 20
HOME_NOTIFICATIONS = 5


def next_duty_dates(
    duty_days: list[int], *, today: datetime.date, count: int = 3
) -> list[datetime.date]:
    """Return the next ``count`` duty dates on or after ``today``.

    ``duty_days`` are days of the month (逢六进站: 6, 16, 26). A day the month does
    not have (31 in April) is skipped for that month, not moved.
    """
    days = sorted({int(d) for d in duty_days or [] if 1 <= int(d) <= 31})
    if not days:
        return []
    found: list[datetime.date] = []
    year, month = today.year, today.month
    # Twelve months always hold ``count`` dates when any day is valid in most months.
    for _step in range(24):
        last = calendar.monthrange(year, month)[1]
        for day in days:
            if day <= last:
                date = datetime.date(year, month, day)
                if date >= today:
                    found.append(date)
                    if len(found) == count:
                        return found
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return found


@dataclass(frozen=True)
class StationCard:
    """A station as the home page shows it."""

    station: Any
    next_duty: list[datetime.date]


def _reverse_or_none(name: str) -> str | None:
    # The reports pages belong to congress/reports; the link appears once they exist.
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _station_cards(stations, *, today: datetime.date) -> list[StationCard]:
    return [
        StationCard(station=s, next_duty=next_duty_dates(s.duty_days, today=today))
        for s in stations
    ]


def _deputy_for_home(user):
    """Load the user's deputy record with active mandates and active stations."""
    deputy_model = apps.get_model("deputies", "Deputy")
    mandate_model = apps.get_model("deputies", "Mandate")
    station_model = apps.get_model("deputies", "LiaisonStation")
    return (
        deputy_model.objects.filter(user=user)
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "mandates",
                queryset=mandate_model.objects.filter(
                    status=mandate_model.Status.ACTIVE
                ).select_related("term__region", "congress_region"),
                to_attr="active_mandates",
            ),
            Prefetch(
                "stations",
                queryset=station_model.objects.filter(is_active=True)
                .select_related("region")
                .order_by("region__code", "name"),
                to_attr="active_stations",
            ),
        )
        .first()
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show each role where to go: the admin and reports for staff and leadership,
    the portal summary for a deputy, the unit for a liaison, the stations for a
    station manager, and the profile and notifications for everyone."""
    user = request.user
    today = timezone.localdate()
    context: dict[str, Any] = {
        "today": today,
        "works_in_admin": user.works_in_admin,
        "reports_url": _reverse_or_none("report-list"),
        "recent_notifications": list(
            notify.notification_list_for_user(user=user)[:HOME_NOTIFICATIONS]
        ),
        "role_labels": [label for value, label in Role.choices if user.has_role(value)],
    }
    if user.has_role(Role.DEPUTY):
        deputy = _deputy_for_home(user)
        context["deputy"] = deputy
        if deputy is not None:
            context["deputy_stations"] = _station_cards(
                deputy.active_stations, today=today
            )
    if user.has_role(Role.UNIT_LIAISON) and user.organization_id:
        organization_model = apps.get_model("congress", "Organization")
        context["organization"] = (
            organization_model.objects.select_related("region")
            .filter(pk=user.organization_id)
            .first()
        )
    if user.has_role(Role.STATION_MANAGER):
        stations = (
            user.managed_stations.filter(is_active=True)
            .select_related("region")
            .order_by("region__code", "name")
        )
        context["managed_stations"] = _station_cards(stations, today=today)
    return render(request, "congress/home.html", context)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """List the user's in-app notifications, newest first, twenty to a page."""
    paginator = Paginator(
        notify.notification_list_for_user(user=request.user), NOTIFICATIONS_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "congress/notifications_list.html",
        {"page_obj": page, "notifications": page.object_list},
    )


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notifications read, then go on to its link or back."""
    try:
        notification = notify.notification_mark_read(
            user=request.user, notification_id=pk
        )
    except (ObjectDoesNotExist, PermissionDenied) as exc:
        # Someone else's notification looks exactly like a missing one.
        raise Http404(_("没有找到这条消息。")) from exc
    target = request.POST.get("next") or ""
    if target == "link" and notification is not None and notification.url:
        target = notification.url
    if not url_has_allowed_host_and_scheme(
        target,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        target = reverse("notification-list")
    messages.success(request, _("已标记为已读。"))
    return redirect(target)


def healthz(request: HttpRequest) -> JsonResponse:
    """Answer the container health check: the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def deputy_photo(request: HttpRequest, path: str) -> HttpResponse:
    """Serve a deputy's photo: the only part of MEDIA_ROOT that is public."""
    root = Path(settings.MEDIA_ROOT) / "deputies" / "photos"
    return serve(request, path, document_root=str(root))
