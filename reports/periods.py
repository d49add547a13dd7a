"""The period a report covers, in the desk's days, and the period before it of the same length."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext_lazy as _

from core.days import desk_zone

# The presets offered beside a custom range.
PRESETS = {
    "this_week": _("This week"),
    "last_month": _("Last month"),
    "last_quarter": _("Last quarter"),
    "last_12_months": _("Last 12 months"),
    "custom": _("Custom"),
}
DEFAULT_PRESET = "last_12_months"
LONGEST = timedelta(
    days=3 * 366
)  # a custom range longer than this is refused: the rollups answer it, the page would not


@dataclass(frozen=True)
class Period:
    """The days from `first` to `last`, both included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before this one: as many whole months before a period of whole
        months (November against October, a quarter against the one before), the same days of the week
        before a week so far, else as many days."""
        after = self.last + timedelta(days=1)
        if self.first.weekday() == 0 and self.days <= 7:
            return Period(self.first - timedelta(weeks=1), self.last - timedelta(weeks=1))
        if self.first.day == 1 and after.day == 1:
            months = (after.year - self.first.year) * 12 + after.month - self.first.month
            index = self.first.year * 12 + self.first.month - 1 - months
            return Period(date(index // 12, index % 12 + 1, 1), self.first - timedelta(days=1))
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def by_week(self) -> bool:
        """Long periods are charted by week (Monday), short ones by day."""
        return self.days > 62

    def buckets(self) -> list[date]:
        """The first day of each bar or point of a chart over the period."""
        if not self.by_week():
            return [self.first + timedelta(days=n) for n in range(self.days)]
        start = self.first - timedelta(days=self.first.weekday())
        return [start + timedelta(weeks=n) for n in range((self.last - start).days // 7 + 1)]

    def bucket_of(self, day: date) -> date:
        return day - timedelta(days=day.weekday()) if self.by_week() else day


def today() -> date:
    return datetime.now(desk_zone()).date()


def preset(name: str, on: date | None = None) -> Period:
    """The period a preset names, as of `on` (today in the desk's zone)."""
    on = on or today()
    if name == "this_week":
        return Period(on - timedelta(days=on.weekday()), on)
    month_start = on.replace(day=1)
    if name == "last_month":
        last = month_start - timedelta(days=1)
        return Period(last.replace(day=1), last)
    if name == "last_quarter":
        quarter_start = date(on.year, (on.month - 1) // 3 * 3 + 1, 1)
        last = quarter_start - timedelta(days=1)
        return Period(date(last.year, (last.month - 1) // 3 * 3 + 1, 1), last)
    # last_12_months: the twelve whole months before this one.
    last = month_start - timedelta(days=1)
    return Period(date(month_start.year - 1, month_start.month, 1), last)
