"""Reading an uploaded file: its encoding, delimiter and header, and what a check of it found."""

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from assets.imports.columns import COLUMNS, MAX_ERRORS_SHOWN, MAX_ROWS, header_for
from core import csvfiles
from core.text import control_character_in


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
