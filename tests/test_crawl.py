"""A crawl of the demo: every page a user reaches by following links answers without
a server error and never shows a full mobile number.

The demo (``seed_demo``) is loaded once; then, for each demo account and for an
anonymous citizen who scanned a station's QR code, the crawler follows every link
on our own site (GET only), a few pages per URL shape, so that a page added by
any app is covered without being listed here.
"""

from __future__ import annotations

import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from congress.demo.accounts import DEMO_ACCOUNTS
from congress.models import User
from deputies.models import Deputy
from deputies.models import LiaisonStation

# A mainland mobile number, not part of a longer run of digits.
FULL_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
HREF = re.compile(r"""href=["']([^"'#]+)""")

# Links that do something other than show a page, or that are not HTML.
SKIP = (
    "/accounts/logout",
    "/i18n/",
    "/static/",
    "/media/",
    "export",
    "download",
    ".pdf",
    ".svg",
    ".xlsx",
    "/admin/logout",
    "/admin/password_change",
    "/jsi18n",
    "/autocomplete",
)
PER_SHAPE = 2  # pages per URL shape (the same view with other ids)
PER_USER = 400  # pages per user at most: the crawl stays a few minutes long


def _shape(url: str) -> str:
    """The URL with ids, tokens and query values replaced: one view, one shape."""
    path, _, query = url.partition("?")
    path = re.sub(r"/\d+(?=/|$)", "/<n>", path)
    path = re.sub(r"/(?=[^/]*[0-9A-Z])[0-9A-Za-z_-]{10,}(?=/|$)", "/<t>", path)
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return path + ("?" + "&".join(keys) if keys else "")


def _links(html: str) -> list[str]:
    links = []
    for raw in HREF.findall(html):
        url = urldefrag(unescape(raw)).url
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/"):
            continue
        if any(marker in url for marker in SKIP):
            continue
        links.append(url)
    return links


def _crawl(client: Client, starts: list[str]) -> dict[str, int]:
    """Follow links from ``starts``; return {url: status}; fail on a full phone."""
    seen_shapes: dict[str, int] = {}
    visited: dict[str, int] = {}
    queue = deque(starts)
    while queue and len(visited) < PER_USER:
        url = queue.popleft()
        if url in visited:
            continue
        shape = _shape(url)
        if seen_shapes.get(shape, 0) >= PER_SHAPE and url not in starts:
            continue
        seen_shapes[shape] = seen_shapes.get(shape, 0) + 1
        response = client.get(url)
        visited[url] = response.status_code
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.status_code != 200:
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        match = FULL_PHONE.search(html)
        assert match is None, (
            f"{url} shows a full mobile number …{html[max(0, match.start() - 80) : match.end() + 20]}…"
        )
        queue.extend(link for link in _links(html) if link not in visited)
    return visited


@pytest.mark.django_db
def test_crawl_demo_pages_answer_and_never_show_a_full_phone():
    """Every page each demo account reaches, and every page a citizen reaches from
    a station's or a deputy's code, answers and shows phones masked."""
    call_command("seed_demo", allow_demo_accounts=True, verbosity=0)
    assert Deputy.objects.exclude(phone="").exists(), "the demo has no phones to leak"

    for account in DEMO_ACCOUNTS:
        client = Client()
        client.force_login(User.objects.get(username=account.username))
        visited = _crawl(client, ["/"])
        assert len(visited) >= 3, f"{account.username} reached only {sorted(visited)}"

    stations = LiaisonStation.objects.exclude(
        kind=LiaisonStation.Kind.COLLECTION_POINT
    ).order_by("pk")[:3]
    deputies = Deputy.objects.exclude(phone="").order_by("pk")[:3]
    starts = [f"/s/{s.public_token}/" for s in stations]
    starts += [f"/d/{d.public_token}/" for d in deputies]
    visited = _crawl(Client(), starts)
    assert all(visited[url] == 200 for url in starts), visited
