"""The email intake's benchmark: a real Dovecot (bench/imap_server.py), real messages, one fetcher.

Two measurements:
- throughput: a mailbox filled with a desk's mix of mail (new problems in plain text, HTML-only and with a
  file; replies to open tickets with their quoted history; out-of-office answers), then one read of it by one
  fetcher (intake.fetching, as one Celery worker runs it): messages per second turned into tickets, replies
  or ignored rows, from the read's start to its end. Target: 50 a second;
- delivery to ticket: messages delivered at a steady rate while the fetcher reads the mailbox every
  INTAKE_FETCH_INTERVAL seconds, as Celery beat has it read; the time from each message's delivery to its
  ticket or reply, median and 95th percentile.

Runs against whatever database the settings point at; `manage.py bench` gives it its own. Every file it
writes (each message is kept as original.eml) goes to a temporary MEDIA_ROOT, removed at the end.
"""

import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime

from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from assets.models import Employee
from bench.imap_server import Dovecot
from bench.percentiles import median, percentile
from intake.fetching import Mailbox, mailbox_fetch
from intake.models import InboundMessage, MailboxState
from notifications.headers import thread_id_for
from tickets.models import Ticket

TARGET_PER_SECOND = 50.0
DOMAIN = "intake.bench.example"


@dataclass
class IntakeBenchResult:
    messages: int
    counts: dict[str, int]
    seconds: float
    per_second: float
    interval: float
    delivered: int
    delivery_rate: float
    latency_median_ms: float
    latency_p95_ms: float
    latency_max_ms: float
    mix: dict[str, int] = field(default_factory=dict)

    @property
    def met(self) -> bool:
        return self.per_second >= TARGET_PER_SECOND


@dataclass
class _Sender:
    name: str
    email: str
    open_tickets: list[tuple[int, str]]  # (number, subject)


def run(
    *, messages: int = 500, seconds: float = 30.0, rate: float = 5.0, interval: float | None = None, log=print
) -> IntakeBenchResult:
    interval = float(interval if interval is not None else settings.INTAKE_FETCH_INTERVAL)
    senders = _senders()
    server = Dovecot()
    server.start()
    names: list[str] = []
    try:
        # Each sender writes many messages within minutes here: the per-sender rate is not what is measured.
        with (
            tempfile.TemporaryDirectory(prefix="helpdesk-bench-intake-") as media,
            override_settings(MEDIA_ROOT=media, INTAKE_MAX_PER_SENDER_HOUR=1_000_000),
        ):
            # --- throughput ------------------------------------------------------------------------
            entry = server.mailbox()
            names.append(entry["name"])
            mix: Counter[str] = Counter()
            batch = []
            for index in range(messages):
                kind, raw = _message(index, senders)
                mix[kind] += 1
                batch.append(raw)
            server.deliver(entry["user"], *batch)
            log(f"  {messages} messages in the mailbox: " + ", ".join(f"{n} {k}" for k, n in sorted(mix.items())))
            started = time.monotonic()
            read = mailbox_fetch(Mailbox(**entry), limit=messages)
            took = time.monotonic() - started
            if read.error:
                raise RuntimeError(f"the fetcher could not read the mailbox: {read.error}")
            per_second = read.total / took if took else float("nan")
            log(f"  one fetcher: {read.total} messages in {took:.1f} s, {per_second:.0f}/s ({dict(read.counts)})")

            # --- delivery to ticket ----------------------------------------------------------------
            steady = server.mailbox()
            names.append(steady["name"])
            delivered_at, achieved = _steady_delivery(server, steady, senders, messages, seconds, rate, interval)
            latencies = _latencies(delivered_at)
            log(
                f"  delivery to ticket, mailbox read every {interval:.0f} s: {len(latencies)} of "
                f"{len(delivered_at)} messages, median {median(latencies):.0f} ms, "
                f"p95 {percentile(latencies, 0.95):.0f} ms"
            )
    finally:
        server.stop()
        MailboxState.objects.filter(name__in=names).delete()
    return IntakeBenchResult(
        messages=messages,
        counts=dict(read.counts),
        seconds=took,
        per_second=per_second,
        interval=interval,
        delivered=len(latencies),
        delivery_rate=achieved,
        latency_median_ms=median(latencies),
        latency_p95_ms=percentile(latencies, 0.95),
        latency_max_ms=max(latencies) if latencies else float("nan"),
        mix=dict(mix),
    )


def _senders(count: int = 200) -> list[_Sender]:
    """Employees of the loaded data, each with a few of their open tickets to answer."""
    employees = list(Employee.objects.filter(is_active=True).exclude(email="").order_by("pk")[:count])
    if not employees:
        raise RuntimeError("the bench database holds no employees with an address")
    tickets: dict[int, list[tuple[int, str]]] = {}
    open_statuses = ["new", "assigned", "in_progress", "waiting_requester"]
    for number, subject, requester in Ticket.objects.filter(
        requester__in=employees, status__in=open_statuses
    ).values_list("pk", "subject", "requester_id")[: count * 3]:
        tickets.setdefault(requester, []).append((number, subject))
    return [_Sender(e.full_name, e.email, tickets.get(e.pk, [])) for e in employees]


_BODY = (
    "Hello,\n\nsince this morning {thing} does not work: I tried to restart it twice and it still shows the "
    "same error. Could someone have a look?\n\nThank you,\n{name}"
)
_THINGS = ["the printer on my floor", "my docking station", "the VPN client", "Outlook", "the scanner"]


def _message(index: int, senders: list[_Sender], prefix: str = "bench") -> tuple[str, bytes]:
    """One message of the mix, by its index: which kind, and its bytes."""
    sender = senders[index % len(senders)]
    message = EmailMessage()
    message["From"] = f"{sender.name} <{sender.email}>"
    message["To"] = f"helpdesk@{DOMAIN}"
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = f"<{prefix}-{index}-{time.monotonic_ns()}@{DOMAIN}>"
    body = _BODY.format(thing=_THINGS[index % len(_THINGS)], name=sender.name)
    if index % 20 == 0:
        kind = "out of office"
        message["Subject"] = "Automatic reply: out of office"
        message["Auto-Submitted"] = "auto-replied"
        message.set_content("I am out of the office until Monday.")
    elif index % 4 == 1 and sender.open_tickets:
        kind = "reply"
        number, subject = sender.open_tickets[index % len(sender.open_tickets)]
        message["Subject"] = f"Re: [HD-{number}] {subject}"
        message["In-Reply-To"] = thread_id_for(number)
        message["References"] = thread_id_for(number)
        quoted = "\n".join(f"> {line}" for line in _BODY.format(thing="it", name="Help desk").splitlines())
        message.set_content(f"It still happens after the update.\n\nOn Monday, Help desk wrote:\n{quoted}\n")
    elif index % 10 == 3:
        kind = "HTML only"
        message["Subject"] = f"Problem with {_THINGS[index % len(_THINGS)]}"
        paragraphs = "".join(f"<p>{line}</p>" for line in body.split("\n\n"))
        message.set_content(f"<html><body>{paragraphs}</body></html>", subtype="html")
    else:
        kind = "plain"
        message["Subject"] = f"Problem with {_THINGS[index % len(_THINGS)]}"
        message.set_content(body)
        if index % 10 == 7:
            kind = "with a file"
            message.add_attachment(
                ("error line\n" * 200).encode(), maintype="text", subtype="plain", filename="log.txt"
            )
    return kind, message.as_bytes()


def _steady_delivery(
    server: Dovecot,
    entry: dict,
    senders: list[_Sender],
    offset: int,
    seconds: float,
    rate: float,
    interval: float,
) -> tuple[dict[str, float], float]:
    """Deliver at `rate` a second for `seconds` while a fetcher reads every `interval` seconds; the
    delivery time of each message by its Message-ID, and the rate achieved."""
    stop = threading.Event()
    mailbox = Mailbox(**entry)
    failures: list[BaseException] = []

    def fetcher() -> None:
        try:
            while True:
                finishing = stop.is_set()
                mailbox_fetch(mailbox)
                if finishing:
                    return
                stop.wait(interval)  # the schedule's interval, as beat keeps it
        except BaseException as error:  # reported by the caller
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=fetcher, name="bench-intake-fetcher")
    thread.start()
    delivered_at: dict[str, float] = {}
    client = server.client(entry["user"])
    count = int(seconds * rate)
    started = time.time()
    try:
        for index in range(count):
            pause = started + index / rate - time.time()
            if pause > 0:
                time.sleep(pause)  # pacing the load generator; this is a benchmark, not a test
            kind, raw = _message(offset + index, senders, prefix="steady")
            if kind == "out of office":
                continue  # makes nothing to wait for
            message_id = raw.split(b"Message-ID: ", 1)[1].split(b"\n", 1)[0].strip().decode()
            client.append("INBOX", raw)
            delivered_at[message_id] = time.time()
    finally:
        client.logout()
        achieved = len(delivered_at) / max(time.time() - started, 1e-9)
        stop.set()
        thread.join(timeout=interval + 120)
    if failures:
        raise RuntimeError(f"the fetcher failed: {failures[0]!r}")
    return delivered_at, achieved


def _latencies(delivered_at: dict[str, float]) -> list[float]:
    rows = InboundMessage.objects.filter(message_id__in=list(delivered_at)).values_list(
        "message_id", "ticket__created_at", "comment__created_at", "received_at"
    )
    latencies = []
    for message_id, ticket_at, comment_at, received_at in rows:
        done = comment_at or ticket_at or received_at
        latencies.append((done.timestamp() - delivered_at[message_id]) * 1000)
    return latencies
