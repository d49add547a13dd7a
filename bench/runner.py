"""`manage.py bench` from start to end.

Two processes: the command as called (any environment) makes sure the bench database exists and is not
the caller's own, then runs itself again with the production-shaped environment pointing at it
(DATABASE_URL, REDIS_URL, DEBUG off, a random SECRET_KEY, a temporary VAR_DIR). That second process
migrates, loads, counts queries, serves with gunicorn, measures and writes the report, so every part of
it (the ORM, the test client, the notification benchmark) sees the bench database and nothing else.
"""

import json
import os
import secrets
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from bench import (
    data,
    database,
    environment,
    http,
    intake,
    machine,
    notifications,
    outage,
    pages,
    queries,
    report,
    results,
    tables,
)
from helpdesk.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]
OPTIONS_VARIABLE = "HELPDESK_BENCH_OPTIONS"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
# The whole run must end well within this, whatever happens inside.
RUN_TIMEOUT_SECONDS = 60 * 60


@dataclass
class Options:
    tickets: int = 1_000_000
    database: str = "helpdesk_bench"
    fresh: bool = False
    skip_load: bool = False
    seconds: float = 15.0
    requests: int = 300
    sweep_requests: int = 100  # per filter and per sort of the staff list
    max_seconds: float = 30.0  # cap on the sequential loop of one page
    warmup: int = 10  # visits before the timed ones, so each gunicorn worker has compiled the page
    connections: int = 8
    workers: int = 5
    output: str = "BENCHMARKS.md"
    quick: bool = False
    seed: int = 42
    notifications: bool = True
    notification_backlog: int = 2000
    notification_seconds: float = 15.0
    # Status changes per phase of the Redis outage; the quick run does not wait for the sweeper's grace.
    outage_changes: int = 10
    outage_skip_grace: bool = False
    intake: bool = True
    intake_messages: int = 500  # in the mailbox for the throughput of one fetcher
    intake_seconds: float = 30.0  # of steady delivery for the time from delivery to the ticket
    intake_interval: float | None = None  # between reads: settings.INTAKE_FETCH_INTERVAL
    redis_url: str = DEFAULT_REDIS_URL
    # Other work on the machine skews every figure: wait this long at most for it to calm down first.
    quiet_wait: float = 120.0
    command: str = ""

    @classmethod
    def quick_defaults(cls) -> dict:
        """CI scale: a few thousand tickets, a few requests, short loads."""
        return {
            "tickets": 3000,
            "seconds": 1.0,
            "requests": 10,
            "sweep_requests": 3,
            "warmup": 2,  # the quick run proves the pages work; its figures are not the ones to read
            "max_seconds": 5.0,
            "notification_backlog": 60,
            "notification_seconds": 2.0,
            "outage_changes": 2,
            "outage_skip_grace": True,
            "intake_messages": 60,
            "intake_seconds": 2.0,
            "intake_interval": 1.0,
            "quiet_wait": 0.0,
        }


class BenchError(Exception):
    pass


def _local_redis(url: str) -> bool:
    return url.startswith(("redis://127.0.0.1:", "redis://localhost:"))


# --- the calling process -----------------------------------------------------------------------


def run_outer(options: Options, log: Callable[[str], None]) -> int:
    caller = settings.DATABASES["default"]
    server = database.Server.from_settings(caller)
    if not server.is_local:
        raise BenchError(f"The benchmark runs only against a local PostgreSQL, not {server.host}.")
    if not _local_redis(options.redis_url):
        raise BenchError(f"The benchmark uses only a local Redis, not {options.redis_url}.")
    is_callers = caller.get("ENGINE") == "django.db.backends.postgresql" and caller.get("NAME") == options.database
    if is_callers and not database.is_bench(server, options.database):
        raise BenchError(
            f"{options.database!r} is the database of this environment (DATABASE_URL) and not a bench database: "
            "the benchmark never loads into the database you work in. Choose another name with --database."
        )
    if is_callers:
        connection.close()  # a drop would wait for it
    created = database.prepare(server, options.database, fresh=options.fresh)
    if created and options.skip_load:
        raise BenchError(f"{options.database!r} was empty; --skip-load needs a loaded bench database.")
    log(f"Bench database {options.database!r} on {server.host}:{server.port}" + (" (new)" if created else ""))
    with tempfile.TemporaryDirectory(prefix="helpdesk-bench-") as var_dir:
        env = {
            **os.environ,
            "DATABASE_URL": server.url(options.database),
            "REDIS_URL": options.redis_url,
            "DEBUG": "false",
            "HTTPS": "false",
            "SECRET_KEY": secrets.token_hex(32),
            "ALLOWED_HOSTS": "127.0.0.1",
            "VAR_DIR": var_dir,
            "MEDIA_ROOT": str(Path(var_dir) / "media"),
            "LOG_LEVEL": "WARNING",
            # Mail from the pages goes to files in VAR_DIR; the delivery benchmark's worker sets its own SMTP sink.
            "EMAIL_HOST": "",
            # A handful of logins stand in for thousands of people: one bench requester reports hundreds of
            # problems a minute, which the per-person limits exist to stop. The limits are still counted.
            "RATE_LIMIT_TICKETS": "1000000/h",
            "RATE_LIMIT_REPLIES": "1000000/h",
            "RATE_LIMIT_WATCHERS": "1000000/h",
            OPTIONS_VARIABLE: json.dumps(asdict(options)),
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        command = [sys.executable, str(ROOT / "manage.py"), "bench", "--inner"]
        try:
            return subprocess.run(command, cwd=ROOT, env=env, timeout=RUN_TIMEOUT_SECONDS, check=False).returncode
        except subprocess.TimeoutExpired:
            log(f"The benchmark did not finish within {RUN_TIMEOUT_SECONDS // 60} minutes and was stopped.")
            return 1


# --- the measuring process ---------------------------------------------------------------------


def options_from_environment() -> Options:
    return Options(**json.loads(os.environ[OPTIONS_VARIABLE]))


def run_inner(options: Options, log: Callable[[str], None]) -> int:
    server = database.Server.from_settings(settings.DATABASES["default"])
    name = settings.DATABASES["default"]["NAME"]
    if name != options.database or not database.is_bench(server, name):
        raise BenchError(f"The measuring process must run against the bench database, not {name!r}.")
    started_at = datetime.now(tz=UTC)
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    log(f"Migrated and collected static files: {time.monotonic() - started:.0f} s")

    load_seconds = database.info(server, name).get("load_seconds")
    if options.skip_load:
        # What earlier runs wrote and removed leaves dead rows that a live system's autovacuum would have
        # cleared long since: without this, index-only scans visit the table and every run measures slower.
        started_vacuum = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM (ANALYZE) tickets_ticket, tickets_event, tickets_comment, notifications_notification"
            )
        log(f"Vacuumed what earlier runs left: {time.monotonic() - started_vacuum:.0f} s")
    else:
        summary = data.load(tickets=options.tickets, seed=options.seed, log=log)
        load_seconds = summary.seconds
        database.record(server, name, load_seconds=round(summary.seconds, 1), tickets=options.tickets)

    people = data.personas()
    # The measurement writes (tickets submitted, replies, notifications): remembered here, removed at the end,
    # so the next run with --skip-load measures the same data.
    high_water = data.high_water()
    try:
        run = _measure(options, people, name, load_seconds, started_at, log)
    finally:
        _purge_queued_tasks()
        try:
            removed = data.remove_since(high_water)
            log("Removed what the measurement wrote: " + ", ".join(f"{n:,} {kind}" for kind, n in removed.items()))
        except Exception as error:
            log(f"  could not remove what the measurement wrote ({error}); use --fresh next time")
    run.scale = environment.row_counts()
    run.finished = datetime.now(tz=UTC)

    log("")
    log(report.text_table(run))
    if run.sweep:
        missed = [result.page.label for result in run.sweep if results.sweep_misses(result)]
        slowest = max(run.sweep, key=lambda result: result.latency.p95_ms if result.latency else 0.0)
        log(
            f"\nStaff list by each filter and sort: {len(run.sweep) - len(missed)} of {len(run.sweep)} under "
            f"{results.P95_TARGET_MS:.0f} ms at p95 (slowest: {slowest.page.label}, "
            f"{slowest.latency.p95_ms if slowest.latency else float('nan'):.1f} ms)"
            + (f"; missed: {', '.join(missed)}" if missed else "")
        )
    if run.notifications is not None:
        n = run.notifications
        log(
            f"\nNotifications: {n.throughput_per_second:.0f} messages/s for one worker; at {n.change_rate:.0f} "
            f"changes/s median {n.latency_median_ms:.0f} ms, p95 {n.latency_p95_ms:.0f} ms, "
            f"{n.within_2s_percent:.1f} % within 2 s"
        )
    if run.intake is not None:
        i = run.intake
        log(
            f"Email intake: {i.per_second:.0f} messages/s for one fetcher (target {intake.TARGET_PER_SECOND:.0f}); "
            f"delivery to ticket with the mailbox read every {i.interval:.0f} s: median {i.latency_median_ms:.0f} ms, "
            f"p95 {i.latency_p95_ms:.0f} ms"
        )
    if run.outage is not None:
        o = run.outage
        log(
            f"Redis outage: saves {o.save_refused_max_ms:.0f} ms at most while it refuses, "
            f"{o.save_hung_max_ms:.0f} ms while it hangs; {o.delivered_after} of {o.expected_after} changes made "
            f"meanwhile in the inbox, {o.back_to_inbox_max_s:.0f} s after its return at the latest"
        )
    output = Path(options.output)
    if not output.is_absolute():
        output = ROOT / output
    output.write_text(report.markdown(run, output))
    log(f"\nWritten to {output} ({time.monotonic() - started:.0f} s in all)")
    return 1 if run.failed else 0


def _measure(
    options: Options,
    people: dict,
    name: str,
    load_seconds: float | None,
    started_at: datetime,
    log: Callable[[str], None],
) -> results.Run:
    """Query counts and plans, then every page over HTTP, then the notification benchmark: the Run."""
    users = people["users"]
    page_list = pages.build(people)
    sweep_list = pages.build_sweep(people, timezone.localdate())
    log("Counting queries and explaining the slowest of each page")
    counted = queries.measure([*page_list, *sweep_list], users)
    page_results = [results.PageResult(page=page, queries=counted[page.key]) for page in page_list]
    sweep = [results.PageResult(page=page, queries=counted[page.key]) for page in sweep_list]

    _wait_for_quiet(options.quiet_wait, log)
    load_before = os.getloadavg()[0]
    with (
        tempfile.TemporaryDirectory(prefix="helpdesk-bench-gunicorn-") as log_dir,
        http.Server(env=dict(os.environ), workers=options.workers, log_dir=Path(log_dir)) as web,
    ):
        log(f"gunicorn ({options.workers} workers) on 127.0.0.1:{web.port}")
        assert web.process is not None
        cpu = machine.CpuShare(name, {web.process.pid})
        # Before each page, a bounded wait for other work on the machine to calm down: 3 minutes in all.
        quiet_budget = options.quiet_wait + 60 if options.quiet_wait else 0.0
        whole = cpu.sample()
        clients = {"anonymous": http.Client(web.port)}
        for role in ("requester", "technician", "coordinator"):
            clients[role] = http.Client(web.port)
            clients[role].login(users[role].email, tables.BENCH_PASSWORD)
        for result in page_results:
            page = result.page
            if not page.available:
                log(f"  {page.label}: not available")
                continue
            client = clients[page.role]
            if quiet_budget > 0:
                waited = cpu.wait_for_quiet(limit=min(60.0, quiet_budget))
                quiet_budget -= waited
                if waited > 5:
                    log(f"  (waited {waited:.0f} s for other work on the machine to calm down)")
            before = cpu.sample()
            try:
                # A POST carries the token of the page that shows its form (the ticket page for a reply).
                token = client.csrf_token(page.paths[0].removesuffix("reply/")) if page.method == "POST" else ""
                result.latency = http.measure_latency(
                    client,
                    page,
                    requests=options.requests,
                    max_seconds=options.max_seconds,
                    token=token,
                    warmup=options.warmup,
                )
                result.throughput = http.measure_throughput(
                    client, page, seconds=options.seconds, connections=options.connections, token=token
                )
            except Exception as error:
                result.error = f"{type(error).__name__}: {error}"
            result.others = cpu.other_share(before, cpu.sample())
            latency, throughput = result.latency, result.throughput
            log(
                f"  {page.label}: median {latency.median_ms if latency else float('nan'):.1f} ms, "
                f"p95 {latency.p95_ms if latency else float('nan'):.1f} ms, "
                f"{throughput.per_second if throughput else float('nan'):.0f}/s"
                + (f" (other processes: {result.others:.0%} of the cores)" if result.others is not None else "")
                + (f"  ERROR {'; '.join(result.errors)}" if result.errors else "")
                + (f"  ({result.failures_under_load})" if result.failures_under_load else "")
            )
        log(f"The staff list by each filter and sort, {options.sweep_requests} requests each")
        for result in sweep:
            before = cpu.sample()
            try:
                # The default warm-up, as for the pages above: each row of a new order is rendered once per
                # gunicorn worker and then kept, and the figure is the list as a coordinator keeps seeing it.
                result.latency = http.measure_latency(
                    clients["coordinator"],
                    result.page,
                    requests=options.sweep_requests,
                    max_seconds=10,
                    warmup=options.warmup,
                )
            except Exception as error:
                result.error = f"{type(error).__name__}: {error}"
            result.others = cpu.other_share(before, cpu.sample())
            if reasons := results.sweep_misses(result):
                log(f"  {result.page.label}: " + "; ".join(reasons))
        others = cpu.other_share(whole, cpu.sample())
        if any(result.errors or result.failures_under_load for result in [*page_results, *sweep]):
            log("gunicorn's log, last lines:\n" + web.log_tail())

    run = results.Run(
        results=page_results,
        sweep=sweep,
        command=options.command or "manage.py bench",
        scale={},
        load_seconds=load_seconds,
        started=started_at,
        load_before=load_before,
        others=others,
        settings={
            "requests": options.requests,
            "sweep_requests": options.sweep_requests,
            "max_seconds": options.max_seconds,
            "connections": options.connections,
            "seconds": options.seconds,
            "workers": options.workers,
        },
    )
    if options.notifications:
        log("Notification delivery (one Celery worker, local SMTP sink)")
        try:
            run.notifications = notifications.run(
                backlog=options.notification_backlog, seconds=options.notification_seconds, log=log
            )
        except Exception as error:
            run.notifications_error = f"{type(error).__name__}: {error}"
            log(f"  ERROR {run.notifications_error}")
        log("Delivery through a Redis outage (the benchmark's own redis-server, refusing, then hanging)")
        try:
            run.outage = outage.run(changes=options.outage_changes, skip_grace=options.outage_skip_grace, log=log)
        except Exception as error:
            run.outage_error = f"{type(error).__name__}: {error}"
            log(f"  ERROR {run.outage_error}")
    if options.intake:
        log("Email intake (a real Dovecot, one fetcher)")
        try:
            run.intake = intake.run(
                messages=options.intake_messages,
                seconds=options.intake_seconds,
                interval=options.intake_interval,
                log=log,
            )
        except Exception as error:
            run.intake_error = f"{type(error).__name__}: {error}"
            log(f"  ERROR {run.intake_error}")
    return run


def _wait_for_quiet(patience: float, log: Callable[[str], None], threshold: float = 1.0) -> None:
    """Wait (at most `patience` seconds) until the machine's 1-minute load average drops below `threshold`."""
    deadline = time.monotonic() + patience
    if os.getloadavg()[0] < threshold or patience <= 0:
        return
    log(f"Waiting up to {patience:.0f} s for the machine to be quiet (load average {os.getloadavg()[0]:.2f})")
    while time.monotonic() < deadline and os.getloadavg()[0] >= threshold:
        time.sleep(5)
    log(f"  load average now {os.getloadavg()[0]:.2f}")


def _purge_queued_tasks() -> None:
    """Tasks the measured pages queued for a worker that is not running: dropped, not left in Redis."""
    try:
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")  # type: ignore[attr-defined]
    except Exception:  # noqa: S110 - nothing queued, or Redis gone: nothing to clean
        pass


def describe_command(argv: list[str]) -> str:
    return shlex.join(["manage.py", *argv[1:]]) if argv else "manage.py bench"
