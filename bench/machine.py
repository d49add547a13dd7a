"""How much of the machine other work took while the benchmark measured.

Other work on the same cores (a test suite, a browser) slows every page. This adds up the CPU time of
every process that is not the benchmark's: not in its process groups (itself, gunicorn, the load
generator), and, among PostgreSQL's processes, the backends of other databases (with their parallel
workers). PostgreSQL's own background processes count for no one. A process that ends between two samples
is counted through its parent when the parent waits for it, so the figure is close, not exact.
"""

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

PARALLEL_WORKER = re.compile(r"parallel worker for PID (\d+)")


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return None


def _stat(pid: str) -> list[str] | None:
    text = _read(f"/proc/{pid}/stat")
    if text is None:
        return None
    return text[text.rindex(")") + 2 :].split()  # from the third field (state) on


def _postgres_database(cmdline: str) -> str | None:
    """The database a backend serves, from its title: "postgres: 15/main: user database host(port) STATE"."""
    parts = cmdline.split(": ", 2)
    if len(parts) < 3:
        return None
    words = parts[2].split()
    if words[:2] == ["autovacuum", "worker"]:
        return words[2] if len(words) > 2 else None
    if len(words) >= 3 and ("(" in words[2] or words[2] == "[local]"):
        return words[1]
    return None  # checkpointer, walwriter, launchers: background work for every database


def _others(groups: set[int], database: str) -> dict[str, int]:
    """CPU ticks so far of each process doing other work than the benchmark's."""
    ticks: dict[str, int] = {}
    titles: dict[str, str] = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        fields = _stat(pid)
        if fields is None or int(fields[2]) in groups:
            continue
        title = (_read(f"/proc/{pid}/cmdline") or "").replace("\0", " ").strip()
        if not title:
            continue  # kernel threads: they move the benchmark's own packets too
        titles[pid] = title
        own, children = int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])
        if title.startswith("postgres:"):
            ticks[pid] = own  # backends; their children are postmaster's business
        else:
            ticks[pid] = own + children
    for pid, title in titles.items():
        if not title.startswith("postgres:"):
            continue
        worker = PARALLEL_WORKER.search(title)
        if worker:
            leader = titles.get(worker.group(1), "")
            served = _postgres_database(leader) if leader else None
        else:
            served = _postgres_database(title)
        if served is None or served == database:
            ticks.pop(pid, None)  # background processes, and the bench database's own backends
    return ticks


@dataclass
class Sample:
    at: float
    ticks: dict[str, int] = field(default_factory=dict)


class CpuShare:
    """`sample()` before and after a stretch of work; `other_share(a, b)`: the share of all cores others used."""

    def __init__(self, database: str, extra_groups: set[int] | None = None) -> None:
        self.database = database
        self.groups = {os.getpgrp(), *(extra_groups or set())}
        self.ticks_per_second = os.sysconf("SC_CLK_TCK")
        self.cores = os.cpu_count() or 1

    def sample(self) -> Sample | None:
        try:
            return Sample(time.monotonic(), _others(self.groups, self.database))
        except (OSError, ValueError):
            return None  # no /proc here: the report leaves the figure out

    def wait_for_quiet(self, *, limit: float, share: float = 0.2, window: float = 2.0) -> float:
        """Wait (at most `limit` seconds) until others use less than `share` of the cores; the seconds waited."""
        started = time.monotonic()
        while time.monotonic() - started < limit:
            before = self.sample()
            time.sleep(window)
            used = self.other_share(before, self.sample())
            if used is None or used < share:
                break
        return time.monotonic() - started

    def other_share(self, start: Sample | None, end: Sample | None) -> float | None:
        if start is None or end is None or end.at <= start.at:
            return None
        used = sum(max(0, ticks - start.ticks.get(pid, 0)) for pid, ticks in end.ticks.items())
        capacity = (end.at - start.at) * self.ticks_per_second * self.cores
        return max(0.0, min(1.0, used / capacity))
