import pytest

from tests import factories
from tests.fixtures.full_disk import full_disk  # noqa: F401 - MEDIA_ROOT on a real full disk


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Uploaded files go to a per-test folder, never into var/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ticket(requester):
    """A new web ticket of the `requester` persona."""
    return factories.TicketFactory(requester=requester.employee, subject="Printer jams")


@pytest.fixture
def assigned_ticket(requester, technician):
    return factories.TicketFactory(requester=requester.employee, assignee=technician, status="assigned")
