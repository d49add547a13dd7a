"""Every number of a report links to the staff ticket list filtered to exactly the tickets it counts.

The list counts days in the desk's zone when asked (`days=desk`), as the rollups do, so the two agree.
"""

from datetime import date
from urllib.parse import urlencode

from django.urls import reverse

# The staff list's query-string parameters, as the selectors give them with each row.
Filters = dict[str, str]


def ticket_list(**filters: object) -> str:
    """The staff list with these filters (None and "" are left out)."""
    pairs = {"days": "desk", **{name: value for name, value in filters.items() if value not in (None, "")}}
    return f"{reverse('tickets:list')}?{urlencode(pairs)}"


def created_filters(first: date, last: date, **more: str) -> Filters:
    """The parameters of the tickets created on the days from `first` to `last`, whatever their status now."""
    return {"days": "desk", "status": "any", "created_from": first.isoformat(), "created_to": last.isoformat(),
            **more}  # fmt: skip


def resolved_filters(first: date, last: date, **more: str) -> Filters:
    """The parameters of the tickets resolved (or resolved and closed) on the days from `first` to `last`."""
    return {"days": "desk", "status": "solved", "resolved_from": first.isoformat(), "resolved_to": last.isoformat(),
            **more}  # fmt: skip


def created(first: date, last: date, **filters: object) -> str:
    """The list of the tickets created on the days from `first` to `last`."""
    return ticket_list(**created_filters(first, last), **filters)


def resolved(first: date, last: date, **filters: object) -> str:
    """The list of the tickets resolved (or resolved and closed) on the days from `first` to `last`."""
    return ticket_list(**resolved_filters(first, last), **filters)


def activity(kind: str, technician_id: int, first: date, last: date) -> str:
    """Tickets on which `technician_id` did `kind` (escalations_sent, ...) on those days."""
    return ticket_list(
        status="any",
        activity=kind,
        activity_by=technician_id,
        activity_from=first.isoformat(),
        activity_to=last.isoformat(),
    )
