"""Build xlsx files in memory for the import tests (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from deputies.imports import HEADERS


def xlsx_bytes(
    rows: Iterable[Sequence[Any]], *, headers: Sequence[str] = HEADERS
) -> bytes:
    """Return an xlsx workbook with the header row and the given rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "代表名册"
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_upload(
    rows: Iterable[Sequence[Any]],
    *,
    headers: Sequence[str] = HEADERS,
    name: str = "代表名册.xlsx",
) -> SimpleUploadedFile:
    """The same workbook as an uploaded file for the admin form."""
    return SimpleUploadedFile(
        name,
        xlsx_bytes(rows, headers=headers),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def row_values(**overrides: Any) -> dict[str, Any]:
    """A good roster row as {header: value}; ``overrides`` use the Chinese headers."""
    values: dict[str, Any] = {
        "姓名": "李明",
        "性别": "男",
        "民族": "汉族",
        "出生日期": "1975-03-08",
        "政治面貌": "中共党员",
        "职业类别": "农民",
        "工作单位": "桃洪镇农业服务中心",
        "职务": "主任",
        "手机号码": "13812340001",
        "身份证号": "",
        "所在区划代码": "430524100",
        "层级": "县",
        "人大所在区划代码": "430524",
        "届次": 18,
        "代表团": "桃洪镇代表团",
        "选区编号": 1,
    }
    values.update(overrides)
    return values


def as_row(values: dict[str, Any], headers: Sequence[str] = HEADERS) -> list[Any]:
    return [values.get(header, "") for header in headers]
