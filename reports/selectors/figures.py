"""Reading the rollups: sums of a slice over a period and its previous period, by day, in one query each;
sums over whole months read the monthly rows (`covering`)."""

from collections import Counter, defaultdict
from datetime import date, timedelta

from django.db.models import Case, Q, Sum, Value, When
from django.db.models.fields import BooleanField

from reports import durations
from reports.models import MEASURES, DayDurations, DayFigures
from reports.periods import Period

Slice = dict[str, str]  # group_by, member, within, within_member: the filter of one slice of rows


def days(where: Slice, first: date, last: date) -> dict[date, Counter[str]]:
    """The figures of one slice for each day from `first` to `last` that has any."""
    rows = DayFigures.objects.filter(**where, grain="day", day__gte=first, day__lte=last).values_list("day", *MEASURES)
    found: dict[date, Counter[str]] = {}
    for day, *values in rows:
        found[day] = Counter(dict(zip(MEASURES, values, strict=True)))
    return found


def total(by_day: dict[date, Counter[str]], period: Period) -> Counter[str]:
    summed: Counter[str] = Counter()
    for day, measures in by_day.items():
        if period.first <= day <= period.last:
            summed.update(measures)
    return summed


def sum_before(where: Slice, day: date, measure: str) -> int:
    """A measure summed over every day before `day` (the backlog at a period's start)."""
    return DayFigures.objects.filter(**where, grain="day", day__lt=day).aggregate(n=Sum(measure))["n"] or 0


def covering_ranges(period: Period) -> list[tuple[str, date, date]]:
    """The (grain, first day, last day) ranges of rows that count exactly the days of `period`: its whole
    months from the monthly rows, the days before and after them from the daily ones. Only the parts there
    are: a period of whole months is one range."""
    months_from = period.first if period.first.day == 1 else _next_month(period.first)
    months_until = (period.last + timedelta(days=1)).replace(day=1)  # the whole months end before this
    if months_from >= months_until:
        return [("day", period.first, period.last)]
    ranges = [("month", months_from, months_until - timedelta(days=1))]
    if period.first < months_from:
        ranges.append(("day", period.first, months_from - timedelta(days=1)))
    if months_until <= period.last:
        ranges.append(("day", months_until, period.last))
    return ranges


def covering(period: Period) -> Q:
    """The rows (figures or durations) that count exactly the days of `period` (covering_ranges): a period
    of whole months is one range of one index, which PostgreSQL can read alone (an OR of ranges is a bitmap
    scan, which reads the table too)."""
    which = Q()
    for grain, first, last in covering_ranges(period):
        which |= Q(grain=grain, day__gte=first, day__lte=last)
    return which


def covering_both(period: Period) -> Q:
    """The rows that count the days of `period` and of the period before it: one range of months when both
    are whole months back to back (last month and the one before, a year and the year before)."""
    previous = period.previous()
    if period.first.day == 1 and previous.last + timedelta(days=1) == period.first:
        return covering(Period(previous.first, period.last))
    return covering(period) | covering(previous)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def current_flag(period: Period) -> Case:
    """True for the rows of `period`, False for those of the period before it (days and months alike)."""
    return Case(When(day__gte=period.first, then=Value(True)), default=Value(False), output_field=BooleanField())


def histograms(where: Slice, period: Period) -> dict[tuple[bool, str], Counter[int]]:
    """Duration histograms of a slice for (this period?, measure): both periods in one query."""
    current = current_flag(period)
    rows = (
        DayDurations.objects.filter(covering_both(period), **where)
        .annotate(current=current)
        .values_list("current", "measure", "bucket")
        .annotate(n=Sum("count"))
        .order_by()
    )
    found: dict[tuple[bool, str], Counter[int]] = defaultdict(Counter)
    for is_current, measure, bucket, n in rows:
        found[(is_current, measure)][bucket] += n
    return found


def percentiles(histogram: Counter[int]) -> tuple[int | None, int | None]:
    """(median, 90th percentile) in working minutes."""
    return durations.percentile(histogram, 0.5), durations.percentile(histogram, 0.9)


def share(part: int, whole: int) -> float | None:
    """`part` of `whole` in per cent; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None
