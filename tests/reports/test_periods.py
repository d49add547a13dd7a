"""A report's period: the presets as of a day, and the period it is compared with."""

from datetime import date

import pytest

from reports.periods import Period, preset

ON = date(2026, 12, 4)  # a Friday


@pytest.mark.parametrize(
    ("name", "first", "last", "before_first", "before_last"),
    [
        # This week so far against the same days of last week.
        ("this_week", date(2026, 11, 30), ON, date(2026, 11, 23), date(2026, 11, 27)),
        ("last_month", date(2026, 11, 1), date(2026, 11, 30), date(2026, 10, 1), date(2026, 10, 31)),
        ("last_quarter", date(2026, 7, 1), date(2026, 9, 30), date(2026, 4, 1), date(2026, 6, 30)),
        ("last_12_months", date(2025, 12, 1), date(2026, 11, 30), date(2024, 12, 1), date(2025, 11, 30)),
    ],
)
def test_each_preset_and_the_period_before_it(name, first, last, before_first, before_last):
    period = preset(name, ON)
    assert (period.first, period.last) == (first, last)
    assert (period.previous().first, period.previous().last) == (before_first, before_last)


def test_whole_months_compare_with_as_many_months_and_other_spans_with_as_many_days():
    march = Period(date(2026, 3, 1), date(2026, 3, 31))
    assert march.previous() == Period(date(2026, 2, 1), date(2026, 2, 28))  # February, however short
    january = Period(date(2026, 1, 1), date(2026, 1, 31))
    assert january.previous() == Period(date(2025, 12, 1), date(2025, 12, 31))
    ten_days = Period(date(2026, 3, 5), date(2026, 3, 14))
    assert ten_days.previous() == Period(date(2026, 2, 23), date(2026, 3, 4))


def test_long_periods_are_charted_by_week_from_monday():
    year = preset("last_12_months", ON)
    assert year.by_week()
    assert year.buckets()[0] == date(2025, 12, 1)  # a Monday
    assert all(day.weekday() == 0 for day in year.buckets())
    month = preset("last_month", ON)
    assert not month.by_week() and len(month.buckets()) == 30
