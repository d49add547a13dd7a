"""message_receive on real RFC 5322 messages (tests/intake/messages/), against PostgreSQL."""

from datetime import UTC, datetime

import pytest
import time_machine

from intake.models import InboundMessage, InboundStatus
from intake.services import message_receive
from notifications.models import Notification
from tests import factories
from tests.intake.mail import raw
from tickets.models import Attachment, Channel, Comment, Event, EventKind, Ticket, Watcher


@pytest.fixture(autouse=True)
def _frozen_and_private(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEFAULT_FROM_EMAIL = "Help desk <helpdesk@localhost>"
    settings.SITE_URL = "http://127.0.0.1:8000"
    with time_machine.travel(datetime(2026, 12, 4, 10, 0, tzinfo=UTC), tick=False):
        yield


def names_of(attachments) -> list[str]:
    return sorted(a.original_name for a in attachments)


@pytest.fixture
def notified_ticket(requester, technician):
    """A ticket of the requester, assigned, with the mail the desk sent about it."""
    ticket = factories.TicketFactory(
        requester=requester.employee, assignee=technician, status="in_progress", subject="Printer jams"
    )
    notification = Notification.objects.create(
        recipient=requester, ticket=ticket, kind="digest", channel="email", message_id=""
    )
    notification.message_id = f"<notification-{notification.pk}@127.0.0.1>"
    notification.save(update_fields=["message_id"])
    return ticket, notification


def test_plain_message_opens_an_email_ticket_for_the_sender(requester):
    row = message_receive(raw=raw("plain.eml"), mailbox="INBOX")

    assert row.status == InboundStatus.TICKET, row.reason
    ticket = row.ticket
    assert ticket is not None
    assert ticket.channel == Channel.EMAIL
    assert ticket.requester == requester.employee
    assert ticket.subject == "Printer on floor 3 prints blank pages"
    assert ticket.description.startswith("Hello,\n\nthe printer next to the kitchen prints only blank pages")
    assert (ticket.impact, ticket.urgency, ticket.priority) == (3, 2, ticket.priority)
    assert row.message_id == "<plain-1@mail.example.org>"
    assert row.sender == "rita.requester@example.org"
    assert row.mailbox == "INBOX"
    assert Event.objects.filter(ticket=ticket, kind=EventKind.CREATED).count() == 1
    # Coordinators hear of a new ticket as they do of one from the web page.
    assert Notification.objects.filter(ticket=ticket).exists()
    assert names_of(ticket.attachments.all()) == ["original.eml"]
    assert ticket.attachments.get().file.read() == raw("plain.eml")


def test_html_only_message_becomes_readable_text(requester):
    row = message_receive(raw=raw("html-only.eml"))

    assert row.status == InboundStatus.TICKET, row.reason
    text = row.ticket.description
    assert text == (
        "Hi,\n\nthe VPN drops every hour. I followed the guide (https://intra.example.org/vpn).\n\n"
        "- Laptop AT-100200\n- Windows 11"
    )


def test_alternative_message_uses_its_plain_text(requester):
    row = message_receive(raw=raw("alternative.eml"))

    assert row.ticket.description == "The camera shows only black in Teams."


def test_attachment_is_stored_and_a_refused_one_is_said(requester):
    row = message_receive(raw=raw("attachment.eml"))

    assert row.status == InboundStatus.TICKET, row.reason
    assert names_of(row.ticket.attachments.all()) == ["error.log", "original.eml"]
    log = row.ticket.attachments.get(original_name="error.log")
    assert log.file.read() == b"2026-12-04 ERROR disk quota exceeded\n"
    assert "setup.exe" in row.reason


def test_non_utf8_charset_is_decoded(db):
    employee = factories.EmployeeFactory(first_name="Łukasz", last_name="Nowak", email="Lukasz.Nowak@example.org")

    row = message_receive(raw=raw("windows-1250.eml"))

    assert row.status == InboundStatus.TICKET, row.reason
    assert row.ticket.requester == employee
    assert row.ticket.subject == "Drukarka nie działa"
    assert "drugim piętrze nie działa. Łukasz też próbował, żółć. Skärmen är mörk." in row.ticket.description
    # Nobody to act as: the employee has no login, so the desk opened it.
    assert Event.objects.get(ticket=row.ticket, kind=EventKind.CREATED).actor is None


@pytest.mark.parametrize(
    ("name", "reply"),
    [
        ("outlook-reply.eml", "Yes, it works again after the restart, thank you."),
        ("gmail-reply.eml", "Still jammed, the paper tray is stuck too."),
    ],
)
def test_reply_lands_on_its_ticket_without_the_quote(notified_ticket, requester, technician, name, reply):
    ticket, notification = notified_ticket
    message = raw(name, ticket=ticket.pk, notification=notification.pk)

    row = message_receive(raw=message)

    assert row.status == InboundStatus.REPLY, row.reason
    assert row.ticket == ticket
    comment = Comment.objects.get(ticket=ticket)
    assert row.comment == comment
    assert comment.author == requester
    assert not comment.is_internal
    assert comment.body == reply
    assert names_of(comment.attachments.all()) == ["original.eml"]
    assert comment.attachments.get().file.read() == message
    assert Event.objects.filter(ticket=ticket, kind=EventKind.REPLIED, actor=requester).count() == 1
    # The technician holding the ticket hears of the reply, through the outbox.
    assert Notification.objects.filter(ticket=ticket, recipient=technician, event__kind=EventKind.REPLIED).exists()
    assert Ticket.objects.count() == 1


def test_staff_reply_by_mail_is_a_public_reply_from_them(notified_ticket, technician):
    ticket, notification = notified_ticket
    message = raw("gmail-reply.eml", ticket=ticket.pk, notification=notification.pk).replace(
        b"Rita Requester <rita.requester@example.org>", b"Tess <tess.tier1@example.org>"
    )

    row = message_receive(raw=message)

    assert row.status == InboundStatus.REPLY, row.reason
    comment = Comment.objects.get(ticket=ticket)
    assert (comment.author, comment.is_internal) == (technician, False)
    assert Ticket.objects.get(pk=ticket.pk).first_response_at is not None


def test_strangers_reply_with_the_tickets_subject_does_not_post_there(notified_ticket, requester_2):
    ticket, _notification = notified_ticket

    row = message_receive(raw=raw("stranger-reply.eml", ticket=ticket.pk))

    assert row.status == InboundStatus.TICKET, row.reason
    assert row.ticket != ticket
    assert row.ticket.requester == requester_2.employee
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert f"HD-{ticket.pk}" in row.reason


def test_unknown_sender_is_held(notified_ticket):
    ticket, _notification = notified_ticket
    message = raw("stranger-reply.eml", ticket=ticket.pk).replace(b"ravi.requester@", b"someone@")

    row = message_receive(raw=message)

    assert row.status == InboundStatus.HELD
    assert "someone@example.org" in row.reason
    assert row.ticket is None
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "reason"),
    [("out-of-office.eml", "Auto-Submitted: auto-replied"), ("bounce.eml", "delivery report")],
)
def test_automatic_mail_is_ignored_with_the_reason(notified_ticket, name, reason):
    ticket, _notification = notified_ticket
    notifications = Notification.objects.count()

    row = message_receive(raw=raw(name, ticket=ticket.pk))

    assert row.status == InboundStatus.IGNORED
    assert reason in row.reason
    assert not Comment.objects.exists()
    assert Ticket.objects.count() == 1
    assert Notification.objects.count() == notifications


@pytest.mark.parametrize(
    ("header", "value"),
    [("X-Autorespond", "yes"), ("Precedence", "bulk"), ("Precedence", "list"), ("Return-Path", "<>")],
)
def test_other_automatic_markers_are_ignored(requester, header, value):
    message = raw("plain.eml").replace(b"Return-Path: <rita.requester@example.org>\n", b"")
    message = f"{header}: {value}\n".encode() + message

    assert message_receive(raw=message).status == InboundStatus.IGNORED


def test_mail_from_the_desks_own_addresses_is_ignored(settings, requester):
    settings.INTAKE_OWN_ADDRESSES = ["Alerts <rita.requester@example.org>"]

    row = message_receive(raw=raw("plain.eml"))

    assert row.status == InboundStatus.IGNORED
    assert "own address" in row.reason
    own = raw("plain.eml").replace(b"Rita Requester <Rita.Requester@Example.org>", b"helpdesk@LOCALHOST")
    assert message_receive(raw=own.replace(b"plain-1@", b"plain-2@")).status == InboundStatus.IGNORED
    assert not Ticket.objects.exists()


def test_the_same_message_twice_is_processed_once(requester):
    first = message_receive(raw=raw("plain.eml"))
    second = message_receive(raw=raw("plain.eml"))

    assert second.pk == first.pk
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.count() == 1


def test_message_without_message_id_is_deduplicated_on_its_headers(requester):
    message = raw("plain.eml").replace(b"Message-ID: <plain-1@mail.example.org>\n", b"")

    first = message_receive(raw=message)
    second = message_receive(raw=message)

    assert first.message_id.startswith("sha256:")
    assert second.pk == first.pk
    assert Ticket.objects.count() == 1


def test_message_over_the_size_limit_is_refused(settings, requester):
    settings.INTAKE_MAX_BYTES = 200

    row = message_receive(raw=raw("plain.eml"))

    assert row.status == InboundStatus.REFUSED
    assert "over the limit" in row.reason
    assert not Ticket.objects.exists()


def test_message_over_the_attachment_limit_is_refused(settings, requester):
    settings.INTAKE_MAX_ATTACHMENTS = 1

    row = message_receive(raw=raw("attachment.eml"))

    assert row.status == InboundStatus.REFUSED
    assert "2 attachments" in row.reason
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_an_unexpected_error_is_recorded_as_failed_and_nothing_half_done(monkeypatch, requester):
    def broken(**kwargs):
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr("intake.services.ticket_create", broken)

    row = message_receive(raw=raw("plain.eml"))

    assert row.status == InboundStatus.FAILED
    assert "RuntimeError: the disk caught fire" in row.reason
    assert InboundMessage.objects.get().status == InboundStatus.FAILED
    assert not Ticket.objects.exists()
    # Asked again (the fetcher retrying), it stays failed and does nothing more.
    assert message_receive(raw=raw("plain.eml")).pk == row.pk


def test_the_ticket_keeps_the_language_the_message_declares(requester):
    message = raw("plain.eml").replace(b"MIME-Version: 1.0\n", b"MIME-Version: 1.0\nContent-Language: sv-SE\n")

    assert message_receive(raw=message).ticket.language == "sv"


def test_the_ticket_keeps_the_senders_chosen_language(requester):
    requester.language = "pl"
    requester.save(update_fields=["language"])

    assert message_receive(raw=raw("plain.eml")).ticket.language == "pl"


def test_a_delivery_recorded_meanwhile_by_another_fetcher_is_not_processed_again(monkeypatch, requester):
    first = message_receive(raw=raw("plain.eml"))
    # The other fetcher's row appears after this one looked: the unique Message-ID stops the second run.
    monkeypatch.setattr("intake.services._recorded", lambda message_id: None)

    second = message_receive(raw=raw("plain.eml"))

    assert second.pk == first.pk
    assert second.status == InboundStatus.TICKET
    assert Ticket.objects.count() == 1


def test_a_requester_without_a_login_replies_by_mail(technician):
    employee = factories.EmployeeFactory(first_name="Rita", last_name="Requester", email="rita.requester@example.org")
    ticket = factories.TicketFactory(requester=employee, assignee=technician, status="in_progress", subject="Jams")
    message = raw("gmail-reply.eml", ticket=ticket.pk, notification=0)

    row = message_receive(raw=message)

    assert row.status == InboundStatus.REPLY, row.reason
    comment = Comment.objects.get(ticket=ticket)
    assert (comment.author, comment.sender_email, comment.sender_name) == (
        None,
        "rita.requester@example.org",
        "Rita Requester",
    )
    assert comment.body == "Still jammed, the paper tray is stuck too."


def test_a_watcher_known_only_by_address_replies_by_mail(notified_ticket):
    ticket, _notification = notified_ticket
    Watcher.objects.create(ticket=ticket, email="ravi.requester@example.org")

    row = message_receive(raw=raw("stranger-reply.eml", ticket=ticket.pk))

    assert row.status == InboundStatus.REPLY, row.reason
    comment = Comment.objects.get(ticket=ticket)
    assert (comment.author, comment.sender_email) == (None, "ravi.requester@example.org")
    assert Ticket.objects.count() == 1
