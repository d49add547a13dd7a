"""Help before the ticket: the articles matching a subject as it is typed on Report a problem, "This solved
it", and the problems solved without a ticket in the desk report."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowledge import services
from knowledge.models import ProblemSolved
from reports.periods import Period
from reports.selectors.desk import desk_report
from tests import factories
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

SUGGEST = reverse("knowledge:suggest")


def _suggested(client, subject: str, *, htmx: bool = True) -> str:
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.get(SUGGEST, {"subject": subject}, **extra)
    assert response.status_code == 200
    return response.content.decode()


def test_the_report_form_asks_for_suggestions_as_the_subject_is_typed(client_for, requester):
    page = client_for(requester).get(reverse("tickets:submit")).content.decode()
    assert 'data-hx-get="/knowledge/suggestions/"' in page and 'data-hx-include="#id_subject"' in page
    assert "input changed delay:400ms from:#id_subject" in page
    # The "This solved it" buttons post the page's own form, after the report's: forms are never nested.
    assert page.index('<form id="solved-it"') > page.index("Send to the help desk")


def test_a_requester_is_offered_published_articles_for_them_in_other_words(client_for, requester):
    factories.ArticleFactory(title="Printer shows offline", keywords="printer, offline, printing")
    staff_only = factories.ArticleFactory(title="Printer offline: reset the print server", audience="staff")
    draft = factories.ArticleFactory(title="Printers offline everywhere", status="draft")
    retired = factories.ArticleFactory(title="Old printers offline", status="retired")
    html = _suggested(client_for(requester), "Printing is offline")  # stems: print, offlin
    assert "Printer shows offline" in html and 'data-testid="solved-it"' in html
    for hidden in (staff_only, draft, retired):
        assert hidden.title not in html
    assert "<html" not in html  # the fragment alone


def test_short_or_unmatched_subjects_suggest_nothing(client_for, requester):
    factories.ArticleFactory(title="Printer shows offline")
    client = client_for(requester)
    assert "suggestion" not in _suggested(client, "pr")
    assert 'data-testid="no-suggestions"' in _suggested(client, "Bluetooth mouse lags")


def test_without_javascript_the_suggestions_are_a_page(client_for, requester):
    factories.ArticleFactory(title="Printer shows offline")
    html = _suggested(client_for(requester), "printer offline", htmx=False)
    assert "<html" in html and "Printer shows offline" in html and 'id="solved-it"' in html


def test_suggestions_take_the_same_queries_for_one_article_or_many(client_for, requester):
    client = client_for(requester)
    factories.ArticleFactory(title="Printer shows offline")
    client.get(SUGGEST, {"subject": "printer offline"}, HTTP_HX_REQUEST="true")
    with CaptureQueriesContext(connection) as one:
        _suggested(client, "printer offline")
    for n in range(6):
        factories.ArticleFactory(title=f"Printer offline case {n}", language="sv" if n % 2 else "en")
    with CaptureQueriesContext(connection) as many:
        html = _suggested(client, "printer offline")
    assert html.count('data-testid="suggestion"') == 4
    assert len(many) == len(one)


def test_this_solved_it_files_nothing_and_counts_once_a_day(client_for, requester):
    article = factories.ArticleFactory(title="Printer shows offline")
    client = client_for(requester)
    url = reverse("knowledge:solved", args=[article.pk])
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=UTC), tick=False):
        response = client.post(url)
        assert response.status_code == 302 and response["Location"] == reverse("home")
        client.post(url)  # a double click
    with time_machine.travel(datetime(2026, 11, 3, 9, 0, tzinfo=UTC), tick=False):
        client.post(url)
    article.refresh_from_db()
    assert article.avoided_count == 2
    solved = ProblemSolved.objects.filter(article=article).order_by("day")
    assert [s.day for s in solved] == [date(2026, 11, 2), date(2026, 11, 3)]
    assert solved[0].department_id == requester.employee.department_id
    assert not Ticket.objects.exists()


def test_a_requester_cannot_say_a_staff_article_solved_it(client_for, requester):
    staff_only = factories.ArticleFactory(audience="staff")
    assert client_for(requester).post(reverse("knowledge:solved", args=[staff_only.pk])).status_code == 404
    assert not ProblemSolved.objects.exists()


def test_only_a_post_counts(client_for, requester):
    article = factories.ArticleFactory()
    assert client_for(requester).get(reverse("knowledge:solved", args=[article.pk])).status_code == 405


def test_the_desk_report_counts_problems_solved_without_a_ticket(requester, requester_2):
    printers = factories.CategoryFactory(name="Printer")
    article = factories.ArticleFactory(category=printers)
    other = factories.ArticleFactory()
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=UTC), tick=False):
        services.article_avoided_ticket(article=article, by=requester)
        services.article_avoided_ticket(article=other, by=requester_2)
    with time_machine.travel(datetime(2026, 10, 5, 9, 0, tzinfo=UTC), tick=False):
        services.article_avoided_ticket(article=article, by=requester)
    november = Period(date(2026, 11, 1), date(2026, 11, 30))

    def figure(within=("", "")):
        found = [f for f in desk_report(november, within).figures if f.key == "self_help"]
        return (found[0].value, found[0].previous) if found else None

    assert figure() == (2, 1)
    assert figure(("category", str(printers.pk))) == (1, 1)
    assert requester.employee.department_id != requester_2.employee.department_id
    assert figure(("department", str(requester.employee.department_id))) == (1, 1)
    assert figure(("tier", "1")) is None  # a self-help has no tier: not shown rather than wrong
    link = next(f.link for f in desk_report(november).figures if f.key == "self_help")
    assert link == f"{reverse('knowledge:index')}?order=avoided"


def test_a_staff_only_article_never_reaches_a_requester(client_for, requester, technician):
    """Not on its page, not in the help articles' search, not among the suggestions; staff find it."""
    staff_only = factories.ArticleFactory(title="Printer offline: reset the print server", audience="staff")
    client = client_for(requester)
    assert client.get(staff_only.get_absolute_url()).status_code == 404
    assert staff_only.title not in client.get(reverse("knowledge:index"), {"q": "printer"}).content.decode()
    assert staff_only.title not in _suggested(client, "printer offline")
    assert (
        staff_only.title in client_for(technician).get(reverse("knowledge:search"), {"q": "printer"}).content.decode()
    )


def test_a_problem_solved_counts_on_the_desks_day_whatever_the_readers_time_zone(client_for, requester):
    """The desk report counts the desk's days (settings.TIME_ZONE): a requester in New York at 02:00 UTC on
    3 November is still on the 2nd, the desk (Stockholm) already on the 3rd."""
    requester.time_zone = "America/New_York"
    requester.save(update_fields=["time_zone"])
    article = factories.ArticleFactory()
    with time_machine.travel(datetime(2026, 11, 3, 2, 0, tzinfo=UTC), tick=False):
        client_for(requester).post(reverse("knowledge:solved", args=[article.pk]))
    assert ProblemSolved.objects.get().day == date(2026, 11, 3)
