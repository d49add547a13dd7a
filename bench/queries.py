"""SQL behind each page: how many queries one request runs, and the plan of its slowest one.

Measured in the benchmark's own process with Django's test client against the bench database: exact,
and independent of the HTTP timing. Each request runs twice and the second (warm) one is counted.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from bench.http import Page


@dataclass
class PageQueries:
    count: int | None = None
    small_count: int | None = None
    slowest_ms: float = 0.0
    slowest_sql: str = ""
    plan: str = ""
    error: str = ""

    @property
    def grows(self) -> bool | None:
        if self.count is None or self.small_count is None:
            return None
        return self.count != self.small_count


def _client(user: User | None) -> Client:
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=True)
    if user is not None:
        client.force_login(user)
    return client


def _run(client: Client, page: Page, path: str) -> tuple[list[dict], str]:
    """One visit; returns (queries, error)."""
    with CaptureQueriesContext(connection) as captured:
        if page.method == "GET":
            response = client.get(path)
            error = "" if response.status_code == page.expected else f"HTTP {response.status_code}"
        else:
            response = client.post(path, page.form or {})
            error = "" if response.status_code == page.expected else f"HTTP {response.status_code}"
            if not error and page.follow:
                target = urlsplit(response["Location"])
                followed = client.get(target.path + (f"?{target.query}" if target.query else ""))
                if followed.status_code != 200:
                    error = f"redirect target: HTTP {followed.status_code}"
    return list(captured.captured_queries), error


def _count(client: Client, page: Page, path: str) -> tuple[int, list[dict], str]:
    _run(client, page, path)  # warm caches: templates, content types, the session
    queries, error = _run(client, page, path)
    return len(queries), queries, error


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def measure(pages: list[Page], users: dict) -> dict[str, PageQueries]:
    results = {}
    for page in pages:
        result = PageQueries()
        results[page.key] = result
        if not page.available:
            continue
        try:
            count, queries, result.error = _count(_client(users.get(page.role)), page, page.paths[0])
            result.count = count
            if page.small_path:
                result.small_count, _queries, small_error = _count(
                    _client(users.get(page.small_role)), page, page.small_path
                )
                result.error = result.error or small_error
            selects = [q for q in queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
            if page.method == "GET" and selects:
                slowest = max(selects, key=lambda q: float(q["time"]))
                result.slowest_ms = float(slowest["time"]) * 1000
                result.slowest_sql = slowest["sql"]
                result.plan = explain(slowest["sql"])
        except Exception as error:
            result.error = f"{type(error).__name__}: {error}"
    return results
