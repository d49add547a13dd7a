"""Failed logins are counted per account and per client address (django-axes): past the limit, a cool-off
with the same page for real and unknown accounts, an audit row for each failure, and a manager's unlock."""

import re
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.LOGIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_COOLOFF_MINUTES = 15
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def attempt(client, email, password="wrong", address="10.0.0.1"):  # noqa: S107 - the wrong password on purpose
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


def _page(response) -> str:
    # The CSRF token (in the form and in htmx's headers) differs per response; nothing else may.
    return re.sub(r"[A-Za-z0-9]{64}", "<token>", response.content.decode())


def test_an_account_is_locked_after_the_limit_even_with_the_right_password(client, requester, password):
    for _try in range(2):
        assert attempt(client, requester.email).status_code == 200
    locked = attempt(client, requester.email)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    assert attempt(client, requester.email, password).status_code == 429
    # From another network too: the account itself is paused.
    assert attempt(Client(), requester.email, password, address="10.9.9.9").status_code == 429


def test_the_account_counter_ignores_letter_case(client, requester):
    for email in ("rita.requester@example.org", "Rita.Requester@example.org", "RITA.REQUESTER@EXAMPLE.ORG"):
        response = attempt(client, email)
    assert response.status_code == 429


def test_the_cool_off_ends_by_itself(client, requester, password):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _try in range(3):
            attempt(client, requester.email)
        clock.shift(timedelta(minutes=14))
        assert attempt(client, requester.email, password).status_code == 429
        clock.shift(timedelta(minutes=2))
        assert attempt(client, requester.email, password).status_code == 302


def test_a_client_address_is_locked_across_accounts(client, requester, technician, password):
    for email in ("a@example.org", "b@example.org", "c@example.org"):
        attempt(client, email, address="10.0.0.7")
    # The right password of another account, from the same address: refused.
    assert attempt(client, technician.email, password, address="10.0.0.7").status_code == 429
    # The same account from elsewhere is fine: only the address is paused.
    assert attempt(Client(), technician.email, password, address="10.0.0.8").status_code == 302


def test_the_address_comes_from_the_trusted_proxy_hop_only(settings, requester, password):
    settings.BEHIND_PROXY = True
    client = Client()
    for index in range(3):
        # A script varying the first X-Forwarded-For entry does not escape: the proxy's last hop is used.
        client.post(
            LOGIN,
            {"username": f"x{index}@example.org", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.1.1.{index}, 192.0.2.10",
        )
    response = client.post(
        LOGIN,
        {"username": requester.email, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="8.8.8.8, 192.0.2.10",
    )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}


def test_a_locked_unknown_address_and_a_locked_account_look_the_same(requester):
    real, unknown = Client(), Client()
    for _try in range(3):
        real_response = attempt(real, requester.email, address="10.0.0.1")
        unknown_response = attempt(unknown, "nobody@example.org", address="10.0.0.2")
    assert real_response.status_code == unknown_response.status_code == 429
    assert _page(real_response) == _page(unknown_response)
    # And before the limit, a wrong password and an unknown email read alike too.
    before_real = attempt(Client(), "tess@example.org", address="10.0.0.3")
    before_unknown = attempt(Client(), requester.email.replace("rita", "anna"), address="10.0.0.4")
    assert before_real.status_code == before_unknown.status_code == 200
    assert before_real.context["form"].errors == before_unknown.context["form"].errors


def test_each_failure_is_kept_in_the_audit_log(client, requester):
    for _try in range(3):
        attempt(client, requester.email, address="10.0.0.5")
    log = list(AccessFailureLog.objects.order_by("attempt_time").values_list("username", "ip_address", "locked_out"))
    assert log == [
        (requester.email, "10.0.0.5", False),
        (requester.email, "10.0.0.5", False),
        (requester.email, "10.0.0.5", True),
    ]
    assert AccessAttempt.objects.get().failures_since_start == 3


def test_the_lockout_page_is_translated(client, requester):
    for _try in range(3):
        response = client.post(LOGIN, {"username": requester.email, "password": "x"}, HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 429
    assert "Too many failed logins" not in response.content.decode()


def test_a_manager_unlocks_an_attempt_in_the_admin(client, client_for, manager, requester, password):
    for _try in range(3):
        attempt(client, requester.email)
    admin = client_for(manager)
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = admin.get(changelist)
    assert page.status_code == 200
    assert requester.email in page.content.decode()
    response = admin.post(
        changelist, {"action": "unlock", "_selected_action": [AccessAttempt.objects.get().pk]}, follow=True
    )
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()
    assert AccessFailureLog.objects.count() == 3  # the audit stays
    assert attempt(client, requester.email, password).status_code == 302


def test_a_manager_unlocks_a_person_from_the_user_list(client, client_for, manager, requester, password):
    for _try in range(3):
        attempt(client, requester.email, address="10.0.0.1")
    response = client_for(manager).post(
        reverse("admin:accounts_user_changelist"), {"action": "unlock_login", "_selected_action": [requester.pk]}
    )
    assert response.status_code == 302
    assert attempt(client, requester.email, password, address="10.0.0.2").status_code == 302


def test_failure_pages_are_refused_to_coordinators(client_for, coordinator):
    response = client_for(coordinator).get(reverse("admin:axes_accessattempt_changelist"), follow=True)
    assert response.status_code == 403


def test_the_audit_and_login_logs_are_in_the_admin(client_for, manager):
    admin = client_for(manager)
    assert admin.get(reverse("admin:axes_accessfailurelog_changelist")).status_code == 200
    assert admin.get(reverse("admin:axes_accesslog_changelist")).status_code == 200
