"""The header's links grouped so a manager's fit one line, and the desk's icon, linked and at /favicon.ico."""

import re

from django.contrib.staticfiles import finders
from django.urls import reverse

NAV_SPLIT = 'data-testid="nav-more"'


def _nav(page: str) -> tuple[str, str]:
    """The main bar's links before "More", and the menu under it."""
    nav = page.split('aria-label="Main navigation"')[1].split("</nav>")[0]
    links = nav.split('id="main-nav"')[1]
    before, _, more = links.partition(NAV_SPLIT)
    return before, more.split("</ul>")[0]


def _names(markup: str, css_class: str) -> list[str]:
    return re.findall(rf'class="{css_class}" href="[^"]*">([^<]+)</a>', markup)


def test_a_managers_less_used_links_are_under_more(client_for, manager):
    page = client_for(manager).get(reverse("tickets:dashboard")).content.decode()
    bar, more = _nav(page)
    assert _names(bar, "nav-link") == [
        "Dashboard",
        "Log a call",
        "All tickets",
        "My queue",
        "Knowledge base",
        "Reports",
    ]
    assert _names(more, "dropdown-item") == [
        "My visits",
        "Canned replies",
        "Recurring tickets",
        "Training",
        "Projects",
        "Staff",
        "Devices",
        "Held mail",
        "Failed mail",
        "Webhooks",
        "Administration",
    ]
    assert 'id="header-search"' in page  # the search box stays
    assert 'class="navbar navbar-expand-xl' in page  # collapsed below xl, where the links would not fit


def test_a_requester_has_no_more_menu(client_for, requester):
    page = client_for(requester).get(reverse("tickets:mine")).content.decode()
    bar, more = _nav(page)
    assert NAV_SPLIT not in page and more == ""
    assert _names(bar, "nav-link") == ["My tickets", "Report a problem", "Help articles", "My training"]


def test_every_page_links_the_icon(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert re.search(r'<link rel="icon" href="/static/img/favicon[.\w]*\.svg" type="image/svg\+xml">', page)
    assert finders.find("img/favicon.svg")


def test_favicon_ico_is_answered_with_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert re.fullmatch(r"/static/img/favicon[.\w]*\.ico", response["Location"])
    assert "max-age=86400" in response["Cache-Control"]
    assert client.head("/favicon.ico").status_code == 302
    assert client.post("/favicon.ico").status_code == 405
    with open(finders.find("img/favicon.ico"), "rb") as icon:
        header = icon.read(22)
    assert header[:4] == b"\x00\x00\x01\x00"  # an icon file, whose images are PNGs
