"""The solved tally: how many tickets each technician solved, by category, device model and month.

"Solved N like this" in the technician suggestions used to count a year of each technician's solved
tickets on every ranking: thousands of index entries per technician at a busy desk, 60-odd ms for the
whole ranking. It now sums a few rows of tickets.models.SolvedTally.

A solved ticket is counted once, in the bucket of its technician, its category, its device's model and
the month it was solved in (UTC). The one path of ticket changes (services._change.ticket_change) counts a ticket
in when it becomes solved and out when it is reopened; `rebuild` makes the whole tally again from the
tickets (every night, after a bulk load, and in the migration that added it), so that a ticket written
around the services cannot leave it wrong for long.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.apps import apps as installed_apps
from django.db import IntegrityError, transaction
from django.db.models import Count, DateField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from tickets.models import SolvedTally

# "In the last year": the month of the ranking and the eleven before it.
MONTHS = 12
# The status values of a solved ticket (tickets.models.SOLVED_STATUSES; repeated here for the migration,
# which must not import the models of today).
SOLVED = ("closed", "resolved")


@dataclass(frozen=True)
class Bucket:
    technician_id: int
    category_id: int | None
    device_model: str
    month: date

    def key(self) -> dict:
        return {
            "technician_id": self.technician_id,
            "category_id": self.category_id,
            "device_model": self.device_model,
            "month": self.month,
        }


def month_of(moment: datetime) -> date:
    moment = moment.astimezone(UTC)
    return date(moment.year, moment.month, 1)


def first_month(now: datetime | None = None) -> date:
    """The earliest month the ranking counts."""
    month = month_of(now or timezone.now())
    index = month.year * 12 + month.month - 1 - (MONTHS - 1)
    return date(index // 12, index % 12 + 1, 1)


def bucket_of(ticket) -> Bucket | None:
    """Where `ticket` counts while it is solved; None if nobody held it. Reads the ticket's device."""
    if not ticket.assignee_id:
        return None
    model = ticket.device.model if ticket.device_id else ""
    return Bucket(ticket.assignee_id, ticket.category_id, model, month_of(ticket.resolved_at or ticket.created_at))


def add(bucket: Bucket | None, delta: int) -> None:
    """Count one ticket in (+1) or out (-1) of `bucket`, in the caller's transaction."""
    if bucket is None:
        return
    rows = SolvedTally.objects.filter(**bucket.key())
    if delta < 0:
        rows.filter(count__gte=-delta).update(count=F("count") + delta)
        return
    if rows.update(count=F("count") + delta):
        return
    try:
        with transaction.atomic():  # a savepoint: another transaction may have made the row meanwhile
            SolvedTally.objects.create(**bucket.key(), count=delta)
    except IntegrityError:
        rows.update(count=F("count") + delta)


def follow(before: Bucket | None, after: Bucket | None) -> None:
    """A status change: `before` is where the ticket counted before it (None if it was not solved), `after`
    where it counts now."""
    if before == after:
        return
    add(before, -1)
    add(after, +1)


def solved_like(*, category_id: int | None, device_model: str, now: datetime | None = None) -> dict[int, int]:
    """Per technician id, the tickets solved in the last MONTHS months in this category or on a device of this
    model. One query, on the tally's category and model indexes."""
    similar = Q()
    if category_id:
        similar |= Q(category_id=category_id)
    if device_model:
        similar |= Q(device_model=device_model)
    if not similar:
        return {}
    rows = (
        SolvedTally.objects.filter(similar, month__gte=first_month(now))
        .order_by()
        .values_list("technician_id")
        .annotate(n=Sum("count"))
    )
    return dict(rows)


def rebuild(*, apps=installed_apps, now: datetime | None = None) -> int:
    """Make the tally again from the tickets solved in the months the ranking reads. Returns the buckets made.

    `apps` is the app registry whose models are used: a migration passes its own."""
    ticket_model = apps.get_model("tickets", "Ticket")
    tally_model = apps.get_model("tickets", "SolvedTally")
    since = datetime.combine(first_month(now), datetime.min.time(), tzinfo=UTC)
    solved_at = Coalesce("resolved_at", "created_at")
    groups = (
        ticket_model.objects.filter(status__in=SOLVED, assignee__isnull=False)
        .annotate(solved_at=solved_at)
        .filter(solved_at__gte=since)
        .annotate(
            month=TruncMonth("solved_at", output_field=DateField(), tzinfo=UTC),
            model=Coalesce("device__model", Value("")),
        )
        .order_by()
        .values_list("assignee_id", "category_id", "model", "month")
        .annotate(n=Count("*"))
    )
    with transaction.atomic():
        tally_model.objects.all().delete()
        made = tally_model.objects.bulk_create(
            (
                tally_model(technician_id=technician, category_id=category, device_model=model, month=month, count=n)
                for technician, category, model, month, n in groups.iterator(chunk_size=5000)
            ),
            batch_size=5000,
        )
    return len(made)
