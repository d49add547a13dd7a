"""A coordinator's round in Chromium, as the dashboard issue's "done when" tells it: five new tickets triaged
in place, each given to the technician the desk suggests; a batch assigned at once from the staff list;
a project created and the batch filed under it."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tickets.models import Event, EventKind, Project, Ticket, TicketStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_triage_five_bulk_assign_a_batch_and_file_it_under_a_project(
    browser_page, login, password, coordinator, settings
):
    # Nothing refreshes by itself here: every step waits on what the page shows, never on the clock.
    settings.DASHBOARD_REFRESH_SECONDS = 600
    page = browser_page
    printers, network = factories.CategoryFactory(name="Printers"), factories.CategoryFactory(name="Network")
    pia = factories.TechnicianFactory(first_name="Pia", last_name="Printer", profile__skills=[printers])
    nils = factories.TechnicianFactory(first_name="Nils", last_name="Network", profile__skills=[network])
    factories.TechnicianFactory(first_name="Alva", last_name="Away", profile__skills=[printers, network],
                                profile__is_available=False)  # fmt: skip
    reports = [
        (factories.TicketFactory(subject=subject), category, expert)
        for subject, category, expert in [
            ("Printer on floor 2 jams", printers, pia),
            ("Wi-Fi drops in the canteen", network, nils),
            ("Toner empty in room 214", printers, pia),
            ("No network on desk 12", network, nils),
            ("Scans never reach my mailbox", printers, pia),
        ]
    ]
    batch = [factories.TicketFactory(subject=f"Cabling for desk {n} in building C") for n in (1, 2, 3)]
    manager = factories.EmployeeFactory(employee_number="E-PM1", first_name="Petra", last_name="Manager")
    building_c = factories.LocationFactory(site="HQ", building="C")

    login(page, coordinator.email, password)
    page.goto("/tickets/dashboard/")
    page.evaluate("window.notReloaded = true")
    expect(page.get_by_test_id("triage-count")).to_have_text("8")

    # Five tickets triaged in place, each to the first of the suggestions (the away expert never is).
    for ticket, category, expert in reports:
        row = page.locator(f"#triage-row-{ticket.pk}")
        row.get_by_role("button", name=f"Triage HD-{ticket.pk}").click()  # the row's line opens into its form
        row.get_by_label("Category").select_option(label=category.name)
        row.get_by_role("link", name="Suggest a technician").click()
        first = row.get_by_test_id("suggestion").first
        expect(first).to_contain_text(re.compile(rf"1\. {expert.get_full_name()}\s+skills: {category.name}"))
        expect(row.get_by_role("radio", name=re.compile(expert.get_full_name()))).to_be_checked()
        row.get_by_role("button", name="Save").click()
        expect(row.get_by_test_id("triage-done")).to_have_text(
            f"HD-{ticket.pk} is triaged and assigned to {expert.get_full_name()}."
        )
    assert page.evaluate("window.notReloaded") is True  # all of it in place
    for ticket, category, expert in reports:
        ticket.refresh_from_db()
        assert (ticket.category, ticket.assignee, ticket.status) == (category, expert, TicketStatus.ASSIGNED)
    page.get_by_role("link", name="Refresh now").click()
    expect(page.get_by_test_id("triage-count")).to_have_text("3")

    # The batch, found in the staff list and given to Nils at once.
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="All tickets").click()
    page.get_by_label("Number or subject").fill("Cabling")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.get_by_test_id("ticket-row")).to_have_count(3)
    for ticket in batch:
        page.get_by_label(f"Select HD-{ticket.pk}").check()
    bulk = page.get_by_test_id("bulk")
    bulk.get_by_label("Action").select_option(label="Assign to")
    bulk.get_by_label("Technician").select_option(label="Nils Network")
    bulk.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_text(f"Changed: {', '.join(f'HD-{t.pk}' for t in batch)}.")).to_be_visible()
    assert "q=Cabling" in page.url  # back on the same filtered list
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in batch]).values_list("assignee", flat=True)) == {nils.pk}

    # A project for the move, with the batch filed under it.
    page.goto("/tickets/projects/new/")
    page.get_by_label("Name").fill("Move to building C: network cabling for 40 desks")
    page.get_by_label("Project manager").fill("E-PM1")
    page.get_by_label("Location").select_option(value=str(building_c.pk))
    page.get_by_label("Starts").fill("2026-04-01")
    page.get_by_label("Ends").fill("2026-04-30")
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_role("button", name="Create the project").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Move to building C")
    page.get_by_label("Tickets to file under this project").fill(", ".join(f"HD-{t.pk}" for t in batch))
    page.get_by_role("button", name="File them").click()
    expect(page.get_by_test_id("progress-summary")).to_have_text("3 open, 0 resolved, 3 in all.")
    for ticket in batch:
        expect(page.get_by_role("link", name=f"HD-{ticket.pk}", exact=True)).to_be_visible()

    project = Project.objects.get()
    assert (project.project_manager, project.location, project.created_by) == (manager, building_c, coordinator)
    assert set(project.tickets.values_list("pk", flat=True)) == {t.pk for t in batch}
    assert Event.objects.filter(kind=EventKind.ASSIGNED, actor=coordinator).count() == 8
    assert Event.objects.filter(kind=EventKind.PROJECT_CHANGED).count() == 3
