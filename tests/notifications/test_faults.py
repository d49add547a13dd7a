"""Faults: Redis down while a ticket is saved, a worker killed in the middle of sending.

These start their own Redis and their own worker processes on spare ports and queues, so they never
stop the machine's services.
"""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from notifications import delivery, services
from notifications.models import Notification, NotificationChannel, NotificationStatus
from tests.fixtures.celery_worker import wait_for_row_status
from tests.fixtures.own_redis import thread_worker
from tickets import services as ticket_services

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def email_rows():
    return Notification.objects.filter(channel=NotificationChannel.EMAIL)


def test_a_ticket_saved_while_redis_is_down_is_delivered_once_when_it_is_back(own_broker, smtp_sink, requester):
    ticket = ticket_services.ticket_create(
        by=requester, requester=requester.employee, subject="Saved without Redis", impact=3, urgency=3
    )
    assert ticket.pk  # the save succeeded although the publish failed
    row = email_rows().get()
    assert row.status == NotificationStatus.PENDING

    own_broker.start()
    with thread_worker():
        # Two minutes pass; beat's sweeper finds the row the broker never got.
        _age(row, minutes=2)
        assert services.notifications_requeue_stuck() == 1
        messages = smtp_sink.wait_for(1)
        wait_for_row_status(row, NotificationStatus.SENT, timeout=30)
        # A second sweep finds nothing left to do.
        assert services.notifications_requeue_stuck() == 0
    assert len(messages) == 1
    assert len(smtp_sink.messages) == 1
    assert "Saved without Redis" in messages[0]["Subject"]


def test_the_web_request_succeeds_while_redis_is_down(own_broker, client_for, requester):
    from tests import factories

    category = factories.CategoryFactory(name="Printer")
    response = client_for(requester).post(
        "/tickets/new/",
        {"subject": "Printer jams", "description": "Every page", "category": category.pk, "impact": 3, "urgency": 2},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert email_rows().get().status == NotificationStatus.PENDING


def _worker_process(sink_port: int, broker_url: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": broker_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink_port),
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "helpdesk",
            "worker",
            "-P",
            "solo",
            "-Q",
            "faults",
            "-l",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_a_worker_killed_while_sending_is_followed_by_exactly_one_message(own_broker, smtp_sink, requester):
    import threading

    own_broker.start()
    smtp_sink.hold = threading.Event()
    first = _worker_process(smtp_sink.port, own_broker.url)
    try:
        ticket_services.ticket_create(by=requester, requester=requester.employee, subject="Killed", impact=3, urgency=3)
        assert smtp_sink.holding.wait(timeout=60), "the worker never started sending"
        row = email_rows().get()
        row.refresh_from_db()
        assert row.status == NotificationStatus.SENDING
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    smtp_sink.hold.set()
    assert smtp_sink.messages == []

    second = _worker_process(smtp_sink.port, own_broker.url)
    try:
        # Longer than a live worker may hold a claim passes; the sweeper finds the row claimed by a dead
        # worker and queues it again.
        _age(row, minutes=int(delivery.STALE_CLAIM.total_seconds() // 60) + 1)
        assert services.notifications_requeue_stuck() == 1
        messages = smtp_sink.wait_for(1, timeout=60)
        wait_for_row_status(row, NotificationStatus.SENT, timeout=30)
        assert services.notifications_requeue_stuck() == 0
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=20)
    assert len(messages) == 1
    assert len(smtp_sink.messages) == 1


def _age(row, *, minutes: int) -> None:
    """Let time pass for one row: the worker runs in another process, so its clock cannot be frozen."""
    earlier = timezone.now() - timedelta(minutes=minutes)
    Notification.objects.filter(pk=row.pk).update(created_at=earlier, next_attempt_at=earlier)
    Notification.objects.filter(pk=row.pk, claimed_at__isnull=False).update(claimed_at=earlier)
