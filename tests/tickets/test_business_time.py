"""Business-time arithmetic: properties over random calendars (hypothesis), then worked examples.

No database: these are pure functions. Datetimes are compared in UTC throughout, because Python compares two
datetimes of the same zone by wall clock, ignoring `fold`, which is wrong in the repeated autumn hour.
"""

import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickets import business_time
from tickets.business_time import (
    BusinessCalendar,
    add_business_time,
    business_time_between,
    business_time_elapsed,
    due_at,
    is_working_time,
    next_working_moment,
    paused_business_time,
    public_holidays,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WARSAW = ZoneInfo("Europe/Warsaw")
MICROSECOND = timedelta(microseconds=1)
ZERO = timedelta(0)

# Zones with daylight saving at night (Europe, New York), at midnight (Santiago), by half an hour
# (Lord Howe), and none at all.
ZONES = ["Europe/Stockholm", "Europe/Warsaw", "America/New_York", "America/Santiago", "Australia/Lord_Howe", "UTC"]
SWEDISH_HOLIDAYS = public_holidays("SE", range(2026, 2030))

# Modest, so that the whole file runs in a few seconds on a two-core machine.
property_settings = settings(max_examples=150, deadline=None)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


# --- strategies -------------------------------------------------------------------------------------


@st.composite
def day_hours(draw: st.DrawFn) -> tuple[time, time] | None:
    """None (closed) or a period of at least half an hour, possibly ending at midnight (00:00)."""
    if draw(st.booleans()):
        return None
    start = draw(st.integers(0, 24 * 60 - 30))
    end = draw(st.integers(start + 30, 24 * 60))
    return time(*divmod(start, 60)), time(*divmod(end % (24 * 60), 60))


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    time_zone = draw(st.sampled_from(ZONES))
    hours = draw(
        st.one_of(
            st.just(((time(8), time(17)),) * 5 + (None, None)),
            st.just(((time(0), time(0)),) * 7),
            st.tuples(*[day_hours()] * 7).filter(lambda week: any(week)),
        )
    )
    # Day numbers rather than st.dates: as random, and much cheaper to draw.
    offsets = draw(st.lists(st.integers(0, 3 * 366), max_size=30))
    closed = frozenset(date(2026, 1, 1) + timedelta(days=offset) for offset in offsets)
    if draw(st.booleans()):
        closed |= SWEDISH_HOLIDAYS
    return BusinessCalendar(time_zone=time_zone, hours=hours, closed_days=closed)


@st.composite
def moments(draw: st.DrawFn, calendar: BusinessCalendar) -> datetime:
    """Aware datetimes in 2026-2028, in the calendar's zone (folds and gaps included) or in UTC.

    Built from a day and a wall time that is often one of the calendar's own boundaries, so that moments
    exactly at the start or end of a period come up often (st.datetimes would seldom hit them).
    """
    day = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 3 * 365)))
    boundaries = sorted({moment for period in calendar.hours if period for moment in period})
    wall = draw(st.sampled_from(boundaries) | st.times())
    local = datetime.combine(day, wall, tzinfo=calendar.zone).replace(fold=draw(st.integers(0, 1)))
    return local if draw(st.booleans()) else utc(local)


def whole_minutes_or_any(most: timedelta) -> st.SearchStrategy[timedelta]:
    """Durations up to `most`: whole minutes (which meet period boundaries) or any microsecond count."""
    minutes = st.integers(0, most // timedelta(minutes=1)).map(lambda count: timedelta(minutes=count))
    microseconds = st.integers(0, most // MICROSECOND).map(lambda count: timedelta(microseconds=count))
    return minutes | microseconds


durations = whole_minutes_or_any(timedelta(hours=60))
spans = whole_minutes_or_any(timedelta(days=40))


def pauses(start: datetime, *, open_ones: bool) -> st.SearchStrategy[list[tuple[datetime, datetime | None]]]:
    """Pauses around a clock started at `start`: some before it, overlapping, touching, zero-length."""
    offset = st.integers(-3 * 24 * 60, 20 * 24 * 60).map(lambda minutes: utc(start) + timedelta(minutes=minutes))
    length = whole_minutes_or_any(timedelta(days=5))
    ends = st.none() | length if open_ones else length
    pause = st.tuples(offset, ends).map(lambda pair: (pair[0], None if pair[1] is None else pair[0] + pair[1]))
    return st.lists(pause, max_size=5)


# --- properties of add_business_time and business_time_between ---------------------------------------
# Related properties share one test, so that each drawn calendar (the costly part) is put to several uses.


@property_settings
@given(st.data(), calendars(), durations, spans, durations)
def test_a_due_time_is_in_working_time_and_measures_its_duration(data, calendar, duration, delay, more):
    start = data.draw(moments(calendar))
    due = add_business_time(calendar, start, duration)

    assert due.tzinfo == calendar.zone
    assert utc(due) >= utc(start)
    # In working time, or exactly at the end of a period: then the moment before it is working time.
    worked = due if is_working_time(calendar, due) else utc(due) - MICROSECOND
    assert is_working_time(calendar, worked)
    day = worked.astimezone(calendar.zone).date()
    assert day not in calendar.closed_days
    assert calendar.hours[day.weekday()] is not None

    assert business_time_between(calendar, start, due) == duration
    if duration > ZERO:  # and it is the earliest such moment
        assert business_time_between(calendar, start, utc(due) - MICROSECOND) < duration
    # Monotonic: a later start or a longer duration is never due earlier.
    assert utc(add_business_time(calendar, utc(start) + delay, duration)) >= utc(due)
    assert utc(add_business_time(calendar, start, duration + more)) >= utc(due)


@property_settings
@given(st.data(), calendars(), st.booleans(), st.just(ZERO) | durations)
def test_adding_in_two_steps_is_adding_at_once(data, calendar, to_a_boundary, second):
    start = data.draw(moments(calendar))
    if to_a_boundary:
        # Exactly the working time up to one of the next days' boundaries, so that the first step often
        # ends at the end of a period: the case the end-of-period convention exists for.
        landmark = datetime.combine(
            utc(start).date() + timedelta(days=data.draw(st.integers(-1, 3))),
            data.draw(st.sampled_from(sorted({edge for period in calendar.hours if period for edge in period}))),
            tzinfo=calendar.zone,
        )
        first = business_time_between(calendar, start, landmark)
    else:
        first = data.draw(durations)
    in_steps = add_business_time(calendar, add_business_time(calendar, start, first), second)
    assert utc(in_steps) == utc(add_business_time(calendar, start, first + second))


@property_settings
@given(st.data(), calendars(), spans, spans)
def test_between_is_additive_and_bounded_by_real_time(data, calendar, first, second):
    start = data.draw(moments(calendar))
    middle = utc(start) + first
    end = middle + second
    whole = business_time_between(calendar, start, end)
    assert business_time_between(calendar, start, middle) + business_time_between(calendar, middle, end) == whole
    assert ZERO <= whole <= end - utc(start)
    assert business_time_between(calendar, end, start) == ZERO


@property_settings
@given(st.data(), calendars())
def test_working_time_is_where_the_clock_runs_and_next_working_moment_finds_it(data, calendar):
    moment = data.draw(moments(calendar))
    working = is_working_time(calendar, moment)
    tick = business_time_between(calendar, moment, utc(moment) + MICROSECOND)
    assert tick == (MICROSECOND if working else ZERO)

    following = next_working_moment(calendar, moment)
    assert is_working_time(calendar, following)
    assert utc(following) >= utc(moment)
    assert business_time_between(calendar, moment, following) == ZERO
    if working:
        assert utc(following) == utc(moment)
    # A zero duration lands there too, unless the moment is the very end of a period (which it keeps).
    assert utc(add_business_time(calendar, moment, ZERO)) in {utc(moment), utc(following)}


@settings(max_examples=100, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001 (hypothesis takes naive bounds; the zone comes next)
        max_value=datetime(2028, 12, 31),  # noqa: DTZ001
        timezones=st.just(STOCKHOLM),
    ),
    st.timedeltas(min_value=ZERO, max_value=timedelta(hours=300)),
)
def test_office_due_times_fall_on_swedish_working_days_between_eight_and_five(start, duration):
    # The wall clock checked independently, on a calendar whose hours never meet a daylight-saving switch.
    calendar = BusinessCalendar.standard("Europe/Stockholm", "SE", years=range(2026, 2030))
    due = add_business_time(calendar, start, duration)
    assert due.weekday() < 5
    assert due.date() not in SWEDISH_HOLIDAYS
    assert time(8) <= due.time() <= time(17)


# --- properties of pauses --------------------------------------------------------------------------


@property_settings
@given(st.data(), calendars(), spans)
def test_pauses_neither_lose_nor_gain_time(data, calendar, span):
    start = data.draw(moments(calendar))
    now = utc(start) + span
    paused = data.draw(pauses(start, open_ones=True))

    elapsed = business_time_elapsed(calendar, start, now, paused)
    paused_time = paused_business_time(calendar, start, now, paused)
    assert elapsed >= ZERO
    assert paused_time >= ZERO
    assert elapsed + paused_time == business_time_between(calendar, start, now)

    # Repeating or reordering pauses changes nothing, nor does splitting one in two adjacent ones.
    assert business_time_elapsed(calendar, start, now, paused + paused) == elapsed
    assert business_time_elapsed(calendar, start, now, reversed(paused)) == elapsed
    closed = [index for index, (_, end) in enumerate(paused) if end is not None]
    if closed:
        index = data.draw(st.sampled_from(closed))
        pause_start, pause_end = paused[index]
        assert pause_end is not None
        cut = pause_start + data.draw(st.timedeltas(min_value=ZERO, max_value=pause_end - pause_start))
        split = [*paused[:index], (pause_start, cut), (cut, pause_end), *paused[index + 1 :]]
        assert business_time_elapsed(calendar, start, now, split) == elapsed
        without_open = [pause for pause in paused if pause[1] is not None]
        split_without_open = [pause for pause in split if pause[1] is not None]
        target = data.draw(durations)
        assert due_at(calendar, start, target, split_without_open) == due_at(calendar, start, target, without_open)


@property_settings
@given(st.data(), calendars(), durations, durations)
def test_the_clock_reads_its_target_first_at_the_due_time(data, calendar, target, more):
    start = data.draw(moments(calendar))
    paused = data.draw(pauses(start, open_ones=False))
    due = due_at(calendar, start, target, paused)
    assert due is not None
    unpaused = add_business_time(calendar, start, target)
    assert due_at(calendar, start, target, []) == unpaused

    assert business_time_elapsed(calendar, start, due, paused) == target
    if target > ZERO:
        assert business_time_elapsed(calendar, start, utc(due) - MICROSECOND, paused) < target
        # Pauses before the due time push it back by their working time, and nothing else does.
        extra = paused_business_time(calendar, start, due, paused)
        assert utc(due) == utc(add_business_time(calendar, start, target + extra))
    assert utc(due) >= utc(unpaused)
    # A priority change (a new target, same start and pauses) keeps paused time paused: a longer target
    # is never due earlier.
    longer = due_at(calendar, start, target + more, paused)
    assert longer is not None
    assert utc(longer) >= utc(due)


@property_settings
@given(st.data(), calendars(), durations, spans, st.booleans())
def test_a_pause_after_the_due_time_changes_nothing_and_an_open_one_freezes_the_clock(
    data, calendar, target, delay, still_open
):
    start = data.draw(moments(calendar))
    paused = data.draw(pauses(start, open_ones=False))
    due = due_at(calendar, start, target, paused)
    assert due is not None

    late_start = utc(due) + delay
    late = (late_start, None if still_open else late_start + timedelta(hours=5))
    with_late_pause = due_at(calendar, start, target, [*paused, late])
    assert with_late_pause is not None
    assert utc(with_late_pause) == utc(due)

    # An open pause anywhere near the clock: the due time is known only if the clock ran out before it
    # began (and a pause cannot begin before the clock starts).
    open_start = utc(start) + data.draw(st.integers(-3 * 24 * 60, 20 * 24 * 60)) * timedelta(minutes=1)
    frozen = due_at(calendar, start, target, [*paused, (open_start, None)])
    if utc(due) <= max(open_start, utc(start)):
        assert frozen is not None
        assert utc(frozen) == utc(due)
    else:
        assert frozen is None


# --- worked examples --------------------------------------------------------------------------------


@pytest.fixture
def sweden() -> BusinessCalendar:
    return BusinessCalendar.standard("Europe/Stockholm", "SE", years=[2026, 2027])


def test_p1_opened_before_easter_is_due_after_easter_monday(sweden):
    # Thursday 2027-03-25, 16:30: half an hour today, then Good Friday (26th), the weekend (the clocks go
    # forward on the 28th) and Easter Monday (29th) are closed; the other half hour is Tuesday morning.
    opened = datetime(2027, 3, 25, 16, 30, tzinfo=STOCKHOLM)
    due = add_business_time(sweden, opened, timedelta(hours=1))
    assert due == datetime(2027, 3, 30, 8, 30, tzinfo=STOCKHOLM)
    assert due.utcoffset() == timedelta(hours=2)
    assert business_time_between(sweden, opened, due) == timedelta(hours=1)


def test_a_due_time_at_the_end_of_the_day_stays_there(sweden):
    opened = datetime(2027, 3, 25, 16, 0, tzinfo=STOCKHOLM)
    five = datetime(2027, 3, 25, 17, 0, tzinfo=STOCKHOLM)
    assert add_business_time(sweden, opened, timedelta(hours=1)) == five
    assert add_business_time(sweden, five, ZERO) == five
    assert not is_working_time(sweden, five)
    assert is_working_time(sweden, five - MICROSECOND)
    assert next_working_moment(sweden, five) == datetime(2027, 3, 30, 8, 0, tzinfo=STOCKHOLM)


def test_three_hundred_hours_are_thirty_three_days_and_three_hours(sweden):
    # From Monday 5 January 2026 08:00: Epiphany (Tuesday 6th) is closed, 33 full days end on Thursday
    # 19 February, and the last three hours are Friday morning.
    due = add_business_time(sweden, datetime(2026, 1, 5, 8, 0, tzinfo=STOCKHOLM), timedelta(hours=300))
    assert due == datetime(2026, 2, 20, 11, 0, tzinfo=STOCKHOLM)


def test_a_week_across_the_october_switch_in_warsaw():
    # The clocks go back on Sunday 25 October 2026, outside working hours: the week keeps 9-hour days.
    poland = BusinessCalendar.standard("Europe/Warsaw", "PL", years=[2026])
    friday = datetime(2026, 10, 23, 16, 0, tzinfo=WARSAW)
    due = add_business_time(poland, friday, timedelta(hours=4))
    assert due == datetime(2026, 10, 26, 11, 0, tzinfo=WARSAW)
    assert (friday.utcoffset(), due.utcoffset()) == (timedelta(hours=2), timedelta(hours=1))
    monday = datetime(2026, 10, 26, 8, 0, tzinfo=WARSAW)
    assert business_time_between(poland, friday, monday + timedelta(days=4, hours=9)) == timedelta(hours=46)


def test_a_week_across_the_march_switch_in_stockholm(sweden):
    # The clocks go forward on Sunday 29 March 2026; Friday 17:00 CET to Monday 08:00 CEST is closed.
    friday = datetime(2026, 3, 27, 15, 0, tzinfo=STOCKHOLM)
    due = add_business_time(sweden, friday, timedelta(hours=3))
    assert due == datetime(2026, 3, 30, 9, 0, tzinfo=STOCKHOLM)
    assert due.utcoffset() == timedelta(hours=2)


def test_round_the_clock_days_hold_real_hours_across_a_switch():
    always = BusinessCalendar("Europe/Stockholm", ((time(0), time(0)),) * 7)
    saturday_noon = datetime(2026, 3, 28, 12, 0, tzinfo=STOCKHOLM)
    sunday_noon = datetime(2026, 3, 29, 12, 0, tzinfo=STOCKHOLM)
    assert business_time_between(always, saturday_noon, sunday_noon) == timedelta(hours=23)
    # In the repeated hour of 25 October: 01:30 CEST plus two hours is 02:30 CET, the second one.
    due = add_business_time(always, datetime(2026, 10, 25, 1, 30, tzinfo=STOCKHOLM), timedelta(hours=2))
    assert utc(due) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert (due.hour, due.minute, due.fold) == (2, 30, 1)


def test_a_pause_waiting_for_the_requester_moves_the_due_time(sweden):
    monday = datetime(2026, 9, 7, 9, 0, tzinfo=STOCKHOLM)
    waiting = [(datetime(2026, 9, 7, 12, 0, tzinfo=STOCKHOLM), datetime(2026, 9, 8, 12, 0, tzinfo=STOCKHOLM))]
    # 3 hours on Monday, then paused until Tuesday noon, then the remaining 5 hours.
    assert due_at(sweden, monday, timedelta(hours=8), waiting) == datetime(2026, 9, 8, 17, 0, tzinfo=STOCKHOLM)
    tuesday_evening = datetime(2026, 9, 8, 17, 0, tzinfo=STOCKHOLM)
    assert business_time_elapsed(sweden, monday, tuesday_evening, waiting) == timedelta(hours=8)
    assert paused_business_time(sweden, monday, tuesday_evening, waiting) == timedelta(hours=9)


def test_a_clock_breached_before_its_pause_stays_breached(sweden):
    monday = datetime(2026, 9, 7, 9, 0, tzinfo=STOCKHOLM)
    eleven = datetime(2026, 9, 7, 11, 0, tzinfo=STOCKHOLM)
    noon = datetime(2026, 9, 7, 12, 0, tzinfo=STOCKHOLM)
    assert due_at(sweden, monday, timedelta(hours=2), [(noon, noon + timedelta(days=1))]) == eleven
    assert due_at(sweden, monday, timedelta(hours=2), [(noon, None)]) == eleven
    # Paused at ten, before the clock ran out: the due time waits for the pause to end.
    ten = datetime(2026, 9, 7, 10, 0, tzinfo=STOCKHOLM)
    assert due_at(sweden, monday, timedelta(hours=2), [(ten, None)]) is None
    assert due_at(sweden, monday, timedelta(hours=2), [(ten, noon)]) == datetime(2026, 9, 7, 13, 0, tzinfo=STOCKHOLM)


def test_a_priority_change_keeps_the_start_and_the_pauses(sweden):
    monday = datetime(2026, 9, 7, 9, 0, tzinfo=STOCKHOLM)
    paused = [(datetime(2026, 9, 7, 10, 0, tzinfo=STOCKHOLM), datetime(2026, 9, 7, 11, 0, tzinfo=STOCKHOLM))]
    assert due_at(sweden, monday, timedelta(hours=8), paused) == datetime(2026, 9, 8, 9, 0, tzinfo=STOCKHOLM)
    # Raised to P2, four hours: the hour already paused stays paused.
    assert due_at(sweden, monday, timedelta(hours=4), paused) == datetime(2026, 9, 7, 14, 0, tzinfo=STOCKHOLM)


# --- validation, holidays, independence from Django -------------------------------------------------


def test_naive_datetimes_are_refused(sweden):
    naive = datetime(2026, 9, 7, 9, 0)  # noqa: DTZ001 (the point of the test)
    aware = naive.replace(tzinfo=STOCKHOLM)
    calls = [
        lambda: is_working_time(sweden, naive),
        lambda: next_working_moment(sweden, naive),
        lambda: add_business_time(sweden, naive, ZERO),
        lambda: business_time_between(sweden, aware, naive),
        lambda: business_time_elapsed(sweden, aware, aware, [(naive, None)]),
        lambda: due_at(sweden, aware, ZERO, [(aware, naive)]),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="aware"):
            call()


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (((time(17), time(8)),) * 7, "after they start"),
        (((time(8), time(8)),) * 7, "after they start"),
        ((None,) * 7, "at least one working weekday"),
        (((time(8), time(17)),) * 5, "7 entries"),
        (((time(8, tzinfo=UTC), time(17)),) * 7, "without a zone"),
    ],
)
def test_calendars_are_validated(hours, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar("Europe/Stockholm", hours)


def test_other_errors_are_value_errors(sweden):
    with pytest.raises(ValueError, match="time zone"):
        BusinessCalendar("Europe/Atlantis", ((time(8), time(17)),) * 7)
    with pytest.raises(ValueError, match="negative"):
        add_business_time(sweden, datetime(2026, 9, 7, 9, 0, tzinfo=STOCKHOLM), -MICROSECOND)
    with pytest.raises(ValueError, match="negative"):
        due_at(sweden, datetime(2026, 9, 7, 9, 0, tzinfo=STOCKHOLM), -MICROSECOND)
    noon = datetime(2026, 9, 7, 12, 0, tzinfo=STOCKHOLM)
    with pytest.raises(ValueError, match="before it starts"):
        business_time_elapsed(sweden, noon, noon, [(noon, noon - MICROSECOND)])
    with pytest.raises(ValueError, match="years"):
        BusinessCalendar.standard("Europe/Stockholm", "SE")
    with pytest.raises(ValueError, match="public holidays"):
        public_holidays("XX", 2027)


def test_a_calendar_closed_for_years_raises_instead_of_looping():
    mondays = frozenset(date(2026, 1, 5) + timedelta(weeks=week) for week in range(5 * 53))
    never = BusinessCalendar("UTC", ((time(8), time(17)),) + (None,) * 6, closed_days=mondays)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="no working period"):
        add_business_time(never, start, timedelta(hours=1))
    with pytest.raises(ValueError, match="no working period"):
        next_working_moment(never, start)
    # A bounded question has an answer all the same.
    assert business_time_between(never, start, start + timedelta(days=4 * 365)) == ZERO


def test_public_holidays_are_looked_up_once_per_year(monkeypatch):
    calls = []
    real = business_time.holidays.country_holidays

    def counting(*args, **kwargs):
        calls.append(kwargs["years"])
        return real(*args, **kwargs)

    monkeypatch.setattr(business_time.holidays, "country_holidays", counting)
    first = public_holidays("SE", [2041, 2042])
    assert public_holidays("SE", [2042, 2041]) == first
    assert calls == [2041, 2042]
    assert date(2041, 12, 25) in first


def test_swedish_holidays_include_easter(sweden):
    assert {date(2027, 3, 26), date(2027, 3, 29)} <= public_holidays("SE", 2027)
    assert {date(2027, 3, 26), date(2027, 3, 29)} <= sweden.closed_days
    extra = BusinessCalendar.standard("Europe/Stockholm", extra_closed=[date(2027, 6, 25)])
    assert extra.closed_days == {date(2027, 6, 25)}
    assert extra.hours == ((time(8), time(17)),) * 5 + (None, None)


def test_the_module_imports_without_django():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    check = "import sys, tickets.business_time; assert not [m for m in sys.modules if m.startswith('django')]"
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", check], check=True, cwd=root, env=env)
