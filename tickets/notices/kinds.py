"""The kinds of ticket news, and how their wording is filled, registered into the outbox's registry.

The values are those stored in Notification.kind since the first migration: never rename one.
"""

from datetime import date
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications import kinds as registry
from tickets import calendar
from tickets.models import status_label
from tickets.notices.tokens import watcher_stop_token


class NotificationKind(models.TextChoices):
    # To the requester (and watchers, for public updates).
    RECEIVED = "received", gettext_lazy("Ticket received")
    ASSIGNED = "assigned", gettext_lazy("Someone is working on it")
    STATUS_CHANGED = "status_changed", gettext_lazy("Status changed")
    REPLY = "reply", gettext_lazy("A reply")
    WAITING_ON_YOU = "waiting_on_you", gettext_lazy("Waiting on you")
    RESOLVED = "resolved", gettext_lazy("Resolved")
    CLOSED = "closed", gettext_lazy("Closed")
    ESCALATED = "escalated", gettext_lazy("Passed to a specialist")
    # To someone added as a watcher, once: who added them, and how to stop.
    WATCHER_ADDED = "watcher_added", gettext_lazy("Added to a ticket's updates")
    # To the assignee.
    ASSIGNED_TO_YOU = "assigned_to_you", gettext_lazy("Assigned to you")
    REQUESTER_REPLIED = "requester_replied", gettext_lazy("The requester replied")
    FOLLOWER_REPLIED = "follower_replied", gettext_lazy("Someone following it replied")
    REOPENED = "reopened", gettext_lazy("Reopened")
    ESCALATED_TO_YOU = "escalated_to_you", gettext_lazy("Escalated to or from you")
    SLA_WARNING = "sla_warning", gettext_lazy("Due time close")
    # To coordinators.
    NEW_TICKET = "new_ticket", gettext_lazy("A new ticket")
    BREACH = "breach", gettext_lazy("Due time passed")
    TRIAGE_STALE = "triage_stale", gettext_lazy("Left in triage too long")
    # On-site visits: to the requester, with the calendar invitation; to the technician, another time asked.
    VISIT_BOOKED = "visit_booked", gettext_lazy("A visit booked or moved")
    VISIT_CANCELLED = "visit_cancelled", gettext_lazy("A visit called off")
    VISIT_CHANGE_ASKED = "visit_change_asked", gettext_lazy("Another time asked for a visit")
    # To the technician: a device sent to repair is not back on the day expected.
    REPAIR_OVERDUE = "repair_overdue", gettext_lazy("A repair late back")


# Who is offered (and sent) each kind, by capability: None is anyone with a ticket of their own or watched.
AUDIENCE: dict[str, str | None] = {
    NotificationKind.ASSIGNED_TO_YOU: "tickets.work",
    NotificationKind.REQUESTER_REPLIED: "tickets.work",
    NotificationKind.FOLLOWER_REPLIED: "tickets.work",
    NotificationKind.REOPENED: "tickets.work",
    NotificationKind.ESCALATED_TO_YOU: "tickets.work",
    NotificationKind.SLA_WARNING: "tickets.work",
    NotificationKind.NEW_TICKET: "notifications.new_ticket_alerts",
    NotificationKind.BREACH: "notifications.breach_alerts",
    NotificationKind.TRIAGE_STALE: "notifications.triage_alerts",
    NotificationKind.VISIT_CHANGE_ASKED: "tickets.work",
    NotificationKind.REPAIR_OVERDUE: "tickets.work",
}

# The headline (also the subject) and the first sentence of each kind of news, translated when used.
WORDING: dict[str, tuple[str | Promise, str | Promise]] = {
    NotificationKind.RECEIVED: (
        gettext_lazy("We received your request: %(subject)s"),
        gettext_lazy("Thank you. Your request is logged and a coordinator will look at it soon."),
    ),
    NotificationKind.ASSIGNED: (
        gettext_lazy("%(assignee)s is working on your request"),
        gettext_lazy("%(assignee)s from the help desk has taken your request: %(subject)s."),
    ),
    NotificationKind.STATUS_CHANGED: (
        gettext_lazy("Your request is now: %(status)s"),
        gettext_lazy("The status of your request “%(subject)s” changed to %(status)s."),
    ),
    NotificationKind.REPLY: (
        gettext_lazy("New reply: %(subject)s"),
        gettext_lazy("%(actor)s replied to your request."),
    ),
    NotificationKind.WAITING_ON_YOU: (
        gettext_lazy("We need something from you: %(subject)s"),
        gettext_lazy("%(actor)s needs more from you before we can go on. Reply to this message or on the ticket page."),
    ),
    NotificationKind.RESOLVED: (
        gettext_lazy("Resolved: %(subject)s"),
        gettext_lazy("%(actor)s has resolved your request. If it works for you, confirm it; if not, reopen it."),
    ),
    NotificationKind.CLOSED: (
        gettext_lazy("Closed: %(subject)s"),
        gettext_lazy("Your request is closed. Thank you for reporting it."),
    ),
    NotificationKind.ESCALATED: (
        gettext_lazy("Passed to a specialist: %(subject)s"),
        gettext_lazy("Your request needs a specialist, so we have passed it to one. You do not need to do anything."),
    ),
    NotificationKind.WATCHER_ADDED: (
        gettext_lazy("You will get the updates of a help desk request: %(subject)s"),
        gettext_lazy(
            "%(actor)s added you to the public updates of the help desk request “%(subject)s”. You will hear "
            "when it changes until it is closed, or until you stop these messages with the link below."
        ),
    ),
    NotificationKind.ASSIGNED_TO_YOU: (
        gettext_lazy("Assigned to you: %(subject)s"),
        gettext_lazy("%(actor)s assigned this ticket to you."),
    ),
    NotificationKind.REQUESTER_REPLIED: (
        gettext_lazy("%(requester)s replied: %(subject)s"),
        gettext_lazy("The requester answered on a ticket of yours."),
    ),
    NotificationKind.FOLLOWER_REPLIED: (
        gettext_lazy("%(actor)s replied: %(subject)s"),
        gettext_lazy("%(actor)s, who follows a ticket of yours, replied."),
    ),
    NotificationKind.REOPENED: (
        gettext_lazy("Reopened: %(subject)s"),
        gettext_lazy("%(actor)s reopened a ticket you resolved."),
    ),
    NotificationKind.ESCALATED_TO_YOU: (
        gettext_lazy("Escalated: %(subject)s"),
        gettext_lazy("%(actor)s escalated this ticket."),
    ),
    NotificationKind.SLA_WARNING: (
        gettext_lazy("Due soon: %(subject)s"),
        gettext_lazy("This ticket is close to its due time."),
    ),
    NotificationKind.NEW_TICKET: (
        gettext_lazy("New ticket: %(subject)s"),
        gettext_lazy("A new ticket from %(requester)s waits in triage."),
    ),
    # Which due time passed, first response or resolution, is told in the subject: filled in by wording_values.
    NotificationKind.BREACH: ("%(breach_headline)s", "%(breach_intro)s"),
    NotificationKind.TRIAGE_STALE: (
        gettext_lazy("Still in triage: %(subject)s"),
        gettext_lazy("This ticket has waited in triage longer than it should."),
    ),
    NotificationKind.VISIT_BOOKED: (
        gettext_lazy("A technician comes to you: %(subject)s"),
        gettext_lazy(
            "%(technician)s comes on %(visit_when)s, at %(place)s. The invitation is attached for your calendar. "
            "If the time does not suit you, ask for another on the ticket page."
        ),
    ),
    NotificationKind.VISIT_CANCELLED: (
        gettext_lazy("Visit called off: %(subject)s"),
        gettext_lazy("The visit of %(visit_when)s is called off. We will tell you if we book another."),
    ),
    NotificationKind.VISIT_CHANGE_ASKED: (
        gettext_lazy("%(requester)s asks for another time: %(subject)s"),
        gettext_lazy("The requester asks to move your visit of %(visit_when)s."),
    ),
    NotificationKind.REPAIR_OVERDUE: (
        gettext_lazy("Repair late back: %(subject)s"),
        gettext_lazy("%(device)s was expected back from %(vendor)s on %(expected_back)s and is not recorded as back."),
    ),
}


# A breach's headline and first sentence by the due time that passed (the sla_breach Event's "target"); the
# last pair for messages stored before the target was kept with them.
BREACH_WORDING: dict[str, tuple[str | Promise, str | Promise]] = {
    "response_breached": (
        gettext_lazy("First response overdue: %(subject)s"),
        gettext_lazy("Nobody has answered this ticket by its first response due time."),
    ),
    "resolution_breached": (
        gettext_lazy("Resolution overdue: %(subject)s"),
        gettext_lazy("This ticket is not resolved by its resolution due time."),
    ),
    "": (
        gettext_lazy("Past its due time: %(subject)s"),
        gettext_lazy("This ticket has passed its due time."),
    ),
}


def wording_values(context: dict[str, Any]) -> dict[str, Any]:
    """The values the wording names, from the snapshot the rules stored (tickets.notices.rules._snapshot)."""
    subject = context.get("ticket_subject", "")
    breach_headline, breach_intro = BREACH_WORDING.get(context.get("breach_target", ""), BREACH_WORDING[""])
    return {
        "subject": subject,
        "breach_headline": str(breach_headline) % {"subject": subject},
        "breach_intro": str(breach_intro),
        "actor": context.get("actor_name") or _("The help desk"),
        "assignee": context.get("assignee_name") or _("a technician"),
        "status": status_label(context.get("status", "")),
        "requester": context.get("requester_name", ""),
        "technician": context.get("visit_technician", "") or _("A technician"),
        "visit_when": calendar.visit_when(context),
        "place": context.get("visit_place", ""),
        "device": context.get("device", ""),
        "vendor": context.get("vendor", ""),
        "expected_back": _day(context.get("expected_back", "")),
    }


def _day(value: str) -> str:
    return date_format(date.fromisoformat(value), "DATE_FORMAT") if value else ""


def message_details(context: dict[str, Any]) -> dict[str, Any]:
    """The ticket's number, its page and, for a watcher, the link that stops their messages.

    A watcher by address cannot open the ticket's page: their messages carry everything, and the way to stop
    them. One with a login reads its public part (tickets.permissions), so theirs lead there too.
    """
    watcher_id = context.get("watcher_id")
    path = context.get("ticket_path", "")
    return {
        "reference": context.get("ticket_reference", ""),
        "url": path,
        "page_path": path if not watcher_id or context.get("watcher_signs_in") else "",
        "stop_path": reverse("tickets:watcher_stop", args=[watcher_stop_token(watcher_id)]) if watcher_id else "",
    }


def register_kinds() -> None:
    """Called from TicketsConfig.ready: the outbox learns the ticket kinds, in this order."""
    registry.register(
        *(
            registry.Kind(
                kind.value,
                kind.label,
                headline=WORDING[kind][0],
                intro=WORDING[kind][1],
                audience=AUDIENCE.get(kind),
                values=wording_values,
                details=message_details,
                attachments=calendar.visit_invitation
                if kind in (NotificationKind.VISIT_BOOKED, NotificationKind.VISIT_CANCELLED)
                else registry.no_attachments,
            )
            for kind in NotificationKind
        )
    )
