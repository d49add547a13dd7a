"""New tickets: reported by a requester, or logged by a coordinator from a phone call."""

from collections.abc import Iterable
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.models import Tier, User
from accounts.permissions import can
from assets.models import Device, Employee
from tickets import failures, search, sla
from tickets.models import Category, Channel, EventKind, Ticket
from tickets.priority import priority_for
from tickets.services._change import Change, record, ticket_change
from tickets.services.auto_assign import ticket_auto_assign
from tickets.services.conversation import store_attachments, ticket_log_time
from tickets.services.lifecycle import ticket_resolve
from tickets.workflow import ActorNotAllowed


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
    files: Iterable[UploadedFile] = (),
    reported_asset_tag: str = "",
    submission_key: str = "",
    now: datetime | None = None,
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
    now: datetime | None = None,
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
    ticket = _answered_on_the_phone(ticket, by, now)
    if minutes:
        ticket = ticket_log_time(ticket=ticket, by=by, minutes=minutes, now=now)
    if resolve_now:
        ticket = ticket_resolve(
            ticket=ticket, by=by, resolution_notes=resolution_notes, resolution_code=resolution_code, now=now
        )
    return ticket


def _answered_on_the_phone(ticket: Ticket, by: User, now: datetime) -> Ticket:
    """Speaking to the caller is the first response: a reply, on the phone.

    Nobody is told of it: the requester was on the line, and a "we replied" mail would only repeat the call.
    """

    def apply(locked: Ticket) -> Change:
        locked.first_response_at = now
        return Change(
            kind=EventKind.REPLIED,
            action="log_call",
            fields=["first_response_at"],
            new={"first_response_at": now.isoformat(), "channel": Channel.PHONE.value},
            is_public=True,
            notify=False,
        )

    return ticket_change(ticket, by=by, apply=apply, now=now)


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
    files: Iterable[UploadedFile],
    reported_asset_tag: str,
    submission_key: str,
    now: datetime | None,
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
    subject = " ".join(subject.split())  # one line: it goes into mail headers, which refuse a break
    description = description.strip()
    # Written in the language of whoever typed it (the page's, the call logger's): tickets.search.
    language = search.language_of(translation.get_language())
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                subject=subject,
                description=description,
                language=language,
                search=search.vector(subject, description, language),
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
                reported_asset_tag=reported_asset_tag,
                submission_key=submission_key,
            )
            kept = sla.follow_status(ticket, now) + failures.mark(ticket)
            if kept:
                ticket.save(update_fields=kept)
    except IntegrityError:
        # The same form, posted twice at once: the other request made the ticket while this one waited.
        already = _submitted(requester, submission_key) if submission_key else None
        if already is None:
            raise
        return already, False
    stored = store_attachments(ticket, None, files, by, now)
    record(
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
        before=None,
    )
    return ticket_auto_assign(ticket=ticket, now=now) or ticket, True


def _submitted(requester: Employee, submission_key: str) -> Ticket | None:
    return Ticket.objects.filter(requester=requester, submission_key=submission_key).first()
