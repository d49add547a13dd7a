"""Held mail: a message from an address the desk does not know waits here for a coordinator, who opens a
ticket from it for the right employee, or sets it aside.

The whole message is kept with its row while it waits (a private file, never served), so the ticket a
coordinator opens later is the same as one opened when it arrived: its text, files and original.eml.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from assets.models import Employee
from intake.models import InboundMessage, InboundStatus
from intake.parsing import message_parse
from intake.services import ticket_from_message


class HeldMessageGone(Exception):
    """The message is no longer held: another coordinator handled it first."""


def held_messages() -> QuerySet[InboundMessage]:
    """The messages waiting for a coordinator, the longest waiting first."""
    return InboundMessage.objects.filter(status=InboundStatus.HELD).order_by("received_at", "pk")


def held_message_open(*, message_id: int, employee: Employee, by: User) -> InboundMessage:
    """Open the ticket a held message asks for, as the employee's; the row says who did."""
    require(by, "intake.held")
    with transaction.atomic():
        row = _locked_held(message_id)
        if not row.original:
            # Held before the desk kept held messages: nothing to open a ticket from.
            raise HeldMessageGone(
                _("The desk did not keep this message's text: set it aside and ask the sender to write again.")
            )
        raw = row.original.read()
        row.original.close()
        outcome = ticket_from_message(employee, None, message_parse(raw), raw, opened_by=by)
        assert outcome.ticket is not None
        row.status = InboundStatus.TICKET
        row.ticket = outcome.ticket
        row.reason = "\n".join(
            [
                row.reason,
                _("%(user)s opened %(ticket)s from it for %(employee)s.")
                % {"user": by.get_full_name() or by.email, "ticket": outcome.ticket.reference, "employee": employee},
                *outcome.notes,
            ]
        ).strip()
        _handled(row, by)
    return row


def held_message_dismiss(*, message_id: int, by: User) -> InboundMessage:
    """Set a held message aside: no ticket, the row kept with who decided."""
    require(by, "intake.held")
    with transaction.atomic():
        row = _locked_held(message_id)
        row.status = InboundStatus.IGNORED
        row.reason = "\n".join([row.reason, _("Set aside by %(user)s.") % {"user": by.get_full_name() or by.email}])
        _handled(row, by)
    return row


def _locked_held(message_id: int) -> InboundMessage:
    row = InboundMessage.objects.select_for_update().filter(pk=message_id).first()
    if row is None or row.status != InboundStatus.HELD:
        handler = row.handled_by if row is not None else None
        if handler is not None:
            raise HeldMessageGone(
                _("%(user)s has already handled this message.") % {"user": handler.get_full_name() or handler.email}
            )
        raise HeldMessageGone(_("This message is no longer waiting."))
    return row


def _handled(row: InboundMessage, by: User) -> None:
    """Saved with who handled it; the kept message file goes once that commits (the ticket has its copy)."""
    name = row.original.name
    row.handled_by = by
    row.original = ""
    row.save(update_fields=["status", "ticket", "reason", "handled_by", "original"])
    if name:
        storage = row.original.storage
        transaction.on_commit(lambda: storage.delete(name))
