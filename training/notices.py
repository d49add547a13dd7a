"""The outbox's kinds of training mail: the invitation, a seat freed from the waiting list, the reminder the
day before, a change and a cancellation. Each is written in the recipient's language and time zone when the
mail is rendered, from what the row stored of the session; all but the reminder carry the session's calendar
entry (one UID; a change raises its SEQUENCE, a cancellation sends METHOD:CANCEL).
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.calendar import Invitation as CalendarEntry
from core.calendar import invitation_file
from notifications import kinds
from training.models import TrainingSession

INVITED = "training_invited"
SEAT = "training_seat"
REMINDER = "training_reminder"
CHANGED = "training_changed"
CANCELLED = "training_cancelled"
PRODUCT_ID = "-//Help desk//Training sessions//EN"
TEMPLATE = "emails/training"  # .txt and .html: the session's facts and the way to answer


# value -> (label, headline, intro, who may switch it off ("": no one), whether the calendar entry goes with it)
WORDING: dict[str, tuple[Promise, Promise, Promise, str, bool]] = {
    INVITED: (
        gettext_lazy("Invitation to a training session"),
        gettext_lazy("You are invited: %(title)s"),
        gettext_lazy(
            "%(trainer)s gives a training session on %(when)s, at %(place)s. The invitation is attached for "
            "your calendar. Tell us on the training page whether you come: seats are limited."
        ),
        "",
        True,
    ),
    SEAT: (
        gettext_lazy("A seat at a training session"),
        gettext_lazy("A seat is yours: %(title)s"),
        gettext_lazy(
            "A seat became free and it is yours, as the first on the waiting list. The session is on %(when)s, "
            "at %(place)s."
        ),
        "",
        True,
    ),
    REMINDER: (
        gettext_lazy("Reminder of a training session"),
        gettext_lazy("Tomorrow: %(title)s"),
        gettext_lazy("A reminder: %(trainer)s gives the session on %(when)s, at %(place)s."),
        "training.attend",  # the one a person invited may switch off
        False,
    ),
    CHANGED: (
        gettext_lazy("A training session moved"),
        gettext_lazy("Changed: %(title)s"),
        gettext_lazy("The session is now on %(when)s, at %(place)s. The attached entry updates your calendar."),
        "",
        True,
    ),
    CANCELLED: (
        gettext_lazy("A training session called off"),
        gettext_lazy("Called off: %(title)s"),
        gettext_lazy("The session of %(when)s is called off. The attached entry takes it off your calendar."),
        "",
        True,
    ),
}


def register_kinds() -> None:
    kinds.register(
        *(
            kinds.Kind(
                value,
                label,
                headline=headline,
                intro=intro,
                audience=audience,
                values=_values,
                details=_details,
                template=TEMPLATE,
                attachments=session_calendar if calendar else kinds.no_attachments,
            )
            for value, (label, headline, intro, audience, calendar) in WORDING.items()
        )
    )


def snapshot(session: TrainingSession, *, attendee: str, path: str, cancelled: bool = False) -> dict[str, Any]:
    """What one row keeps of the session (JSON-ready): its wording and calendar entry are written from it."""
    return {
        "session_id": session.pk,
        "title": session.title,
        "uid": str(session.uid),
        "sequence": session.sequence,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "place": session.place,
        "online_link": session.online_link,
        "trainer": session.trainer.get_full_name() or session.trainer.email,
        "attendee": attendee,
        "path": path,
        "cancelled": cancelled,
    }


def when(starts_at: str, ends_at: str) -> str:
    """A session's time as stored, in the reader's language and time zone."""
    if not starts_at or not ends_at:
        return ""
    start = timezone.localtime(datetime.fromisoformat(starts_at))
    end = timezone.localtime(datetime.fromisoformat(ends_at))
    return _("%(day)s, %(start)s to %(end)s") % {
        "day": date_format(start, "DATE_FORMAT"),
        "start": time_format(start, "TIME_FORMAT"),
        "end": time_format(end, "TIME_FORMAT"),
    }


def _place(data: dict[str, Any]) -> str:
    place, link = data.get("place", ""), data.get("online_link", "")
    if place and link:
        return _("%(place)s or online (%(link)s)") % {"place": place, "link": link}
    return place or link


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data.get("title", ""),
        "trainer": data.get("trainer", ""),
        "when": when(data.get("starts_at", ""), data.get("ends_at", "")),
        "place": _place(data),
    }


def _details(data: dict[str, Any]) -> dict[str, Any]:
    return {"url": data.get("path", ""), "page_path": data.get("path", "")}


def session_calendar(data: dict[str, Any]) -> list[tuple[str, bytes, str]]:
    """The calendar entry attached to a session's message: (file name, content, MIME type)."""
    if not data.get("uid"):
        return []
    cancelled = bool(data.get("cancelled"))
    lines = [_("A training session given by %(trainer)s.") % {"trainer": data.get("trainer", "")}]
    if data.get("online_link"):
        lines.append(_("Join online: %(link)s") % {"link": data["online_link"]})
    if data.get("path"):
        lines.append(settings.SITE_URL + data["path"])
    entry = CalendarEntry(
        uid=f"training-{data['uid']}",
        sequence=int(data.get("sequence", 0)),
        starts_at=datetime.fromisoformat(data["starts_at"]),
        ends_at=datetime.fromisoformat(data["ends_at"]),
        summary=_("Training: %(title)s") % {"title": data.get("title", "")},
        description="\n".join(lines),
        location=data.get("place", "") or data.get("online_link", ""),
        organizer_name=data.get("trainer", "") or _("Help desk"),
        attendee=data.get("attendee", ""),
        cancelled=cancelled,
        product=PRODUCT_ID,
    )
    return [invitation_file(entry, "cancelled-training.ics" if cancelled else "training.ics")]
