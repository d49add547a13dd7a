"""An address the mail server can never take fails its row at once, with the reason in words, and the
worker goes on: a non-ASCII address to a server without SMTPUTF8, a permanent refusal, an unusable address.
Against a real SMTP server: aiosmtpd, started here with SMTPUTF8 off (its Controller turns it on unless
told otherwise, so the shared smtp_sink offers it)."""

import datetime as dt

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from notifications import services
from notifications.models import Notification, NotificationChannel, NotificationStatus
from tests import factories
from tests.fixtures.celery_worker import wait_for_row_status
from tests.fixtures.smtp import SinkHandler, free_port
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db(transaction=True)

NON_ASCII = "katarzyna.wiśniewska.4@demo.example"


def _sink(settings, *, smtputf8: bool):
    handler = SinkHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=smtputf8)
    controller.start()
    settings.EMAIL_BACKEND = "core.mail.SMTPBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        handler.release()
        controller.stop()


@pytest.fixture
def plain_sink(settings):
    """A mail server that takes ASCII addresses only (no SMTPUTF8), as many still do."""
    yield from _sink(settings, smtputf8=False)


@pytest.fixture
def utf8_sink(settings):
    yield from _sink(settings, smtputf8=True)


def _row(address, *, ticket=None):
    ticket = ticket or factories.TicketFactory()
    return Notification.objects.create(
        email=address,
        ticket=ticket,
        kind="reply",
        channel=NotificationChannel.EMAIL,
        message_id=f"<refusal-{address.encode('ascii', 'replace').decode()}@example.org>",
        created_at=dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC),
        context={"ticket_reference": ticket.reference, "ticket_subject": "Printer", "ticket_path": "/"},
    )


def test_a_non_ascii_address_fails_at_once_on_a_server_without_smtputf8(plain_sink, settings):
    settings.NOTIFICATION_RETRY_DELAYS = [10, 30, 60]
    row = _row(NON_ASCII)
    result = services.notification_deliver(notification_id=row.pk)  # no DeliveryDeferred: not retried
    assert not result.sent
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 1)
    assert NON_ASCII in row.last_error
    assert "SMTPUTF8" in row.last_error
    assert "sending again will not help" in row.last_error
    assert plain_sink.messages == []
    # The kept connection still carries the next message.
    ok = _row("rita@demo.example")
    assert services.notification_deliver(notification_id=ok.pk).sent
    assert [m["To"] for m in plain_sink.wait_for(1)] == ["rita@demo.example"]


def test_a_server_with_smtputf8_takes_the_address_as_written(utf8_sink):
    row = _row(NON_ASCII)
    assert services.notification_deliver(notification_id=row.pk).sent
    utf8_sink.wait_for(1)
    assert utf8_sink.envelopes[0].rcpt_tos == [NON_ASCII]  # not an encoded word no mailbox answers to
    assert "SMTPUTF8" in utf8_sink.envelopes[0].mail_options


def test_a_permanent_refusal_of_the_address_says_so(plain_sink):
    plain_sink.refuse_permanently.add("gone@example.org")
    row = _row("gone@example.org")
    assert not services.notification_deliver(notification_id=row.pk).sent
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 1)
    assert "refused the address gone@example.org" in row.last_error
    assert "550" in row.last_error


def test_an_address_no_mail_can_carry_fails_with_its_reason(plain_sink):
    row = _row("two@at@example.org")
    assert not services.notification_deliver(notification_id=row.pk).sent
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert "two@at@example.org" in row.last_error


@pytest.mark.celery_worker
def test_the_worker_fails_the_row_and_goes_on_and_managers_see_why(
    celery_worker, plain_sink, requester, coordinator, manager, client_for
):
    from tickets.models import Watcher

    ticket = ticket_services.ticket_create(by=requester, requester=requester.employee, subject="x", impact=3, urgency=3)
    plain_sink.wait_for(1)
    Watcher.objects.create(ticket=ticket, email=NON_ASCII)
    ticket_services.comment_add(ticket=ticket, by=coordinator, body="We are on it")
    bad = Notification.objects.get(channel=NotificationChannel.EMAIL, email=NON_ASCII)
    wait_for_row_status(bad, NotificationStatus.FAILED)
    assert bad.attempts == 1
    # The worker lives on: the requester's message about the same reply arrives.
    assert requester.email in [m["To"] for m in plain_sink.wait_for(2)]
    manager.language = "sv"
    manager.save(update_fields=["language"])
    page = client_for(manager).get(reverse("notifications:failed")).content.decode()
    assert NON_ASCII in page
    assert "SMTPUTF8" in page
