"""The benchmark's load: measures as the services keep them, rollups recounted, and the seed's story at scale."""

from collections import Counter

import pytest
from django.db.models import Count, Q, Sum

from assets.models import Department, Device
from bench import data
from helpdesk.seed import FAILING_MODEL, HOW_TO_DEPARTMENT, RISING_CATEGORY, RISING_DAYS
from reports import recount
from reports.models import DayFigures
from tickets.models import Category, Ticket


@pytest.fixture
def loaded(transactional_db):
    # The load drops and rebuilds indexes and vacuums: it needs a database of its own transactions.
    lines: list[str] = []
    summary = data.load(tickets=3000, log=lines.append)
    return summary, lines


def test_the_load_fills_the_measures_and_recounts_the_rollups(loaded):
    summary, lines = loaded
    assert any("rollups:" in line and "per 10,000 tickets" in line for line in lines)
    assert summary.recount_seconds > 0
    assert recount.recount(fix=False).differences == []

    tickets = Ticket.objects.annotate(
        escalations=Count("events", filter=Q(events__action="escalate")),
        reopenings=Count("events", filter=Q(events__action__in=["reopen", "reopen_closed"])),
    )
    assert all(t.escalations == t.escalation_count and t.reopenings == t.reopen_count for t in tickets)
    assert Ticket.objects.filter(escalation_count=1).exists() and Ticket.objects.filter(reopen_count=1).exists()
    # No service levels at the bench desk: wall-clock minutes, never "met" (tickets.sla.measure).
    for ticket in Ticket.objects.order_by("pk")[:500]:
        assert (ticket.response_minutes is None) == (ticket.first_response_at is None)
        if ticket.first_response_at is not None:
            assert ticket.response_minutes == int((ticket.first_response_at - ticket.created_at).total_seconds() // 60)
        solved = ticket.status in ("resolved", "closed")
        assert (ticket.resolution_minutes is not None) == solved
        if solved:
            assert ticket.resolution_minutes == int((ticket.resolved_at - ticket.created_at).total_seconds() // 60)
        assert ticket.response_met is None and ticket.resolution_met is None
    logged = DayFigures.objects.filter(grain="day", group_by="technician").aggregate(n=Sum("minutes_logged"))["n"]
    assert logged == Ticket.objects.aggregate(n=Sum("time_spent_minutes"))["n"]


def test_the_load_tells_the_story_at_scale(loaded):
    totals = DayFigures.objects.filter(grain="day", within="")
    devices = Counter(dict(Device.objects.values_list("model").annotate(n=Count("pk"))))
    failures = dict(totals.filter(group_by="device_model").values_list("member").annotate(n=Sum("failures")).order_by())
    per_device = {model: failures.get(model, 0) / count for model, count in devices.items()}
    assert max(per_device, key=per_device.__getitem__) == FAILING_MODEL

    how_to = dict(
        DayFigures.objects.filter(grain="day", group_by="", within="department")
        .values_list("within_member")
        .annotate(n=Sum("how_to"))
        .order_by()
    )
    assert max(how_to, key=how_to.__getitem__) == str(Department.objects.get(name=HOW_TO_DEPARTMENT).pk)

    rising = totals.filter(group_by="category", member=str(Category.objects.get(name=RISING_CATEGORY).pk))
    latest = rising.order_by("-day").values_list("day", flat=True).first()
    assert latest is not None
    recent = rising.filter(day__gt=latest.replace(day=1).fromordinal(latest.toordinal() - RISING_DAYS // 2))
    per_day_recent = (recent.aggregate(n=Sum("created"))["n"] or 0) / (RISING_DAYS // 2)
    per_day_all = (rising.aggregate(n=Sum("created"))["n"] or 0) / (3 * 365)
    assert per_day_recent > 2 * per_day_all
