"""“Write up this solution”: a solved ticket's page offers it to staff; the draft is prefilled from the
ticket, and the ticket becomes the article's source. Linking an article used on a ticket counts it."""

import pytest
from django.urls import reverse

from knowledge.models import Article, ArticleLink
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def solved(technician, requester):
    device = factories.DeviceFactory(manufacturer="HP", model="ProBook 450 G8")
    return factories.TicketFactory(
        subject="Laptop does not charge",
        description="The battery light stays off when plugged in.",
        requester=requester.employee,
        device=device,
        category=factories.CategoryFactory(name="Laptops"),
        assignee=technician,
        status="resolved",
        resolution_notes="Replaced the charger; the old one had a broken cable.",
        resolution_code="hardware_replaced",
    )


def test_the_solved_tickets_page_offers_the_write_up_to_staff_only(client_for, technician, requester, solved):
    staff_page = client_for(technician).get(solved.get_absolute_url()).content.decode()
    assert 'data-testid="write-up"' in staff_page
    assert reverse("knowledge:write_up", args=[solved.pk]) in staff_page
    requester_page = client_for(requester).get(solved.get_absolute_url()).content.decode()
    assert 'data-testid="ticket-knowledge"' not in requester_page
    open_ticket = factories.TicketFactory(requester=requester.employee, assignee=technician, status="in_progress")
    assert 'data-testid="write-up"' not in client_for(technician).get(open_ticket.get_absolute_url()).content.decode()
    assert client_for(technician).get(reverse("knowledge:write_up", args=[open_ticket.pk])).status_code == 403


def test_the_draft_is_prefilled_from_the_ticket(client_for, technician, solved):
    page = client_for(technician).get(reverse("knowledge:write_up", args=[solved.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    assert form["title"].value() == "Laptop does not charge"
    body = form["body"].value()
    assert "The battery light stays off when plugged in." in body
    assert "Replaced the charger; the old one had a broken cable." in body
    assert "Hardware replaced" in body
    assert "HP ProBook 450 G8" in body
    assert form["category"].value() == solved.category_id


def test_the_prefill_is_in_the_writers_language(client_for, technician, solved):
    technician.language = "sv"
    technician.save()
    body = client_for(technician).get(reverse("knowledge:write_up", args=[solved.pk])).context["form"]["body"].value()
    assert "Hardware replaced" not in body  # the resolution code in Swedish
    assert (
        client_for(technician).get(reverse("knowledge:write_up", args=[solved.pk])).context["form"]["language"].value()
        == "sv"
    )


def test_saving_the_write_up_makes_a_draft_with_the_ticket_as_its_source(client_for, technician, solved):
    response = client_for(technician).post(
        reverse("knowledge:write_up", args=[solved.pk]),
        {"title": "Laptop does not charge", "language": "en", "audience": "requesters", "body": "Try the charger."},
    )
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert article.status == "draft" and article.owner == technician
    assert list(article.source_tickets.all()) == [solved]
    detail = client_for(technician).get(article.get_absolute_url()).content.decode()
    assert solved.reference in detail[detail.index('data-testid="sources"') :]
    ticket_page = client_for(technician).get(solved.get_absolute_url()).content.decode()
    assert article.reference in ticket_page[ticket_page.index('data-testid="ticket-knowledge"') :]


def test_a_technician_links_an_article_used_to_a_ticket_they_work_once(client_for, technician, solved):
    article = factories.ArticleFactory()
    client = client_for(technician)
    url = reverse("knowledge:link_article", args=[solved.pk])
    assert client.post(url, {"article": article.reference}).status_code == 302
    assert client.post(url, {"article": str(article.pk)}).status_code == 302  # again: still one link
    assert ArticleLink.objects.filter(article=article, ticket=solved).count() == 1
    article.refresh_from_db()
    assert article.linked_count == 1
    page = client.get(solved.get_absolute_url()).content.decode()
    assert article.reference in page[page.index('data-testid="articles-used"') :]
    from_article = client.post(reverse("knowledge:link_ticket", args=[article.pk]), {"ticket": "HD-99999999"})
    assert from_article.status_code == 404


def test_a_technician_cannot_link_to_a_colleagues_ticket(client_for, technician, technician_t2, solved):
    article = factories.ArticleFactory()
    client_for(technician_t2).post(reverse("knowledge:link_ticket", args=[article.pk]), {"ticket": solved.reference})
    assert not ArticleLink.objects.exists()
