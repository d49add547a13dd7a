"""Business-calendar arithmetic for SLA clocks: pure functions, no database, no Django.

An SLA promises an answer within so much *working* time, so every clock needs the same answers to "is this
working time?", "how much working time lies between these two moments?" and "when will so much working time
have passed?". They live here, apart from the models, so that they can be tested exhaustively (with
hypothesis) and give every caller the same result.

Conventions, chosen so that the arithmetic is exact and its properties hold without exceptions:

* Working hours are wall-clock hours of the calendar's time zone, one period a day at most. A day's period
  is turned into two instants with zoneinfo (a wall time that does not exist or exists twice on a
  daylight-saving day takes ``fold=0``: the offset in force before the switch). Working *time* is then real
  elapsed time between instants, so a round-the-clock day on which the clocks go forward holds 23 hours.
  Europe switches at night, outside any office's hours; a switch inside working hours lengthens or
  shortens that day's period by the shift, and nothing more is made of it.
* Working time is the half-open period ``[start, end)``: at 08:00 work has begun, at 17:00 it has ended, so
  ``is_working_time`` is false at 17:00 and ``next_working_moment`` of 17:00 is the next morning.
* A due time is the *earliest* moment at which the owed working time has elapsed, and that may be the end
  of a period: one working hour from 16:00 is due at 17:00 today, not at 08:00 tomorrow. So a due time lies
  in working time or exactly at the end of a period, never in closed time. With a zero duration the due
  time is the moment itself when it lies in ``[start, end]`` of a period, else the next period's start;
  this is what makes ``add(add(s, a), b) == add(s, a + b)`` hold exactly. At its due time a clock has
  just met its target, so it is breached only *after* it (``now > due``).
* All arithmetic runs on UTC instants: Python compares and subtracts two datetimes of the *same* zone by
  their wall clocks, ignoring ``fold``, which is wrong during the repeated autumn hour. Results are given in
  the calendar's zone; compare them with other aware datetimes freely (mixed zones compare in UTC), but
  convert to UTC before subtracting two results of the same zone across a daylight-saving switch.

Every function raises ValueError for a naive datetime: a moment without a zone has no place in a calendar.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

WorkingHours = tuple[time, time]
"""A day's working period as wall-clock (start, end); an end of 00:00 means midnight at the end of the day."""

Pause = tuple[datetime, datetime | None]
"""A pause of an SLA clock, from its start to its end; an end of None means the pause still runs."""

MIDNIGHT = time(0)

# A search for the next working period gives up after this many days without one (every day closed): a
# calendar like that is a configuration error, better raised than looped over.
MAX_IDLE_DAYS = 3 * 366

ONE_DAY = timedelta(days=1)
ZERO = timedelta(0)


@dataclass(frozen=True)
class BusinessCalendar:
    """When an organisation works: weekly wall-clock hours in one time zone, less its closed days.

    ``hours`` holds seven entries, Monday first; None closes that weekday. ``closed_days`` are the public
    holidays and the organisation's own closed days, already resolved to dates (see ``standard`` and
    ``public_holidays``): the calendar knows only the dates it was given, so build it for every year its
    clocks may run in. The calendar is immutable and hashable, so one instance can be shared and cached.
    """

    time_zone: str
    hours: tuple[WorkingHours | None, ...]
    closed_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # Accept any sequence of hours and any set of dates, but keep the stored values hashable.
        object.__setattr__(self, "hours", tuple(self.hours))
        object.__setattr__(self, "closed_days", frozenset(self.closed_days))
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from error
        if len(self.hours) != 7:
            raise ValueError(f"hours needs 7 entries, Monday first, not {len(self.hours)}")
        for weekday, period in enumerate(self.hours):
            if period is None:
                continue
            start, end = period
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError(f"working hours are wall-clock times without a zone (weekday {weekday})")
            if end != MIDNIGHT and not start < end:
                raise ValueError(f"working hours of weekday {weekday} must end ({end}) after they start ({start})")
        if all(period is None for period in self.hours):
            raise ValueError("a business calendar needs at least one working weekday")

    @property
    def zone(self) -> ZoneInfo:
        # ZoneInfo caches its instances by key, so this is a dictionary look-up, not a file read.
        return ZoneInfo(self.time_zone)

    @classmethod
    def standard(
        cls,
        time_zone: str,
        country: str | None = None,
        subdivision: str | None = None,
        years: Iterable[int] = (),
        extra_closed: Iterable[date] = (),
    ) -> BusinessCalendar:
        """Monday to Friday 08:00-17:00, closed on ``country``'s public holidays of ``years`` and ``extra_closed``.

        ``years`` is required with a country: holidays are resolved to dates once, here, and a year left out
        would silently count its holidays as working days.
        """
        closed = set(extra_closed)
        if country is not None:
            years = tuple(years)
            if not years:
                raise ValueError("name the years whose public holidays the calendar should close")
            closed |= public_holidays(country, years, subdivision)
        office = (time(8), time(17))
        return cls(time_zone=time_zone, hours=(office,) * 5 + (None, None), closed_days=frozenset(closed))


def public_holidays(country: str, years: int | Iterable[int], subdivision: str | None = None) -> frozenset[date]:
    """The public holidays of ``country`` (ISO 3166 code, e.g. "SE") in ``years``, from the holidays package.

    Cached per (country, subdivision, year): building a calendar per request or per ticket costs a set union.
    """
    if isinstance(years, int):
        years = (years,)
    days: set[date] = set()
    for year in years:
        days |= _public_holidays_of_year(country, subdivision, year)
    return frozenset(days)


@functools.cache
def _public_holidays_of_year(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError as error:  # how the holidays package says "no such country or subdivision"
        raise ValueError(f"no public holidays known for {country!r}, subdivision {subdivision!r}") from error
    return frozenset(calendar.keys())


def is_working_time(calendar: BusinessCalendar, moment: datetime) -> bool:
    """Whether ``moment`` lies inside a working period (the period's end is not working time)."""
    instant = _utc(moment)
    return any(begin <= instant for begin, _ in _periods(calendar, instant, until=instant))


def next_working_moment(calendar: BusinessCalendar, moment: datetime) -> datetime:
    """``moment`` itself if it is working time, else the start of the next working period."""
    instant = _utc(moment)
    begin, _ = next(_periods(calendar, instant))
    return _local(calendar, max(begin, instant))


def add_business_time(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The due time: the earliest moment by which ``duration`` of working time has elapsed since ``start``.

    The result lies in working time or exactly at the end of a working period (see the module's
    conventions). Walks period by period, so 300 hours cost about forty steps, not eighteen thousand.
    """
    if duration < ZERO:
        raise ValueError(f"a duration of business time cannot be negative ({duration})")
    instant = _utc(start)
    return _local(calendar, _add(calendar, instant, duration))


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """The working time inside ``[start, end)``; zero when ``end`` is not after ``start``."""
    return _between(calendar, _utc(start), _utc(end))


def paused_business_time(
    calendar: BusinessCalendar, start: datetime, now: datetime, pauses: Iterable[Pause]
) -> timedelta:
    """The working time between ``start`` and ``now`` during which the clock was paused.

    Pauses may overlap one another and begin before ``start``; each moment counts once. A pause still
    running (end None) runs to ``now``.
    """
    begin, end = _utc(start), _utc(now)
    normalised = _normalised(pauses)  # before any shortcut, so that bad pauses are always reported
    if end <= begin:
        return ZERO
    clipped = []
    for pause_start, pause_end in normalised:
        low, high = max(pause_start, begin), min(end if pause_end is None else pause_end, end)
        if low < high:
            clipped.append((low, high))
    return sum((_between(calendar, low, high) for low, high in _merged(clipped)), ZERO)


def business_time_elapsed(
    calendar: BusinessCalendar, start: datetime, now: datetime, pauses: Iterable[Pause] = ()
) -> timedelta:
    """The working time an SLA clock started at ``start`` has run by ``now``: working time less paused time.

    ``elapsed + paused_business_time(...) == business_time_between(start, now)``, exactly.
    """
    pauses = tuple(pauses)
    return business_time_between(calendar, start, now) - paused_business_time(calendar, start, now, pauses)


def due_at(
    calendar: BusinessCalendar, start: datetime, target: timedelta, pauses: Iterable[Pause] = ()
) -> datetime | None:
    """When a clock started at ``start`` will have run ``target`` of working time, given its pauses so far.

    The due time is the earliest moment at which ``business_time_elapsed`` reaches ``target``, with the same
    end-of-period convention as ``add_business_time`` (which it equals without pauses). With closed pauses
    that is ``add_business_time(start, target + paused working time before the due time)``: a pause that
    begins after the clock ran out (the SLA was already breached) leaves the due time where it was.

    A pause still running (end None) freezes the clock from its start on: if the target was reached before
    it began, the due time is known and returned; otherwise it depends on when the pause ends, and the
    result is None until then.

    A priority change is a new ``target`` with the same ``start`` and the same ``pauses``, so time already
    paused stays paused and nothing needs re-basing; a larger target never gives an earlier due time.
    """
    if target < ZERO:
        raise ValueError(f"a target of business time cannot be negative ({target})")
    clock_start = _utc(start)
    # The clock cannot be paused before it starts: clip pauses to the start, then walk the running
    # stretches between them, spending the target on each until it runs out.
    clipped: list[tuple[datetime, datetime | None]] = []
    for pause_start, pause_end in _normalised(pauses):
        if pause_end is None or pause_end > clock_start:
            clipped.append((max(pause_start, clock_start), pause_end))
    cursor, remaining = clock_start, target
    for pause_start, pause_end in _merged_open(clipped):
        running = _between(calendar, cursor, pause_start)
        if running >= remaining:
            due = _add(calendar, cursor, remaining)
            # Always true unless nothing at all is owed and no working time precedes the pause.
            if due <= pause_start:
                return _local(calendar, due)
        remaining -= running
        if pause_end is None:
            return None
        cursor = pause_end
    return _local(calendar, _add(calendar, cursor, remaining))


# --- the walk over working periods ------------------------------------------------------------------


def _add(calendar: BusinessCalendar, instant: datetime, duration: timedelta) -> datetime:
    remaining = duration
    # touching=True: a period ending exactly at `instant` is offered, so a zero duration at 17:00 stays at
    # 17:00 (the end-of-period convention) instead of jumping to the next morning.
    for begin, end in _periods(calendar, instant, touching=True):
        begin = max(begin, instant)
        if begin + remaining <= end:
            return begin + remaining
        remaining -= end - begin
    raise AssertionError("unreachable: _periods raises rather than run dry")  # pragma: no cover


def _between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    if end <= start:
        return ZERO
    total = ZERO
    for begin, finish in _periods(calendar, start, until=end):
        if begin >= end:
            break
        total += min(finish, end) - max(begin, start)
    return total


def _periods(
    calendar: BusinessCalendar, since: datetime, *, until: datetime | None = None, touching: bool = False
) -> Iterator[tuple[datetime, datetime]]:
    """The working periods, as UTC (begin, end), that end after ``since`` (or at it, when ``touching``).

    Without ``until`` the walk goes on as long as the caller consumes it, and raises ValueError after
    MAX_IDLE_DAYS days without a working period. With ``until`` it stops after the last day that can hold
    a period beginning before ``until``.
    """
    zone = calendar.zone
    # From the day before: a period never crosses its day's midnight, but starting a day early costs one
    # step and spares any reasoning about moments whose local date is odd around a switch.
    day = since.astimezone(zone).date() - ONE_DAY
    last_day = None if until is None else until.astimezone(zone).date() + ONE_DAY
    idle_days = 0
    while last_day is None or day <= last_day:
        period = _period(calendar, zone, day)
        if period is None:
            idle_days += 1
            if last_day is None and idle_days > MAX_IDLE_DAYS:
                raise ValueError(f"no working period in the {MAX_IDLE_DAYS} days before {day}: is every day closed?")
        else:
            idle_days = 0
            if period[1] > since or (touching and period[1] == since):
                yield period
        day += ONE_DAY


def _period(calendar: BusinessCalendar, zone: ZoneInfo, day: date) -> tuple[datetime, datetime] | None:
    if day in calendar.closed_days:
        return None
    hours = calendar.hours[day.weekday()]
    if hours is None:
        return None
    start, end = hours
    begin = datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
    finish = datetime.combine(day + ONE_DAY if end == MIDNIGHT else day, end, tzinfo=zone).astimezone(UTC)
    # Only hours that lie within a daylight-saving gap can come out empty or reversed: no work that day.
    if finish <= begin:
        return None
    return begin, finish


# --- helpers --------------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"business time needs timezone-aware datetimes, not the naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def _local(calendar: BusinessCalendar, instant: datetime) -> datetime:
    return instant.astimezone(calendar.zone)


def _normalised(pauses: Iterable[Pause]) -> list[tuple[datetime, datetime | None]]:
    result = []
    for pause_start, pause_end in pauses:
        low = _utc(pause_start)
        high = None if pause_end is None else _utc(pause_end)
        if high is not None and high < low:
            raise ValueError(f"a pause cannot end ({pause_end}) before it starts ({pause_start})")
        result.append((low, high))
    return result


def _merged(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Overlapping or touching intervals joined, in order."""
    merged: list[tuple[datetime, datetime]] = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _merged_open(intervals: Iterable[tuple[datetime, datetime | None]]) -> list[tuple[datetime, datetime | None]]:
    """Like _merged, where an end of None runs forever (so it swallows everything after its start)."""
    merged: list[tuple[datetime, datetime | None]] = []
    for low, high in sorted(intervals, key=lambda interval: interval[0]):
        if merged and (merged[-1][1] is None or low <= merged[-1][1]):
            previous_low, previous_high = merged[-1]
            if previous_high is None or high is None:
                merged[-1] = (previous_low, None)
            else:
                merged[-1] = (previous_low, max(previous_high, high))
        else:
            merged.append((low, high))
    return merged
