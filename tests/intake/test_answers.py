"""The desk's automatic answers to received mail, the loop guard and the per-sender rate."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.answers import KIND
from intake.models import InboundMessage, InboundStatus
from intake.services import message_receive
from notifications.delivery import notification_deliver
from notifications.models import Notification, NotificationStatus
from notifications.rendering import render_email
from tests.intake.mail import raw
from tickets.models import Ticket

NOON = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
STRANGER = "someone@elsewhere.example"


@pytest.fixture(autouse=True)
def _desk(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEFAULT_FROM_EMAIL = "Help desk <helpdesk@localhost>"
    settings.SITE_URL = "https://helpdesk.example.org"


def from_stranger(number: int = 1, *, language: str = "", sender: str = STRANGER, name: str = "plain.eml") -> bytes:
    message = (
        raw(name)
        .replace(b"Rita Requester <Rita.Requester@Example.org>", sender.encode())
        .replace(b"<plain-1@mail.example.org>", f"<stranger-{number}@elsewhere.example>".encode())
    )
    if language:
        message = message.replace(b"MIME-Version: 1.0\n", f"MIME-Version: 1.0\nContent-Language: {language}\n".encode())
    return message


def answers_to(address: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=KIND, email=address).order_by("pk"))


def test_unknown_senders_are_held_by_default(db):
    row = message_receive(raw=from_stranger())

    assert row.status == InboundStatus.HELD
    assert answers_to(STRANGER) == []


def test_unknown_senders_are_answered_in_their_language_when_the_desk_answers_them(settings, db):
    settings.INTAKE_UNKNOWN_SENDERS = "answer"

    row = message_receive(raw=from_stranger(language="sv-SE"))

    assert row.status == InboundStatus.REFUSED
    assert row.answered_at is not None
    assert f"An automatic answer was sent to {STRANGER}." in row.reason
    assert not Ticket.objects.exists()
    (answer,) = answers_to(STRANGER)
    assert (answer.recipient, answer.ticket, answer.status) == (None, None, NotificationStatus.PENDING)
    mail = render_email(answer)
    assert mail.to == [STRANGER]
    assert mail.subject == "Re: Printer on floor 3 prints blank pages"
    assert mail.extra_headers["In-Reply-To"] == "<stranger-1@elsewhere.example>"
    assert mail.extra_headers["References"] == "<stranger-1@elsewhere.example>"
    assert mail.extra_headers["Auto-Submitted"] == "auto-replied"
    assert mail.extra_headers["X-Auto-Response-Suppress"] == "All"
    html = mail.alternatives[0].content
    assert '<html lang="sv">' in html
    assert "https://helpdesk.example.org" in mail.body


def test_the_answer_says_why_in_the_language_the_desk_speaks_by_default(settings, db):
    settings.INTAKE_UNKNOWN_SENDERS = "answer"
    message_receive(raw=from_stranger(language="xx"))

    mail = render_email(answers_to(STRANGER)[0])

    assert '<html lang="en">' in mail.alternatives[0].content
    assert f"{STRANGER} is not an address the help desk knows" in mail.body
    assert "Please write again from your work address" in mail.body


def test_the_answer_reaches_a_real_mail_server(settings, smtp_sink, db):
    settings.INTAKE_UNKNOWN_SENDERS = "answer"
    message_receive(raw=from_stranger())

    notification_deliver(notification_id=answers_to(STRANGER)[0].pk)

    (received,) = smtp_sink.wait_for(1)
    assert received["To"] == STRANGER
    assert received["Auto-Submitted"] == "auto-replied"
    assert received["In-Reply-To"] == "<stranger-1@elsewhere.example>"


def test_a_message_over_the_size_limit_is_answered_with_the_limit(settings, requester):
    settings.INTAKE_MAX_BYTES = 200

    row = message_receive(raw=raw("plain.eml"))

    assert row.status == InboundStatus.REFUSED
    mail = render_email(answers_to(requester.email)[0])
    assert "larger than the 200\xa0bytes the help desk accepts" in mail.body
    assert "share them through a link" in mail.body


def test_a_message_with_too_many_files_is_answered_with_the_limit(settings, requester):
    settings.INTAKE_MAX_ATTACHMENTS = 1

    message_receive(raw=raw("attachment.eml"))

    mail = render_email(answers_to(requester.email)[0])
    assert "has 2 attached files, more than the 1 the help desk accepts" in mail.body


@pytest.mark.parametrize("name", ["out-of-office.eml", "bounce.eml"])
def test_automatic_mail_is_never_answered_even_when_over_a_limit(settings, db, name):
    settings.INTAKE_UNKNOWN_SENDERS = "answer"
    settings.INTAKE_MAX_BYTES = 100

    row = message_receive(raw=raw(name, ticket=1))

    assert row.status == InboundStatus.IGNORED
    assert not Notification.objects.filter(kind=KIND).exists()


def test_mail_from_the_desks_own_address_is_never_answered(settings, db):
    settings.INTAKE_UNKNOWN_SENDERS = "answer"

    row = message_receive(raw=from_stranger(sender="Help desk <helpdesk@localhost>"))

    assert row.status == InboundStatus.IGNORED
    assert not Notification.objects.filter(kind=KIND).exists()


def test_the_loop_guard_answers_one_address_once_an_hour(settings, db):
    settings.INTAKE_UNKNOWN_SENDERS = "answer"
    with time_machine.travel(NOON, tick=False):
        message_receive(raw=from_stranger(1))
    with time_machine.travel(NOON + timedelta(minutes=59), tick=False):
        second = message_receive(raw=from_stranger(2))
    with time_machine.travel(NOON + timedelta(minutes=61), tick=False):
        third = message_receive(raw=from_stranger(3))

    assert len(answers_to(STRANGER)) == 2
    assert second.answered_at is None
    assert "had one within the last 60 minutes" in second.reason
    assert third.answered_at is not None
    # Each address has its own hour.
    with time_machine.travel(NOON + timedelta(minutes=62), tick=False):
        message_receive(raw=from_stranger(4, sender="other@elsewhere.example"))
    assert len(answers_to("other@elsewhere.example")) == 1


def test_a_mail_loop_with_an_auto_responder_that_says_nothing_is_cut(settings, requester):
    """A responder that answers everything, without Auto-Submitted or Precedence: each of its messages answers
    the desk's last one. The desk answers it at most once an hour, and after the rate its mail makes nothing."""
    settings.INTAKE_MAX_PER_SENDER_HOUR = 5
    responder = "Rita Requester <rita.requester@example.org>"
    last_answer = "<first@elsewhere.example>"
    for number in range(12):
        message = (
            from_stranger(number, sender=responder)
            .replace(b"Subject: Printer on floor 3", f"In-Reply-To: {last_answer}\nSubject: Re: Printer".encode())
            .replace(b"Message-ID: <stranger-", b"Message-ID: <loop-")
        )
        with time_machine.travel(NOON + timedelta(minutes=number), tick=False):
            message_receive(raw=message)
        latest = Notification.objects.filter(email=requester.email).exclude(message_id="").order_by("-pk").first()
        latest = latest or Notification.objects.filter(recipient=requester, channel="email").order_by("-pk").first()
        last_answer = latest.message_id if latest is not None else last_answer

    rows = list(InboundMessage.objects.order_by("received_at"))
    statuses = [row.status for row in rows]
    # A ticket, then each answer of the responder lands on it as a reply, until the rate stops it.
    assert statuses[:5] == [InboundStatus.TICKET] + [InboundStatus.REPLY] * 4, [row.reason for row in rows]
    assert statuses[5:] == [InboundStatus.REFUSED] * 7
    assert Ticket.objects.count() == 1
    assert len(answers_to(requester.email)) == 1  # one hour, one answer
    assert "More than 5 messages from rita.requester@example.org within an hour." in rows[5].reason


def test_the_rate_counts_only_the_last_hour_and_not_automatic_mail(settings, requester):
    settings.INTAKE_MAX_PER_SENDER_HOUR = 2
    with time_machine.travel(NOON, tick=False):
        for number in range(2):
            message_receive(raw=from_stranger(number, sender=requester.email))
        message_receive(raw=raw("out-of-office.eml", ticket=1).replace(b"ooo-1@", b"ooo-9@"))
    with time_machine.travel(NOON + timedelta(minutes=61), tick=False):
        row = message_receive(raw=from_stranger(5, sender=requester.email))

    assert row.status == InboundStatus.TICKET, row.reason
    assert Ticket.objects.count() == 3


def test_answering_an_unknown_sender_runs_the_same_queries_however_many_came_before(settings, db):
    settings.INTAKE_UNKNOWN_SENDERS = "answer"
    with time_machine.travel(NOON, tick=False):
        message_receive(raw=from_stranger(1, sender="first@elsewhere.example"))
        with CaptureQueriesContext(connection) as few:
            message_receive(raw=from_stranger(2, sender="second@elsewhere.example"))
        for number in range(3, 20):
            message_receive(raw=from_stranger(number, sender=f"sender-{number}@elsewhere.example"))
        with CaptureQueriesContext(connection) as many:
            message_receive(raw=from_stranger(99, sender="last@elsewhere.example"))

    assert len(many) == len(few)


def test_while_unknown_addresses_are_held_none_of_them_is_answered_whatever_the_refusal(settings, db):
    """Spam that forges someone else's address and breaks a limit must not make the desk write to them."""
    settings.INTAKE_MAX_BYTES = 200

    row = message_receive(raw=from_stranger())

    assert row.status == InboundStatus.REFUSED
    assert row.answered_at is None
    assert f"No automatic answer: the desk does not know {STRANGER}." in row.reason
    assert answers_to(STRANGER) == []
    settings.INTAKE_UNKNOWN_SENDERS = "answer"  # told to answer unknown addresses, the desk answers this too
    assert message_receive(raw=from_stranger(2)).answered_at is not None
