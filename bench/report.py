"""The benchmark's table, on the terminal and in BENCHMARKS.md, with the machine, the data and the plans.

BENCHMARKS.md is rewritten on every run, except the hand-written analysis between the ANALYSIS markers,
which is carried over: the numbers come from the machine, the reasons from the people who read them.
"""

import math
from pathlib import Path

from bench.environment import machine, versions
from bench.intake import TARGET_PER_SECOND as TARGET_INTAKE
from bench.results import (
    CEILING_FRACTION_TARGET,
    NOISY_SHARE,
    P95_TARGET_MS,
    PageResult,
    Run,
    fraction_of_ceiling,
    misses,
    sweep_misses,
)

ANALYSIS_START = "<!-- analysis:start -->"
ANALYSIS_END = "<!-- analysis:end -->"


def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def _target_cell(run: Run, result: PageResult) -> str:
    if not result.page.available:
        return "n/a"
    if result.page.key == "healthz":
        return "ceiling"
    found = misses(run, result)
    if not found:
        return "met"
    return "ERROR" if result.errors else "missed"


def _queries_cell(result: PageResult) -> str:
    q = result.queries
    if q.count is None:
        return "-"
    text = str(q.count)
    if q.small_count is not None:
        text += f" ({'grows from ' if q.grows else 'same as small: '}{q.small_count})"
    return text


def rows(run: Run) -> list[list[str]]:
    table = []
    for result in run.results:
        page = result.page
        if not page.available:
            table.append([page.label, page.role, "-", "-", "-", "-", "-", "not available"])
            continue
        unit = "/s" if not page.follow else " posts/s"
        share = fraction_of_ceiling(run, result)
        table.append(
            [
                page.label,
                page.role,
                _fmt(result.latency.median_ms, 1) if result.latency else "-",
                _fmt(result.latency.p95_ms, 1) if result.latency else "-",
                (_fmt(result.throughput.per_second, 0) + unit) if result.throughput else "-",
                f"{share:.1%}" if share is not None else "-",
                _queries_cell(result),
                _target_cell(run, result),
            ]
        )
    return table


HEADERS = ["Page", "Role", "Median ms", "p95 ms", "Throughput", "% of ceiling", "Queries", "Target"]


def text_table(run: Run) -> str:
    table = [HEADERS, *rows(run)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADERS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in table]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(run: Run) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "|".join("---" for _ in HEADERS) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows(run)]
    return "\n".join(lines)


# --- BENCHMARKS.md -----------------------------------------------------------------------------


def _notification_section(run: Run) -> list[str]:
    lines = ["## Notifications", ""]
    result = run.notifications
    if run.notifications_error:
        return [*lines, f"Not measured: {run.notifications_error}", ""]
    if result is None:
        return [*lines, "Not measured in this run.", ""]
    return [
        *lines,
        "One Celery worker (concurrency "
        f"{result.worker_concurrency}) on the real Redis, sending to a local SMTP server "
        "(`bench/notifications.py`).",
        "",
        "| Measure | Value |",
        "|---|---|",
        f"| Backlog delivered | {result.backlog_delivered:,} of {result.backlog:,} |",
        f"| Throughput, one worker | {_fmt(result.throughput_per_second)} messages/s |",
        f"| Status changes | {result.changes:,} at {_fmt(result.change_rate, 1)}/s, {result.delivered:,} delivered |",
        f"| Latency, change to arrival | median {_fmt(result.latency_median_ms)} ms, "
        f"p95 {_fmt(result.latency_p95_ms)} ms |",
        f"| Delivered within 2 s | {_fmt(result.within_2s_percent, 1)} % |",
        "",
    ]


def _intake_section(run: Run) -> list[str]:
    lines = ["## Email intake", ""]
    result = run.intake
    if run.intake_error:
        return [*lines, f"Not measured: {run.intake_error}", ""]
    if result is None:
        return [*lines, "Not measured in this run.", ""]
    mix = ", ".join(f"{count:,} {kind}" for kind, count in sorted(result.mix.items()))
    counts = ", ".join(f"{count:,} {status}" for status, count in sorted(result.counts.items()))
    return [
        *lines,
        "A real Dovecot on a spare port, messages built like a desk's mail, read by one fetcher in the measuring "
        "process as one Celery worker runs it (`bench/intake.py`).",
        "",
        "| Measure | Value |",
        "|---|---|",
        f"| Mailbox | {result.messages:,} messages: {mix} |",
        f"| Throughput, one fetcher | {_fmt(result.per_second)} messages/s ({counts}); target "
        f"{TARGET_INTAKE:.0f}/s: {'met' if result.met else 'missed'} |",
        f"| Steady delivery | {result.delivered:,} messages at {_fmt(result.delivery_rate, 1)}/s, the mailbox read "
        f"every {result.interval:.0f} s |",
        f"| Delivery to ticket | median {_fmt(result.latency_median_ms)} ms, p95 {_fmt(result.latency_p95_ms)} ms, "
        f"longest {_fmt(result.latency_max_ms)} ms |",
        "",
    ]


def _outage_section(run: Run) -> list[str]:
    lines = ["### Through a Redis outage", ""]
    result = run.outage
    if run.outage_error:
        return [*lines, f"Not measured: {run.outage_error}", ""]
    if result is None:
        return [*lines, "Not measured in this run.", ""]
    note = (
        " This quick run made the waiting rows due at once instead of waiting for the sweeper's grace."
        if result.grace_skipped
        else ""
    )
    return [
        *lines,
        f"{result.changes_per_phase} status changes with Redis up, {result.changes_per_phase} while it refuses "
        f"(stopped), {result.changes_per_phase} while it hangs (SIGSTOP); then it is back, and beat's sweeper, every "
        f"30 s, queues what it never got (`bench/outage.py`, the benchmark's own redis-server).{note}",
        "",
        "| Measure | Value |",
        "|---|---|",
        f"| Change to inbox, Redis up | median {_fmt(result.up_to_inbox_median_ms)} ms, "
        f"max {_fmt(result.up_to_inbox_max_ms)} ms |",
        f"| Save while Redis refuses | median {_fmt(result.save_refused_median_ms)} ms, "
        f"max {_fmt(result.save_refused_max_ms)} ms |",
        f"| Save while Redis hangs | median {_fmt(result.save_hung_median_ms)} ms, "
        f"max {_fmt(result.save_hung_max_ms)} ms |",
        f"| Changes made meanwhile, in the inbox after | {result.delivered_after} of {result.expected_after} |",
        f"| From Redis's return to the inbox | median {_fmt(result.back_to_inbox_median_s, 1)} s, "
        f"max {_fmt(result.back_to_inbox_max_s, 1)} s |",
        f"| From the change to the inbox | median {_fmt(result.change_to_inbox_median_s, 1)} s, "
        f"max {_fmt(result.change_to_inbox_max_s, 1)} s |",
        "",
    ]


def _sweep_section(run: Run) -> list[str]:
    if not run.sweep:
        return []
    requests = run.settings.get("sweep_requests")
    lines = [
        "## The staff list by every filter and every sort",
        "",
        f"Each filter alone and each sort in both directions, over tickets of every status (but the status "
        f"filter), as a coordinator: {requests} sequential requests each, after the pages above. Target: p95 "
        f"under {P95_TARGET_MS:.0f} ms, with each filter and sort served by an index. The query plan of the "
        "slowest query is below for any that misses.",
        "",
        "| Filter or sort | Query string | Median ms | p95 ms | Queries | Slowest query ms | Target |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in run.sweep:
        query = result.page.paths[0].partition("?")[2] if result.page.paths else ""
        latency = result.latency
        lines.append(
            f"| {result.page.label} | `{query}` | {_fmt(latency.median_ms, 1) if latency else '-'} | "
            f"{_fmt(latency.p95_ms, 1) if latency else '-'} | "
            f"{result.queries.count if result.queries.count is not None else '-'} | "
            f"{_fmt(result.queries.slowest_ms, 1)} | "
            f"{('ERROR' if result.errors else 'missed') if sweep_misses(result) else 'met'} |"
        )
    lines.append("")
    for result in run.sweep:
        if sweep_misses(result) and result.queries.plan:
            lines += [
                f"### {result.page.label}",
                "",
                "```sql",
                abbreviate(result.queries.slowest_sql),
                "```",
                "",
                "```",
                result.queries.plan,
                "```",
                "",
            ]
    return lines


def _misses_section(run: Run) -> list[str]:
    lines = ["## Targets missed", ""]
    found = [(result, misses(run, result)) for result in run.results]
    found += [(result, sweep_misses(result)) for result in run.sweep]
    found = [(result, reasons) for result, reasons in found if reasons]
    if not found:
        lines.append("None: every page met its targets in this run.")
    for result, reasons in found:
        lines.append(f"- **{result.page.label}** ({result.page.role}): " + "; ".join(reasons) + ".")
    unavailable = [result.page.label for result in run.results if not result.page.available]
    if unavailable:
        lines += ["", "Not measured because the page does not exist yet: " + ", ".join(unavailable) + "."]
    return [*lines, ""]


def _plans_section(run: Run) -> list[str]:
    lines = [
        "## Query plans",
        "",
        "The slowest SQL query of one warm request of each page, with `EXPLAIN (ANALYZE, BUFFERS)` run right "
        "after it on the same data. A plan that turns into a sequential scan, or a sort over many rows, "
        "is a regression.",
        "",
    ]
    ordered = sorted(run.results, key=lambda r: (not r.page.is_list, r.page.key))
    for result in ordered:
        q = result.queries
        if not q.plan:
            continue
        sql = abbreviate(q.slowest_sql)
        lines += [
            f"### {result.page.label} ({result.page.role})",
            "",
            f"Slowest of its {q.count} queries: {q.slowest_ms:.1f} ms.",
            "",
            "```sql",
            sql,
            "```",
            "",
            "```",
            q.plan,
            "```",
            "",
        ]
    return lines


def _load_line(run: Run) -> str:
    parts = []
    if run.load_before is not None:
        parts.append(f"1-minute load average {run.load_before:.2f} before the measurement")
    if run.others is not None:
        shares = [r.others for r in run.results if r.others is not None]
        text = f"other processes used {run.others:.0%} of the cores while it ran"
        if shares:
            text += f" ({max(shares):.0%} at most during one page)"
        parts.append(text)
        if run.others > NOISY_SHARE:
            parts.append("so the figures are slower than a quiet machine's")
    return "- Machine load: " + "; ".join(parts) if parts else ""


def abbreviate(sql: str, *, columns: int = 200, limit: int = 4000) -> str:
    """The query with a long column list cut short: what it reads and how it filters and sorts stays whole.

    A column list holding subqueries is kept: they are often where the time goes.
    """
    depth, quoted = 0, False
    for index, char in enumerate(sql):
        if char == '"' or char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and sql.startswith(" FROM ", index):
            if index > columns and "(SELECT" not in sql[:index].upper():
                sql = f"{sql[:columns]} … {sql[index + 1 :]}"
            break
    return sql if len(sql) <= limit else sql[:limit] + " …"


def _carried_analysis(output: Path) -> str:
    try:
        text = output.read_text()
    except OSError:
        return ""
    start, end = text.find(ANALYSIS_START), text.find(ANALYSIS_END)
    if start == -1 or end == -1:
        return ""
    return text[start + len(ANALYSIS_START) : end].strip("\n")


def markdown(run: Run, output: Path | None = None) -> str:
    facts = machine()
    analysis = _carried_analysis(output) if output else ""
    scale = ", ".join(f"{count:,} {name}" for name, count in run.scale.items())
    load = f"{run.load_seconds:,.0f} s" if run.load_seconds else "not recorded"
    lines = [
        "# Benchmarks",
        "",
        "Produced by `manage.py bench` (`make bench`): a generated organisation loaded into its own PostgreSQL "
        "database, the site served by gunicorn as in production on 127.0.0.1, each page requested by a "
        "logged-in person of its role; the code is in `bench/`. `make bench` repeats it (about half an "
        "hour on two cores); CI runs `manage.py bench --quick` (tests/bench/) to prove it still works.",
        "",
        "## This run",
        "",
        f"- Command: `{run.command}`",
        f"- When: {run.started:%Y-%m-%d %H:%M} to {run.finished:%H:%M} UTC" if run.started and run.finished else "",
        f"- Data: {scale}",
        f"- Load time: {load}",
        f"- Measurement: {run.settings.get('requests')} sequential requests per page (bounded to "
        f"{run.settings.get('max_seconds')} s), then {run.settings.get('connections')} connections for "
        f"{run.settings.get('seconds')} s; gunicorn with {run.settings.get('workers')} sync workers, DEBUG off.",
        _load_line(run),
        "- Machine: "
        + ", ".join(f"{name} {value}" for name, value in facts.items() if name != "system")
        + f" ({facts.get('system', '')})",
        "- Versions: " + ", ".join(f"{name} {value}" for name, value in versions().items()),
        "",
        "## Pages",
        "",
        f"Targets: p95 under {P95_TARGET_MS:.0f} ms on every page (the reports: under 300 ms, over twelve months "
        "and the twelve before them); on list pages and the dashboard at least "
        f"{CEILING_FRACTION_TARGET:.0%} of the ceiling's throughput; a query count that does not grow with the "
        "data (checked where a small case exists: the same page for a person with few tickets, or a ticket "
        "with a short history). Median and p95 are measured by the client on loopback; a POST row is the "
        "POST and the GET of its redirect together, and its throughput counts completed posts.",
        "",
        markdown_table(run),
        "",
        *_sweep_section(run),
        *_notification_section(run),
        *_outage_section(run),
        *_intake_section(run),
        *_misses_section(run),
        "## Analysis",
        "",
        ANALYSIS_START,
        analysis or "(Why each target above is missed and what would close it: written by hand, kept across runs.)",
        ANALYSIS_END,
        "",
        *_plans_section(run),
    ]
    return "\n".join(line for line in lines if line is not None)
