"""The review reminder: once per review date, to the owner, through the outbox, in the owner's language."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail

from knowledge import reviews, services, tasks
from knowledge.models import Article
from notifications import services as outbox
from notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 12, 4, 6, 30, tzinfo=UTC)


def test_the_owner_is_reminded_once_per_review_date_in_their_language(technician, django_capture_on_commit_callbacks):
    technician.language = "sv"
    technician.save()
    due = factories.ArticleFactory(owner=technician, review_on=date(2026, 12, 1), title="VPN från hemmet")
    factories.ArticleFactory(owner=technician, review_on=date(2026, 12, 31))  # not yet
    factories.ArticleFactory(owner=technician, review_on=date(2026, 11, 1), status="draft")  # not published
    factories.ArticleFactory(owner=technician, review_on=None)
    with time_machine.travel(MORNING, tick=False), django_capture_on_commit_callbacks() as queued:
        assert tasks.knowledge_send_review_reminders() == 1
        assert services.article_review_reminders_send() == 0  # beat ran twice: one reminder
    assert len(queued) == 1  # the row's delivery is handed to the broker once the reminder commits
    row = Notification.objects.get(kind=reviews.KIND)
    assert (row.recipient, row.email, row.channel) == (technician, technician.email, "email")
    assert row.context["article"] == due.pk and row.context["review_on"] == "2026-12-01"
    assert outbox.notification_deliver(notification_id=row.pk).sent
    message = mail.outbox[-1]
    assert message.to == [technician.email]
    assert due.reference in message.subject and "VPN från hemmet" in message.subject
    assert "Time to review" not in message.subject  # in Swedish
    assert due.get_absolute_url() in message.body
    assert due.get_absolute_url() in message.alternatives[0][0]


def test_a_new_review_date_is_reminded_of_again(technician):
    article = factories.ArticleFactory(owner=technician, review_on=date(2026, 12, 1))
    with time_machine.travel(MORNING, tick=False):
        assert services.article_review_reminders_send() == 1
    Article.objects.filter(pk=article.pk).update(review_on=date(2027, 3, 1))
    with time_machine.travel(datetime(2027, 3, 2, 6, tzinfo=UTC), tick=False):
        assert services.article_review_reminders_send() == 1
        assert services.article_review_reminders_send() == 0
    assert Notification.objects.filter(kind=reviews.KIND).count() == 2
