"""The deputy portal (代表履职门户), phones first: ``/portal/``.

A deputy sees their next duty days, logs a station visit in under a minute, and
reads their own visits and activities; a station manager logs and reads the visits
of their stations; staff may log (and backfill) visits here too. Every read goes
through ``deputies.visit_selectors`` and every write through ``deputies.visits``.
Visit photos are not public media: they are served by ``visit_photo`` after the
same check as the visit.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from congress.roles import Role
from deputies import visit_selectors
from deputies import visits
from deputies.portal_forms import VisitLogForm

VISITS_PER_PAGE = 20
ACTIVITIES_PER_PAGE = 20


def portal_user(view):
    """Signed-in deputies, station managers and staff who log visits; else 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not (
            user.has_role(Role.DEPUTY)
            or user.has_role(Role.STATION_MANAGER)
            or visits.logs_as_staff(user)
        ):
            raise PermissionDenied(_("代表履职门户仅供人大代表和联络站管理员使用。"))
        return view(request, *args, **kwargs)

    return wrapped


@require_safe
@portal_user
def portal_home(request: HttpRequest) -> HttpResponse:
    """我的履职: next duty days, a button to log a visit, this year's counts."""
    today = timezone.localdate()
    summary = visit_selectors.portal_summary(user=request.user, today=today)
    return render(
        request,
        "deputies/portal/home.html",
        {"summary": summary, "today": today},
    )


def _visit_form(
    request: HttpRequest, *, data=None, files=None, station_pk: str | None = None
) -> VisitLogForm:
    today = timezone.localdate()
    stations = list(visits.station_list_for_logging(user=request.user))
    chosen = [s for s in stations if str(s.pk) == station_pk]
    default = (
        chosen[0]
        if chosen
        else visits.visit_default_station(
            user=request.user, today=today, stations=stations
        )
    )
    return VisitLogForm(
        data,
        files,
        stations=stations,
        default_station=default,
        today=today,
        me=visits.deputy_of(request.user),
    )


@portal_user
def visit_log(request: HttpRequest) -> HttpResponse:
    """登记进站履职: one form, defaults filled in, photos checked on the server."""
    if request.method == "POST":
        form = _visit_form(request, data=request.POST, files=request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                visit = visits.visit_log(
                    user=request.user,
                    station=data["station"],
                    date=data["date"],
                    kind=data["kind"],
                    deputies=list(data["deputies"]),
                    voters_received=data["voters_received"],
                    summary=data["summary"],
                    photos=data["photos"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("进站履职已登记。"))
                return redirect("portal-visit-detail", pk=visit.pk)
    elif request.method in ("GET", "HEAD"):
        form = _visit_form(request)
    else:
        return HttpResponse(status=405)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "deputies/portal/visit_form.html",
        {"form": form, "no_station": not form.stations},
        status=status,
    )


def _add_errors(form: VisitLogForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_safe
@portal_user
def visit_deputies(request: HttpRequest) -> HttpResponse:
    """The deputies of the chosen station (htmx swaps the checkboxes in place);
    the deputy who logs is ticked, as on the first load."""
    form = _visit_form(request, station_pk=request.GET.get("station"))
    return render(request, "deputies/portal/_deputies_field.html", {"form": form})


@require_safe
@portal_user
def visit_list(request: HttpRequest) -> HttpResponse:
    """我的进站记录, newest first, twenty to a page."""
    paginator = Paginator(
        visit_selectors.visit_list_for_user(user=request.user), VISITS_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "deputies/portal/visit_list.html",
        {"page_obj": page, "visits": page.object_list},
    )


@require_safe
@portal_user
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One visit: station, date, deputies present, summary and photos."""
    visit = visit_selectors.visit_get_for_user(user=request.user, pk=pk)
    return render(request, "deputies/portal/visit_detail.html", {"visit": visit})


@require_safe
@login_required
def visit_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """Serve a visit photo to those who may see the visit (never public)."""
    photo = visit_selectors.visit_photo_get_for_user(user=request.user, pk=pk)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("照片文件不存在。")) from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_safe
@portal_user
def activity_list(request: HttpRequest) -> HttpResponse:
    """我的履职活动 and my attendance at each."""
    paginator = Paginator(
        visit_selectors.attendance_list_for_user(user=request.user),
        ACTIVITIES_PER_PAGE,
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "deputies/portal/activity_list.html",
        {
            "page_obj": page,
            "attendance": page.object_list,
            "today": timezone.localdate(),
        },
    )
