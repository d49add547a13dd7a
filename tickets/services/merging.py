"""Tickets that are one: a duplicate cancelled for the ticket it repeats, a ticket merged into another, and
parent tickets that gather the tickets of their parts (a move, an outage)."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets import permissions, search, workflow
from tickets.models import (
    OPEN_STATUSES,
    Attachment,
    Comment,
    EventKind,
    ResolutionCode,
    Ticket,
    TicketStatus,
    Watcher,
)
from tickets.services._change import Change, lock, record, ticket_change
from tickets.services._move import ticket_move
from tickets.services.lifecycle import ticket_resolve
from tickets.services.watchers import requester_follows
from tickets.workflow import ActorNotAllowed, WorkflowError


class ConfirmationNeeded(WorkflowError):
    """The change is possible but has a consequence the person must agree to first (the message says which)."""


def ticket_merge(
    *,
    ticket: Ticket,
    into: Ticket,
    by: User,
    confirmed: bool = False,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Merge `ticket` into `into`: its report, replies, notes, files and watchers move to `into`, its requester
    follows `into`, both timelines say so, and `ticket` ends (cancelled, `merged_into` set) so its page leads
    to the kept one. Tickets of two requesters need `confirmed`: their public replies become visible to each
    other. Returns the merged ticket (its `merged_into` is the kept one)."""
    if ticket.pk == into.pk:
        raise WorkflowError(_("A ticket cannot be merged into itself."))
    if not permissions.tickets_visible_to(by).filter(pk=into.pk).exists():
        raise ActorNotAllowed
    if not permissions.can(by, "log_time", into):
        raise WorkflowError(
            _("%(ticket)s is another technician's: ask them or a coordinator to merge.") % {"ticket": into.reference}
        )
    if ticket.requester_id != into.requester_id and not confirmed:
        raise ConfirmationNeeded(
            _(
                "%(ticket)s and %(into)s are of different requesters (%(one)s and %(other)s). Merged, each of "
                "them reads the other's public replies. Confirm to merge."
            )
            % {
                "ticket": ticket.reference,
                "into": into.reference,
                "one": ticket.requester.full_name,
                "other": into.requester.full_name,
            }
        )
    now = now or timezone.now()
    moved: dict[str, int] = {}

    def extra(locked: Ticket) -> list[str]:
        locked.merged_into = into
        locked.duplicate_of = into
        locked.resolution_code = ResolutionCode.DUPLICATE
        return ["merged_into", "duplicate_of", "resolution_code"]

    with transaction.atomic():
        # Lower number first, as every writer that locks two tickets does: two merges never wait on each other.
        for one in sorted((ticket, into), key=lambda t: t.pk):
            lock(one)
        into = Ticket.objects.select_related("requester").get(pk=into.pk)
        if into.status == TicketStatus.CANCELLED or into.merged_into_id:
            raise WorkflowError(
                _("%(ticket)s is cancelled: merge into the ticket that goes on.") % {"ticket": into.reference}
            )
        source = Ticket.objects.select_related("requester__user").get(pk=ticket.pk)
        # The report itself, as the first of the moved replies, with the files sent with it.
        report = Comment.objects.create(
            ticket=into,
            author=source.requester.user if source.requester.user_id else None,
            sender_email="" if source.requester.user_id else source.requester.email,
            sender_name="" if source.requester.user_id else source.requester.full_name,
            body=f"{source.reference} · {source.subject}\n\n{source.description}".strip(),
            created_at=source.created_at,
            search=search.comment_vector(f"{source.subject}\n{source.description}"),
        )
        moved["attachments"] = Attachment.objects.filter(ticket=source).count()
        Attachment.objects.filter(ticket=source, comment__isnull=True).update(ticket=into, comment=report)
        Attachment.objects.filter(ticket=source).update(ticket=into)
        moved["comments"] = Comment.objects.filter(ticket=source).update(ticket=into) + 1
        moved["watchers"] = _watchers_move(source, into)
        merged_ticket = ticket_move(
            ticket=source,
            action="merge",
            by=by,
            expected_version=expected_version,
            note=gettext("Merged into %(ticket)s.") % {"ticket": into.reference},
            now=now,
            extra=extra,
        )

        def merged(locked: Ticket) -> Change:
            return Change(
                kind=EventKind.MERGED,
                action="merge",
                new={"ticket": source.pk, "subject": source.subject[:120], **moved},
                is_public=True,
                bump=True,
                notify=False,
            )

        kept = ticket_change(into, by=by, apply=merged, now=now)
        requester_follows(kept=kept, duplicate=source, by=by, now=now)
    return merged_ticket


def _watchers_move(source: Ticket, into: Ticket) -> int:
    """Move `source`'s watchers to `into`, but for those who follow it already or are its requester."""
    count = 0
    requester = into.requester
    for watcher in Watcher.objects.filter(ticket=source).select_related("user"):
        address = (watcher.user.email if watcher.user else watcher.email).lower()
        already = Watcher.objects.filter(ticket=into).filter(
            Q(user=watcher.user) if watcher.user_id else Q(email__iexact=watcher.email)
        )
        is_requester = (watcher.user_id and watcher.user_id == requester.user_id) or address == (
            requester.email or ""
        ).lower()
        if already.exists() or is_requester:
            watcher.delete()
            continue
        watcher.ticket = into
        watcher.save(update_fields=["ticket"])
        count += 1
    return count


# --- parents and children -------------------------------------------------------------------------


def ticket_set_parent(*, ticket: Ticket, parent: Ticket | None, by: User, now: datetime | None = None) -> Ticket:
    """Make `ticket` a child of `parent` (None: no longer a child). One level: a parent is no child, a child
    no parent. Both timelines say so, for the staff."""
    if not permissions.can(by, "log_time", ticket):
        raise ActorNotAllowed
    now = now or timezone.now()
    if parent is not None:
        if parent.pk == ticket.pk:
            raise WorkflowError(_("A ticket cannot be its own parent."))
        if not permissions.tickets_visible_to(by).filter(pk=parent.pk).exists():
            raise ActorNotAllowed
        if parent.parent_id is not None:
            raise WorkflowError(
                _("%(ticket)s is itself a child of %(parent)s: choose that one.")
                % {"ticket": parent.reference, "parent": Ticket(pk=parent.parent_id).reference}
            )
        if Ticket.objects.filter(parent=ticket).exists():
            raise WorkflowError(_("This ticket is a parent: it cannot be a child too."))
        if parent.status not in OPEN_STATUSES:
            raise WorkflowError(_("%(ticket)s is finished: choose an open parent.") % {"ticket": parent.reference})
    old_parent = ticket.parent_id

    def apply(locked: Ticket) -> Change | None:
        if locked.parent_id == (parent.pk if parent else None):
            return None
        locked.parent = parent
        return Change(
            kind=EventKind.PARENT_CHANGED,
            action="set_parent" if parent else "unset_parent",
            fields=["parent"],
            old={"parent": old_parent},
            new={"parent": parent.pk if parent else None, "subject": parent.subject[:120] if parent else ""},
            notify=False,
        )

    with transaction.atomic():
        changed = ticket_change(ticket, by=by, apply=apply, now=now)
        if changed.parent_id != old_parent:
            sides = [(parent, "child_added")] if parent is not None else []
            if old_parent is not None:
                sides.append((Ticket.objects.get(pk=old_parent), "child_removed"))
            for side, action in sides:
                record(
                    side,
                    by=by,
                    kind=EventKind.PARENT_CHANGED,
                    action=action,
                    new={"ticket": ticket.pk, "subject": ticket.subject[:120]},
                    is_public=False,
                    notify=False,
                    now=now,
                )
    return changed


def ticket_resolve_with_children(
    *,
    ticket: Ticket,
    by: User,
    resolution_notes: str,
    resolution_code: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> tuple[Ticket, list[Ticket], list[Ticket]]:
    """Resolve a parent and those of its open children `by` may resolve, with the same notes. Returns the
    parent, the children resolved and the children left open (not `by`'s to resolve)."""
    now = now or timezone.now()
    resolved: list[Ticket] = []
    left: list[Ticket] = []
    with transaction.atomic():
        parent = ticket_resolve(
            ticket=ticket,
            by=by,
            resolution_notes=resolution_notes,
            resolution_code=resolution_code,
            expected_version=expected_version,
            now=now,
        )
        children = Ticket.objects.filter(parent=parent, status__in=OPEN_STATUSES).select_related("requester")
        for child in children.order_by("pk"):
            if workflow.is_allowed(child, "resolve", by):
                resolved.append(
                    ticket_resolve(
                        ticket=child, by=by, resolution_notes=resolution_notes, resolution_code=resolution_code, now=now
                    )
                )
            else:
                left.append(child)
    return parent, resolved, left
