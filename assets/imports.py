"""CSV import of employees and devices: reading, checking every row, then one all-or-nothing write.

Shared by the import page and `manage.py assets_import`. Nothing here writes: `validate` reads the
file and the database and says, row by row, what is wrong; `run` hands the valid rows to
assets.services (employees_import / devices_import), which write them in one transaction.

The columns are documented in assets/README-import.md and in COLUMNS below (the template download
and the page's help are generated from it).
"""

import codecs
import csv
import datetime
import io
import logging
import secrets
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from assets import services
from assets.models import Department, Device, DeviceStatus, DeviceType, Employee, Location
from core import csvfiles
from core.text import control_character_in

logger = logging.getLogger(__name__)


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


@dataclass
class RowError:
    line: int
    key: str
    reasons: list[str]


@dataclass
class ImportPreview:
    """What a file would do: file-level problems, each bad row with its line and reasons, the good rows."""

    kind: str
    file_errors: list[str] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)
    valid_rows: list[dict[str, Any]] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    total_rows: int = 0

    @property
    def valid_count(self) -> int:
        return len(self.valid_rows)

    @property
    def error_count(self) -> int:
        return len(self.row_errors)

    @property
    def is_clean(self) -> bool:
        return not self.file_errors and not self.row_errors

    @property
    def can_import(self) -> bool:
        return not self.file_errors and bool(self.valid_rows)

    @property
    def shown_errors(self) -> list[RowError]:
        return self.row_errors[:MAX_ERRORS_SHOWN]


class ImportFileError(Exception):
    pass


# --- reading -------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM (and UTF-16 with a BOM, as some spreadsheets save "Unicode text")."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "The file is not UTF-8 text (a byte at position %(position)s cannot be read). "
                'Save it as "CSV UTF-8" and try again.'
            )
            % {"position": error.start}
        ) from error


def _delimiter(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _clean(value: str | None) -> str:
    # An apostrophe the export put before a formula-like cell comes off (core.csvfiles). NFC: "å" typed on
    # a Mac arrives as "a" + a combining ring; stored and compared composed.
    return unicodedata.normalize("NFC", csvfiles.cell_value(value or "")).strip()


def _normalise_header(name: str) -> str:
    return _clean(name).lower().replace(" ", "_").replace("-", "_")


def read_rows(kind: str, text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The file's columns (canonical names) and its rows as (line number, {column: value})."""
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        raw_header = next(reader)
    except csv.Error as error:
        raise ImportFileError(_("The header line cannot be read: %(error)s") % {"error": error}) from error

    known = {}
    for column in COLUMNS[kind]:
        known[column.name] = column.name
        for alias in column.aliases:
            known[alias] = column.name
    header: list[str] = []
    unknown: list[str] = []
    for raw in raw_header:
        name = _normalise_header(raw)
        if not name:
            header.append("")
            continue
        if name not in known:
            unknown.append(raw)
        header.append(known.get(name, name))
    problems = []
    if unknown:
        problems.append(
            _("Unknown columns: %(columns)s. The columns are: %(expected)s.")
            % {"columns": ", ".join(unknown), "expected": ", ".join(header_for(kind))}
        )
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        problems.append(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(duplicated)})
    missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in header]
    if missing:
        problems.append(_("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)})
    if problems:
        raise ImportFileError(" ".join(problems))

    rows: list[tuple[int, dict[str, str]]] = []
    line = reader.line_num + 1
    try:
        for values in reader:
            if any(_clean(value) for value in values):
                if len(values) > len(header) and any(_clean(v) for v in values[len(header) :]):
                    row = {"__extra__": "1"}
                else:
                    row = {}
                for name, value in zip(header, values, strict=False):
                    if name:
                        row[name] = _clean(value)
                        if control_character_in(value) is not None:
                            row["__control__"] = row.get("__control__", "") + f"{name},"
                rows.append((line, row))
                if len(rows) > MAX_ROWS:
                    raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(_("Line %(line)s cannot be read: %(error)s") % {"line": line, "error": error}) from error
    return [name for name in header if name], rows


# --- checking values -----------------------------------------------------------------------------


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


class _Lookups:
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


def _employees_by_number(numbers: set[str]) -> dict[str, tuple[int, bool]]:
    found: dict[str, tuple[int, bool]] = {}
    ordered = sorted(numbers)
    for start in range(0, len(ordered), 5000):
        chunk = ordered[start : start + 5000]
        for pk, number, is_active in Employee.objects.filter(employee_number__in=chunk).values_list(
            "pk", "employee_number", "is_active"
        ):
            found[number] = (pk, is_active)
    return found


def _duplicates(rows: list[tuple[int, dict[str, str]]], key: str) -> dict[str, list[int]]:
    lines: dict[str, list[int]] = defaultdict(list)
    for line, row in rows:
        if row.get(key):
            lines[row[key]].append(line)
    return {value: found for value, found in lines.items() if len(found) > 1}


def _check_employee(row: dict[str, str], lookups: _Lookups) -> tuple[dict[str, Any], list[str]]:
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


def _check_device(
    row: dict[str, str], lookups: _Lookups, holders: dict[str, tuple[int, bool]]
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


def validate(kind: str, data: bytes) -> ImportPreview:
    """Check every row of the file against the rules and the database; write nothing."""
    preview = ImportPreview(kind=kind)
    try:
        header, rows = read_rows(kind, decode(data))
    except ImportFileError as error:
        preview.file_errors.append(str(error))
        return preview
    preview.total_rows = len(rows)
    lookups = _Lookups()
    columns = set(header)
    errors: dict[int, list[str]] = defaultdict(list)
    checked: list[tuple[int, dict[str, Any]]] = []

    if kind == ImportKind.EMPLOYEES:
        key = "employee_number"
        preview.fields = [EMPLOYEE_FIELDS_BY_COLUMN[c] for c in header if c in EMPLOYEE_FIELDS_BY_COLUMN]
        for line, row in rows:
            values, reasons = _check_employee(row, lookups)
            errors[line].extend(reasons)
            checked.append((line, values))
    else:
        key = "asset_tag"
        preview.fields = [DEVICE_FIELDS_BY_COLUMN[c] for c in header if c in DEVICE_FIELDS_BY_COLUMN]
        holders = _employees_by_number({row["assigned_to"] for _line, row in rows if row.get("assigned_to")})
        for line, row in rows:
            values, reasons = _check_device(row, lookups, holders)
            errors[line].extend(reasons)
            checked.append((line, values))

    label = _("employee number") if kind == ImportKind.EMPLOYEES else _("asset tag")
    for value, lines in _duplicates(rows, key).items():
        for line in lines:
            others = ", ".join(str(other) for other in lines if other != line)
            errors[line].append(
                _('Duplicate %(what)s "%(value)s": also on line %(lines)s.')
                % {"what": label, "value": value, "lines": others}
            )
    for line, row in rows:
        if "__extra__" in row:
            errors[line].append(_("The row has more values than the header has columns (a stray separator?)."))
        for column in filter(None, row.get("__control__", "").split(",")):
            errors[line].append(
                _("%(column)s contains a control character (an invisible code no one types), which cannot be stored.")
                % {"column": column}
            )

    if kind == ImportKind.EMPLOYEES and "manager_number" in columns:
        _check_managers(checked, errors)

    raw_keys = {line: row.get(key, "") for line, row in rows}
    for line, values in checked:
        if errors.get(line):
            preview.row_errors.append(RowError(line=line, key=raw_keys[line], reasons=errors[line]))
        else:
            preview.valid_rows.append(values)
    return preview


def _check_managers(checked: list[tuple[int, dict[str, Any]]], errors: dict[int, list[str]]) -> None:
    """A manager must be stored already or be a good row of the same file; a bad manager row spreads."""
    line_of = {values["employee_number"]: line for line, values in checked}
    referenced = {values["manager_number"] for _line, values in checked if values["manager_number"]}
    stored = set(_employees_by_number(referenced - line_of.keys()))
    for line, values in checked:
        manager = values["manager_number"]
        if manager and manager not in line_of and manager not in stored:
            errors[line].append(_('Unknown manager employee number "%(value)s".') % {"value": manager})
    changed = True
    while changed:
        changed = False
        for line, values in checked:
            manager = values["manager_number"]
            if not manager or errors.get(line) or manager not in line_of or manager in stored:
                continue
            if errors.get(line_of[manager]):
                errors[line].append(
                    _('The manager "%(value)s" is on line %(line)s, which has errors.')
                    % {"value": manager, "line": line_of[manager]}
                )
                changed = True


def run(kind: str, data: bytes, *, by: User, skip_invalid: bool) -> tuple[ImportPreview, services.ImportResult | None]:
    """Check the file, then write its rows: all of them, or with `skip_invalid` only the valid ones.

    Returns the preview and, when something was written, the result. With errors and without
    `skip_invalid`, nothing is written.
    """
    preview = validate(kind, data)
    if preview.file_errors or not preview.valid_rows or (preview.row_errors and not skip_invalid):
        return preview, None
    if kind == ImportKind.EMPLOYEES:
        result = services.employees_import(rows=preview.valid_rows, fields=preview.fields, by=by)
    else:
        result = services.devices_import(rows=preview.valid_rows, fields=preview.fields, by=by)
    return preview, result


# --- the uploaded file between the preview and the confirmation -----------------------------------
# Kept on disk under MEDIA_ROOT/imports with a random name that carries the uploader's id, never in
# the session: a 10,000-row file does not fit a cookie, and the name cannot be guessed.

STASH_MAX_AGE = datetime.timedelta(days=1)


def _stash_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


class StashFailed(Exception):
    """The uploaded file could not be kept for the confirmation step (a full disk...): nothing was imported."""

    message = gettext_lazy(
        "The file could not be kept for the next step (the server's disk may be full), so nothing can be "
        "imported now. Try again later."
    )


def stash_upload(*, user, data: bytes) -> str:
    """Keep an uploaded file for the confirmation step; returns its token.

    Raises StashFailed when the disk refuses it (full, over quota, not writable), after removing what was
    written of it, which would otherwise hold on to the little space left for a day.
    """
    directory = _stash_dir()
    token = secrets.token_urlsafe(24)
    path = directory / f"{user.pk}-{token}.csv"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _stash_sweep(directory)
        path.write_bytes(data)
    except OSError as error:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            logger.warning("import file %s could not be removed; it goes after a day", path, exc_info=True)
        logger.error("import file %s not stored: %s", path, error, exc_info=True)
        raise StashFailed from error
    return token


def load_upload(*, user, token: str) -> bytes | None:
    """The file stashed by this user under `token`, or None when it is gone (or someone else's)."""
    path = _stash_dir() / f"{user.pk}-{token}.csv"
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def discard_upload(*, user, token: str) -> None:
    (_stash_dir() / f"{user.pk}-{token}.csv").unlink(missing_ok=True)


def _stash_sweep(directory: Path) -> None:
    # Files whose preview was abandoned: gone after a day.
    limit = time.time() - STASH_MAX_AGE.total_seconds()
    for path in directory.glob("*.csv"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue
