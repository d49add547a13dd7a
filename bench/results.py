"""One benchmark run's results and the targets they are judged by."""

import math
from dataclasses import dataclass, field
from datetime import datetime

from bench.http import Latency, Page, Throughput
from bench.intake import IntakeBenchResult
from bench.notifications import NotificationBenchResult
from bench.outage import OutageBenchResult
from bench.queries import PageQueries

P95_TARGET_MS = 100.0
CEILING_FRACTION_TARGET = 0.10
# Above this share of the cores used by other processes, a miss may be the machine's, not the page's.
NOISY_SHARE = 0.15


@dataclass
class PageResult:
    page: Page
    queries: PageQueries
    latency: Latency | None = None
    throughput: Throughput | None = None
    error: str = ""
    others: float | None = None  # share of the cores other processes used while this page was measured

    @property
    def errors(self) -> list[str]:
        found = []
        if self.error:
            found.append(self.error)
        if self.queries.error:
            found.append(f"queries: {self.queries.error}")
        if self.latency and self.latency.errors:
            found.append(f"{self.latency.errors} failed requests ({self.latency.statuses})")
        return found

    @property
    def failures_under_load(self) -> str:
        """Requests the concurrent load lost: too slow (gunicorn's worker timeout, the load generator's 10 s).

        A miss to report, not a fault of the page: the same requests one at a time succeeded.
        """
        if not self.throughput:
            return ""
        parts = []
        if self.throughput.errors:
            parts.append(f"{self.throughput.errors} requests failed under load ({self.throughput.statuses})")
        if self.throughput.timeouts:
            parts.append(f"{self.throughput.timeouts} took over 10 s under load")
        return "; ".join(parts)


@dataclass
class Run:
    results: list[PageResult]
    command: str
    scale: dict
    load_seconds: float | None
    notifications: NotificationBenchResult | None = None
    notifications_error: str = ""
    outage: OutageBenchResult | None = None
    outage_error: str = ""
    intake: IntakeBenchResult | None = None
    intake_error: str = ""
    started: datetime | None = None
    finished: datetime | None = None
    settings: dict = field(default_factory=dict)
    load_before: float | None = None
    others: float | None = None
    # The staff list once per filter and per sort (bench/pages.py, build_sweep).
    sweep: list[PageResult] = field(default_factory=list)

    @property
    def ceiling(self) -> float:
        for result in self.results:
            if result.page.key == "healthz" and result.throughput:
                return result.throughput.per_second
        return float("nan")

    @property
    def failed(self) -> bool:
        measured = [*self.results, *self.sweep]
        return any(r.errors for r in measured if r.page.available) or bool(
            self.notifications_error or self.outage_error or self.intake_error
        )


def fraction_of_ceiling(run: Run, result: PageResult) -> float | None:
    if not result.throughput or not run.ceiling or math.isnan(run.ceiling):
        return None
    return result.throughput.per_second / run.ceiling


def misses(run: Run, result: PageResult) -> list[str]:
    """Why a page misses its targets, each with the size of the miss; empty when every target is met."""
    page = result.page
    found: list[str] = []
    if not page.available or page.key == "healthz":
        return found
    if result.errors:
        found.append("errors: " + "; ".join(result.errors))
    noisy = result.others is not None and result.others > NOISY_SHARE
    target = page.p95_target_ms or P95_TARGET_MS
    if result.latency and not math.isnan(result.latency.p95_ms) and result.latency.p95_ms >= target:
        found.append(
            f"p95 {result.latency.p95_ms:,.0f} ms, {result.latency.p95_ms - target:,.0f} ms over "
            f"{target:.0f} ms ({result.latency.p95_ms / target:.1f}x)"
        )
    share = fraction_of_ceiling(run, result)
    if page.is_list and share is not None and share < CEILING_FRACTION_TARGET:
        found.append(
            f"throughput {share:.1%} of the ceiling, target {CEILING_FRACTION_TARGET:.0%} "
            f"({CEILING_FRACTION_TARGET / share:.1f}x short)"
            if share
            else "no throughput"
        )
    if result.failures_under_load:
        found.append(result.failures_under_load)
    if result.queries.grows:
        found.append(f"query count grows with the data: {result.queries.small_count} → {result.queries.count}")
    if found and noisy:
        found.append(f"measured while other processes used {result.others:.0%} of the cores")
    return found


def sweep_misses(result: PageResult) -> list[str]:
    """Why one filter or sort of the staff list misses: errors, or a p95 at or over the target."""
    found = ["errors: " + "; ".join(result.errors)] if result.errors else []
    latency = result.latency
    if latency and not math.isnan(latency.p95_ms) and latency.p95_ms >= P95_TARGET_MS:
        found.append(f"p95 {latency.p95_ms:,.0f} ms ({latency.p95_ms / P95_TARGET_MS:.1f}x the target)")
    if found and result.others is not None and result.others > NOISY_SHARE:
        found.append(f"measured while other processes used {result.others:.0%} of the cores")
    return found
