"""代表名册导入 (issue 3: "10,000 rows import in under a minute").

``deputy_import_10k`` (a ``bench.pages.Measure``):

1. writes a valid xlsx roster of 10,000 new 隆回县 county deputies, spread over
   the delegations (one per township) and constituencies of the county's term in
   the bench data, each with a phone number and a resident ID number that no
   deputy has yet (the digests are checked in one query);
2. as the county staff user (``bench_county_staff``) posts it to the admin's
   import page through django.test.Client, as a browser does: upload, parse,
   check every row, preview (the dry run); then posts the confirm form (the
   commit: the file is read and checked again, then deputies, mandates and their
   history rows are written and the import audited). Each step is timed once,
   from the request to its response;
3. runs all of it inside one transaction that is rolled back, so the 10,000
   deputies do not distort the entries measured after it. The commit's time
   includes ``SET CONSTRAINTS ALL IMMEDIATE`` (the deferred foreign-key checks
   that COMMIT would run); only COMMIT's WAL flush is left out. The touched tables
   are vacuumed afterwards, so no dead rows slow the next entries.
"""

from __future__ import annotations

import datetime
import io
import re
import time
from html import unescape

ROWS = 10_000
TARGET_MS = 60_000
# Phones and ID numbers no bench deputy has (the scale data numbers phones from
# 13…); collisions are checked all the same.
PHONE_PREFIX = "199"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class _RolledBack(Exception):
    """Raised to leave the import's transaction without keeping its rows."""


def deputy_import_10k(*, region, n: int) -> list[dict]:
    """Time the dry run and the commit of a 10,000-row roster; return the rows."""
    from django.db import connection
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from congress.models import User
    from deputies.models import Deputy

    user = User.objects.get(username="bench_county_staff")
    data = roster_xlsx(county=region, rows=ROWS)
    before = Deputy.objects.count()
    client = Client()
    client.force_login(user)
    timings: dict[str, float] = {}
    result: dict[str, object] = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            preview = client.post(
                reverse("admin:deputies_deputy_import"),
                {"resource": "0", "format": "0", "import_file": _upload(data)},
            )
            timings["dry_run"] = time.perf_counter() - started
            confirm_url = reverse("admin:deputies_deputy_process_import")
            fields = confirm_fields(preview, confirm_url)

            started = time.perf_counter()
            done = client.post(confirm_url, fields)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            timings["commit"] = time.perf_counter() - started
            result["status"] = done.status_code
            result["created"] = Deputy.objects.count() - before
            raise _RolledBack
    except _RolledBack:
        pass
    _vacuum(connection)
    if result["created"] != ROWS:
        raise RuntimeError(
            f"the commit created {result['created']} deputies, not {ROWS} "
            f"(HTTP {result['status']})"
        )
    size_kb = len(data) / 1024
    return [
        {
            "page": f"导入代表名册 · {ROWS:,} 行预览校验(dry run)",
            "p50": None,
            "p95": timings["dry_run"] * 1000,
            "queries": None,
            "target_ms": TARGET_MS,
            "note": (
                f"上传 xlsx {size_kb:.0f} KB,解析、逐行校验、预览;计时 1 次 / "
                "upload, parse, check, preview; one run"
            ),
        },
        {
            "page": f"导入代表名册 · {ROWS:,} 行确认导入(commit)",
            "p50": None,
            "p95": timings["commit"] * 1000,
            "queries": None,
            "target_ms": TARGET_MS,
            "note": (
                f"再次解析校验并写入 {result['created']:,} 名代表、代表资格及历史"
                "记录;计时 1 次,之后回滚 / re-check and write deputies, mandates "
                "and history; one run, then rolled back"
            ),
        },
    ]


def roster_xlsx(*, county, rows: int) -> bytes:
    """A valid roster of ``rows`` new county deputies of ``county`` as xlsx bytes."""
    from openpyxl import Workbook

    from congress import crypto
    from congress.models import Term
    from deputies.imports import COLUMNS
    from deputies.imports import HEADERS
    from deputies.models import Constituency
    from deputies.models import Delegation
    from deputies.models import Deputy

    term = Term.objects.filter(region=county).order_by("-number").first()
    if term is None:
        raise RuntimeError(f"{county.name} has no term in the data")
    delegations = list(
        Delegation.objects.filter(term=term).select_related("region").order_by("pk")
    )
    if not delegations:
        raise RuntimeError(f"{term} has no delegations in the data")
    # A constituency of the delegation's township where there is one.
    constituencies: dict[int, list[int]] = {}
    for region_id, number in (
        Constituency.objects.filter(term=term)
        .order_by("number")
        .values_list("region_id", "number")
    ):
        constituencies.setdefault(region_id, []).append(number)

    people = []
    for i in range(rows):
        phone = f"{PHONE_PREFIX}{i:08d}"
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=(i * 7) % 14_600)
        people.append((phone, id_number(county.code[:6], birth, i % 1000)))
    taken = set(
        Deputy.objects.filter(
            phone_digest__in=[crypto.digest(p) for p, _ in people]
        ).values_list("phone_digest", flat=True)
    ) | set(
        Deputy.objects.filter(
            id_number_digest__in=[crypto.digest(n) for _, n in people]
        ).values_list("id_number_digest", flat=True)
    )
    if taken:
        raise RuntimeError(f"{len(taken)} generated numbers already belong to deputies")

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("代表名册")
    sheet.append(HEADERS)
    order = list(COLUMNS)
    for i, (phone, id_no) in enumerate(people):
        delegation = delegations[i % len(delegations)]
        numbers = constituencies.get(delegation.region_id, [])
        values = {
            "name": f"导入代表{i:05d}",
            "gender": "女" if i % 3 == 0 else "男",
            "ethnicity": "汉族",
            "birth_date": id_no[6:10] + "-" + id_no[10:12] + "-" + id_no[12:14],
            "political_status": "中共党员" if i % 2 else "群众",
            "occupation_category": "农民" if i % 4 else "工人",
            "workplace": f"{delegation.region.name}第{i % 40 + 1}村",
            "title": "村委会主任" if i % 5 == 0 else "",
            "phone": phone,
            "id_number": id_no,
            "region": delegation.region.code,
            "level": "县",
            "congress_region": county.code[:6],
            "term": term.number,
            "delegation": delegation.name,
            "constituency": numbers[i % len(numbers)] if numbers else "",
        }
        sheet.append([values[key] for key in order])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def id_number(area: str, birth: datetime.date, sequence: int) -> str:
    """A resident ID number with a correct check digit (GB 11643-1999)."""
    body = f"{area}{birth:%Y%m%d}{sequence:03d}"
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "代表名册.xlsx",
        data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def confirm_fields(response, confirm_url: str) -> dict[str, str]:
    """The hidden fields of the preview's confirm form, as a browser posts them;
    refuse to time a commit whose preview was not clean. (The bench has no test
    environment, so ``response.context`` is not recorded: read the HTML.)"""
    html = response.content.decode()
    if response.status_code != 200:
        raise RuntimeError(f"the import page answered HTTP {response.status_code}")
    start = html.find(f'action="{confirm_url}"')
    if start < 0:
        errors = re.findall(r'<td class="errors">([^<]*)</td>', html)[:3]
        raise RuntimeError(f"the preview offers no confirm form: {errors}")
    form = html[start : html.index("</form>", start)]
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def _vacuum(connection) -> None:
    """Reclaim the rolled-back rows so the next entries read clean tables."""
    from congress.models import AuditEvent
    from deputies.models import Deputy
    from deputies.models import Mandate

    if connection.vendor != "postgresql":
        return
    touched = (Deputy, Mandate, Deputy.history.model, Mandate.history.model, AuditEvent)
    with connection.cursor() as cursor:
        for model in touched:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"VACUUM (ANALYZE) {table}")
