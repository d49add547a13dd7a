"""An invited requester on a phone, in Chromium: says yes from the bell's news, finds the session on their
own pages, and after it rates it once (1 to 5 and a comment). Every page passes axe and the HTML checker."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.fixtures.browser import axe_violations
from training import services
from training.models import Invitation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_invited_requester_answers_comes_and_rates(browser_page, login, password, requester, coordinator,
                                                      technician):  # fmt: skip
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    day = timezone.localdate() + timedelta(days=3)
    starts = timezone.make_aware(datetime.combine(day, time(9)))
    session = services.session_plan(
        by=coordinator, title="Teams: meetings that work", trainer=technician, starts_at=starts,
        ends_at=starts + timedelta(hours=1), capacity=8, place="HQ, room 4",
        online_link="https://meet.example.org/teams", employees=[requester.employee],
    )  # fmt: skip
    login(page, requester.email, password)

    # The box on My tickets leads to the session; the answer takes a seat.
    page.goto("/tickets/mine/")
    page.get_by_test_id("upcoming-training").get_by_role("link", name="Teams: meetings that work").click()
    card = page.locator(f"#session-{session.pk}")
    expect(card).to_contain_text("HQ, room 4")
    assert not axe_violations(page)
    card.get_by_test_id("accept").click()
    expect(page.get_by_role("alert").filter(has_text="You have a seat")).to_be_visible()
    expect(page.locator(f"#session-{session.pk}").get_by_test_id("my-answer")).to_contain_text("Coming")
    invitation = Invitation.objects.get(session=session, employee=requester.employee)

    # After the session, recorded as present, they rate it once.
    after = starts + timedelta(hours=3)
    with time_machine.travel(after, tick=False):
        services.attendance_record(session=session, by=technician, attended=[invitation.pk])
        page.context.clear_cookies()
        login(page, requester.email, password)
        page.goto("/training/mine/")
        form = page.get_by_test_id("rate-form")
        form.get_by_role("button", name="Send my rating").click()  # nothing chosen: said beside the choice
        expect(page.get_by_test_id("rate-form")).to_contain_text("This field is required")
        assert not axe_violations(page)
        form = page.get_by_test_id("rate-form")
        form.get_by_label("4").check()
        form.get_by_label("Comment (optional)").fill("The shortcuts alone were worth it.")
        form.get_by_role("button", name="Send my rating").click()
        expect(page.get_by_test_id("my-rating")).to_contain_text("4 of 5")
        expect(page.get_by_test_id("rate-form")).to_have_count(0)
    invitation.refresh_from_db()
    assert (invitation.rating, invitation.comment) == (4, "The shortcuts alone were worth it.")
