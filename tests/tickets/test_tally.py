"""The solved tally behind "solved N like this": kept by the status changes, equal to a rebuild from the tickets."""

import random
import threading
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection

from tests import factories
from tickets import selectors, services, tally
from tickets.models import SolvedTally, Ticket, TicketStatus

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _kept() -> dict:
    return {
        (row.technician_id, row.category_id, row.device_model, row.month): row.count
        for row in SolvedTally.objects.all()
        if row.count
    }


def _rebuilt() -> dict:
    kept = {(row.pk, row.count) for row in SolvedTally.objects.all()}
    tally.rebuild()
    rebuilt = _kept()
    assert kept  # the caller had counted something
    return rebuilt


def _resolve(ticket, by):
    return services.ticket_resolve(
        ticket=ticket, by=by, resolution_notes="Replaced the toner.", resolution_code="fixed"
    )


@time_machine.travel(NOW, tick=False)
def test_resolving_counts_a_ticket_in_and_reopening_counts_it_out(technician, coordinator, manager):
    printers = factories.CategoryFactory(name="Printers")
    device = factories.DeviceFactory(model="LaserJet 4000")
    ticket = factories.TicketFactory(category=printers, device=device, assignee=technician, status="in_progress")
    bucket = (technician.pk, printers.pk, "LaserJet 4000", date(2026, 3, 1))
    _resolve(ticket, technician)
    assert _kept() == {bucket: 1}
    services.ticket_close(ticket=ticket, by=coordinator)  # still solved: counted once
    assert _kept() == {bucket: 1}
    services.ticket_reopen_closed(ticket=ticket, by=manager, note="It jams again.")
    assert _kept() == {}
    _resolve(Ticket.objects.get(pk=ticket.pk), technician)
    assert _kept() == {bucket: 1}


@time_machine.travel(NOW, tick=False)
def test_the_ranking_reads_the_kept_tally_at_once(technician, coordinator):
    printers = factories.CategoryFactory(name="Printers")
    solved = factories.TicketFactory(category=printers, assignee=technician, status="in_progress")
    _resolve(solved, technician)
    [suggestion] = selectors.technician_suggestions(factories.TicketFactory(category=printers))
    assert suggestion.solved_like_this == 1
    services.ticket_reopen(ticket=solved, by=coordinator, note="Not fixed.")
    [suggestion] = selectors.technician_suggestions(factories.TicketFactory(category=printers))
    assert suggestion.solved_like_this == 0


@time_machine.travel(NOW, tick=False)
def test_a_solved_ticket_is_not_like_itself(technician):
    printers = factories.CategoryFactory(name="Printers")
    ticket = factories.TicketFactory(category=printers, assignee=technician, status="in_progress")
    _resolve(ticket, technician)
    [suggestion] = selectors.technician_suggestions(Ticket.objects.get(pk=ticket.pk))
    assert suggestion.solved_like_this == 0


def test_any_run_of_status_changes_leaves_the_tally_a_rebuild_would_make(technician, technician_t2, coordinator):
    """Random resolves, closes and reopens over a few tickets and months: the kept tally always equals the
    tally made again from the tickets."""
    rng = random.Random(7)
    categories = [factories.CategoryFactory(), None]
    models = [factories.DeviceFactory(model="ThinkPad T14"), factories.DeviceFactory(model=""), None]
    tickets = [
        factories.TicketFactory(
            category=rng.choice(categories),
            device=rng.choice(models),
            assignee=rng.choice([technician, technician_t2]),
            status="in_progress",
        )
        for _ in range(6)
    ]
    moments = [datetime(2026, month, 5, 10, 0, tzinfo=UTC) for month in (1, 2, 3)]
    for _step in range(40):
        ticket = Ticket.objects.get(pk=rng.choice(tickets).pk)
        when = rng.choice(moments)
        if ticket.status == TicketStatus.IN_PROGRESS:
            services.ticket_resolve(
                ticket=ticket, by=ticket.assignee, resolution_notes="Done.", resolution_code="fixed", now=when
            )
        elif ticket.status == TicketStatus.RESOLVED and rng.random() < 0.5:
            services.ticket_close(ticket=ticket, by=coordinator, now=when)
        elif ticket.status == TicketStatus.RESOLVED:
            services.ticket_reopen(ticket=ticket, by=coordinator, note="Again.", now=when)
        else:
            continue
        kept = _kept()
        with time_machine.travel(datetime(2026, 3, 20, tzinfo=UTC), tick=False):
            assert kept == _rebuilt()


@pytest.mark.django_db(transaction=True)
def test_two_tickets_solved_at_once_in_one_bucket_count_two(technician):
    """The first solve of a bucket makes its row; two at once must not make two rows, nor lose one."""
    printers = factories.CategoryFactory(name="Printers")
    tickets = [factories.TicketFactory(category=printers, assignee=technician, status="in_progress") for _ in range(2)]
    barrier = threading.Barrier(2)
    errors = []

    def solve(ticket):
        try:
            barrier.wait()
            _resolve(ticket, technician)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=solve, args=(ticket,)) for ticket in tickets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert list(SolvedTally.objects.values_list("count", flat=True)) == [2]
