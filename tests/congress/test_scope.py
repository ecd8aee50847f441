"""Scope in the admin: county-A staff see nothing of county B anywhere."""

from __future__ import annotations

import csv
import io
import secrets

import factory
import openpyxl
import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString

from congress import admin as congress_admin
from congress.models import AuditEvent
from congress.models import Organization
from congress.models import User
from congress.roles import Role
from deputies.models import Deputy
from deputies.models import LiaisonStation
from tests.factories.congress import OrganizationFactory
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import LiaisonStationFactory

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "congress.backends.UserBackend"
# The models' default token (secrets.token_urlsafe(), 43 characters) does not fit
# their max_length=32; until that is fixed the tests pass a 22-character one.
TOKEN = factory.LazyFunction(lambda: secrets.token_urlsafe(16))


def login(client, user):
    client.force_login(user, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def deputies_ab(township_a, township_b):
    """One deputy in each county, with names that cannot be confused."""
    return (
        DeputyFactory(
            public_token=TOKEN,
            name="隆回甲代表",
            region=township_a,
            phone="13812345678",
        ),
        DeputyFactory(
            public_token=TOKEN,
            name="洞口乙代表",
            region=township_b,
            phone="13987654321",
        ),
    )


def export_format_index(model, name: str) -> int:
    formats = admin.site._registry[model].get_export_formats()
    return next(i for i, f in enumerate(formats) if f.__name__ == name)


def export(client, model, fmt: str, *, unmasked: bool = False, extra=None):
    """POST the admin export form with every field selected."""
    model_admin = admin.site._registry[model]
    resource = model_admin.get_export_resource_classes(None)[0]
    data = {"format": export_format_index(model, fmt), "resource": 0}
    for field in resource().get_export_order():
        data[f"{resource.__name__.lower()}_{field}"] = "on"
    if unmasked:
        data["unmasked"] = "on"
    data.update(extra or {})
    opts = model._meta
    return client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_export"), data
    )


def test_deputy_changelist_county_staff_sees_only_own_county(
    client, staff_a, deputies_ab
):
    """County-A staff see county A's deputy in the changelist and not county B's."""
    response = login(client, staff_a).get(reverse("admin:deputies_deputy_changelist"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "隆回甲代表" in content, "own county's deputy must be listed"
    assert "洞口乙代表" not in content, "other county's deputy leaked into changelist"
    assert "洞口县" not in content and "文昌街道" not in content, (
        "other county's regions leaked into the filters"
    )


def test_deputy_changelist_city_staff_sees_both_counties(
    client, city_staff, deputies_ab
):
    """A city user's scope holds both counties."""
    response = login(client, city_staff).get(
        reverse("admin:deputies_deputy_changelist")
    )
    content = response.content.decode()
    assert "隆回甲代表" in content and "洞口乙代表" in content, (
        "city staff must see the deputies of every county in the city"
    )


def test_region_filter_lists_scope_children_and_filters_by_prefix(
    client, city_staff, staff_a, deputies_ab, county_b
):
    """The 区划 filter offers the counties to a city user, the townships to a
    county user, and filtering by a county keeps only its deputies."""
    url = reverse("admin:deputies_deputy_changelist")
    content = login(client, city_staff).get(url).content.decode()
    assert "?region=430524000000" in content and "?region=430525000000" in content

    filtered = client.get(url, {"region": county_b.code}).content.decode()
    assert "洞口乙代表" in filtered and "隆回甲代表" not in filtered

    content = login(client, staff_a).get(url).content.decode()
    assert "?region=430524100000" in content, "county staff choose a township"
    assert "?region=430525" not in content, "another county offered to county A"

    # County A staff asking for county B's code still see nothing of county B.
    leaked = client.get(url, {"region": county_b.code}).content.decode()
    assert "洞口乙代表" not in leaked


def test_deputy_change_form_out_of_scope_is_404(client, staff_a, deputies_ab):
    """The change, delete and history pages of a county-B deputy answer 404."""
    _, deputy_b = deputies_ab
    login(client, staff_a)
    for name in ("change", "delete", "history"):
        url = reverse(f"admin:deputies_deputy_{name}", args=[deputy_b.pk])
        assert client.get(url).status_code == 404, f"{name} page must be 404"
    missing = reverse("admin:deputies_deputy_change", args=[999999])
    assert client.get(missing).status_code == 404, "a missing record looks the same"


def test_deputy_change_form_in_scope_is_200(client, staff_b, deputies_ab):
    """Staff of county B open their own deputy's change form."""
    _, deputy_b = deputies_ab
    response = login(client, staff_b).get(
        reverse("admin:deputies_deputy_change", args=[deputy_b.pk])
    )
    assert response.status_code == 200, "own county's deputy must open"


def test_autocomplete_deputy_returns_only_own_county(client, staff_a, deputies_ab):
    """The deputy autocomplete of the station form lists county A only."""
    response = login(client, staff_a).get(
        reverse("admin:autocomplete"),
        {
            "app_label": "deputies",
            "model_name": "stationassignment",
            "field_name": "deputy",
            "term": "",
        },
    )
    assert response.status_code == 200
    names = {r["text"] for r in response.json()["results"]}
    assert names == {"隆回甲代表"}, f"autocomplete leaked other counties: {names}"


def test_autocomplete_region_returns_only_own_subtree(
    client, staff_a, township_a, township_b
):
    """The region autocomplete of the organization form stays in county A."""
    response = login(client, staff_a).get(
        reverse("admin:autocomplete"),
        {
            "app_label": "congress",
            "model_name": "organization",
            "field_name": "region",
            "term": "",
        },
    )
    names = {r["text"] for r in response.json()["results"]}
    assert names == {"隆回县", "桃洪镇"}, f"unexpected regions offered: {names}"


def test_export_csv_county_staff_exports_only_own_county_masked(
    client, staff_a, deputies_ab
):
    """The CSV export holds county A only, with Chinese headers and masked phones."""
    response = export(login(client, staff_a), Deputy, "CSV")
    assert response.status_code == 200, response.content[:500]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["姓名"] for r in rows] == ["隆回甲代表"], f"export rows: {rows}"
    assert rows[0]["手机号码"] == "138****5678", "phones are masked by default"
    assert rows[0]["区划代码"] == "430524100000", "region is exported by its code"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert event.detail["rows"] == 1 and event.detail["unmasked"] is False
    assert event.user == staff_a


def test_export_xlsx_unmasked_when_allowed_and_chosen(client, staff_a, deputies_ab):
    """Staff with view_personal_data who choose it get full phones, audited."""
    response = export(login(client, staff_a), Deputy, "XLSX", unmasked=True)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header, *body = values
    assert len(body) == 1, f"only county A's deputy may be exported: {body}"
    row = dict(zip(header, body[0], strict=True))
    assert row["姓名"] == "隆回甲代表"
    assert row["手机号码"] == "13812345678", "chosen unmasked export shows the phone"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert event.detail["unmasked"] is True and event.detail["rows"] == 1


def test_export_unmasked_refused_without_personal_data_permission(
    client, county_a, deputies_ab
):
    """A user who may export but not see personal data gets masked phones."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="exporter", scope_region=county_a, is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_deputy"),
        Permission.objects.get(codename="export_data"),
    )
    response = export(login(client, user), Deputy, "CSV", unmasked=True)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["手机号码"] == "138****5678", "no permission: phone stays masked"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert event.detail["unmasked"] is False


def test_export_refused_to_leadership(client, leader_a, deputies_ab):
    """Leadership reads but does not export: the export page is 403."""
    response = export(login(client, leader_a), Deputy, "CSV")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


def test_station_export_scoped(client, staff_b, township_a, township_b):
    """Station export of county-B staff holds county B only."""
    LiaisonStationFactory(public_token=TOKEN, name="桃洪镇联络站", region=township_a)
    LiaisonStationFactory(public_token=TOKEN, name="文昌街道联络站", region=township_b)
    response = export(login(client, staff_b), LiaisonStation, "CSV")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["名称"] for r in rows] == ["文昌街道联络站"]


def test_station_add_into_other_county_refused(client, staff_a, township_b):
    """Saving a station into a region outside the scope is refused by the form."""
    response = login(client, staff_a).post(
        reverse("admin:deputies_liaisonstation_add"),
        {
            "name": "越界联络站",
            "kind": LiaisonStation.Kind.STATION,
            "region": township_b.pk,
            "duty_days": "[6, 16, 26]",
            "is_active": "on",
            "stationassignment_set-TOTAL_FORMS": "0",
            "stationassignment_set-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200, "the form must be shown again with an error"
    assert "region" in response.context["adminform"].form.errors
    assert not LiaisonStation.objects.filter(name="越界联络站").exists()


def test_organization_add_in_own_county_allowed(client, staff_a, township_a):
    """The same form saves a record into the user's own county."""
    response = login(client, staff_a).post(
        reverse("admin:congress_organization_add"),
        {
            "name": "隆回县交通运输局",
            "code": "ORG-LH-JT",
            "kind": Organization.Kind.GOVERNMENT_DEPARTMENT,
            "region": township_a.county.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content[:1000]
    assert Organization.objects.filter(name="隆回县交通运输局").exists()


def test_foreign_key_choices_scoped(rf, staff_a, township_a, township_b):
    """The organization form's region field offers county A's regions only."""
    request = rf.get("/")
    request.user = staff_a
    form = admin.site._registry[Organization].get_form(request)()
    names = {str(r) for r in form.fields["region"].queryset}
    assert names == {"隆回县", "桃洪镇"}, f"unexpected choices: {names}"


def test_user_admin_scoped_and_no_admin_roles_for_staff(
    client, rf, staff_a, staff_b, county_a
):
    """Staff see users of their scope only and may not give admin roles."""
    UserFactory(username="deputy_a", scope_region=county_a, roles=[Role.DEPUTY])
    response = login(client, staff_a).get(reverse("admin:congress_user_changelist"))
    content = response.content.decode()
    assert "deputy_a" in content and "staff_b" not in content
    assert (
        client.get(reverse("admin:congress_user_change", args=[staff_b.pk])).status_code
        == 404
    )
    request = rf.get("/")
    request.user = staff_a
    form = admin.site._registry[User].get_form(request, obj=None, change=False)()
    offered = {g.name for g in form.fields["groups"].queryset}
    assert Role.STAFF.value not in offered and Role.SYSTEM_ADMIN.value not in offered
    assert Role.DEPUTY.value in offered


ADMIN_INDEX_GRID = [
    # role, models that must be listed, models that must not, may add deputies
    (Role.STAFF, {"deputy", "liaisonstation", "organization"}, {"auditevent"}, True),
    (Role.LEADERSHIP, {"deputy", "liaisonstation"}, {"auditevent", "user"}, False),
    (Role.SYSTEM_ADMIN, {"deputy", "auditevent", "user"}, set(), True),
]


@pytest.mark.parametrize(("role", "shown", "hidden", "may_add"), ADMIN_INDEX_GRID)
def test_admin_index_permission_grid(client, county_a, role, shown, hidden, may_add):
    """Each admin role sees exactly its screens; add rights follow roles.py."""
    user = UserFactory(username=f"grid_{role}", scope_region=county_a, roles=[role])
    response = login(client, user).get(reverse("admin:index"))
    assert response.status_code == 200
    models = {
        m["object_name"].lower(): m
        for app in response.context["app_list"]
        for m in app["models"]
    }
    assert shown <= set(models), f"{role} is missing {shown - set(models)}"
    assert not hidden & set(models), f"{role} must not see {hidden & set(models)}"
    assert bool(models["deputy"]["perms"]["add"]) is may_add


@pytest.mark.parametrize("role", [Role.DEPUTY, Role.UNIT_LIAISON, Role.EXPERT])
def test_admin_index_closed_to_portal_roles(client, county_a, role):
    """Roles that work in the portals are sent to the admin login page."""
    user = UserFactory(username=f"portal_{role}", scope_region=county_a, roles=[role])
    response = login(client, user).get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_deputy_changelist_query_count_constant(client, city_staff, township_a):
    """The changelist runs as many queries for 50 deputies as for 5 (no N+1)."""
    login(client, city_staff)
    url = reverse("admin:deputies_deputy_changelist")

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    DeputyFactory.create_batch(5, public_token=TOKEN, region=township_a)
    client.get(url)  # warm per-session caches
    small = count_queries()
    DeputyFactory.create_batch(45, public_token=TOKEN, region=township_a)
    large = count_queries()
    assert small == large, f"{small} queries for 5 deputies, {large} for 50"


def test_paginator_estimates_unfiltered_count_on_postgresql(monkeypatch, township_a):
    """An unfiltered changelist is counted from pg_class, a filtered one from the
    planner's estimate; neither runs COUNT(*) once the table is large."""
    if connection.vendor != "postgresql":
        pytest.fail("this suite runs on PostgreSQL (make test)")
    OrganizationFactory.create_batch(3, region=township_a)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE congress_organization")
    monkeypatch.setattr(congress_admin, "ESTIMATE_COUNT_ABOVE", 0)

    with CaptureQueriesContext(connection) as ctx:
        count = congress_admin.EstimatedCountPaginator(
            Organization.objects.all(), 50
        ).count
    assert count == 3
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "reltuples" in sql and "COUNT(" not in sql.upper()

    with CaptureQueriesContext(connection) as ctx:
        filtered = congress_admin.EstimatedCountPaginator(
            Organization.objects.filter(region=township_a), 50
        ).count
    assert filtered >= 1
    sql = " ".join(q["sql"] for q in ctx.captured_queries).upper()
    assert "EXPLAIN" in sql and "COUNT(" not in sql


def test_paginator_counts_small_lists_exactly(township_a):
    """Below the threshold the count is exact, whatever the planner guesses."""
    OrganizationFactory.create_batch(3, region=township_a)
    with CaptureQueriesContext(connection) as ctx:
        filtered = congress_admin.EstimatedCountPaginator(
            Organization.objects.filter(region=township_a), 50
        ).count
    assert filtered == 3
    assert "COUNT(" in " ".join(q["sql"] for q in ctx.captured_queries).upper()


def test_paginator_empty_filter_counts_zero(township_a):
    """A filter that can match nothing (``pk__in=[]``) counts zero without SQL."""
    paginator = congress_admin.EstimatedCountPaginator(
        Organization.objects.filter(pk__in=[]), 50
    )
    assert paginator.count == 0


ADMIN_PAGES = [
    "congress_region",
    "congress_organization",
    "congress_term",
    "congress_session",
    "congress_user",
    "congress_workcalendarday",
    "congress_notification",
    "congress_generatedreport",
    "congress_auditevent",
    "deputies_deputy",
    "deputies_mandate",
    "deputies_delegation",
    "deputies_constituency",
    "deputies_liaisonstation",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_render_for_system_admin(client, sysadmin, deputies_ab, page):
    """Every registered changelist (and add form where allowed) renders."""
    login(client, sysadmin)
    response = client.get(reverse(f"admin:{page}_changelist"))
    assert response.status_code == 200, f"{page} changelist: {response.status_code}"
    model_admin = response.context["cl"].model_admin
    if model_admin.has_add_permission(response.wsgi_request):
        add = client.get(reverse(f"admin:{page}_add"))
        assert add.status_code == 200, f"{page} add form: {add.status_code}"


def test_user_change_form_masks_phone_and_scope(client, staff_a, county_a):
    """Staff open a deputy account of their county; the phone stays masked."""
    account = UserFactory(
        username="deputy_acc",
        scope_region=county_a,
        roles=[Role.DEPUTY],
        phone="13811112222",
    )
    response = login(client, staff_a).get(
        reverse("admin:congress_user_change", args=[account.pk])
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "138****2222" in content and "13811112222" not in content


def test_staff_cannot_change_admin_accounts(client, staff_a, leader_a):
    """Only system admins change the accounts of those who work in the admin."""
    response = login(client, staff_a).post(
        reverse("admin:congress_user_change", args=[leader_a.pk]),
        {"username": "renamed"},
    )
    assert response.status_code == 403
    leader_a.refresh_from_db()
    assert leader_a.username == "leader_a"


def _user_add_data(username: str, region, group) -> dict:
    return {
        "username": username,
        "usable_password": "true",
        "password1": "县人大-监督-2026-春",
        "password2": "县人大-监督-2026-春",
        "last_name": "王",
        "first_name": "芳",
        "scope_region": region.pk,
        "groups": [group.pk],
    }


def test_staff_creates_deputy_account_in_own_county_only(
    client, staff_a, county_a, county_b
):
    """Staff create accounts in their county; another county's region is refused."""
    from django.contrib.auth.models import Group

    deputy_group = Group.objects.get(name=Role.DEPUTY)
    login(client, staff_a)
    url = reverse("admin:congress_user_add")
    refused = client.post(url, _user_add_data("out_of_scope", county_b, deputy_group))
    assert refused.status_code == 200, "the form is shown again with an error"
    assert "scope_region" in refused.context["adminform"].form.errors
    assert not User.objects.filter(username="out_of_scope").exists()

    created = client.post(url, _user_add_data("new_deputy", county_a, deputy_group))
    assert created.status_code == 302, created.content[:1500]
    user = User.objects.get(username="new_deputy")
    assert user.scope_region == county_a and user.has_role(Role.DEPUTY)
    assert user.is_staff is False, "a deputy does not work in the admin"


def test_staff_cannot_grant_admin_role(client, staff_a, county_a):
    """Posting the staff group by hand is refused: it is not among the choices."""
    from django.contrib.auth.models import Group

    staff_group = Group.objects.get(name=Role.STAFF)
    response = login(client, staff_a).post(
        reverse("admin:congress_user_add"),
        _user_add_data("sneaky", county_a, staff_group),
    )
    assert response.status_code == 200
    assert "groups" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="sneaky").exists()


def test_is_staff_follows_admin_roles(county_a):
    """Adding an admin role turns is_staff on; removing it turns it off."""
    from django.contrib.auth.models import Group

    user = UserFactory(username="promoted", scope_region=county_a)
    assert user.is_staff is False
    user.groups.add(Group.objects.get(name=Role.LEADERSHIP))
    user.refresh_from_db()
    assert user.is_staff is True, "an admin role opens the admin"
    user.groups.clear()
    user.refresh_from_db()
    assert user.is_staff is False, "no admin role, no admin"


def test_scope_on_postgresql_matches_region_ids_without_joining_regions(
    staff_a, deputies_ab
):
    """A county's share of millions of visits is read through the region index:
    ``region_id = ANY(ARRAY(…))``, not a join the planner may merge through every
    other county's rows first."""
    if connection.vendor != "postgresql":
        pytest.skip("the id array is PostgreSQL's; SQLite keeps the prefix join")
    from deputies.models import StationVisit

    sql = str(StationVisit.objects.visible_to(staff_a).order_by().query)

    assert "= ANY(ARRAY(SELECT" in sql
    assert 'JOIN "congress_region"' not in sql
    assert list(Deputy.objects.visible_to(staff_a)) == [deputies_ab[0]]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_scoped_admin_row_checkbox_is_djangos_markup(township_a, language):
    """``ScopedAdminMixin.action_checkbox`` formats the row checkbox without a
    template: byte for byte Django's ``CheckboxInput`` (escaping included), with
    Django's translated label, so actions.js (select all, counter, shift-click)
    finds what it expects."""
    organization = OrganizationFactory(region=township_a, name="县<b>\"交通\"</b>&'局'")
    model_admin = admin.site._registry[Organization]
    with translation.override(language):
        ours = model_admin.action_checkbox(organization)
        djangos = admin.ModelAdmin.action_checkbox(model_admin, organization)
    assert ours == djangos
    assert isinstance(ours, SafeString)
    label = {"zh-hans": "选择此对象执行操作", "en": "Select this object for an action"}
    assert f'aria-label="{label[language]} - 县&lt;b&gt;&quot;' in ours


def test_every_scoped_admin_uses_the_fast_changelist():
    """Every admin of a scoped model gets the checkbox and the change-URL shortcut."""
    scoped = [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, congress_admin.ScopedAdminMixin)
    ]
    assert len(scoped) > 10
    for model_admin in scoped:
        assert model_admin.get_changelist(None) is congress_admin.ScopedChangeList
        assert (
            type(model_admin).action_checkbox
            is congress_admin.ScopedAdminMixin.action_checkbox
        ), type(model_admin)


@pytest.mark.parametrize(
    "pk", [7, 123456789, "ab-12_x", "a/b", "站点", "..", "a b", "x?y#z", "%2F"]
)
@pytest.mark.parametrize(
    "query", ["", "?kind__exact=government&q=%E4%BA%A4%E9%80%9A+%E5%B1%80&o=-2&p=2"]
)
def test_scoped_changelist_change_link_is_djangos(rf, staff_a, pk, query):
    """A row's change link, as the changelist template gets it, is Django's: the
    reverse()d URL for integer keys (the shortcut) and for string keys it would
    quote (the fallback), with the list's filters preserved in
    ``_changelist_filters`` (added without a resolve() per link)."""
    url = reverse("admin:congress_organization_changelist")
    request = rf.get(url + query)
    request.user = staff_a
    request.resolver_match = resolve(url)
    changelist = admin.site._registry[Organization].get_changelist_instance(request)
    assert isinstance(changelist, congress_admin.ScopedChangeList)
    row = Organization(id=pk)
    ours = add_preserved_filters(
        {"preserved_filters": changelist.preserved_filters, "opts": changelist.opts},
        changelist.url_for_result(row),
    )
    djangos = add_preserved_filters(
        {
            "preserved_filters": changelist.model_admin.get_preserved_filters(request),
            "opts": changelist.opts,
        },
        ChangeList.url_for_result(changelist, row),
    )
    assert ours == djangos
    assert ("_changelist_filters=" in ours) is bool(query)
