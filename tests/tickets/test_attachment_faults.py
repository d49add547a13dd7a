"""Files under faults: a full disk is a form error, a rolled-back change leaves no file, orphans are swept.

The disk is real (a tiny tmpfs, tests/fixtures/full_disk.py), the database failures are real constraint
violations, and the rollbacks are PostgreSQL's own.
"""

import logging
import os
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from helpdesk.celery import app as celery_app
from notifications.models import Notification
from tests.fixtures.full_disk import bigger_than_free
from tickets import attachments, services, tasks
from tickets.models import Attachment, Comment, Event, EventKind, Ticket

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MESSAGE = attachments.FilesNotStored.message


class Abandoned(Exception):
    """Raised by a test to roll back the transaction around it."""


def _png(name="screen.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _files(folder) -> list[Path]:
    return sorted(path for path in Path(folder).rglob("*") if path.is_file())


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Ticket, Comment, Attachment, Event, Notification)}


def _assert_files_error_beside_the_field(response, form):
    assert response.status_code == 507
    assert form.errors["attachments"] == [str(MESSAGE)]
    # Right under the file input, which points at it for screen readers.
    # The ticket page prefixes its reply box's fields (reply-attachments); the report form has none.
    field = form["attachments"].auto_id
    assert f'<p id="error_1_{field}"><strong>{escape(MESSAGE)}</strong></p>' in response.text
    assert f'id="{field}" aria-invalid="true" aria-describedby="{field}_helptext {field}_error"' in response.text


# --- a full disk -------------------------------------------------------------------------------


@pytest.mark.parametrize(("view", "who"), [("tickets:reply", "requester"), ("tickets:note", "technician")])
def test_a_full_disk_on_a_reply_or_a_note_is_a_form_error_that_keeps_the_text(
    full_disk, client_for, request, assigned_ticket, view, who
):
    client = client_for(request.getfixturevalue(who))
    before = _counts()
    body = "The crash log of last night is attached & the screen went black."
    url = reverse(view, kwargs={"number": assigned_ticket.pk})
    upload = SimpleUploadedFile("crash.log", bigger_than_free(full_disk), content_type="text/plain")

    response = client.post(url, {"body": body, "attachments": [upload]})

    _assert_files_error_beside_the_field(response, response.context["comment_form"])
    assert escape(body) in response.text  # the text area holds what was typed
    assert _counts() == before  # no comment, attachment, Event or outbox row
    assert _files(full_disk) == []  # the part written before the disk filled up is gone too
    assigned_ticket.refresh_from_db()
    assert assigned_ticket.version == 1

    # As the message says: the same text without the files goes through, on the same disk.
    assert client.post(url, {"body": body}).status_code == 302
    assert Comment.objects.get().body == body


def test_a_full_disk_on_a_new_ticket_is_a_form_error_that_keeps_the_text(full_disk, client_for, requester):
    client = client_for(requester)
    before = _counts()
    typed = {
        "subject": "Screen flickers",
        "description": "Since Tuesday's update, every few minutes.",
        "impact": 3,
        "urgency": 2,
        "submission": "one-form-key",
    }
    upload = SimpleUploadedFile("video-notes.txt", bigger_than_free(full_disk), content_type="text/plain")

    response = client.post(reverse("tickets:submit"), {**typed, "attachments": [upload]})

    _assert_files_error_beside_the_field(response, response.context["form"])
    assert 'value="Screen flickers"' in response.text
    assert escape(typed["description"]) in response.text
    assert 'value="one-form-key"' in response.text  # the same form: a retry makes one ticket
    assert _counts() == before
    assert _files(full_disk) == []

    response = client.post(reverse("tickets:submit"), typed)
    assert response.status_code == 302
    assert Ticket.objects.get().subject == "Screen flickers"


def test_one_file_too_many_for_the_disk_takes_the_others_of_the_reply_with_it(full_disk, client_for, requester, ticket):
    small = _png("first.png")
    big = SimpleUploadedFile("second.log", bigger_than_free(full_disk), content_type="text/plain")
    response = client_for(requester).post(
        reverse("tickets:reply", kwargs={"number": ticket.pk}), {"body": "Two files", "attachments": [small, big]}
    )
    assert response.status_code == 507
    assert not Attachment.objects.exists()
    assert _files(full_disk) == []  # the first file was written whole: its rollback removed it


# --- a failure after the write -----------------------------------------------------------------


def _refuse_events_of_kind(kind: str) -> None:
    """A real CHECK constraint on the Event table, undone with the test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {Event._meta.db_table} ADD CONSTRAINT test_refused_kind CHECK (kind <> %s) NOT VALID",
            [kind],
        )


def test_a_database_error_after_the_file_was_written_leaves_no_file(settings, requester, ticket):
    _refuse_events_of_kind(EventKind.REPLIED)
    with pytest.raises(IntegrityError):
        services.comment_add(ticket=ticket, by=requester, body="See the photo", files=[_png()])
    assert not Comment.objects.exists()
    assert _files(settings.MEDIA_ROOT) == []


def test_a_database_error_after_the_file_was_written_leaves_no_file_nor_ticket(settings, requester):
    _refuse_events_of_kind(EventKind.CREATED)
    with pytest.raises(IntegrityError):
        services.ticket_create(
            by=requester, requester=requester.employee, subject="Cracked", impact=3, urgency=2, files=[_png()]
        )
    assert not Ticket.objects.exists()
    assert _files(settings.MEDIA_ROOT) == []


def test_an_outer_transaction_that_rolls_back_takes_the_files_of_the_service_with_it(settings, requester, ticket):
    with pytest.raises(Abandoned), transaction.atomic():
        services.comment_add(ticket=ticket, by=requester, body="See the photo", files=[_png()])
        assert len(_files(settings.MEDIA_ROOT)) == 1  # written; its fate is the outer transaction's
        raise Abandoned
    assert _files(settings.MEDIA_ROOT) == []


def test_a_savepoint_that_rolls_back_takes_only_its_own_files(settings, requester, ticket):
    # As one ticket of a bulk change: its savepoint rolls back, the rest of the transaction goes on.
    with transaction.atomic():
        try:
            with transaction.atomic():
                services.comment_add(ticket=ticket, by=requester, body="first", files=[_png("first.png")])
                raise Abandoned
        except Abandoned:
            pass
        services.comment_add(ticket=ticket, by=requester, body="second", files=[_png("second.png")])
    kept = Attachment.objects.get()
    assert kept.original_name == "second.png"
    assert _files(settings.MEDIA_ROOT) == [Path(kept.file.path)]


@pytest.mark.django_db(transaction=True)
def test_a_real_commit_keeps_the_files_and_a_real_rollback_removes_them(settings, requester, ticket):
    services.comment_add(ticket=ticket, by=requester, body="kept", files=[_png("kept.png")])
    with pytest.raises(Abandoned), transaction.atomic():
        services.comment_add(ticket=ticket, by=requester, body="dropped", files=[_png("dropped.png")])
        raise Abandoned
    kept = Attachment.objects.get()
    assert kept.original_name == "kept.png"
    assert _files(settings.MEDIA_ROOT) == [Path(kept.file.path)]


@pytest.mark.django_db(transaction=True)
def test_files_of_a_commit_whose_callbacks_were_cut_short_are_kept(settings, requester, ticket, caplog):
    """Another on_commit callback that raises stops Django's callbacks, ours too: the commit stands, so the file
    must stay (the sweep would take it after a day if it were truly an orphan)."""

    def broken_callback():
        raise RuntimeError("a callback of someone else")

    caplog.set_level(logging.WARNING, logger="tickets.attachments")
    try:
        with transaction.atomic():
            transaction.on_commit(broken_callback)
            services.comment_add(ticket=ticket, by=requester, body="kept", files=[_png("kept.png")])
    except RuntimeError:
        pass
    kept = Attachment.objects.get()
    assert _files(settings.MEDIA_ROOT) == [Path(kept.file.path)]
    assert "commit's callbacks were cut short" in caplog.text  # the guard was dropped, and chose to keep
    # Django keeps saying a commit's callbacks are due until the connection's next commit: make it, as the next
    # request would, so the tests after this one see a connection in its usual state.
    with transaction.atomic():
        pass
    assert not connection.run_commit_hooks_on_set_autocommit_on


# --- orphans -----------------------------------------------------------------------------------


def _file(root: Path, name: str, *, age: timedelta) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PNG)
    then = time.time() - age.total_seconds()
    os.utime(path, (then, then))
    return path


def _row(ticket, name: str) -> Attachment:
    return Attachment.objects.create(ticket=ticket, file=name, original_name="a.png", size=len(PNG))


def test_the_sweep_removes_old_orphans_only(settings, ticket):
    root = Path(settings.MEDIA_ROOT)
    killed = [_file(root, f"attachments/2026/01/killed-{n}.png", age=timedelta(days=2)) for n in range(3)]
    young = _file(root, "attachments/2026/12/young.png", age=timedelta(hours=23))
    with_rows = [
        _file(root, "attachments/2026/01/old-with-row.png", age=timedelta(days=400)),
        _file(root, "attachments/2026/12/new-with-row.png", age=timedelta(minutes=1)),
    ]
    for path in with_rows:
        _row(ticket, path.relative_to(root).as_posix())
    import_stash = _file(root, "imports/1-token.csv", age=timedelta(days=3))  # the import's own sweep's

    assert tasks.attachments_remove_orphans.apply().get() == 3

    assert not any(path.exists() for path in killed)
    assert young.exists() and import_stash.exists()
    assert all(path.exists() for path in with_rows)
    assert Attachment.objects.count() == 2
    # Twice is harmless: nothing more to do.
    assert attachments.attachments_remove_orphans() == 0
    assert young.exists() and all(path.exists() for path in with_rows)

    # The young orphan's transaction cannot still be open a day later.
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        assert attachments.attachments_remove_orphans() == 1
    assert not young.exists()
    assert all(path.exists() for path in with_rows)


def test_the_sweep_with_nothing_ever_uploaded(settings):
    assert not (Path(settings.MEDIA_ROOT) / "attachments").exists()
    assert attachments.attachments_remove_orphans() == 0


def test_the_sweep_reads_thousands_of_files_in_batches(settings, ticket):
    root = Path(settings.MEDIA_ROOT)
    names = [f"attachments/2026/{1 + n % 3:02}/{n:05}.png" for n in range(3000)]
    for name in names:
        _file(root, name, age=timedelta(days=2))
    Attachment.objects.bulk_create(
        Attachment(ticket=ticket, file=name, original_name="a.png", size=len(PNG)) for name in names[::2]
    )
    with CaptureQueriesContext(connection) as queries:
        removed = attachments.attachments_remove_orphans(batch_size=250)
    assert removed == 1500
    assert len(queries) == 3000 // 250  # one question to the database per batch, never the whole table
    assert sorted(path.relative_to(root).as_posix() for path in _files(root)) == sorted(names[::2])


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_remove_each_orphan_once_and_nothing_else(settings, ticket):
    root = Path(settings.MEDIA_ROOT)
    orphans = [_file(root, f"attachments/2026/01/orphan-{n:03}.png", age=timedelta(days=2)) for n in range(300)]
    kept = [_file(root, f"attachments/2026/01/kept-{n:03}.png", age=timedelta(days=2)) for n in range(100)]
    for path in kept:
        _row(ticket, path.relative_to(root).as_posix())
    start = threading.Barrier(2)
    removed: list[int] = []
    errors: list[BaseException] = []

    def sweep():
        try:
            start.wait()
            removed.append(attachments.attachments_remove_orphans(batch_size=20))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(removed) == len(orphans)
    assert not any(path.exists() for path in orphans)
    assert all(path.exists() for path in kept)


def test_beat_runs_the_sweep_every_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["attachments-remove-orphans"]
    assert entry == {"task": "tickets.tasks.attachments_remove_orphans", "schedule": 60 * 60}
    celery_app.loader.import_default_modules()
    assert entry["task"] in celery_app.tasks
