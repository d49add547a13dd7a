"""CSV export of the staff directory and the device inventory: exactly the filtered list.

The columns are those of the import (assets.imports.COLUMNS), so an exported file can be edited and
imported back: it updates the same records.
"""

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from assets.imports import ImportKind, header_for
from assets.models import Device, Employee
from core import csvfiles

CHUNK = 2000


def _date(value) -> str:
    return value.isoformat() if value else ""


def employees_csv(qs: QuerySet[Employee], filename: str) -> StreamingHttpResponse:
    return csvfiles.response(header_for(ImportKind.EMPLOYEES), _employee_rows(qs), filename)


def devices_csv(qs: QuerySet[Device], filename: str) -> StreamingHttpResponse:
    return csvfiles.response(header_for(ImportKind.DEVICES), _device_rows(qs), filename)


def _employee_rows(qs: QuerySet[Employee]) -> Iterator[list[str]]:
    return (
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


def _device_rows(qs: QuerySet[Device]) -> Iterable[list[str]]:
    return (
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
