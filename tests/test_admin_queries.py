"""No N+1 in any admin changelist: every registered model's changelist makes the
same number of queries whether it shows one row or up to fifty.

The demo (``seed_demo``) is loaded once; each changelist is fetched twice by the
system administrator, with ``list_per_page`` set to 1 and then to 50. A column
or a filter that queries once per row makes the second count larger. Models the
demo holds a single row of cannot tell the two apart; the test says which and
requires the others to be most of the admin. (The apps' own tests also measure
their main changelists and portal pages with 5 and 50 rows of their fixtures.)
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress.models import User

SMALL, LARGE = 1, 50


def _count(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


@pytest.mark.django_db
def test_every_admin_changelist_makes_the_same_queries_for_1_and_50_rows():
    call_command("seed_demo", allow_demo_accounts=True, verbosity=0)
    client = Client()
    client.force_login(User.objects.get(username="admin"))

    grown, measured, too_few = {}, [], []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        if model_admin.get_queryset(_request(client, url)).count() <= SMALL:
            too_few.append(opts.label)
            continue
        original = model_admin.list_per_page
        try:
            model_admin.list_per_page = SMALL
            client.get(url)  # warm caches (content types, sessions)
            status, small = _count(client, url)
            assert status == 200, f"{url} answered {status}"
            model_admin.list_per_page = LARGE
            status, large = _count(client, url)
            assert status == 200, f"{url} answered {status}"
        finally:
            model_admin.list_per_page = original
        measured.append(opts.label)
        if large > small:
            grown[opts.label] = (small, large)

    assert not grown, f"changelists whose queries grow with the rows: {grown}"
    # The demo must be rich enough for the test to mean something.
    assert len(measured) >= 3 * len(too_few), (
        f"only {measured} measured; too few demo rows in {too_few}"
    )


def _request(client: Client, url: str):
    """A request of the logged-in administrator, for ``get_queryset``."""
    from django.test import RequestFactory

    request = RequestFactory().get(url)
    request.user = User.objects.get(username="admin")
    return request
