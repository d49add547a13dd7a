"""Email intake: one received message turned into a new ticket, a reply on its ticket, or a logged refusal.

Every write goes through the tickets' own services (ticket_create, comment_add), so a ticket opened by mail
gets the same checks, Events, SLA clock and notifications as one opened on the web page.
"""

import email
import logging
import re
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from mailparser_reply import EmailReplyParser
from mailparser_reply.constants import MAIL_LANGUAGES

from accounts.models import User
from assets.models import Employee
from intake import answers
from intake.models import InboundMessage, InboundStatus
from intake.parsing import MailFile, ParsedMessage, message_id_of, message_parse
from notifications.headers import thread_id_for
from notifications.models import Notification
from tickets import permissions
from tickets.forms.fields import validate_upload
from tickets.models import Channel, Ticket, reference_in
from tickets.services import comment_add_by_mail, ticket_create

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_ATTACHMENTS = 10
ORIGINAL_NAME = "original.eml"
# Every language the reply parser knows: the desk's people write in several, and a quote header in a
# language left out would be kept as if it were the reply.
_REPLY_PARSER = EmailReplyParser(languages=list(MAIL_LANGUAGES))
_THREAD_ID = re.compile(r"^<ticket-(\d{1,18})@")
_AUTOMATIC_PRECEDENCE = frozenset({"bulk", "auto_reply", "list", "junk"})
_DAEMONS = ("mailer-daemon@", "postmaster@")


# The beginning of a held message's text, shown to the coordinators on Held mail (intake.held).
PREVIEW_CHARS = 2000


class _Duplicate(Exception):
    """Another delivery of the same message was recorded first."""


@dataclass
class _Outcome:
    status: str
    reason: str = ""
    ticket: Ticket | None = None
    comment_id: int | None = None
    notes: list[str] = field(default_factory=list)
    # Why the sender is answered automatically (intake.answers), with the values the answer names.
    answer: str = ""
    answer_values: dict[str, int] = field(default_factory=dict)


def message_receive(*, raw: bytes, mailbox: str = "") -> InboundMessage:
    """Process one RFC 5322 message once: a new ticket, a reply, or a row saying why neither.

    Idempotent on the Message-ID (a hash of the headers without one): the same message again returns the
    row of the first time and does nothing. Never raises for a bad message: an unexpected error rolls its
    work back and is recorded on the row as "failed" with the reason. Raises only when the database does.
    """
    try:
        parsed: ParsedMessage | None = message_parse(raw)
    except (OperationalError, InterfaceError):
        raise
    except Exception as error:
        parsed = None
        parse_error: Exception | None = error
    else:
        parse_error = None
    message_id = parsed.message_id if parsed is not None else _fallback_id(raw)
    already = _recorded(message_id)
    if already is not None:
        return already
    row = InboundMessage(
        message_id=message_id,
        mailbox=mailbox[:120],
        sender=(parsed.sender if parsed else "")[:254],
        subject=(parsed.subject if parsed else "")[:255],
        size=len(raw),
    )
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                raise _Duplicate from None
            if parsed is None:
                assert parse_error is not None
                raise parse_error
            outcome = _process(parsed, raw, row.received_at)
            if outcome.answer:
                outcome.notes.append(_answer(row, parsed, outcome))
            row.status = outcome.status
            row.reason = "\n".join([outcome.reason, *outcome.notes]).strip()
            row.ticket = outcome.ticket
            row.comment_id = outcome.comment_id
            fields = ["status", "reason", "ticket", "comment", "answered_at"]
            if outcome.status == InboundStatus.HELD:
                message_hold(row, parsed, raw)
                fields += ["preview", "original"]
            row.save(update_fields=fields)
    except _Duplicate:
        return InboundMessage.objects.get(message_id=message_id)
    except (OperationalError, InterfaceError):
        raise
    except Exception as error:
        logger.exception("received message %s failed", message_id)
        return _record_failure(row, error)
    log = logger.warning if row.status in (InboundStatus.FAILED, InboundStatus.REFUSED) else logger.info
    log("received message %s from %s: %s %s", message_id, row.sender, row.status, row.reason)
    return row


def message_hold(row: InboundMessage, parsed: ParsedMessage, raw: bytes) -> None:
    """Keep what a coordinator needs to decide on a held message; inside the row's transaction."""
    row.preview = parsed.text[:PREVIEW_CHARS]
    row.original.save(f"{uuid.uuid4().hex}.eml", ContentFile(raw), save=False)


def _answer(row: InboundMessage, parsed: ParsedMessage, outcome: _Outcome) -> str:
    """Answer a refused message; the sentence for its row. Unless the desk holds mail from unknown addresses:
    then an address nobody has is never answered, whatever the refusal, so that spam forging someone else's
    address does not make the desk write to them."""
    user, employee = _sender_of(parsed.sender)
    stranger = user is None and employee is None
    if stranger and getattr(settings, "INTAKE_UNKNOWN_SENDERS", "hold") != "answer":
        return _("No automatic answer: the desk does not know %(address)s.") % {"address": parsed.sender}
    return answers.answer(
        row,
        why=outcome.answer,
        language=_language_of(user, parsed),
        now=row.received_at,
        **outcome.answer_values,
    )


def _recorded(message_id: str) -> InboundMessage | None:
    return InboundMessage.objects.filter(message_id=message_id).first()


def _fallback_id(raw: bytes) -> str:
    try:
        return message_id_of(email.message_from_bytes(raw), raw)
    except Exception:
        return message_id_of(email.message_from_string(""), raw)


def _record_failure(row: InboundMessage, error: Exception) -> InboundMessage:
    """Saved in a transaction of its own, after the failed one rolled back: the message is never lost."""
    summary = "".join(traceback.format_exception(error, limit=-4))[-4000:]
    row.pk = None
    row.status = InboundStatus.FAILED
    row.reason = summary
    row.ticket = None
    row.comment_id = None
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return InboundMessage.objects.get(message_id=row.message_id)
    return row


# --- deciding what the message is ----------------------------------------------------------------


def _process(parsed: ParsedMessage, raw: bytes, now: datetime) -> _Outcome:
    if not parsed.sender:
        return _Outcome(InboundStatus.IGNORED, _("No sender address."))
    # Automatic mail first: whatever else is wrong with it, it is never answered.
    ignored = _ignore_reason(parsed)
    if ignored:
        return _Outcome(InboundStatus.IGNORED, ignored)
    max_bytes = getattr(settings, "INTAKE_MAX_BYTES", DEFAULT_MAX_BYTES)
    if len(raw) > max_bytes:
        return _Outcome(
            InboundStatus.REFUSED,
            _("The message is %(size)s, over the limit of %(limit)s.")
            % {"size": filesizeformat(len(raw)), "limit": filesizeformat(max_bytes)},
            answer=answers.TOO_LARGE,
            answer_values={"size": len(raw), "limit": max_bytes},
        )
    over_rate = answers.rate_exceeded(parsed.sender, now)
    if over_rate:
        return _Outcome(
            InboundStatus.REFUSED,
            _("More than %(limit)s messages from %(sender)s within an hour.")
            % {"limit": over_rate, "sender": parsed.sender},
            answer=answers.TOO_MANY_MESSAGES,
            answer_values={"limit": over_rate},
        )
    max_files = getattr(settings, "INTAKE_MAX_ATTACHMENTS", DEFAULT_MAX_ATTACHMENTS)
    if len(parsed.files) > max_files:
        return _Outcome(
            InboundStatus.REFUSED,
            _("The message has %(count)s attachments, over the limit of %(limit)s.")
            % {"count": len(parsed.files), "limit": max_files},
            answer=answers.TOO_MANY_FILES,
            answer_values={"count": len(parsed.files), "limit": max_files},
        )
    user, employee = _sender_of(parsed.sender)
    ticket = _thread_of(parsed)
    notes: list[str] = []
    if ticket is not None:
        # The requester, a watcher or staff on the ticket, login or not (tickets.permissions decides).
        if permissions.may_reply_by_mail(parsed.sender, ticket, user):
            return _reply(ticket, user, parsed, raw)
        notes.append(
            _("%(sender)s may not reply on %(ticket)s: taken as a new message.")
            % {"sender": parsed.sender, "ticket": ticket.reference}
        )
    if user is None and employee is None:
        if getattr(settings, "INTAKE_UNKNOWN_SENDERS", "hold") == "answer":
            return _Outcome(
                InboundStatus.REFUSED,
                _("Unknown sender %(sender)s.") % {"sender": parsed.sender},
                notes=notes,
                answer=answers.UNKNOWN,
            )
        return _Outcome(
            InboundStatus.HELD,
            _("Unknown sender %(sender)s: held for a coordinator.") % {"sender": parsed.sender},
            notes=notes,
        )
    if employee is None:
        return _Outcome(
            InboundStatus.HELD,
            _("%(sender)s has no employee record to open a ticket for: held for a coordinator.")
            % {"sender": parsed.sender},
            notes=notes,
        )
    outcome = ticket_from_message(employee, user, parsed, raw)
    outcome.notes[:0] = notes
    return outcome


def _ignore_reason(parsed: ParsedMessage) -> str:
    sender = parsed.sender
    if sender in _own_addresses():
        return _("Sent from the desk's own address %(sender)s.") % {"sender": sender}
    content_type = parsed.message.get_content_type()
    if content_type == "multipart/report" or any(
        part.get_content_type() in ("message/delivery-status", "message/disposition-notification")
        for part in parsed.message.walk()
    ):
        return _("A delivery report (bounce).")
    if sender.startswith(_DAEMONS):
        return _("A delivery report from %(sender)s.") % {"sender": sender}
    if parsed.header("Return-Path") == "<>":
        return _("A delivery report (empty Return-Path).")
    auto_submitted = parsed.header("Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return _("An automatic reply (Auto-Submitted: %(value)s).") % {"value": auto_submitted}
    for name in ("X-Autoreply", "X-Autorespond"):
        if parsed.header(name):
            return _("An automatic reply (%(header)s).") % {"header": name}
    precedence = parsed.header("Precedence").lower()
    if precedence in _AUTOMATIC_PRECEDENCE:
        return _("An automatic or list message (Precedence: %(value)s).") % {"value": precedence}
    return ""


def _own_addresses() -> set[str]:
    configured = [settings.DEFAULT_FROM_EMAIL, *getattr(settings, "INTAKE_OWN_ADDRESSES", ())]
    return {address.lower() for _name, address in getaddresses(configured) if "@" in address}


def _sender_of(address: str) -> tuple[User | None, Employee | None]:
    user = User.objects.filter(email__iexact=address, is_active=True).select_related("employee").first()
    if user is not None:
        employee = getattr(user, "employee", None)
        if employee is not None:
            return user, employee
    # Through the lower-case index of the addresses (the sender is lower case already).
    employee = Employee.objects.alias(address=Lower("email")).filter(address=address).order_by("pk").first()
    return user, employee


def _thread_of(parsed: ParsedMessage) -> Ticket | None:
    """The ticket the message answers: by the desk's Message-IDs it refers to, then by HD-N in the subject."""
    if parsed.refers_to:
        by_notification = (
            Notification.objects.filter(message_id__in=parsed.refers_to, ticket__isnull=False)
            .values_list("ticket_id", flat=True)
            .first()
        )
        if by_notification is not None:
            return Ticket.objects.filter(pk=by_notification).first()
        for message_id in parsed.refers_to:
            found = _THREAD_ID.match(message_id)
            if found and thread_id_for(int(found[1])) == message_id:
                ticket = Ticket.objects.filter(pk=int(found[1])).first()
                if ticket is not None:
                    return ticket
    number = reference_in(parsed.subject)
    if number is not None:
        return Ticket.objects.filter(pk=number).first()
    return None


# --- writing ---------------------------------------------------------------------------------------


def _reply(ticket: Ticket, user: User | None, parsed: ParsedMessage, raw: bytes) -> _Outcome:
    text = _REPLY_PARSER.parse_reply(parsed.text) or ""
    files, notes = _checked_files(parsed.files, raw)
    name = getaddresses([parsed.header("From")])[0][0] if parsed.header("From") else ""
    comment = comment_add_by_mail(
        ticket=ticket, address=parsed.sender, name=name, user=user, body=text.strip(), files=files
    )
    return _Outcome(
        InboundStatus.REPLY, _("Reply on %(ticket)s.") % {"ticket": ticket.reference}, ticket, comment.pk, notes
    )


def ticket_from_message(
    employee: Employee, user: User | None, parsed: ParsedMessage, raw: bytes, *, opened_by: User | None = None
) -> _Outcome:
    """A new ticket of `employee` from the message. Opened by `opened_by` (a coordinator, for a held
    message), else by the sender themselves when they have a login for this employee record, else by the
    desk (no actor)."""
    files, notes = _checked_files(parsed.files, raw)
    by = opened_by or (user if user is not None and employee.user_id == user.pk else None)
    # The ticket keeps the language it was written in (its search, the replies): the sender's own.
    with translation.override(_language_of(user, parsed)):
        ticket = ticket_create(
            by=by,
            requester=employee,
            subject=parsed.subject or str(_("(no subject)")),
            description=parsed.text,
            # The priority of the defaults, as a report that says nothing of its impact and urgency.
            impact=Ticket._meta.get_field("impact").get_default(),
            urgency=Ticket._meta.get_field("urgency").get_default(),
            channel=Channel.EMAIL,
            files=files,
        )
    return _Outcome(InboundStatus.TICKET, _("Opened %(ticket)s.") % {"ticket": ticket.reference}, ticket, None, notes)


def _language_of(user: User | None, parsed: ParsedMessage) -> str:
    """The sender's chosen language, else the one the message declares, else the desk's."""
    known = {code for code, _name in settings.LANGUAGES}
    declared = parsed.header("Content-Language").split(",")[0].strip().split("-")[0].lower()
    for code in (user.language if user is not None else "", declared):
        if code in known:
            return code
    return settings.LANGUAGE_CODE


def _checked_files(files: list[MailFile], raw: bytes) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The message's files that pass the upload checks, and the original message itself; a refused file
    is left out and said, never a failure of the whole message."""
    kept: list[SimpleUploadedFile] = []
    notes: list[str] = []
    candidates = [*files, MailFile(ORIGINAL_NAME, "message/rfc822", raw)]
    for mail_file in candidates:
        upload = SimpleUploadedFile(mail_file.name, mail_file.content, content_type=mail_file.content_type)
        try:
            validate_upload(upload)
        except ValidationError as error:
            notes.append(_("Attachment left out: %(why)s") % {"why": " ".join(_messages(error))})
            continue
        kept.append(upload)
    return kept, notes


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]
