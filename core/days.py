"""The desk's days: the calendar of settings.TIME_ZONE, whatever zone the person asking has chosen.

What is counted by day (the reports' rollups, the problems solved without a ticket, the review reminders)
counts on the desk's days, so that a period means the same days to everyone.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings


def desk_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_of(moment: datetime, zone: ZoneInfo | None = None) -> date:
    """The desk's day of a moment."""
    return moment.astimezone(zone or desk_zone()).date()
