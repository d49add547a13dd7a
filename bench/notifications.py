"""End-to-end delivery benchmark: one Celery worker, the real Redis, a local SMTP server.

Two measurements:
- throughput: a backlog of email rows queued at once; messages per second from the first to the last
  arrival at the SMTP server;
- latency: ticket status changes at a steady rate (20 a second by default) through the ticket services;
  the time from each change to its message arriving, median and 95th percentile.

Runs against whatever database and Redis the settings point at; `manage.py bench` gives it its own.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from celery import Celery
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_create
from assets.models import Employee
from bench.percentiles import median, percentile
from bench.smtp_sink import start_sink
from helpdesk.celery import app as celery_app
from notifications import services as notification_services
from notifications.models import Notification, NotificationChannel, NotificationStatus
from tickets import services as ticket_services
from tickets.models import Ticket

ROOT = Path(__file__).resolve().parents[1]
# One queue per run: two benchmarks on one Redis (a hand run and the CI smoke test) never share tasks.
QUEUE = f"bench-notifications-{os.getpid()}"


@dataclass
class NotificationBenchResult:
    worker_concurrency: int
    backlog: int
    backlog_delivered: int
    throughput_per_second: float
    changes: int
    change_rate: float
    delivered: int
    latency_median_ms: float
    latency_p95_ms: float
    within_2s_percent: float


def start_worker(sink_port: int, concurrency: int, *, broker_url: str = "", queue: str = QUEUE) -> subprocess.Popen:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": broker_url or settings.REDIS_URL,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink_port),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "helpdesk",
            "worker",
            "-Q",
            queue,
            "-c",
            str(concurrency),
            "-l",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"bench-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_for_worker(app: Celery, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return
    raise RuntimeError("the benchmark's Celery worker did not start")


def bench_tickets(count: int) -> tuple[User, list[Ticket]]:
    """Tickets whose requesters have an email and no login, so each change means exactly one message."""
    coordinator, _ = User.objects.get_or_create(
        email="bench.coordinator@bench.example", defaults={"role": Role.COORDINATOR, "first_name": "Bench"}
    )
    technician = User.objects.filter(role=Role.TECHNICIAN, is_active=True, technician_profile__isnull=False).first()
    if technician is None:
        technician = user_create(email="bench.technician@bench.example", first_name="Bench", role=Role.TECHNICIAN)
    tickets = []
    for index in range(count):
        employee, _ = Employee.objects.get_or_create(
            employee_number=f"BENCH-N{index:04d}",
            defaults={"first_name": "Bench", "last_name": f"Caller {index}", "email": f"caller{index}@bench.example"},
        )
        ticket = ticket_services.ticket_log_call(
            by=coordinator, requester=employee, subject=f"Bench ticket {index}", impact=3, urgency=3
        )
        ticket = ticket_services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
        ticket = ticket_services.ticket_start(ticket=ticket, by=technician)
        tickets.append(ticket)
    return technician, list(Ticket.objects.filter(pk__in=[t.pk for t in tickets]))


def run(
    *,
    backlog: int = 2000,
    rate: float = 20.0,
    seconds: float = 15.0,
    concurrency: int = 2,
    log: Callable[[str], None] = print,
) -> NotificationBenchResult:
    # Prefixed names: the app reads Django's settings under CELERY_, and those win over plain keys.
    celery_app.conf.update({"CELERY_TASK_DEFAULT_QUEUE": QUEUE, "CELERY_TASK_ALWAYS_EAGER": False})
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)  # type: ignore[attr-defined]
    controller, recorder = start_sink()
    # Everything queued while setting up goes nowhere: the worker starts after.
    technician, tickets = bench_tickets(max(10, int(rate)))
    Notification.objects.filter(status=NotificationStatus.PENDING).update(status=NotificationStatus.SENT)
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)  # type: ignore[attr-defined]

    worker = start_worker(controller.port, concurrency)
    try:
        _wait_for_worker(celery_app)
        log(f"  worker up (concurrency {concurrency}); queueing a backlog of {backlog} messages")

        # --- throughput --------------------------------------------------------------------------
        template = Notification.objects.filter(channel=NotificationChannel.EMAIL).order_by("-pk").first()
        if template is None:
            raise RuntimeError("setting up the bench tickets wrote no email notification to copy")
        rows = [
            Notification(
                ticket_id=template.ticket_id,
                email=f"backlog{index}@bench.example",
                kind="status_changed",
                channel=NotificationChannel.EMAIL,
                context=template.context,
            )
            for index in range(backlog)
        ]

        # Counted before queueing: the worker starts sending while the rest of the backlog is still published.
        start_count = len(recorder.arrivals)
        with transaction.atomic():
            created = notification_services.notifications_save(rows)
        if recorder.wait_for(start_count + 1, timeout=60) <= start_count:
            # Nothing arrives (the worker cannot reach the database or the sink): say so instead of waiting on.
            raise RuntimeError("no message reached the SMTP sink within 60 s of queueing the backlog")
        recorder.wait_for(start_count + backlog, timeout=300)
        backlog_ids = {notification.message_id for notification in created}
        arrived = sorted(stamp for message_id, stamp in recorder.arrivals.items() if message_id in backlog_ids)
        delivered = len(arrived)
        # From the first arrival to the last: the rate one worker drains a queue at.
        throughput = (delivered - 1) / (arrived[-1] - arrived[0]) if delivered > 1 else float("nan")
        log(f"  backlog: {delivered} of {backlog} delivered, {throughput:.0f} messages/s")
        del created

        # --- latency at a steady rate of changes -------------------------------------------------
        recorder.arrivals.clear()
        changes = int(rate * seconds)
        interval = 1.0 / rate
        started = time.monotonic()
        for index in range(changes):
            ticket = tickets[index % len(tickets)]
            target = started + index * interval
            pause = target - time.monotonic()
            if pause > 0:
                time.sleep(pause)  # pacing the load generator; this is a benchmark, not a test
            ticket.refresh_from_db()
            if ticket.status == "in_progress":
                ticket_services.ticket_set_waiting(ticket=ticket, by=technician, on="vendor")
            else:
                ticket_services.ticket_resume(ticket=ticket, by=technician)
        achieved_rate = changes / (time.monotonic() - started)
        recorder.wait_for(changes, timeout=60)
        since = timezone.now() - timedelta(seconds=seconds + 120)
        sent = dict(
            Notification.objects.filter(
                created_at__gte=since, channel=NotificationChannel.EMAIL, email__endswith="@bench.example"
            )
            .exclude(email__startswith="backlog")
            .values_list("message_id", "created_at")
        )
        latencies = [
            (arrival - sent[message_id].timestamp()) * 1000
            for message_id, arrival in recorder.arrivals.items()
            if message_id in sent
        ]
        within = sum(1 for value in latencies if value <= 2000) / len(latencies) * 100 if latencies else 0.0
        result = NotificationBenchResult(
            worker_concurrency=concurrency,
            backlog=backlog,
            backlog_delivered=delivered,
            throughput_per_second=throughput,
            changes=changes,
            change_rate=achieved_rate,
            delivered=len(latencies),
            latency_median_ms=median(latencies),
            latency_p95_ms=percentile(latencies, 0.95),
            within_2s_percent=within,
        )
        log(
            f"  steady load: {changes} changes at {achieved_rate:.1f}/s, {len(latencies)} delivered, "
            f"median {result.latency_median_ms:.0f} ms, p95 {result.latency_p95_ms:.0f} ms"
        )
        return result
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        controller.stop()
