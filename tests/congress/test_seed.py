"""seed_demo run with its own settings, and the scale data set (generate_scale_data).

The checks of what seed_demo builds are in test_seed_demo.py (seeded once).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from congress.demo.accounts import DEMO_ACCOUNTS
from congress.demo.accounts import DEMO_PASSWORD
from congress.models import Region
from congress.models import User
from deputies.models import Deputy
from deputies.models import LiaisonStation
from deputies.models import StationAssignment

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in {"congress", "deputies", "auth"}
    }


def _seed(**kwargs) -> str:
    out = StringIO()
    call_command("seed_demo", allow_demo_accounts=True, stdout=out, **kwargs)
    return out.getvalue()


def test_seed_demo_prints_account_table(db):
    """The account table lists each username with the shared demo password."""
    out = _seed()
    for account in DEMO_ACCOUNTS:
        assert account.username in out, f"{account.username} missing from {out}"
    assert DEMO_PASSWORD in out


def test_seed_demo_without_debug_refuses_known_password_accounts(db, settings):
    """With DEBUG off and no --allow-demo-accounts, data is loaded but no account
    with the published password is created."""
    settings.DEBUG = False
    err = StringIO()
    call_command("seed_demo", stdout=StringIO(), stderr=err)
    assert Deputy.objects.exists(), "the data itself is still loaded"
    assert not User.objects.filter(
        username__in=[a.username for a in DEMO_ACCOUNTS]
    ).exists(), "demo accounts must not be created with DEBUG off"
    assert "--allow-demo-accounts" in err.getvalue()


def _scale(*args) -> None:
    call_command(
        "generate_scale_data",
        "--deputies",
        "300",
        "--stations",
        "20",
        # The apps' data at a small size (their own tests cover them at scale).
        "--visits",
        "3000",
        "--opinions",
        "500",
        "--suggestions",
        "60",
        *args,
        stdout=StringIO(),
    )


def test_generate_scale_data_small_run_creates_what_it_says(db):
    """300 deputies and 20 stations across all twelve counties, each deputy with a
    mandate and grouped into a station."""
    _scale()
    assert Deputy.objects.count() == 300
    assert LiaisonStation.objects.count() == 20
    assert Region.objects.filter(level=Region.Level.COUNTY).count() == 12
    with_deputies = {
        code[:6] for code in Deputy.objects.values_list("region__code", flat=True)
    }
    assert len(with_deputies) == 12, f"deputies only in {with_deputies}"
    assert not Deputy.objects.filter(mandates__isnull=True).exists()
    assert StationAssignment.objects.count() == 300


def test_generate_scale_data_reset_gives_same_counts(db):
    """A second run with --reset rebuilds exactly the same data set."""
    _scale()
    before = _counts()
    _scale("--reset")
    after = _counts()
    # The audit log and the model history are append-only: they keep the removal.
    logs = {"congress.AuditEvent"}
    changed = {
        k: (before[k], after[k])
        for k in before
        if before[k] != after[k] and k not in logs and ".Historical" not in k
    }
    assert not changed, f"--reset changed row counts: {changed}"
