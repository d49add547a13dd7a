"""The rollups the reports read: kept by every ticket change, equal to a recount from the tickets."""

import contextlib
import random
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Sum

from accounts.models import Tier
from reports import recount, rollups
from reports.models import DayDurations, DayFigures
from reports.periods import Period
from reports.selectors.figures import covering, covering_both
from tests import factories
from tickets import services
from tickets.models import BusinessCalendar, Channel, ReportAs, SlaPolicy, Ticket
from tickets.workflow import WorkflowError

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)


@pytest.fixture
def desk(technician, technician_t2, coordinator, manager):
    BusinessCalendar.objects.create(name="Office", is_default=True, country="SE")
    for priority, (respond, resolve) in {1: (30, 240), 2: (60, 480), 3: (240, 1440), 4: (480, 2880)}.items():
        SlaPolicy.objects.create(priority=priority, first_response_minutes=respond, resolution_minutes=resolve)
    technician_t2.technician_profile.tier = Tier.TWO
    technician_t2.technician_profile.save()
    hardware = factories.CategoryFactory(name="Laptop", report_as=ReportAs.HARDWARE)
    how_to = factories.CategoryFactory(name="Excel", report_as=ReportAs.HOW_TO)
    plain = factories.CategoryFactory(name="Network")
    departments = [factories.DepartmentFactory(name="Finance"), factories.DepartmentFactory(name="Sales")]
    locations = [factories.LocationFactory(), factories.LocationFactory()]
    employees = [
        factories.EmployeeFactory(department=departments[i % 2], location=locations[i // 2 % 2]) for i in range(4)
    ]
    devices = [factories.DeviceFactory(model="Latitude 5440"), factories.DeviceFactory(model="ThinkPad T14")]
    return {
        "technicians": [technician, technician_t2],
        "coordinator": coordinator,
        "manager": manager,
        "categories": [hardware, how_to, plain, None],
        "employees": employees,
        "devices": [*devices, None],
    }


def _stored() -> dict:
    return {
        (f.grain, f.day, f.group_by, f.member, f.within, f.within_member): {
            name: getattr(f, name) for name in rollups.MEASURES if getattr(f, name)
        }
        for f in DayFigures.objects.all()
        if any(getattr(f, name) for name in rollups.MEASURES)
    }


def _step(rng: random.Random, desk: dict, tickets: list[Ticket], when: datetime) -> None:
    """One random thing that happens at a help desk; a move the workflow refuses is simply not made."""
    technicians, coordinator = desk["technicians"], desk["coordinator"]
    if not tickets or rng.random() < 0.2:
        tickets.append(
            services.ticket_create(
                by=coordinator,
                requester=rng.choice(desk["employees"]),
                subject="It broke",
                category=rng.choice(desk["categories"]),
                device=rng.choice(desk["devices"]),
                impact=rng.randint(1, 3),
                urgency=rng.randint(1, 3),
                channel=rng.choice([Channel.WEB, Channel.PHONE]),
                now=when,
            )
        )
        return
    ticket = Ticket.objects.get(pk=rng.choice(tickets).pk)
    holder = ticket.assignee or rng.choice(technicians)
    actions = {
        "assign": lambda: services.ticket_assign(
            ticket=ticket, by=coordinator, assignee=rng.choice(technicians), now=when
        ),
        "triage": lambda: services.ticket_triage(
            ticket=ticket,
            by=coordinator,
            category=rng.choice(desk["categories"]),
            impact=rng.randint(1, 3),
            urgency=rng.randint(1, 3),
            tier=ticket.tier,
            auto_assign=False,
            now=when,
        ),
        "start": lambda: services.ticket_start(ticket=ticket, by=holder, now=when),
        "reply": lambda: services.comment_add(ticket=ticket, by=holder, body="Looking at it.", now=when),
        "wait": lambda: services.ticket_set_waiting(ticket=ticket, by=holder, on="requester", now=when),
        "resume": lambda: services.ticket_resume(ticket=ticket, by=holder, now=when),
        "log_time": lambda: services.ticket_log_time(ticket=ticket, by=holder, minutes=rng.randint(5, 90), now=when),
        "escalate": lambda: services.ticket_escalate(
            ticket=ticket, by=holder, note="Needs tier 2.", to=technicians[1] if ticket.tier == 1 else None, now=when
        ),
        "resolve": lambda: services.ticket_resolve(
            ticket=ticket,
            by=holder,
            resolution_notes="Done.",
            resolution_code=rng.choice(["fixed", "user_training", "hardware_replaced"]),
            now=when,
        ),
        "close": lambda: services.ticket_close(ticket=ticket, by=coordinator, now=when),
        "reopen": lambda: services.ticket_reopen(ticket=ticket, by=coordinator, note="Again.", now=when),
        "cancel": lambda: services.ticket_cancel(ticket=ticket, by=coordinator, note="Spam.", now=when),
    }
    with contextlib.suppress(WorkflowError, PermissionDenied, ValidationError):
        # Escalation needs a ticket in work at tier 1: asked for more often, so that every mix reaches it.
        actions[rng.choice([*sorted(actions), "escalate", "escalate", "start", "start"])]()


def test_any_mix_of_changes_leaves_the_rollups_a_recount_would_make(desk):
    """Random creations, triage, hand-offs, replies, time, escalations, resolutions, reopenings and
    cancellations over weeks, across midnights, in three runs: after every 40 steps the rows the changes
    kept are exactly what a recount from the tickets makes."""
    counted: set[str] = set()
    when = START
    for seed in (1, 2, 3):
        rng = random.Random(seed)
        tickets: list[Ticket] = []
        for step in range(200):
            when += timedelta(minutes=rng.choice([7, 45, 180, 600, 1440]))
            with time_machine.travel(when, tick=False):
                _step(rng, desk, tickets, when)
            if step % 40 == 39:
                with time_machine.travel(when, tick=False):
                    assert recount.recount(fix=False).differences == []
        counted |= {name for measures in _stored().values() for name in measures}
    # The runs reached every kind of figure a ticket or an Event makes (a repeat failure needs the same
    # device to fail again within a month of a fix: the test after this one makes sure of it).
    # Repairs are counted from the repair's own Event (tests/tickets/test_repairs.py), which no change here makes.
    assert set(rollups.MEASURES) - {"first_contact", "reopened", "repeat_failures", "repairs"} <= counted


def test_a_repeat_failure_counts_on_its_device_and_leaves_with_its_category(desk):
    hardware, _how_to, plain, _none = desk["categories"]
    device = desk["devices"][0]
    coordinator, technician = desk["coordinator"], desk["technicians"][0]

    def report(when, category):
        with time_machine.travel(when, tick=False):
            return services.ticket_create(
                by=coordinator, requester=desk["employees"][0], subject="Hinge", category=category, device=device,
                impact=3, urgency=2, now=when,
            )  # fmt: skip

    first = report(START, hardware)
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        services.ticket_assign(ticket=first, by=coordinator, assignee=technician, now=START + timedelta(hours=2))
        services.ticket_resolve(
            ticket=first, by=technician, resolution_notes="Hinge.", resolution_code="fixed",
            now=START + timedelta(hours=2),
        )  # fmt: skip
    again = START + timedelta(days=3)
    second = report(again, hardware)

    def repeats(grain):
        rows = DayFigures.objects.filter(grain=grain, group_by="device", member=str(device.pk))
        return {(row.day, row.failures, row.repeat_failures) for row in rows}

    assert repeats("day") == {(START.date(), 1, 0), (again.date(), 1, 1)}
    assert repeats("month") == {(date(2026, 3, 1), 2, 1)}
    with time_machine.travel(again + timedelta(hours=1), tick=False):
        services.ticket_triage(
            ticket=second, by=coordinator, category=plain, impact=3, urgency=2, tier=1, auto_assign=False,
            now=again + timedelta(hours=1),
        )  # fmt: skip
        assert recount.recount(fix=False).differences == []
    assert repeats("month") == {(date(2026, 3, 1), 1, 0)}


def test_the_recount_puts_a_damaged_row_right_and_says_so(desk):
    with time_machine.travel(START, tick=False):
        services.ticket_create(
            by=desk["coordinator"], requester=desk["employees"][0], subject="No mail", impact=3, urgency=2
        )
    whole = DayFigures.objects.get(grain="day", group_by="", within="")
    assert (whole.created, whole.backlog) == (1, 1)
    DayFigures.objects.filter(pk=whole.pk).update(created=5)
    DayFigures.objects.create(day=START.date(), group_by="technician", member="999", created=2)
    with time_machine.travel(START + timedelta(days=1), tick=False):
        found = recount.recount(fix=True)
    assert len(found.differences) == 2
    assert DayFigures.objects.get(grain="day", group_by="", within="").created == 1
    assert not DayFigures.objects.filter(member="999").exists()
    with time_machine.travel(START + timedelta(days=1), tick=False):
        assert recount.recount(fix=False).differences == []


def test_a_recount_from_nothing_writes_text_that_needs_escaping_exactly(desk):
    """The recount writes its rows with COPY: a device model with a backslash, a tab and a line break comes
    back as it was, and a second recount finds nothing to put right."""
    odd = factories.DeviceFactory(model="Dell\\Latitude\t5440\nrev B")
    with time_machine.travel(START, tick=False):
        services.ticket_create(
            by=desk["coordinator"], requester=desk["employees"][0], subject="Hinge", impact=3, urgency=2,
            category=desk["categories"][0], device=odd,
        )  # fmt: skip
    kept = _stored()
    DayFigures.objects.all().delete()
    with time_machine.travel(START + timedelta(days=1), tick=False):
        assert recount.recount(fix=True).differing >= len(kept)  # every row was missing (and the durations)
        assert recount.recount(fix=False).differences == []
    assert _stored() == kept
    assert DayFigures.objects.filter(group_by="device_model", member="Dell\\Latitude\t5440\nrev B").exists()


def test_the_monthly_rows_add_up_to_the_daily_ones_for_any_period(desk):
    """A period reads whole months from the monthly figures and histograms and its odd days from the daily
    ones: the same counts as all its days read one by one, whatever the period, alone or with the period
    before it."""
    rng = random.Random(5)
    tickets: list[Ticket] = []
    when = START
    for _ in range(150):
        when += timedelta(minutes=rng.choice([45, 600, 1440, 2880]))
        with time_machine.travel(when, tick=False):
            _step(rng, desk, tickets, when)
    assert DayDurations.objects.filter(grain="month").exists()
    assert DayFigures.objects.filter(grain="month").exists()
    periods = [
        Period(date(2026, 3, 1), date(2026, 3, 31)),
        Period(date(2026, 3, 5), date(2026, 5, 20)),
        Period(date(2026, 4, 1), date(2026, 6, 30)),
        Period(date(2026, 3, 2), date(2026, 3, 8)),
        Period(date(2026, 5, 1), date(2026, 6, 30)),  # whole months after as many: one range of months
        Period(date(2026, 5, 1), date(2026, 5, 15)),  # from a month's first, not whole months
        Period(date(2026, 4, 6), date(2026, 4, 8)),  # a week so far, against the same days a week before
    ]
    for period in periods:

        def counts(condition):
            rows = (
                DayDurations.objects.filter(condition)
                .values_list("group_by", "member", "within", "within_member", "measure", "bucket")
                .annotate(n=Sum("count"))
                .order_by()
            )
            return {tuple(row[:-1]): row[-1] for row in rows if row[-1]}

        def sums(condition):
            rows = (
                DayFigures.objects.filter(condition)
                .values_list("group_by", "member", "within", "within_member")
                .annotate(*[Sum(name) for name in rollups.MEASURES])
                .order_by()
            )
            return {tuple(row[:4]): row[4:] for row in rows if any(row[4:])}

        daily = Q(grain="day", day__gte=period.first, day__lte=period.last)
        assert counts(covering(period)) == counts(daily), period
        assert sums(covering(period)) == sums(daily), period
        previous = period.previous()
        both_daily = daily | Q(grain="day", day__gte=previous.first, day__lte=previous.last)
        assert counts(covering_both(period)) == counts(both_daily), period
        assert sums(covering_both(period)) == sums(both_daily), period
