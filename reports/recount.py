"""The nightly recount of the rollups (reports.rollups): made again from the tickets and Events, a month of
days at a time, compared with the rows the changes kept, and put right where they differ; every difference
is logged. Also the rebuild after a bulk load (the benchmark, the demo), which writes with COPY.
"""

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q

from core.days import day_of, desk_zone
from reports.models import DayDurations, DayFigures
from reports.rollups import (
    ACTIVITY,
    FACT_COLUMNS,
    FIGURE_COLUMNS,
    SLICE_COLUMNS,
    Facts,
    Row,
    Tally,
    event_figures,
    ticket_figures,
)
from tickets.models import SOLVED_STATUSES, Event, Ticket, TicketStatus, TrainingSetup

logger = logging.getLogger(__name__)


@dataclass
class Recount:
    """What a recount found: rows it checked, and rows that differed (and were put right, unless asked not
    to): how many, and the first EXAMPLES of them in words."""

    rows: int = 0
    differing: int = 0
    differences: list[str] = field(default_factory=list)

    def differ(self, what: object, stored: object, counted: object) -> None:
        self.differing += 1
        if len(self.differences) < EXAMPLES:
            self.differences.append(f"{what}: stored {stored}, counted {counted}")


EXAMPLES = 100


def recount(*, fix: bool = True, since: date | None = None, until: date | None = None) -> Recount:
    """Make the figures again from the tickets and Events, a month of days at a time, and compare them with
    the rows. Every difference is logged and, with `fix`, put right."""
    zone = desk_zone()
    first = Ticket.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None and since is None:
        result = Recount()
        if fix:
            for row in DayFigures.objects.all()[:EXAMPLES]:
                result.differ(row, "a row", None)
            DayFigures.objects.all().delete()
            DayDurations.objects.all().delete()
        return result
    if since is not None:
        start = since
    else:
        assert first is not None  # no tickets and no `since` returned above
        start = day_of(first, zone)
    # Whole months: a window holds its month's monthly histograms whole.
    start = start.replace(day=1)
    end = until or (datetime.now(UTC).astimezone(zone).date() + timedelta(days=1))
    codes = TrainingSetup.codes()
    result = Recount()
    for low, high in _months(start, end):
        _recount_window(low, high, zone, codes, fix, result)
    if result.differing:
        logger.warning(
            "reports: %d rollup rows differed from a recount, for example: %s",
            result.differing,
            "; ".join(result.differences[:5]),
        )
    return result


def _months(start: date, end: date) -> Iterator[tuple[date, date]]:
    low = start
    while low <= end:
        high = min(date(low.year + low.month // 12, low.month % 12 + 1, 1), end + timedelta(days=1))
        yield low, high
        low = high


def _window_tally(low: date, high: date, zone: ZoneInfo, codes: frozenset[str]) -> Tally:
    begin = datetime.combine(low, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(high, datetime.min.time(), tzinfo=zone)
    touching = (
        Q(created_at__gte=begin, created_at__lt=end)
        | Q(status__in=SOLVED_STATUSES, resolved_at__gte=begin, resolved_at__lt=end)
        | Q(status=TicketStatus.CANCELLED, closed_at__gte=begin, closed_at__lt=end)
    )
    tally = Tally()
    rows = Ticket.objects.filter(touching).order_by().values_list(*FACT_COLUMNS)
    for values in rows.iterator(chunk_size=5000):
        ticket_figures(Facts(*values), codes, zone, into=tally)
    activity = Event.objects.filter(action__in=ACTIVITY, created_at__gte=begin, created_at__lt=end).values_list(
        "action", "actor_id", "old", "new", "created_at"
    )
    for action, actor_id, old, new, at in activity.iterator(chunk_size=5000):
        event_figures(action, actor_id, old or {}, new or {}, at, zone, into=tally)
    # A ticket of the window counts on days outside it too (created before, resolved in it): those days
    # are their own window's.
    return Tally(
        figures={key: values for key, values in tally.figures.items() if low <= key[0][0] < high and any(values)},
        durations={key: value for key, value in tally.durations.items() if low <= key[0][0] < high and value},
    )


def _recount_window(low: date, high: date, zone: ZoneInfo, codes: frozenset[str], fix: bool, result: Recount) -> None:
    with transaction.atomic():
        # Changes made meanwhile wait for the window's check (readers do not): a change commits either
        # before the recount reads or after it writes, so both see it or neither does.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (DayFigures, DayDurations))
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        stored: dict[tuple[Row, str], tuple[int, list[int]]] = {}
        for pk, *key_and_values in (
            DayFigures.objects.filter(day__gte=low, day__lt=high)
            .order_by()
            .values_list("pk", *FIGURE_COLUMNS)
            .iterator(chunk_size=10000)
        ):
            stored[(tuple(key_and_values[:5]), key_and_values[5])] = (pk, list(key_and_values[6:]))
        stored_durations: dict[tuple[Row, str, int, str], tuple[int, int]] = {}
        for pk, *key, measure, bucket, grain, count in (
            DayDurations.objects.filter(day__gte=low, day__lt=high)
            .order_by()
            .values_list("pk", *SLICE_COLUMNS, "measure", "bucket", "grain", "count")
            .iterator(chunk_size=10000)
        ):
            stored_durations[(tuple(key), measure, bucket, grain)] = (pk, count)
        expected = _window_tally(low, high, zone, codes)
        result.rows += len(expected.figures) + len(expected.durations)
        stale: list[int] = []
        fresh: list[tuple] = []
        for key in stored.keys() | expected.figures.keys():
            want = expected.figures.get(key)
            have = stored.get(key)
            if have is not None and want is not None and have[1] == want:
                continue
            if have is not None and want is None and not any(have[1]):
                continue  # a row that came to nothing: harmless
            result.differ(key, have[1] if have else None, want)
            if have is not None:
                stale.append(have[0])
            if want is not None:
                fresh.append((*key[0], key[1], *want))
        stale_durations: list[int] = []
        fresh_durations: list[tuple] = []
        for key in stored_durations.keys() | expected.durations.keys():
            want_count = expected.durations.get(key, 0)
            have_pair = stored_durations.get(key)
            have_count = have_pair[1] if have_pair else 0
            if have_count == want_count:
                continue
            result.differ(key, have_count, want_count)
            if have_pair is not None:
                stale_durations.append(have_pair[0])
            if want_count:
                fresh_durations.append((*key[0], key[1], key[2], key[3], want_count))
        if fix:
            DayFigures.objects.filter(pk__in=stale).delete()
            _insert(DayFigures, list(FIGURE_COLUMNS), fresh)
            DayDurations.objects.filter(pk__in=stale_durations).delete()
            _insert(DayDurations, [*SLICE_COLUMNS, "measure", "bucket", "grain", "count"], fresh_durations)


def _insert(model: type[DayFigures] | type[DayDurations], columns: list[str], rows: list[tuple]) -> None:
    """Write new rows: by COPY on PostgreSQL (a recount after a bulk load writes millions), else in batches."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        made = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model.objects.bulk_create(made, batch_size=2000)  # type: ignore[arg-type]
        return
    # A row is the day, the four slice names (the only text that may need escaping), then numbers and
    # plain words (the grain, the durations' measure name).
    text = io.StringIO()
    text.writelines(
        "\t".join((row[0].isoformat(), *map(_copy_text, row[1:5]), *map(str, row[5:]))) + "\n" for row in rows
    )
    text.seek(0)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # psycopg2's copy_expert; the names come from the model.
        cursor.cursor.copy_expert(
            f"COPY {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN", text
        )


def _copy_text(text: str) -> str:
    """Text in COPY's text format: backslash, tab and line breaks escaped."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text
