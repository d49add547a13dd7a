"""Every knowledge page answers, with unique ids and nothing the Content-Security-Policy refuses."""

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.inline: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if "id" in values:
            self.ids[values["id"]] += 1
        if "style" in values or any(name.startswith("on") for name in values):
            self.inline.append(tag)
        if tag == "script" and "src" not in values:
            self.inline.append("script")


def _check(response):
    assert response.status_code == 200
    parser = _Ids()
    parser.feed(response.content.decode())
    assert not [name for name, count in parser.ids.items() if count > 1]
    assert not parser.inline


def test_the_staff_pages(client_for, coordinator, requester):
    english = factories.ArticleFactory(language="en")
    factories.ArticleFactory(language="sv", family=english.family, status="draft")
    solved = factories.TicketFactory(requester=requester.employee, status="resolved", resolution_notes="Done.")
    client = client_for(coordinator)
    for url in (
        reverse("knowledge:index"),
        reverse("knowledge:create"),
        english.get_absolute_url(),
        reverse("knowledge:edit", args=[english.pk]),
        reverse("knowledge:translate", args=[english.pk]),
        reverse("knowledge:write_up", args=[solved.pk]),
    ):
        _check(client.get(url))
    # The ticket page's own forms are its app's; the box of help articles adds ids of its own only.
    ticket_page = client.get(solved.get_absolute_url()).content.decode()
    assert ticket_page.count('id="id_kb_article"') == 1 and ticket_page.count('id="knowledge-heading"') == 1


def test_the_requester_pages(client_for, requester):
    article = factories.ArticleFactory()
    client = client_for(requester)
    _check(client.get(reverse("knowledge:index")))
    _check(client.get(reverse("knowledge:index"), {"q": "restart"}))
    _check(client.get(article.get_absolute_url()))


def test_each_role_finds_its_link_in_the_menu(client_for, requester, technician):
    assert "Help articles" in client_for(requester).get(reverse("tickets:mine")).content.decode()
    assert "Knowledge base" in client_for(technician).get(reverse("tickets:queue")).content.decode()


def test_the_admin_lists_and_changes_articles_through_the_services(client_for, manager):
    article = factories.ArticleFactory(title="Old title", review_on=None)
    client = client_for(manager)
    assert client.get(reverse("admin:knowledge_article_changelist")).status_code == 200
    url = reverse("admin:knowledge_article_change", args=[article.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "New title",
            "language": "en",
            "audience": "staff",
            "category": "",
            "keywords": "",
            "body": "Text",
            "review_on": "",
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.audience, article.status) == ("New title", "staff", "published")
