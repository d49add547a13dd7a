"""The measurement over HTTP: gunicorn in the production shape on 127.0.0.1, real logins, timed requests.

- latency: requests one after another, timed by the client on loopback (median, 95th percentile);
- throughput: a bounded concurrent load (wrk, 8 connections by default; a Python client when wrk is
  missing), in requests per second, or in completed submissions per second for a POST and its redirect.

Every loop here is bounded by a count and by a time, and only ever talks to 127.0.0.1.
"""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.percentiles import median, percentile

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


@dataclass
class Page:
    """One measured page: who asks for it, how, and what counts as a success."""

    key: str
    label: str
    role: str
    paths: list[str] = field(default_factory=list)  # several: the loops go round them
    method: str = "GET"
    form: dict | None = None  # POST fields, without the CSRF token
    follow: bool = False  # a POST answered by a redirect, followed as a browser does
    is_list: bool = False  # list pages and the dashboard: the throughput target applies
    available: bool = True
    note: str = ""
    # The same page for a small case (a requester with few tickets, a short ticket): the query count must match.
    small_role: str = ""
    small_path: str = ""
    # A page's own p95 target when it is not the common one (the reports: 300 ms over a year of rollups).
    p95_target_ms: float | None = None

    @property
    def expected(self) -> int:
        return 302 if self.follow else 200


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    seconds: float


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Client:
    """A browser's worth of HTTP for one person: cookies, the CSRF token, one connection per request.

    gunicorn's sync workers close the connection after each response, as a browser behind them sees it.
    """

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "helpdesk-bench"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            data = raw.read()
        finally:
            conn.close()
        seconds = time.perf_counter() - started
        for header in raw.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data, seconds)

    def csrf_token(self, path: str) -> str:
        """The masked token from a form on `path`, as a browser would send it back."""
        page = self.request("GET", path)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if found:
            return found.group(1).decode()
        return self.cookies.get("csrftoken", "")

    def login(self, email: str, password: str, login_path: str = "/accounts/login/") -> None:
        token = self.csrf_token(login_path)
        response = self.request(
            "POST", login_path, {"csrfmiddlewaretoken": token, "username": email, "password": password}
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"logging in as {email} failed: HTTP {response.status}")

    def visit(self, page: Page, index: int, token: str = "") -> tuple[float, int]:
        """One visit of `page` (a POST and its redirect count as one). Returns (seconds, status)."""
        path = page.paths[index % len(page.paths)]
        if page.method == "GET":
            response = self.request("GET", path)
            return response.seconds, response.status
        form = {**(page.form or {}), "csrfmiddlewaretoken": token}
        posted = self.request(page.method, path, form)
        seconds, status = posted.seconds, posted.status
        if page.follow and status == 302:
            target = urlsplit(posted.headers.get("location", ""))
            followed = self.request("GET", target.path + (f"?{target.query}" if target.query else ""))
            seconds += followed.seconds
            if followed.status != 200:
                status = followed.status
        return seconds, status


# --- gunicorn ----------------------------------------------------------------------------------


class Server:
    """gunicorn as `make serve` runs it, on a free port of 127.0.0.1, in its own process group."""

    def __init__(self, *, env: dict, workers: int, log_dir: Path) -> None:
        self.port = free_port()
        self.workers = workers
        self.env = {**env, "SITE_URL": f"http://{HOST}:{self.port}"}
        self.log_path = log_dir / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    def _command(self) -> list[str]:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        start = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
        return [
            *start,
            "helpdesk.wsgi",
            "--workers",
            str(self.workers),
            "--bind",
            f"{HOST}:{self.port}",
            "--timeout",
            "30",
            "--log-level",
            "warning",
            "--error-logfile",
            str(self.log_path),
        ]

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(
            self._command(),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        client = Client(self.port, timeout=2)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                if client.request("GET", "/healthz").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz within 60 seconds")

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --- latency -----------------------------------------------------------------------------------


@dataclass
class Latency:
    count: int = 0
    median_ms: float = float("nan")
    p95_ms: float = float("nan")
    errors: int = 0
    statuses: dict = field(default_factory=dict)


def measure_latency(
    client: Client, page: Page, *, requests: int, max_seconds: float, token: str = "", warmup: int = 10
) -> Latency:
    """`requests` visits one after another (after a short warm-up), stopping early after `max_seconds`."""
    # Warm-up: enough visits for each gunicorn worker to compile its templates and open its connection.
    warm_until = time.monotonic() + 5
    for index in range(warmup):
        client.visit(page, index, token)
        if time.monotonic() > warm_until:
            break
    timings: list[float] = []
    statuses: Counter = Counter()
    deadline = time.monotonic() + max_seconds
    for index in range(requests):
        seconds, status = client.visit(page, warmup + index, token)
        timings.append(seconds * 1000)
        statuses[status] += 1
        if time.monotonic() > deadline:
            break
    errors = sum(count for status, count in statuses.items() if status != page.expected)
    return Latency(
        count=len(timings),
        median_ms=median(timings),
        p95_ms=percentile(timings, 0.95),
        errors=errors,
        statuses=dict(statuses),
    )


# --- throughput --------------------------------------------------------------------------------


@dataclass
class Throughput:
    per_second: float = float("nan")
    completed: int = 0
    errors: int = 0
    timeouts: int = 0  # requests that took longer than the load generator's 10 s: a miss, not a failure
    seconds: float = 0.0
    tool: str = ""
    statuses: dict = field(default_factory=dict)
    detail: str = ""


WRK_SCRIPT = """
local paths = {%(paths)s}
local method = "%(method)s"
local body = %(body)s
local follow = %(follow)s
wrk.headers["Cookie"] = "%(cookie)s"
if body then wrk.headers["Content-Type"] = "application/x-www-form-urlencoded" end
local n = 0
local pending = {}
statuses = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function request()
  if #pending > 0 then
    return wrk.format("GET", table.remove(pending, 1), nil, nil)
  end
  n = n + 1
  return wrk.format(method, paths[(n %% #paths) + 1], nil, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if follow and status == 302 then
    table.insert(pending, headers["Location"])
  end
end

function done(summary, latency, requests)
  io.write(string.format("SUMMARY %%d %%d %%d %%d %%d %%d %%d\\n", summary.duration, summary.requests,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      io.write(string.format("STATUS %%d %%d\\n", status, count))
    end
  end
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def measure_throughput(client: Client, page: Page, *, seconds: float, connections: int, token: str = "") -> Throughput:
    if shutil.which("wrk"):
        return _wrk(client, page, seconds=seconds, connections=connections, token=token)
    return _python_load(client, page, seconds=seconds, connections=connections, token=token)


def _wrk(client: Client, page: Page, *, seconds: float, connections: int, token: str) -> Throughput:
    body = "nil"
    if page.method != "GET":
        body = _lua_string(urlencode({**(page.form or {}), "csrfmiddlewaretoken": token}))
    script = WRK_SCRIPT % {
        "paths": ", ".join(_lua_string(path) for path in page.paths),
        "method": page.method,
        "body": body,
        "follow": "true" if page.follow else "false",
        "cookie": client.cookie_header().replace('"', ""),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    duration = max(1, round(seconds))
    command = [
        "wrk",
        "--threads",
        str(min(2, connections)),
        "--connections",
        str(connections),
        "--duration",
        f"{duration}s",
        "--timeout",
        "10s",
        "--script",
        handle.name,
        f"http://{HOST}:{client.port}{page.paths[0]}",
    ]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    finally:
        os.unlink(handle.name)
    statuses: Counter = Counter()
    result = Throughput(tool="wrk", detail=completed.stdout[-2000:] + completed.stderr[-1000:])
    for line in completed.stdout.splitlines():
        parts = line.split()
        if parts[:1] == ["STATUS"]:
            statuses[int(parts[1])] += int(parts[2])
        elif parts[:1] == ["SUMMARY"]:
            duration_us, _requests, *errors = (int(value) for value in parts[1:])
            result.seconds = duration_us / 1e6
            result.errors = sum(errors[:3])  # connect, read, write; wrong statuses are counted below
            result.timeouts = errors[4]
    result.statuses = dict(statuses)
    return _finish(result, page, statuses)


def _finish(result: Throughput, page: Page, statuses: Counter) -> Throughput:
    success = statuses.get(page.expected, 0)
    unexpected = sum(count for status, count in statuses.items() if status not in (200, 302))
    if not page.follow:
        unexpected += sum(count for status, count in statuses.items() if status == 302)
    result.errors += unexpected
    result.completed = success
    result.per_second = success / result.seconds if result.seconds else float("nan")
    return result


def _python_load(client: Client, page: Page, *, seconds: float, connections: int, token: str) -> Throughput:
    """The stand-in for wrk: `connections` threads, each visiting the page until the time is up."""
    statuses: Counter = Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def work(offset: int) -> None:
        own = Client(client.port)
        own.cookies = dict(client.cookies)
        index = offset
        while time.monotonic() < stop_at:
            try:
                _seconds, status = own.visit(page, index, token)
            except OSError:
                status = 0
            index += connections
            with lock:
                statuses[page.expected if status == page.expected else status] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(offset,), daemon=True) for offset in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    result = Throughput(tool="python", seconds=time.monotonic() - started, statuses=dict(statuses))
    return _finish(result, page, statuses)
