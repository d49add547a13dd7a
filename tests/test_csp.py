"""The Content-Security-Policy header on every kind of page, and templates that stay within it.

The browser side (nothing on any page is refused under the policy) is tests/e2e/test_csp.py.
"""

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import path

from helpdesk.urls import urlpatterns as site_urlpatterns
from tests import factories

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}


def broken_view(request):
    raise RuntimeError("broken on purpose")


urlpatterns = [*site_urlpatterns, path("broken/", broken_view)]


def _policy(response) -> dict[str, list[str]]:
    """The header as {directive: sources}; django-csp does not promise an order of the directives."""
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("requester", "/tickets/mine/", 200),
        ("coordinator", "/tickets/dashboard/", 200),
        ("coordinator", "/tickets/dashboard/part/triage/", 200),
        ("requester", "/no/such/page/", 404),
        ("requester", "/tickets/dashboard/", 403),
        ("manager", "/admin/", 200),
        ("manager", "/admin/assets/device/", 200),
        (None, "/accounts/login/", 200),
        (None, "/accounts/password/reset/", 200),
        (None, "/no/such/page/", 404),
    ],
)
def test_every_kind_of_page_carries_the_policy(request, client, client_for, who, url, status):
    client = client_for(request.getfixturevalue(who)) if who else client
    response = client.get(url)
    assert response.status_code == status
    assert _policy(response) == POLICY


@pytest.mark.django_db
@pytest.mark.urls("tests.test_csp")
def test_the_server_error_page_carries_the_policy(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    assert _policy(response) == POLICY


@pytest.mark.django_db
def test_a_form_refused_by_the_csrf_check_gets_the_sites_page_under_the_policy():
    # Django's own page for this carries an inline <style>; templates/403_csrf.html replaces it.
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a@example.org"})
    assert response.status_code == 403
    assert "That form could not be sent" in response.content.decode()
    assert "<style" not in response.content.decode()
    assert _policy(response) == POLICY


def test_the_policy_is_the_settings_one():
    # One source of truth: the directives above are what settings.py configures, nothing added.
    assert {name: list(value) for name, value in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].items()} == POLICY


@pytest.mark.django_db
def test_pages_tell_htmx_never_to_eval_nor_inject_its_style(client_for):
    # base.html's htmx configuration keeps htmx within script-src and style-src 'self'.
    response = client_for(factories.UserFactory()).get("/accounts/profile/")
    body = response.content.decode()
    config = json.loads(re.search(r'<meta name="htmx-config" content=\'(.*?)\'>', body).group(1))
    assert (config["includeIndicatorStyles"], config["allowEval"], config["allowScriptTags"]) == (False, False, False)
    # Refusals and stale forms come back with their reason, and are swapped in like a 200.
    swapped = [rule["code"] for rule in config["responseHandling"] if rule["swap"]]
    assert swapped == ["[23]..", "(400|409|429)"]


# What a policy without 'unsafe-inline' and 'unsafe-eval' refuses, as it would appear in a template. Mail
# (templates/emails/) is not a page: mail clients need inline styles there.
REFUSED = {
    "style attribute": re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE),
    "<style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "inline <script>": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE),
    "hx-on attribute": re.compile(r"\s(?:data-)?hx-on", re.IGNORECASE),
    "htmx trigger filter (eval)": re.compile(r"""hx-trigger\s*=\s*["'][^"']*\[""", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "js: value (eval)": re.compile(r"""hx-(?:vals|vars|headers)\s*=\s*'\s*js:""", re.IGNORECASE),
}


def test_no_template_uses_what_the_policy_refuses():
    templates = settings.BASE_DIR / "templates"
    found = [
        f"{template.relative_to(templates)}: {what}"
        for template in sorted(templates.rglob("*.html"))
        if template.relative_to(templates).parts[0] != "emails"
        for what, pattern in REFUSED.items()
        if pattern.search(template.read_text())
    ]
    assert not found, found


def test_htmx_attributes_are_written_as_data_attributes():
    """HTML allows no attribute named hx-get: the validator accepts data-hx-get, which htmx reads alike."""
    bare = re.compile(r"""\shx-[a-z]+\s*=""")
    templates = settings.BASE_DIR / "templates"
    found = [str(t.relative_to(templates)) for t in sorted(templates.rglob("*.html")) if bare.search(t.read_text())]
    sources = [settings.BASE_DIR / app for app in ("accounts", "assets", "tickets", "knowledge", "reports")]
    found += [
        str(p)
        for root in sources
        for p in sorted(root.rglob("*.py"))
        if re.search(r"""["']hx-[a-z]+["']""", p.read_text())
    ]
    assert not found, found
