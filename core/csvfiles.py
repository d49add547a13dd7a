"""The one way the desk writes CSV (every export) and reads back what it wrote (the import).

A cell that begins with = + - @ (or a tab or carriage return) is run as a formula by spreadsheet
programs: a device note could become a formula in a coordinator's spreadsheet. Every export writes such a
cell with a leading apostrophe, which spreadsheets show as text; the import takes exactly that apostrophe
off again, so an exported file imports back unchanged. A cell that itself begins with an apostrophe gets a
second one, so the round trip stays exact.
"""

from collections.abc import Iterable, Iterator
from csv import writer as csv_writer
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def cell(value: Any) -> str:
    """A value as an exported cell, never a formula."""
    text = "" if value is None else str(value)
    if text[:1] in FORMULA_START or text[:1] == _QUOTE:
        return _QUOTE + text
    return text


def cell_value(text: str) -> str:
    """What an exported cell held: the inverse of `cell` (a cell the desk did not write is left alone)."""
    if text[:1] == _QUOTE and (text[1:2] in FORMULA_START or text[1:2] == _QUOTE):
        return text[1:]
    return text


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv.writer's output."""

    def write(self, value: str) -> str:
        return value


def lines(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The file, a line at a time: the header and the rows, every cell through `cell`. Starts with a BOM, so
    spreadsheet programs open accented names correctly; the import accepts it back."""
    writer = csv_writer(_Echo())
    yield "\ufeff" + writer.writerow([cell(value) for value in header])
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def response(header: Iterable[Any], rows: Iterable[Iterable[Any]], filename: str) -> StreamingHttpResponse:
    """A streamed download of the file: a list of any length never sits whole in memory."""
    answer = StreamingHttpResponse(lines(header, rows), content_type="text/csv; charset=utf-8")
    answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    return answer
