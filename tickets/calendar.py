"""Calendar invitations (RFC 5545, sent as iTIP requests of RFC 5546) for on-site visits.

Built when the message is rendered, in the recipient's language, from what the outbox row stored of the
visit: a change sends the visit again under the same UID with a higher SEQUENCE, so the requester's calendar
moves its one entry; a cancelled visit is sent with METHOD:CANCEL and the entry goes away.
"""

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

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
    method = "CANCEL" if cancelled else "REQUEST"
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"visit-{context['visit_uid']}@{_domain()}")
    event.add("sequence", int(context.get("visit_sequence", 0)))
    event.add("dtstamp", timezone.now().astimezone(UTC).replace(microsecond=0))
    event.add("dtstart", _utc(context["visit_starts_at"]))
    event.add("dtend", _utc(context["visit_ends_at"]))
    reference = context.get("ticket_reference", "")
    event.add(
        "summary",
        _("Help desk visit: %(reference)s %(subject)s")
        % {
            "reference": reference,
            "subject": context.get("ticket_subject", ""),
        },
    )
    lines = [
        _("%(technician)s from the help desk comes to look at your request.")
        % {"technician": context.get("visit_technician", "")}
    ]
    if context.get("visit_bring"):
        lines.append(_("Please have ready: %(bring)s") % {"bring": context["visit_bring"]})
    if context.get("ticket_path"):
        lines.append(settings.SITE_URL + context["ticket_path"])
    event.add("description", "\n".join(lines))
    event.add("location", context.get("visit_place", ""))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{_address(settings.DEFAULT_FROM_EMAIL)}")
    organizer.params["cn"] = vText(context.get("visit_technician", "") or _("Help desk"))
    event.add("organizer", organizer)
    if context.get("visit_attendee"):
        attendee = vCalAddress(f"mailto:{context['visit_attendee']}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee)
    calendar.add_component(event)
    name = "cancelled-visit.ics" if cancelled else "visit.ics"
    return [(name, calendar.to_ical(), f"text/calendar; method={method}; charset=UTF-8")]


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


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _address(from_email: str) -> str:
    """The bare address of a From header ("Help desk <desk@example.org>")."""
    return from_email.rsplit("<", 1)[-1].rstrip(">").strip()


def _domain() -> str:
    return _address(settings.DEFAULT_FROM_EMAIL).rsplit("@", 1)[-1] or "helpdesk"
