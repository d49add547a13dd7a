"""The columns of the employee and device files: what each holds, the help and the template download."""

import csv
import io
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from assets.models import DeviceStatus, DeviceType


class ImportKind(models.TextChoices):
    EMPLOYEES = "employees", gettext_lazy("Staff")
    DEVICES = "devices", gettext_lazy("Devices")


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: Promise | str
    example: str = ""
    aliases: tuple[str, ...] = ()


COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.EMPLOYEES: (
        Column("employee_number", True, gettext_lazy("Unique; the key a re-import matches on."), "E1001"),
        Column("first_name", True, gettext_lazy("Required."), "Małgorzata"),
        Column("last_name", True, gettext_lazy("Required."), "Øvergård"),
        Column("email", True, gettext_lazy("Work email, required."), "m.overgard@example.org", ("work_email",)),
        Column("phone", False, "", "+47 22 33 44 55"),
        Column("job_title", False, "", "Accountant", ("title",)),
        Column("department", False, gettext_lazy("Name of an existing department (any letter case)."), "Finance"),
        Column(
            "location",
            False,
            gettext_lazy('Path of an existing location: site / building / floor / room, e.g. "HQ / B / 2 / 214".'),
            "HQ / B / 2 / 214",
        ),
        Column(
            "manager_number",
            False,
            gettext_lazy("Employee number of their manager: already stored or in the same file."),
            "E1000",
            ("manager",),
        ),
        Column(
            "active",
            False,
            gettext_lazy('"yes" or "no" (left the organisation). Empty means yes.'),
            "yes",
            ("is_active",),
        ),
    ),
    ImportKind.DEVICES: (
        Column("asset_tag", True, gettext_lazy("Unique; the key a re-import matches on."), "LT-0042"),
        Column("serial_number", False, "", "PF3ABC12", ("serial",)),
        Column(
            "type",
            False,
            gettext_lazy("One of: %(choices)s. Empty means laptop."),
            "laptop",
            ("device_type",),
        ),
        Column("manufacturer", False, "", "Lenovo"),
        Column("model", False, "", "ThinkPad T14 Gen 4"),
        Column("operating_system", False, "", "Windows 11", ("os",)),
        Column("purchase_date", False, gettext_lazy("YYYY-MM-DD."), "2024-03-18"),
        Column("warranty_end", False, gettext_lazy("YYYY-MM-DD, not before the purchase date."), "2027-03-17"),
        Column(
            "status",
            False,
            gettext_lazy("One of: %(choices)s. Empty means in use when assigned, else in stock."),
            "in_use",
        ),
        Column(
            "assigned_to",
            False,
            gettext_lazy("Employee number of the holder (import the staff first). Empty: nobody."),
            "E1001",
            ("employee_number", "assigned_to_number"),
        ),
        Column("location", False, gettext_lazy("Path of an existing location, as for staff."), "HQ / B / 2 / 214"),
        Column("notes", False, "", ""),
    ),
}

# Reading stops here: a file this long is a mistake, not a staff list.
MAX_ROWS = 100_000
MAX_ERRORS_SHOWN = 500

TRUE_WORDS = {"yes", "y", "true", "1", "active", "ja", "j", "sí", "si", "tak", "t", "x"}
FALSE_WORDS = {"no", "n", "false", "0", "left", "inactive", "nei", "nej", "nee", "nie"}


def column_help(column: Column) -> str:
    if column.name == "type":
        return str(column.help) % {"choices": ", ".join(DeviceType.values)}
    if column.name == "status":
        return str(column.help) % {"choices": ", ".join(DeviceStatus.values)}
    return str(column.help)


def header_for(kind: str) -> list[str]:
    return [column.name for column in COLUMNS[kind]]


def template_csv(kind: str) -> str:
    """The downloadable template: the header and one example row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header_for(kind))
    writer.writerow([column.example for column in COLUMNS[kind]])
    return buffer.getvalue()
