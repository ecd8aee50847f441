"""Public pages reached by the QR codes (码上找代表): no login, no personal data.

A citizen who scans a station's or a deputy's code lands here. The pages show
what a poster on the wall shows — names, seats, addresses, duty days — and phone
numbers only masked (``138****1234``). An unknown token, an inactive station and a
deputy without an active seat are all the same 404.

The pages are the same for everyone (they use their own base template without
the signed-in header), so they may be cached by the browser and shared caches for
a few minutes.
"""

from __future__ import annotations

from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from congress.fields import mask_phone
from deputies import posters

# Seconds a browser or proxy may keep a public page.
PUBLIC_MAX_AGE = 300


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def station_public(request: HttpRequest, token: str) -> HttpResponse:
    """A station's public page: where it is, when deputies are in, who they are."""
    today = timezone.localdate()
    station = posters.station_public_get(token=token, today=today)
    if station is None:
        raise Http404(_("联络站不存在或已停用。"))
    next_duty = posters.next_station_duty(station.window_duties, today=today)
    deputies = [
        {
            "name": a.deputy.name,
            "is_leader": a.is_leader,
            "phone": a.deputy.masked_phone,
            "token": a.deputy.public_token,
        }
        for a in station.public_assignments
    ]
    return render(
        request,
        "deputies/public/station.html",
        {
            "station": station,
            "township": station.region,
            "county": station.region.parent,
            "contact_phone": mask_phone(station.contact_phone),
            "duty_days_text": posters.duty_days_text(station.duty_days),
            "months": posters.duty_months(
                station.duty_days, today=today, duties=station.window_duties
            ),
            "next_duty": next_duty,
            "on_duty": [
                {"name": d.name, "phone": d.masked_phone}
                for d in (next_duty.on_duty if next_duty else [])
            ],
            "deputies": deputies,
            "public_url": posters.station_public_url(station),
        },
    )


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def deputy_public(request: HttpRequest, token: str) -> HttpResponse:
    """A deputy's public page: name, photo, seats, stations and their duty days.

    No phone number at all: citizens reach a deputy through the station.
    """
    deputy = posters.deputy_public_get(token=token)
    if deputy is None:
        raise Http404(_("代表不存在或已不在任。"))
    today = timezone.localdate()
    stations = [
        {
            "station": s,
            "duty_days_text": posters.duty_days_text(s.duty_days),
            "next_duty": [
                d
                for m in posters.duty_months(s.duty_days, today=today)
                for d in m.duty_dates
                if d >= today
            ][:3],
        }
        for s in deputy.active_stations
    ]
    return render(
        request,
        "deputies/public/deputy.html",
        {
            "deputy": deputy,
            "levels": posters.deputy_levels_text(deputy),
            "stations": stations,
            "public_url": posters.deputy_public_url(deputy),
        },
    )


def _svg_response(svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = "inline"
    return response


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def station_qr(request: HttpRequest, token: str) -> HttpResponse:
    """The station's QR code as an SVG image (to print or to save)."""
    station = posters.station_public_get(token=token)
    if station is None:
        raise Http404(_("联络站不存在或已停用。"))
    return _svg_response(posters.qr_svg_document(posters.station_public_url(station)))


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def deputy_qr(request: HttpRequest, token: str) -> HttpResponse:
    """The deputy's QR code as an SVG image."""
    deputy = posters.deputy_public_get(token=token)
    if deputy is None:
        raise Http404(_("代表不存在或已不在任。"))
    return _svg_response(posters.qr_svg_document(posters.deputy_public_url(deputy)))
