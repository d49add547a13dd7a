"""Calendar invitations (RFC 5545, sent as iTIP requests of RFC 5546): one event, written with icalendar.

The apps say what the event is (a technician's visit, a training session) and who it is for; this writes the
file. A change is sent again under the same UID with a higher SEQUENCE, so the recipient's calendar moves
its one entry; METHOD:CANCEL takes it away.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText


@dataclass(frozen=True)
class Invitation:
    uid: str  # unique within the desk's domain: "visit-<uuid>", "training-<uuid>"
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    location: str
    organizer_name: str
    attendee: str = ""  # the recipient's address
    cancelled: bool = False
    product: str = "-//Help desk//EN"


def invitation_file(invitation: Invitation, name: str) -> tuple[str, bytes, str]:
    """The .ics file of one event as an attachment: (file name, content with CRLF line ends, MIME type)."""
    method = "CANCEL" if invitation.cancelled else "REQUEST"
    calendar = Calendar()
    calendar.add("prodid", invitation.product)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"{invitation.uid}@{_domain()}")
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC).replace(microsecond=0))
    event.add("dtstart", invitation.starts_at.astimezone(UTC))
    event.add("dtend", invitation.ends_at.astimezone(UTC))
    event.add("summary", invitation.summary)
    event.add("description", invitation.description)
    event.add("location", invitation.location)
    event.add("status", "CANCELLED" if invitation.cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{address_of(settings.DEFAULT_FROM_EMAIL)}")
    organizer.params["cn"] = vText(invitation.organizer_name)
    event.add("organizer", organizer)
    if invitation.attendee:
        attendee = vCalAddress(f"mailto:{invitation.attendee}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee)
    calendar.add_component(event)
    return name, calendar.to_ical(), f"text/calendar; method={method}; charset=UTF-8"


def address_of(from_email: str) -> str:
    """The bare address of a From header ("Help desk <desk@example.org>")."""
    return from_email.rsplit("<", 1)[-1].rstrip(">").strip()


def _domain() -> str:
    return address_of(settings.DEFAULT_FROM_EMAIL).rsplit("@", 1)[-1] or "helpdesk"
