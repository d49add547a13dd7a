"""Names the managers give are shown in the reader's language, the default name where none was given."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assets.models import Department, Location
from core.names import translated
from tests import factories
from tickets.models import BusinessCalendar, Category, ClosedDay

pytestmark = pytest.mark.django_db

HARDWARE = {"sv": "Hårdvara", "pl": "Sprzęt"}
PRINTER = {"sv": "Skrivare", "pl": "Drukarka"}


@pytest.fixture
def printer():
    parent = factories.CategoryFactory(name="Hardware", name_translations=HARDWARE)
    return factories.CategoryFactory(name="Printer", parent=parent, name_translations=PRINTER)


def test_a_name_in_the_active_language_and_the_default_where_it_has_none():
    assert translated("Printer", PRINTER, "sv") == "Skrivare"
    assert translated("Printer", PRINTER, "pl") == "Drukarka"
    assert translated("Printer", PRINTER, "nb") == "Printer"  # no Norwegian given
    assert translated("Printer", {"sv": "  "}, "sv") == "Printer"  # an empty translation is none
    assert translated("Printer", {}, "sv") == "Printer"
    assert translated("Printer", PRINTER, "sv-se") == "Skrivare"  # a regional variant reads its language's


def test_str_of_each_named_model_follows_the_language(printer):
    calendar = BusinessCalendar.objects.create(name="Office hours", name_translations={"sv": "Kontorstid"})
    closed = ClosedDay.objects.create(
        calendar=calendar, date="2025-12-24", name="Christmas Eve", name_translations={"pl": "Wigilia"}
    )
    department = Department.objects.create(name="Sales", name_translations={"pl": "Sprzedaż"})
    location = Location.objects.create(site="Warehouse", building="North", floor="1", name_translations={"sv": "Lager"})
    with translation.override("sv"):
        assert str(printer) == "Hårdvara > Skrivare"
        assert str(calendar) == "Kontorstid"
        assert str(closed) == "2025-12-24 Christmas Eve"
        assert str(department) == "Sales"
        assert str(location) == "Lager / North / 1"
        assert location.path == "Warehouse / North / 1"  # the key the CSV import matches stays as written
    with translation.override("pl"):
        assert str(printer) == "Sprzęt > Drukarka"
        assert str(closed) == "2025-12-24 Wigilia"
        assert str(department) == "Sprzedaż"
        assert str(calendar) == "Office hours"
    with translation.override("en"):
        assert str(printer) == "Hardware > Printer"


@pytest.mark.parametrize(("language", "shown"), [("sv", "Hårdvara > Skrivare"), ("pl", "Sprzęt > Drukarka")])
def test_a_requester_reads_the_category_in_their_language(client_for, requester, printer, language, shown):
    requester.language = language
    requester.save(update_fields=["language"])
    client = client_for(requester)
    ticket = factories.TicketFactory(requester=requester.employee, category=printer)
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert shown.replace(">", "&gt;") in page
    assert "Hardware &gt; Printer" not in page
    form = client.get(reverse("tickets:submit")).content.decode()
    option = re.search(rf'<option value="{printer.pk}"[^>]*>([^<]*)</option>', form)
    assert option is not None
    assert option.group(1) == shown.replace(">", "&gt;")


def test_a_language_without_a_translation_reads_the_default_name(client_for, requester, printer):
    requester.language = "nb"
    requester.save(update_fields=["language"])
    ticket = factories.TicketFactory(requester=requester.employee, category=printer)
    page = client_for(requester).get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "Hardware &gt; Printer" in page


def test_the_admin_edits_a_category_s_translations(client_for, manager):
    category = factories.CategoryFactory(name="Printer", name_translations={"nl": "Printer"})
    client = client_for(manager)
    url = reverse("admin:tickets_category_change", args=[category.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"]
    assert [(title, options["fields"]) for title, options in form.fieldsets][-1] == (
        "Translations",
        ["name_sv", "name_es", "name_nb", "name_nl", "name_pl"],
    )
    content = page.content.decode()
    assert "Name (Swedish)" in content and "Name (Polish)" in content
    assert 'name="name_nl" value="Printer"' in content
    response = client.post(
        url,
        {
            "name": "Printer",
            "parent": "",
            "is_active": "on",
            "calendar": "",
            "default_tier": "1",
            "name_sv": " Skrivare ",
            "name_es": "",
            "name_nb": "",
            "name_nl": "",  # emptied: the Dutch one goes
            "name_pl": "Drukarka",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    category.refresh_from_db()
    assert category.name_translations == {"sv": "Skrivare", "pl": "Drukarka"}
    assert 'name="name_sv" value="Skrivare"' in client.get(url).content.decode()


def test_the_admin_edits_a_calendar_and_its_closed_days_in_every_language(client_for, manager):
    client = client_for(manager)
    response = client.post(
        reverse("admin:tickets_businesscalendar_add"),
        {
            "name": "Office hours",
            "name_sv": "Kontorstid",
            "name_pl": "Godziny pracy biura",
            "time_zone": "Europe/Stockholm",
            "country": "",
            "subdivision": "",
            "working_days": "0,1,2,3,4",
            "day_starts": "08:00",
            "day_ends": "17:00",
            "closed_days-TOTAL_FORMS": "1",
            "closed_days-INITIAL_FORMS": "0",
            "closed_days-MIN_NUM_FORMS": "0",
            "closed_days-MAX_NUM_FORMS": "1000",
            "closed_days-0-date": "2025-12-24",
            "closed_days-0-name": "Christmas Eve",
            "closed_days-0-name_sv": "Julafton",
            "closed_days-0-name_pl": "Wigilia",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    calendar = BusinessCalendar.objects.get(name="Office hours")
    assert calendar.name_translations == {"sv": "Kontorstid", "pl": "Godziny pracy biura"}
    assert calendar.closed_days.get().name_translations == {"sv": "Julafton", "pl": "Wigilia"}


@pytest.mark.parametrize(
    ("model", "fields", "labels"),
    [
        ("department", {"name": "Sales", "manager": ""}, ["Name (Swedish)"]),
        ("location", {"site": "Warehouse", "building": "", "floor": "", "room": ""}, ["Site (Swedish)"]),
    ],
)
def test_the_admin_edits_departments_and_sites_in_every_language(client_for, manager, model, fields, labels):
    client = client_for(manager)
    url = reverse(f"admin:assets_{model}_add")
    assert all(label in client.get(url).content.decode() for label in labels)
    field = "site" if model == "location" else "name"
    response = client.post(url, {**fields, f"{field}_sv": "Lager", f"{field}_pl": "Magazyn"})
    assert response.status_code == 302
    saved = (Department if model == "department" else Location).objects.get()
    assert saved.name_translations == {"sv": "Lager", "pl": "Magazyn"}


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _tickets(count, requester, category):
    for _index in range(count):
        factories.TicketFactory(requester=requester.employee, category=category)


@pytest.mark.parametrize(("persona", "page"), [("requester", "tickets:mine"), ("coordinator", "tickets:list")])
def test_translated_names_cost_no_query_on_list_pages(
    client_for, request, requester, printer, django_assert_num_queries, persona, page
):
    user = request.getfixturevalue(persona)
    user.language = "sv"
    user.save(update_fields=["language"])
    department = requester.employee.department
    department.name_translations = {"sv": "Försäljning"}
    department.save()
    client = client_for(user)
    plain = factories.CategoryFactory(name="Plain")
    _tickets(2, requester, plain)
    untranslated, _content = _count(client, reverse(page))
    _tickets(2, requester, printer)
    with_translations, _content = _count(client, reverse(page))
    _tickets(10, requester, printer)
    with django_assert_num_queries(untranslated):
        content = client.get(reverse(page)).content.decode()
    assert with_translations == untranslated
    assert "Skrivare" in content
    if persona == "coordinator":
        assert "Försäljning" in content


def test_the_staff_pages_read_departments_and_sites_translated(client_for, technician, coordinator, requester):
    coordinator.language = "pl"
    coordinator.save(update_fields=["language"])
    employee = requester.employee
    employee.department.name_translations = {"pl": "Sprzedaż"}
    employee.department.save()
    employee.location.name_translations = {"pl": "Centrala"}
    employee.location.save()
    client = client_for(coordinator)
    page = client.get(reverse("assets:employee_detail", args=[employee.pk])).content.decode()
    assert "Sprzedaż" in page
    assert f"Centrala / {employee.location.building}" in page


def test_reports_and_the_category_select_name_categories_translated(client_for, manager, printer):
    manager.language = "sv"
    manager.save(update_fields=["language"])
    page = client_for(manager).get(reverse("reports:desk")).content.decode()
    assert "Hårdvara &gt; Skrivare" in page


def test_the_triage_event_keeps_the_category_in_the_default_language(coordinator, requester, printer):
    from tickets import services

    ticket = factories.TicketFactory(requester=requester.employee)
    with translation.override("pl"):
        services.ticket_triage(
            ticket=ticket, by=coordinator, category=printer, impact=ticket.impact, urgency=ticket.urgency, tier=1
        )
    event = ticket.events.filter(kind="triaged").get()
    assert event.new["category_name"] == "Hardware > Printer"


def test_the_demo_seed_gives_names_in_every_language():
    from helpdesk.seed import CATEGORIES, DEPARTMENTS, categories_create, name_translations

    leaves = categories_create()
    assert len(leaves) == sum(len(kids) for kids in CATEGORIES.values())
    hardware = Category.objects.get(name="Hardware")
    assert set(hardware.name_translations) == {"sv", "es", "nb", "nl", "pl"}
    assert all(name_translations(name) for name in DEPARTMENTS if name != "IT")
    with translation.override("pl"):
        assert str(Category.objects.get(name="Printer")) == "Sprzęt > Drukarka"


@pytest.mark.parametrize(("language", "shown"), [("sv", "Åtgärdat"), ("pl", "Naprawiono")])
def test_a_resolution_code_reads_in_the_requester_s_language(client_for, requester, language, shown):
    requester.language = language
    requester.save(update_fields=["language"])
    ticket = factories.TicketFactory(
        requester=requester.employee, status="resolved", resolution_code="fixed", resolution_notes="Done."
    )
    page = client_for(requester).get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert shown in page


def test_the_demo_s_addresses_are_ascii_and_its_names_as_written():
    from helpdesk.demo_people import ascii_letters, demo_email, employee_email

    assert employee_email("Katarzyna", "Wiśniewska", 4) == "katarzyna.wisniewska.4@demo.example"
    assert employee_email("Sølvi", "Ødegård", 5) == "solvi.odegard.5@demo.example"
    assert employee_email("Łukasz", "de Vries", 6) == "lukasz.devries.6@demo.example"
    assert employee_email("Lucía", "Martínez", 7) == "lucia.martinez.7@demo.example"
    assert ascii_letters("Æsa Strauß Håkan Björn Muñoz") == "aesa strauss hakan bjorn munoz"
    assert demo_email("Cora") == "cora@demo.example"
