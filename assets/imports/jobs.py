"""CSV imports run by a background worker: started from the API, read once, outcome kept with the job.

The same checks and writes as the import page (assets.imports.preview.run): a file with errors imports
nothing unless `skip_invalid` asks for the valid rows. A job is claimed by a conditional update, so a task
delivered twice runs it once.
"""

import logging
from typing import Any

from celery import shared_task
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import can
from assets.imports import preview, stash
from assets.imports.columns import ImportKind
from assets.models import ImportJob, ImportJobStatus

logger = logging.getLogger(__name__)
# Row errors kept with a job: enough to fix a file, bounded for a file of a million bad rows.
MAX_ERRORS_KEPT = 200


def import_job_start(*, by: User, kind: str, data: bytes, skip_invalid: bool = False) -> ImportJob:
    """Keep the file, record the job and hand it to a worker after the commit. Raises StashFailed when the
    disk refuses the file (nothing is recorded)."""
    if not can(by, "assets.import"):
        raise PermissionDenied
    if kind not in ImportKind.values:
        raise ValueError(f"Unknown import kind {kind!r}.")
    token = stash.stash_upload(user=by, data=data)
    job = ImportJob.objects.create(kind=kind, created_by=by, skip_invalid=skip_invalid, file_token=token)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    import_job_task.delay(job_id)


@shared_task(ignore_result=True)
def import_job_task(job_id: int) -> None:
    """Run one import job (thin: the service below does the work)."""
    import_job_run(job_id=job_id)


def _outcome(result: Any, checked: preview.ImportPreview) -> dict[str, Any]:
    return {
        "total_rows": checked.total_rows,
        "valid_rows": checked.valid_count,
        "file_errors": [str(error) for error in checked.file_errors],
        "row_errors": [
            {"line": error.line, "key": error.key, "reasons": [str(r) for r in error.reasons]}
            for error in checked.row_errors[:MAX_ERRORS_KEPT]
        ],
        "row_error_count": checked.error_count,
        "created": result.created if result else 0,
        "updated": result.updated if result else 0,
        "unchanged": result.unchanged if result else 0,
    }


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run one queued job, at most once; None when it is not queued (done, running, or unknown)."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(
        status=ImportJobStatus.RUNNING, started_at=now
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    data = stash.load_upload(user=job.created_by, token=job.file_token)
    if data is None:
        job.status, job.result = (
            ImportJobStatus.FAILED,
            {"file_errors": [_("The file was no longer kept: start the import again.")]},
        )
    else:
        try:
            checked, result = preview.run(job.kind, data, by=job.created_by, skip_invalid=job.skip_invalid)
        except Exception:
            logger.exception("import job %s failed", job_id)
            job.status, job.result = (
                ImportJobStatus.FAILED,
                {"file_errors": [_("The import stopped on an error; nothing of it was saved.")]},
            )
        else:
            job.status, job.result = ImportJobStatus.DONE, _outcome(result, checked)
        stash.discard_upload(user=job.created_by, token=job.file_token)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "finished_at"])
    return job
