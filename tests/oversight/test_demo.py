"""The oversight demo builder: the whole loop of every method, idempotent."""

import pytest

from congress.demo.units import COUNTY_UNITS
from congress.models import Organization
from congress.models import Region
from oversight.demo import oversight_demo_build
from oversight.models import DeliberationOpinion
from oversight.models import OversightItem
from oversight.models import RandomDraw
from oversight.models import TopicProposal
from oversight.services import draw_verify
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import RegionFactory

pytestmark = pytest.mark.django_db


def test_demo_builds_every_method_and_runs_twice(county_a):
    for i in range(6):
        RegionFactory(
            name=f"乡镇{i}",
            code=Region.full_code(f"430524{100 + i}"),
            level=Region.Level.TOWNSHIP,
            parent=county_a,
        )
    for i, (name, kind) in enumerate(COUNTY_UNITS):
        OrganizationFactory(
            name=f"隆回县{name}",
            code=f"430524-U{i + 1:03d}",
            kind=kind,
            region=county_a,
        )
    lines = []
    oversight_demo_build(log=lines.append)
    methods = set(OversightItem.objects.values_list("method", flat=True))
    assert {
        "work_report",
        "inspection",
        "inquiry",
        "department_review",
        "case_review",
        "project",
    } <= methods
    assert OversightItem.objects.filter(parent__isnull=False).count() == 2
    assert TopicProposal.objects.filter(status="adopted").count() == 4
    drawn = RandomDraw.objects.filter(status="drawn")
    assert drawn.count() == 2
    assert all(draw_verify(draw=d).result_ok for d in drawn)
    assert DeliberationOpinion.objects.filter(follow_ups__isnull=False).exists()
    counts = (
        OversightItem.objects.count(),
        TopicProposal.objects.count(),
        Organization.objects.count(),
    )
    oversight_demo_build(log=lines.append)
    assert counts == (
        OversightItem.objects.count(),
        TopicProposal.objects.count(),
        Organization.objects.count(),
    )
    assert "already present" in lines[-1]
    from oversight.models import BudgetIndicator

    assert BudgetIndicator.objects.count() == 8


def test_summary_pdf_of_the_demo_year(county_a, tmp_path):
    """The year's summary counts the demo's items and draws and prints in Chinese."""
    import subprocess

    from django.utils import timezone

    from congress.reports.render import render_pdf
    from oversight.reports import build_summary_context

    test_demo_builds_every_method_and_runs_twice(county_a)
    year = timezone.localdate().year
    context = build_summary_context(region=county_a, params={"year": year})
    assert context["figures"]["items"] == 8  # six in the plan, two township checks
    assert context["figures"]["draws"] == 2 and context["figures"]["halted"] == 1
    context["report_title"] = "隆回县年度监督工作总结"
    pdf = render_pdf("oversight/reports/summary.html", context)
    path = tmp_path / "s.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout.replace(" ", "")
    assert "各监督方式事项数" in text and "两官评议" in text
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Noto" in fonts and "yes" in fonts


def test_scale_builder_fills_each_county_once(county_a, county_b):
    from oversight.models import Problem
    from oversight.scale import four_lists_render
    from oversight.scale import oversight_scale_build

    for county in (county_a, county_b):
        for _i in range(3):
            OrganizationFactory(region=county)
    lines = []
    oversight_scale_build(options={}, log=lines.append)
    assert OversightItem.objects.filter(region=county_a).count() == 60
    assert (
        Problem.objects.filter(opinion__item__region=county_b).count() == 59 * 10 + 200
    )
    oversight_scale_build(options={}, log=lines.append)
    assert OversightItem.objects.count() == 120
    assert "0 scale items" in lines[-1]
    assert four_lists_render(region=county_a).content.startswith(b"%PDF")


def test_every_change_page_of_the_demo_opens(client, county_a, staff_a):
    """After the demo, one object of every oversight model opens in the admin."""
    from django.contrib import admin
    from django.urls import reverse

    test_demo_builds_every_method_and_runs_twice(county_a)
    client.force_login(staff_a)
    opened = 0
    for model in list(admin.site._registry):
        if model._meta.app_label != "oversight":
            continue
        obj = model.objects.visible_to(staff_a).order_by("pk").first()
        if obj is None:
            continue
        url = reverse(f"admin:oversight_{model._meta.model_name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200, url
        opened += 1
    assert opened >= 18
