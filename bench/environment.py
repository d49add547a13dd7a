"""What a benchmark ran on: the machine, the versions, the rows in the database."""

import os
import platform
import re
import subprocess
from pathlib import Path

import django
import gunicorn
from django.db import connection

from accounts.models import User
from assets.models import Device, Employee
from tickets.models import Comment, Event, Ticket


def machine() -> dict[str, str]:
    facts = {"cores": str(os.cpu_count())}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
        facts["cpu"] = found.group(1).strip() if found else "unknown"
        meminfo = Path("/proc/meminfo").read_text()
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
        facts["memory"] = f"{int(found.group(1)) / 1024 / 1024:.1f} GiB" if found else "unknown"
    except OSError:
        pass
    facts["system"] = platform.platform()
    return facts


def versions() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "random_page_cost", "max_connections"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    try:
        wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=10, check=False)
        wrk_version = (wrk.stdout or wrk.stderr).split("Copyright")[0].strip() or "unknown"
    except OSError:
        wrk_version = "not installed (Python load generator)"
    return {
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "PostgreSQL": postgres + " (" + ", ".join(f"{k} {v}" for k, v in settings.items()) + ")",
        "gunicorn": gunicorn.__version__,
        "wrk": wrk_version,
    }


def row_counts() -> dict[str, int]:
    counts = {}
    for label, model in (
        ("tickets", Ticket),
        ("events", Event),
        ("comments", Comment),
        ("employees", Employee),
        ("devices", Device),
        ("logins", User),
    ):
        counts[label] = model.objects.count()
    counts["technicians"] = User.objects.filter(technician_profile__isnull=False).count()
    return counts
