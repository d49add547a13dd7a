"""Files: an allow-list and a size limit, generated names outside the static root, a checked download."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.models import Attachment

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _png(name="screen.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _reply(client, ticket, *files, body="See the file"):
    return client.post(
        reverse("tickets:reply", kwargs={"number": ticket.pk}), {"body": body, "attachments": list(files)}
    )


def test_upload_is_stored_under_a_generated_name_outside_static(client_for, requester, ticket):
    response = _reply(client_for(requester), ticket, _png("../../etc/passwd.png"))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.png"
    assert attachment.comment.ticket == ticket
    stored = Path(attachment.file.path)
    assert stored.is_file()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT) / "attachments")
    assert "passwd" not in stored.name
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT))
    with pytest.raises(ValueError):
        attachment.file.url  # noqa: B018 - no public URL


def test_download_headers(client_for, requester, ticket):
    _reply(client_for(requester), ticket, _png())
    attachment = Attachment.objects.get()
    response = client_for(requester).get(reverse("tickets:attachment", kwargs={"pk": attachment.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="screen.png"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    # Its own policy, stricter than the site's, which the CSP middleware leaves as it is.
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content) == PNG


def test_download_checks_the_viewers_right(client_for, requester, requester_2, outsider, technician, ticket):
    _reply(client_for(requester), ticket, _png())
    url = reverse("tickets:attachment", kwargs={"pk": Attachment.objects.get().pk})
    assert client_for(requester_2).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(technician).get(url).status_code == 200
    assert client_for(technician).get(reverse("tickets:attachment", kwargs={"pk": 999999})).status_code == 404


def test_internal_note_files_are_for_staff_only(client_for, requester, technician, ticket):
    services.comment_add(ticket=ticket, by=technician, body="invoice", is_internal=True, files=[_png("invoice.png")])
    url = reverse("tickets:attachment", kwargs={"pk": Attachment.objects.get().pk})
    assert client_for(requester).get(url).status_code == 404
    assert b"invoice.png" not in client_for(requester).get(ticket.get_absolute_url()).content
    assert client_for(technician).get(url).status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "cannot be attached"),
        ("page.html", b"<script>", "cannot be attached"),
        ("image.svg", b"<svg onload=alert(1)>", "cannot be attached"),
        ("fake.png", b"MZ\x90\x00 not a png", "does not look like"),
    ],
)
def test_forbidden_files_are_a_form_error(client_for, requester, ticket, name, content, message):
    response = _reply(client_for(requester), ticket, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Attachment.objects.exists()
    assert not ticket.comments.exists()


def test_too_large_file_is_a_form_error(client_for, requester, ticket, settings):
    settings.TICKET_ATTACHMENT_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.txt", b"a" * 1001)
    response = _reply(client_for(requester), ticket, big)
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not Attachment.objects.exists()


def test_submit_with_attachment(client_for, requester):
    device = factories.DeviceFactory(assigned_to=requester.employee)
    response = client_for(requester).post(
        reverse("tickets:submit"),
        {
            "subject": "Cracked screen",
            "device": device.pk,
            "impact": 3,
            "urgency": 2,
            "attachments": [_png("crack.png")],
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.comment is None
    assert attachment.ticket.subject == "Cracked screen"
    page = client_for(requester).get(attachment.ticket.get_absolute_url()).content.decode()
    assert "crack.png" in page
