"""Turn an outbox row into an email, in the recipient's language and time zone.

One pair of templates (templates/emails/notification.txt and .html) serves every kind; what differs
between kinds is the wording each app registers with its kinds (notifications.kinds). The reference (a
ticket's number) leads the subject, and Message-ID, In-Reply-To and
References make mail clients show one ticket's messages as one thread.
"""

import zoneinfo
from email import encoders
from email.mime.base import MIMEBase
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from notifications import kinds
from notifications.headers import thread_id_for
from notifications.models import Notification


def wording(kind: str, context: dict[str, Any]) -> tuple[str, str]:
    """The headline (also the subject) and the first sentence for one kind of news. Translated.

    The kind's app registered the wording and how its values are filled from the row's content.
    """
    registered = kinds.get(kind)
    if registered is None or not registered.headline:
        return pgettext("notification", "Update: %(subject)s") % {"subject": context.get("subject", "")}, ""
    values = registered.values(context)
    return str(registered.headline) % values, str(registered.intro) % values


def _details(kind: str, context: dict[str, Any]) -> dict[str, Any]:
    registered = kinds.get(kind)
    return registered.details(context) if registered is not None else {}


def render_email(notification: Notification) -> EmailMultiAlternatives:
    """Build the message for one email row; does not send it."""
    recipient = notification.recipient
    language = (recipient.language if recipient else "") or _stored_language(notification) or settings.LANGUAGE_CODE
    zone = _zone_for(recipient)
    with translation.override(language), timezone.override(zone):
        context = _template_context(notification)
        # One line, whatever the user typed: a line break in a header is refused (and would be an injection).
        subject = " ".join(str(context["subject_line"]).split())
        text = render_to_string(context["template"] + ".txt", context)
        html = render_to_string(context["template"] + ".html", context)
        registered = kinds.get(notification.kind)
        files = registered.attachments(notification.context or {}) if registered is not None else []
    headers = {"Message-ID": notification.message_id, "Auto-Submitted": "auto-generated"}
    if notification.ticket_id:
        thread = thread_id_for(notification.ticket_id)
        headers.update({"In-Reply-To": thread, "References": thread})
    answers = " ".join(str((notification.context or {}).get("in_reply_to", "")).split())
    if answers:
        # An automatic answer to someone's message (RFC 3834): threaded on it, and marked as such.
        headers.update({"In-Reply-To": answers, "References": answers, "Auto-Submitted": "auto-replied"})
        # Exchange's own out-of-office and read receipts do not answer it either.
        headers["X-Auto-Response-Suppress"] = "All"
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
    for name, content, mimetype in files:
        message.attach(_attachment(name, content, mimetype))
    return message


def _attachment(name: str, content: bytes, mimetype: str) -> MIMEBase:
    """A file as a base64 part, its bytes exactly as given: a calendar invitation keeps the CRLF line ends
    RFC 5545 asks for, which a text part's transfer encoding would turn into the message's own."""
    kind, *params = (piece.strip() for piece in mimetype.split(";"))
    maintype, subtype = kind.split("/", 1)
    part = MIMEBase(maintype, subtype)
    for param in params:
        name, _equals, value = param.partition("=")
        part.set_param(name, value)
    part.set_payload(content)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=name)
    return part


def _stored_language(notification: Notification) -> str:
    """The language a row to an address only was written for (its "language"), when the desk speaks it."""
    language = str((notification.context or {}).get("language", ""))
    return language if language in dict(settings.LANGUAGES) else ""


def _zone_for(recipient: Any) -> zoneinfo.ZoneInfo:
    name = getattr(recipient, "time_zone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _template_context(notification: Notification) -> dict[str, Any]:
    data = notification.context or {}
    site = settings.SITE_URL
    if notification.kind == kinds.DIGEST:
        items = []
        for item in data.get("items", []):
            headline, intro = wording(item.get("kind", ""), item)
            url = site + _details(item.get("kind", ""), item).get("url", "")
            items.append({**item, "headline": headline, "intro": intro, "url": url})
        return {
            "template": "emails/digest",
            "subject_line": _("Your help desk digest: %(count)s updates") % {"count": len(items)},
            "items": items,
            "site_url": site,
            "recipient_name": getattr(notification.recipient, "first_name", ""),
        }
    headline, intro = wording(notification.kind, data)
    registered = kinds.get(notification.kind)
    if registered is not None and registered.template:
        return {
            "template": registered.template,
            "subject_line": headline,
            "headline": headline,
            "intro": intro,
            "data": data,
            "site_url": site,
            "recipient_name": getattr(notification.recipient, "first_name", ""),
        }
    extra = _details(notification.kind, data)
    reference = extra.get("reference", "")
    stop_url = site + extra["stop_path"] if extra.get("stop_path") else ""
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
        "ticket_url": site + extra["page_path"] if extra.get("page_path") else "",
        "stop_url": stop_url,
        "when": notification.created_at,
        "recipient_name": getattr(notification.recipient, "first_name", ""),
        "site_url": site,
    }


def in_app_text(notification: Notification) -> str:
    """The one line shown in the bell's list, in the active language."""
    data = notification.context or {}
    headline, _intro = wording(notification.kind, data)
    reference = _details(notification.kind, data).get("reference", "")
    return f"{reference} · {headline}" if reference else headline
