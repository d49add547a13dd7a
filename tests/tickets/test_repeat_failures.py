"""Repeat failures: the flag the services keep on each hardware ticket, and the bulk marking (after a load,
in the migration) that must find the same."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests import factories
from tickets import failures, services
from tickets.models import ReportAs, Ticket

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def shop(coordinator, technician):
    hardware = factories.CategoryFactory(name="Laptop", report_as=ReportAs.HARDWARE)
    software = factories.CategoryFactory(name="Software")
    return {
        "coordinator": coordinator,
        "technician": technician,
        "hardware": hardware,
        "software": software,
        "anna": factories.EmployeeFactory(),
        "device": factories.DeviceFactory(model="Latitude 5440"),
        "other": factories.DeviceFactory(model="Latitude 5440"),
    }


def _report(shop, when, category, device=None):
    with time_machine.travel(when, tick=False):
        return services.ticket_create(
            by=shop["coordinator"], requester=shop["anna"], subject="Broken", category=category,
            device=device or shop["device"], impact=3, urgency=2, now=when,
        )  # fmt: skip


def _fix(shop, when, ticket):
    with time_machine.travel(when, tick=False):
        ticket = services.ticket_assign(ticket=ticket, by=shop["coordinator"], assignee=shop["technician"], now=when)
        return services.ticket_resolve(
            ticket=ticket, by=shop["technician"], resolution_notes="New hinge.", resolution_code="fixed", now=when
        )


def test_a_fault_within_thirty_days_of_a_fix_is_a_repeat(shop):
    first = _report(shop, START, shop["hardware"])
    assert not first.repeat_failure  # nothing fixed before it
    _fix(shop, START + timedelta(days=1), first)
    again = _report(shop, START + timedelta(days=31), shop["hardware"])  # 30 days after the fix: a repeat
    later = _report(shop, START + timedelta(days=62), shop["hardware"])  # 61 days after: none
    elsewhere = _report(shop, START + timedelta(days=2), shop["hardware"], device=shop["other"])
    software = _report(shop, START + timedelta(days=3), shop["software"])  # no fault of the hardware
    flags = dict(Ticket.objects.values_list("pk", "repeat_failure"))
    assert flags == {first.pk: False, again.pk: True, later.pk: False, elsewhere.pk: False, software.pk: False}


def test_a_fault_still_open_is_no_fix_to_repeat(shop):
    first = _report(shop, START, shop["hardware"])
    second = _report(shop, START + timedelta(days=2), shop["hardware"])
    assert not first.repeat_failure and not second.repeat_failure


def test_triage_that_makes_a_ticket_a_hardware_fault_decides_then(shop):
    _fix(shop, START + timedelta(hours=2), _report(shop, START, shop["hardware"]))
    asked = _report(shop, START + timedelta(days=5), shop["software"])
    assert not asked.repeat_failure
    when = START + timedelta(days=5, hours=1)
    with time_machine.travel(when, tick=False):
        triaged = services.ticket_triage(
            ticket=asked, by=shop["coordinator"], category=shop["hardware"], impact=3, urgency=2, tier=1,
            auto_assign=False, now=when,
        )  # fmt: skip
    assert triaged.repeat_failure
    assert Ticket.objects.get(pk=asked.pk).repeat_failure
    when = START + timedelta(days=5, hours=2)
    with time_machine.travel(when, tick=False):
        back = services.ticket_triage(
            ticket=triaged, by=shop["coordinator"], category=shop["software"], impact=3, urgency=2, tier=1,
            auto_assign=False, now=when,
        )  # fmt: skip
    assert not back.repeat_failure


def test_the_bulk_marking_finds_what_the_services_kept(shop):
    """After a bulk load (and in the migration that added the flag) every ticket is marked from the tickets
    as they are: the same flags as the services set one change at a time."""
    first = _report(shop, START, shop["hardware"])
    _fix(shop, START + timedelta(days=1), first)
    for days in (3, 20, 40, 45):
        _report(shop, START + timedelta(days=days), shop["hardware"])
    _report(shop, START + timedelta(days=4), shop["software"])
    kept = dict(Ticket.objects.values_list("pk", "repeat_failure"))
    assert sum(kept.values()) == 2  # the 3rd and 20th days' faults came within 30 days of the fix
    Ticket.objects.update(repeat_failure=False)
    Ticket.objects.filter(pk=first.pk).update(repeat_failure=True)  # a wrong flag is put right too
    assert failures.mark_all() == 2
    assert dict(Ticket.objects.values_list("pk", "repeat_failure")) == kept
