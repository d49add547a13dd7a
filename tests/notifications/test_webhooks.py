"""Webhooks: signed, written with the change, retried with growing pauses, logged, disabled, guarded."""

import http.server
import json
import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications import delivery, services, webhooks
from notifications.models import Notification, NotificationStatus, WebhookAttempt, WebhookSubscription
from tests.fixtures.celery_worker import wait_for_row_status
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


class Receiver:
    """A real HTTP server on a spare port: answers each POST with the next of `answers` (then the last)."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = list(answers)
        self.received: list[dict] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                code = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    made = []

    def start(answers=(200,)):
        made.append(Receiver(list(answers)))
        return made[-1]

    yield start
    for one in made:
        one.close()


def _subscribe(manager, url, events=("ticket.created",)):
    return services.webhook_subscription_create(by=manager, name="Bot", url=url, events=list(events))


def _deliver(row):
    try:
        return delivery.notification_deliver(notification_id=row.pk)
    except delivery.DeliveryDeferred as deferred:
        return deferred


def test_the_signature_is_hmac_sha256_over_timestamp_and_body():
    body = b'{"id":"x"}'
    expected = "v1=" + __import__("hmac").new(b"s3cret", b"1700000000." + body, "sha256").hexdigest()
    assert webhooks.signature("s3cret", 1700000000, body) == expected
    now = str(int(time.time()))
    good = webhooks.signature("s3cret", now, body)
    assert webhooks.signature_valid("s3cret", now, body, good)
    assert not webhooks.signature_valid("s3cret", now, body + b" ", good)  # tampered body
    assert not webhooks.signature_valid("other", now, body, good)
    old = str(int(time.time()) - 3600)
    assert not webhooks.signature_valid("s3cret", old, body, webhooks.signature("s3cret", old, body))


def test_a_ticket_change_writes_a_row_for_subscribed_events_only(manager, requester, receiver):
    hook = receiver()
    _subscribe(manager, hook.url, events=["ticket.created"])
    ticket = ticket_services.ticket_create(
        by=requester, requester=requester.employee, subject="VPN", impact=3, urgency=2
    )
    rows = Notification.objects.filter(channel="webhook")
    assert [row.context["event"] for row in rows] == ["ticket.created"]
    assert rows.get().context["data"]["ticket"]["reference"] == ticket.reference
    assert rows.get().message_id  # the delivery id


def test_no_subscription_no_row(requester):
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="A", impact=3, urgency=2)
    assert not Notification.objects.filter(channel="webhook").exists()


def test_the_row_rolls_back_with_the_change(manager, requester, receiver):
    _subscribe(manager, receiver().url)
    with pytest.raises(RuntimeError), transaction.atomic():
        ticket_services.ticket_create(by=requester, requester=requester.employee, subject="A", impact=3, urgency=2)
        raise RuntimeError
    assert not Notification.objects.filter(channel="webhook").exists()


def test_each_event_name_and_its_payload(manager, coordinator, technician, technician_t2, requester, receiver):
    names = list(dict(webhooks.event_choices()))
    _subscribe(manager, receiver().url, events=names)
    ticket = ticket_services.ticket_create(by=requester, requester=requester.employee, subject="A", impact=3, urgency=2)
    ticket = ticket_services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
    ticket = ticket_services.ticket_start(ticket=ticket, by=technician)
    ticket_services.comment_add(ticket=ticket, by=technician, body="Note for tier 2", is_internal=True)
    ticket = ticket_services.ticket_escalate(
        ticket=Ticket.objects.get(pk=ticket.pk), by=technician, note="Hard", to=technician_t2
    )
    events = [row.context["event"] for row in Notification.objects.filter(channel="webhook").order_by("pk")]
    assert events[:3] == ["ticket.created", "ticket.status_changed", "ticket.assigned"]
    assert "ticket.commented" in events and "ticket.escalated" in events
    comment = Notification.objects.get(channel="webhook", context__event="ticket.commented").context["data"]
    assert comment["comment"]["body"] == "Note for tier 2" and comment["comment"]["is_internal"] is True


def test_retried_with_growing_pauses_then_delivered_and_logged(manager, requester, receiver, settings):
    settings.WEBHOOK_RETRY_DELAYS = [10, 60, 300]
    hook = receiver([500, 503, 200])
    subscription = _subscribe(manager, hook.url)
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="A", impact=3, urgency=2)
    row = Notification.objects.get(channel="webhook")
    pauses = []
    for expected in (10, 60):
        before = timezone.now()
        assert _deliver(row).delay == expected
        row.refresh_from_db()
        assert row.status == "pending" and row.last_error.startswith("HTTP 50")
        pauses.append((row.next_attempt_at - before).total_seconds())
        # The pause passes (the outbox's due times are the database's clock, which a test cannot freeze).
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert 9 <= pauses[0] <= 11 and 59 <= pauses[1] <= 61
    assert _deliver(row).sent
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 3
    codes = list(
        WebhookAttempt.objects.filter(subscription=subscription).order_by("pk").values_list("status_code", flat=True)
    )
    assert codes == [500, 503, 200]
    # At least once, the same id each time: the receiver drops copies by it.
    ids = {request["headers"]["X-Helpdesk-Delivery"] for request in hook.received}
    assert ids == {row.message_id}
    last = hook.received[-1]
    assert webhooks.signature_valid(
        subscription.secret,
        last["headers"]["X-Helpdesk-Timestamp"],
        last["body"],
        last["headers"]["X-Helpdesk-Signature"],
    )
    assert json.loads(last["body"])["event"] == "ticket.created"


def test_a_4xx_is_final_and_disables_after_repeated_failures(manager, requester, receiver, settings):
    settings.WEBHOOK_DISABLE_AFTER = 2
    hook = receiver([404])
    subscription = _subscribe(manager, hook.url)
    for subject in ("A", "B"):
        ticket_services.ticket_create(by=requester, requester=requester.employee, subject=subject, impact=3, urgency=2)
    rows = list(Notification.objects.filter(channel="webhook").order_by("pk"))
    assert _deliver(rows[0]).sent is False
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.consecutive_failures == 1
    _deliver(rows[1])
    subscription.refresh_from_db()
    assert not subscription.is_active and "404" in subscription.disabled_reason
    notices = Notification.objects.filter(kind="webhook_disabled", recipient=manager)
    assert set(notices.values_list("channel", flat=True)) == {"email", "in_app"}
    # Disabled: the next change writes nothing for it.
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="C", impact=3, urgency=2)
    assert Notification.objects.filter(channel="webhook").count() == 2
    services.webhook_subscription_enable(subscription=subscription, by=manager)
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.consecutive_failures == 0


def test_a_redelivered_task_sends_once(manager, requester, receiver):
    hook = receiver([200])
    _subscribe(manager, hook.url)
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="A", impact=3, urgency=2)
    row = Notification.objects.get(channel="webhook")
    assert _deliver(row).sent
    assert _deliver(row).sent is False  # the broker delivered the task again: the row is sent already
    assert len(hook.received) == 1


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/x", "http://10.1.2.3/x", "http://[::1]/x", "http://169.254.169.254/"]
)
def test_private_addresses_are_refused(manager, url):
    with pytest.raises(ValidationError) as refused:
        services.webhook_subscription_create(by=manager, name="x", url=url, events=["ticket.created"])
    assert "url" in refused.value.message_dict


def test_refused_at_delivery_too_when_the_address_turned_private(manager, requester, receiver, settings):
    subscription = _subscribe(manager, receiver().url)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="A", impact=3, urgency=2)
    row = Notification.objects.get(channel="webhook")
    _deliver(row)
    attempt = WebhookAttempt.objects.get(subscription=subscription)
    assert attempt.status_code is None and "private" in attempt.error


def test_the_pages_are_for_managers(client_for, coordinator, technician, requester):
    for user in (coordinator, technician, requester):
        assert client_for(user).get(reverse("notifications:webhooks")).status_code == 403


def test_a_manager_adds_edits_pings_and_deletes(client_for, manager, receiver, django_capture_on_commit_callbacks):
    hook = receiver([200])
    client = client_for(manager)
    refused = client.post(reverse("notifications:webhooks"), {"name": "Bot", "url": "http://127.0.0.1/x"})
    assert refused.status_code == 400 and "events" in refused.context["form"].errors
    made = client.post(
        reverse("notifications:webhooks"), {"name": "Bot", "url": hook.url, "events": ["ticket.created"]}
    )
    subscription = WebhookSubscription.objects.get()
    assert made.status_code == 302 and subscription.secret
    page = client.get(reverse("notifications:webhook_detail", args=[subscription.pk]))
    assert subscription.secret in page.content.decode()
    client.post(reverse("notifications:webhook_action", args=[subscription.pk, "ping"]))
    ping = Notification.objects.get(channel="webhook")
    assert ping.context["event"] == "ping"
    _deliver(ping)
    assert json.loads(hook.received[0]["body"])["event"] == "ping"
    client.post(reverse("notifications:webhook_action", args=[subscription.pk, "delete"]))
    assert not WebhookSubscription.objects.exists()


def test_the_list_runs_a_fixed_number_of_queries(client_for, manager, receiver, django_assert_max_num_queries):
    url = receiver().url
    client = client_for(manager)
    _subscribe(manager, url)
    client.get(reverse("notifications:webhooks"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("notifications:webhooks"))
    for _index in range(5):
        _subscribe(manager, url)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("notifications:webhooks"))


@pytest.mark.django_db(transaction=True)
def test_delivered_by_the_real_worker(celery_worker, manager, requester, receiver):
    hook = receiver([200])
    _subscribe(manager, hook.url)
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="A", impact=3, urgency=2)
    row = Notification.objects.get(channel="webhook")
    wait_for_row_status(row, NotificationStatus.SENT)
    assert len(hook.received) == 1
