"""The benchmark's own database: created, marked, dropped, and never confused with a developer's.

A bench database carries a comment starting with MARKER (and a little JSON: when and how big the last load
was). Only a database with that mark, or one that does not exist yet, is ever created, loaded or dropped.
"""

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import connection as PgConnection
from psycopg2.extensions import cursor as PgCursor

MARKER = "helpdesk-bench"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


class BenchDatabaseError(Exception):
    pass


@dataclass(frozen=True)
class Server:
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""

    @classmethod
    def from_settings(cls, settings_dict: Mapping[str, Any]) -> "Server":
        """The PostgreSQL server of the calling environment, or the local default when it runs on SQLite."""
        if settings_dict.get("ENGINE") != "django.db.backends.postgresql":
            return cls()
        return cls(
            host=settings_dict.get("HOST") or "127.0.0.1",
            port=int(settings_dict.get("PORT") or 5432),
            user=settings_dict.get("USER") or "postgres",
            password=settings_dict.get("PASSWORD") or "",
        )

    @property
    def is_local(self) -> bool:
        return self.host in LOCAL_HOSTS or self.host.startswith("/")

    def url(self, name: str) -> str:
        password = f":{quote(self.password, safe='')}" if self.password else ""
        return f"postgres://{quote(self.user, safe='')}{password}@{self.host}:{self.port}/{quote(name, safe='')}"

    def admin(self) -> PgConnection:
        """A connection to the `postgres` maintenance database, in autocommit (CREATE DATABASE needs it)."""
        conn = psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=self.password or None, dbname="postgres"
        )
        conn.autocommit = True
        return conn


def _comment(cursor: PgCursor, name: str) -> str | None:
    """The database's comment: None when the database does not exist, "" when it has none."""
    cursor.execute(
        "SELECT COALESCE(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = %s", [name]
    )
    row = cursor.fetchone()
    return None if row is None else row[0]


@contextmanager
def _admin_cursor(server: Server) -> Iterator[PgCursor]:
    conn = server.admin()
    try:
        with conn.cursor() as cursor:
            yield cursor
    finally:
        conn.close()


def exists(server: Server, name: str) -> bool:
    with _admin_cursor(server) as cursor:
        return _comment(cursor, name) is not None


def is_bench(server: Server, name: str) -> bool:
    with _admin_cursor(server) as cursor:
        comment = _comment(cursor, name)
    return comment is not None and comment.startswith(MARKER)


def _mark(cursor: PgCursor, name: str, info: dict) -> None:
    text = f"{MARKER} {json.dumps(info)}"
    cursor.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(text)))


def prepare(server: Server, name: str, *, fresh: bool) -> bool:
    """Make sure the bench database `name` exists (empty when `fresh`). True when it was (re)created."""
    if not server.is_local:
        raise BenchDatabaseError(f"The benchmark loads only a local PostgreSQL (127.0.0.1), not {server.host}.")
    with _admin_cursor(server) as cursor:
        comment = _comment(cursor, name)
        if comment is not None and not comment.startswith(MARKER):
            raise BenchDatabaseError(
                f"The database {name!r} exists and is not a bench database: the benchmark will not touch it. "
                "Choose another name with --database."
            )
        if comment is not None and not fresh:
            return False
        if comment is not None:
            _terminate(cursor, name)
            cursor.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        _mark(cursor, name, {})
        return True


def drop(server: Server, name: str) -> None:
    """Drop a bench database (and only a bench database)."""
    with _admin_cursor(server) as cursor:
        comment = _comment(cursor, name)
        if comment is None:
            return
        if not comment.startswith(MARKER):
            raise BenchDatabaseError(f"{name!r} is not a bench database; not dropping it.")
        _terminate(cursor, name)
        cursor.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))


def _terminate(cursor: PgCursor, name: str) -> None:
    # Connections a previous run left (a killed gunicorn) would block DROP DATABASE.
    cursor.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
    )


def info(server: Server, name: str) -> dict:
    with _admin_cursor(server) as cursor:
        comment = _comment(cursor, name) or ""
    try:
        return json.loads(comment.removeprefix(MARKER).strip() or "{}")
    except ValueError:
        return {}


def record(server: Server, name: str, **values: object) -> None:
    """Remember facts about the load (its size, how long it took) on the database itself."""
    current = info(server, name)
    with _admin_cursor(server) as cursor:
        _mark(cursor, name, {**current, **values})
