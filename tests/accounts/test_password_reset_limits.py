"""Password-reset mails are limited per address and per client address (settings.RATE_LIMITS); past either
limit nothing is sent and the page is the same "if an account uses that address" page as always."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset_address": "3/h", "password_reset_client": "5/h"}


def ask(email, address="10.0.0.1", client=None):
    return (client or Client()).post(RESET, {"email": email}, REMOTE_ADDR=address, follow=True)


def test_an_address_gets_three_mails_an_hour_then_the_same_page_and_no_mail(requester):
    for index in range(3):
        ask(requester.email, address=f"10.0.1.{index}")
    assert len(mail.outbox) == 3
    held = ask(requester.email.upper(), address="10.0.1.9")
    assert len(mail.outbox) == 3
    assert held.redirect_chain[-1][0] == reverse("accounts:password_reset_done")
    assert "If an account uses that address" in held.content.decode()


def test_one_client_address_gets_five_an_hour_whatever_the_addresses(requester):
    for index in range(5):
        ask(f"someone{index}@example.org", address="10.0.2.1")
    held = ask(requester.email, address="10.0.2.1")
    assert mail.outbox == []
    assert held.redirect_chain[-1][0] == reverse("accounts:password_reset_done")
    ask(requester.email, address="10.0.2.2")
    assert len(mail.outbox) == 1


def test_past_the_limit_known_and_unknown_addresses_look_the_same(requester):
    for _index in range(3):
        ask(requester.email, address="10.0.3.1")
        ask("nobody@example.org", address="10.0.3.2")
    known, unknown = ask(requester.email, address="10.0.3.1"), ask("nobody@example.org", address="10.0.3.2")
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    # Alike but for the CSRF token, which differs on every page.
    assert re.sub(rb"[A-Za-z0-9]{64}", b"", known.content) == re.sub(rb"[A-Za-z0-9]{64}", b"", unknown.content)
