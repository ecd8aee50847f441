"""Security baseline: lockout per username, idle timeout, validators, headers,
encrypted phones, and ``check --deploy`` clean under production settings."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from congress.models import AuditEvent
from congress.roles import Role
from tests.factories.congress import UserFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
PASSWORD = "correct-horse-battery"
NAT_ADDRESS = "10.23.0.1"  # one township's NAT address


def attempt(client, username: str, password: str):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=NAT_ADDRESS,
    )


def test_axes_locks_username_after_five_failures(client, county_a):
    """Five wrong passwords lock the username: the right one is refused too."""
    UserFactory(username="deputy_wang", scope_region=county_a, roles=[Role.DEPUTY])
    statuses = [
        attempt(client, "deputy_wang", "wrong-password").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429], (
        f"the fifth failure locks the username: {statuses}"
    )
    response = attempt(client, "deputy_wang", PASSWORD)
    assert response.status_code == 429, "the sixth attempt must meet the lockout"
    content = response.content.decode()
    assert "账号已暂时锁定" in content, "the lockout page is in Chinese"
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.LOCKED_OUT, username="deputy_wang"
    ).exists(), "the lockout is audited"


def test_axes_lockout_does_not_block_others_behind_same_address(client, county_a):
    """A colleague behind the same NAT address still signs in."""
    UserFactory(username="deputy_wang", scope_region=county_a, roles=[Role.DEPUTY])
    UserFactory(username="deputy_li", scope_region=county_a, roles=[Role.DEPUTY])
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        attempt(client, "deputy_wang", "wrong-password")
    response = attempt(client, "deputy_li", PASSWORD)
    assert response.status_code == 302, "another username must not be locked"
    assert client.session.get("_auth_user_id"), "deputy_li is signed in"


def test_axes_lockout_lifts_after_fifteen_minutes(client, county_a):
    """After the 15-minute cool-off the right password works again."""
    assert settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=15)
    UserFactory(username="deputy_wang", scope_region=county_a, roles=[Role.DEPUTY])
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt(client, "deputy_wang", "wrong-password")
        # Every attempt while locked restarts the cool-off, so wait untouched.
        traveller.shift(datetime.timedelta(minutes=16))
        assert attempt(client, "deputy_wang", PASSWORD).status_code == 302


def test_session_expires_after_thirty_idle_minutes(client, staff_a):
    """29 idle minutes keep the session alive; 31 after the last request end it."""
    admin_index = reverse("admin:index")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client.force_login(staff_a, backend="congress.backends.UserBackend")
        assert client.get(admin_index).status_code == 200
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get(admin_index).status_code == 200, "29 minutes: still in"
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get(admin_index).status_code == 200, (
            "each request restarts the 30 minutes"
        )
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get(admin_index)
    assert response.status_code == 302, "31 idle minutes: signed out"
    assert "/login/" in response["Location"]


def test_session_settings_idle_timeout():
    """The idle timeout is 30 minutes and the session cookie is HTTP-only."""
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_session_renewal_writes_at_most_once_a_minute(client, staff_a):
    """Requests within a minute do not rewrite the session; a later one renews it."""
    from django.contrib.sessions.models import Session as DjangoSession

    with time_machine.travel(
        datetime.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        tick=False,
    ) as traveller:
        client.force_login(staff_a)
        client.get(reverse("home"))
        key = client.session.session_key
        first_expiry = DjangoSession.objects.get(session_key=key).expire_date
        traveller.shift(datetime.timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("home"))
        assert not [
            q for q in queries if "UPDATE" in q["sql"] and "django_session" in q["sql"]
        ]
        assert DjangoSession.objects.get(session_key=key).expire_date == first_expiry
        traveller.shift(datetime.timedelta(seconds=61))
        client.get(reverse("home"))
        renewed = DjangoSession.objects.get(session_key=key).expire_date
    assert renewed - first_expiry == datetime.timedelta(seconds=91)


@pytest.mark.parametrize(
    "password", ["12345678901", "password123", "abc", "staffa12345"]
)
def test_password_validators_refuse_weak_passwords(password):
    """Short, common, numeric or username-like passwords are refused."""
    user = UserFactory.build(username="staffa12345", email="a@renda.test")
    with pytest.raises(ValidationError):
        validate_password(password, user=user)


def test_password_validators_accept_strong_password():
    """A long, uncommon password passes."""
    validate_password("县人大-监督-2026-春", user=UserFactory.build(username="x"))


def test_responses_carry_csp_and_security_headers(client):
    """Every response has a Content-Security-Policy allowing only this host."""
    response = client.get(reverse("admin:login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "http:" not in csp and "https:" not in csp, "nothing from another host"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_phone_encrypted_at_rest(township_a):
    """The deputies' and users' phone columns hold no 11-digit number."""
    import secrets

    from tests.factories.deputies import DeputyFactory

    deputy = DeputyFactory(
        region=township_a, phone="13812345678", public_token=secrets.token_urlsafe(16)
    )
    user = UserFactory(username="phone_user", phone="13987654321")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM deputies_deputy WHERE id = %s", [deputy.pk])
        (deputy_raw,) = cursor.fetchone()
        cursor.execute("SELECT phone FROM congress_user WHERE id = %s", [user.pk])
        (user_raw,) = cursor.fetchone()
    for raw in (deputy_raw, user_raw):
        assert raw and not re.search(r"1[3-9]\d{9}", raw), f"plain phone in DB: {raw}"
    deputy.refresh_from_db()
    assert deputy.phone == "13812345678", "the ORM decrypts transparently"
    assert deputy.masked_phone == "138****5678"


PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#Kp2@vQ9!mL4$wR8^tY1&uI6*oP3(aS5)dF0-gH7+jK2=zX9",
    "ALLOWED_HOSTS": "renda.longhui.gov.cn",
    "FIELD_ENCRYPTION_KEYS": "v-TTI_sU8HXx1AgftWdi0-JgRKPCd6iSKLn7D0U9Uuc=",
    "FIELD_HASH_KEY": "production-like-hash-key",
    "DATABASE_URL": "sqlite:////tmp/check-deploy.sqlite3",
    "CACHE_URL": "locmemcache://deploy",
}
# Variables the test environment sets to relax production defaults.
RELAXED = (
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "STATICFILES_BACKEND",
    "SILENCED_SYSTEM_CHECKS",
    "CELERY_BROKER_URL",
)


def test_check_deploy_clean_under_production_settings():
    """``manage.py check --deploy`` prints no warning with production settings."""
    env = {k: v for k, v in os.environ.items() if k not in RELAXED}
    env.update(PRODUCTION_ENV)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output
    assert "WARNINGS" not in output, output


@pytest.mark.parametrize(
    "url_name",
    ["admin:index", "admin:deputies_deputy_changelist", "admin:deputies_deputy_add"],
)
def test_admin_pages_work_under_csp(client, sysadmin, url_name):
    """The admin has no inline script or event handler the CSP would block."""
    client.force_login(sysadmin, backend="congress.backends.UserBackend")
    content = client.get(reverse(url_name)).content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", content)
    handlers = re.findall(r"\son[a-z]+=\"", content)
    assert not inline_scripts, f"inline scripts on {url_name}: {inline_scripts}"
    assert not handlers, f"inline event handlers on {url_name}: {handlers}"
