"""`validate` a whole file and `run` its valid rows through assets.services, all or nothing."""

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import User
from assets import services
from assets.imports.checks import (
    DEVICE_FIELDS_BY_COLUMN,
    EMPLOYEE_FIELDS_BY_COLUMN,
    Lookups,
    check_device,
    check_employee,
    duplicates,
    employees_by_number,
)
from assets.imports.columns import ImportKind
from assets.imports.reading import ImportFileError, ImportPreview, RowError, decode, read_rows


def validate(kind: str, data: bytes) -> ImportPreview:
    """Check every row of the file against the rules and the database; write nothing."""
    preview = ImportPreview(kind=kind)
    try:
        header, rows = read_rows(kind, decode(data))
    except ImportFileError as error:
        preview.file_errors.append(str(error))
        return preview
    preview.total_rows = len(rows)
    lookups = Lookups()
    columns = set(header)
    errors: dict[int, list[str]] = defaultdict(list)
    checked: list[tuple[int, dict[str, Any]]] = []

    if kind == ImportKind.EMPLOYEES:
        key = "employee_number"
        preview.fields = [EMPLOYEE_FIELDS_BY_COLUMN[c] for c in header if c in EMPLOYEE_FIELDS_BY_COLUMN]
        for line, row in rows:
            values, reasons = check_employee(row, lookups)
            errors[line].extend(reasons)
            checked.append((line, values))
    else:
        key = "asset_tag"
        preview.fields = [DEVICE_FIELDS_BY_COLUMN[c] for c in header if c in DEVICE_FIELDS_BY_COLUMN]
        holders = employees_by_number({row["assigned_to"] for _line, row in rows if row.get("assigned_to")})
        for line, row in rows:
            values, reasons = check_device(row, lookups, holders)
            errors[line].extend(reasons)
            checked.append((line, values))

    label = _("employee number") if kind == ImportKind.EMPLOYEES else _("asset tag")
    for value, lines in duplicates(rows, key).items():
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
    stored = set(employees_by_number(referenced - line_of.keys()))
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
