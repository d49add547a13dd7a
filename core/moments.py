"""How the pages write a moment: `{% moment value %}` and `{% day value %}`, built into every template.

A moment reads as people say it ("3 hours ago", "in 2 days") within a week either way, and as the exact date
and time in the reader's language beyond; the exact time is always on hover. The machine-readable
`datetime` attribute is UTC to the millisecond: HTML allows no finer fraction.
"""

from datetime import UTC, date, datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

register = template.Library()

RELATIVE_WITHIN = timedelta(days=7)


def machine_time(value: datetime) -> str:
    """The `datetime` attribute of a <time>: UTC, at most milliseconds."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def exact(value: datetime) -> str:
    """The date and time in the reader's time zone and language."""
    return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "SHORT_DATETIME_FORMAT")


def relative(value: datetime, now: datetime | None = None) -> str:
    """ "3 hours ago" or "in 2 days" within a week of now, the exact moment beyond."""
    now = now or timezone.now()
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if abs(now - value) >= RELATIVE_WITHIN:
        return exact(value)
    if now - value < timedelta(minutes=1) and value <= now:
        return _("just now")
    if value <= now:
        return _("%(age)s ago") % {"age": timesince(value, now, depth=1)}
    return _("in %(delay)s") % {"delay": timesince(now, value, depth=1)}


def _time(value: datetime, shown: str, hover: str, css_class: str) -> SafeString:
    return format_html(
        '<time{} datetime="{}" title="{}">{}</time>',
        format_html(' class="{}"', css_class) if css_class else "",
        machine_time(value),
        hover,
        shown,
    )


@register.simple_tag
def moment(value: datetime | None, css_class: str = "") -> SafeString | str:
    """A <time> saying when, relatively, with the exact moment on hover."""
    return _time(value, relative(value), exact(value), css_class) if value else "—"


@register.simple_tag
def stamp(value: datetime | None, css_class: str = "") -> SafeString | str:
    """A <time> giving the exact moment (a due time, a log line), the relative one on hover."""
    return _time(value, exact(value), relative(value), css_class) if value else "—"


@register.simple_tag
def day(value: date | None) -> SafeString | str:
    """A <time> for a calendar day, in the reader's language."""
    if not value:
        return "—"
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), date_format(value, "SHORT_DATE_FORMAT"))


register.filter("machine_time", machine_time)
register.filter("exact_time", exact)
