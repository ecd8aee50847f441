"""Reading rendered PDFs in tests with poppler's tools (pdftotext, pdffonts)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def squeeze(text: str) -> str:
    """pdftotext may or may not keep the spaces between CJK glyphs."""
    return re.sub(r"\s+", "", text)


def pdf_fonts(content: bytes, tmp_path: Path) -> str:
    """``pdffonts``' table of the fonts in the PDF."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout


def assert_cjk_embedded(content: bytes, tmp_path: Path) -> None:
    """The PDF uses a CJK font, and every CJK font in it is embedded."""
    fonts = pdf_fonts(content, tmp_path)
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, f"no CJK font in the PDF:\n{fonts}"
    assert all(" yes " in line for line in cjk), f"CJK font not embedded:\n{fonts}"
