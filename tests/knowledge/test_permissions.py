"""Who reads and writes which article: a requester gets a 404 for a staff-only, draft or retired article,
exactly as for one that does not exist, and cannot write; staff read everything and write."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from knowledge import permissions, services
from knowledge.models import Article
from tests import factories

pytestmark = pytest.mark.django_db

HIDDEN = {
    "staff only": {"audience": "staff", "status": "published"},
    "draft": {"audience": "requesters", "status": "draft"},
    "retired": {"audience": "requesters", "status": "retired"},
}


@pytest.mark.parametrize("state", HIDDEN.values(), ids=HIDDEN.keys())
def test_a_hidden_article_is_a_404_for_a_requester_like_one_that_does_not_exist(client_for, requester, state):
    article = factories.ArticleFactory(**state)
    client = client_for(requester)
    missing = client.get(reverse("knowledge:detail", args=[99999999]))
    hidden = client.get(reverse("knowledge:detail", args=[article.pk]))
    assert hidden.status_code == missing.status_code == 404
    assert [t.name for t in hidden.templates] == [t.name for t in missing.templates]
    assert article.title not in hidden.content.decode()
    for name in ("vote", "publish", "retire", "link_ticket"):
        assert client.post(reverse(f"knowledge:{name}", args=[article.pk])).status_code == 404
    assert client.get(reverse("knowledge:edit", args=[article.pk])).status_code == 404
    listed = client.get(reverse("knowledge:index")).content.decode()
    assert article.title not in listed
    assert not permissions.can(requester, "view", article)
    assert Article.objects.get(pk=article.pk).view_count == 0


def test_a_requester_reads_a_published_article_for_requesters_but_cannot_write(client_for, requester):
    article = factories.ArticleFactory(audience="requesters", status="published", title="Printer jams")
    client = client_for(requester)
    page = client.get(reverse("knowledge:detail", args=[article.pk]))
    assert page.status_code == 200
    assert "Printer jams" in page.content.decode()
    assert 'data-testid="edit"' not in page.content.decode()
    assert client.get(reverse("knowledge:create")).status_code == 403
    assert client.get(reverse("knowledge:edit", args=[article.pk])).status_code == 403
    assert client.post(reverse("knowledge:retire", args=[article.pk])).status_code == 403
    article.refresh_from_db()
    assert article.status == "published"
    with pytest.raises(PermissionDenied):
        services.article_create(by=requester, fields=services.ArticleFields(title="x", body="y", language="en"))


def test_staff_read_every_article_and_technicians_write_and_publish(client_for, technician, coordinator, manager):
    draft = factories.ArticleFactory(audience="staff", status="draft")
    for person in (technician, coordinator, manager):
        assert client_for(person).get(reverse("knowledge:detail", args=[draft.pk])).status_code == 200
        assert permissions.can(person, "knowledge.write") and permissions.can(person, "publish", draft)
    response = client_for(technician).post(reverse("knowledge:publish", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_at is not None
    client_for(coordinator).post(reverse("knowledge:retire", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "retired"
    assert not permissions.can(technician, "edit", draft)  # brought back by publishing it first


def test_an_outsider_without_a_login_is_sent_to_log_in(client):
    article = factories.ArticleFactory()
    assert client.get(reverse("knowledge:detail", args=[article.pk])).status_code == 302
    assert client.get(reverse("knowledge:index")).status_code == 302


def test_a_technician_writes_an_article_through_the_form(client_for, technician):
    category = factories.CategoryFactory(name="Printers")
    response = client_for(technician).post(
        reverse("knowledge:create"),
        {
            "title": "Clear a paper jam",
            "language": "en",
            "audience": "requesters",
            "category": category.pk,
            "keywords": "printer, jam",
            "body": "Open the tray.",
            "review_on": "2027-06-01",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert (article.status, article.owner, article.category, article.audience) == (
        "draft",
        technician,
        category,
        "requesters",
    )
    assert str(article.review_on) == "2027-06-01"
