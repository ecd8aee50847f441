"""Only deputies' photos are served from MEDIA_ROOT; report files never are."""

from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "deputies" / "photos").mkdir(parents=True)
    (tmp_path / "deputies" / "photos" / "a.jpg").write_bytes(b"\xff\xd8\xff photo")
    (tmp_path / "reports" / "2026" / "11").mkdir(parents=True)
    (tmp_path / "reports" / "2026" / "11" / "report-1.pdf").write_bytes(b"%PDF-1.7")
    return Path(tmp_path)


def test_media_deputy_photo_is_public(media_root):
    """A deputy's photo (shown on the public QR pages) is served without login."""
    response = Client().get("/media/deputies/photos/a.jpg")
    assert response.status_code == 200
    assert b"photo" in b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "path",
    [
        "/media/reports/2026/11/report-1.pdf",
        "/media/deputies/photos/../../reports/2026/11/report-1.pdf",
        "/media/deputies/photos/%2e%2e/%2e%2e/reports/2026/11/report-1.pdf",
    ],
)
def test_media_report_files_are_not_served(media_root, path):
    """Generated reports are reached only through the scoped, audited download."""
    response = Client().get(path)
    assert response.status_code == 404
