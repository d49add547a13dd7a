"""The knowledge selectors on both databases: `make test` runs this module on PostgreSQL (full-text search,
stemming, trigrams) and again on the quick start's SQLite (words as written, shared-word ranking). What a
person sees must hold on both: the right things found first, nothing they may not see, and nothing anyone
types can break a search."""

import pytest
from django.db import connection
from django.urls import reverse

from knowledge import search as staff_search
from knowledge import selectors
from knowledge.models import ProblemSolved
from tests import factories
from tickets import services
from tickets.models import Ticket
from tickets.selectors import similar_solved

pytestmark = pytest.mark.django_db

NASTY = [
    "printer & | ! <-> :* 'quoted' \"double\" (paren",
    "'; DROP TABLE tickets_ticket; --",
    "subject__icontains=x OR 1=1",
    "%_%\\",
    "ü" * 3 + " ß ø å ł",
    "x" * 10_000,
    "a",
    "",
    "  ",
]


@pytest.fixture
def desk(coordinator, technician, technician_t2, requester):
    printers = factories.CategoryFactory(name="Printer")
    anna = factories.EmployeeFactory(first_name="Anna", last_name="Lindqvist", employee_number="E-4711")
    device = factories.DeviceFactory(asset_tag="LT-0042", serial_number="SN99Z", model="LaserJet M507")
    return {"printers": printers, "anna": anna, "device": device}


def _ticket(coordinator, employee, subject, description="", **more):
    return services.ticket_create(
        by=coordinator, requester=employee, subject=subject, description=description, impact=3, urgency=2, **more
    )


def _solved(coordinator, solver, employee, subject, description, notes, **more):
    ticket = _ticket(coordinator, employee, subject, description, **more)
    ticket = services.ticket_assign(ticket=ticket, by=coordinator, assignee=solver)
    return services.ticket_resolve(ticket=ticket, by=solver, resolution_notes=notes, resolution_code="fixed")


def test_the_engine_under_test_is_the_one_expected():
    assert connection.vendor in ("postgresql", "sqlite")


def test_a_similar_solved_ticket_is_found_and_an_unrelated_one_is_not(desk, coordinator, technician_t2):
    solved = _solved(
        coordinator, technician_t2, desk["anna"], "Printer shows offline", "The printer on floor 2 is offline.",
        "Restarted the print spooler.", category=desk["printers"],
    )  # fmt: skip
    _solved(coordinator, technician_t2, desk["anna"], "Mailbox full", "Cannot receive mail.", "Archived old mail.")
    asked = _ticket(coordinator, desk["anna"], "Printer offline again", "Floor 2 printer offline.",
                    category=desk["printers"])  # fmt: skip
    found = similar_solved(asked)
    assert [s.ticket.pk for s in found][:1] == [solved.pk]
    assert all(s.ticket.subject != "Mailbox full" for s in found)


def test_suggestions_offer_the_matching_article_and_never_a_staff_only_one(desk, requester):
    factories.ArticleFactory(title="Printer shows offline", keywords="printer, offline", body="Turn it off and on.")
    factories.ArticleFactory(title="Printer offline: reset the spooler", audience="staff", body="Admin only.")
    factories.ArticleFactory(title="Printer offline draft", status="draft", body="Not ready.")
    factories.ArticleFactory(title="Mailbox full", keywords="mail", body="Archive old mail.")
    found = selectors.articles_suggested(requester, "my printer is offline", "en")
    assert [a.title for a in found] == ["Printer shows offline"]
    assert selectors.articles_suggested(requester, "", "en") == []


def test_one_version_per_article_the_readers_language_first(desk, requester):
    english = factories.ArticleFactory(title="Printer offline", body="Turn the printer off and on.", language="en")
    factories.ArticleFactory(
        family=english.family, title="Printer offline", body="Stäng av printer och slå på den.", language="sv"
    )
    found = selectors.articles_suggested(requester, "printer offline", "sv")
    assert len(found) == 1 and found[0].language == "sv"


def test_the_staff_search_finds_each_kind_and_the_numbered_ticket_first(desk, coordinator, technician, technician_t2):
    printer = _ticket(coordinator, desk["anna"], "Printer shows offline", "Floor 2.", category=desk["printers"])
    other = _ticket(coordinator, desk["anna"], "Laptop will not start", "Black screen.")
    services.comment_add(ticket=other, by=technician, body="Checked the docking firmware", is_internal=True)
    factories.ArticleFactory(title="Printer offline: what to try", audience="staff")

    results = staff_search.everything(technician, "printer offline")
    groups = {group.key: group for group in results.groups}
    assert [hit.ticket.pk for hit in groups["tickets"].hits] == [printer.pk]
    assert [a.title for a in groups["articles"].hits] == ["Printer offline: what to try"]

    by_number = staff_search.everything(technician, other.reference)
    hits = {group.key: group for group in by_number.groups}["tickets"].hits
    assert hits[0].ticket.pk == other.pk and hits[0].by_number

    by_comment = {g.key: g for g in staff_search.everything(technician, "docking firmware").groups}["tickets"].hits
    assert [(hit.ticket.pk, bool(hit.comment)) for hit in by_comment] == [(other.pk, True)]

    people = {g.key: g for g in staff_search.everything(technician, "E-4711").groups}
    assert [e.pk for e in people["employees"].hits] == [desk["anna"].pk]
    devices = {g.key: g for g in staff_search.everything(technician, "lt-0042").groups}
    assert [d.pk for d in devices["devices"].hits] == [desk["device"].pk]
    assert {g.key: g for g in staff_search.everything(technician, "SN99Z").groups}["devices"].hits


def test_the_tickets_full_list_agrees_with_the_group(desk, coordinator, technician):
    made = [_ticket(coordinator, desk["anna"], f"Printer jam number {n}", "Paper stuck.") for n in range(7)]
    _ticket(coordinator, desk["anna"], "Mail stuck", "Outbox.")
    group = {g.key: g for g in staff_search.everything(technician, "printer jam").groups}["tickets"]
    assert len(group.hits) == staff_search.GROUP_SIZE and group.more
    listed = staff_search.tickets_matching(technician, "printer jam")
    assert listed == [t.pk for t in reversed(made)]
    assert {hit.ticket.pk for hit in group.hits} <= set(listed)
    assert [t.pk for t in staff_search.tickets_listed(listed[:3])] == listed[:3]


def test_the_staff_search_is_for_staff_only(desk, coordinator, requester):
    _ticket(coordinator, desk["anna"], "Printer shows offline")
    assert not staff_search.everything(requester, "printer").groups
    assert staff_search.tickets_matching(requester, "printer") == []


@pytest.mark.parametrize("text", NASTY)
def test_anything_typed_is_answered(desk, coordinator, technician, requester, client_for, text):
    _ticket(coordinator, desk["anna"], "Printer shows offline", "Floor 2.")
    factories.ArticleFactory(title="Printer shows offline")
    staff_search.everything(technician, text)
    staff_search.tickets_matching(technician, text)
    selectors.articles_suggested(requester, text, "en")
    list(selectors.articles_matching(selectors.articles_visible_to(technician), text))
    # Through the pages too: never a 500.
    staff = client_for(technician)
    assert staff.get(reverse("knowledge:search"), {"q": text}).status_code == 200
    assert staff.get(reverse("knowledge:search"), {"q": text, "group": "tickets"}).status_code == 200
    assert staff.get(reverse("knowledge:index"), {"q": text}).status_code == 200
    suggested = client_for(requester).get(reverse("knowledge:suggest"), {"subject": text}, HTTP_HX_REQUEST="true")
    assert suggested.status_code == 200


def test_this_solved_it_counts_and_files_nothing(desk, requester, client_for):
    article = factories.ArticleFactory(title="Printer shows offline")
    before = Ticket.objects.count()
    response = client_for(requester).post(reverse("knowledge:solved", args=[article.pk]))
    assert response.status_code == 302
    assert Ticket.objects.count() == before
    assert ProblemSolved.objects.filter(article=article, user=requester).count() == 1
