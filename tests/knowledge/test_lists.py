"""The staff list and the requesters' help articles: filters, language first, and a fixed number of queries
whatever the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowledge import selectors
from tests import factories

pytestmark = pytest.mark.django_db


def _make(count, owner):
    category = factories.CategoryFactory()
    for index in range(count):
        factories.ArticleFactory(owner=owner, category=category, language=("en", "sv", "pl")[index % 3])
        factories.ArticleFactory(owner=factories.TechnicianFactory(), status="draft", audience="staff")


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["technician", "coordinator", "requester"])
@pytest.mark.parametrize("query", ["", "?status=published&language=en&q=fix", "?audience=staff&page=2"])
def test_the_list_pages_run_a_fixed_number_of_queries(
    request, client_for, technician, django_assert_num_queries, persona, query
):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("knowledge:index") + query
    _make(2, technician)
    client.get(url)  # the steady state: a search's words are looked up once per process (tickets.search)
    small = _count(client, url)
    _make(20, technician)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200


def test_the_staff_list_filters(client_for, coordinator, technician):
    printers = factories.CategoryFactory(name="Printers")
    wanted = factories.ArticleFactory(
        title="Clear a paper jam", keywords="printer", category=printers, language="sv", audience="staff"
    )
    factories.ArticleFactory(title="Clear a paper jam in English", category=printers, language="en")
    factories.ArticleFactory(title="VPN", language="sv", audience="staff", status="draft")
    page = client_for(coordinator).get(
        reverse("knowledge:index"),
        {"q": "PRINTER", "language": "sv", "audience": "staff", "status": "published", "category": printers.pk},
    )
    assert [article.pk for article in page.context["page"].object_list] == [wanted.pk]
    # A bad value drops that filter only; a search of any text is answered.
    for hostile in ("%_\\", "' OR 1=1 --", 'title__icontains="x"', "x" * 10_000):
        assert (
            client_for(coordinator).get(reverse("knowledge:index"), {"q": hostile, "status": "nope"}).status_code == 200
        )


def test_requesters_see_their_language_first_then_the_others(client_for, requester):
    requester.language = "sv"
    requester.save()
    english = factories.ArticleFactory(title="A printer guide", language="en", helped_count=50)
    swedish = factories.ArticleFactory(title="Skrivarguide", language="sv", helped_count=1)
    polish = factories.ArticleFactory(title="Drukarka", language="pl")
    factories.ArticleFactory(title="Staff only", language="sv", audience="staff")
    factories.ArticleFactory(title="Draft", language="sv", status="draft")
    # A subject written in Swedish too is listed once, in Swedish.
    vpn_en = factories.ArticleFactory(title="VPN at home", language="en")
    vpn_sv = factories.ArticleFactory(title="VPN hemifrån", language="sv", family=vpn_en.family)
    page = client_for(requester).get(reverse("knowledge:index"))
    listed = list(page.context["page"].object_list)
    assert listed[:2] == [swedish, vpn_sv]
    assert set(listed[2:]) == {english, polish}
    assert vpn_en not in listed
    assert [a.pk for a in selectors.articles_for_reader(requester, "en")][:2] == [english.pk, vpn_en.pk]
    body = page.content.decode()
    assert "Staff only" not in body and "Draft" not in body


def test_the_article_page_links_its_other_language_versions(client_for, requester, technician):
    english = factories.ArticleFactory(title="VPN at home", language="en")
    swedish = factories.ArticleFactory(title="VPN hemifrån", language="sv", family=english.family)
    hidden = factories.ArticleFactory(title="VPN w domu", language="pl", family=english.family, status="draft")
    page = client_for(requester).get(english.get_absolute_url()).content.decode()
    assert swedish.get_absolute_url() in page and hidden.get_absolute_url() not in page
    staff_page = client_for(technician).get(english.get_absolute_url()).content.decode()
    assert swedish.get_absolute_url() in staff_page and hidden.get_absolute_url() in staff_page
