"""Reading the rollups: sums of a slice over a period and its previous period, by day, in one query each."""

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Case, Sum, Value, When
from django.db.models.fields import BooleanField

from reports import durations
from reports.models import MEASURES, DayDurations, DayFigures
from reports.periods import Period

Slice = dict[str, str]  # group_by, member, within, within_member: the filter of one slice of rows


def days(where: Slice, first: date, last: date) -> dict[date, Counter[str]]:
    """The figures of one slice for each day from `first` to `last` that has any."""
    rows = DayFigures.objects.filter(**where, day__gte=first, day__lte=last).values_list("day", *MEASURES)
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
    return DayFigures.objects.filter(**where, day__lt=day).aggregate(n=Sum(measure))["n"] or 0


def histograms(where: Slice, period: Period) -> dict[tuple[bool, str], Counter[int]]:
    """Duration histograms of a slice for (this period?, measure): both periods in one query."""
    previous = period.previous()
    current = Case(When(day__gte=period.first, then=Value(True)), default=Value(False), output_field=BooleanField())
    rows = (
        DayDurations.objects.filter(**where, day__gte=previous.first, day__lte=period.last)
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
