"""Every mail's HTML part declares the language it is written in: the recipient's."""

import datetime as dt
import re

import pytest

from notifications.models import Notification, NotificationChannel
from notifications.rendering import render_email
from tests import factories

pytestmark = pytest.mark.django_db


def _html_language(message):
    html = message.alternatives[0][0]
    found = re.search(r'<html lang="([^"]*)"', html)
    assert found is not None
    return found.group(1)


def _row(user, kind, context):
    return Notification.objects.create(
        recipient=user,
        email=user.email,
        kind=kind,
        channel=NotificationChannel.EMAIL,
        message_id=f"<{kind}-{user.pk}@example.org>",
        created_at=dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC),
        context=context,
    )


@pytest.mark.parametrize("language", ["sv", "pl"])
def test_a_ticket_mail_declares_the_recipient_s_language(language):
    user = factories.UserFactory(language=language)
    ticket = factories.TicketFactory()
    row = _row(user, "reply", {"ticket_reference": ticket.reference, "ticket_subject": "Printer", "ticket_path": "/"})
    row.ticket = ticket
    row.save()
    assert _html_language(render_email(row)) == language


@pytest.mark.parametrize("language", ["sv", "pl"])
def test_a_digest_declares_the_recipient_s_language(language):
    user = factories.UserFactory(language=language)
    items = [{"kind": "reply", "ticket_reference": "HD-1", "ticket_subject": "Printer", "ticket_path": "/"}]
    assert _html_language(render_email(_row(user, "digest", {"items": items}))) == language


@pytest.mark.parametrize("language", ["sv", "pl"])
def test_an_article_review_reminder_declares_the_recipient_s_language(language):
    from knowledge import reviews

    user = factories.UserFactory(language=language)
    article = factories.ArticleFactory(review_on=dt.date(2026, 6, 1))
    row = _row(user, reviews.KIND, reviews.reminder_content(article))
    assert _html_language(render_email(row)) == language


def test_without_a_language_the_mail_declares_the_desk_s(settings):
    user = factories.UserFactory(language="")
    ticket = factories.TicketFactory()
    row = _row(user, "reply", {"ticket_reference": ticket.reference, "ticket_subject": "Printer", "ticket_path": "/"})
    assert _html_language(render_email(row)) == settings.LANGUAGE_CODE
