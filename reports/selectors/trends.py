"""Problem trends: the categories and resolution codes of the tickets over a period, what is rising against
the previous period of the same length, and which departments and locations drive each rise.

A category counts the tickets created in it (on their day of creation), a resolution code the tickets
resolved with it (on their day of resolution), as the rollups keep them (reports.rollups). Tickets without a
category, or resolved without a code, are not a topic and are left out.

What is rising (`is_rising`): at least MIN_TICKETS tickets this period, at least RISE (25 %) more than the
previous period, and a rise larger than two standard deviations of the previous count taken as a Poisson
count (count - previous >= 2 * sqrt(previous)), so a small number moving by chance is not called a trend.
A topic that had no ticket before and has MIN_TICKETS now is rising.

Every figure carries `filters`: the query-string parameters of the staff ticket list that shows exactly its
tickets.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from django.db.models import DateField, F, Q, Sum
from django.db.models.functions import TruncWeek

from assets.models import Department, Location
from reports.links import Filters, created_filters, resolved_filters
from reports.models import DayFigures
from reports.periods import Period
from reports.selectors.figures import covering_both, current_flag
from tickets.models import Category, ResolutionCode

Kind = Literal["category", "resolution_code"]
Within = tuple[Literal["", "department", "location"], str]

MIN_TICKETS = 10
RISE = 0.25
SIGMAS = 2.0


def topic_filters(kind: Kind, member: str, first: date, last: date, **more: str) -> Filters:
    if kind == "category":
        return created_filters(first, last, category=member, **more)
    return resolved_filters(first, last, resolution_code=member, **more)


def change_percent(count: int, previous: int) -> float | None:
    """The change against the previous period in per cent; None when there was nothing before."""
    return round(100 * (count - previous) / previous, 1) if previous else None


def is_rising(count: int, previous: int) -> bool:
    """The rule of the module's docstring."""
    return (
        count >= MIN_TICKETS
        and count >= (1 + RISE) * previous
        and count - previous >= SIGMAS * math.sqrt(previous)
        and count > previous
    )


@dataclass(frozen=True)
class Point:
    """One bar of a topic's chart: a day or a week (clipped to the period)."""

    first: date
    last: date
    count: int
    filters: Filters


@dataclass(frozen=True)
class Driver:
    """A department or location within a topic: its tickets this period and before."""

    dimension: Literal["department", "location"]
    member_id: int
    name: str
    count: int
    previous: int
    filters: Filters
    previous_filters: Filters

    @property
    def increase(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True)
class TopicRow:
    """A category or a resolution code: its count this period and the previous one, its series over the
    period's buckets and, when rising, what drives the rise (departments and locations that grew, most first)."""

    kind: Kind
    member: str  # the category's id, or the resolution code
    label: str
    count: int
    previous: int
    change: float | None
    rising: bool
    series: list[Point]
    filters: Filters
    previous_filters: Filters
    drivers: list[Driver]


@dataclass(frozen=True)
class TrendsReport:
    period: Period
    previous: Period
    by_week: bool
    within: Within
    categories: list[TopicRow]  # most tickets first; of as many, the larger rise first
    resolution_codes: list[TopicRow]

    @property
    def comparable(self) -> bool:
        """Whether the period before holds any ticket to compare with."""
        return any(row.previous for row in (*self.categories, *self.resolution_codes))

    @property
    def rising(self) -> list[TopicRow]:
        """The rising topics, the largest rise first."""
        rows = [row for row in (*self.categories, *self.resolution_codes) if row.rising]
        return sorted(rows, key=lambda row: (-(row.count - row.previous), row.label))


def _spans(period: Period) -> list[tuple[date, date]]:
    starts = period.buckets()
    spans = []
    for index, start in enumerate(starts):
        last = starts[index + 1] - timedelta(days=1) if index + 1 < len(starts) else period.last
        spans.append((max(start, period.first), min(last, period.last)))
    return spans


def problem_trends(period: Period, *, within: Within = ("", "")) -> TrendsReport:
    """Categories and resolution codes over `period`, whole or within one department or location.

    Queries: the series, the totals of both periods, the categories' names; unfiltered, when a topic is
    rising, also its drivers (the rising topics within each department and location) and the names of those
    departments and locations. So at most 3 queries within a department or location and 6 for the whole
    desk, however many tickets (fewer when nothing rises or there is nothing to name).
    """
    previous = period.previous()
    dimension, member_of = within
    more: dict[str, str] = {dimension: member_of} if dimension else {}
    slice_of = {"group_by__in": ("category", "resolution_code"), "within": dimension, "within_member": member_of}
    current = current_flag(period)

    # 1. The series of this period, by day or by week.
    bucket: TruncWeek | F = TruncWeek("day", output_field=DateField()) if period.by_week() else F("day")
    series: dict[tuple[str, str], dict[date, int]] = defaultdict(dict)
    rows = (
        DayFigures.objects.filter(**slice_of, grain="day", day__gte=period.first, day__lte=period.last)
        .annotate(bucket=bucket)
        .values_list("group_by", "member", "bucket")
        .annotate(created=Sum("created"), resolved=Sum("resolved"))
        .order_by()
    )
    for group_by, member, start, created, resolved in rows:
        series[(group_by, member)][start] = created if group_by == "category" else resolved

    # 2. The totals of both periods.
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # [this period, previous]
    for group_by, member, is_current, created, resolved in (
        DayFigures.objects.filter(covering_both(period), **slice_of)
        .annotate(current=current)
        .values_list("group_by", "member", "current")
        .annotate(created=Sum("created"), resolved=Sum("resolved"))
        .order_by()
    ):
        totals[(group_by, member)][0 if is_current else 1] += created if group_by == "category" else resolved

    # 3. The categories' names (a handful of rows: the catalogue, not the tickets).
    category_ids = [int(member) for group_by, member in totals if group_by == "category" and member.isdigit()]
    category_names = {
        pk: str(category) for pk, category in Category.objects.select_related("parent").in_bulk(category_ids).items()
    }

    # 4-6. Who drives each topic: its slices within each department and location, both periods.
    drivers: dict[tuple[str, str], list[Driver]] = defaultdict(list)
    # A period before the desk's first tickets holds nothing: every topic would look new, none is rising.
    comparable = any(before for _count, before in totals.values())
    # Only the rising topics are broken down: the rest show no drivers.
    rising_topics = [
        key for key, (count, before) in totals.items() if key[1] and comparable and is_rising(count, before)
    ]
    if not dimension and rising_topics:
        which = Q()
        for group_by, member in rising_topics:
            which |= Q(group_by=group_by, member=member)
        within_rows: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
        for group_by, member, where, where_member, is_current, created, resolved in (
            DayFigures.objects.filter(covering_both(period), which, within__in=("department", "location"))
            .annotate(current=current)
            .values_list("group_by", "member", "within", "within_member", "current")
            .annotate(created=Sum("created"), resolved=Sum("resolved"))
            .order_by()
        ):
            if where_member.isdigit():
                key = (group_by, member, where, where_member)
                within_rows[key][0 if is_current else 1] += created if group_by == "category" else resolved
        department_ids = {int(m) for (_g, _m, where, m) in within_rows if where == "department"}
        location_ids = {int(m) for (_g, _m, where, m) in within_rows if where == "location"}
        names = {
            "department": {pk: d.translated_name for pk, d in Department.objects.in_bulk(list(department_ids)).items()},
            "location": {pk: str(place) for pk, place in Location.objects.in_bulk(list(location_ids)).items()},
        }
        for (group_by, member, where, where_member), (count, before) in within_rows.items():
            kind: Kind = "category" if group_by == "category" else "resolution_code"
            place: Literal["department", "location"] = "department" if where == "department" else "location"
            at: dict[str, str] = {where: where_member}
            drivers[(group_by, member)].append(
                Driver(
                    dimension=place,
                    member_id=int(where_member),
                    name=names[place].get(int(where_member), where_member),
                    count=count,
                    previous=before,
                    filters=topic_filters(kind, member, period.first, period.last, **at),
                    previous_filters=topic_filters(kind, member, previous.first, previous.last, **at),
                )
            )

    spans = _spans(period)
    code_labels = dict(ResolutionCode.choices)

    def topic(group_by: str, member: str) -> TopicRow:
        kind: Kind = "category" if group_by == "category" else "resolution_code"
        count, before = totals[(group_by, member)]
        by_bucket = series.get((group_by, member), {})
        points = [
            Point(
                first, last, by_bucket.get(period.bucket_of(first), 0), topic_filters(kind, member, first, last, **more)
            )
            for first, last in spans
        ]
        rising = comparable and is_rising(count, before)
        grew = sorted(
            (driver for driver in drivers.get((group_by, member), []) if driver.increase > 0),
            key=lambda driver: (-driver.increase, -driver.count, driver.dimension, driver.name),
        )
        label = category_names.get(int(member), member) if kind == "category" else str(code_labels.get(member, member))
        return TopicRow(
            kind=kind,
            member=member,
            label=label,
            count=count,
            previous=before,
            change=change_percent(count, before),
            rising=rising,
            series=points,
            filters=topic_filters(kind, member, period.first, period.last, **more),
            previous_filters=topic_filters(kind, member, previous.first, previous.last, **more),
            drivers=grew if rising else [],
        )

    def ranked(group_by: str) -> list[TopicRow]:
        rows = [
            topic(g, member)
            for (g, member), (count, before) in totals.items()
            if g == group_by and member and (count or before)
        ]
        return sorted(rows, key=lambda row: (-row.count, row.previous, row.label))

    return TrendsReport(
        period=period,
        previous=previous,
        by_week=period.by_week(),
        within=within,
        categories=ranked("category"),
        resolution_codes=ranked("resolution_code"),
    )
