"""Query counts of the pages and changelists at 5 and at 50 rows: no N+1."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress.roles import Role
from oversight import services
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import UserFactory
from tests.factories.oversight import ExpertFactory
from tests.factories.oversight import OversightItemFactory
from tests.factories.oversight import TopicProposalFactory

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _countermeasures(county, unit, staff, n):
    item = OversightItemFactory(region=county)
    opinion = services.opinion_issue(
        item=item,
        text="意见",
        issued_on=datetime.date(2027, 3, 1),
        report_due=datetime.date(2027, 5, 1),
        user=staff,
    )
    for i in range(n):
        problem = services.problem_add(
            opinion=opinion, description=f"问题{i}", user=staff
        )
        measure = services.countermeasure_add(
            problem=problem,
            unit=unit,
            measure=f"对策{i}",
            deadline=datetime.date(2027, 6, 1),
            user=staff,
        )
        services.rectification_report(
            countermeasure=measure, done="推进中", completed=False, user=staff
        )


def test_unit_portal_queries_same_for_5_and_50(client, county_a, staff_a):
    unit = OrganizationFactory(region=county_a)
    liaison = UserFactory(
        username="liaison",
        scope_region=county_a,
        organization=unit,
        roles=[Role.UNIT_LIAISON],
    )
    client.force_login(liaison)
    _countermeasures(county_a, unit, staff_a, 5)
    small = _count(client, reverse("portal-oversight"))
    _countermeasures(county_a, unit, staff_a, 45)
    big = _count(client, reverse("portal-oversight"))
    assert small == big <= 10  # the issue: unit lists ≤ 10 queries


def test_public_results_queries_same_for_5_and_50(client, county_a, staff_a):
    def publish(n):
        for i in range(n):
            item = OversightItemFactory(region=county_a, title=f"事项{i}")
            services.item_publish(item=item, user=staff_a, summary="结果")

    publish(5)
    small = _count(client, reverse("oversight-results"))
    publish(45)
    assert _count(client, reverse("oversight-results")) == small <= 3


@pytest.mark.parametrize(
    "model", ["oversightitem", "topicproposal", "countermeasure", "problem"]
)
def test_admin_changelists_queries_do_not_grow(client, county_a, staff_a, model):
    unit = OrganizationFactory(region=county_a)
    client.force_login(staff_a)
    url = reverse(f"admin:oversight_{model}_changelist")

    def grow(n):
        _countermeasures(county_a, unit, staff_a, n)
        for _ in range(n):
            OversightItemFactory(region=county_a)
            TopicProposalFactory(region=county_a)

    grow(5)
    small = _count(client, url)
    grow(45)
    big = _count(client, url)
    assert small == big <= 10, (small, big)  # admin changelists ≤ 10


# --- the item's admin change page ----------------------------------------------------


def _full_item(county, staff):
    """A county inspection with everything its change page shows: plan, topic,
    lead committee, units, deputies, milestones, a township sub-inspection and an
    opinion (whose problems the page must not load)."""
    from congress.models import Region
    from oversight.models import Method
    from oversight.models import Milestone
    from tests.factories.congress import RegionFactory
    from tests.factories.deputies import DeputyFactory
    from tests.factories.oversight import DeliberationOpinionFactory
    from tests.factories.oversight import OversightPlanFactory

    item = OversightItemFactory(
        region=county,
        title="县级执法检查",
        method=Method.INSPECTION,
        law_name="环境保护法",
        plan=OversightPlanFactory(region=county, title="年度监督计划甲"),
        topic=TopicProposalFactory(region=county, title="来源议题甲"),
        lead_committee=OrganizationFactory(region=county, name="法制委甲"),
    )
    item.responsible_units.set(
        [OrganizationFactory(region=county, name=f"被监督局{n}") for n in range(3)]
    )
    item.deputies.set([DeputyFactory(region=county, name=f"代表{n}") for n in range(2)])
    Milestone.objects.create(
        item=item, title="年初听取计划", due_date=datetime.date(2027, 2, 1)
    )
    township = RegionFactory(
        name="桃洪镇",
        code=Region.full_code("430524100"),
        level=Region.Level.TOWNSHIP,
        parent=county,
    )
    services.inspection_link_township(parent=item, township=township, user=staff)
    services.expert_assign(
        item=item, expert=ExpertFactory(region=county, name="王教授"), user=staff
    )
    return item, DeliberationOpinionFactory(item=item)


def _grow(item, opinion, county, problems, item_staff):
    """Many more problems, units, deputies, milestones and sub-inspections."""
    from congress.models import Region
    from oversight.models import Milestone
    from oversight.models import Problem
    from tests.factories.congress import RegionFactory
    from tests.factories.deputies import DeputyFactory

    start = opinion.problems.count()
    Problem.objects.bulk_create(
        Problem(opinion=opinion, number=start + n + 1, description=f"问题{n}")
        for n in range(problems)
    )
    item.responsible_units.add(
        *[OrganizationFactory(region=county, name=f"又一局{n}") for n in range(5)]
    )
    item.deputies.add(*[DeputyFactory(region=county) for _ in range(5)])
    for n in range(5):
        Milestone.objects.create(
            item=item, title=f"视察{n}", due_date=datetime.date(2027, 3 + n, 1)
        )
        services.expert_assign(
            item=item, expert=ExpertFactory(region=county), user=item_staff
        )
        OversightItemFactory(
            region=RegionFactory(
                code=Region.full_code(f"43052420{n}"),
                level=Region.Level.TOWNSHIP,
                parent=county,
            ),
            parent=item,
            method=item.method,
        )


def test_item_change_page_queries_same_for_few_and_200_problems(
    client, county_a, staff_a
):
    from oversight.models import Problem

    client.force_login(staff_a)
    item, opinion = _full_item(county_a, staff_a)
    Problem.objects.bulk_create(
        Problem(opinion=opinion, number=n + 1, description=f"问题{n}") for n in range(3)
    )
    url = reverse("admin:oversight_oversightitem_change", args=[item.pk])
    client.get(url)  # warm the per-process caches (content types)
    few = _count(client, url)
    _grow(item, opinion, county_a, problems=197, item_staff=staff_a)
    assert opinion.problems.count() == 200
    many = _count(client, url)
    assert few == many <= 10, (few, many)


def test_item_change_page_shows_the_chosen_values_and_sub_inspections(
    client, county_a, staff_a
):
    client.force_login(staff_a)
    item, _opinion = _full_item(county_a, staff_a)
    sub = item.sub_items.get()
    response = client.get(
        reverse("admin:oversight_oversightitem_change", args=[item.pk])
    )
    page = response.content.decode()
    # Every chosen value is a selected option of its autocomplete, by name.
    chosen = [
        county_a,
        item.plan,
        item.topic,
        item.lead_committee,
        *item.responsible_units.all(),
        *item.deputies.all(),
    ]
    for obj in chosen:
        assert f'<option value="{obj.pk}" selected>{obj}</option>' in page, obj
    assert 'value="年初听取计划"' in page  # the milestones inline
    assert "王教授(评查专家)" in page  # the experts taking part
    sub_url = reverse("admin:oversight_oversightitem_change", args=[sub.pk])
    assert f'<a href="{sub_url}">{sub.title}</a>(桃洪镇,计划中)' in page


def test_item_change_page_saves_the_autocompleted_units(client, county_a, staff_a):
    client.force_login(staff_a)
    item, _opinion = _full_item(county_a, staff_a)
    kept = item.responsible_units.order_by("pk").first()
    added = OrganizationFactory(region=county_a, name="新增局")
    url = reverse("admin:oversight_oversightitem_change", args=[item.pk])
    data = {
        "region": county_a.pk,
        "plan": item.plan_id,
        "topic": item.topic_id,
        "parent": "",
        "title": "县级执法检查(改)",
        "category": item.category,
        "method": item.method,
        "lead_committee": item.lead_committee_id,
        "responsible_units": [kept.pk, added.pk],
        "deputies": list(item.deputies.values_list("pk", flat=True)),
        "law_name": item.law_name,
        "planned_month": "",
        "report": "",
        "deliberation": "",
        "findings": "",
        "public_summary": "",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "1000",
    }
    # The existing milestone is kept as it is.
    milestone = item.milestones.get()
    data.update(
        {
            "milestones-TOTAL_FORMS": "1",
            "milestones-INITIAL_FORMS": "1",
            "milestones-0-id": milestone.pk,
            "milestones-0-item": item.pk,
            "milestones-0-title": milestone.title,
            "milestones-0-due_date": "2027-02-01",
            "milestones-0-done_on": "",
            "milestones-0-note": "",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item.refresh_from_db()
    assert item.title == "县级执法检查(改)"
    assert set(item.responsible_units.all()) == {kept, added}
    assert item.deputies.count() == 2


def test_item_autocomplete_offers_only_units_in_scope(
    client, county_a, county_b, staff_a
):
    client.force_login(staff_a)
    OrganizationFactory(region=county_a, name="隆回县教育局")
    OrganizationFactory(region=county_b, name="洞口县教育局")
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "oversight",
            "model_name": "oversightitem",
            "field_name": "responsible_units",
            "term": "教育局",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["隆回县教育局"]
