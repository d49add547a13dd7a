"""The conversation on a ticket: replies, internal notes, their files, and the time spent.

These add, they overwrite nothing, so they are never refused for staleness.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can
from tickets import attachments, permissions, search
from tickets.models import Attachment, Comment, EventKind, Ticket, TicketStatus
from tickets.services._change import Change, ticket_change
from tickets.services.lifecycle import ticket_resume
from tickets.workflow import ActorNotAllowed, MissingFields, WorkflowError


def comment_add(
    *,
    ticket: Ticket,
    by: User,
    body: str,
    is_internal: bool = False,
    files: Iterable[UploadedFile] = (),
    now: datetime | None = None,
) -> Comment:
    """A public reply or an internal note, with files. Never refused for staleness: it overwrites nothing.

    A requester answering a ticket that waits on them puts it back to work. A file the disk refuses raises
    tickets.attachments.FilesNotStored, and nothing is added.
    """
    is_staff = can(by, "tickets.work")
    return _comment_write(
        ticket=ticket,
        by=by,
        body=body,
        files=files,
        now=now,
        is_internal=is_internal,
        # Decided on the row as it is now: the ticket may have changed hands since the page was opened.
        allowed=lambda locked: permissions.can_act(by, "note" if is_internal else "reply", locked),
        is_staff=is_staff,
        from_requester=lambda locked: not is_staff,
    )


def comment_add_by_mail(
    *,
    ticket: Ticket,
    address: str,
    name: str = "",
    user: User | None = None,
    body: str,
    files: Iterable[UploadedFile] = (),
    now: datetime | None = None,
) -> Comment:
    """A public reply that came by mail from `address` (`user`'s, when it is a login's): from the requester,
    a watcher, or staff who work on the ticket (permissions.may_reply_by_mail), with or without a login.

    Written by `user` when there is one; otherwise the comment keeps the address and name it came from. The
    requester's answer puts a ticket that waits on them back to work, as on the page.
    """
    address = address.strip().lower()
    is_staff = can(user, "tickets.work")

    def from_requester(locked: Ticket) -> bool:
        if user is not None and locked.requester.user_id == user.pk:
            return True
        return (locked.requester.email or "").lower() == address

    sender = {"email": address, "name": name.strip()[:200]}
    return _comment_write(
        ticket=ticket,
        by=user,
        body=body,
        files=files,
        now=now,
        is_internal=False,
        allowed=lambda locked: permissions.may_reply_by_mail(address, locked, user),
        is_staff=is_staff,
        from_requester=from_requester,
        sender=None if user is not None else sender,
        event_sender=sender,
    )


def _comment_write(
    *,
    ticket: Ticket,
    by: User | None,
    body: str,
    files: Iterable[UploadedFile],
    now: datetime | None,
    is_internal: bool,
    allowed: Callable[[Ticket], bool],
    is_staff: bool,
    from_requester: Callable[[Ticket], bool],
    sender: dict[str, str] | None = None,
    event_sender: dict[str, str] | None = None,
) -> Comment:
    body = body.strip()
    uploads = list(files or ())
    if not body and not uploads:
        raise MissingFields(_("Write something or add a file."), ["body"])
    now = now or timezone.now()
    moment = now
    added: list[Comment] = []
    by_requester: list[bool] = []

    def apply(locked: Ticket) -> Change:
        if not allowed(locked):
            raise ActorNotAllowed
        comment = Comment.objects.create(
            ticket=locked,
            author=by,
            body=body,
            sender_email=(sender or {}).get("email", ""),
            sender_name=(sender or {}).get("name", ""),
            is_internal=is_internal,
            created_at=moment,
            search=search.comment_vector(body),
        )
        added.append(comment)
        by_requester.append(from_requester(locked))
        stored = store_attachments(locked, comment, uploads, by, moment)
        fields = []
        if is_staff and not is_internal and locked.first_response_at is None:
            locked.first_response_at = moment
            fields.append("first_response_at")
        new: dict[str, object] = {"comment": comment.pk, "attachments": len(stored)}
        if event_sender is not None:
            # Who wrote, for the notices: by mail, perhaps without a login (tickets.notices.rules).
            new["sender"] = {**event_sender, "requester": by_requester[0]}
        return Change(
            kind=EventKind.NOTE_ADDED if is_internal else EventKind.REPLIED,
            action="note" if is_internal else "reply",
            fields=fields,
            new=new,
            is_public=not is_internal,
        )

    with transaction.atomic():
        locked = ticket_change(ticket, by=by, apply=apply, now=now)
        if by_requester[0] and not is_internal and locked.status == TicketStatus.WAITING_REQUESTER:
            ticket_resume(ticket=locked, by=None, note=str(_("The requester answered.")), now=now)
    return added[0]


def ticket_log_time(*, ticket: Ticket, by: User, minutes: int, note: str = "", now: datetime | None = None) -> Ticket:
    """Add time spent on the ticket. Adds, never overwrites, so it is not refused for staleness."""
    if minutes <= 0:
        raise WorkflowError(_("Time spent must be at least one minute."))

    def apply(locked: Ticket) -> Change:
        if not permissions.can_act(by, "log_time", locked):
            raise ActorNotAllowed
        old_total = locked.time_spent_minutes
        # The row is locked: the total read with it is the one to add to.
        locked.time_spent_minutes = old_total + minutes
        return Change(
            kind=EventKind.TIME_LOGGED,
            action="log_time",
            fields=["time_spent_minutes"],
            old={"total": old_total},
            new={"minutes": minutes, "total": locked.time_spent_minutes},
            note=note.strip(),
            is_public=False,
        )

    return ticket_change(ticket, by=by, apply=apply, now=now)


def store_attachments(
    ticket: Ticket, comment: Comment | None, files: Iterable[UploadedFile], by: User | None, now: datetime
) -> list[Attachment]:
    """Write the files and their rows in the caller's transaction: the files stay only if it commits.

    A file the disk refuses raises tickets.attachments.FilesNotStored, left to propagate on purpose: the
    caller's transaction rolls back whole and the view shows the form again with the typed text.
    """
    stored = []
    for upload in files or ():
        attachment = Attachment(
            ticket=ticket,
            comment=comment,
            original_name=Path(upload.name or "").name[:200] or "file",
            size=upload.size or 0,
            uploaded_by=by,
            created_at=now,
        )
        attachments.attachment_file_save(attachment, upload)
        attachment.save()
        stored.append(attachment)
    return stored
