"""The translation catalogues are complete and compiled, and English works.

The msgids are the Chinese source text. The committed zh_Hans catalogue must hold
every string the code marks, translated (msgstr = msgid) and not fuzzy; the
compiled .mo files are committed so that ``make run`` needs no gettext.
Refresh both with ``bin/update-messages``.
"""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
ZH_PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
# What makemessages must not walk: the virtualenv, collected and vendored files.
COPY_IGNORE = shutil.ignore_patterns(
    ".*",
    "__pycache__",
    "*.pyc",
    "locale",
    "static",
    "staticfiles",
    "media",
    "node_modules",
    "test-artifacts",
    "bench",
    "docs",
    "*.sqlite3",
    "*.egg-info",
)
FIX = "run bin/update-messages and commit locale/"


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def _is_translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> polib.POFile:
    """Run makemessages on a fresh copy of the source tree and parse the result."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is not installed: apt-get install gettext")
    copy = tmp_path_factory.mktemp("src") / "project"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
    (copy / "locale").mkdir()
    env = {**os.environ, "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale=zh_Hans",
            "--no-location",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    return polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))


@pytest.fixture(scope="module")
def committed() -> polib.POFile:
    assert ZH_PO.exists(), f"{ZH_PO} is missing: {FIX}"
    return polib.pofile(str(ZH_PO))


def test_zh_hans_catalogue_holds_every_marked_string(extracted, committed):
    """Every msgid the code marks is in the committed zh_Hans catalogue."""
    assert len(extracted) > 50, f"makemessages found only {len(extracted)} strings"
    known = {_key(e) for e in committed if not e.obsolete}
    missing = [e.msgid for e in extracted if _key(e) not in known]
    assert not missing, f"{len(missing)} strings missing ({FIX}): {missing[:10]}"


def test_zh_hans_catalogue_has_no_empty_or_fuzzy_entry(committed):
    """No committed zh_Hans entry is empty or fuzzy (msgids are Chinese: msgstr = msgid)."""
    empty = [e.msgid for e in committed if not e.obsolete and not _is_translated(e)]
    fuzzy = [e.msgid for e in committed if not e.obsolete and "fuzzy" in e.flags]
    assert not empty, f"untranslated ({FIX}): {empty[:10]}"
    assert not fuzzy, f"fuzzy ({FIX}): {fuzzy[:10]}"
    assert not committed.metadata_is_fuzzy, f"the header is fuzzy ({FIX})"
    assert committed.metadata.get("Plural-Forms", "").startswith("nplurals=1;")


@pytest.mark.parametrize("po_path", [ZH_PO, EN_PO], ids=["zh_Hans", "en"])
def test_compiled_catalogue_matches_its_source(po_path):
    """The committed .mo holds exactly the translations of its .po."""
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: {FIX}"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in polib.pofile(str(po_path)).translated_entries():
        msgid = (
            entry.msgid if not entry.msgctxt else f"{entry.msgctxt}\x04{entry.msgid}"
        )
        if entry.msgid_plural:
            got = compiled.ngettext(msgid, entry.msgid_plural, 1)
            want = entry.msgstr_plural[0]
        else:
            got, want = compiled.gettext(msgid), entry.msgstr
        if got != want:
            stale.append(entry.msgid)
    assert not stale, f"the .mo is older than the .po ({FIX}): {stale[:10]}"


def test_en_catalogue_translates_the_shell_pages():
    """The English catalogue covers the login, navigation and home strings."""
    po = polib.pofile(str(EN_PO))
    translated = {e.msgid: e.msgstr for e in po.translated_entries()}
    for msgid, english in [
        ("登录", "Sign in"),
        ("用户名", "Username"),
        ("首页", "Home"),
        ("我的消息", "My messages"),
        ("退出", "Sign out"),
    ]:
        assert translated.get(msgid) == english, (
            f"{msgid!r} -> {translated.get(msgid)!r}"
        )


def _english_client() -> Client:
    """A client that chose English with the footer switch (set_language)."""
    client = Client()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


@pytest.mark.django_db
def test_browser_language_alone_does_not_switch_to_english():
    """Chinese first: an English-language browser still gets Chinese pages."""
    response = Client(headers={"accept-language": "en-US,en;q=0.9"}).get(
        reverse("login")
    )
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html, html[:300]
    assert "用户名" in html, html


@pytest.mark.django_db
def test_login_page_after_choosing_english_is_english():
    """After choosing English in the footer the login page is English."""
    response = _english_client().get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html, html[:300]
    assert "Sign in" in html and "Username" in html and "Password" in html, html
    assert "用户名" not in html, "the English page still shows Chinese labels"


@pytest.mark.django_db
def test_login_page_by_default_is_chinese():
    """Without a language preference the login page is Chinese (zh-Hans)."""
    response = Client().get(reverse("login"))
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html, html[:300]
    assert "用户名" in html and "密码" in html, html


@pytest.mark.django_db
def test_home_page_after_choosing_english_is_english(staff_a):
    """The navigation and the staff home page are English once English is chosen."""
    client = _english_client()
    client.force_login(staff_a)
    html = client.get(reverse("home")).content.decode()
    for english in ("Home", "Messages", "Sign out", "Open the administration"):
        assert english in html, f"{english!r} missing from the English home page"
    for chinese in ("首页", "退出", "进入管理后台", "我的账号"):
        assert chinese not in html, f"{chinese!r} left untranslated"
