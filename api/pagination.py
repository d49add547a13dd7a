"""Cursor pages of a ticket list in any of the staff list's sorts, at a fixed cost however deep.

A cursor holds the sort and the values of the last row's sort columns (signed, so it cannot be forged into
another query). The next page is the rows after those values in the sort's order: PostgreSQL starts
reading the sort's index there, instead of counting past every earlier row as an offset would. Sorts put
empty values last, both ways (tickets.selectors.lists), and so do the cursors.
"""

from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions

from tickets.models import Ticket
from tickets.selectors import TICKET_SORTS
from tickets.selectors.lists import NULLABLE_SORT_COLUMNS, split_by_emptiness

SALT = "api.ticket-cursor"
DATETIME_COLUMNS = frozenset({"created_at", "updated_at", "resolution_due_at"})
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50


class BadCursor(exceptions.ValidationError):
    pass


def _columns(sort: str) -> tuple[bool, tuple[str, ...]]:
    return sort.startswith("-"), TICKET_SORTS[sort.lstrip("-")]


def _value_of(ticket: Ticket, column: str) -> Any:
    value: Any = ticket
    for part in column.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def cursor_for(ticket: Ticket, sort: str) -> str:
    _descending, columns = _columns(sort)
    return signing.dumps({"s": sort, "v": [_value_of(ticket, column) for column in columns]}, salt=SALT, compress=True)


def _read(cursor: str, sort: str) -> list[Any]:
    try:
        data = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        raise BadCursor({"cursor": [_("This cursor is not one this list gave.")]}) from None
    if not isinstance(data, dict) or data.get("s") != sort:
        raise BadCursor({"cursor": [_("This cursor belongs to another sort: ask for the first page again.")]})
    _descending, columns = _columns(sort)
    values = list(data.get("v") or [])
    if len(values) != len(columns):
        raise BadCursor({"cursor": [_("This cursor is not one this list gave.")]})
    return [
        parse_datetime(value) if column.split("__")[-1] in DATETIME_COLUMNS and isinstance(value, str) else value
        for column, value in zip(columns, values, strict=True)
    ]


def _after(column: str, value: Any, descending: bool, nulls: bool = True) -> Q:
    """The rows strictly after `value` in `column`'s place of the order (empty values come last)."""
    nullable = nulls and column in NULLABLE_SORT_COLUMNS
    if value is None:
        return Q(pk__in=[])  # nothing comes after an empty value but other empty ones (a tie)
    beyond = Q(**{f"{column}__{'lt' if descending else 'gt'}": value})
    return beyond | Q(**{f"{column}__isnull": True}) if nullable else beyond


def _equal(column: str, value: Any) -> Q:
    return Q(**{f"{column}__isnull": True}) if value is None else Q(**{column: value})


def after_cursor(qs: QuerySet[Ticket], cursor: str, sort: str, *, nulls: bool = True) -> QuerySet[Ticket]:
    """The rows of `qs` after the cursor. `nulls=False`: `qs` holds only rows whose sort value is not empty."""
    descending, columns = _columns(sort)
    values = _read(cursor, sort)
    condition = Q(pk__in=[])
    prefix = Q()
    for column, value in zip(columns, values, strict=True):
        condition |= prefix & _after(column, value, descending, nulls)
        prefix &= _equal(column, value)
    first, start = columns[0], values[0]
    if start is not None:
        # Implied by the condition; said again so PostgreSQL starts its index scan at the cursor.
        bound = Q(**{f"{first}__{'lte' if descending else 'gte'}": start})
        nullable = nulls and first in NULLABLE_SORT_COLUMNS
        qs = qs.filter(bound | Q(**{f"{first}__isnull": True}) if nullable else bound)
    return qs.filter(condition)


def page_rows(qs: QuerySet[Ticket], sort: str, cursor: str, size: int) -> list[Ticket]:
    """`size` + 1 rows of `qs` (ordered by `sort`) after `cursor`: one more tells whether a next page exists.

    A sort that begins with a column that may be empty (assignee, category, due time) is read in two parts,
    as the staff list reads it (tickets.selectors.lists.ticket_page): the tickets that have the value, in the
    order of its index, then those without it, by number. In one query PostgreSQL would sort every ticket.
    """
    parts = split_by_emptiness(qs, sort)
    if parts is None:
        return list((after_cursor(qs, cursor, sort) if cursor else qs)[: size + 1])
    filled, empty = parts
    descending, _columns_of_sort = _columns(sort)
    values = _read(cursor, sort) if cursor else None
    rows: list[Ticket] = []
    if values is None or values[0] is not None:
        rows = list((after_cursor(filled, cursor, sort, nulls=False) if cursor else filled)[: size + 1])
        if len(rows) > size:
            return rows
    else:
        empty = empty.filter(pk__lt=values[-1]) if descending else empty.filter(pk__gt=values[-1])
    return rows + list(empty[: size + 1 - len(rows)])


def page_size_from(value: str | None) -> int:
    if value is None or value == "":
        return DEFAULT_PAGE_SIZE
    try:
        size = int(value)
    except ValueError:
        raise exceptions.ValidationError({"page_size": [_("Give a whole number from 1 to 100.")]}) from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise exceptions.ValidationError({"page_size": [_("Give a whole number from 1 to 100.")]})
    return size
