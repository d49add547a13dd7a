"""Work at the requester's side: on-site visits booked on a ticket, and remote sessions recorded on it."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can
from tickets import calendar, permissions
from tickets.models import EventKind, RemoteSession, Ticket, Visit, VisitStatus
from tickets.services._change import Apply, Change, lock, ticket_change
from tickets.services.conversation import ticket_log_time
from tickets.workflow import ActorNotAllowed, MissingFields, WorkflowError

VISIT_FIELDS = ("technician", "starts_at", "ends_at", "place", "bring")


def _check_window(starts_at: datetime, ends_at: datetime, *, now: datetime) -> None:
    if ends_at <= starts_at:
        raise MissingFields(_("The visit must end after it starts."), ["ends_at"])
    if ends_at < now:
        raise MissingFields(_("This time has passed: choose one to come."), ["starts_at"])


def _visit_event(visit: Visit, action: str, *, note: str = "", cancelled: bool = False, public: bool = True) -> Apply:
    def apply(locked: Ticket) -> Change:
        return Change(
            kind=EventKind.VISIT,
            action=action,
            new={"visit": visit.pk, **calendar.visit_snapshot(visit, cancelled=cancelled)},
            note=note,
            is_public=public,
            bump=False,
        )

    return apply


def visit_book(
    *,
    ticket: Ticket,
    by: User,
    technician: User,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    bring: str = "",
    now: datetime | None = None,
) -> Visit:
    """Book a visit for `ticket` (whoever works on it, for themselves or, a coordinator, for a technician).
    The requester is sent it with a calendar invitation."""
    now = now or timezone.now()
    if not permissions.can(by, "log_time", ticket):
        raise ActorNotAllowed
    if not can(technician, "tickets.work"):
        raise MissingFields(_("Choose a technician of the desk."), ["technician"])
    if not ticket.is_open:
        raise WorkflowError(_("This ticket is finished: there is nothing to visit for."))
    _check_window(starts_at, ends_at, now=now)
    place = place.strip()
    if not place:
        raise MissingFields(_("Say where the technician goes."), ["place"])
    with transaction.atomic():
        visit = Visit.objects.create(
            ticket=ticket,
            technician=technician,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            bring=bring.strip(),
            created_by=by,
            created_at=now,
        )
        ticket_change(ticket, by=by, apply=_visit_event(visit, "book"), now=now)
    return visit


def visit_reschedule(
    *,
    visit: Visit,
    by: User,
    technician: User,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    bring: str = "",
    now: datetime | None = None,
) -> Visit:
    """Move a visit (the requester asked for another time, or plans changed): the same calendar entry, sent
    again with a higher sequence."""
    now = now or timezone.now()
    if not permissions.can(by, "log_time", visit.ticket):
        raise ActorNotAllowed
    if not visit.is_upcoming:
        raise WorkflowError(_("This visit is over: book a new one."))
    if not can(technician, "tickets.work"):
        raise MissingFields(_("Choose a technician of the desk."), ["technician"])
    _check_window(starts_at, ends_at, now=now)
    if not place.strip():
        raise MissingFields(_("Say where the technician goes."), ["place"])
    with transaction.atomic():
        lock(visit.ticket)
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        visit.technician = technician
        visit.starts_at, visit.ends_at = starts_at, ends_at
        visit.place, visit.bring = place.strip(), bring.strip()
        visit.status = VisitStatus.PLANNED
        visit.proposal = ""
        visit.sequence += 1
        visit.save()
        ticket_change(visit.ticket, by=by, apply=_visit_event(visit, "reschedule"), now=now)
    return visit


def visit_ask_change(*, visit: Visit, by: User, proposal: str, now: datetime | None = None) -> Visit:
    """The requester asks for another time, in their words ("Thursday after 13:00"); the technician hears."""
    now = now or timezone.now()
    ticket = visit.ticket
    if not permissions.can(by, "ask_visit_change", ticket):
        raise ActorNotAllowed
    proposal = " ".join(proposal.split())
    if not proposal:
        raise MissingFields(_("Say which time suits you."), ["proposal"])
    if not visit.is_upcoming:
        raise WorkflowError(_("This visit is over."))
    with transaction.atomic():
        Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.CHANGE_ASKED, proposal=proposal[:300])
        visit.refresh_from_db()
        ticket_change(ticket, by=by, apply=_visit_event(visit, "ask_change", note=proposal), now=now)
    return visit


def visit_cancel(*, visit: Visit, by: User, now: datetime | None = None) -> Visit:
    """Call a visit off: the requester's calendar entry is cancelled."""
    now = now or timezone.now()
    if not permissions.can(by, "log_time", visit.ticket):
        raise ActorNotAllowed
    if not visit.is_upcoming:
        raise WorkflowError(_("This visit is over."))
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        visit.status = VisitStatus.CANCELLED
        visit.sequence += 1
        visit.save(update_fields=["status", "sequence"])
        ticket_change(visit.ticket, by=by, apply=_visit_event(visit, "cancel", cancelled=True), now=now)
    return visit


def visit_record_outcome(*, visit: Visit, by: User, outcome: str, now: datetime | None = None) -> Visit:
    """How the visit went, logged on the ticket for the staff; the visit is done."""
    now = now or timezone.now()
    if not permissions.can(by, "log_time", visit.ticket) and visit.technician_id != by.pk:
        raise ActorNotAllowed
    outcome = outcome.strip()
    if not outcome:
        raise MissingFields(_("Say how the visit went."), ["outcome"])
    if visit.status == VisitStatus.CANCELLED:
        raise WorkflowError(_("This visit was cancelled."))
    with transaction.atomic():
        Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.DONE, outcome=outcome)
        visit.refresh_from_db()
        ticket_change(visit.ticket, by=by, apply=_visit_event(visit, "outcome", note=outcome, public=False), now=now)
    return visit


def remote_session_record(
    *,
    ticket: Ticket,
    by: User,
    started_at: datetime,
    ended_at: datetime,
    tool: str,
    consent: bool,
    note: str = "",
    now: datetime | None = None,
) -> RemoteSession:
    """Record a remote session on `ticket`: its length is logged as time spent. Never without the
    requester's consent."""
    now = now or timezone.now()
    if not permissions.can(by, "log_time", ticket):
        raise ActorNotAllowed
    if not consent:
        raise MissingFields(_("A remote session needs the requester's consent, given before it starts."), ["consent"])
    if ended_at <= started_at:
        raise MissingFields(_("The session must end after it starts."), ["ended_at"])
    if ended_at > now:
        raise MissingFields(_("Record a session once it has ended."), ["ended_at"])
    tool = tool.strip()
    if not tool:
        raise MissingFields(_("Say which tool was used."), ["tool"])
    with transaction.atomic():
        session = RemoteSession.objects.create(
            ticket=ticket,
            technician=by,
            started_at=started_at,
            ended_at=ended_at,
            tool=tool,
            consent=True,
            note=note.strip(),
            created_at=now,
        )
        ticket_log_time(
            ticket=ticket,
            by=by,
            minutes=session.minutes,
            note=gettext("Remote session with %(tool)s, with the requester's consent.") % {"tool": tool},
            now=now,
        )
    return session
