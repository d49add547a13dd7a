"""The outbox under the faults that once broke it, each on real services of the test's own:

- the database restarting while a mail is being sent (a private PostgreSQL cluster, stopped and started);
- Redis hanging (stopped with SIGSTOP) or refusing while a ticket is saved (a private redis-server);
- the same broker message delivered twice at once;
- two beats running the stale-triage alert at the same moment;
- process clocks running behind or ahead of the database's.
"""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.db import connection, connections
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone

from notifications import delivery, services
from notifications.models import Notification, NotificationChannel, NotificationStatus
from notifications.tasks import notification_send
from tests import factories
from tests.fixtures.celery_worker import wait_for_row_status
from tests.fixtures.own_redis import thread_worker
from tests.fixtures.private_postgres import use_private_postgres
from tests.fixtures.smtp import SinkHandler, free_port
from tickets import services as ticket_services
from tickets.models import Event, EventKind, Watcher
from tickets.notices import stale_triage
from tickets.notices.kinds import NotificationKind

ROOT = Path(__file__).resolve().parents[2]


def email_rows():
    return Notification.objects.filter(channel=NotificationChannel.EMAIL)


class AcceptingLateSink(SinkHandler):
    """Receives the whole message, then keeps its "250" answer back until `answer` is set: the moment in
    which the mail server has accepted the message but the sender does not know it yet."""

    def __init__(self):
        super().__init__()
        self.received = threading.Event()
        self.answer = threading.Event()
        self.answer.set()

    async def handle_DATA(self, server, session, envelope):
        self.received.set()
        await asyncio.get_running_loop().run_in_executor(None, self.answer.wait, 60)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def late_sink(settings):
    handler = AcceptingLateSink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        handler.answer.set()
        controller.stop()


def _worker(broker_url: str, sink_port: int, log: Path) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": broker_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink_port),
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "-P", "solo", "-Q", "faults"]
    command += ["-l", "WARNING", "--without-mingle", "--without-gossip", "--without-heartbeat"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _wait_for_line(log: Path, text: str, timeout: float = 60) -> None:
    """Until the worker's log says `text` (bounded: the worker is another process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        threading.Event().wait(0.05)  # polling another process's output
    raise AssertionError(f"the worker never logged {text!r}:\n{log.read_text()[-3000:]}")


@pytest.mark.celery_worker
def test_a_database_restart_while_sending_neither_stops_the_worker_nor_doubles_the_mail(
    private_postgres, own_broker, late_sink, tmp_path
):
    own_broker.start()
    log = tmp_path / "worker.log"
    with use_private_postgres(private_postgres):
        requester = factories.UserFactory(email="rita@example.org", first_name="Rita")
        factories.EmployeeFactory(user=requester, email=requester.email)
        worker = _worker(own_broker.url, late_sink.port, log)
        try:
            late_sink.answer.clear()
            ticket_services.ticket_create(
                by=requester, requester=requester.employee, subject="First", impact=3, urgency=3
            )
            assert late_sink.received.wait(timeout=60), "the worker never sent the first message"
            # The mail server has the message; before it answers, the database goes away.
            private_postgres.stop()
            late_sink.answer.set()
            _wait_for_line(log, "marking it waits for the database")
            private_postgres.start()
            connection.close()  # the test's own connection died with the server too
            first = email_rows().get()
            wait_for_row_status(first, NotificationStatus.SENT, timeout=60)
            # The same worker, without a restart by hand, delivers what comes next.
            ticket_services.ticket_create(
                by=requester, requester=requester.employee, subject="Second", impact=3, urgency=3
            )
            second = email_rows().exclude(pk=first.pk).get()
            wait_for_row_status(second, NotificationStatus.SENT, timeout=60)
            assert services.notifications_requeue_stuck() == 0
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
    subjects = [message["Subject"] for message in late_sink.messages]
    assert len(subjects) == 2 and "First" in subjects[0] and "Second" in subjects[1], subjects
    assert "connection already closed" not in log.read_text()


# --- Redis hanging or refusing while a ticket is saved ------------------------------------------------


@pytest.fixture
def redis_for_everything(own_broker, settings):
    """The cache (rate limits) on the test's own Redis too, so a hang there hangs everything a save touches."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": own_broker.url, "KEY_PREFIX": "faults"},
    }
    return own_broker


def _save_with_watchers(client_for, requester, coordinator) -> tuple[float, float]:
    """A new ticket, then a reply on it with fifteen watchers: the seconds each request took."""
    client = client_for(requester)
    started = time.monotonic()
    response = client.post(
        reverse("tickets:submit"), {"subject": "Saved while Redis is away", "impact": 3, "urgency": 2}
    )
    created = time.monotonic() - started
    assert response.status_code == 302
    ticket = requester.employee.tickets.get()
    for number in range(15):
        Watcher.objects.create(ticket=ticket, email=f"watcher{number}@example.org", added_by=coordinator)
    started = time.monotonic()
    response = client_for(coordinator).post(reverse("tickets:reply", args=[ticket.pk]), {"body": "On our way"})
    replied = time.monotonic() - started
    assert response.status_code == 302
    return created, replied


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fault", ["refusing", "hanging"])
def test_saves_answer_at_once_while_redis_is_away_and_mail_follows_when_it_is_back(
    redis_for_everything, late_sink, client_for, requester, coordinator, fault
):
    server = redis_for_everything
    if fault == "hanging":
        server.start()
        server.hang()
    created, replied = _save_with_watchers(client_for, requester, coordinator)
    # Bounded by the short timeouts (about half a second each), not by Redis's 30 s: nobody files twice.
    assert created < 3, created
    assert replied < 3, replied
    rows = email_rows().filter(status=NotificationStatus.PENDING)
    assert rows.count() == 17  # the receipt, and the reply to the requester and fifteen watchers
    if fault == "hanging":
        server.resume()
    else:
        server.start()
    with thread_worker():
        Notification.objects.update(next_attempt_at=Now() - timedelta(minutes=2))  # the sweeper's grace passes
        assert services.notifications_requeue_stuck() == 17
        late_sink.wait_for(17, timeout=60)
        for row in rows.all():
            wait_for_row_status(row, NotificationStatus.SENT, timeout=30)
    assert len(late_sink.messages) == 17


# --- the same message twice at once -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_broker_message_delivered_twice_at_once_sends_once(smtp_sink, requester):
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="Once", impact=3, urgency=3)
    row = email_rows().get()
    smtp_sink.hold = threading.Event()

    def first_copy():
        try:
            notification_send.apply(args=(row.pk,), task_id="the-same-message")
        finally:
            connections.close_all()

    sending = threading.Thread(target=first_copy)
    sending.start()
    assert smtp_sink.holding.wait(timeout=30), "the first copy never reached the mail server"
    # The broker hands out the same message again while the first copy is still talking to the server.
    notification_send.apply(args=(row.pk,), task_id="the-same-message")
    smtp_sink.hold.set()
    sending.join(timeout=30)
    wait_for_row_status(row, NotificationStatus.SENT)
    assert len(smtp_sink.messages) == 1


# --- two beats ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_beats_alerting_stale_triage_at_once_alert_each_ticket_once(requester, coordinator, settings):
    settings.TRIAGE_ALERT_MINUTES = 60
    long_ago = timezone.now() - timedelta(hours=3)
    tickets = [factories.TicketFactory(requester=requester.employee, created_at=long_ago) for _index in range(8)]
    start = threading.Barrier(2)
    counts: list[int] = []

    def beat():
        try:
            start.wait(timeout=10)
            counts.append(stale_triage.tickets_alert_stale_triage())
        finally:
            connections.close_all()

    beats = [threading.Thread(target=beat) for _index in range(2)]
    for thread in beats:
        thread.start()
    for thread in beats:
        thread.join(timeout=60)
    assert sum(counts) == len(tickets)
    for ticket in tickets:
        assert Event.objects.filter(ticket=ticket, kind=EventKind.ALERTED, action="triage_stale").count() == 1
        mails = email_rows().filter(ticket=ticket, kind=NotificationKind.TRIAGE_STALE, recipient=coordinator)
        assert mails.count() == 1
    assert stale_triage.tickets_alert_stale_triage() == 0


# --- clocks -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_worker_whose_clock_runs_behind_still_delivers_what_is_due(smtp_sink, requester):
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="Due", impact=3, urgency=3)
    row = email_rows().get()
    with time_machine.travel(timezone.now() - timedelta(minutes=10), tick=False):
        assert services.notification_deliver(notification_id=row.pk, claim="task-behind").sent
    assert len(smtp_sink.messages) == 1


@pytest.mark.django_db
def test_a_sweeper_whose_clock_runs_ahead_leaves_a_message_being_sent(smtp_sink, requester):
    ticket_services.ticket_create(by=requester, requester=requester.employee, subject="Sending", impact=3, urgency=3)
    row = email_rows().get()
    assert delivery._claim(row.pk, "task-sending")  # a worker is sending it right now
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        assert services.notifications_requeue_stuck() == 0
    row.refresh_from_db()
    assert (row.status, row.claimed_by) == (NotificationStatus.SENDING, "task-sending")
