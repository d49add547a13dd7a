import pytest

from tests.fixtures.full_disk import full_disk  # noqa: F401 - MEDIA_ROOT on a real full disk


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded import files are kept under MEDIA_ROOT/imports between preview and confirmation.
    settings.MEDIA_ROOT = tmp_path / "media"
