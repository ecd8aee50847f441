"""The deputy roster import (issue #3, item 1): check every row, write all or nothing.

Row numbers are Excel's (the header is row 1). Each bad file is refused with its
Chinese reason, the row and the column, and writes no deputy and no mandate.
"""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.urls import reverse

from congress import crypto
from congress.models import AuditEvent
from deputies.imports import HEADERS
from deputies.imports import DeputyImportRefused
from deputies.imports import deputy_import
from deputies.imports import read_xlsx
from deputies.models import Constituency
from deputies.models import Delegation
from deputies.models import Deputy
from deputies.models import Level
from deputies.models import Mandate
from tests.deputies.xlsx import as_row
from tests.deputies.xlsx import row_values
from tests.deputies.xlsx import xlsx_bytes
from tests.deputies.xlsx import xlsx_upload
from tests.factories.congress import TermFactory
from tests.factories.deputies import DeputyFactory

pytestmark = pytest.mark.django_db

# Resident ID numbers with a correct GB 11643 check digit.
ID_1 = "430524197503080015"
ID_2 = "43052419800101002X"
ID_3 = "430524199005120036"


@pytest.fixture
def term_a(county_a):
    return TermFactory(region=county_a, number=18)


@pytest.fixture
def roster_a(term_a, township_a):
    """隆回县第18届: the 桃洪镇 delegation and constituency no. 1."""
    Delegation.objects.create(term=term_a, name="桃洪镇代表团", region=township_a)
    Constituency.objects.create(
        term=term_a, number=1, name="桃洪镇第1选区", region=township_a
    )
    return term_a


def _rows(*rows: dict, headers=HEADERS) -> list[tuple]:
    """Read back a real xlsx built from the rows, header first."""
    data = xlsx_bytes([as_row(r, headers) for r in rows], headers=headers)
    return read_xlsx(io.BytesIO(data))


def _counts() -> tuple[int, int]:
    return Deputy.objects.count(), Mandate.objects.count()


def _assert_refused(user, rows, *expected: str) -> list[str]:
    """Commit the rows, expect a refusal naming each expected problem, no writes."""
    before = _counts()
    with pytest.raises(DeputyImportRefused, match="未导入任何数据") as refused:
        deputy_import(user=user, rows=rows, dry_run=False)
    problems = [str(p) for p in refused.value.outcome.errors]
    for text in expected:
        assert any(text in p for p in problems), f"{text!r} not in {problems}"
    assert _counts() == before, "a refused import wrote deputies or mandates"
    return problems


def test_import_good_file_creates_deputies_and_mandates(staff_a, roster_a):
    """A clean file creates one deputy and one active mandate per row."""
    rows = _rows(
        row_values(身份证号=ID_1),
        row_values(
            姓名="王芳",
            性别="女",
            手机号码="13912340002",
            身份证号=ID_2,
            出生日期="1980/01/01",
            选区编号="",
        ),
    )

    outcome = deputy_import(user=staff_a, rows=rows, dry_run=False)

    assert outcome.created == 2, outcome.errors
    deputy = Deputy.objects.get(name="王芳")
    assert deputy.gender == Deputy.Gender.FEMALE
    assert str(deputy.birth_date) == "1980-01-01"
    assert deputy.region.code == "430524100000"
    mandate = deputy.mandates.get()
    assert mandate.level == Level.COUNTY
    assert mandate.term == roster_a
    assert mandate.delegation.name == "桃洪镇代表团"
    assert mandate.constituency is None
    assert mandate.status == Mandate.Status.ACTIVE
    assert deputy.history.count() == 1, "the import leaves a history record"


def test_import_good_file_stores_phones_encrypted_with_digests(staff_a, roster_a):
    """Phones and ID numbers are stored as tokens, with their digests for lookups."""
    deputy_import(user=staff_a, rows=_rows(row_values(身份证号=ID_1)), dry_run=False)

    deputy = Deputy.objects.get()
    assert deputy.phone == "13812340001"
    assert deputy.phone_digest == crypto.digest("13812340001")
    assert deputy.id_number_digest == crypto.digest(ID_1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, id_number FROM deputies_deputy WHERE id = %s", [deputy.pk]
        )
        stored_phone, stored_id = cursor.fetchone()
    assert "13812340001" not in stored_phone, "the phone is stored in clear"
    assert ID_1 not in stored_id, "the ID number is stored in clear"


def test_import_commit_writes_an_audit_row_with_row_count(staff_a, roster_a):
    """Every committed import is audited with its row count."""
    rows = _rows(row_values(), row_values(姓名="张伟", 手机号码="13812340009"))

    deputy_import(user=staff_a, rows=rows, dry_run=False, file_name="名册.xlsx")

    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert event.user == staff_a
    assert event.success is True
    assert event.detail["rows"] == 2
    assert event.detail["file"] == "名册.xlsx"


def test_import_dry_run_writes_nothing(staff_a, roster_a):
    """The dry run checks the rows and returns a preview, with no deputy written."""
    outcome = deputy_import(user=staff_a, rows=_rows(row_values()), dry_run=True)

    assert outcome.is_valid, outcome.errors
    assert [r.values["姓名"] for r in outcome.rows] == ["李明"]
    assert outcome.rows[0].values["手机号码"] == "138****0001", "preview is masked"
    assert _counts() == (0, 0)


def test_import_missing_column_refuses_whole_file(staff_a, roster_a):
    """A file without a required column is refused at row 1, naming the columns."""
    headers = [h for h in HEADERS if h not in ("层级", "届次")]

    problems = _assert_refused(
        staff_a,
        _rows(row_values(), headers=headers),
        "第1行 表头:缺少必需的列:层级、届次。",
    )
    assert len(problems) == 1


def test_import_unknown_region_code_is_refused(staff_a, roster_a):
    """A region code that is not in the region table names the row and column."""
    _assert_refused(
        staff_a,
        _rows(row_values(), row_values(所在区划代码="430524999", 手机号码="")),
        "第3行 所在区划代码:区划代码“430524999”不存在",
    )


def test_import_region_outside_scope_is_refused(staff_a, roster_a, township_b):
    """Staff of county A cannot import a deputy of county B."""
    TermFactory(region=township_b.parent, number=18)

    _assert_refused(
        staff_a,
        _rows(
            row_values(所在区划代码="430525001", 人大所在区划代码="430525", 代表团="")
        ),
        "第2行 所在区划代码:“文昌街道”不在您的管辖范围内,不能导入。",
    )


def test_import_staff_of_county_b_cannot_import_county_a(staff_b, roster_a):
    """The scope check holds the other way round too."""
    _assert_refused(
        staff_b,
        _rows(row_values()),
        "第2行 所在区划代码:“桃洪镇”不在您的管辖范围内",
    )


def test_import_unknown_delegation_is_refused(staff_a, roster_a):
    """A delegation that does not exist in that term is refused."""
    _assert_refused(
        staff_a,
        _rows(row_values(代表团="金石桥镇代表团")),
        "第2行 代表团:",
        "没有名为“金石桥镇代表团”的代表团。",
    )


def test_import_unknown_constituency_is_refused(staff_a, roster_a):
    """A constituency number that does not exist in that term is refused."""
    _assert_refused(
        staff_a,
        _rows(row_values(选区编号=7)),
        "第2行 选区编号:",
        "没有编号为“7”的选区。",
    )


@pytest.mark.parametrize("phone", ["12812340001", "1381234000", "138-1234-0001"])
def test_import_bad_phone_is_refused(staff_a, roster_a, phone):
    """A mobile number must be 1, then 3–9, then nine digits."""
    _assert_refused(
        staff_a,
        _rows(row_values(手机号码=phone)),
        "第2行 手机号码:",
        "不是有效的手机号码",
    )


@pytest.mark.parametrize(
    "id_number", ["430524197503080016", "43052419750308001", "43052419750308001A"]
)
def test_import_bad_id_number_is_refused(staff_a, roster_a, id_number):
    """An ID number needs 18 characters and the GB 11643 check digit."""
    _assert_refused(
        staff_a,
        _rows(row_values(身份证号=id_number)),
        f"第2行 身份证号:“{id_number}”不是有效的身份证号",
    )


def test_import_duplicate_id_number_in_file_is_refused(staff_a, roster_a):
    """Two rows with one ID number: the second names the first."""
    _assert_refused(
        staff_a,
        _rows(
            row_values(身份证号=ID_1),
            row_values(姓名="张伟", 手机号码="13812340009", 身份证号=ID_1.lower()),
        ),
        "第3行 身份证号:与第2行的身份证号重复。",
    )


def test_import_duplicate_phone_in_file_is_refused(staff_a, roster_a):
    """Two rows with one phone: the later row names the earlier one."""
    _assert_refused(
        staff_a,
        _rows(
            row_values(),
            row_values(姓名="张伟", 身份证号=ID_3),
            row_values(姓名="刘洋", 手机号码="138 1234 0001"),
        ),
        "第3行 手机号码:与第2行的手机号码重复。",
        "第4行 手机号码:与第2行的手机号码重复。",
    )


def test_import_duplicate_against_database_is_refused(staff_a, roster_a, township_a):
    """A phone or ID number already held by a deputy is refused (found by digest)."""
    DeputyFactory(region=township_a, phone="13812340001", id_number=ID_2)
    before = _counts()

    _assert_refused(
        staff_a,
        _rows(
            row_values(),
            row_values(姓名="张伟", 手机号码="13812340009", 身份证号=ID_2),
        ),
        "第2行 手机号码:该手机号码已属于系统中的另一名代表。",
        "第3行 身份证号:该身份证号已属于系统中的另一名代表。",
    )
    assert _counts() == before


def test_import_wrong_level_label_is_refused(staff_a, roster_a):
    """层级 must be one of the five levels."""
    _assert_refused(
        staff_a,
        _rows(row_values(层级="区")),
        "第2行 层级:“区”不是有效的层级,应为:全国、省、市、县、乡。",
    )


def test_import_level_that_does_not_fit_the_congress_is_refused(staff_a, roster_a):
    """A township-level mandate cannot sit in the county congress."""
    _assert_refused(
        staff_a,
        _rows(row_values(层级="乡")),
        "第2行 层级:层级“乡”与人大所在区划“隆回县”(县(市、区))不符。",
    )


@pytest.mark.parametrize(
    ("column", "value", "allowed"),
    [
        ("性别", "男性", "男、女"),
        ("政治面貌", "党员", "中共党员、中共预备党员"),
        ("职业类别", "农户", "党政领导干部、工人、农民"),
    ],
)
def test_import_wrong_choice_label_is_refused(
    staff_a, roster_a, column, value, allowed
):
    """Gender, political status and occupation take the labels of the roster."""
    _assert_refused(
        staff_a,
        _rows(row_values(**{column: value})),
        f"第2行 {column}:“{value}”不是有效的{column},应为:{allowed}",
    )


def test_import_unknown_term_is_refused(staff_a, roster_a):
    """A term number the congress does not have is refused."""
    _assert_refused(
        staff_a,
        _rows(row_values(届次=17)),
        "第2行 届次:“隆回县”没有第17届人民代表大会。",
    )


def test_import_missing_required_value_is_refused(staff_a, roster_a):
    """An empty name is refused, not imported as a nameless deputy."""
    _assert_refused(staff_a, _rows(row_values(姓名="")), "第2行 姓名:不能为空。")


def test_import_lists_every_error_not_only_the_first(staff_a, roster_a):
    """The dry run reports the problems of every row, several per row if need be."""
    rows = _rows(
        row_values(手机号码="123", 身份证号="1"),
        row_values(姓名="张伟", 手机号码="13812340009", 层级="区"),
        row_values(姓名="刘洋", 手机号码="13812340010"),
        row_values(姓名="陈静", 手机号码="13812340011", 所在区划代码="99"),
    )

    outcome = deputy_import(user=staff_a, rows=rows, dry_run=True)

    located = {(p.row, p.field) for p in outcome.errors}
    assert located == {
        (2, "手机号码"),
        (2, "身份证号"),
        (3, "层级"),
        (5, "所在区划代码"),
    }, outcome.errors
    assert _counts() == (0, 0)


def test_import_refused_commit_is_audited_as_failure(staff_a, roster_a):
    """A refused commit leaves an audit row marked unsuccessful, and no deputies."""
    with pytest.raises(DeputyImportRefused):
        deputy_import(user=staff_a, rows=_rows(row_values(层级="区")), dry_run=False)

    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert event.success is False
    assert event.detail["errors"] == 1


def test_import_admin_upload_preview_errors_then_confirm(client, staff_a, roster_a):
    """Staff upload a bad file and see each error; a good file previews, then imports."""
    client.force_login(staff_a)
    url = reverse("admin:deputies_deputy_import")

    page = client.get(url)
    assert page.status_code == 200
    assert "人大所在区划代码" in page.content.decode(), "the columns are listed"

    bad = client.post(
        url,
        {
            "resource": "0",
            "format": "0",
            "import_file": xlsx_upload(
                [as_row(row_values()), as_row(row_values(手机号码="12345"))]
            ),
        },
    )
    html = bad.content.decode()
    assert bad.status_code == 200
    assert "文件有1处错误,未导入任何数据" in html
    assert "<td>3</td>" in html and "<td>手机号码</td>" in html
    assert "不是有效的手机号码" in html
    assert "process_import" not in html, "a bad file offers no confirm button"
    assert _counts() == (0, 0)

    good = client.post(
        url,
        {
            "resource": "0",
            "format": "0",
            "import_file": xlsx_upload(
                [
                    as_row(row_values()),
                    as_row(row_values(姓名="王芳", 性别="女", 手机号码="13912340002")),
                ]
            ),
        },
    )
    html = good.content.decode()
    assert "共2名代表待导入" in html
    assert "139****0002" in html and "13912340002" not in html
    assert _counts() == (0, 0), "the preview writes nothing"
    confirm = good.context["confirm_form"]

    done = client.post(
        reverse("admin:deputies_deputy_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
        follow=True,
    )
    assert done.status_code == 200
    assert "已导入2名代表及其代表资格。" in done.content.decode()
    assert _counts() == (2, 2)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert event.detail["rows"] == 2 and event.user == staff_a


def test_import_admin_page_refused_to_leadership(client, leader_a):
    """Leadership reads deputies but may not import them."""
    client.force_login(leader_a)

    response = client.get(reverse("admin:deputies_deputy_import"))

    assert response.status_code == 403


@pytest.mark.parametrize("size", [1, 50])
def test_import_check_query_count_does_not_grow_with_rows(
    staff_a, roster_a, django_assert_num_queries, size
):
    """The check loads what the rows refer to in six queries, whatever their number."""
    rows = _rows(
        *(
            row_values(姓名=f"代表{i}", 手机号码=f"138{i:08d}", 身份证号="")
            for i in range(size)
        )
    )
    # regions by code; terms; delegations; constituencies; deputies by digest;
    # the user's roles (is the user a system admin who sees everything?)
    with django_assert_num_queries(6):
        outcome = deputy_import(user=staff_a, rows=rows, dry_run=True)
    assert outcome.is_valid and len(outcome.rows) == size, outcome.errors


def test_import_admin_confirm_refused_when_a_duplicate_appears_meanwhile(
    client, staff_a, roster_a, township_a
):
    """A file that turns bad between preview and confirm is refused, and says why."""
    client.force_login(staff_a)
    preview = client.post(
        reverse("admin:deputies_deputy_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": xlsx_upload([as_row(row_values())]),
        },
    )
    confirm = preview.context["confirm_form"]
    DeputyFactory(region=township_a, phone="13812340001")
    before = _counts()

    done = client.post(
        reverse("admin:deputies_deputy_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
        follow=True,
    )

    html = done.content.decode()
    assert "第2行 手机号码:该手机号码已属于系统中的另一名代表。" in html
    assert "导入文件有1处错误,未导入任何数据。" in html
    assert _counts() == before


def test_import_changelist_offers_import_and_export(client, staff_a):
    """The deputy changelist links to both the import and the export."""
    client.force_login(staff_a)

    html = client.get(reverse("admin:deputies_deputy_changelist")).content.decode()

    assert reverse("admin:deputies_deputy_import") in html
    assert reverse("admin:deputies_deputy_export") in html
