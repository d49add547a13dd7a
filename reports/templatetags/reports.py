"""How the reports' numbers read: working time, per cents, and the change against the previous period."""

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from core.names import translated
from reports import links

register = template.Library()


@register.filter
def working_time(minutes: float | None) -> str:
    """Working minutes as "45 min", "3 h 12 min" or "2 d 4 h" (a day is eight working hours)."""
    if minutes is None:
        return "–"  # noqa: RUF001 - a dash for no figure
    minutes = int(minutes)
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 8:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
    return _("%(d)d d %(h)d h") % {"d": hours // 8, "h": hours % 8}


@register.filter
def figure(value: float | None, unit: str) -> str:
    """A figure as its unit reads: a count, a per cent, or working time."""
    if value is None:
        return "–"  # noqa: RUF001 - a dash for no figure
    if unit == "percent":
        return f"{formats.number_format(value, 1, use_l10n=True)} %"
    if unit == "minutes":
        return working_time(value)
    if float(value).is_integer():
        return formats.number_format(int(value), use_l10n=True)
    return formats.number_format(value, 1, use_l10n=True)


@register.filter
def change_class(change: float | None, rising_is_good: bool) -> str:
    if not change:
        return "report-change-neutral"
    better = (change > 0) == rising_is_good
    return "report-change-down" if better else "report-change-up"


@register.filter
def signed(change: float | None) -> str:
    if change is None:
        return ""
    return f"{'+' if change > 0 else ''}{formats.number_format(change, 1, use_l10n=True)} %"


@register.filter
def get(mapping: dict, key: str) -> object:
    return mapping.get(key) if mapping else None


@register.filter
def ticket_list_url(filters: dict[str, object] | None) -> str:
    """The staff list filtered as a selector's row says (its `filters`)."""
    return links.ticket_list(**(filters or {}))


@register.filter
def rate(value: float | None) -> str:
    """Failures per device-year."""
    return "–" if value is None else formats.number_format(value, 2, use_l10n=True)  # noqa: RUF001 - no figure


@register.filter
def in_reader_language(names: dict[str, str] | None, fallback: str = "") -> str:
    """A name kept in every language (core.names.in_every_language), in the active one; `fallback` without."""
    return translated(fallback, names)
