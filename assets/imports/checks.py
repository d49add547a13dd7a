"""Checking one row against the rules and the database: lengths, dates, choices, references, duplicates."""

import datetime
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext as _

from assets.imports.columns import FALSE_WORDS, TRUE_WORDS
from assets.models import Department, Device, DeviceStatus, DeviceType, Employee, Location


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _check_length(model, field_name: str, column: str, value: str, reasons: list[str]) -> None:
    limit = _max_length(model, field_name)
    if limit and len(value) > limit:
        reasons.append(_("%(column)s is longer than %(limit)s characters.") % {"column": column, "limit": limit})


def _parse_date(column: str, value: str, reasons: list[str]) -> datetime.date | None:
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return datetime.date.fromisoformat(value)
    except ValueError:
        reasons.append(
            _('Bad date in %(column)s: "%(value)s"; write it as YYYY-MM-DD.') % {"column": column, "value": value}
        )
        return None


def _parse_choice(choices: type[models.TextChoices], column: str, value: str, reasons: list[str]) -> str | None:
    wanted = value.casefold().replace(" ", "_").replace("-", "_")
    for choice_value, label in choices.choices:
        if wanted in (choice_value, str(label).casefold().replace(" ", "_")):
            return choice_value
    reasons.append(
        _('Unknown %(column)s "%(value)s"; use one of: %(choices)s.')
        % {"column": column, "value": value, "choices": ", ".join(choices.values)}
    )
    return None


def _location_key(path: str) -> str:
    return " / ".join(part.strip() for part in path.split("/") if part.strip()).casefold()


class Lookups:
    """The database rows the checks need, read once per file."""

    def __init__(self):
        self.departments = {name.casefold(): pk for pk, name in Department.objects.values_list("pk", "name")}
        self.locations = {_location_key(location.path): location.pk for location in Location.objects.all()}

    def department(self, value: str, reasons: list[str]) -> int | None:
        if not value:
            return None
        pk = self.departments.get(value.casefold())
        if pk is None:
            reasons.append(
                _('Unknown department "%(value)s"; add it on the Departments and locations page first.')
                % {"value": value}
            )
        return pk

    def location(self, value: str, reasons: list[str]) -> int | None:
        if not value:
            return None
        pk = self.locations.get(_location_key(value))
        if pk is None:
            reasons.append(
                _('Unknown location "%(value)s"; add it on the Departments and locations page first.')
                % {"value": value}
            )
        return pk


def employees_by_number(numbers: set[str]) -> dict[str, tuple[int, bool]]:
    found: dict[str, tuple[int, bool]] = {}
    ordered = sorted(numbers)
    for start in range(0, len(ordered), 5000):
        chunk = ordered[start : start + 5000]
        for pk, number, is_active in Employee.objects.filter(employee_number__in=chunk).values_list(
            "pk", "employee_number", "is_active"
        ):
            found[number] = (pk, is_active)
    return found


def duplicates(rows: list[tuple[int, dict[str, str]]], key: str) -> dict[str, list[int]]:
    lines: dict[str, list[int]] = defaultdict(list)
    for line, row in rows:
        if row.get(key):
            lines[row[key]].append(line)
    return {value: found for value, found in lines.items() if len(found) > 1}


def check_employee(row: dict[str, str], lookups: Lookups) -> tuple[dict[str, Any], list[str]]:
    reasons: list[str] = []
    number = row.get("employee_number", "")
    if not number:
        reasons.append(_("The employee number is missing."))
    for name, label in (("first_name", _("First name")), ("last_name", _("Last name"))):
        if not row.get(name):
            reasons.append(_("%(column)s is missing.") % {"column": label})
    email = row.get("email", "").lower()
    if not email:
        reasons.append(_("The email is missing."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            reasons.append(_('"%(value)s" is not an email address.') % {"value": row["email"]})
    for name in ("employee_number", "first_name", "last_name", "email", "phone", "job_title"):
        _check_length(Employee, name, name, row.get(name, ""), reasons)
    values: dict[str, Any] = {
        "employee_number": number,
        "first_name": row.get("first_name", ""),
        "last_name": row.get("last_name", ""),
        "email": email,
        "phone": row.get("phone", ""),
        "job_title": row.get("job_title", ""),
        "department_id": lookups.department(row.get("department", ""), reasons),
        "location_id": lookups.location(row.get("location", ""), reasons),
        "manager_number": row.get("manager_number", ""),
        "is_active": True,
    }
    active = row.get("active", "").casefold()
    if active in FALSE_WORDS:
        values["is_active"] = False
    elif active and active not in TRUE_WORDS:
        reasons.append(_('Active must be "yes" or "no", not "%(value)s".') % {"value": row["active"]})
    if values["manager_number"] and values["manager_number"] == number:
        reasons.append(_("Someone cannot be their own manager."))
    return values, reasons


def check_device(
    row: dict[str, str], lookups: Lookups, holders: dict[str, tuple[int, bool]]
) -> tuple[dict[str, Any], list[str]]:
    reasons: list[str] = []
    tag = row.get("asset_tag", "")
    if not tag:
        reasons.append(_("The asset tag is missing."))
    for name in ("asset_tag", "serial_number", "manufacturer", "model", "operating_system"):
        _check_length(Device, name, name, row.get(name, ""), reasons)
    device_type: str = DeviceType.LAPTOP
    if row.get("type"):
        device_type = _parse_choice(DeviceType, "type", row["type"], reasons) or device_type
    purchase_date = _parse_date("purchase_date", row.get("purchase_date", ""), reasons)
    warranty_end = _parse_date("warranty_end", row.get("warranty_end", ""), reasons)
    if purchase_date and warranty_end and warranty_end < purchase_date:
        reasons.append(_("The warranty ends before the purchase date."))
    holder_id = None
    number = row.get("assigned_to", "")
    if number:
        holder = holders.get(number)
        if holder is None:
            reasons.append(_('Unknown employee number "%(value)s" in assigned_to.') % {"value": number})
        elif not holder[1]:
            reasons.append(_('Employee "%(value)s" has left: devices cannot be assigned to them.') % {"value": number})
        else:
            holder_id = holder[0]
    status: str = DeviceStatus.IN_USE if number else DeviceStatus.IN_STOCK
    if row.get("status"):
        status = _parse_choice(DeviceStatus, "status", row["status"], reasons) or status
        if number and status == DeviceStatus.RETIRED:
            reasons.append(_("A retired device cannot be assigned to anyone."))
        elif number and status == DeviceStatus.IN_STOCK:
            reasons.append(_("A device in stock cannot be assigned to anyone: leave assigned_to empty."))
    values = {
        "asset_tag": tag,
        "serial_number": row.get("serial_number", ""),
        "device_type": device_type,
        "manufacturer": row.get("manufacturer", ""),
        "model": row.get("model", ""),
        "operating_system": row.get("operating_system", ""),
        "purchase_date": purchase_date,
        "warranty_end": warranty_end,
        "status": status,
        "assigned_to_id": holder_id,
        "location_id": lookups.location(row.get("location", ""), reasons),
        "notes": row.get("notes", ""),
    }
    return values, reasons


# Which model fields each file column writes (a column absent from the file leaves its field alone).
EMPLOYEE_FIELDS_BY_COLUMN = {
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "phone": "phone",
    "job_title": "job_title",
    "department": "department_id",
    "location": "location_id",
    "manager_number": "manager_number",
    "active": "is_active",
}
DEVICE_FIELDS_BY_COLUMN = {
    "serial_number": "serial_number",
    "type": "device_type",
    "manufacturer": "manufacturer",
    "model": "model",
    "operating_system": "operating_system",
    "purchase_date": "purchase_date",
    "warranty_end": "warranty_end",
    "status": "status",
    "assigned_to": "assigned_to_id",
    "location": "location_id",
    "notes": "notes",
}
