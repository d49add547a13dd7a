"""Every write to a ticket goes through here.

Each service locks the ticket row, checks the actor's right and the transition (tickets.workflow),
checks the version the actor saw (optimistic lock: `expected_version`), writes the change, bumps the
version and records one Event, all in one transaction; `_after_change` is the one place where
notifications attach. Replies and notes are never refused for staleness: they add, they overwrite
nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier, User
from accounts.permissions import can
from assets.models import Device, Employee
from notifications.models import Watcher
from tickets import assignment, attachments, notifications, permissions, sla, tally, workflow
from tickets.models import (
    OPEN_STATUSES,
    SOLVED_STATUSES,
    Attachment,
    AutoAssign,
    Category,
    Channel,
    Comment,
    Event,
    EventKind,
    Priority,
    Project,
    ResolutionCode,
    SavedFilter,
    SlaPolicy,
    Ticket,
    TicketStatus,
)
from tickets.priority import priority_for
from tickets.workflow import ActorNotAllowed, MissingFields, WorkflowError


class StaleTicket(WorkflowError):
    """Someone changed the ticket after the actor opened it: nothing was written."""

    def __init__(self, ticket: Ticket):
        super().__init__(
            _("%(ticket)s changed since you opened it. Check the new state below, then try again if it still applies.")
            % {"ticket": ticket.reference}
        )
        self.ticket = ticket


# --- internals ---------------------------------------------------------------------------------


def _after_change(event: Event) -> None:
    """The one hook every change passes: the outbox rows are written here, in the Event's transaction."""
    notifications.notify(event)


def _record(
    ticket: Ticket,
    *,
    by: User | None,
    kind: str,
    now,
    action: str = "",
    old: dict | None = None,
    new: dict | None = None,
    note: str = "",
    is_public: bool = True,
) -> Event:
    event = Event.objects.create(
        ticket=ticket,
        actor=by,
        kind=kind,
        action=action,
        old=old or {},
        new=new or {},
        note=note,
        is_public=is_public,
        created_at=now,
    )
    _after_change(event)
    return event


def _lock(ticket: Ticket) -> Ticket:
    """The ticket's row, locked until the transaction ends: concurrent changes queue up behind it."""
    return Ticket.objects.select_for_update(of=("self",)).select_related("requester", "assignee").get(pk=ticket.pk)


def _check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and ticket.version != expected_version:
        raise StaleTicket(ticket)


def _save(ticket: Ticket, fields: Iterable[str], now) -> None:
    ticket.version += 1
    ticket.updated_at = now
    ticket.save(update_fields=[*dict.fromkeys(fields), "version", "updated_at"])


def _person(user: User | None) -> dict:
    if user is None:
        return {"id": None, "name": ""}
    return {"id": user.pk, "name": user.get_full_name() or user.email, "first_name": user.first_name}


def _store_attachments(ticket: Ticket, comment: Comment | None, files, by: User | None, now) -> list[Attachment]:
    """Write the files and their rows in the caller's transaction: the files stay only if it commits.

    A file the disk refuses raises tickets.attachments.FilesNotStored, left to propagate on purpose: the
    caller's transaction rolls back whole and the view shows the form again with the typed text.
    """
    stored = []
    for upload in files or ():
        attachment = Attachment(
            ticket=ticket,
            comment=comment,
            original_name=Path(upload.name).name[:200] or "file",
            size=upload.size,
            uploaded_by=by,
            created_at=now,
        )
        attachments.attachment_file_save(attachment, upload)
        attachment.save()
        stored.append(attachment)
    return stored


def _transition(
    *,
    ticket: Ticket,
    action: str,
    by: User | None,
    expected_version: int | None = None,
    values: dict | None = None,
    note: str = "",
    now=None,
    extra=None,
    prepare=None,
    track: tuple[str, ...] = (),
    unchanged=None,
) -> Ticket:
    """Take `action` on `ticket`: lock, check right, version and required fields, move, record.

    `prepare(ticket)` makes the changes the new status depends on (a hand-off's new holder) before the
    move, `extra(ticket)` the action's other changes after it; both return the fields they set. `track`
    names more fields whose old and new values the Event keeps (an escalation's tier and priority).
    `unchanged(ticket)` says the action would change nothing (assigning to the current holder): then nothing
    is written, no Event, no mail, once the version and the right are checked.
    """
    values = {**(values or {}), "note": note}
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(ticket)
        # The version first: someone who acted on an older state is told it changed (and keeps what they
        # typed), whatever the new state allows them.
        _check_version(locked, expected_version)
        rule = workflow.check(locked, action, by)
        if unchanged is not None and unchanged(locked):
            return locked
        missing = workflow.missing_fields(rule, values)
        if missing:
            raise MissingFields(_("Some required fields are empty."), missing)
        old = {"status": locked.status, "assignee": _person(locked.assignee)}
        old.update({name: getattr(locked, name) for name in track})
        counted = tally.bucket_of(locked) if locked.status in SOLVED_STATUSES else None
        fields = ["status", "resolved_at", "closed_at"]
        if prepare is not None:
            fields += prepare(locked)
        workflow.apply(locked, rule, now=now)
        if extra is not None:
            fields += extra(locked)
        fields += sla.follow_status(locked, now)
        _save(locked, fields, now)
        tally.follow(counted, tally.bucket_of(locked) if locked.status in SOLVED_STATUSES else None)
        new = {"status": locked.status, "assignee": _person(locked.assignee)}
        new.update({name: getattr(locked, name) for name in track})
        kind = EventKind.ASSIGNED if action == "assign" else EventKind.STATUS_CHANGED
        _record(locked, by=by, kind=kind, action=action, old=old, new=new, note=note, is_public=rule.is_public, now=now)
    return locked


# --- creating ----------------------------------------------------------------------------------


@transaction.atomic
def ticket_create(
    *,
    by: User | None,
    requester: Employee,
    subject: str,
    description: str = "",
    category: Category | None = None,
    device: Device | None = None,
    impact: int,
    urgency: int,
    channel: str = Channel.WEB,
    files=(),
    reported_asset_tag: str = "",
    submission_key: str = "",
    now=None,
) -> Ticket:
    """Open a ticket for `requester`. A requester may only open one for themselves.

    `submission_key` is the one-time key of the form (or request) that asks for it: the same key again for
    the same requester (a double click, a resent request) returns the ticket it made instead of a second.
    A file the disk refuses raises tickets.attachments.FilesNotStored, and no ticket is made.
    """
    ticket, _created = _ticket_open(
        by=by,
        requester=requester,
        subject=subject,
        description=description,
        category=category,
        device=device,
        impact=impact,
        urgency=urgency,
        channel=channel,
        files=files,
        reported_asset_tag=reported_asset_tag,
        submission_key=submission_key,
        now=now,
    )
    return ticket


def _ticket_open(
    *,
    by: User | None,
    requester: Employee,
    subject: str,
    description: str,
    category: Category | None,
    device: Device | None,
    impact: int,
    urgency: int,
    channel: str,
    files,
    reported_asset_tag: str,
    submission_key: str,
    now,
) -> tuple[Ticket, bool]:
    """ticket_create's work; also says whether the ticket is new (False: the same submission came before)."""
    may_log_for_anyone = by is None or can(by, "tickets.log_call")
    if not may_log_for_anyone:
        assert by is not None  # may_log_for_anyone is True when there is no actor
        if not can(by, "tickets.submit") or requester.user_id != by.pk:
            raise ActorNotAllowed
    if submission_key:
        already = _submitted(requester, submission_key)
        if already is not None:
            return already, False
    now = now or timezone.now()
    try:
        with transaction.atomic():
            ticket = _ticket_insert(
                by=by,
                requester=requester,
                subject=subject,
                description=description,
                category=category,
                device=device,
                impact=impact,
                urgency=urgency,
                channel=channel,
                reported_asset_tag=reported_asset_tag,
                submission_key=submission_key,
                now=now,
            )
    except IntegrityError:
        # The same form, posted twice at once: the other request made the ticket while this one waited.
        already = _submitted(requester, submission_key) if submission_key else None
        if already is None:
            raise
        return already, False
    stored = _store_attachments(ticket, None, files, by, now)
    _record(
        ticket,
        by=by,
        kind=EventKind.CREATED,
        now=now,
        new={
            "status": ticket.status,
            "channel": channel,
            "priority": ticket.priority,
            "category": category.pk if category else None,
            "device": device.pk if device else None,
            "attachments": len(stored),
        },
    )
    return assignment.ticket_auto_assign(ticket=ticket, now=now) or ticket, True


def _submitted(requester: Employee, submission_key: str) -> Ticket | None:
    return Ticket.objects.filter(requester=requester, submission_key=submission_key).first()


def _ticket_insert(*, by, requester, subject, description, category, device, impact, urgency, channel, now, **extra):
    ticket = Ticket.objects.create(
        # One line: the subject goes into mail headers, where a line break is refused.
        subject=" ".join(subject.split()),
        description=description.strip(),
        requester=requester,
        created_by=by,
        channel=channel,
        category=category,
        device=device,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact, urgency),
        tier=category.default_tier if category is not None else Tier.ONE,
        created_at=now,
        updated_at=now,
        **extra,
    )
    clock = sla.follow_status(ticket, now)
    if clock:
        ticket.save(update_fields=clock)
    return ticket


@transaction.atomic
def ticket_log_call(
    *,
    by: User,
    requester: Employee,
    subject: str,
    description: str = "",
    category: Category | None = None,
    device: Device | None = None,
    impact: int,
    urgency: int,
    resolve_now: bool = False,
    resolution_notes: str = "",
    resolution_code: str = "",
    minutes: int = 0,
    submission_key: str = "",
    now=None,
) -> Ticket:
    """A coordinator logs a phone call as a ticket; when it was fixed during the call, it is resolved at once.

    Every problem is tracked, even those fixed on the spot: they count in the reports.
    """
    if not can(by, "tickets.log_call"):
        raise ActorNotAllowed
    now = now or timezone.now()
    ticket, created = _ticket_open(
        by=by,
        requester=requester,
        subject=subject,
        description=description,
        category=category,
        device=device,
        impact=impact,
        urgency=urgency,
        channel=Channel.PHONE,
        files=(),
        reported_asset_tag="",
        submission_key=submission_key,
        now=now,
    )
    if not created:
        return ticket  # the same call logged twice (a double click): once is what happened
    # Speaking to the caller is the first response.
    Ticket.objects.filter(pk=ticket.pk).update(first_response_at=now)
    ticket.first_response_at = now
    if minutes:
        ticket = ticket_log_time(ticket=ticket, by=by, minutes=minutes, now=now)
    if resolve_now:
        ticket = ticket_resolve(
            ticket=ticket, by=by, resolution_notes=resolution_notes, resolution_code=resolution_code, now=now
        )
    return ticket


# --- coordinators ------------------------------------------------------------------------------


def ticket_assign(
    *, ticket: Ticket, by: User | None, assignee: User, expected_version: int | None = None, note: str = "", now=None
) -> Ticket:
    """Give the ticket to a technician (or move it to another one) of its tier or above."""
    _check_technician(assignee)

    def extra(locked):
        _check_tier(assignee, locked.tier)
        locked.assignee = assignee
        return ["assignee"]

    return _transition(
        ticket=ticket,
        action="assign",
        by=by,
        expected_version=expected_version,
        values={"assignee": assignee},
        note=note,
        now=now,
        extra=extra,
        unchanged=lambda locked: locked.assignee_id == assignee.pk,
    )


TRIAGE_FIELDS = ("category", "impact", "urgency", "priority", "tier", "priority_overridden", "priority_reason")


def ticket_triage(
    *,
    ticket: Ticket,
    by: User | None,
    category: Category | None,
    impact: int,
    urgency: int,
    tier: int,
    priority: int | None = None,
    priority_reason: str = "",
    expected_version: int | None = None,
    auto_assign: bool = True,
    now=None,
) -> Ticket:
    """Set category, impact, urgency, tier and priority. A priority other than the matrix's needs a reason.

    A new category or tier on a new ticket runs the category's automatic assignment, unless `auto_assign`
    is False (the coordinator is choosing the technician in the same step).
    """
    if by is not None and not can(by, "tickets.triage"):  # by=None: the system (an SLA breach's action)
        raise ActorNotAllowed
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(ticket)
        if not locked.is_open:
            raise workflow.TransitionNotAllowed(_("Only open tickets can be triaged."))
        _check_version(locked, expected_version)
        computed = priority_for(impact, urgency)
        overridden = priority is not None and int(priority) != computed
        if overridden and not priority_reason.strip():
            raise MissingFields(_("Say why the priority differs from the matrix."), ["priority_reason"])
        reason = priority_reason.strip() if overridden else ""
        wanted = {
            "category": category.pk if category else None,
            "impact": int(impact),
            "urgency": int(urgency),
            "priority": int(priority) if priority is not None and overridden else computed,
            "tier": int(tier),
            "priority_overridden": overridden,
            "priority_reason": reason,
        }
        current = {name: getattr(locked, "category_id" if name == "category" else name) for name in TRIAGE_FIELDS}
        changed = [name for name in TRIAGE_FIELDS if current[name] != wanted[name]]
        if not changed:
            return locked
        if "tier" in changed and locked.assignee is not None:
            # Held tickets go up a tier by escalation, to someone of that tier; triage keeps their holder.
            _check_tier(locked.assignee, int(tier))
        locked.category = category
        for name in TRIAGE_FIELDS[1:]:
            setattr(locked, name, wanted[name])
        # A new priority is a new target; a new category may bring another calendar. Paused time stays paused.
        clock = sla.recompute(locked) if {"priority", "category"} & set(changed) else []
        _save(locked, [*changed, *clock], now)
        new = {name: wanted[name] for name in changed}
        if "category" in changed:
            new["category_name"] = str(category) if category else ""
        _record(
            locked,
            by=by,
            kind=EventKind.TRIAGED,
            action="triage",
            old={name: current[name] for name in changed},
            new=new,
            note=reason if "priority" in changed else "",
            is_public=False,
            now=now,
        )
        if auto_assign and ("category" in changed or "tier" in changed):
            return assignment.ticket_auto_assign(ticket=locked, now=now) or locked
    return locked


def ticket_triage_and_assign(
    *,
    ticket: Ticket,
    by: User,
    assignee: User | None,
    expected_version: int | None,
    now=None,
    **triage,
) -> Ticket:
    """The dashboard's one step: triage and, when a technician is chosen, assign, all or nothing.

    Without a technician the category's automatic assignment may run, as for any triage.
    """
    now = now or timezone.now()
    with transaction.atomic():
        triaged = ticket_triage(
            ticket=ticket,
            by=by,
            expected_version=expected_version,
            auto_assign=assignee is None,
            now=now,
            **triage,
        )
        if assignee is not None and triaged.assignee_id != assignee.pk:
            triaged = ticket_assign(ticket=triaged, by=by, assignee=assignee, expected_version=triaged.version, now=now)
    return triaged


def ticket_flag(*, ticket: Ticket, action: str, note: str = "", new: dict | None = None, now=None) -> Event:
    """The system raises an alert on a ticket (nobody qualifies for automatic assignment, ...).

    Internal: an ALERTED event the dashboard shows; the ticket itself does not change.
    """
    return _record(
        ticket,
        by=None,
        kind=EventKind.ALERTED,
        action=action,
        note=note,
        new=new,
        is_public=False,
        now=now or timezone.now(),
    )


# --- SLA clocks (every minute, from Celery beat) --------------------------------------------------

CLOCK_RUNNING = [status for status in OPEN_STATUSES if status not in sla.PAUSED_STATUSES]


def sla_check(*, now=None, batch: int = 500) -> dict[str, int]:
    """Warn of resolution targets close to their due time, mark breaches, and apply each policy's breach
    actions: each exactly once per ticket, however often this runs and however many processes run it.

    A ticket is claimed with a conditional UPDATE of its warned/breached stamp inside the transaction that
    takes the actions: a second run, or a second beat process waiting on the row, finds it claimed and does
    nothing; a failed action rolls the claim back, so the next run tries again.
    """
    now = now or timezone.now()
    done = {"warned": 0, "response_breached": 0, "resolution_breached": 0}
    running = Ticket.objects.filter(status__in=CLOCK_RUNNING)
    due = {
        "warned": running.filter(sla_warned_at__isnull=True, resolution_breached_at__isnull=True, sla_warn_at__lte=now),
        "response_breached": running.filter(
            response_breached_at__isnull=True, first_response_at__isnull=True, first_response_due_at__lt=now
        ),
        "resolution_breached": running.filter(resolution_breached_at__isnull=True, resolution_due_at__lt=now),
    }
    stamps = {
        "warned": "sla_warned_at",
        "response_breached": "response_breached_at",
        "resolution_breached": "resolution_breached_at",
    }
    for what, candidates in due.items():
        for pk in list(candidates.order_by("pk").values_list("pk", flat=True)[:batch]):
            with transaction.atomic():
                claimed = Ticket.objects.filter(pk=pk, **{f"{stamps[what]}__isnull": True}).update(
                    **{stamps[what]: now}
                )
                if not claimed:
                    continue
                ticket = Ticket.objects.select_related("requester", "assignee").get(pk=pk)
                _sla_act(ticket, what, now)
                done[what] += 1
    return done


def sla_recompute_open() -> int:
    """After a service level or a calendar changed: the due times of every open ticket again. Time already
    paused stays paused. Returns how many tickets have a clock. The policies and calendars are read once
    and the tickets written in batches, so the queries do not grow with the tickets (but for one per 500)."""
    setup = sla.Setup.load()
    open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES).select_related("category__calendar", "requester")
    changed = [ticket for ticket in open_tickets.iterator(chunk_size=500) if sla.recompute(ticket, setup)]
    Ticket.objects.bulk_update(changed, ["first_response_due_at", "resolution_due_at", "sla_warn_at"], batch_size=500)
    return len(changed)


def _sla_act(ticket: Ticket, what: str, now) -> None:
    if what == "warned":
        due = ticket.resolution_due_at.isoformat() if ticket.resolution_due_at else None
        ticket_flag(ticket=ticket, action="sla_warning", new={"due": due}, now=now)
        return
    policy = SlaPolicy.objects.filter(priority=ticket.priority).first()
    due_at = ticket.first_response_due_at if what == "response_breached" else ticket.resolution_due_at
    tell = policy is None or policy.breach_notifies_coordinators
    ticket_flag(
        ticket=ticket,
        action="sla_breach",
        note=str(
            _("The first response time passed.") if what == "response_breached" else _("The resolution time passed.")
        ),
        new={"target": what, "due": due_at.isoformat() if due_at else None, "notify_coordinators": tell},
        now=now,
    )
    if what != "resolution_breached" or policy is None:
        return
    reason = str(_("The resolution time passed (service level of %(priority)s).") % {"priority": ticket.priority_label})
    if policy.breach_raises_priority and ticket.priority > min(Priority.values):
        ticket = _triage_keeping(ticket, None, now, priority=ticket.priority - 1, priority_reason=reason)
    if policy.breach_escalates and ticket.tier < max(Tier.values):
        ticket_escalate(ticket=ticket, by=None, note=reason, now=now)


class WatcherError(WorkflowError):
    """A watcher that cannot be added; the message says why, for the form."""


def watcher_add(*, ticket: Ticket, by: User, email: str) -> Watcher:
    """Add someone to a ticket's public updates, so the desk's mail can never be turned on strangers.

    Staff may add any address (a supplier, say): someone outside the organisation is told once why they get
    mail, and every message carries a link to stop it. A requester may add colleagues only (an account or
    an employee of the organisation, by email), at most WATCHERS_MAX_BY_REQUESTER; no ticket has more than
    WATCHERS_MAX_PER_TICKET. The new watcher is told who added them.
    """
    address = email.strip().lower()
    if not address:
        raise WatcherError(_("Give an email address."))
    is_staff = can(by, "tickets.work")
    user = User.objects.filter(email__iexact=address, is_active=True).first()
    is_colleague = user is not None or Employee.objects.filter(email__iexact=address, is_active=True).exists()
    if not is_staff and not is_colleague:
        raise WatcherError(
            _(
                "Only colleagues of the organisation can be added here, by their work email. To keep someone "
                "outside it informed (a supplier, say), ask the help desk."
            )
        )
    with transaction.atomic():
        locked = _lock(ticket)  # the caps below hold however many people add at once
        if not permissions.can_act(by, "reply", locked):
            raise ActorNotAllowed
        requester = locked.requester
        if (user is not None and user.pk == requester.user_id) or requester.email.lower() == address:
            raise WatcherError(_("The requester hears of every update already."))
        watchers = Watcher.objects.filter(ticket=locked)
        if watchers.filter(Q(user=user) if user else Q(email__iexact=address)).exists():
            raise WatcherError(_("%(address)s already follows this ticket.") % {"address": address})
        if watchers.count() >= settings.WATCHERS_MAX_PER_TICKET:
            raise WatcherError(
                _("A ticket can have at most %(count)s watchers.") % {"count": settings.WATCHERS_MAX_PER_TICKET}
            )
        if not is_staff and watchers.filter(added_by=by).count() >= settings.WATCHERS_MAX_BY_REQUESTER:
            raise WatcherError(
                _("You can add at most %(count)s colleagues to a ticket.")
                % {"count": settings.WATCHERS_MAX_BY_REQUESTER}
            )
        watcher = Watcher.objects.create(ticket=locked, user=user, email="" if user else address, added_by=by)
        _record(
            locked,
            by=by,
            kind=EventKind.WATCHERS_CHANGED,
            action="watch",
            new={"watcher": address, "watcher_id": watcher.pk, "outside": not is_colleague},
            is_public=False,
            now=timezone.now(),
        )
    return watcher


@transaction.atomic
def watcher_remove(*, watcher: Watcher, by: User | None) -> None:
    """Take someone off a ticket's updates: staff or the requester, or (`by=None`) the watcher themselves
    from the link in a message."""
    address = watcher.user.email if watcher.user is not None else watcher.email
    _record(
        watcher.ticket,
        by=by,
        kind=EventKind.WATCHERS_CHANGED,
        action="unwatch",
        old={"watcher": address},
        note="" if by is not None else str(_("Stopped by the watcher, from the link in a message.")),
        is_public=False,
        now=timezone.now(),
    )
    watcher.delete()


def ticket_set_project(
    *, ticket: Ticket, by: User, project: Project | None, expected_version: int | None = None, now=None
) -> Ticket:
    """File the ticket under a project (or take it out of one)."""
    if not can(by, "projects.manage"):
        raise ActorNotAllowed
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(ticket)
        _check_version(locked, expected_version)
        if locked.project_id == (project.pk if project else None):
            return locked
        old = {"project": locked.project_id}
        locked.project = project
        _save(locked, ["project"], now)
        _record(
            locked,
            by=by,
            kind=EventKind.PROJECT_CHANGED,
            action="set_project",
            old=old,
            new={"project": project.pk if project else None, "project_name": project.name if project else ""},
            is_public=False,
            now=now,
        )
    return locked


def ticket_cancel(
    *,
    ticket: Ticket,
    by: User,
    note: str = "",
    duplicate_of: Ticket | None = None,
    expected_version: int | None = None,
    now=None,
) -> Ticket:
    """Cancel: the requester withdraws a new ticket, or a coordinator cancels (as a duplicate, as spam)."""
    if duplicate_of is not None:
        if duplicate_of.pk == ticket.pk:
            raise WorkflowError(_("A ticket cannot be a duplicate of itself."))
        note = note or str(_("Duplicate of %(ticket)s") % {"ticket": duplicate_of.reference})

    def extra(locked):
        if duplicate_of is None:
            return []
        locked.duplicate_of = duplicate_of
        locked.resolution_code = ResolutionCode.DUPLICATE
        return ["duplicate_of", "resolution_code"]

    return _transition(
        ticket=ticket, action="cancel", by=by, expected_version=expected_version, note=note, now=now, extra=extra
    )


def ticket_close(*, ticket: Ticket, by: User | None, expected_version: int | None = None, note: str = "", now=None):
    """Close a resolved ticket: a coordinator, or the system once the reopen window has passed."""
    return _transition(ticket=ticket, action="close", by=by, expected_version=expected_version, note=note, now=now)


def tickets_close_expired_resolutions(*, now=None) -> int:
    """Close every ticket resolved more than TICKET_REOPEN_DAYS ago. Returns how many were closed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TICKET_REOPEN_DAYS)
    closed = 0
    pks = Ticket.objects.filter(status=TicketStatus.RESOLVED, resolved_at__lte=cutoff).values_list("pk", flat=True)
    note = str(_("Closed automatically %(days)s days after it was resolved.") % {"days": settings.TICKET_REOPEN_DAYS})
    for pk in list(pks):
        try:
            ticket_close(ticket=Ticket(pk=pk), by=None, note=note, now=now)
        except (WorkflowError, Ticket.DoesNotExist):
            continue  # changed meanwhile (reopened): nothing to do
        closed += 1
    return closed


# --- technicians -------------------------------------------------------------------------------


def ticket_take(*, ticket: Ticket, by: User, expected_version: int | None = None, now=None) -> Ticket:
    """A technician takes a new ticket of their tier and starts work on it."""

    def extra(locked):
        locked.assignee = by
        return ["assignee"]

    return _transition(ticket=ticket, action="take", by=by, expected_version=expected_version, now=now, extra=extra)


def ticket_start(*, ticket: Ticket, by: User, expected_version: int | None = None, now=None) -> Ticket:
    return _transition(ticket=ticket, action="start", by=by, expected_version=expected_version, now=now)


def ticket_set_waiting(
    *, ticket: Ticket, by: User, on: str, note: str = "", expected_version: int | None = None, now=None
) -> Ticket:
    """Pause work until the requester (`on="requester"`) or a vendor (`on="vendor"`) answers."""
    if on not in ("requester", "vendor"):
        raise ValueError(f"Waiting on {on!r}?")
    return _transition(
        ticket=ticket, action=f"wait_on_{on}", by=by, expected_version=expected_version, note=note, now=now
    )


def ticket_resume(
    *, ticket: Ticket, by: User | None, note: str = "", expected_version: int | None = None, now=None
) -> Ticket:
    return _transition(ticket=ticket, action="resume", by=by, expected_version=expected_version, note=note, now=now)


def ticket_resolve(
    *,
    ticket: Ticket,
    by: User,
    resolution_notes: str,
    resolution_code: str,
    expected_version: int | None = None,
    now=None,
) -> Ticket:
    """Resolve with notes and a code; the requester may confirm or reopen within TICKET_REOPEN_DAYS."""
    if resolution_code and resolution_code not in ResolutionCode.values:
        raise MissingFields(_("Choose a resolution code."), ["resolution_code"])

    def extra(locked):
        locked.resolution_notes = resolution_notes.strip()
        locked.resolution_code = resolution_code
        return ["resolution_notes", "resolution_code"]

    return _transition(
        ticket=ticket,
        action="resolve",
        by=by,
        expected_version=expected_version,
        values={"resolution_notes": resolution_notes.strip(), "resolution_code": resolution_code},
        now=now,
        extra=extra,
    )


def ticket_hand_back(*, ticket: Ticket, by: User, note: str, expected_version: int | None = None, now=None) -> Ticket:
    """The technician gives the ticket back to the coordinators, saying why."""

    def extra(locked):
        locked.assignee = None
        return ["assignee"]

    return _transition(
        ticket=ticket,
        action="hand_back",
        by=by,
        expected_version=expected_version,
        note=note.strip(),
        now=now,
        extra=extra,
    )


def ticket_escalate(
    *,
    ticket: Ticket,
    by: User | None,
    note: str,
    to: User | None = None,
    priority: int | None = None,
    expected_version: int | None = None,
    now=None,
) -> Ticket:
    """Move the ticket up one tier, saying why: to `to`, a technician of that tier, or back to triage there.

    A coordinator may raise the priority in the same step (the reason is the escalation's); nobody lowers
    it here. `by=None` is the SLA clock escalating a breached ticket by itself.
    """
    return _tier_move(
        ticket=ticket,
        by=by,
        action="escalate",
        step=1,
        note=note,
        to=to,
        priority=priority,
        expected_version=expected_version,
        now=now,
    )


def ticket_de_escalate(
    *, ticket: Ticket, by: User, note: str, to: User | None = None, expected_version: int | None = None, now=None
) -> Ticket:
    """Send the ticket down one tier with a note: to `to`, a technician of that tier, or to triage there."""
    return _tier_move(
        ticket=ticket,
        by=by,
        action="de_escalate",
        step=-1,
        note=note,
        to=to,
        priority=None,
        expected_version=expected_version,
        now=now,
    )


def _check_technician(user: User | None) -> None:
    """Only an active technician may hold a ticket."""
    if user is None or getattr(user, "technician_profile", None) is None or not user.is_active:
        raise WorkflowError(_("Tickets can only be assigned to an active technician."))


def _check_tier(technician: User, tier: int) -> None:
    """A ticket is held at its tier or above: to give it lower, its tier is lowered first (triage, or sent
    down a tier), so that the tier always says who works on it."""
    profile = technician.technician_profile
    if profile.tier < tier:
        raise WorkflowError(
            _("%(name)s works at tier %(tier)s; this ticket needs tier %(needed)s or above.")
            % {"name": technician.get_full_name() or technician.email, "tier": profile.tier, "needed": tier}
        )


def _tier_move(*, ticket, by, action, step, note, to, priority, expected_version, now) -> Ticket:
    if to is not None:
        _check_technician(to)
        _check_tier(to, ticket.tier + step)
    if priority is not None and (by is None or not can(by, "tickets.triage")):
        raise ActorNotAllowed
    if priority is not None and priority > ticket.priority:
        raise WorkflowError(_("Escalating can raise the priority, not lower it."))

    def prepare(locked):
        locked.tier += step
        locked.assignee = to
        fields = ["tier", "assignee"]
        if priority is not None and priority != locked.priority:
            locked.priority, locked.priority_overridden, locked.priority_reason = priority, True, note.strip()
            fields += ["priority", "priority_overridden", "priority_reason"]
        return fields

    return _transition(
        ticket=ticket,
        action=action,
        by=by,
        expected_version=expected_version,
        note=note.strip(),
        now=now,
        prepare=prepare,
        track=("tier", "priority"),
    )


@transaction.atomic
def ticket_log_time(*, ticket: Ticket, by: User, minutes: int, note: str = "", now=None) -> Ticket:
    """Add time spent on the ticket. Adds, never overwrites, so it is not refused for staleness."""
    if minutes <= 0:
        raise WorkflowError(_("Time spent must be at least one minute."))
    now = now or timezone.now()
    locked = _lock(ticket)
    if not permissions.can_act(by, "log_time", locked):
        raise ActorNotAllowed
    old_total = locked.time_spent_minutes
    locked.time_spent_minutes = F("time_spent_minutes") + minutes
    _save(locked, ["time_spent_minutes"], now)
    locked.refresh_from_db(fields=["time_spent_minutes"])
    _record(
        locked,
        by=by,
        kind=EventKind.TIME_LOGGED,
        action="log_time",
        old={"total": old_total},
        new={"minutes": minutes, "total": locked.time_spent_minutes},
        note=note.strip(),
        is_public=False,
        now=now,
    )
    return locked


# --- requesters --------------------------------------------------------------------------------


def ticket_confirm(*, ticket: Ticket, by: User, expected_version: int | None = None, now=None) -> Ticket:
    """The requester confirms the fix: the ticket closes."""
    return _transition(ticket=ticket, action="confirm", by=by, expected_version=expected_version, now=now)


def ticket_reopen(*, ticket: Ticket, by: User, note: str, expected_version: int | None = None, now=None) -> Ticket:
    """Reopen a resolved ticket: its requester within TICKET_REOPEN_DAYS, or a coordinator."""
    return _transition(
        ticket=ticket, action="reopen", by=by, expected_version=expected_version, note=note.strip(), now=now
    )


def ticket_reopen_closed(
    *, ticket: Ticket, by: User, note: str, expected_version: int | None = None, now=None
) -> Ticket:
    """Closed is final, except for a manager, who may reopen with a reason."""
    return _transition(
        ticket=ticket, action="reopen_closed", by=by, expected_version=expected_version, note=note.strip(), now=now
    )


# --- conversation ------------------------------------------------------------------------------


def comment_add(*, ticket: Ticket, by: User, body: str, is_internal: bool = False, files=(), now=None) -> Comment:
    """A public reply or an internal note, with files. Never refused for staleness: it overwrites nothing.

    A requester answering a ticket that waits on them puts it back to work. A file the disk refuses raises
    tickets.attachments.FilesNotStored, and nothing is added.
    """
    body = body.strip()
    files = list(files or ())
    if not body and not files:
        raise MissingFields(_("Write something or add a file."), ["body"])
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(ticket)
        # Decided on the row as it is now: the ticket may have changed hands since the page was opened.
        if not permissions.can_act(by, "note" if is_internal else "reply", locked):
            raise ActorNotAllowed
        comment = Comment.objects.create(ticket=locked, author=by, body=body, is_internal=is_internal, created_at=now)
        stored = _store_attachments(locked, comment, files, by, now)
        fields = []
        is_staff = can(by, "tickets.work")
        if is_staff and not is_internal and locked.first_response_at is None:
            locked.first_response_at = now
            fields.append("first_response_at")
        _save(locked, fields, now)
        _record(
            locked,
            by=by,
            kind=EventKind.NOTE_ADDED if is_internal else EventKind.REPLIED,
            action="note" if is_internal else "reply",
            new={"comment": comment.pk, "attachments": len(stored)},
            is_public=not is_internal,
            now=now,
        )
        if not is_staff and locked.status == TicketStatus.WAITING_REQUESTER:
            ticket_resume(ticket=locked, by=None, note=str(_("The requester answered.")), now=now)
    return comment


# --- many tickets at once ----------------------------------------------------------------------

BULK_ACTIONS = ("assign", "set_priority", "set_category", "set_tier", "set_project", "cancel_duplicate")


@dataclass
class BulkResult:
    """What a bulk action changed and what it refused, ticket by ticket, with the reason in words."""

    changed: list[Ticket] = field(default_factory=list)
    unchanged: list[Ticket] = field(default_factory=list)
    refused: list[tuple[Ticket, str]] = field(default_factory=list)


def _triage_keeping(ticket: Ticket, by: User | None, now, **changes) -> Ticket:
    """Triage with one field changed and every other kept as it is (a hand-set priority stays hand-set)."""
    current = Ticket.objects.select_related("category").get(pk=ticket.pk)
    values: dict[str, Any] = {
        "category": current.category,
        "impact": current.impact,
        "urgency": current.urgency,
        "tier": current.tier,
        "priority": current.priority if current.priority_overridden else None,
        "priority_reason": current.priority_reason,
    }
    values.update(changes)
    return ticket_triage(ticket=current, by=by, now=now, expected_version=current.version, **values)


def tickets_bulk_change(*, by: User, tickets: Iterable[Ticket], action: str, now=None, **params) -> BulkResult:
    """Apply one action to many tickets, each through its own service, in one transaction.

    A ticket the action cannot be taken on is refused with the reason (its savepoint rolls back) and the
    others still change. Params by action: assignee (assign); priority, priority_reason (set_priority);
    category (set_category); tier (set_tier); project (set_project); duplicate_of (cancel_duplicate).
    """
    if action not in BULK_ACTIONS:
        raise ValueError(f"Unknown bulk action {action!r}.")
    if not can(by, "tickets.bulk"):
        raise ActorNotAllowed
    now = now or timezone.now()
    result = BulkResult()
    with transaction.atomic():
        for ticket in tickets:
            try:
                with transaction.atomic():
                    before = Ticket.objects.values_list("version", flat=True).get(pk=ticket.pk)
                    changed = _bulk_one(ticket, by, action, now, params)
            except StaleTicket as error:
                result.refused.append((ticket, str(error.message)))
            except WorkflowError as error:
                result.refused.append((ticket, str(error.message)))
            except PermissionDenied:
                result.refused.append((ticket, str(_("You may not do this on this ticket."))))
            else:
                (result.changed if changed.version != before else result.unchanged).append(changed)
    return result


def _bulk_one(ticket: Ticket, by: User, action: str, now, params: dict) -> Ticket:
    if action == "assign":
        return ticket_assign(ticket=ticket, by=by, assignee=params["assignee"], now=now)
    if action == "set_priority":
        return _triage_keeping(
            ticket, by, now, priority=params["priority"], priority_reason=params.get("priority_reason", "")
        )
    if action == "set_category":
        return _triage_keeping(ticket, by, now, category=params["category"])
    if action == "set_tier":
        return _triage_keeping(ticket, by, now, tier=params["tier"])
    if action == "set_project":
        return ticket_set_project(ticket=ticket, by=by, project=params["project"], now=now)
    return ticket_cancel(ticket=ticket, by=by, duplicate_of=params["duplicate_of"], now=now)


# --- projects, categories, saved filters -------------------------------------------------------

PROJECT_FIELDS = (
    "name",
    "description",
    "project_manager",
    "facilities_contact",
    "location",
    "starts_on",
    "ends_on",
    "status",
)


def project_create(*, by: User, **values) -> Project:
    """A project tickets can be filed under."""
    if not can(by, "projects.manage"):
        raise ActorNotAllowed
    unknown = set(values) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown project fields: {sorted(unknown)}")
    return Project.objects.create(created_by=by, **values)


def project_update(*, project: Project, by: User, **values) -> Project:
    if not can(by, "projects.manage"):
        raise ActorNotAllowed
    unknown = set(values) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown project fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(project, name, value)
    project.save(update_fields=list(values))
    return project


def category_set_auto_assign(*, category: Category, by: User, mode: str) -> Category:
    """A manager chooses how new tickets of `category` are assigned: by coordinators, or automatically."""
    if not can(by, "tickets.categories"):
        raise ActorNotAllowed
    if mode not in AutoAssign.values:
        raise ValueError(f"Unknown automatic assignment mode {mode!r}.")
    category.auto_assign = mode
    category.save(update_fields=["auto_assign"])
    return category


def saved_filter_save(*, by: User, name: str, querystring: str) -> SavedFilter:
    """Keep the list's filters under a name; the same name again replaces them."""
    if not can(by, "tickets.view_all"):
        raise ActorNotAllowed
    saved, _created = SavedFilter.objects.update_or_create(
        user=by, name=name.strip()[:80], defaults={"querystring": querystring[:2000]}
    )
    return saved


def saved_filter_delete(*, by: User, saved: SavedFilter) -> None:
    if saved.user_id != by.pk:
        raise ActorNotAllowed
    saved.delete()
