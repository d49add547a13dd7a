"""Messages are written in the recipient's language and time zone, and escape what users typed."""

import datetime as dt

import pytest

from notifications.models import Notification, NotificationChannel
from notifications.rendering import render_email
from tests import factories

pytestmark = pytest.mark.django_db


def message_for(user, **context):
    ticket = factories.TicketFactory()
    row = Notification.objects.create(
        recipient=user,
        email=user.email,
        ticket=ticket,
        kind="reply",
        channel=NotificationChannel.EMAIL,
        message_id="<notification-1@example.org>",
        created_at=dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC),
        context={"ticket_reference": ticket.reference, "ticket_subject": "Printer", "ticket_path": "/t/", **context},
    )
    return render_email(row)


def test_the_time_is_in_the_recipients_time_zone():
    oslo = message_for(factories.UserFactory(time_zone="Europe/Oslo"))
    new_york = message_for(factories.UserFactory(time_zone="America/New_York"))
    assert "2026-06-01 14:00" in oslo.body  # 12:00 UTC is 14:00 in Oslo in June
    assert "2026-06-01 08:00" in new_york.body


def test_the_language_is_the_recipients():
    polish = message_for(factories.UserFactory(language="pl"), actor_name="Tess")
    english = message_for(factories.UserFactory(language=""), actor_name="Tess")
    assert polish.subject != english.subject
    assert polish.subject.startswith("[HD-")


def test_user_text_is_escaped_in_html_and_kept_in_text():
    message = message_for(factories.UserFactory(), body="<script>alert(1)</script> & more")
    html = message.alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<script>alert(1)</script> & more" in message.body


def test_the_subject_carries_no_line_breaks_from_user_text():
    message = message_for(factories.UserFactory(), ticket_subject="Bad\r\nBcc: victim@example.org")
    assert "\n" not in message.message()["Subject"]
