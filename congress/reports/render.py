"""Render a Django template to PDF with WeasyPrint.

Fonts are loaded by path from ``settings.REPORT_FONT_DIRS`` (Debian's
``fonts-noto-cjk`` or files bundled under ``static/fonts``), never from the
network, and ``base_url`` is the static directory on disk, so rendering a report
never makes a request, not even to our own server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from weasyprint import CSS
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

# family name used in print.css → (weight, file name) of the Noto CJK collections.
FONT_FILES: dict[str, tuple[tuple[str, str], ...]] = {
    "Noto Sans CJK SC": (
        ("normal", "NotoSansCJK-Regular.ttc"),
        ("bold", "NotoSansCJK-Bold.ttc"),
    ),
    "Noto Serif CJK SC": (
        ("normal", "NotoSerifCJK-Regular.ttc"),
        ("bold", "NotoSerifCJK-Bold.ttc"),
    ),
}


class ReportFontMissing(RuntimeError):
    """No CJK font file was found in ``REPORT_FONT_DIRS``."""


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


def find_font(file_name: str) -> Path | None:
    """Return the first ``file_name`` found in ``settings.REPORT_FONT_DIRS``."""
    for directory in settings.REPORT_FONT_DIRS:
        candidate = Path(directory) / file_name
        if candidate.is_file():
            return candidate
    return None


def font_face_css() -> str:
    """``@font-face`` rules that point at the CJK font files on disk.

    Raises :class:`ReportFontMissing` when the regular sans face is missing: a
    report without a CJK font prints empty boxes, which is worse than no report.
    """
    rules = []
    for family, faces in FONT_FILES.items():
        for weight, file_name in faces:
            path = find_font(file_name)
            if path is None:
                continue
            rules.append(
                f"@font-face {{ font-family: '{family}'; font-weight: {weight}; "
                f"src: url('{path.as_uri()}'); }}"
            )
    if find_font(FONT_FILES["Noto Sans CJK SC"][0][1]) is None:
        raise ReportFontMissing(
            _("找不到中文字体文件 %(file)s,请安装 fonts-noto-cjk。")
            % {"file": FONT_FILES["Noto Sans CJK SC"][0][1]}
        )
    return "\n".join(rules)


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def page_number_css() -> str:
    """The page footer "第 X 页 / 共 Y 页", built from a translatable string.

    The msgid keeps named placeholders so a translation may reorder them; each
    placeholder becomes a CSS page counter.
    """
    template = _("第 %(page)s 页 / 共 %(pages)s 页")
    marker_page, marker_pages = "\x00PAGE\x00", "\x00PAGES\x00"
    text = template % {"page": marker_page, "pages": marker_pages}
    tokens: list[str] = []
    for chunk in text.split("\x00"):
        if chunk == "PAGE":
            tokens.append("counter(page)")
        elif chunk == "PAGES":
            tokens.append("counter(pages)")
        elif chunk:
            tokens.append(_css_string(chunk))
    content = " ".join(tokens)
    return f"@page {{ @bottom-center {{ content: {content}; }} }}"


def static_base_url() -> str:
    """The static source directory on disk, as a file URL for relative links."""
    return (Path(settings.BASE_DIR) / "static").as_uri() + "/"


def _url_fetcher() -> URLFetcher:
    # Only files on disk and inline data may be read while rendering: a report
    # must never wait on the network, nor call back into our own server.
    return URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)


def render_html(template_name: str, context: dict[str, Any]) -> str:
    """Render the print template to an HTML string."""
    return render_to_string(template_name, context)


def html_to_pdf(
    html: str, *, on_layout: Callable[[int], None] | None = None
) -> RenderedPdf:
    """Lay out ``html`` on A4 pages and write the PDF with the CJK fonts embedded.

    ``on_layout(pages)`` is called between layout and writing, so a task can
    report progress at the slow step's end.
    """
    font_config = FontConfiguration()
    stylesheets = [
        CSS(string=font_face_css(), font_config=font_config),
        CSS(string=page_number_css(), font_config=font_config),
    ]
    document = HTML(
        string=html, base_url=static_base_url(), url_fetcher=_url_fetcher()
    ).render(stylesheets=stylesheets, font_config=font_config)
    pages = len(document.pages)
    if on_layout is not None:
        on_layout(pages)
    return RenderedPdf(content=document.write_pdf(), pages=pages)


def render_pdf(template_name: str, context: dict[str, Any]) -> RenderedPdf:
    """Render a Django template straight to PDF (for tests and previews)."""
    return html_to_pdf(render_html(template_name, context))
