"""How it was solved before: the solved tickets like a ticket, by PostgreSQL's full-text search in each
ticket's language (and the quick start's shared words), boosted by category and device model; the panel,
who may see it, quoting a resolution, and input that must never break it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from tests import factories
from tickets import search, services
from tickets.models import Ticket
from tickets.selectors import similar_solved

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def desk(coordinator, technician, technician_t2):
    printers = factories.CategoryFactory(name="Printer")
    accounts = factories.CategoryFactory(name="Accounts")
    return {
        "coordinator": coordinator,
        "technician": technician,
        "colleague": technician_t2,
        "printers": printers,
        "accounts": accounts,
        "anna": factories.EmployeeFactory(),
        "device": factories.DeviceFactory(model="LaserJet M507"),
    }


def _report(desk, when, subject, description, *, language="en", category=None, device=None):
    with translation.override(language), time_machine.travel(when, tick=False):
        return services.ticket_create(
            by=desk["coordinator"], requester=desk["anna"], subject=subject, description=description,
            category=category, device=device, impact=3, urgency=2, now=when,
        )  # fmt: skip


def _solve(desk, when, ticket, notes, *, by=None):
    solver = by or desk["colleague"]
    with time_machine.travel(when, tick=False):
        ticket = services.ticket_assign(ticket=ticket, by=desk["coordinator"], assignee=solver, now=when)
        return services.ticket_resolve(
            ticket=ticket, by=solver, resolution_notes=notes, resolution_code="fixed", now=when
        )


def test_a_ticket_keeps_its_language_and_its_stemmed_words(desk):
    ticket = _report(desk, NOW, "Skrivaren skriver inte ut", "Inga utskrifter i dag.", language="sv")
    ticket.refresh_from_db()
    assert ticket.language == "sv"
    assert search.language_of("pt-br") == "en" and search.config_of("nb") == "norwegian"
    assert search.config_of("pl") == "simple"  # PostgreSQL has no Polish stemmer: trigrams help instead
    stems = Ticket.objects.filter(pk=ticket.pk).values_list("search", flat=True).get()
    assert "'skriv':1A,2A" in stems and "'utskrift':4B" in stems  # skrivaren, skriver; utskrifter


def test_last_months_solution_comes_first_for_the_same_problem_in_other_words(desk):
    """Swedish, solved last month: "the printer does not print". Asked today in other Swedish words ("cannot
    print from the printers"): Swedish stemming meets them, and the same category and device model lift it
    above an older ticket of the same words and a solved ticket about something else."""
    solved = _report(
        desk, NOW - timedelta(days=30), "Skrivaren skriver inte ut", "Skrivaren på plan 2 skriver inte ut något.",
        language="sv", category=desk["printers"], device=desk["device"],
    )  # fmt: skip
    _solve(desk, NOW - timedelta(days=29), solved, "Rensade utskriftskön och startade om skrivaren.")
    older = _report(desk, NOW - timedelta(days=200), "Skriver inte ut", "Ingenting kommer ut.", language="sv")
    _solve(desk, NOW - timedelta(days=199), older, "Bytte toner.")
    other = _report(desk, NOW - timedelta(days=20), "Lösenordet har gått ut", "Kan inte logga in.", language="sv",
                    category=desk["accounts"])  # fmt: skip
    _solve(desk, NOW - timedelta(days=19), other, "Nytt lösenord.")
    unsolved = _report(desk, NOW - timedelta(days=3), "Skrivarna skriver inte", "Väntar.", language="sv")

    asked = _report(
        desk, NOW, "Kan inte skriva ut", "Inga utskrifter kommer från skrivarna.", language="sv",
        category=desk["printers"], device=desk["device"],
    )  # fmt: skip
    found = similar_solved(asked)
    assert [f.ticket.pk for f in found][:2] == [solved.pk, older.pk]
    assert found[0].same_category and found[0].same_model and not found[1].same_category
    assert unsolved.pk not in {f.ticket.pk for f in found}  # only solved tickets teach how
    assert found[0].ticket.resolution_notes.startswith("Rensade") and found[0].ticket.assignee == desk["colleague"]


def test_spanish_stems_and_a_misspelt_subject(desk):
    solved = _report(desk, NOW - timedelta(days=10), "La impresora no imprime", "No imprime nada.", language="es")
    _solve(desk, NOW - timedelta(days=9), solved, "Reinicié la cola de impresión.")
    asked = _report(desk, NOW, "Impresoras sin imprimir", "", language="es")
    assert [f.ticket.pk for f in similar_solved(asked)] == [solved.pk]
    vpn = _report(desk, NOW - timedelta(days=5), "VPN disconnects", "", language="en")
    _solve(desk, NOW - timedelta(days=4), vpn, "New VPN profile.")
    typo = _report(desk, NOW, "VNP disconects", "", language="en")  # no stem in common: the trigrams find it
    assert [f.ticket.pk for f in similar_solved(typo)] == [vpn.pk]


def test_the_quick_starts_way_ranks_by_shared_words_in_the_same_category(desk):
    solved = _report(desk, NOW - timedelta(days=10), "Printer offline", "The printer shows offline.",
                     category=desk["printers"])  # fmt: skip
    _solve(desk, NOW - timedelta(days=9), solved, "Re-added the printer.")
    weaker = _report(desk, NOW - timedelta(days=8), "Paper jam", "The printer jams.", category=desk["printers"])
    _solve(desk, NOW - timedelta(days=7), weaker, "Cleared the jam.")
    elsewhere = _report(desk, NOW - timedelta(days=6), "Printer offline", "", category=desk["accounts"])
    _solve(desk, NOW - timedelta(days=5), elsewhere, "Wrong queue.")
    asked = _report(desk, NOW, "Printer offline again", "Shows offline.", category=desk["printers"])
    found = similar_solved(asked, full_text=False)
    assert [f.ticket.pk for f in found] == [solved.pk, weaker.pk]  # the other category's is no candidate
    assert found[0].text > found[1].text


def test_the_same_queries_however_many_solved_tickets(desk, django_assert_num_queries):
    asked = _report(desk, NOW, "Printer offline", "The printer shows offline.")
    with django_assert_num_queries(4):  # the newest number, the latest, the older ones, the subjects' trigrams
        assert similar_solved(asked) == []
    for day in range(12):
        ticket = _report(desk, NOW - timedelta(days=40 - day), f"Printer offline {day}", "Shows offline.")
        _solve(desk, NOW - timedelta(days=39 - day), ticket, "Re-added the printer.")
    with django_assert_num_queries(3):  # the newest number, the latest (enough of them), the tickets found
        assert len(similar_solved(asked)) == 5


@pytest.mark.parametrize(
    "subject",
    [
        "printer & | ! ( ) <-> :* 'quoted' \"double\"",
        "'; DROP TABLE tickets_ticket; --",
        "subject__icontains=x OR 1=1",
        "x" * 10_000,
        "!!! ??? ...",
    ],
)
def test_any_text_is_answered(desk, subject):
    solved = _report(desk, NOW - timedelta(days=3), "Printer offline", "It shows offline.")
    _solve(desk, NOW - timedelta(days=2), solved, "Re-added the printer.")
    asked = Ticket.objects.get(pk=_report(desk, NOW, "placeholder", "").pk)
    asked.subject, asked.description = subject[:200], subject
    for full_text in (True, False):
        similar_solved(asked, full_text=full_text)  # never raises


def test_the_panel_is_for_staff_and_quotes_a_resolution(desk, requester, client_for):
    solved = _report(desk, NOW - timedelta(days=3), "Printer offline", "It shows offline.")
    _solve(desk, NOW - timedelta(days=2), solved, "Removed the printer.\nAdded it again.")
    with time_machine.travel(NOW, tick=False):
        asked = services.ticket_create(
            by=desk["coordinator"], requester=requester.employee, subject="Printer offline again", impact=3,
            urgency=2, now=NOW,
        )  # fmt: skip
        services.ticket_assign(ticket=asked, by=desk["coordinator"], assignee=desk["technician"], now=NOW)
    staff = client_for(desk["technician"])
    url = reverse("tickets:similar", args=[asked.pk])
    panel = staff.get(url, headers={"HX-Request": "true"})
    assert panel.status_code == 200 and solved.reference in panel.content.decode()
    assert "<html" not in panel.content.decode()  # the panel alone, for the ticket page's htmx
    assert "<html" in staff.get(url).content.decode()  # without JavaScript, a page of its own
    assert url in staff.get(asked.get_absolute_url()).content.decode()

    page = staff.get(asked.get_absolute_url(), {"quote": solved.reference})
    body = page.context["comment_form"].initial["body"]
    assert body == f"How {solved.reference} was solved:\n> Removed the printer.\n> Added it again.\n\n"
    assert staff.get(asked.get_absolute_url(), {"quote": "nonsense"}).context["comment_form"].initial == {}

    own = client_for(requester)
    assert own.get(url).status_code == 404  # their own ticket, but the others it names are not theirs
    assert own.get(asked.get_absolute_url(), {"quote": solved.pk}).context["comment_form"].initial == {}
