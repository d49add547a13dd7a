"""The files of attachments on disk: written inside the change that adds them, and never left behind by it.

A file is not a row: the database forgets a rolled-back change, the disk does not. Three rules keep them in
step, whatever happens between the write and the commit:

1. **A write that fails is a clean refusal.** `attachment_file_save` writes one upload; when the disk says no
   (full, over quota, not writable, file too large for it: any OSError) it removes what it had written of
   the file and raises `FilesNotStored`. The service lets it through, so its transaction rolls back whole
   (no ticket, no comment, no Event, no outbox row) and the view shows the form again, with the typed text.

2. **The files of a change that rolls back are removed.** Django tells of a commit (`transaction.on_commit`)
   but has no hook for a rollback. It does something as good, though: a callback registered inside an atomic
   block is dropped, unrun, exactly when the work it was registered in is undone. Rolling back a savepoint
   drops the callbacks registered since it was taken; rolling back the transaction, or losing the connection
   in the middle of it, drops all of them; a commit runs them. This holds however the blocks nest: the
   service's own block failing (a constraint violated after the write), an outer block that rolls back after
   the service returned (a service called inside another's transaction, one ticket's savepoint in a bulk
   change), or the whole transaction.

   So every written file gets a guard (`_RemovedUnlessCommitted`), registered with `on_commit`. When the
   transaction commits, Django calls it and it stands down: the file stays. When its work is rolled back,
   Django drops it without calling it, and the guard's finalizer (`weakref.finalize`) removes the file. On
   CPython, which runs the desk, an object nobody refers to any more is freed at once, so this happens
   during the rollback itself; nothing else holds a guard (it is never kept in a variable).

   One case is ambiguous, and then the file is kept: when another on_commit callback of the same commit
   raises, Django stops running the rest, so our guard is dropped unrun although the transaction committed.
   Removing the file would break an attachment whose row exists; keeping a file whose row does not exist
   costs a day of disk, until the sweep (3.) takes it.

3. **Whatever is still left is swept.** A process killed between the write and the commit (a worker
   restarted, the machine lost power) runs no finalizer. `attachments_remove_orphans` (Celery beat, hourly)
   removes the files under the attachments' folder that no Attachment row points at and that were last
   modified more than a day ago. Younger ones are left alone: they may belong to a transaction still open.
"""

import logging
import os
import weakref
from collections.abc import Iterable, Iterator
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import Protocol, cast

from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import ATTACHMENT_FOLDER, Attachment

logger = logging.getLogger(__name__)

# An orphan is removed only once it is this old: a younger file may belong to a transaction still open.
ORPHAN_MIN_AGE = timedelta(days=1)


class StoredFile(Protocol):
    """A row with a private file and the name its uploader gave it: an attachment, a training's material."""

    file: FieldFile
    original_name: str


class FilesNotStored(Exception):
    """An uploaded file could not be written; what was written of it is gone, and nothing of the change stays."""

    message = _(
        "The files could not be stored (the server's disk may be full); nothing was sent. Your text is still "
        "here: try again, or send it without the files."
    )


# --- writing -----------------------------------------------------------------------------------


def attachment_file_save(attachment: StoredFile, upload) -> None:
    """Write `upload` as the file of `attachment` (not saved yet), inside the caller's transaction.

    The file stays only if that transaction commits (see the module's docstring). Raises FilesNotStored when
    the disk refuses the write, after removing the part that was written.
    """
    field = attachment.file.field
    storage = field.storage
    # The name first, so a failed write knows what to remove: it is new (a random UUID), never another file's.
    name = field.generate_filename(attachment, upload.name)  # type: ignore[arg-type]  # a model, by the Protocol
    try:
        name = storage.save(name, upload, max_length=field.max_length)
    except OSError as error:
        _remove([name])
        # The person gets a form error, not a 500; the operators still need to hear of it.
        logger.error("attachment file %s not stored: %s", name, error, exc_info=True)
        raise FilesNotStored from error
    attachment.file = name  # type: ignore[assignment]  # a FileField takes the stored name
    transaction.on_commit(_RemovedUnlessCommitted([name]))


class _RemovedUnlessCommitted:
    """An on_commit callback that keeps `names` when called and removes them when Django drops it unrun."""

    def __init__(self, names: list[str]):
        # The finalizer refers to the names, never to this object, or this object could never be freed.
        self._finalizer = weakref.finalize(self, _remove_dropped, names)

    def __call__(self) -> None:
        self._finalizer.detach()


def _remove_dropped(names: list[str]) -> None:
    # Also called at interpreter exit for a transaction that never ended: the database rolls that back too.
    try:
        connection = transaction.get_connection()
        # Set by a commit until its callbacks have all run: a guard dropped while it is set was cut off by
        # another callback that raised, after a commit. Keep the files; the sweep takes them if no row has them.
        if getattr(connection, "run_commit_hooks_on_set_autocommit_on", False):
            logger.warning("attachment files %s kept: the commit's callbacks were cut short", names)
            return
    except Exception:  # a finalizer must never raise; at interpreter exit the connections may be gone
        logger.warning("attachment files %s: could not tell whether their change committed", names, exc_info=True)
    _remove(names)


def _storage() -> FileSystemStorage:
    return cast(FileSystemStorage, Attachment._meta.get_field("file").storage)


def _remove(names: Iterable[str]) -> None:
    storage = _storage()
    for name in names:
        try:
            Path(storage.path(name)).unlink(missing_ok=True)
        except OSError:
            logger.warning("attachment file %s could not be removed; the orphan sweep will", name, exc_info=True)


# --- the orphan sweep --------------------------------------------------------------------------


def attachments_remove_orphans(*, now=None, min_age: timedelta = ORPHAN_MIN_AGE, batch_size: int = 1000) -> int:
    """Remove the files under the attachments' folder that no Attachment row points at and that were last
    modified more than `min_age` ago (a request killed between its write and its commit leaves them).
    Returns how many it removed.

    It walks the folder lazily and asks the database about `batch_size` names at a time (an index look-up
    each), so neither the folder nor the table is ever held in memory whole. Safe to run twice at once: a
    file the other run removed first is skipped, and each file is counted by the run that removed it.
    """
    now = now or timezone.now()
    oldest_kept = (now - min_age).timestamp()
    root = Path(_storage().location)
    removed = 0
    for batch in _batches(_files_older_than(root / ATTACHMENT_FOLDER, root, oldest_kept), batch_size):
        known = set(Attachment.objects.filter(file__in=batch).values_list("file", flat=True))
        for name in batch:
            if name not in known and _removed(root / name):
                removed += 1
    if removed:
        logger.info("removed %s orphan attachment files", removed)
    return removed


def _files_older_than(folder: Path, root: Path, limit: float) -> Iterator[str]:
    """Storage names (relative to `root`, with /) of the regular files under `folder` modified before `limit`."""
    try:
        entries = os.scandir(folder)
    except FileNotFoundError:
        return  # nothing was ever uploaded
    with entries:
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    yield from _files_older_than(Path(entry.path), root, limit)
                elif entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < limit:
                    yield Path(entry.path).relative_to(root).as_posix()
            except FileNotFoundError:
                continue  # removed meanwhile: by a rollback, or by another sweep


def _removed(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False  # the other sweep was first
    return True


def _batches(items: Iterator[str], size: int) -> Iterator[list[str]]:
    while batch := list(islice(items, size)):
        yield batch


def download_response(attachment: StoredFile) -> FileResponse:
    """A stored file as a download that is never sniffed as something else; Http404 when its file is gone.
    Whoever calls it has asked tickets.permissions.get_attachment_for first."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
