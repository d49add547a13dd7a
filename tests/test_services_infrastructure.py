"""The real services the later features rely on: a Celery worker on Redis and an SMTP server."""

import uuid

import pytest
import redis
from celery import shared_task
from django.conf import settings
from django.core import mail


@shared_task(name="tests.remember")
def remember(key: str, value: str) -> None:
    redis.Redis.from_url(settings.REDIS_URL).rpush(key, value)


@pytest.mark.celery_worker
def test_a_task_queued_on_redis_runs_in_a_real_worker(celery_worker):
    key = f"test-{uuid.uuid4().hex}"
    remember.delay(key, "done")
    # Block on Redis until the worker pushes its answer: waits for the event, never for a fixed time.
    answer = redis.Redis.from_url(settings.REDIS_URL).blpop([key], timeout=20)
    assert answer == (key.encode(), b"done")


def test_mail_sent_through_smtp_reaches_the_sink(smtp_sink):
    mail.send_mail("Ärende HD-1", "Hej Łukasz", "helpdesk@example.org", ["lukasz@example.org"])
    messages = smtp_sink.wait_for(1)
    assert len(messages) == 1
    assert messages[0]["Subject"] == "Ärende HD-1"
    assert "Hej Łukasz" in messages[0].get_content()


def test_the_sink_can_refuse_like_a_busy_server(smtp_sink):
    smtp_sink.refuse_next = 1
    with pytest.raises(Exception, match="try again"):
        mail.send_mail("First", "Body", "helpdesk@example.org", ["a@example.org"])
    mail.send_mail("Second", "Body", "helpdesk@example.org", ["a@example.org"])
    assert [message["Subject"] for message in smtp_sink.wait_for(1)] == ["Second"]
