"""Rows written with COPY: values in COPY's text format, the columns a model still needs, and the
secondary indexes and foreign keys dropped for a load."""

import io
import json
from datetime import datetime, timedelta

from django.db import connection, models
from django.db.backends.utils import CursorWrapper

from bench.tables import EPOCH


def copy_time(seconds: float) -> str:
    return (EPOCH + timedelta(seconds=seconds)).isoformat()


def _copy_value(value: object) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _constant_columns(model: type[models.Model], filled: list[str]) -> tuple[list[str], str]:
    """Columns of `model` the loader does not fill that still need a value in COPY.

    Nullable columns and columns with a database default are left to the database. A NOT NULL column
    with a Python default gets that default, read from the model, in every row.
    """
    names, values = [], []
    for model_field in model._meta.concrete_fields:
        column = model_field.column
        if column in filled or model_field.null:
            continue
        if getattr(model_field, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED:
            continue
        if not model_field.has_default():
            raise RuntimeError(
                f"{model.__name__}.{model_field.name} is NOT NULL without a default: "
                "bench/ticket_writer.py must fill it."
            )
        names.append(column)
        values.append(_copy_value(model_field.get_default()))
    return names, "".join("\t" + value for value in values)


class Copier:
    def __init__(self, cursor: CursorWrapper, model: type[models.Model], columns: list[str]) -> None:
        extra, self.suffix = _constant_columns(model, columns)
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(name) for name in [*columns, *extra])
        self.sql = f"COPY {table} ({names}) FROM STDIN"
        self.cursor = cursor
        self.rows = 0

    def copy(self, lines: list[str]) -> None:
        if not lines:
            return
        if self.suffix:
            lines = [line + self.suffix for line in lines]
        data = ("\n".join(lines) + "\n").encode()
        self.cursor.copy_expert(self.sql, io.BytesIO(data))
        self.rows += len(lines)


def secondary_indexes_and_foreign_keys(cursor: CursorWrapper, tables: list[str]) -> tuple[list[tuple], list[tuple]]:
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [tables],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
        """,
        [tables],
    )
    return indexes, cursor.fetchall()


def nullable(value: object) -> str:
    return r"\N" if value is None else str(value)
