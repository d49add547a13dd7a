"""Canned replies: the desk's shared ones, kept by coordinators, and each technician's private ones; filled
from the ticket and counted when sent."""

import re
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can
from tickets.models import CannedReply, Comment, ReplyThen, Ticket
from tickets.selectors.work import canned_replies_for
from tickets.services.conversation import comment_add, ticket_log_time
from tickets.services.lifecycle import ticket_wait_as_next_step
from tickets.workflow import ActorNotAllowed, WorkflowError

# The placeholders a text may hold, and what each is filled with. The names stay English in every language:
# they are the same in every text of a reply, so a translator never renames one by accident.
PLACEHOLDERS = {
    "first_name": _("the requester's first name"),
    "ticket": _("the ticket's number"),
    "device": _("the device's asset tag and model"),
    "technician": _("your name"),
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

CANNED_FIELDS = ("title", "body", "bodies", "then", "minutes")


def placeholders_unknown(text: str) -> list[str]:
    """The {names} in `text` that are no placeholder: a typo the form points out before it is saved."""
    return sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def canned_reply_fill(reply: CannedReply, *, ticket: Ticket, by: User) -> str:
    """The reply's text in the requester's language, its placeholders filled from `ticket` and `by`.

    Only the four names are replaced, by plain substitution: a text is never a format string that could
    reach an attribute of the ticket."""
    requester = ticket.requester
    language = ticket.language or (requester.user.language if requester.user_id and requester.user else "")
    device = ticket.device
    values = {
        "first_name": requester.first_name,
        "ticket": ticket.reference,
        "device": str(device) if device is not None else (ticket.reported_asset_tag or ""),
        "technician": by.get_full_name() or by.email,
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), reply.text_in(language))


def may_edit(user: User, reply: CannedReply) -> bool:
    """Coordinators keep the shared replies; each technician keeps their own private ones."""
    if reply.owner_id is None:
        return can(user, "tickets.canned_manage")
    return reply.owner_id == user.pk and can(user, "tickets.canned_replies")


def _clean(values: Mapping[str, object]) -> dict[str, object]:
    given = values.get("bodies") or {}
    texts = given.items() if isinstance(given, dict) else ()
    bodies = {str(code): str(text).strip() for code, text in texts if text and str(text).strip()}
    known = dict(settings.LANGUAGES)
    if any(code not in known for code in bodies):
        raise WorkflowError(_("A text is given for a language the desk does not speak."))
    then = values.get("then") or ""
    if then not in ReplyThen.values:
        raise WorkflowError(_("Choose what follows the reply from the list."))
    return {
        "title": str(values["title"]).strip(),
        "body": str(values["body"]).strip(),
        "bodies": bodies,
        "then": then,
        "minutes": int(str(values.get("minutes") or 0)),
    }


def canned_reply_create(*, by: User, shared: bool, **values: object) -> CannedReply:
    """A new canned reply: shared by the desk (coordinators) or private to `by` (technicians)."""
    if not can(by, "tickets.canned_manage" if shared else "tickets.canned_replies"):
        raise ActorNotAllowed
    return CannedReply.objects.create(**_clean(values), owner=None if shared else by, created_by=by)


def canned_reply_update(*, reply: CannedReply, by: User, **values: object) -> CannedReply:
    if not may_edit(by, reply):
        raise ActorNotAllowed
    for name, value in _clean(values).items():
        setattr(reply, name, value)
    reply.updated_at = timezone.now()
    reply.save()
    return reply


def canned_reply_delete(*, reply: CannedReply, by: User) -> None:
    if not may_edit(by, reply):
        raise ActorNotAllowed
    reply.delete()


def reply_with_canned(
    *,
    ticket: Ticket,
    by: User,
    reply: CannedReply,
    body: str,
    then: str = "",
    minutes: int = 0,
    files: Iterable[UploadedFile] = (),
    now: datetime | None = None,
) -> Comment:
    """Send a reply begun from a canned one (`body` as the technician left it), then what the canned reply
    brings: the status it moves the ticket to and the minutes it logs (both as the form last said). One
    transaction: a status the ticket cannot take now refuses the whole, and the reply waits in the form.
    The use is counted in the database, so two technicians sending it at once both count."""
    if then and then not in ReplyThen.values:
        raise WorkflowError(_("Choose what follows the reply from the list."))
    if not canned_replies_for(by).filter(pk=reply.pk).exists():
        raise ActorNotAllowed  # another technician's private reply, or no right to the desk's
    now = now or timezone.now()
    with transaction.atomic():
        comment = comment_add(ticket=ticket, by=by, body=body, files=files, now=now)
        if then:
            ticket_wait_as_next_step(ticket=ticket, by=by, on=then.removeprefix("wait_on_"), now=now)
        if minutes:
            ticket_log_time(ticket=ticket, by=by, minutes=minutes, note=reply.title, now=now)
        CannedReply.objects.filter(pk=reply.pk).update(use_count=F("use_count") + 1)
    return comment
