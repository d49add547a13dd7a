"""Tickets that are one: duplicates, merges (files, watchers, both timelines, the merged address), who then
sees what, and parent tickets with their children."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.models import Notification
from tickets import services
from tickets.models import Attachment, Comment, Event, EventKind, Ticket, TicketStatus, Watcher
from tickets.notices.kinds import NotificationKind
from tickets.services.merging import ConfirmationNeeded
from tickets.workflow import ActorNotAllowed, WorkflowError

pytestmark = pytest.mark.django_db


def _open(by, employee, subject, **more):
    return services.ticket_create(by=by, requester=employee, subject=subject, impact=3, urgency=2, **more)


@pytest.fixture
def two(coordinator, technician, requester, requester_2):
    kept = _open(coordinator, requester.employee, "Outlook crashes", description="Since this morning.")
    kept = services.ticket_assign(ticket=kept, by=coordinator, assignee=technician)
    dupe = _open(
        coordinator,
        requester_2.employee,
        "Outlook keeps crashing",
        description="On start.",
        files=[SimpleUploadedFile("crash.txt", b"Faulting module")],
    )
    dupe = services.ticket_assign(ticket=dupe, by=coordinator, assignee=technician)
    services.comment_add(ticket=dupe, by=technician, body="Which version?")
    services.comment_add(ticket=dupe, by=technician, body="Checked the logs.", is_internal=True)
    services.comment_add(ticket=dupe, by=requester_2, body="Office 2021.", files=[SimpleUploadedFile("v.txt", b"2021")])
    services.watcher_add(ticket=dupe, by=technician, email="vendor@supplier.example")
    return kept, dupe


def test_merge_moves_the_conversation_files_and_watchers_and_both_timelines_say_so(two, technician, requester_2):
    kept, dupe = two
    with pytest.raises(ConfirmationNeeded):
        services.ticket_merge(ticket=dupe, into=kept, by=technician)
    assert Comment.objects.filter(ticket=dupe).count() == 3  # refused: nothing moved
    merged = services.ticket_merge(ticket=dupe, into=kept, by=technician, confirmed=True)
    assert (
        merged.status == TicketStatus.CANCELLED and merged.merged_into == kept and merged.resolution_code == "duplicate"
    )
    assert not Comment.objects.filter(ticket=dupe).exists() and not Attachment.objects.filter(ticket=dupe).exists()
    bodies = list(Comment.objects.filter(ticket=kept).order_by("created_at", "pk").values_list("body", flat=True))
    assert bodies[0].startswith(f"{dupe.reference} · Outlook keeps crashing") and "On start." in bodies[0]
    assert {"Which version?", "Checked the logs.", "Office 2021."} <= set(bodies)
    files = Attachment.objects.filter(ticket=kept)
    assert sorted(files.values_list("original_name", flat=True)) == ["crash.txt", "v.txt"]
    report = Comment.objects.get(ticket=kept, body__startswith=dupe.reference)
    assert files.get(original_name="crash.txt").comment == report  # the report's file stays with the report
    # The supplier moved over; the merged ticket's requester follows the kept one now.
    assert set(Watcher.objects.filter(ticket=kept).values_list("email", flat=True)) >= {"vendor@supplier.example"}
    assert Watcher.objects.filter(ticket=kept, user=requester_2).exists()
    merged_event = Event.objects.get(ticket=kept, kind=EventKind.MERGED)
    assert merged_event.is_public and merged_event.new["ticket"] == dupe.pk and merged_event.new["comments"] == 4
    assert Event.objects.filter(ticket=dupe, action="merge", new__status="cancelled").exists()
    # The requester of the merged ticket is told they follow the kept one now.
    assert Notification.objects.filter(recipient=requester_2, kind=NotificationKind.WATCHER_ADDED, ticket_id=kept.pk)


def test_the_merged_address_leads_to_the_kept_ticket(client_for, two, technician, requester, requester_2):
    kept, dupe = two
    services.ticket_merge(ticket=dupe, into=kept, by=technician, confirmed=True)
    response = client_for(technician).get(dupe.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == kept.get_absolute_url()
    # Its requester follows the kept ticket now, so theirs leads there too, and they read the public part only.
    response = client_for(requester_2).get(dupe.get_absolute_url(), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == kept.get_absolute_url()
    assert "Office 2021." in page and "Which version?" in page and "Checked the logs." not in page
    # The kept ticket's requester reads the merged one's public replies (they were warned), not its page.
    assert "Office 2021." in client_for(requester).get(kept.get_absolute_url()).content.decode()
    assert client_for(requester).get(dupe.get_absolute_url()).status_code == 404


def test_a_requester_never_sees_another_requesters_linked_ticket(client_for, two, technician, requester, requester_2):
    kept, dupe = two
    services.ticket_link(ticket=kept, other=dupe, by=technician)
    assert client_for(requester).get(dupe.get_absolute_url()).status_code == 404
    assert client_for(requester_2).get(kept.get_absolute_url()).status_code == 404
    assert "related-ticket" not in client_for(requester).get(kept.get_absolute_url()).content.decode()


def test_merge_through_the_page_asks_to_confirm_different_requesters(client_for, two, technician):
    kept, dupe = two
    client = client_for(technician)
    url = reverse("tickets:merge", args=[dupe.pk])
    first = client.post(url, {"version": dupe.version, "into": kept.reference})
    assert first.status_code == 200 and 'data-testid="merge-confirm"' in first.content.decode()
    dupe.refresh_from_db()
    assert dupe.status != TicketStatus.CANCELLED
    second = client.post(url, {"version": dupe.version, "into": kept.reference, "confirmed": "on"})
    assert second.status_code == 302 and second["Location"] == kept.get_absolute_url()
    bad = client.post(reverse("tickets:merge", args=[kept.pk]), {"version": kept.version, "into": "HD-999999"})
    assert bad.status_code == 400 and "No ticket you can see has this number." in bad.content.decode()


def test_same_requester_merges_at_once_and_a_stranger_may_not(two, technician, technician_t2, coordinator, requester):
    kept, _dupe = two
    again = _open(coordinator, requester.employee, "Outlook again")
    with pytest.raises((ActorNotAllowed, WorkflowError)):
        services.ticket_merge(ticket=kept, into=again, by=requester)
    services.ticket_merge(ticket=again, into=kept, by=technician)
    assert Ticket.objects.get(pk=again.pk).merged_into_id == kept.pk
    with pytest.raises(WorkflowError):
        services.ticket_merge(ticket=kept, into=again, by=coordinator)  # into a cancelled ticket


def test_a_duplicate_cancelled_makes_its_requester_follow_the_kept_ticket(two, coordinator, requester_2):
    kept, dupe = two
    services.ticket_cancel(ticket=dupe, by=coordinator, note="Same crash.", duplicate_of=kept)
    assert Watcher.objects.filter(ticket=kept, user=requester_2).exists()
    told = Notification.objects.filter(recipient=requester_2, kind=NotificationKind.WATCHER_ADDED, ticket_id=kept.pk)
    assert told.exists()


def test_a_parent_shows_its_children_and_resolves_them_with_it(client_for, coordinator, technician, requester):
    move = _open(coordinator, requester.employee, "Office move, floor 3")
    move = services.ticket_assign(ticket=move, by=coordinator, assignee=technician)
    children = []
    for subject in ("Desk 1 network", "Desk 2 network", "Printer"):
        child = _open(coordinator, requester.employee, subject)
        child = services.ticket_assign(ticket=child, by=coordinator, assignee=technician)
        children.append(services.ticket_set_parent(ticket=child, parent=move, by=technician))
    services.ticket_resolve(ticket=children[0], by=technician, resolution_notes="Patched.", resolution_code="fixed")
    page = client_for(technician).get(move.get_absolute_url()).content.decode()
    assert page.count('data-testid="child-ticket"') == 3
    assert "2 of its 3 child tickets are still open." in page
    assert 'name="resolve-with_children"' in page
    with pytest.raises(WorkflowError):
        services.ticket_set_parent(ticket=move, parent=children[1], by=technician)  # a parent is no child
    move.refresh_from_db()
    _parent, resolved, left = services.ticket_resolve_with_children(
        ticket=move, by=technician, resolution_notes="Floor 3 is moved.", resolution_code="fixed"
    )
    assert {t.pk for t in resolved} == {children[1].pk, children[2].pk} and left == []
    for child in children[1:]:
        child.refresh_from_db()
        assert child.status == TicketStatus.RESOLVED and child.resolution_notes == "Floor 3 is moved."
    page = client_for(technician).get(move.get_absolute_url()).content.decode()
    assert "child tickets are still open" not in page


def test_resolving_a_parent_leaves_the_children_its_resolver_may_not_resolve(
    coordinator, technician, technician_t2, requester
):
    parent = services.ticket_assign(
        ticket=_open(coordinator, requester.employee, "Outage"), by=coordinator, assignee=technician
    )
    other = services.ticket_assign(
        ticket=_open(coordinator, requester.employee, "Part"), by=coordinator, assignee=technician_t2
    )
    services.ticket_set_parent(ticket=other, parent=parent, by=technician_t2)
    _parent, resolved, left = services.ticket_resolve_with_children(
        ticket=parent, by=technician, resolution_notes="Back up.", resolution_code="fixed"
    )
    assert resolved == [] and [t.pk for t in left] == [other.pk]
