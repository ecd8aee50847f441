"""Project rules a linter cannot see (STYLE.md)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["congress", "deputies", "suggestions", "oversight", "livelihood_votes"]


def _python_files(pattern: str):
    for app in APPS:
        yield from (ROOT / app).rglob(pattern)


WRITE_CALLS = {
    "save",
    "delete",
    "create",
    "update",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}


@pytest.mark.parametrize(
    "path",
    [p for name in ("views.py", "admin.py") for p in _python_files(name)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_views_and_admin_do_not_write_models(path):
    """Views and admin call services; they never save, create or delete models."""
    tree = ast.parse(path.read_text())
    offenders = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            # objects.create(...), Model.objects.filter(...).update(...), obj.save()
            is_manager_write = (
                node.func.attr in WRITE_CALLS
                and isinstance(receiver, ast.Attribute | ast.Call)
                and "objects" in ast.unparse(receiver)
            )
            is_instance_write = node.func.attr in {"save", "delete"} and not (
                isinstance(receiver, ast.Call)
                and ast.unparse(receiver).startswith("super(")
            )
            if is_manager_write or is_instance_write:
                offenders.append(f"{path.name}:{node.lineno} {ast.unparse(node)[:80]}")
    assert not offenders, "writes outside services:\n" + "\n".join(offenders)


def test_no_naive_datetime_now():
    """Code uses timezone.now()/timezone.localdate(), never datetime.now()/date.today()."""
    pattern = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today)\(")
    offenders = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in _python_files("*.py")
        if "migrations" not in p.parts
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, offenders


def test_no_bare_select_related():
    """select_related() without fields joins everything: name the relations."""
    offenders = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in _python_files("*.py")
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if "select_related()" in line
    ]
    assert not offenders, offenders


def test_no_fstring_inside_gettext():
    """Translatable strings use named placeholders, never f-strings inside _()."""
    pattern = re.compile(r"\b_\(\s*f[\"']")
    offenders = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in _python_files("*.py")
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, offenders


def test_template_comments_close_on_their_line():
    """``{# … #}`` ends on its own line; a longer note needs ``{% comment %}``.
    Django prints an unclosed ``{#`` as text (it once did, into the roster PDF)."""
    offenders = []
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        if ".venv" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\{#(?!.*#\})", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders, offenders
