"""Calendar invitations (RFC 5545, sent as iTIP requests of RFC 5546) for on-site visits.

Built when the message is rendered, in the recipient's language, from what the outbox row stored of the
visit: a change sends the visit again under the same UID with a higher SEQUENCE, so the requester's calendar
moves its one entry; a cancelled visit is sent with METHOD:CANCEL and the entry goes away.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from core.calendar import Invitation, invitation_file

PRODUCT_ID = "-//Help desk//On-site visits//EN"


def visit_snapshot(visit: Any, *, cancelled: bool = False) -> dict[str, Any]:
    """What an outbox row keeps of a visit to write its invitation later (JSON-ready)."""
    ticket = visit.ticket
    return {
        "visit_uid": str(visit.uid),
        "visit_sequence": visit.sequence,
        "visit_starts_at": visit.starts_at.isoformat(),
        "visit_ends_at": visit.ends_at.isoformat(),
        "visit_place": visit.place,
        "visit_bring": visit.bring,
        "visit_technician": visit.technician.get_full_name() or visit.technician.email,
        "visit_technician_email": visit.technician.email,
        "visit_technician_id": visit.technician_id,
        "visit_attendee": ticket.requester.email or (ticket.requester.user.email if ticket.requester.user else ""),
        "visit_cancelled": cancelled,
    }


def visit_invitation(context: dict[str, Any]) -> list[tuple[str, bytes, str]]:
    """The invitation attached to a visit's message: (file name, content, MIME type)."""
    if not context.get("visit_uid"):
        return []
    cancelled = bool(context.get("visit_cancelled"))
    lines = [
        _("%(technician)s from the help desk comes to look at your request.")
        % {"technician": context.get("visit_technician", "")}
    ]
    if context.get("visit_bring"):
        lines.append(_("Please have ready: %(bring)s") % {"bring": context["visit_bring"]})
    if context.get("ticket_path"):
        lines.append(settings.SITE_URL + context["ticket_path"])
    invitation = Invitation(
        uid=f"visit-{context['visit_uid']}",
        sequence=int(context.get("visit_sequence", 0)),
        starts_at=datetime.fromisoformat(context["visit_starts_at"]),
        ends_at=datetime.fromisoformat(context["visit_ends_at"]),
        summary=_("Help desk visit: %(reference)s %(subject)s")
        % {"reference": context.get("ticket_reference", ""), "subject": context.get("ticket_subject", "")},
        description="\n".join(lines),
        location=context.get("visit_place", ""),
        organizer_name=context.get("visit_technician", "") or _("Help desk"),
        attendee=context.get("visit_attendee", ""),
        cancelled=cancelled,
        product=PRODUCT_ID,
    )
    return [invitation_file(invitation, "cancelled-visit.ics" if cancelled else "visit.ics")]


def visit_when(values: dict[str, Any]) -> str:
    """A visit's window as stored (an Event's or a message's values), in the reader's language and time zone."""
    starts, ends = values.get("visit_starts_at"), values.get("visit_ends_at")
    if not starts or not ends:
        return ""
    start = timezone.localtime(datetime.fromisoformat(starts))
    end = timezone.localtime(datetime.fromisoformat(ends))
    return _("%(day)s, %(start)s to %(end)s") % {
        "day": date_format(start, "DATE_FORMAT"),
        "start": time_format(start, "TIME_FORMAT"),
        "end": time_format(end, "TIME_FORMAT"),
    }
