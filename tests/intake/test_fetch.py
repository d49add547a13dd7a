"""The IMAP fetcher against a real Dovecot (tests/fixtures/imap.py): every message read once, moved once."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from intake import fetching
from intake.models import InboundMessage, InboundStatus, MailboxState
from notifications.models import Notification
from tests import factories
from tests.intake.mail import raw
from tickets.models import Comment, Ticket

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEFAULT_FROM_EMAIL = "Help desk <helpdesk@localhost>"


def box(entry: dict) -> fetching.Mailbox:
    return fetching.Mailbox(**entry)


def numbered(index: int, sender: str = "Rita Requester <Rita.Requester@Example.org>") -> bytes:
    """A plain new message of its own Message-ID and subject."""
    return (
        raw("plain.eml")
        .replace(b"<plain-1@mail.example.org>", f"<batch-{index}@mail.example.org>".encode())
        .replace(b"Printer on floor 3 prints blank pages", f"Problem number {index}".encode())
        .replace(b"Rita Requester <Rita.Requester@Example.org>", sender.encode())
    )


def test_each_kind_of_message_is_read_once_and_moved_out_of_the_folder(dovecot, imap_mailbox, requester, technician):
    ticket = factories.TicketFactory(
        requester=requester.employee, assignee=technician, status="in_progress", subject="Printer jams"
    )
    notification = Notification.objects.create(recipient=requester, ticket=ticket, kind="digest", channel="email")
    Notification.objects.filter(pk=notification.pk).update(message_id=f"<notification-{notification.pk}@127.0.0.1>")
    factories.EmployeeFactory(first_name="Łukasz", last_name="Nowak", email="lukasz.nowak@example.org")
    mails = {
        "plain.eml": InboundStatus.TICKET,
        "html-only.eml": InboundStatus.TICKET,
        "alternative.eml": InboundStatus.TICKET,
        "attachment.eml": InboundStatus.TICKET,
        "windows-1250.eml": InboundStatus.TICKET,
        "outlook-reply.eml": InboundStatus.REPLY,
        "out-of-office.eml": InboundStatus.IGNORED,
        "bounce.eml": InboundStatus.IGNORED,
    }
    user = imap_mailbox["user"]
    dovecot.deliver(user, *(raw(name, ticket=ticket.pk, notification=notification.pk) for name in mails))

    result = fetching.mailbox_fetch(box(imap_mailbox))

    assert result.error == ""
    statuses = dict(InboundMessage.objects.values_list("subject", "status"))
    assert sorted(statuses.values()) == sorted(mails.values()), statuses
    assert result.counts == {"ticket": 5, "reply": 1, "ignored": 2}
    assert dovecot.contents(user) == []
    assert len(dovecot.contents(user, "Processed")) == len(mails)
    assert dovecot.contents(user, "Failed") == []
    reply = Comment.objects.get(ticket=ticket)
    assert reply.body == "Yes, it works again after the restart, thank you."
    state = MailboxState.objects.get(name=imap_mailbox["name"])
    assert (state.last_count, state.last_error, state.lease_until) == (len(mails), "", None)
    assert state.last_success_at is not None

    # Read again: nothing left, nothing doubled.
    assert fetching.mailbox_fetch(box(imap_mailbox)).total == 0
    assert InboundMessage.objects.count() == len(mails)


def test_starttls_reads_the_mailbox_too(dovecot, settings, requester):
    entry = dovecot.mailbox(security="starttls")
    dovecot.deliver(entry["user"], raw("plain.eml"))

    result = fetching.mailbox_fetch(box(entry))

    assert (result.error, result.counts) == ("", {"ticket": 1})
    assert Ticket.objects.get().subject == "Printer on floor 3 prints blank pages"


def test_a_failed_message_goes_to_the_error_folder_with_its_reason(dovecot, imap_mailbox, monkeypatch, requester):
    def broken(**kwargs):
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr("intake.services.ticket_create", broken)
    user = imap_mailbox["user"]
    dovecot.deliver(user, raw("plain.eml"))

    fetching.mailbox_fetch(box(imap_mailbox))

    assert dovecot.contents(user) == []
    assert len(dovecot.contents(user, "Failed")) == 1  # kept, never deleted
    row = InboundMessage.objects.get()
    assert row.status == InboundStatus.FAILED
    assert "the disk caught fire" in row.reason


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"password": "wrong"}, "AUTHENTICATIONFAILED"),
        ({"ca_file": ""}, "TLS: self-signed certificate"),
        ({"port": 1}, "ConnectionRefusedError"),
    ],
)
def test_a_mailbox_that_cannot_be_read_is_said_and_its_mail_left(dovecot, imap_mailbox, requester, change, expected):
    dovecot.deliver(imap_mailbox["user"], raw("plain.eml"))

    result = fetching.mailbox_fetch(box({**imap_mailbox, **change}))

    assert expected in result.error
    state = MailboxState.objects.get(name=imap_mailbox["name"])
    assert expected in state.last_error
    assert state.lease_until is None
    assert not InboundMessage.objects.exists()
    assert len(dovecot.contents(imap_mailbox["user"])) == 1


def test_a_fetcher_dying_between_recording_and_moving_loses_and_doubles_nothing(
    dovecot, imap_mailbox, monkeypatch, requester
):
    user = imap_mailbox["user"]
    dovecot.deliver(user, *(numbered(index) for index in range(5)))

    def dies(client, uids, folder):
        raise SystemExit("killed")  # the rows are committed; the move never happens

    monkeypatch.setattr(fetching, "_move", dies)
    with pytest.raises(SystemExit):
        fetching.mailbox_fetch(box(imap_mailbox))
    assert InboundMessage.objects.count() == 5
    assert len(dovecot.contents(user)) == 5
    monkeypatch.undo()

    result = fetching.mailbox_fetch(box(imap_mailbox))

    assert result.counts == {"ticket": 5}  # each found recorded: moved, not processed again
    assert Ticket.objects.count() == 5
    assert InboundMessage.objects.count() == 5
    assert dovecot.contents(user) == []
    assert len(dovecot.contents(user, "Processed")) == 5


def test_a_second_fetcher_leaves_a_mailbox_being_read_alone(dovecot, imap_mailbox, requester):
    dovecot.deliver(imap_mailbox["user"], numbered(1), numbered(2))
    seen = []

    def another_fetcher_meanwhile(uid, status):
        seen.append(fetching.mailbox_fetch(box(imap_mailbox)))

    fetching.mailbox_fetch(box(imap_mailbox), after_each=another_fetcher_meanwhile)

    assert [result.busy for result in seen] == [True, True]
    assert Ticket.objects.count() == 2


def test_the_same_message_delivered_twice_makes_one_ticket(dovecot, imap_mailbox, requester):
    dovecot.deliver(imap_mailbox["user"], numbered(1), numbered(1))

    result = fetching.mailbox_fetch(box(imap_mailbox))

    assert result.counts == {"ticket": 2}  # both copies moved, the second found already recorded
    assert Ticket.objects.count() == 1
    assert len(dovecot.contents(imap_mailbox["user"], "Processed")) == 2


def test_a_read_takes_at_most_its_batch(dovecot, imap_mailbox, requester):
    dovecot.deliver(imap_mailbox["user"], *(numbered(index) for index in range(3)))

    assert fetching.mailbox_fetch(box(imap_mailbox), limit=2).total == 2
    assert len(dovecot.contents(imap_mailbox["user"])) == 1


def test_mail_fetch_command_reads_the_configured_mailboxes(dovecot, imap_mailbox, requester):
    dovecot.deliver(imap_mailbox["user"], raw("plain.eml"))
    out = _call("mail_fetch")

    assert f"{imap_mailbox['name']}: 1 message(s) (ticket 1)" in out
    assert Ticket.objects.count() == 1


def test_mail_fetch_command_says_what_is_missing(settings, db):
    settings.INTAKE_MAILBOXES = []

    with pytest.raises(CommandError, match="INTAKE_IMAP_HOST"):
        call_command("mail_fetch")


def test_the_beat_task_does_nothing_without_a_mailbox(settings, db):
    from intake.tasks import intake_mail_fetch

    settings.INTAKE_MAILBOXES = []
    intake_mail_fetch.apply(throw=True)

    assert not MailboxState.objects.exists()


def _call(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- in real processes ------------------------------------------------------------------------------

SUBPROCESS_REDIS = "redis://127.0.0.1:6379/13"


def _environment(entry: dict, tmp_path: Path) -> dict[str, str]:
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": SUBPROCESS_REDIS,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "VAR_DIR": str(tmp_path / "var"),
        "DEFAULT_FROM_EMAIL": "helpdesk@localhost",
    }
    for key, value in entry.items():
        environment[f"INTAKE_IMAP_{key.upper()}"] = str(value)
    return environment


@pytest.fixture
def subprocess_queue():
    yield
    redis.Redis.from_url(SUBPROCESS_REDIS).flushdb()  # the notification tasks the processes queued


def test_the_beat_schedule_reads_mail_only_when_a_mailbox_is_configured(dovecot, tmp_path):
    probe = "from django.conf import settings; print(settings.CELERY_BEAT_SCHEDULE.get('intake-mail-fetch'))"
    command = [sys.executable, "-c", f"import django; django.setup(); {probe}"]
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "helpdesk.settings"}
    base.pop("INTAKE_IMAP_HOST", None)

    without = subprocess.run(command, env=base, cwd=ROOT, capture_output=True, text=True, check=True)
    configured = {**base, **{k: v for k, v in _environment(dovecot.mailbox(), tmp_path).items() if "IMAP" in k}}
    with_box = subprocess.run(command, env=configured, cwd=ROOT, capture_output=True, text=True, check=True)

    assert without.stdout.strip() == "None"
    assert "intake.tasks.intake_mail_fetch" in with_box.stdout


@pytest.mark.django_db(transaction=True)
def test_a_fetcher_killed_in_the_middle_of_a_batch_loses_and_doubles_nothing(
    dovecot, requester, tmp_path, subprocess_queue, settings
):
    entry = dovecot.mailbox()
    count = 60
    settings.INTAKE_MAX_PER_SENDER_HOUR = count  # one sender writes them all
    dovecot.deliver(entry["user"], *(numbered(index) for index in range(count)))
    environment = {**_environment(entry, tmp_path), "INTAKE_MAX_PER_SENDER_HOUR": str(count)}
    fetcher = subprocess.Popen(
        [sys.executable, "manage.py", "mail_fetch"], cwd=ROOT, env=environment, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(2000):  # bounded: waits for the fetcher's progress, about twenty seconds at most
            if InboundMessage.objects.count() >= 5 or fetcher.poll() is not None:
                break
            connection.close()  # each look in a fresh transaction of its own
            _pause()
        fetcher.send_signal(signal.SIGKILL)
    finally:
        fetcher.wait(timeout=30)
    done = InboundMessage.objects.count()
    assert 5 <= done < count, "the fetcher was not stopped in the middle of its batch"
    state = MailboxState.objects.get(name=entry["name"])
    assert state.lease_until is not None  # a killed fetcher cannot let go of the mailbox...

    assert fetching.mailbox_fetch(box(entry)).busy  # ...so another leaves it alone until its lease runs out
    with time_machine.travel(timezone.now() + fetching.LEASE + timedelta(seconds=1)):
        result = fetching.mailbox_fetch(box(entry))

    assert result.error == ""
    assert InboundMessage.objects.count() == count
    assert Ticket.objects.count() == count
    subjects = sorted(Ticket.objects.values_list("subject", flat=True))
    assert subjects == sorted(f"Problem number {index}" for index in range(count))
    assert dovecot.contents(entry["user"]) == []
    assert len(dovecot.contents(entry["user"], "Processed")) == count


def _pause() -> None:
    import time

    time.sleep(0.01)  # waiting for another process's progress, not for time to pass


def test_a_strangers_reply_quoting_a_ticket_number_never_posts_there(dovecot, imap_mailbox, requester, requester_2):
    ticket = factories.TicketFactory(requester=requester.employee, status="in_progress", subject="Printer jams")
    dovecot.deliver(imap_mailbox["user"], raw("stranger-reply.eml", ticket=ticket.pk))

    fetching.mailbox_fetch(box(imap_mailbox))

    row = InboundMessage.objects.get()
    assert row.status == InboundStatus.TICKET
    assert row.ticket.requester == requester_2.employee
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_a_mail_loop_with_an_auto_responder_through_the_mailbox_ends(dovecot, imap_mailbox, settings, db):
    """A responder that answers every message without marking its answers as automatic: it writes, the desk
    answers it (an unknown address), it answers the answer, and so on, each round read from the mailbox."""
    settings.INTAKE_UNKNOWN_SENDERS = "answer"
    settings.INTAKE_MAX_PER_SENDER_HOUR = 4
    responder = "robot@vendor.example"
    first = numbered(0, sender=responder)
    dovecot.deliver(imap_mailbox["user"], first)
    for turn in range(1, 10):
        fetching.mailbox_fetch(box(imap_mailbox))
        answer = Notification.objects.filter(email=responder).order_by("-pk").first()
        answered = answer.message_id if answer is not None else "<none@vendor.example>"
        echo = numbered(turn, sender=responder).replace(
            b"Subject: Problem", f"In-Reply-To: {answered}\nSubject: Re: Problem".encode()
        )
        dovecot.deliver(imap_mailbox["user"], echo)
    fetching.mailbox_fetch(box(imap_mailbox))

    assert InboundMessage.objects.count() == 10
    assert Notification.objects.filter(email=responder).count() == 1  # one answer in the hour, not ten
    assert not Ticket.objects.exists()
    assert dovecot.contents(imap_mailbox["user"]) == []
