"""Pages of 履职积分: my points (portal), the staff ranking, the public 晾晒 page,
and the 履职档案 PDF of one deputy.

Views read through selectors (``deputies.points``, ``deputies.archive``) and write
nothing.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from congress.audit import export_event
from congress.models import Region
from congress.scope import user_sees_everything
from deputies import archive
from deputies.models import Deputy
from deputies.models import Level
from deputies.models import PointEntry
from deputies.points import points_for_deputy
from deputies.points import ranking_pages_for_user
from deputies.points import ranking_snapshot_public_get

RANKING_PER_PAGE = 100
RECENT_ENTRIES = 20
PUBLIC_MAX_AGE = 300


def _deputy_of(user) -> Deputy:
    deputy = getattr(user, "deputy", None)
    if deputy is None:
        raise PermissionDenied(_("您的账号还没有关联代表信息,请联系常委会工作人员。"))
    return deputy


def _year_from(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        return this_year
    return year if 2000 <= year <= this_year + 1 else this_year


@login_required
@require_safe
def my_points(request: HttpRequest) -> HttpResponse:
    """我的积分: this year's points by fact, the recent lines, my rank per seat."""
    deputy = _deputy_of(request.user)
    year = _year_from(request)
    mine = points_for_deputy(deputy=deputy, year=year)
    recent = (
        PointEntry.objects.filter(deputy=deputy, year=year)
        .only("date", "fact", "points")
        .order_by("-date", "-pk")[:RECENT_ENTRIES]
    )
    this_year = timezone.localdate().year
    return render(
        request,
        "deputies/points/my_points.html",
        {
            "mine": mine,
            "recent": recent,
            "year": year,
            "years": list(range(this_year, this_year - 5, -1)),
        },
    )


@login_required
@require_safe
def my_archive_pdf(request: HttpRequest) -> HttpResponse:
    """My own 履职档案 of a year, as a PDF."""
    deputy = _deputy_of(request.user)
    return _archive_response(request, deputy=deputy, year=_year_from(request))


def _regions_for(user) -> list[Region]:
    """The user's scope region and the counties and townships below it."""
    regions = Region.objects.filter(
        level__in=[Region.Level.CITY, Region.Level.COUNTY, Region.Level.TOWNSHIP]
    ).order_by("code")
    if not user_sees_everything(user):
        scope = user.scope_region
        if scope is None:
            return []
        regions = regions.filter(code__startswith=scope.prefix)
    return list(regions.only("pk", "name", "code", "level")[:500])


class RankingForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000)
    level = forms.ChoiceField(label=gettext_lazy("代表层级"), choices=Level.choices)
    region = forms.TypedChoiceField(label=gettext_lazy("区划"), coerce=int)

    def __init__(self, *args, regions: list[Region], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [
            (r.pk, "\u3000" * max(r.level - Region.Level.CITY, 0) + r.name)
            for r in regions
        ]


def _staff_only(user) -> None:
    if not (user.is_superuser or user.works_in_admin):
        raise PermissionDenied(_("只有常委会工作人员和领导可以查看积分排名。"))


@login_required
@require_safe
def ranking(request: HttpRequest) -> HttpResponse:
    """积分排名 by level and region, for staff and leadership within their scope."""
    _staff_only(request.user)
    regions = _regions_for(request.user)
    default_region = request.user.scope_region or (regions[0] if regions else None)
    data = {
        "year": request.GET.get("year", timezone.localdate().year),
        "level": request.GET.get("level", Level.COUNTY),
        "region": request.GET.get(
            "region", default_region.pk if default_region else ""
        ),
    }
    form = RankingForm(data, regions=regions)
    page = None
    region = None
    if form.is_valid():
        region = next(r for r in regions if r.pk == form.cleaned_data["region"])
        rows = ranking_pages_for_user(
            user=request.user,
            year=form.cleaned_data["year"],
            level=form.cleaned_data["level"],
            region=region,
            per_page=RANKING_PER_PAGE,
        )
        paginator = Paginator(rows, RANKING_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "deputies/points/ranking.html",
        {
            "form": form,
            "page": page,
            "region": region,
            "query": query.urlencode(),
            "year": form.cleaned_data.get("year") if form.is_valid() else None,
        },
    )


@login_required
@require_safe
def deputy_archive_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The 履职档案 of a deputy in the staff member's scope."""
    _staff_only(request.user)
    deputy = Deputy.objects.visible_to(request.user).filter(pk=pk).only("pk").first()
    if deputy is None:
        raise Http404(_("没有找到该代表,或您无权查看。"))
    return _archive_response(request, deputy=deputy, year=_year_from(request))


def _archive_response(request: HttpRequest, *, deputy: Deputy, year: int):
    pdf = archive.archive_render(deputy_id=deputy.pk, year=year)
    # The archive prints no phone or ID number; the download is still logged.
    export_event(
        user=request.user,
        model_label="deputies.archive",
        rows=1,
        unmasked=False,
        request=request,
        fmt="pdf",
    )
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="archive-{deputy.pk}-{year}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def ranking_public(request: HttpRequest, token: str) -> HttpResponse:
    """晾晒: a published ranking, no login, names and points only."""
    snapshot = ranking_snapshot_public_get(token=token)
    if snapshot is None:
        raise Http404(_("排名不存在或尚未公布。"))
    return render(
        request,
        "deputies/points/ranking_public.html",
        {"snapshot": snapshot, "rows": snapshot.rows},
    )
