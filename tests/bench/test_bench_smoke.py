"""`manage.py bench` at CI scale: it loads, serves, measures and reports every page without an error.

The full run (a million tickets, by hand) is `make bench`; this proves the same command still works.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bench import database, pages
from tickets.forms import FILTER_FIELDS
from tickets.selectors import TICKET_SORTS

ROOT = Path(__file__).resolve().parents[2]
ROWS = [
    "My tickets",
    "A ticket page",
    "Submit a ticket (POST + redirect)",
    "My queue",
    "A ticket with 200 events",
    "Reply (POST + redirect)",
    "Dashboard",
    "Ticket list, unfiltered",
    "Ticket list, status + tier",
    "Ticket list, by due time",
    'Ticket list, search "docking"',
    "Technician suggestions",
    "API: staff ticket list, 50 a page",
    "A training session and its effect",
    "Bare view (/healthz): the ceiling",
]


@pytest.fixture
def bench_database():
    """A throwaway bench database, one per xdist worker, dropped afterwards."""
    name = f"hd_bench_smoke_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    server = database.Server.from_settings(connection.settings_dict)
    yield name
    database.drop(server, name)


@pytest.mark.bench
def test_bench_quick_run_measures_every_page(bench_database, tmp_path):
    output = tmp_path / "BENCHMARKS.md"
    command = [sys.executable, "manage.py", "bench", "--quick", "--tickets", "2000", "--fresh"]
    command += ["--database", bench_database, "--output", str(output)]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=480, check=False)
    printed = finished.stdout + finished.stderr
    assert finished.returncode == 0, printed[-4000:]
    assert "ERROR" not in printed, printed[-4000:]

    report = output.read_text()
    table = {}
    for line in report.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if len(cells) == 8 and cells[0] in ROWS:
            table[cells[0]] = cells
    assert set(table) == set(ROWS), report
    for label, (_page, _role, median, p95, throughput, _share, queries, target) in table.items():
        if target == "not available":
            continue
        assert re.match(r"^\d", queries), f"{label}: no query count in {table[label]}"
        assert re.match(r"^[\d,.]+$", median) and re.match(r"^[\d,.]+$", p95), table[label]
        assert re.match(r"^[\d,]+", throughput), table[label]
        assert target in ("met", "missed", "ceiling"), table[label]
    assert table["Bare view (/healthz): the ceiling"][6] == "0"

    # The staff list once per filter and per sort direction, each with its figures.
    sweep = {}
    for line in report.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if len(cells) == 7 and cells[0].startswith(("Filter ", "Sort ")) and cells[0] != "Filter or sort":
            sweep[cells[0]] = cells
    expected = {f"Filter {name}" for name in FILTER_FIELDS if name != "sort"}
    expected |= {f"Sort {name}, {way}" for name in TICKET_SORTS for way in ("ascending", "descending")}
    assert set(sweep) == expected, report
    for label, (_label, query, median, p95, queries, _slowest, target) in sweep.items():
        assert query.startswith("`") and "status=" in query, sweep[label]
        assert re.match(r"^[\d,.]+$", median) and re.match(r"^[\d,.]+$", p95), sweep[label]
        assert re.match(r"^\d+$", queries) and target in ("met", "missed"), sweep[label]
    assert "messages/s" in report
    # The email intake: one fetcher's throughput and the time from delivery to the ticket.
    intake = report.split("## Email intake", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"Throughput, one fetcher \| [\d,.]+ messages/s", intake), intake
    assert re.search(r"Delivery to ticket \| median [\d,.]+ ms, p95 [\d,.]+ ms", intake), intake
    assert "## Query plans" in report and "Buffers:" in report
    assert "Load time:" in report


@pytest.mark.django_db
def test_bench_refuses_the_database_it_is_called_with():
    with pytest.raises(CommandError, match="not a bench database"):
        call_command("bench", "--quick", "--database", connection.settings_dict["NAME"])


def test_a_page_whose_url_does_not_exist_yet_is_not_available(monkeypatch):
    monkeypatch.setattr(pages, "SUGGESTION_URL_NAMES", ("tickets:no_such_page",))
    people = {
        "long_ticket": 2,
        "typical_ticket": 3,
        "reply_targets": [3, 4],
        "unassigned_ticket": 5,
        "requester_ticket": 6,
        "category": 1,
        "filters": {"department": 1},
    }
    built = {page.key: page for page in pages.build(people)}
    assert not built["suggestions"].available
    assert built["suggestions"].note.startswith("not available")
    assert built["mine"].available and built["reply"].paths == ["/tickets/HD-3/reply/", "/tickets/HD-4/reply/"]
