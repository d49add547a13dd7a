"""The pages: who sees what, who may do what, and that every change is a POST through a service."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.models import Comment, Event, Ticket, TicketStatus

pytestmark = pytest.mark.django_db


def _without_csrf(content: bytes) -> bytes:
    content = re.sub(rb'"X-CSRFToken": "[^"]*"', b"", content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def _url(ticket, name="tickets:detail", **kwargs):
    return reverse(name, kwargs={"number": ticket.pk, **kwargs})


# --- seeing ------------------------------------------------------------------------------------


def test_ticket_urls_read_hd_numbers(ticket):
    assert _url(ticket) == f"/tickets/HD-{ticket.pk}/"
    assert ticket.get_absolute_url() == f"/tickets/HD-{ticket.pk}/"


@pytest.mark.parametrize("persona", ["requester", "technician", "coordinator", "manager"])
def test_who_sees_a_ticket(client_for, request, ticket, persona):
    response = client_for(request.getfixturevalue(persona)).get(_url(ticket))
    assert response.status_code == 200
    assert b"Printer jams" in response.content


def test_someone_elses_ticket_is_the_same_404_as_a_missing_one(client_for, ticket, requester_2, outsider):
    for user in (requester_2, outsider):
        client = client_for(user)
        invisible = client.get(_url(ticket))
        missing = client.get(reverse("tickets:detail", kwargs={"number": ticket.pk + 1000}))
        assert invisible.status_code == missing.status_code == 404
        assert _without_csrf(invisible.content) == _without_csrf(missing.content)
        # Changes too: a 404 before anything else.
        assert client.post(_url(ticket, "tickets:reply"), {"body": "hi"}).status_code == 404
        assert client.post(_url(ticket, "tickets:act", action="cancel"), {"version": 1}).status_code == 404
    assert not Comment.objects.exists()


def test_requester_never_sees_internal_notes_or_staff_fields(client_for, assigned_ticket, technician, requester):
    services.comment_add(ticket=assigned_ticket, by=technician, body="Secret vendor price", is_internal=True)
    services.ticket_log_time(ticket=assigned_ticket, by=technician, minutes=42)
    services.comment_add(ticket=assigned_ticket, by=technician, body="Public reply here")
    page = client_for(requester).get(_url(assigned_ticket)).content.decode()
    assert "Public reply here" in page
    assert "Secret vendor price" not in page
    assert "Internal note" not in page
    assert "42 minutes" not in page
    assert "Tier" not in page
    staff_page = client_for(technician).get(_url(assigned_ticket)).content.decode()
    assert "Secret vendor price" in staff_page
    assert "42 minutes" in staff_page


def test_user_text_is_escaped(client_for, requester, technician):
    ticket = factories.TicketFactory(
        requester=requester.employee, subject="<script>alert(1)</script>", description="<img src=x onerror=alert(2)>"
    )
    services.comment_add(ticket=ticket, by=requester, body="<b>bold</b>\nline two")
    for user in (requester, technician):
        page = client_for(user).get(_url(ticket)).content.decode()
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<img src=x" not in page
        assert "&lt;b&gt;bold&lt;/b&gt;<br>line two" in page
    listing = client_for(technician).get(reverse("tickets:dashboard")).content.decode()
    assert "<script>alert(1)" not in listing


def test_my_tickets_lists_open_and_past(client_for, requester, requester_2, technician):
    mine = factories.TicketFactory(requester=requester.employee, subject="Mine open", assignee=technician)
    factories.TicketFactory(requester=requester.employee, subject="Mine closed", status="closed")
    factories.TicketFactory(requester=requester_2.employee, subject="Not mine")
    response = client_for(requester).get(reverse("tickets:mine"))
    page = response.content.decode()
    assert "Mine open" in page
    assert "Mine closed" in page
    assert "Not mine" not in page
    assert "Tess" in page  # the assignee's first name
    assert list(response.context["open_tickets"]) == [mine]


def test_outsider_sees_nothing(client_for, outsider, ticket):
    client = client_for(outsider)
    response = client.get(reverse("tickets:mine"))
    assert response.status_code == 200
    assert list(response.context["open_tickets"]) == []
    assert b"not linked to an employee" in response.content
    response = client.get(reverse("tickets:submit"))
    assert response.context["form"] is None
    assert client.post(reverse("tickets:submit"), {"subject": "x", "impact": 3, "urgency": 3}).status_code == 200
    assert Ticket.objects.count() == 1


def test_queue_shows_mine_and_unassigned_of_my_tier(client_for, technician, technician_t2, requester):
    mine = factories.TicketFactory(requester=requester.employee, assignee=technician, status="in_progress")
    other = factories.TicketFactory(requester=requester.employee, assignee=technician_t2, status="in_progress")
    tier1 = factories.TicketFactory(requester=requester.employee, tier=1)
    tier2 = factories.TicketFactory(requester=requester.employee, tier=2)
    response = client_for(technician).get(reverse("tickets:queue"))
    assert list(response.context["page"].object_list) == [mine]
    assert list(response.context["unassigned"]) == [tier1]
    assert other not in response.context["page"].object_list
    assert tier2 not in response.context["unassigned"]


def test_queue_sorted_by_priority_then_due_time_and_filtered(client_for, technician, requester):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    make = factories.TicketFactory
    p3 = make(requester=requester.employee, assignee=technician, status="assigned", priority=3)
    p1_late = make(
        requester=requester.employee,
        assignee=technician,
        status="in_progress",
        priority=1,
        resolution_due_at=now + timedelta(hours=5),
    )
    p1_soon = make(
        requester=requester.employee,
        assignee=technician,
        status="in_progress",
        priority=1,
        resolution_due_at=now + timedelta(hours=1),
    )
    client = client_for(technician)
    assert list(client.get(reverse("tickets:queue")).context["page"].object_list) == [p1_soon, p1_late, p3]
    filtered = client.get(reverse("tickets:queue"), {"status": "assigned"}).context["page"].object_list
    assert list(filtered) == [p3]


def test_dashboard_triage_list(client_for, coordinator, requester, technician):
    new = factories.TicketFactory(requester=requester.employee, subject="Needs triage")
    factories.TicketFactory(requester=requester.employee, assignee=technician, status="assigned")
    response = client_for(coordinator).get(reverse("tickets:dashboard"))
    assert [row["ticket"] for row in response.context["triage_rows"]] == [new]
    assert new.get_absolute_url().encode() in response.content


# --- submitting --------------------------------------------------------------------------------


def test_requester_submits_a_ticket_about_their_device(client_for, requester, requester_2):
    device = factories.DeviceFactory(assigned_to=requester.employee)
    category = factories.CategoryFactory(name="Hardware")
    response = client_for(requester).post(
        reverse("tickets:submit"),
        {
            "subject": "Laptop will not start",
            "description": "Black screen",
            "category": category.pk,
            "device": device.pk,
            "impact": 3,
            "urgency": 1,
            # Not the requester's to set: ignored.
            "priority": 1,
            "status": "resolved",
            "assignee": 1,
            "tier": 3,
            "requester": requester_2.employee.pk,
            "channel": "api",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()
    assert (ticket.requester, ticket.device, ticket.category) == (requester.employee, device, category)
    assert (ticket.status, ticket.priority, ticket.tier, ticket.assignee, ticket.channel) == ("new", 3, 1, None, "web")
    assert Event.objects.get(ticket=ticket).kind == "created"


def test_requester_cannot_pick_another_persons_device_from_the_list(client_for, requester, requester_2):
    theirs = factories.DeviceFactory(assigned_to=requester_2.employee)
    response = client_for(requester).post(
        reverse("tickets:submit"), {"subject": "x", "device": theirs.pk, "impact": 3, "urgency": 3}
    )
    assert response.status_code == 200
    assert "device" in response.context["form"].errors


def test_another_device_by_asset_tag_tells_the_requester_nothing_about_it(client_for, requester, coordinator):
    """A shared printer can be named by its tag; whether the tag exists, and what it is, the requester never
    learns: an unknown tag and someone else's device are answered alike, and only the tag is shown back."""
    printer = factories.DeviceFactory(asset_tag="PRN-0042", model="LaserJet 9000 Secret Edition")
    client = client_for(requester)
    answers = []
    for tag in ("prn-0042", "NOPE-1"):
        response = client.post(
            reverse("tickets:submit"), {"subject": "Jams", "other_asset_tag": tag, "impact": 2, "urgency": 2}
        )
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert "LaserJet" not in page
        device_line = re.search(r'data-testid="ticket-device">(.*?)</dd>', page).group(1)
        answers.append(device_line.replace(tag, "TAG"))
    assert answers[0] == answers[1] == "TAG"
    known, unknown = Ticket.objects.order_by("pk")
    assert (known.device, known.reported_asset_tag) == (printer, "prn-0042")
    assert (unknown.device, unknown.reported_asset_tag) == (None, "NOPE-1")
    # The staff see the device, or that the tag matched nothing.
    staff = client_for(coordinator)
    assert "LaserJet" in staff.get(known.get_absolute_url()).content.decode()
    assert "not in the inventory" in staff.get(unknown.get_absolute_url()).content.decode()


def test_a_requester_sees_the_details_of_their_own_device(client_for, requester):
    laptop = factories.DeviceFactory(asset_tag="LT-7", model="ThinkPad T14", assigned_to=requester.employee)
    client = client_for(requester)
    response = client.post(
        reverse("tickets:submit"), {"subject": "Fan", "device": laptop.pk, "impact": 2, "urgency": 2}
    )
    assert "ThinkPad T14" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("persona", ["technician", "coordinator"])
def test_staff_do_not_use_the_requester_form(client_for, request, persona):
    assert client_for(request.getfixturevalue(persona)).get(reverse("tickets:submit")).status_code == 403


def test_log_a_call_by_employee_number_and_asset_tag(client_for, coordinator, requester):
    factories.DeviceFactory(asset_tag="AT-555")
    number = requester.employee.employee_number
    response = client_for(coordinator).post(
        reverse("tickets:log_call"),
        {
            "requester": number,
            "asset_tag": "at-555",
            "subject": "Password expired",
            "impact": 3,
            "urgency": 1,
            "resolve_now": "on",
            "resolution_code": "user_training",
            "resolution_notes": "Showed how to change it.",
            "minutes": 3,
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.requester, ticket.device.asset_tag, ticket.status, ticket.channel) == (
        requester.employee,
        "AT-555",
        "resolved",
        "phone",
    )


def test_log_a_call_needs_a_single_caller(client_for, coordinator):
    factories.EmployeeFactory(first_name="Anna", last_name="Berg")
    factories.EmployeeFactory(first_name="Anna", last_name="Lund")
    client = client_for(coordinator)
    response = client.post(
        reverse("tickets:log_call"), {"requester": "Anna", "subject": "x", "impact": 3, "urgency": 3}
    )
    assert "Several employees match" in str(response.context["form"].errors["requester"])
    search = client.get(reverse("tickets:caller_search"), {"requester": "anna berg"}, HTTP_HX_REQUEST="true")
    assert b"Berg" in search.content
    assert b"Lund" not in search.content


def test_log_a_call_is_for_coordinators(client_for, technician, requester):
    assert client_for(technician).get(reverse("tickets:log_call")).status_code == 403
    assert client_for(requester).get(reverse("tickets:caller_search")).status_code == 403


# --- acting ------------------------------------------------------------------------------------


def test_changes_are_posts(client_for, ticket, requester):
    client = client_for(requester)
    assert client.get(_url(ticket, "tickets:act", action="cancel")).status_code == 405
    assert client.get(_url(ticket, "tickets:reply")).status_code == 405


def test_changes_need_the_csrf_token(ticket, requester):
    client = Client(enforce_csrf_checks=True)
    client.force_login(requester)
    assert client.post(_url(ticket, "tickets:act", action="cancel"), {"version": 1}).status_code == 403
    assert client.post(_url(ticket, "tickets:reply"), {"body": "hi"}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW


@pytest.mark.parametrize(
    ("persona", "action", "status"),
    [
        ("requester", "resolve", 403),
        ("requester", "assign", 403),
        ("requester", "take", 403),
        ("technician", "assign", 403),
        ("technician", "confirm", 403),
        ("technician", "reopen_closed", 403),
        ("coordinator", "confirm", 403),
    ],
)
def test_a_role_without_the_right_gets_403(client_for, request, ticket, persona, action, status):
    response = client_for(request.getfixturevalue(persona)).post(
        _url(ticket, "tickets:act", action=action), {"version": 1}
    )
    assert response.status_code == status
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW
    assert not Event.objects.exists()


def test_requester_cannot_note_log_time_or_triage(client_for, ticket, requester):
    client = client_for(requester)
    assert client.post(_url(ticket, "tickets:note"), {"body": "x"}).status_code == 403
    assert client.post(_url(ticket, "tickets:log_time"), {"minutes": 5}).status_code == 403
    assert client.post(_url(ticket, "tickets:triage"), {"version": 1, "impact": 1}).status_code == 403


def test_unknown_action_is_404(client_for, ticket, coordinator):
    assert client_for(coordinator).post(_url(ticket, "tickets:act", action="explode"), {}).status_code == 404


def test_technician_flow_through_the_pages(client_for, coordinator, technician, requester, ticket):
    staff = client_for(technician)
    client_for(coordinator).post(
        _url(ticket, "tickets:act", action="assign"), {"version": 1, "assignee": technician.pk}
    )
    staff.post(_url(ticket, "tickets:act", action="start"), {"version": 2})
    staff.post(_url(ticket, "tickets:reply"), {"body": "Is it the tray?"})
    staff.post(_url(ticket, "tickets:note"), {"body": "Probably the fuser"})
    staff.post(_url(ticket, "tickets:log_time"), {"minutes": 20})
    ticket.refresh_from_db()
    response = staff.post(
        _url(ticket, "tickets:act", action="resolve"), {"version": ticket.version, "resolution_code": "fixed"}
    )
    assert response.status_code == 400
    assert "resolution_notes" in response.context["action_forms"][-1]["form"].errors or b"required" in response.content
    staff.post(
        _url(ticket, "tickets:act", action="resolve"),
        {"version": ticket.version, "resolution_code": "fixed", "resolution_notes": "Cleaned the fuser"},
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.time_spent_minutes == 20
    client_for(requester).post(_url(ticket, "tickets:act", action="confirm"), {"version": ticket.version})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    actions = list(Event.objects.filter(ticket=ticket).values_list("action", flat=True))
    assert actions == ["assign", "start", "reply", "note", "log_time", "resolve", "confirm"]


def test_stale_form_tells_the_second_person_and_keeps_their_input(client_for, coordinator, technician, ticket):
    client_for(technician).post(_url(ticket, "tickets:act", action="take"), {"version": 1})
    response = client_for(coordinator).post(
        _url(ticket, "tickets:triage"), {"version": 1, "impact": 1, "urgency": 1, "tier": 2, "priority": ""}
    )
    assert response.status_code == 409
    assert b"changed since you opened it" in response.content
    form = response.context["triage_form"]
    assert form["tier"].value() == "2"  # what they typed is still there
    assert form["version"].value() == 2  # ready to apply to the new state on purpose
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee) == (1, technician)


def test_requester_reopens_with_a_reason_and_cancels_while_new(client_for, requester, technician):
    resolved = factories.TicketFactory(requester=requester.employee, status="resolved", assignee=technician)
    from django.utils import timezone

    Ticket.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now())
    client = client_for(requester)
    response = client.post(_url(resolved, "tickets:act", action="reopen"), {"version": 1, "note": ""})
    assert response.status_code == 400
    client.post(_url(resolved, "tickets:act", action="reopen"), {"version": 1, "note": "Jams again"})
    resolved.refresh_from_db()
    assert resolved.status == TicketStatus.ASSIGNED
    new = factories.TicketFactory(requester=requester.employee)
    client.post(_url(new, "tickets:act", action="cancel"), {"version": 1})
    new.refresh_from_db()
    assert new.status == TicketStatus.CANCELLED
    # Not once work has started: the button is gone, and the action refused.
    response = client.post(_url(resolved, "tickets:act", action="cancel"), {"version": 2})
    assert response.status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == TicketStatus.ASSIGNED


def test_coordinator_cancels_as_duplicate(client_for, coordinator, requester, ticket):
    original = factories.TicketFactory(requester=requester.employee)
    client_for(coordinator).post(
        _url(ticket, "tickets:act", action="cancel"), {"version": 1, "duplicate_of": original.reference}
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.duplicate_of) == (TicketStatus.CANCELLED, original)
    page = client_for(requester).get(_url(ticket)).content.decode()
    assert original.reference in page


def test_page_offers_only_allowed_actions(client_for, requester, technician, ticket):
    requester_page = client_for(requester).get(_url(ticket))
    names = [a["name"] for a in requester_page.context["action_forms"]]
    assert names == ["cancel"]
    tech_page = client_for(technician).get(_url(ticket))
    assert [a["name"] for a in tech_page.context["action_forms"]] == ["take"]


def test_past_tickets_are_paged_and_open_ones_bounded(client_for, requester, monkeypatch):
    from tickets.views import pages as views

    factories.TicketFactory.create_batch(30, requester=requester.employee, status="closed")
    factories.TicketFactory.create_batch(3, requester=requester.employee, status="new")
    client = client_for(requester)
    first = client.get(reverse("tickets:mine"))
    assert len(first.context["page"].object_list) == 25
    assert len(client.get(reverse("tickets:mine"), {"page": 2}).context["page"].object_list) == 5
    assert len(first.context["open_tickets"]) == 3
    monkeypatch.setattr(views, "MINE_OPEN_SHOWN", 2)
    bounded = client.get(reverse("tickets:mine"))
    assert len(bounded.context["open_tickets"]) == 2
    assert "The 2 most recently changed are shown." in bounded.content.decode()


def test_kept_timeline_lines_follow_the_viewer_and_the_actors_name(client_for, requester, technician, coordinator):
    """Timeline lines are kept between requests; what the line shows (the viewer's kind, a renamed actor)
    is part of their key."""
    from tickets import services

    ticket = factories.TicketFactory(requester=requester.employee)
    services.ticket_assign(ticket=ticket, by=coordinator, assignee=technician)
    url = ticket.get_absolute_url()
    staff = client_for(technician).get(url).content.decode()
    assert f"{coordinator.get_full_name()} assigned the ticket to {technician.get_full_name()}." in staff
    mine = client_for(requester).get(url).content.decode()
    assert f"{coordinator.first_name} assigned the ticket to {technician.first_name}." in mine
    coordinator.first_name = "Corinna"
    coordinator.save()
    assert "Corinna" in client_for(technician).get(url).content.decode()


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_HX_REQUEST": "true"}, {"HTTP_SEC_FETCH_MODE": "cors"}],
    ids=["htmx", "fetch"],
)
def test_a_refused_action_is_a_400_for_htmx_and_scripts_and_a_redirect_for_the_browser(
    client_for, coordinator, technician, ticket, headers
):
    client = client_for(coordinator)
    # Resolved tickets cannot be started: not allowed now.
    resolved = factories.TicketFactory(requester=ticket.requester, status="resolved", assignee=technician)
    browser = client.post(_url(resolved, "tickets:act", action="start"), {"version": 1}, HTTP_SEC_FETCH_MODE="navigate")
    assert browser.status_code == 302
    script = client.post(_url(resolved, "tickets:act", action="start"), {"version": 1}, **headers)
    assert script.status_code == 400
    assert b"cannot be done now" in script.content
    assert b'data-testid="refusal"' in script.content
    # A stale version is a 409 for everyone, with the new state and what was typed.
    client_for(technician).post(_url(ticket, "tickets:act", action="take"), {"version": 1})
    stale = client.post(_url(ticket, "tickets:act", action="wait_on_vendor"), {"version": 1, "note": "x"}, **headers)
    assert stale.status_code == 409
    resolved.refresh_from_db()
    assert resolved.status == TicketStatus.RESOLVED
    assert not Event.objects.filter(ticket=resolved).exists()
