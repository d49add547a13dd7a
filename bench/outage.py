"""Delivery through a Redis outage: how long a save takes while Redis refuses or hangs, and how long a change
made meanwhile takes to reach the inbox once Redis is back.

A redis-server of the benchmark's own on a spare port (never the machine's), one Celery worker on it, the
local SMTP sink, and beat's sweeper run on beat's schedule by this process. Three phases, a few status
changes each: Redis up (the baseline), Redis refusing (stopped), Redis hanging (SIGSTOP: connections are
accepted and never answered); then Redis comes back and the sweeper queues what it never got.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models.functions import Now

from bench.notifications import bench_tickets, start_worker
from bench.percentiles import median
from bench.smtp_sink import start_sink
from helpdesk.celery import app as celery_app
from notifications import services as notification_services
from notifications.models import Notification, NotificationChannel, NotificationStatus
from tickets import services as ticket_services

# beat's schedule for notifications-requeue-stuck (helpdesk/settings.py)
SWEEP_EVERY_SECONDS = 30
QUEUE = f"bench-outage-{os.getpid()}"


@dataclass
class OutageBenchResult:
    changes_per_phase: int
    up_to_inbox_median_ms: float
    up_to_inbox_max_ms: float
    save_refused_median_ms: float
    save_refused_max_ms: float
    save_hung_median_ms: float
    save_hung_max_ms: float
    delivered_after: int
    expected_after: int
    back_to_inbox_median_s: float
    back_to_inbox_max_s: float
    change_to_inbox_median_s: float
    change_to_inbox_max_s: float
    grace_skipped: bool


class _OwnRedis:
    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.binary = binary
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the benchmark's redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _point_celery_at(url: str, queue: str) -> dict:
    previous = {
        "CELERY_BROKER_URL": celery_app.conf.get("CELERY_BROKER_URL", celery_app.conf.get("broker_url")),
        "CELERY_TASK_DEFAULT_QUEUE": celery_app.conf.get(
            "CELERY_TASK_DEFAULT_QUEUE", celery_app.conf.get("task_default_queue")
        ),
    }
    celery_app.conf.update({"CELERY_BROKER_URL": url, "CELERY_TASK_DEFAULT_QUEUE": queue})
    celery_app._pool = None  # type: ignore[attr-defined]  # pools are per broker: a new one for the new URL
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]
    return previous


def run(*, changes: int = 10, skip_grace: bool = False, log: Callable[[str], None] = print) -> OutageBenchResult:
    redis = _OwnRedis()
    redis.start()
    previous = _point_celery_at(redis.url, QUEUE)
    controller, recorder = start_sink()
    technician, tickets = bench_tickets(max(4, changes))
    Notification.objects.filter(status=NotificationStatus.PENDING).update(status=NotificationStatus.SENT)
    worker = start_worker(controller.port, 1, broker_url=redis.url, queue=QUEUE)
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(timeout=1.0):
            if time.monotonic() > deadline:
                raise RuntimeError("the outage benchmark's worker did not start")

        def change(index: int) -> tuple[str, float, float]:
            """One status change: its message's Message-ID, when it was saved, and how long saving took."""
            ticket = tickets[index % len(tickets)]
            ticket.refresh_from_db()
            started = time.monotonic()
            if ticket.status == "in_progress":
                ticket_services.ticket_set_waiting(ticket=ticket, by=technician, on="vendor")
            else:
                ticket_services.ticket_resume(ticket=ticket, by=technician)
            took = time.monotonic() - started
            row = Notification.objects.filter(ticket=ticket, channel=NotificationChannel.EMAIL).latest("pk")
            return row.message_id, time.time(), took

        # Up: the baseline.
        up = [change(index) for index in range(changes)]
        recorder.wait_for(changes, timeout=60)
        up_latencies = [(recorder.arrivals[m] - saved) * 1000 for m, saved, _took in up if m in recorder.arrivals]
        log(f"  Redis up: {len(up_latencies)} of {changes} in the inbox, median {median(up_latencies):.0f} ms")

        # Refusing, then hanging.
        redis.stop()
        refused = [change(changes + index) for index in range(changes)]
        redis.start()
        assert redis.process is not None
        redis.process.send_signal(signal.SIGSTOP)
        hung = [change(2 * changes + index) for index in range(changes)]
        refused_ms = [took * 1000 for _m, _saved, took in refused]
        hung_ms = [took * 1000 for _m, _saved, took in hung]
        log(
            f"  saves while Redis refuses: median {median(refused_ms):.0f} ms, max {max(refused_ms):.0f} ms; "
            f"while it hangs: median {median(hung_ms):.0f} ms, max {max(hung_ms):.0f} ms"
        )

        # Back: the worker reconnects by itself; beat's sweeper queues what Redis never got.
        redis.process.send_signal(signal.SIGCONT)
        back = time.time()
        waiting = {m: saved for m, saved, _took in [*refused, *hung]}
        give_up = time.monotonic() + 300
        while time.monotonic() < give_up and not all(m in recorder.arrivals for m in waiting):
            if skip_grace:  # the quick run: the sweeper's grace is not waited for
                Notification.objects.filter(status=NotificationStatus.PENDING).update(
                    next_attempt_at=Now() - notification_services.PENDING_GRACE * 2
                )
                notification_services.notifications_requeue_stuck()
                recorder.wait_for(len(recorder.arrivals) + 1, timeout=5)
                continue
            notification_services.notifications_requeue_stuck()
            arrived_before = len(recorder.arrivals)
            # Until the next sweep, as beat would: woken early by every arrival, never sleeping idle.
            next_sweep = time.monotonic() + SWEEP_EVERY_SECONDS
            while time.monotonic() < next_sweep and not all(m in recorder.arrivals for m in waiting):
                recorder.wait_for(arrived_before + 1, timeout=max(0.1, next_sweep - time.monotonic()))
                arrived_before = len(recorder.arrivals)
        arrived = {m: recorder.arrivals[m] for m in waiting if m in recorder.arrivals}
        result = OutageBenchResult(
            changes_per_phase=changes,
            up_to_inbox_median_ms=median(up_latencies),
            up_to_inbox_max_ms=max(up_latencies, default=float("nan")),
            save_refused_median_ms=median(refused_ms),
            save_refused_max_ms=max(refused_ms),
            save_hung_median_ms=median(hung_ms),
            save_hung_max_ms=max(hung_ms),
            delivered_after=len(arrived),
            expected_after=len(waiting),
            back_to_inbox_median_s=median([stamp - back for stamp in arrived.values()]),
            back_to_inbox_max_s=max((stamp - back for stamp in arrived.values()), default=float("nan")),
            change_to_inbox_median_s=median([arrived[m] - waiting[m] for m in arrived]),
            change_to_inbox_max_s=max((arrived[m] - waiting[m] for m in arrived), default=float("nan")),
            grace_skipped=skip_grace,
        )
        log(
            f"  Redis back: {result.delivered_after} of {result.expected_after} in the inbox, "
            f"{result.back_to_inbox_max_s:.0f} s after its return at the latest"
        )
        return result
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        controller.stop()
        redis.stop()
        _point_celery_at(previous["CELERY_BROKER_URL"] or "", previous["CELERY_TASK_DEFAULT_QUEUE"] or "celery")
