"""CSV export of the staff directory and the device inventory: exactly the filtered list.

The columns are those of the import (assets.imports.COLUMNS), so an exported file can be edited and
imported back: it updates the same records.
"""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from assets.imports import ImportKind, header_for
from assets.models import Device, Employee

CHUNK = 2000


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def _lines(header: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A BOM, so spreadsheet programs open accented names correctly; the import accepts it back.
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def _date(value) -> str:
    return value.isoformat() if value else ""


def employees_csv(qs: QuerySet[Employee]) -> Iterator[str]:
    rows = (
        [
            e.employee_number,
            e.first_name,
            e.last_name,
            e.email,
            e.phone,
            e.job_title,
            e.department.name if e.department else "",
            e.location.path if e.location else "",
            e.manager.employee_number if e.manager else "",
            "yes" if e.is_active else "no",
        ]
        for e in qs.iterator(chunk_size=CHUNK)
    )
    return _lines(header_for(ImportKind.EMPLOYEES), rows)


def devices_csv(qs: QuerySet[Device]) -> Iterator[str]:
    rows = (
        [
            d.asset_tag,
            d.serial_number,
            d.device_type,
            d.manufacturer,
            d.model,
            d.operating_system,
            _date(d.purchase_date),
            _date(d.warranty_end),
            d.status,
            d.assigned_to.employee_number if d.assigned_to else "",
            d.location.path if d.location else "",
            d.notes,
        ]
        for d in qs.iterator(chunk_size=CHUNK)
    )
    return _lines(header_for(ImportKind.DEVICES), rows)
