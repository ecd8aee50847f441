"""Admin actions "打印海报" on stations and deputies (码上找代表 posters).

The changelist queryset is already scoped (``ScopedAdminMixin``), and the request
services check the object's region against the user's scope again, so county-A
staff can never print a county-B poster. One selected object goes straight to its
report page; several go to the report list.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deputies.posters import deputy_poster_request
from deputies.posters import station_poster_request

# More than this in one go would flood the report queue from a misclick.
POSTER_ACTION_LIMIT = 50


def _request_posters(modeladmin, request, queryset, service: Callable, key: str):
    objects = list(queryset.order_by("pk")[: POSTER_ACTION_LIMIT + 1])
    if len(objects) > POSTER_ACTION_LIMIT:
        modeladmin.message_user(
            request,
            _("一次最多打印%(limit)s张海报,请少选一些。")
            % {"limit": POSTER_ACTION_LIMIT},
            messages.ERROR,
        )
        return None
    reports = []
    for obj in objects:
        try:
            reports.append(service(**{key: obj, "requester": request.user}))
        except (ValidationError, PermissionDenied) as exc:
            text = "".join(getattr(exc, "messages", None) or [str(exc)])
            modeladmin.message_user(request, f"{obj}:{text}", messages.ERROR)
    if not reports:
        return None
    modeladmin.message_user(
        request,
        _("已提交%(count)s张海报的生成,完成后可下载。") % {"count": len(reports)},
        messages.SUCCESS,
    )
    if len(reports) == 1:
        return redirect("report-detail", pk=reports[0].pk)
    return redirect("report-list")


@admin.action(description=gettext_lazy("打印海报"), permissions=["view"])
def print_station_poster(modeladmin, request, queryset):
    """Ask for the A4 poster of each selected station."""
    return _request_posters(
        modeladmin, request, queryset, station_poster_request, "station"
    )


@admin.action(description=gettext_lazy("打印海报"), permissions=["view"])
def print_deputy_poster(modeladmin, request, queryset):
    """Ask for the A4 poster of each selected deputy."""
    return _request_posters(
        modeladmin, request, queryset, deputy_poster_request, "deputy"
    )
