"""The uploaded file between the preview and the confirmation."""

import datetime
import logging
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)


# --- the uploaded file between the preview and the confirmation -----------------------------------
# Kept on disk under MEDIA_ROOT/imports with a random name that carries the uploader's id, never in
# the session: a 10,000-row file does not fit a cookie, and the name cannot be guessed.

STASH_MAX_AGE = datetime.timedelta(days=1)


def _stash_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


class StashFailed(Exception):
    """The uploaded file could not be kept for the confirmation step (a full disk...): nothing was imported."""

    message = gettext_lazy(
        "The file could not be kept for the next step (the server's disk may be full), so nothing can be "
        "imported now. Try again later."
    )


def stash_upload(*, user, data: bytes) -> str:
    """Keep an uploaded file for the confirmation step; returns its token.

    Raises StashFailed when the disk refuses it (full, over quota, not writable), after removing what was
    written of it, which would otherwise hold on to the little space left for a day.
    """
    directory = _stash_dir()
    token = secrets.token_urlsafe(24)
    path = directory / f"{user.pk}-{token}.csv"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _stash_sweep(directory)
        path.write_bytes(data)
    except OSError as error:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            logger.warning("import file %s could not be removed; it goes after a day", path, exc_info=True)
        logger.error("import file %s not stored: %s", path, error, exc_info=True)
        raise StashFailed from error
    return token


def load_upload(*, user, token: str) -> bytes | None:
    """The file stashed by this user under `token`, or None when it is gone (or someone else's)."""
    path = _stash_dir() / f"{user.pk}-{token}.csv"
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def discard_upload(*, user, token: str) -> None:
    (_stash_dir() / f"{user.pk}-{token}.csv").unlink(missing_ok=True)


def _stash_sweep(directory: Path) -> None:
    # Files whose preview was abandoned: gone after a day.
    limit = time.time() - STASH_MAX_AGE.total_seconds()
    for path in directory.glob("*.csv"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue
