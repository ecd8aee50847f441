"""The audit log: what is written, that it cannot be rewritten, and the purge."""

from __future__ import annotations

import datetime
import secrets

import pytest
from django.db import DatabaseError
from django.db import connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from congress.audit import audit_purge
from congress.audit import audit_record
from congress.models import AuditEvent
from congress.roles import Role
from tests.factories.congress import UserFactory
from tests.factories.deputies import DeputyFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
MODEL_BACKEND = "congress.backends.UserBackend"


@pytest.fixture
def deputy_a(township_a):
    return DeputyFactory(
        name="隆回甲代表",
        region=township_a,
        phone="13812345678",
        id_number="430524199001011234",
        public_token=secrets.token_urlsafe(16),
    )


def test_login_and_logout_are_audited(client, staff_a):
    """A successful sign-in and a sign-out each write a row with the address."""
    response = client.post(
        reverse("login"),
        {"username": "staff_a", "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    login = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN)
    assert (login.user, login.success, login.ip_address) == (staff_a, True, "10.1.2.3")
    client.post(reverse("logout"))
    logout = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGOUT)
    assert logout.user == staff_a and logout.username == "staff_a"


def test_login_failure_is_audited_without_password(client, staff_a):
    """A wrong password writes a failed row with the username, not the password."""
    client.post(
        reverse("login"), {"username": "staff_a", "password": "not-the-password"}
    )
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN_FAILED)
    assert event.username == "staff_a" and event.success is False
    assert "not-the-password" not in str(event.detail)


def test_changelist_and_change_form_show_masked_phone(client, staff_a, deputy_a):
    """The admin shows 138****5678 and never the full number by default."""
    client.force_login(staff_a, backend=MODEL_BACKEND)
    listing = client.get(reverse("admin:deputies_deputy_changelist")).content.decode()
    form = client.get(
        reverse("admin:deputies_deputy_change", args=[deputy_a.pk])
    ).content.decode()
    for page in (listing, form):
        assert "138****5678" in page, "masked phone must be shown"
        assert "13812345678" not in page, "full phone leaked into the page"
    assert "430524199001011234" not in form, "full ID number leaked"
    assert not AuditEvent.objects.filter(
        kind=AuditEvent.Kind.PERSONAL_DATA_VIEW
    ).exists()


def test_reveal_personal_data_writes_audit_row(client, staff_a, deputy_a):
    """The explicit reveal shows the number and records who saw it."""
    client.force_login(staff_a, backend=MODEL_BACKEND)
    url = reverse("admin:deputies_deputy_personal_data", args=[deputy_a.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "13812345678" not in confirm.content.decode(), "GET only asks to confirm"
    assert not AuditEvent.objects.filter(
        kind=AuditEvent.Kind.PERSONAL_DATA_VIEW
    ).exists()
    shown = client.post(url)
    assert "13812345678" in shown.content.decode()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERSONAL_DATA_VIEW)
    assert event.user == staff_a
    assert event.object_type == "deputies.deputy"
    assert event.object_id == str(deputy_a.pk)
    assert event.detail["fields"] == ["phone", "id_number"]


def test_reveal_refused_without_permission(client, leader_a, deputy_a):
    """Leadership lacks view_personal_data: the reveal is 403 and nothing shows."""
    client.force_login(leader_a, backend=MODEL_BACKEND)
    url = reverse("admin:deputies_deputy_personal_data", args=[deputy_a.pk])
    assert client.post(url).status_code == 403
    assert not AuditEvent.objects.filter(
        kind=AuditEvent.Kind.PERSONAL_DATA_VIEW
    ).exists()


def test_reveal_out_of_scope_is_404(client, staff_b, deputy_a):
    """Another county's staff cannot even learn that the deputy exists."""
    client.force_login(staff_b, backend=MODEL_BACKEND)
    url = reverse("admin:deputies_deputy_personal_data", args=[deputy_a.pk])
    assert client.post(url).status_code == 404


def _deputy_form_data(deputy, **changes):
    data = {
        "name": deputy.name,
        "gender": deputy.gender,
        "ethnicity": deputy.ethnicity,
        "political_status": deputy.political_status,
        "occupation_category": deputy.occupation_category,
        "workplace": deputy.workplace,
        "title": deputy.title,
        "phone": "",
        "id_number": "",
        "region": deputy.region_id,
        "mandates-TOTAL_FORMS": "0",
        "mandates-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_staff_types_new_phone_and_empty_keeps_old(client, staff_a, deputy_a):
    """Typing a phone replaces it; leaving the masked input empty keeps it."""
    client.force_login(staff_a, backend=MODEL_BACKEND)
    url = reverse("admin:deputies_deputy_change", args=[deputy_a.pk])
    response = client.post(url, _deputy_form_data(deputy_a, workplace="县农业农村局"))
    assert response.status_code == 302, response.content[:2000]
    deputy_a.refresh_from_db()
    assert deputy_a.phone == "13812345678", "an empty input keeps the stored phone"
    assert deputy_a.id_number == "430524199001011234"
    assert deputy_a.workplace == "县农业农村局"

    response = client.post(url, _deputy_form_data(deputy_a, phone="13700001111"))
    assert response.status_code == 302
    deputy_a.refresh_from_db()
    assert deputy_a.phone == "13700001111", "a typed phone replaces the stored one"


def test_invalid_phone_refused_in_chinese(client, staff_a, deputy_a):
    """A malformed phone is refused with a Chinese message."""
    client.force_login(staff_a, backend=MODEL_BACKEND)
    url = reverse("admin:deputies_deputy_change", args=[deputy_a.pk])
    response = client.post(url, _deputy_form_data(deputy_a, phone="12345"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["phone"]
    assert "手机号码" in errors[0]


def test_audit_event_instance_cannot_be_changed_or_deleted(staff_a):
    """The model refuses save() of an existing row and delete()."""
    event = audit_record(kind=AuditEvent.Kind.LOGIN, user=staff_a)
    event.username = "someone_else"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="retention"):
        event.delete()


def test_audit_admin_read_only_for_everyone(client, county_a):
    """Even a superuser can only read the audit log in the admin."""
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    event = audit_record(kind=AuditEvent.Kind.LOGIN, user=root)
    client.force_login(root, backend=MODEL_BACKEND)
    changelist = client.get(reverse("admin:congress_auditevent_changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.context["cl"].model_admin.get_actions(
        changelist.wsgi_request
    )
    assert client.get(reverse("admin:congress_auditevent_add")).status_code == 403
    change_url = reverse("admin:congress_auditevent_change", args=[event.pk])
    assert client.post(change_url, {"username": "x"}).status_code == 403
    delete_url = reverse("admin:congress_auditevent_delete", args=[event.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk, username="root").exists()


def test_audit_admin_hidden_from_staff(client, staff_a):
    """Committee staff do not read the security log."""
    client.force_login(staff_a, backend=MODEL_BACKEND)
    response = client.get(reverse("admin:congress_auditevent_changelist"))
    assert response.status_code == 403


def test_audit_admin_filters_by_kind(client, sysadmin):
    """The changelist filters by kind."""
    audit_record(kind=AuditEvent.Kind.LOGIN, username="login_person")
    audit_record(kind=AuditEvent.Kind.EXPORT, username="export_person")
    client.force_login(sysadmin, backend=MODEL_BACKEND)
    response = client.get(
        reverse("admin:congress_auditevent_changelist"), {"kind__exact": "export"}
    )
    content = response.content.decode()
    assert "export_person" in content and "login_person" not in content


def test_audit_purge_keeps_180_days_even_if_configured_lower(settings):
    """Only rows older than the retention (never below 180 days) are purged."""
    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    old = AuditEvent.objects.create(
        kind=AuditEvent.Kind.LOGIN, username="old", time=now - datetime.timedelta(181)
    )
    kept = AuditEvent.objects.create(
        kind=AuditEvent.Kind.LOGIN, username="kept", time=now - datetime.timedelta(179)
    )
    recent = AuditEvent.objects.create(
        kind=AuditEvent.Kind.LOGIN, username="recent", time=now - datetime.timedelta(31)
    )
    assert audit_purge(now=now) == 1
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert old.pk not in remaining
    assert {kept.pk, recent.pk} <= remaining


def test_audit_purge_honours_longer_retention(settings):
    """A longer configured retention keeps older rows too."""
    settings.AUDIT_RETENTION_DAYS = 365
    now = timezone.now()
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.LOGIN, time=now - datetime.timedelta(200)
    )
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.LOGIN, time=now - datetime.timedelta(400)
    )
    assert audit_purge(now=now) == 1
    assert AuditEvent.objects.count() == 1


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.fail("this suite runs on PostgreSQL (make test)")


def test_database_refuses_update_of_audit_rows(staff_a):
    """On PostgreSQL a trigger refuses UPDATE, even through a queryset or raw SQL."""
    _require_postgresql()
    event = audit_record(kind=AuditEvent.Kind.LOGIN, user=staff_a)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(username="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE congress_auditevent SET success = false WHERE id = %s",
                [event.pk],
            )
    assert AuditEvent.objects.get(pk=event.pk).username == "staff_a"


def test_database_refuses_delete_of_young_audit_rows(staff_a):
    """On PostgreSQL a trigger refuses DELETE of rows younger than 180 days."""
    _require_postgresql()
    event = audit_record(kind=AuditEvent.Kind.LOGIN, user=staff_a)
    with pytest.raises(DatabaseError, match="180 days"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deleting_user_keeps_their_audit_rows(county_a):
    """Deleting a user unlinks their events (SET_NULL) but keeps the username."""
    user = UserFactory(username="leaving", scope_region=county_a, roles=[Role.DEPUTY])
    event = audit_record(kind=AuditEvent.Kind.LOGIN, user=user)
    user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.user_id is None and event.username == "leaving"


def test_view_only_reader_never_sees_full_personal_data(client, leader_a, deputy_a):
    """Leadership opens the deputy read-only: masked values, no raw fields."""
    client.force_login(leader_a, backend=MODEL_BACKEND)
    response = client.get(reverse("admin:deputies_deputy_change", args=[deputy_a.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "138****5678" in content, "the masked phone is shown"
    assert "13812345678" not in content, "view-only page leaked the phone"
    assert "430524199001011234" not in content, "view-only page leaked the ID number"
    assert "查看完整信息" not in content, "no reveal action without the permission"
