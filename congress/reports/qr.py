"""QR codes (segno) linking a printed report back to the live record."""

from __future__ import annotations

import segno
from django.conf import settings
from django.utils.safestring import SafeString
from django.utils.safestring import mark_safe


def absolute_url(path: str) -> str:
    """Join a site path to ``settings.SITE_URL`` (the address people reach us at)."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}/{path.lstrip('/')}"


def qr_svg(path_or_url: str, *, scale: int = 3) -> SafeString:
    """Return an inline SVG QR code for the absolute address of ``path_or_url``."""
    code = segno.make(absolute_url(path_or_url), error="m")
    # svg_inline omits the XML declaration so the SVG can sit inside HTML.
    return mark_safe(code.svg_inline(scale=scale, border=2))  # noqa: S308 — segno output
