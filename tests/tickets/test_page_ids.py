"""The ticket page holds many forms at once (every action, the reply box, logged time, triage, watchers): each
prefixes its fields, so no id repeats and every label names the field of its own form."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.fixtures.html_ids import id_problems
from tickets.models import Ticket, Watcher

pytestmark = pytest.mark.django_db


def _ticket(requester, **fields) -> Ticket:
    return factories.TicketFactory(requester=requester.employee, description="It breaks.", **fields)


def _page(client, ticket) -> str:
    response = client.get(ticket.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status", "holder"),
    [
        ("coordinator", "new", None),
        ("technician", "new", None),
        ("requester", "new", None),
        ("technician", "assigned", "technician"),
        ("technician", "in_progress", "technician"),
        ("technician", "waiting_vendor", "technician"),
        ("coordinator", "in_progress", "technician"),
        ("coordinator", "waiting_requester", "technician"),
        ("requester", "in_progress", "technician"),
        ("technician", "resolved", "technician"),
        ("coordinator", "resolved", "technician"),
        ("requester", "resolved", "technician"),
        ("manager", "closed", "technician"),
        ("requester", "closed", "technician"),
    ],
)
def test_no_id_repeats_and_every_label_names_a_field_of_its_form(
    client_for, request, requester, technician, coordinator, persona, status, holder
):
    holder_user = request.getfixturevalue(holder) if holder else None
    fields = {"status": status, "assignee": holder_user, "tier": 1}
    if status in ("resolved", "closed"):
        fields.update(resolved_at=timezone.now(), resolution_notes="Replaced the cable.", resolution_code="fixed")
    ticket = _ticket(requester, **fields)
    factories.CommentFactory(ticket=ticket, author=requester, body="Still broken")
    if holder_user is not None:
        factories.CommentFactory(ticket=ticket, author=holder_user, body="Looking", is_internal=True)
    Watcher.objects.create(ticket=ticket, email="colleague@example.org")
    page = _page(client_for(request.getfixturevalue(persona)), ticket)
    assert id_problems(page) == []


def test_the_vendor_note_has_its_own_label(client_for, requester, technician):
    ticket = _ticket(requester, status="in_progress", assignee=technician)
    page = _page(client_for(technician), ticket)
    assert 'for="id_wait_on_vendor-note"' in page and 'id="id_wait_on_vendor-note"' in page
    assert 'for="id_wait_on_requester-note"' in page and 'id="id_wait_on_requester-note"' in page
    assert 'id="id_version"' not in page and 'id="id_note"' not in page


def test_a_form_sent_back_with_errors_keeps_ids_unique_and_its_errors_beside_its_field(
    client_for, requester, technician
):
    ticket = _ticket(requester, status="in_progress", assignee=technician)
    client = client_for(technician)
    url = reverse("tickets:act", kwargs={"number": ticket.pk, "action": "resolve"})
    response = client.post(url, {"resolve-version": ticket.version, "resolve-resolution_code": "fixed"})
    assert response.status_code == 400
    page = response.content.decode()
    assert id_problems(page) == []
    # The error sits under the resolve form's own field, which points at it.
    assert 'id="id_resolve-resolution_notes"' in page and 'id="error_1_id_resolve-resolution_notes"' in page
    assert 'data-testid="action-resolve"' in page.split('id="id_resolve-resolution_notes"')[0].rsplit("<details", 1)[1]
    # The same post with the bare names (a page opened before the prefixes came) is read as well.
    bare = client.post(url, {"version": ticket.version, "resolution_code": "fixed", "resolution_notes": "Cable"})
    assert bare.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


@pytest.mark.parametrize("prefixed", [True, False], ids=["prefixed", "bare"])
def test_replies_notes_time_and_triage_read_their_prefixed_fields(
    client_for, requester, technician, coordinator, prefixed
):
    ticket = _ticket(requester, status="in_progress", assignee=technician)

    def post(client, name: str, prefix: str, data: dict) -> int:
        named = {f"{prefix}-{key}" if prefixed else key: value for key, value in data.items()}
        return client.post(reverse(name, kwargs={"number": ticket.pk}), named).status_code

    client = client_for(technician)
    assert post(client, "tickets:reply", "reply", {"body": "On my way"}) == 302
    assert post(client, "tickets:note", "reply", {"body": "Cable again"}) == 302
    assert post(client, "tickets:log_time", "log_time", {"minutes": 15, "note": "Swapped it"}) == 302
    ticket.refresh_from_db()
    triage = {"version": ticket.version, "impact": 1, "urgency": 1, "tier": 1, "priority": "", "category": ""}
    assert post(client_for(coordinator), "tickets:triage", "triage", triage) == 302
    ticket.refresh_from_db()
    assert ticket.comments.count() == 2 and ticket.time_spent_minutes == 15 and ticket.impact == 1
    assert post(client, "tickets:reply", "reply", {"body": ""}) == 400
