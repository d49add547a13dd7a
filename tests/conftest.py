"""Shared fixtures: personas, a real Celery worker, a real SMTP sink, a real browser.

The suite runs against the real PostgreSQL and Redis (`make test` sets DATABASE_URL and REDIS_URL and
starts the services when they are down). It refuses to run on anything else rather than pretend.
"""

import os
import time

import pytest
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, Tier
from accounts.sessions import LAST_SEEN_KEY
from tests import factories, two_factor

# Django's live server runs in a thread beside Playwright's event loop; this is the documented switch.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# The quick start's SQLite runs tests/quickstart only (`make test` runs that folder on both databases).
QUICKSTART_ON_SQLITE = os.environ.get("HELPDESK_QUICKSTART_TESTS") == "1"


def pytest_collection_modifyitems(config, items):
    if QUICKSTART_ON_SQLITE:
        for item in items:
            if "tests/quickstart/" not in str(item.path).replace("\\", "/"):
                item.add_marker(pytest.mark.skip(reason="runs on PostgreSQL only"))


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if QUICKSTART_ON_SQLITE and engine == "django.db.backends.sqlite3":
        return
    if engine != "django.db.backends.postgresql":
        pytest.exit(
            f"The tests run on PostgreSQL, but DATABASE_URL points to {engine}. Run them with `make test`, "
            "or set DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk and REDIS_URL=redis://127.0.0.1:6379/15.",
            returncode=2,
        )
    if not settings.REDIS_URL:
        pytest.exit("The tests need Redis: set REDIS_URL (`make test` does) and start Redis.", returncode=2)


@pytest.fixture(autouse=True, scope="session")
def _unconsumed_task_queue():
    """Tasks queued by tests that start no worker go to a queue of their own, emptied at the end."""
    from helpdesk.celery import app as celery_app
    from tests.fixtures.celery_worker import celery_setting

    queue = f"test-unconsumed-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    celery_setting("task_default_queue", queue)
    yield
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing a password properly takes a noticeable time; tests hash hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    # Rate-limit counters and other cached state live in the shared Redis: each test counts from zero,
    # whatever the tests running beside it in other processes do.
    import uuid

    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _mail_to_memory(settings):
    # The file backend would write into var/; tests read mail from django.core.mail.outbox or the SMTP sink.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


# --- personas ---------------------------------------------------------------------------------


@pytest.fixture
def password():
    return factories.PASSWORD


@pytest.fixture
def requester(db):
    user = factories.UserFactory(email="rita.requester@example.org", first_name="Rita", role=Role.REQUESTER)
    factories.EmployeeFactory(user=user, first_name="Rita", last_name=user.last_name, email=user.email)
    return user


@pytest.fixture
def requester_2(db):
    user = factories.UserFactory(email="ravi.requester@example.org", first_name="Ravi", role=Role.REQUESTER)
    factories.EmployeeFactory(user=user, first_name="Ravi", last_name=user.last_name, email=user.email)
    return user


@pytest.fixture
def technician(db):
    """A tier 1 technician."""
    return factories.TechnicianFactory(email="tess.tier1@example.org", first_name="Tess", profile__tier=Tier.ONE)


@pytest.fixture
def technician_t2(db):
    return factories.TechnicianFactory(email="tom.tier2@example.org", first_name="Tom", profile__tier=Tier.TWO)


@pytest.fixture
def technician_t3(db):
    return factories.TechnicianFactory(email="tia.tier3@example.org", first_name="Tia", profile__tier=Tier.THREE)


@pytest.fixture
def coordinator(db):
    return factories.UserFactory(email="cora.coordinator@example.org", first_name="Cora", role=Role.COORDINATOR)


@pytest.fixture
def manager(db):
    """Managers must log in with a second factor: this one has an authenticator app set up."""
    user = factories.UserFactory(email="max.manager@example.org", first_name="Max", role=Role.MANAGER)
    two_factor.enable(user)
    return user


@pytest.fixture
def outsider(db):
    """Has a login but no employee record and no ticket: owns nothing, sees nothing."""
    return factories.UserFactory(email="olle.outsider@example.org", first_name="Olle", role=Role.REQUESTER)


@pytest.fixture
def client_for(db):
    """`client_for(user)`: a test client logged in as that user, past the second factor when they have one."""

    def make(user):
        client = Client()
        client.force_login(user)
        session = client.session
        session[LAST_SEEN_KEY] = int(time.time())  # as the login page stamps it
        if user.two_factor_enabled:
            session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
        session.save()
        return client

    return make


# --- real services (defined in tests/fixtures/) -----------------------------------------------

# pytest_runtest_call: the HTML checker's verdict on a browser test, given after the test (a hook, found
# by its name in this module).
from tests.fixtures.browser import (  # noqa: E402, F401
    browser,
    browser_page,
    html_checker,
    login,
    pytest_runtest_call,
)
from tests.fixtures.celery_worker import celery_worker  # noqa: E402, F401
from tests.fixtures.imap import dovecot, imap_mailbox  # noqa: E402, F401
from tests.fixtures.own_redis import own_broker  # noqa: E402, F401
from tests.fixtures.private_postgres import private_postgres  # noqa: E402, F401
from tests.fixtures.smtp import smtp_sink  # noqa: E402, F401
