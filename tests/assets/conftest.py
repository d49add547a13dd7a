import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded import files are kept under MEDIA_ROOT/imports between preview and confirmation.
    settings.MEDIA_ROOT = tmp_path / "media"
