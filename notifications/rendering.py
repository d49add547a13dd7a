"""Turn an outbox row into an email, in the recipient's language and time zone.

One pair of templates (templates/emails/notification.txt and .html) serves every kind; what differs
between kinds is the wording below. The ticket number leads the subject, and Message-ID, In-Reply-To and
References make mail clients show one ticket's messages as one thread.
"""

import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from notifications.models import Notification, NotificationKind
from notifications.tokens import watcher_stop_token
from tickets.models import status_label

# The headline (also the subject) and the first sentence of each kind of news, translated when used.
_WORDING: dict[str, tuple] = {
    NotificationKind.RECEIVED: (
        gettext_lazy("We received your request: %(subject)s"),
        gettext_lazy("Thank you. Your request is logged and a coordinator will look at it soon."),
    ),
    NotificationKind.ASSIGNED: (
        gettext_lazy("%(assignee)s is working on your request"),
        gettext_lazy("%(assignee)s from the help desk has taken your request: %(subject)s."),
    ),
    NotificationKind.STATUS_CHANGED: (
        gettext_lazy("Your request is now: %(status)s"),
        gettext_lazy("The status of your request “%(subject)s” changed to %(status)s."),
    ),
    NotificationKind.REPLY: (
        gettext_lazy("New reply: %(subject)s"),
        gettext_lazy("%(actor)s replied to your request."),
    ),
    NotificationKind.WAITING_ON_YOU: (
        gettext_lazy("We need something from you: %(subject)s"),
        gettext_lazy("%(actor)s needs more from you before we can go on. Reply to this message or on the ticket page."),
    ),
    NotificationKind.RESOLVED: (
        gettext_lazy("Resolved: %(subject)s"),
        gettext_lazy("%(actor)s has resolved your request. If it works for you, confirm it; if not, reopen it."),
    ),
    NotificationKind.CLOSED: (
        gettext_lazy("Closed: %(subject)s"),
        gettext_lazy("Your request is closed. Thank you for reporting it."),
    ),
    NotificationKind.ESCALATED: (
        gettext_lazy("Passed to a specialist: %(subject)s"),
        gettext_lazy("Your request needs a specialist, so we have passed it to one. You do not need to do anything."),
    ),
    NotificationKind.WATCHER_ADDED: (
        gettext_lazy("You will get the updates of a help desk request: %(subject)s"),
        gettext_lazy(
            "%(actor)s added you to the public updates of the help desk request “%(subject)s”. You will hear "
            "when it changes until it is closed, or until you stop these messages with the link below."
        ),
    ),
    NotificationKind.ASSIGNED_TO_YOU: (
        gettext_lazy("Assigned to you: %(subject)s"),
        gettext_lazy("%(actor)s assigned this ticket to you."),
    ),
    NotificationKind.REQUESTER_REPLIED: (
        gettext_lazy("%(requester)s replied: %(subject)s"),
        gettext_lazy("The requester answered on a ticket of yours."),
    ),
    NotificationKind.REOPENED: (
        gettext_lazy("Reopened: %(subject)s"),
        gettext_lazy("%(actor)s reopened a ticket you resolved."),
    ),
    NotificationKind.ESCALATED_TO_YOU: (
        gettext_lazy("Escalated: %(subject)s"),
        gettext_lazy("%(actor)s escalated this ticket."),
    ),
    NotificationKind.SLA_WARNING: (
        gettext_lazy("Due soon: %(subject)s"),
        gettext_lazy("This ticket is close to its due time."),
    ),
    NotificationKind.NEW_TICKET: (
        gettext_lazy("New ticket: %(subject)s"),
        gettext_lazy("A new ticket from %(requester)s waits in triage."),
    ),
    NotificationKind.BREACH: (
        gettext_lazy("Past its due time: %(subject)s"),
        gettext_lazy("This ticket has passed its due time."),
    ),
    NotificationKind.TRIAGE_STALE: (
        gettext_lazy("Still in triage: %(subject)s"),
        gettext_lazy("This ticket has waited in triage longer than it should."),
    ),
}


def wording(kind: str, context: dict) -> tuple[str, str]:
    """The headline (also the subject) and the first sentence for one kind of news. Translated."""
    values = {
        "subject": context.get("ticket_subject", ""),
        "actor": context.get("actor_name") or _("The help desk"),
        "assignee": context.get("assignee_name") or _("a technician"),
        "status": status_label(context.get("status", "")),
        "requester": context.get("requester_name", ""),
    }
    headline, intro = _WORDING.get(kind, (pgettext("notification", "Update: %(subject)s"), ""))
    return str(headline) % values, str(intro) % values


def render_email(notification: Notification) -> EmailMultiAlternatives:
    """Build the message for one email row; does not send it."""
    from notifications.services import thread_id_for

    recipient = notification.recipient
    language = (recipient.language if recipient else "") or settings.LANGUAGE_CODE
    zone = _zone_for(recipient)
    with translation.override(language), timezone.override(zone):
        context = _template_context(notification)
        # One line, whatever the user typed: a line break in a header is refused (and would be an injection).
        subject = " ".join(str(context["subject_line"]).split())
        text = render_to_string(context["template"] + ".txt", context)
        html = render_to_string(context["template"] + ".html", context)
    headers = {"Message-ID": notification.message_id, "Auto-Submitted": "auto-generated"}
    if notification.ticket_id:
        thread = thread_id_for(notification.ticket_id)
        headers.update({"In-Reply-To": thread, "References": thread})
    if context.get("stop_url"):
        # One click in the mail client (RFC 8058) stops a watcher's messages, as the link in the text does.
        headers.update(
            {"List-Unsubscribe": f"<{context['stop_url']}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        )
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.address],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def _zone_for(recipient):
    name = getattr(recipient, "time_zone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _template_context(notification: Notification) -> dict:
    data = notification.context or {}
    site = settings.SITE_URL
    if notification.kind == NotificationKind.DIGEST:
        items = []
        for item in data.get("items", []):
            headline, intro = wording(item.get("kind", ""), item)
            items.append({**item, "headline": headline, "intro": intro, "url": site + item.get("ticket_path", "")})
        return {
            "template": "emails/digest",
            "subject_line": _("Your help desk digest: %(count)s updates") % {"count": len(items)},
            "items": items,
            "site_url": site,
            "recipient_name": getattr(notification.recipient, "first_name", ""),
        }
    headline, intro = wording(notification.kind, data)
    reference = data.get("ticket_reference", "")
    watcher_id = data.get("watcher_id")
    stop_url = site + reverse("notifications:watcher_stop", args=[watcher_stop_token(watcher_id)]) if watcher_id else ""
    return {
        "template": "emails/notification",
        "subject_line": f"[{reference}] {headline}" if reference else headline,
        "headline": headline,
        "intro": intro,
        "kind": notification.kind,
        "data": data,
        "body": data.get("body", ""),
        "resolution_notes": data.get("resolution_notes", ""),
        "ticket_reference": reference,
        # A watcher cannot open the ticket's page: their messages carry everything, and the way to stop them.
        "ticket_url": site + data.get("ticket_path", "") if data.get("ticket_path") and not watcher_id else "",
        "stop_url": stop_url,
        "when": notification.created_at,
        "recipient_name": getattr(notification.recipient, "first_name", ""),
        "site_url": site,
    }


def in_app_text(notification: Notification) -> str:
    """The one line shown in the bell's list, in the active language."""
    headline, _intro = wording(notification.kind, notification.context or {})
    reference = (notification.context or {}).get("ticket_reference", "")
    return f"{reference} · {headline}" if reference else headline
