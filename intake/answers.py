"""The desk's automatic answers to received mail, and the guards that keep them from feeding a mail loop.

A message the desk will not turn into a ticket or a reply, for a reason its sender can fix (an address the
desk does not know, a message too large, too many files, too many messages in an hour), gets one polite
answer saying why and what to do. Automatic mail, bounces and the desk's own never get one (intake.services
ignores them before anything is answered).

Two guards, both read from the received messages' rows through their (sender, received_at) index:
- the loop guard: at most one answer to an address per INTAKE_ANSWER_INTERVAL (an hour), however many
  messages it sends;
- the rate: more than INTAKE_MAX_PER_SENDER_HOUR messages from one address in an hour are refused, so an
  auto-responder that marks nothing as automatic makes at most that many tickets before it is stopped.

An answer is an outbox row (kind "intake_answer") written in the message's own transaction, to the address
only, in the language the message declares, threaded on the sender's message and marked Auto-Submitted:
auto-replied (RFC 3834) so that well-behaved responders do not answer it in turn.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.models import InboundMessage, InboundStatus
from notifications import kinds
from notifications.models import Notification, NotificationChannel
from notifications.queue import notifications_save

KIND = "intake_answer"
DEFAULT_INTERVAL = 60 * 60
DEFAULT_MAX_PER_SENDER_HOUR = 30

# Why a message is answered instead of opened: stored in the row's content, worded when the mail is rendered.
UNKNOWN = "unknown"
TOO_LARGE = "size"
TOO_MANY_FILES = "attachments"
TOO_MANY_MESSAGES = "rate"


def register_kind() -> None:
    kinds.register(
        kinds.Kind(
            value=KIND,
            label=gettext_lazy("Automatic answer to a received message"),
            # Translators: the subject of the desk's automatic answer to a mail. Keep "Re:" unless mail
            # programs in your language always use another prefix.
            headline=gettext_lazy("Re: %(subject)s"),
            intro="%(explanation)s %(advice)s",
            audience="",  # an answer to whoever wrote: never offered, never switched off
            values=_values,
            template="emails/intake_answer",
        )
    )


def _values(data: dict[str, Any]) -> dict[str, Any]:
    """The wording of one answer, in the language the mail is being rendered in."""
    why = data.get("why", "")
    limit = data.get("limit", 0)
    address = data.get("address", "")
    if why == TOO_LARGE:
        explanation = _(
            "Your message is %(size)s, larger than the %(limit)s the help desk accepts, so no request was opened."
        ) % {"size": filesizeformat(data.get("size", 0)), "limit": filesizeformat(limit)}
        advice = _("Please send it again without the large files, and share them through a link instead.")
    elif why == TOO_MANY_FILES:
        explanation = _(
            "Your message has %(count)s attached files, more than the %(limit)s the help desk accepts, so no "
            "request was opened."
        ) % {"count": data.get("count", 0), "limit": limit}
        advice = _("Please send the files over several messages, or share them through a link.")
    elif why == TOO_MANY_MESSAGES:
        explanation = _(
            "The help desk received more than %(limit)s messages from %(address)s within an hour, so this one "
            "was not opened as a request."
        ) % {"limit": limit, "address": address}
        advice = _("If your request is urgent, please contact the help desk another way.")
    else:
        explanation = _(
            "We received your message, but %(address)s is not an address the help desk knows, so no request was opened."
        ) % {"address": address}
        advice = _("Please write again from your work address, or contact the help desk another way.")
    return {"subject": data.get("subject") or _("your message"), "explanation": explanation, "advice": advice}


def rate_exceeded(address: str, now: datetime) -> int:
    """The limit `address` went over with this message (its own row counted), or 0.

    Ignored messages (automatic mail) do not count: they never make work. Reads at most limit + 1 rows.
    """
    limit = getattr(settings, "INTAKE_MAX_PER_SENDER_HOUR", DEFAULT_MAX_PER_SENDER_HOUR)
    recent = (
        InboundMessage.objects.filter(sender=address, received_at__gt=now - timedelta(hours=1))
        .exclude(status=InboundStatus.IGNORED)
        .values("pk")[: limit + 1]
    )
    return limit if len(recent) > limit else 0


def answer(row: InboundMessage, *, why: str, language: str, now: datetime, **values: Any) -> str:
    """Answer the message of `row` unless its sender had an answer within the interval; the sentence for
    the row's reason. Inside the message's transaction: the answer commits with the row or not at all."""
    interval = getattr(settings, "INTAKE_ANSWER_INTERVAL", DEFAULT_INTERVAL)
    address = row.sender
    answered_lately = InboundMessage.objects.filter(
        sender=address, received_at__gt=now - timedelta(seconds=interval), answered_at__isnull=False
    ).exists()
    if answered_lately:
        return _("No automatic answer: %(address)s had one within the last %(minutes)s minutes.") % {
            "address": address,
            "minutes": interval // 60,
        }
    content = {
        "why": why,
        "address": address,
        "subject": row.subject,
        "language": language,
        # The outbox threads the answer on the sender's message (In-Reply-To, References).
        "in_reply_to": "" if row.message_id.startswith("sha256:") else row.message_id,
        **values,
    }
    notifications_save([Notification(email=address, kind=KIND, channel=NotificationChannel.EMAIL, context=content)])
    row.answered_at = now
    return _("An automatic answer was sent to %(address)s.") % {"address": address}
