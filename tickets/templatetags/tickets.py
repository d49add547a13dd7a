"""How tickets read on a page: badges and one sentence per timeline event. Output is plain text,
escaped by the template like any other value."""

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tickets import calendar
from tickets.models import Event, EventKind, Ticket, TicketStatus, mail_sender_label, reference_of, status_label

register = template.Library()

STATUS_BADGES: dict[str, str] = {
    TicketStatus.NEW: "text-bg-primary",
    TicketStatus.ASSIGNED: "text-bg-info",
    TicketStatus.IN_PROGRESS: "text-bg-warning",
    TicketStatus.WAITING_REQUESTER: "text-bg-secondary",
    TicketStatus.WAITING_VENDOR: "text-bg-secondary",
    TicketStatus.RESOLVED: "text-bg-success",
    TicketStatus.CLOSED: "text-bg-light border",
    TicketStatus.CANCELLED: "text-bg-light border",
}
PRIORITY_BADGES = {1: "text-bg-danger", 2: "text-bg-warning", 3: "text-bg-info", 4: "text-bg-light border"}


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-secondary")


@register.filter
def status_shown(ticket: Ticket, staff_view: bool = False) -> str:
    """The ticket's status for the viewer: staff read the workflow's status, requesters theirs."""
    return str(ticket.get_status_display()) if staff_view else ticket.status_for_requester


@register.filter
def priority_badge(priority: int) -> str:
    return PRIORITY_BADGES.get(priority, "text-bg-secondary")


@register.filter
def width_step(percent: int | float | None) -> str:
    """The class that gives a bar `percent` of its track's width, in steps of 5 (static/css/helpdesk.css).

    The Content-Security-Policy refuses style="" attributes, so a bar's width is one of 21 classes. Any
    value above zero shows at least one step; the exact figure stays in the text and aria-valuenow.
    """
    if not percent or percent <= 0:
        return "w-pct-0"
    return f"w-pct-{min(100, max(5, 5 * round(percent / 5)))}"


@register.filter
def person(user, staff_view=False) -> str:
    """Staff see full names; requesters see the first names of the people helping them."""
    if user is None:
        return _("The help desk")
    if staff_view:
        return user.get_full_name() or user.email
    return user.first_name or _("The help desk")


@register.filter
def writer(comment, staff_view=False) -> str:
    """Who wrote a comment: its author as `person` says, or, for a reply by mail from someone without a login,
    the name it came with (staff also see the address)."""
    if comment.author_id is not None or not comment.sender_email:
        return person(comment.author, staff_view)
    name = mail_sender_label(comment.sender_name, comment.sender_email)
    return f"{name} <{comment.sender_email}>" if staff_view else name


_ACTION_SENTENCES = {
    "take": gettext_lazy("%(actor)s took the ticket and started work."),
    "start": gettext_lazy("%(actor)s started work."),
    "wait_on_requester": gettext_lazy("%(actor)s is waiting for an answer from the requester."),
    "wait_on_vendor": gettext_lazy("%(actor)s is waiting on a vendor."),
    "resume": gettext_lazy("%(actor)s resumed work."),
    "resolve": gettext_lazy("%(actor)s resolved the ticket."),
    "hand_back": gettext_lazy("%(actor)s handed the ticket back to the coordinators."),
    "confirm": gettext_lazy("%(actor)s confirmed the fix. The ticket is closed."),
    "close": gettext_lazy("%(actor)s closed the ticket."),
    "reopen": gettext_lazy("%(actor)s reopened the ticket."),
    "reopen_closed": gettext_lazy("%(actor)s reopened the closed ticket."),
    "cancel": gettext_lazy("%(actor)s cancelled the ticket."),
}


@register.simple_tag
def event_summary(event: Event, staff_view: bool = False) -> str:
    actor = person(event.actor, staff_view) if event.actor_id else _("The help desk")
    if event.kind == EventKind.CREATED:
        if event.new.get("channel") == "phone":
            return _("%(actor)s logged a phone call.") % {"actor": actor}
        return _("%(actor)s reported the problem.") % {"actor": actor}
    if event.kind == EventKind.ASSIGNED:
        assignee = event.new.get("assignee") or {}
        name = assignee.get("name") if staff_view else assignee.get("first_name")
        return _("%(actor)s assigned the ticket to %(assignee)s.") % {
            "actor": actor,
            "assignee": name or _("a technician"),
        }
    if event.kind == EventKind.STATUS_CHANGED and event.action in ("escalate", "de_escalate"):
        # Requesters hear that a specialist has it; staff see the tiers and who holds it now.
        if not staff_view:
            return _("%(actor)s passed the ticket to a specialist.") % {"actor": actor}
        holder = (event.new.get("assignee") or {}).get("name") or _("triage")
        moved = (
            _("%(actor)s escalated the ticket from tier %(old)s to tier %(new)s, to %(holder)s.")
            if event.action == "escalate"
            else _("%(actor)s sent the ticket down from tier %(old)s to tier %(new)s, to %(holder)s.")
        )
        return moved % {"actor": actor, "old": event.old.get("tier"), "new": event.new.get("tier"), "holder": holder}
    if event.kind == EventKind.STATUS_CHANGED:
        sentence = _ACTION_SENTENCES.get(event.action)
        if sentence:
            return str(sentence) % {"actor": actor}
        return _("%(actor)s changed the status from %(old)s to %(new)s.") % {
            "actor": actor,
            "old": status_label(event.old.get("status")),
            "new": status_label(event.new.get("status")),
        }
    if event.kind == EventKind.TRIAGED:
        parts = []
        for name, new in event.new.items():
            if name == "category_name":
                continue
            if name == "priority":
                parts.append(_("priority P%(old)s → P%(new)s") % {"old": event.old.get(name), "new": new})
            elif name == "tier":
                parts.append(_("tier %(old)s → %(new)s") % {"old": event.old.get(name), "new": new})
            elif name == "category":
                parts.append(_("category → %(category)s") % {"category": event.new.get("category_name") or _("none")})
            elif name in ("impact", "urgency"):
                parts.append(_("impact") if name == "impact" else _("urgency"))
        return _("%(actor)s changed %(changes)s.") % {"actor": actor, "changes": ", ".join(str(p) for p in parts)}
    if event.kind == EventKind.PROJECT_CHANGED:
        name = event.new.get("project_name")
        if name:
            return _("%(actor)s filed the ticket under the project %(project)s.") % {"actor": actor, "project": name}
        return _("%(actor)s took the ticket out of its project.") % {"actor": actor}
    if event.kind == EventKind.LINKED:
        return _("%(actor)s linked the ticket to %(reference)s, %(subject)s.") % {
            "actor": actor,
            "reference": reference_of(event.new.get("ticket", 0)),
            "subject": event.new.get("subject", ""),
        }
    if event.kind == EventKind.MERGED:
        return _("%(actor)s merged %(reference)s, %(subject)s, into this ticket.") % {
            "actor": actor,
            "reference": reference_of(event.new.get("ticket", 0)),
            "subject": event.new.get("subject", ""),
        }
    if event.kind == EventKind.PARENT_CHANGED:
        reference = reference_of(event.new.get("ticket") or event.new.get("parent") or event.old.get("parent") or 0)
        wording = {
            "set_parent": _("%(actor)s made the ticket a child of %(reference)s."),
            "unset_parent": _("%(actor)s took the ticket out of its parent %(reference)s."),
            "child_added": _("%(actor)s made %(reference)s a child of this ticket."),
            "child_removed": _("%(actor)s took %(reference)s out of this ticket's children."),
        }.get(event.action, _("%(actor)s changed the parent ticket."))
        return wording % {"actor": actor, "reference": reference}
    if event.kind == EventKind.KNOWN_PROBLEM:
        if event.action == "take_down":
            return _("%(actor)s took down the known-problem notice.") % {"actor": actor}
        return _("%(actor)s told everyone: “%(text)s”") % {"actor": actor, "text": event.new.get("text", "")}
    if event.kind == EventKind.VISIT:
        when = calendar.visit_when(event.new)
        wording = {
            "book": _("%(actor)s booked a visit: %(when)s, %(place)s."),
            "reschedule": _("%(actor)s moved the visit to %(when)s, %(place)s."),
            "cancel": _("%(actor)s called off the visit of %(when)s."),
            "ask_change": _("%(actor)s asked for another time for the visit of %(when)s."),
            "outcome": _("%(actor)s logged how the visit of %(when)s went."),
        }.get(event.action, _("%(actor)s changed a visit."))
        return wording % {"actor": actor, "when": when, "place": event.new.get("visit_place", "")}
    if event.kind == EventKind.REPAIR:
        values = {"actor": actor, "device": event.new.get("device", ""), "vendor": event.new.get("vendor", "")}
        if event.action == "repair_return":
            return _("%(actor)s recorded %(device)s back from repair at %(vendor)s.") % values
        return _("%(actor)s sent %(device)s to repair at %(vendor)s.") % values
    if event.kind == EventKind.RECURRING:
        missed = event.new.get("missed") or 0
        if missed:
            return ngettext(
                "Opened by its recurring schedule; %(missed)s earlier occurrence passed while the scheduler was "
                "down and was not opened.",
                "Opened by its recurring schedule; %(missed)s earlier occurrences passed while the scheduler was "
                "down and were not opened.",
                missed,
            ) % {"missed": missed}
        return _("Opened by its recurring schedule.")
    if event.kind == EventKind.ALERTED and event.action == "repair_overdue":
        return _("%(device)s is late back from repair at %(vendor)s; its technician is reminded.") % {
            "device": event.new.get("device", ""),
            "vendor": event.new.get("vendor", ""),
        }
    if event.kind == EventKind.WATCHERS_CHANGED and event.action == "me_too":
        return _("%(actor)s has the problem too and follows it.") % {"actor": actor}
    if event.kind == EventKind.ALERTED and event.action == "sla_warning":
        return _("Service level: the resolution is due soon.")
    if event.kind == EventKind.ALERTED and event.action == "sla_breach":
        if (event.new or {}).get("target") == "response_breached":
            return _("Service level: the first response time has passed.")
        return _("Service level: the resolution time has passed.")
    if event.kind == EventKind.TIME_LOGGED:
        return _("%(actor)s logged %(minutes)s minutes.") % {"actor": actor, "minutes": event.new.get("minutes")}
    return str(event.get_kind_display())


@register.filter
def duration_words(length: timedelta) -> str:
    """A length of time as a person says it: "3 days, 4 hours", "25 minutes", "under a minute"."""
    minutes = int(length.total_seconds() // 60)
    if minutes < 1:
        return _("under a minute")
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)s day", "%(n)s days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours})
    if minutes and not days:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes})
    return ", ".join(parts)
