"""“This helped”: one vote per person and article, kept in its own table; views are counted."""

import pytest
from django.urls import reverse

from knowledge import services
from knowledge.models import ArticleVote
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_person_votes_once_however_often_they_post(client_for, requester, requester_2):
    article = factories.ArticleFactory()
    client = client_for(requester)
    url = reverse("knowledge:vote", args=[article.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    client_for(requester_2).post(url, HTTP_HX_REQUEST="true")
    article.refresh_from_db()
    assert article.helped_count == 2
    assert ArticleVote.objects.filter(article=article).count() == 2
    assert not services.article_vote(article=article, by=requester)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "you said this helped" in page


def test_the_vote_answers_htmx_with_the_box_alone(client_for, requester):
    article = factories.ArticleFactory()
    response = client_for(requester).post(reverse("knowledge:vote", args=[article.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="article-vote"') and "<html" not in body


def test_votes_only_on_published_articles(client_for, technician):
    draft = factories.ArticleFactory(status="draft", audience="staff")
    assert client_for(technician).post(reverse("knowledge:vote", args=[draft.pk])).status_code == 403
    assert not ArticleVote.objects.exists()


def test_readings_are_counted_but_not_the_owners_own(client_for, requester, technician):
    article = factories.ArticleFactory(owner=technician)
    client_for(requester).get(article.get_absolute_url())
    client_for(requester).get(article.get_absolute_url())
    client_for(technician).get(article.get_absolute_url())
    article.refresh_from_db()
    assert article.view_count == 2


def test_a_ticket_avoided_is_counted(requester):
    article = factories.ArticleFactory()
    services.article_avoided_ticket(article=article, by=requester)
    article.refresh_from_db()
    assert article.avoided_count == 1
