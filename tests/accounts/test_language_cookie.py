"""The language cookie follows the person's choice: their language, or none when the browser should decide."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def _choose(client, language, browser):
    return client.post(
        reverse("accounts:profile"),
        {"language": language, "time_zone": "", "notification_delivery": "immediate"},
        HTTP_ACCEPT_LANGUAGE=browser,
    )


def _page_language(client, browser):
    page = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE=browser).content.decode()
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def _cookie_deleted(response):
    morsel = response.cookies.get(COOKIE)
    return morsel is not None and morsel.value == "" and str(morsel["max-age"]) == "0"


def test_each_switch_of_language_takes_effect_both_ways(client_for, requester):
    client = client_for(requester)
    # As the browser says (no choice yet): the browser's Polish.
    assert _page_language(client, "pl") == "pl"
    # browser -> sv
    response = _choose(client, "sv", "pl")
    assert response.cookies[COOKIE].value == "sv"
    assert _page_language(client, "pl") == "sv"
    # sv -> browser, the browser asking for Polish: the Swedish cookie is gone, Polish it is.
    response = _choose(client, "", "pl")
    assert _cookie_deleted(response)
    requester.refresh_from_db()
    assert requester.language == ""
    assert _page_language(client, "pl") == "pl"
    assert _page_language(client, "nl,en;q=0.5") == "nl"  # and it keeps following the browser
    # browser -> pl -> en
    assert _choose(client, "pl", "sv").cookies[COOKIE].value == "pl"
    assert _page_language(client, "sv") == "pl"
    assert _choose(client, "en", "sv").cookies[COOKIE].value == "en"
    assert _page_language(client, "sv") == "en"
    # en -> browser, the browser asking for Swedish
    assert _cookie_deleted(_choose(client, "", "sv"))
    assert _page_language(client, "sv") == "sv"
    # The browser asks for nothing we speak: the default.
    assert _page_language(client, "fi") == settings.LANGUAGE_CODE


def test_the_saved_message_after_as_my_browser_says_is_in_the_browser_s_language(client_for, requester):
    client = client_for(requester)
    _choose(client, "sv", "pl")
    response = _choose(client, "", "pl")
    # The message was made on the request that still carried the Swedish cookie: in the browser's language.
    follow = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="pl")
    assert follow.wsgi_request.LANGUAGE_CODE == "pl"


def test_login_sets_the_cookie_to_the_person_s_language(password):
    user = factories.UserFactory(email="sven@example.org", language="sv")
    client = Client(HTTP_ACCEPT_LANGUAGE="pl")
    client.cookies[COOKIE] = "nl"  # chosen by someone else on this browser
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": password})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "sv"
    assert _page_language(client, "pl") == "sv"


def test_login_without_a_language_clears_another_person_s_cookie(password):
    user = factories.UserFactory(email="pola@example.org", language="")
    client = Client()
    client.cookies[COOKIE] = "sv"  # the last person on this browser read Swedish
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": password}, HTTP_ACCEPT_LANGUAGE="pl"
    )
    assert response.status_code == 302
    assert _cookie_deleted(response)
    assert _page_language(client, "pl") == "pl"


def test_login_of_someone_with_a_second_factor_settles_the_cookie_at_the_password_step(manager, password):
    manager.language = ""
    manager.save(update_fields=["language"])
    client = Client()
    client.cookies[COOKIE] = "sv"
    response = client.post(
        reverse("accounts:login"), {"username": manager.email, "password": password}, HTTP_ACCEPT_LANGUAGE="nb"
    )
    assert response["Location"].startswith(reverse("accounts:login_code"))
    assert _cookie_deleted(response)
