"""The ticket page puts what its reader came for first: the problem, the conversation, the reply box and
their next step; the rest folds."""

import pytest
from django.utils import timezone

from tests import factories
from tickets import services
from tickets.views.ticket import TIMELINE_FOLD_OVER

pytestmark = pytest.mark.django_db


def _next_and_more(response) -> tuple[list[str], list[str]]:
    context = response.context
    next_names = [action["name"] for action in context["next_actions"]]
    if context["triage_is_next"]:
        next_names.insert(0, "triage")
    return next_names, [action["name"] for action in context["more_actions"]]


def test_each_reader_finds_their_next_step_under_the_reply_box(client_for, requester, technician, coordinator, manager):
    new = factories.TicketFactory(requester=requester.employee)
    assert _next_and_more(client_for(coordinator).get(new.get_absolute_url()))[0] == ["triage", "assign"]
    assert _next_and_more(client_for(technician).get(new.get_absolute_url()))[0] == ["take"]
    # The requester's only action on a new ticket, withdrawing it, is not the next step.
    assert _next_and_more(client_for(requester).get(new.get_absolute_url())) == ([], ["cancel"])

    held = factories.TicketFactory(requester=requester.employee, assignee=technician, status="assigned")
    assert _next_and_more(client_for(technician).get(held.get_absolute_url()))[0] == ["start", "resolve"]
    working = factories.TicketFactory(requester=requester.employee, assignee=technician, status="in_progress")
    tech_next, tech_more = _next_and_more(client_for(technician).get(working.get_absolute_url()))
    assert tech_next == ["resolve"] and {"wait_on_vendor", "hand_back"} <= set(tech_more)
    # A coordinator looking at someone's ticket has no next step of theirs: everything is under "More".
    assert _next_and_more(client_for(coordinator).get(working.get_absolute_url()))[0] == []

    resolved = factories.TicketFactory(
        requester=requester.employee, assignee=technician, status="resolved", resolved_at=timezone.now()
    )
    page = client_for(requester).get(resolved.get_absolute_url())
    assert _next_and_more(page)[0] == ["confirm", "reopen"]
    html = page.content.decode()
    assert html.index('data-testid="reply-box"') < html.index('data-testid="next-actions"')
    assert html.index('data-testid="next-actions"') < html.index('data-testid="details"')
    closed = factories.TicketFactory(requester=requester.employee, assignee=technician, status="closed")
    assert _next_and_more(client_for(manager).get(closed.get_absolute_url()))[0] == ["reopen_closed"]


def test_the_problem_and_conversation_come_before_the_side_sections(client_for, requester, technician):
    ticket = factories.TicketFactory(
        requester=requester.employee, assignee=technician, status="in_progress", description="The fan is loud."
    )
    services.comment_add(ticket=ticket, by=technician, body="Which room?")
    html = client_for(technician).get(ticket.get_absolute_url()).content.decode()
    order = [
        html.index("The fan is loud."),
        html.index('data-testid="ticket-device"'),
        html.index("Which room?"),
        html.index('data-testid="reply-box"'),
        html.index('data-testid="actions"'),
        html.index('data-testid="details"'),
        html.index('data-testid="watchers"'),
        html.index('data-testid="tier-chain"'),
    ]
    assert order == sorted(order)
    # The side sections fold; a wide screen opens those marked for it (js/ticket-page.js).
    assert '<details class="card mb-3 ticket-section" data-wide-open data-testid="details">' in html


def test_a_long_conversation_folds_its_earlier_entries_and_keeps_the_latest_replies(client_for, requester, technician):
    ticket = factories.TicketFactory(requester=requester.employee, assignee=technician, status="in_progress")
    client = client_for(technician)
    for index in range(TIMELINE_FOLD_OVER - 2):
        services.comment_add(ticket=ticket, by=technician, body=f"reply {index}")
    short = client.get(ticket.get_absolute_url())
    assert short.context["timeline_folded"] == []
    assert 'data-testid="timeline-fold"' not in short.content.decode()
    services.comment_add(ticket=ticket, by=requester, body="the last question")
    for _index in range(5):
        services.ticket_log_time(ticket=ticket, by=technician, minutes=1)  # events after the last reply
    long = client.get(ticket.get_absolute_url())
    html = long.content.decode()
    fold = html.index('data-testid="timeline-fold"')
    assert fold < html.index("reply 0<") < html.index("</details>", fold)
    # The latest two replies stay in view, though five events came after them.
    shown = [entry["item"].body for entry in long.context["timeline"] if entry["kind"] == "comment"]
    assert shown[-2:] == [f"reply {TIMELINE_FOLD_OVER - 3}", "the last question"]
    assert html.index("the last question") > html.index("</details>", fold)
    # Asked for the whole history, nothing folds.
    assert client.get(ticket.get_absolute_url(), {"timeline": "all"}).context["timeline_folded"] == []


def test_a_form_sent_back_with_errors_opens_the_folded_section_that_holds_it(client_for, requester, technician):
    from django.urls import reverse

    ticket = factories.TicketFactory(requester=requester.employee, assignee=technician, status="in_progress")
    client = client_for(technician)
    # Handing back needs a reason: the page comes back with "More actions" and the hand-back form open.
    url = reverse("tickets:act", kwargs={"number": ticket.pk, "action": "hand_back"})
    html = client.post(url, {"hand_back-version": ticket.version, "hand_back-note": ""}).content.decode()
    assert 'data-wide-open open data-testid="actions"' in html
    assert '<details class="mb-2" open data-testid="action-hand_back">' in html
    assert 'id="error_1_id_hand_back-note"' in html
    # A bad watcher address opens the watchers, with the message beside the field.
    watcher = client.post(reverse("tickets:watcher_add", args=[ticket.pk]), {"email": "not an address"})
    assert watcher.status_code == 400
    assert 'data-wide-open open data-testid="watchers"' in watcher.content.decode()
    # Nothing sent back: the sections stay folded.
    assert "data-wide-open open" not in client.get(ticket.get_absolute_url()).content.decode()
