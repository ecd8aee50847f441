"""Browser fixtures: headless Debian Chromium driven by Playwright.

Never a downloaded browser: Chromium comes from Debian (``/usr/bin/chromium``,
installed by ``make test``), so the suite runs on an offline machine. A failing
browser test leaves a screenshot in ``test-artifacts/`` (every browser test does
with ``BROWSER_SCREENSHOTS=1``).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PHONE_VIEWPORT = {"width": 360, "height": 740}


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so fixtures can see a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the session."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: apt-get install -y chromium "
            "(make test installs it when run as root)"
        )
    # Playwright's sync API runs an event loop in this thread; the live server's
    # database work happens here too, which Django refuses unless told it is safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser, request, live_server) -> Iterator:
    """A fresh page on a 360 × 740 phone viewport, in Chinese.

    ``page.external_requests`` lists every request to another host and
    ``page.console_errors`` every console error (CSP violations show up there).
    """
    context = browser.new_context(
        viewport=PHONE_VIEWPORT,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.external_requests = []
    page.console_errors = []

    def on_request(req) -> None:
        if not req.url.startswith((live_server.url, "data:", "about:")):
            page.external_requests.append(req.url)

    def on_console(message) -> None:
        if message.type == "error":
            page.console_errors.append(message.text)

    page.on("request", on_request)
    page.on("console", on_console)
    yield page
    report = getattr(request.node, "report_call", None)
    keep = os.environ.get("BROWSER_SCREENSHOTS") == "1"
    if report is not None and (report.failed or keep):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
