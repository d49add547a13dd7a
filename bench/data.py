"""The benchmark organisation: a help desk after three years, loaded fast into an empty database.

Small tables (categories, departments, locations, users, employees, devices) go in with bulk_create;
the three big ones (tickets, events, comments) with COPY from generated text, in chunks, with their
secondary indexes and foreign keys dropped for the load and rebuilt (and so re-checked) afterwards, all
in one transaction: a failed load leaves an empty database, never a half-indexed one.

Skewed like a real desk: a few people ask far more (Zipf-like weights over employees), a few device
models and a few devices break far more, most old tickets are closed and most open ones are recent.
Timestamps agree with each other: events in order, resolved before closed, updated_at the last change.

The solved tally and the reports' rollups are counted from the loaded tickets afterwards (the services
keep them for changes made later). Only the columns named in ticket_writer.py are filled; columns other
issues add must be nullable or have a database default, or a constant Python default (which is then copied
in, read from the model).

This module is the load from start to end and the reset after a measurement; the organisation is built in
organisation.py, the tickets' lives written in ticket_writer.py, COPY's text format in copying.py.
"""

import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from assets.models import Department, Device, Employee, Location
from bench import training
from bench.copying import secondary_indexes_and_foreign_keys
from bench.organisation import Organisation, Scale
from bench.tables import BENCH_PASSWORD, HOUR, LONG_TICKET_SUBJECT, PERSONA_OPEN_TICKETS, PERSONAS
from bench.ticket_writer import TicketWriter, office_hours, persona_tickets
from intake.models import InboundMessage
from notifications.models import Notification
from reports import recount
from tickets import failures, search, tally
from tickets.models import Attachment, Category, Comment, Event, Project, Ticket


@dataclass
class LoadSummary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    recount_seconds: float = 0.0


CHUNK = 25_000


def load(*, tickets: int, seed: int = 42, log: Callable[[str], None] = print) -> LoadSummary:
    """Load the organisation and `tickets` tickets into the (empty) default database."""
    if Ticket.objects.exists() or User.objects.filter(email=PERSONAS["coordinator"]).exists():
        raise RuntimeError("The bench database already holds data: run with --fresh, or --skip-load to measure it.")
    scale = Scale.for_tickets(tickets)
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    started = time.monotonic()
    log(
        f"Loading {scale.tickets:,} tickets over {scale.years} years, {scale.employees:,} employees, "
        f"{scale.devices:,} devices, {scale.technicians} technicians"
    )
    big = [Ticket._meta.db_table, Event._meta.db_table, Comment._meta.db_table]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        org = Organisation(scale, rng, now)
        org.build(make_password(BENCH_PASSWORD))
        log(f"  organisation: {time.monotonic() - started:.1f} s")

        # Check the organisation's deferred foreign keys now: a table with pending checks cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        indexes, foreign_keys = secondary_indexes_and_foreign_keys(cursor, big)
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")

        writer = TicketWriter(org, rng, now, cursor)
        buffers: dict[str, list[str]] = {"tickets": [], "events": [], "comments": []}
        span = writer.now - writer.start - HOUR
        # Creation times in order, so numbers grow with time; more tickets lately (the organisation grew).
        for chunk_start in range(0, scale.tickets, CHUNK):
            count = min(CHUNK, scale.tickets - chunk_start)
            fractions = sorted(
                math.sqrt(0.25 + 0.75 * (chunk_start + rng.random() * count) / scale.tickets) for _ in range(count)
            )
            for fraction in fractions:
                created = writer.start + (fraction - 0.5) / 0.5 * span
                writer.ticket(buffers, office_hours(created, rng, writer.now))
            writer.flush(buffers)
            if (chunk_start // CHUNK) % 8 == 7:
                log(f"  {writer.counts['tickets']:,} tickets: {time.monotonic() - started:.0f} s")
        persona_tickets(writer, org, buffers)
        writer.flush(buffers)
        log(f"  rows copied: {time.monotonic() - started:.1f} s; the tickets' and comments' search vectors")
        # Before the indexes come back: an UPDATE of every ticket is cheaper with none to keep.
        search.fill()
        search.fill_comments()
        log(f"  search vectors: {time.monotonic() - started:.1f} s; rebuilding indexes and foreign keys")

        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
        for table in big:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {table}))", [table])
    log(f"  indexed: {time.monotonic() - started:.1f} s; counting the solved tickets")
    buckets = tally.rebuild()  # the status changes keep it; tickets copied in have to be counted
    repeats = failures.mark_all()  # the intake and triage services flag repeat failures; a bulk load must
    log(
        f"  solved tally: {buckets:,} buckets, {repeats:,} repeat failures, {time.monotonic() - started:.1f} s;"
        " recounting the reports' rollups"
    )
    # The reports' rollups are kept by the services; tickets copied in have to be counted, like the tally.
    counting = time.monotonic()
    level = recount.logger.level
    recount.logger.setLevel(logging.ERROR)  # every row "differs" from a recount: none was written yet
    try:
        recounted = recount.recount(fix=True)
    finally:
        recount.logger.setLevel(level)
    recount_seconds = time.monotonic() - counting
    log(
        f"  rollups: {recounted.rows:,} rows from {writer.counts['tickets']:,} tickets in {recount_seconds:.1f} s"
        f" ({recount_seconds / max(writer.counts['tickets'], 1) * 10_000:.2f} s per 10,000 tickets);"
        " vacuum and analyze"
    )
    invited = training.session_write()
    log(f"  a training session given two months ago, {invited:,} invited")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    summary = LoadSummary(
        counts={
            "tickets": writer.counts["tickets"],
            "events": writer.counts["events"],
            "comments": writer.counts["comments"],
            "employees": len(org.employees),
            "devices": len(org.devices),
            "technicians": len(org.technicians),
            "logins": User.objects.count(),
        },
        seconds=time.monotonic() - started,
        recount_seconds=recount_seconds,
    )
    log(f"Loaded in {summary.seconds:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in summary.counts.items()))
    return summary


def _written_by_measurement() -> list:
    # Children first, so nothing protected is left pointing at a ticket.
    return [InboundMessage, Notification, Attachment, Event, Comment, Ticket, Employee]


def high_water() -> dict[str, int]:
    """The highest id of each table the measurement writes to."""
    return {
        model._meta.label: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in _written_by_measurement()
    }


def remove_since(marks: dict[str, int]) -> dict[str, int]:
    """Delete the rows written after `high_water()` was taken: the data is again as loaded."""
    removed = {}
    with transaction.atomic():
        for model in _written_by_measurement():
            count, _by_model = model.objects.filter(pk__gt=marks[model._meta.label]).delete()
            removed[str(model._meta.verbose_name_plural)] = count
    return removed


def personas() -> dict:
    """The logins, tickets and paths the measurement uses, found in a loaded bench database."""
    users = {role: User.objects.get(email=email) for role, email in PERSONAS.items()}
    long_ticket = Ticket.objects.filter(subject=LONG_TICKET_SUBJECT).order_by("pk").first()
    if long_ticket is None:
        raise RuntimeError("This database holds no bench data: load it first (without --skip-load).")
    technician = users["technician"]
    open_statuses = ["assigned", "in_progress"]
    reply_targets = list(
        Ticket.objects.filter(assignee=technician, status__in=open_statuses)
        .exclude(pk=long_ticket.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)[:PERSONA_OPEN_TICKETS]
    )
    # The short-history twin of the long ticket for the query-count check: like it, with a device, so that
    # both pages run the same queries and only the history's length differs.
    typical = (
        Ticket.objects.filter(assignee=technician, status__in=open_statuses, device__isnull=False)
        .exclude(pk=long_ticket.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    ) or reply_targets[0]
    triage = Ticket.objects.filter(status="new", assignee__isnull=True).order_by("-pk").first()
    # The requester's own ticket page: a typical ticket of theirs, not the long one (the technician's page).
    requester_ticket = (
        Ticket.objects.filter(requester__user=users["requester"]).exclude(pk=long_ticket.pk).order_by("-pk").first()
    )
    category = Category.objects.filter(parent__isnull=False, is_active=True).order_by("pk").first()
    project = Project.objects.order_by("-pk").first()
    if requester_ticket is None or category is None or project is None:
        raise RuntimeError("The bench data is incomplete: load it again with --fresh.")
    # Values for the staff list's filters, each an ordinary one: the requester who asks most, the busiest
    # technician, the first department, location and device model, the latest project.
    model = Device.objects.order_by("model").values_list("model", flat=True).first() or ""
    filters = {
        "assignee": technician.pk,
        "requester": users["requester"].employee.employee_number,
        "department": Department.objects.order_by("pk").values_list("pk", flat=True).first(),
        "location": Location.objects.order_by("pk").values_list("pk", flat=True).first(),
        "device_model": model,
        "project": project.pk,
        "category": category.pk,
        # The device with the most tickets of the busiest model: what the machines report links to.
        "device": Device.objects.filter(model=model).order_by("pk").values_list("pk", flat=True).first(),
    }
    return {
        "filters": filters,
        "users": users,
        "long_ticket": long_ticket.pk,
        "typical_ticket": typical,
        "reply_targets": reply_targets,
        "unassigned_ticket": triage.pk if triage else typical,
        "requester_ticket": requester_ticket.pk,
        "category": category.pk,
        "training_session": training.session_pk(),
    }
