"""One search for staff, on PostgreSQL: stemming in any of the desk's languages, stop words, the best first,
internal notes for staff only, the page, the full list, and query counts that do not grow with the rows.
(tests/quickstart runs the same selectors on SQLite too.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from knowledge import search as staff_search
from tests import factories
from tickets import search, services

pytestmark = pytest.mark.django_db

SEARCH = reverse("knowledge:search")


@pytest.fixture
def anna(db):
    return factories.EmployeeFactory(first_name="Anna", last_name="Lindqvist")


def _ticket(coordinator, employee, subject, description="", *, language="en"):
    with translation.override(language):
        return services.ticket_create(
            by=coordinator, requester=employee, subject=subject, description=description, impact=3, urgency=2
        )


def _tickets(results):
    return [hit.ticket.pk for hit in {g.key: g for g in results.groups}["tickets"].hits]


def test_words_meet_their_stems_in_every_language(coordinator, technician, anna):
    swedish = _ticket(coordinator, anna, "Skrivaren skriver inte ut", "Inga utskrifter.", language="sv")
    spanish = _ticket(coordinator, anna, "La impresora no imprime", "Nada sale.", language="es")
    english = _ticket(coordinator, anna, "Printers are not printing", "Nothing comes out.")
    assert _tickets(staff_search.everything(technician, "skrivare")) == [swedish.pk]
    assert _tickets(staff_search.everything(technician, "impresoras")) == [spanish.pk]
    assert _tickets(staff_search.everything(technician, "printer")) == [english.pk]


def test_stop_words_do_not_hide_what_is_asked_for(coordinator, technician, anna):
    ticket = _ticket(coordinator, anna, "The printer is offline")
    assert search.without_stop_words(["the", "printer", "och"]) == ["printer"]
    assert _tickets(staff_search.everything(technician, "the printer")) == [ticket.pk]


def test_every_word_must_match_and_the_subject_ranks_above_the_description(coordinator, technician, anna):
    in_description = _ticket(coordinator, anna, "Something odd", "The docking station and the monitor flicker.")
    in_subject = _ticket(coordinator, anna, "Docking station monitor flickers")
    _ticket(coordinator, anna, "Docking station does not charge")
    assert _tickets(staff_search.everything(technician, "docking monitor")) == [in_subject.pk, in_description.pk]


def test_internal_notes_are_searched_for_staff(coordinator, technician, anna):
    ticket = _ticket(coordinator, anna, "Laptop will not start")
    services.comment_add(ticket=ticket, by=technician, body="BIOS password reset by the vendor", is_internal=True)
    hits = {g.key: g for g in staff_search.everything(technician, "vendor bios").groups}["tickets"].hits
    assert [(hit.ticket.pk, hit.comment.is_internal) for hit in hits] == [(ticket.pk, True)]


def test_the_page_groups_what_was_found_and_links_each_group(client_for, coordinator, technician, anna):
    _ticket(coordinator, anna, "Anna cannot print")
    factories.DeviceFactory(asset_tag="LT-9001", assigned_to=anna)
    page = client_for(technician).get(SEARCH, {"q": "anna"}).content.decode()
    assert 'data-testid="search-group-tickets"' in page and 'data-testid="search-group-employees"' in page
    assert 'data-testid="search-group-devices"' in page  # held by Anna
    assert f"{reverse('assets:employee_list')}?q=anna" in page
    assert "/knowledge/search/?q=anna&amp;group=tickets" in page


def test_the_header_has_the_search_for_staff_only(client_for, technician, requester):
    assert 'id="header-search"' in client_for(technician).get(reverse("tickets:queue")).content.decode()
    assert 'id="header-search"' not in client_for(requester).get(reverse("tickets:mine")).content.decode()
    assert client_for(requester).get(SEARCH, {"q": "printer"}).status_code == 403


def test_the_full_list_pages_without_counting(client_for, coordinator, technician, anna):
    made = [_ticket(coordinator, anna, f"Printer jam {n}") for n in range(30)]
    client = client_for(technician)
    first = client.get(SEARCH, {"q": "printer jam", "group": "tickets"}).content.decode()
    second = client.get(SEARCH, {"q": "printer jam", "group": "tickets", "page": "2"}).content.decode()
    assert first.count('data-testid="search-ticket-row"') == 25 and 'rel="next"' in first
    assert second.count('data-testid="search-ticket-row"') == 5 and 'rel="next"' not in second
    assert made[-1].reference in first and made[0].reference in second
    with CaptureQueriesContext(connection) as queries:
        client.get(SEARCH, {"q": "printer jam", "group": "tickets", "page": "2"})
    assert not any(
        "COUNT(" in query["sql"].upper() and '"tickets_ticket"' in query["sql"] for query in queries.captured_queries
    )


def test_the_search_takes_the_same_queries_for_few_rows_or_many(client_for, coordinator, technician, anna):
    client = client_for(technician)

    def measured() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(SEARCH, {"q": "printer"}).status_code == 200
        return len(queries)

    _ticket(coordinator, anna, "Printer offline")
    factories.ArticleFactory(title="Printer offline")
    client.get(SEARCH, {"q": "printer"})
    few = measured()
    for n in range(8):
        ticket = _ticket(coordinator, anna, f"Printer offline {n}")
        services.comment_add(ticket=ticket, by=technician, body="printer restarted")
        factories.ArticleFactory(title=f"Printer tip {n}")
        factories.EmployeeFactory(first_name="Printer", last_name=f"Person {n}")
        factories.DeviceFactory(model=f"Printer model {n}")
    # Bounded, not constant: with many matches among the latest tickets the older ones are not read.
    assert measured() <= few
