"""The roster PDF (代表和联络站名册) as printed: its rows of deputies read like a table.

The pipeline, the page numbers and the repeated column headers are tested with the
other reports in tests/congress/test_reports.py; these tests read the PDF's text
(pdftotext) and word boxes (pdftotext -bbox) to check the deputy rows themselves.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from congress.models import Region
from congress.reports.render import render_pdf
from deputies.models import Delegation
from deputies.models import Deputy
from deputies.models import Level
from deputies.reports import ROSTER
from deputies.reports import ROSTER_TEMPLATE
from deputies.reports import build_roster_context
from tests.factories.congress import RegionFactory
from tests.factories.congress import TermFactory
from tests.factories.deputies import DeputyFactory
from tests.factories.deputies import MandateFactory
from tests.pdf import assert_cjk_embedded
from tests.pdf import squeeze

pytestmark = pytest.mark.django_db

HEADERS = ("姓名", "性别", "代表层级", "代表团", "工作单位及职务", "联系电话")
LONG_WORKPLACE = "湖南省邵阳市隆回县桃洪镇农业农村综合服务中心暨乡村振兴工作办公室"
LONG_TITLE = "党委委员兼驻村第一书记"


def pdf_to_text(content: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "roster.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", *args, str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


def pdf_words(content: bytes, tmp_path: Path) -> list[list[Word]]:
    """The words of each page with their boxes in points, as ``pdftotext -bbox``."""
    html = pdf_to_text(content, tmp_path, "-bbox")
    pages = []
    for page in re.findall(r"<page .*?</page>", html, flags=re.S):
        pages.append(
            [
                Word(text, float(x0), float(y0), float(x1), float(y1))
                for x0, y0, x1, y1, text in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" '
                    r'xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                    page,
                )
            ]
        )
    return pages


def roster_pdf(county: Region):
    context = build_roster_context(region=county, params={})
    context["report_title"] = ROSTER.title_for(region=county)
    return render_pdf(ROSTER_TEMPLATE, context)


def test_roster_pdf_prints_every_deputy_row_and_the_column_headers(
    county_a, township_a, tmp_path
):
    """Every deputy prints as one line of name, gender, levels, delegation,
    workplace and masked phone in that order, under the township's heading and the
    column headers; full phone numbers never print and the CJK fonts are embedded."""
    township_b = RegionFactory(
        name="金石桥镇",
        code=Region.full_code("430524108"),
        level=Region.Level.TOWNSHIP,
        parent=county_a,
    )
    county_term = TermFactory(region=county_a)
    delegation = Delegation.objects.create(
        term=county_term, name="桃洪镇代表团", region=township_a
    )
    people = [
        # (deputy fields, in the county delegation, also a township deputy)
        (
            dict(
                name="李卫红",
                region=township_a,
                gender=Deputy.Gender.FEMALE,
                title="主任",
            ),
            True,
            True,
        ),
        (dict(name="王建国", region=township_a, title="校长"), True, False),
        (dict(name="赵晓峰", region=township_b, title=""), False, True),
        (dict(name="陈立新", region=county_a, title="局长"), False, False),
    ]
    expected = []
    for index, (fields, in_delegation, township_too) in enumerate(people):
        workplace = f"隆回县第{index + 1}单位"
        deputy = DeputyFactory(
            workplace=workplace, phone=f"1390000{index:04d}", **fields
        )
        MandateFactory(
            deputy=deputy,
            level=Level.COUNTY,
            congress_region=county_a,
            term=county_term,
            delegation=delegation if in_delegation else None,
        )
        if township_too:
            MandateFactory(
                deputy=deputy, level=Level.TOWNSHIP, congress_region=deputy.region
            )
        expected.append(
            "".join(
                (
                    deputy.name,
                    str(Deputy.Gender(deputy.gender).label),
                    "县、乡" if township_too else "县",
                    "桃洪镇代表团" if in_delegation else "",
                    workplace + fields["title"],
                    f"139****{index:04d}",
                )
            )
        )

    pdf = roster_pdf(county_a)

    layout = pdf_to_text(pdf.content, tmp_path, "-layout")
    lines = [squeeze(line) for line in layout.splitlines()]
    for row in expected:
        assert row in lines, f"no line reads {row!r}:\n" + "\n".join(lines)
    assert "".join(HEADERS) in lines, "the column headers are not one line"
    for heading in ("桃洪镇(2)", "金石桥镇(1)", "县(市、区)直(1)"):
        assert heading in lines, f"the group heading {heading!r} is missing"
    text = "".join(lines)
    for index in range(len(people)):
        assert f"1390000{index:04d}" not in text, "a full phone number printed"
    assert_cjk_embedded(pdf.content, tmp_path)


def test_roster_pdf_long_workplace_wraps_inside_its_cell(
    county_a, township_a, tmp_path
):
    """A workplace longer than its column wraps onto more lines inside the column:
    it stays left of the phone, and the next deputy's row (by name) starts below
    it."""
    term = TermFactory(region=county_a)
    for name, workplace, title, phone in (
        ("丁代表", LONG_WORKPLACE, LONG_TITLE, "13912340001"),
        ("王代表", "隆回县农业农村局", "局长", "13912340002"),
    ):
        deputy = DeputyFactory(
            name=name,
            region=township_a,
            workplace=workplace,
            title=title,
            phone=phone,
        )
        MandateFactory(deputy=deputy, level=Level.COUNTY, term=term)

    pdf = roster_pdf(county_a)

    page = next(
        words
        for words in pdf_words(pdf.content, tmp_path)
        if any(word.text == "139****0001" for word in words)
    )
    phone = next(word for word in page if word.text == "139****0001")
    next_name = next(word for word in page if word.text == "王代表")
    column = next(word for word in page if word.text == "工作单位及职务")
    workplace = [
        word
        for word in page
        if word is not phone
        and word.x_min >= column.x_min - 1
        and phone.y_min - 1 <= word.y_min < next_name.y_min
    ]
    long_text = LONG_WORKPLACE + LONG_TITLE
    assert "".join(word.text for word in workplace) == long_text, (
        f"the workplace is not all in its row: {workplace}"
    )
    assert len({round(word.y_min) for word in workplace}) >= 2, (
        "the long workplace should wrap onto a second line"
    )
    assert max(word.x_max for word in workplace) < phone.x_min, (
        "the workplace runs into the phone column"
    )
    assert max(word.y_max for word in workplace) < next_name.y_min, (
        "the next row overlaps the wrapped workplace"
    )
