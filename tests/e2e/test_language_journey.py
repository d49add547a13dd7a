"""A requester switches language in the browser, both ways, and reads the desk's own names in theirs."""

import pytest
from django.conf import settings
from django.core.management import call_command

from helpdesk.management.commands.demo_load import DEMO_PASSWORD
from tests.fixtures.browser import same_person_in
from tickets.models import Ticket

pytestmark = pytest.mark.e2e

REQUESTER = "rita@demo.example"


def _choose(page, language: str) -> None:
    page.goto("/accounts/profile/")
    page.locator("select[name=language]").select_option(language)
    with page.expect_navigation():
        page.locator("form:has(select[name=language]) button[type=submit]").click()


def _page_language(page) -> str:
    return page.locator("html").get_attribute("lang") or ""


def _cookie(page) -> str | None:
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    return cookies.get(settings.LANGUAGE_COOKIE_NAME)


def test_each_language_switch_takes_effect_both_ways(request, browser_page, login):
    call_command("demo_load")
    login(browser_page, REQUESTER, DEMO_PASSWORD)
    page = same_person_in(request, browser_page, "pl-PL")  # the person's browser asks for Polish

    _choose(page, "sv")
    assert (_page_language(page), _cookie(page)) == ("sv", "sv")
    ticket = Ticket.objects.filter(requester__user__email=REQUESTER, category__name="Printer").first()
    if ticket is None:
        ticket = Ticket.objects.filter(requester__user__email=REQUESTER, category__isnull=False).first()
    assert ticket is not None and ticket.category is not None
    page.goto(ticket.get_absolute_url())
    category = ticket.category
    assert category.name_translations.get("sv"), "the demo gives its categories Swedish names"
    assert category.name_translations["sv"] in page.locator("main").inner_text()

    _choose(page, "")  # As my browser says: Polish, and no cookie left to say Swedish
    assert (_page_language(page), _cookie(page)) == ("pl", None)
    page.goto("/tickets/mine/")
    assert _page_language(page) == "pl"

    _choose(page, "en")
    assert (_page_language(page), _cookie(page)) == ("en", "en")
    page.goto("/tickets/new/")
    assert _page_language(page) == "en"

    page = same_person_in(request, page, "nb-NO")  # now for Norwegian
    _choose(page, "")
    assert (_page_language(page), _cookie(page)) == ("nb", None)
    _choose(page, "pl")
    assert (_page_language(page), _cookie(page)) == ("pl", "pl")
