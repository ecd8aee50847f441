"""Attachments of a suggestion and of a reply: uploaded in the portals, listed
on the suggestion's page, downloaded only by those who may see the suggestion."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from suggestions import services
from suggestions.models import SuggestionAttachment
from tests.factories.suggestions import SuggestionFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 reply attachment"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_reply_attachment_reaches_the_deputy_only(
    client, deputy_a, deputy_b, advance, liaison_a, liaison_a2, staff_a, staff_b
):
    suggestion = SuggestionFactory(lead_deputy=deputy_a)
    assignment = advance(suggestion, "handling")
    services.handling_step_add(
        assignment=assignment,
        actor=liaison_a,
        kind="contact",
        date=timezone.localdate(),
        note="座谈",
    )
    client.force_login(liaison_a)
    client.post(
        reverse("suggestions:unit-action", args=[assignment.pk, "reply"]),
        {
            "result_class": "A",
            "text": "已完成道路硬化。",
            "signer": "张局长",
            "attachment": SimpleUploadedFile(
                "验收报告.pdf", PDF, content_type="application/pdf"
            ),
        },
    )
    attachment = SuggestionAttachment.objects.get()
    assert attachment.reply is not None and attachment.suggestion == suggestion
    url = reverse("suggestions:attachment", args=[suggestion.pk, attachment.pk])

    client.force_login(deputy_a.user)
    page = client.get(reverse("suggestions:portal-detail", args=[suggestion.pk]))
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert _body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]

    for user in (liaison_a, staff_a):
        client.force_login(user)
        assert client.get(url).status_code == 200
    for user in (deputy_b.user, liaison_a2, staff_b):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_attachment_of_another_suggestion_is_not_served_through_mine(
    client, deputy_a, deputy_a2
):
    mine = SuggestionFactory(lead_deputy=deputy_a)
    theirs = SuggestionFactory(lead_deputy=deputy_a2)
    attachment = services.suggestion_attach(
        suggestion=theirs,
        actor=deputy_a2.user,
        file=SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff", content_type="image/jpeg"),
    )
    client.force_login(deputy_a.user)
    url = reverse("suggestions:attachment", args=[mine.pk, attachment.pk])
    assert client.get(url).status_code == 404
    client.force_login(deputy_a2.user)
    own = reverse("suggestions:attachment", args=[theirs.pk, attachment.pk])
    assert _body(client.get(own)) == b"\xff\xd8\xff"
