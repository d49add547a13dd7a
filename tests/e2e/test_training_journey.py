"""From training needs to training, in Chromium: a manager opens the training needs, plans a session for the
department with the most questions of knowing how about one program, invites them, records who came, and
three months later (frozen time) reads their tickets on that topic against those who did not come and the
whole organisation."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from assets.models import Department, Employee
from core.days import desk_zone
from helpdesk.management.commands.demo_load import DEMO_PASSWORD
from helpdesk.seed import HOW_TO_DEPARTMENT, HOW_TO_TOPIC
from notifications.models import Notification
from reports.templatetags.reports import rate
from tests.fixtures.browser import axe_violations
from tickets import services as ticket_services
from tickets.models import Category
from training import effect as effects
from training import notices
from training.models import Invitation, TrainingSession

pytestmark = pytest.mark.e2e

MANAGER = "max@demo.example"
CORA = "cora@demo.example"


def test_a_manager_plans_training_from_the_needs_and_reads_its_effect(browser_page, login):
    page = browser_page
    call_command("demo_load")
    zone = desk_zone()
    sales = Department.objects.get(name=HOW_TO_DEPARTMENT)
    excel = Category.objects.get(name=HOW_TO_TOPIC)
    day = timezone.localdate() + timedelta(days=7)
    login(page, MANAGER, DEMO_PASSWORD)

    # The training needs: the department that asks most, its most asked program first.
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Training needs").click()
    first = page.get_by_test_id("departments").locator("tbody tr").first
    expect(first).to_contain_text(HOW_TO_DEPARTMENT)
    expect(first.locator("td").first.locator("a").first).to_contain_text(HOW_TO_TOPIC)
    first.get_by_role("link", name="Plan a session").click()

    # The form comes filled in with the topic and the department; the rest is the manager's.
    page.wait_for_url("**/training/new/**")
    expect(page.get_by_label("Title")).to_have_value(f"Getting more out of {HOW_TO_TOPIC}")
    expect(page.get_by_label(HOW_TO_DEPARTMENT)).to_be_checked()
    selected = page.get_by_label("Categories it addresses").evaluate(
        "(select) => [...select.selectedOptions].map((option) => option.value)"
    )
    assert selected == [str(excel.pk)]
    page.get_by_label("Trainer").select_option(label="Tess Hansen")
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_label("From").fill("09:00")
    page.get_by_label("Until").fill("11:00")
    page.get_by_role("textbox", name="Place", exact=True).fill("HQ, training room 2")
    page.get_by_label("Seats").fill("25")
    page.get_by_role("button", name="Plan and invite").click()

    page.wait_for_url("**/training/*/")
    session = TrainingSession.objects.get(title=f"Getting more out of {HOW_TO_TOPIC}")
    members = Employee.objects.filter(department=sales, is_active=True)
    assert set(session.invitations.values_list("employee", flat=True)) == set(members.values_list("pk", flat=True))
    reachable = members.exclude(email="").count()
    invited = Notification.objects.filter(kind=notices.INVITED, channel="email", context__session_id=session.pk)
    assert invited.count() == reachable
    expect(page.get_by_test_id("invitations").locator("tbody tr")).to_have_count(members.count())
    assert not axe_violations(page)

    # The session is given; the coordinator records who came: the first two thirds of the list.
    given = datetime.combine(day, time(12), tzinfo=zone)
    invitations = list(Invitation.objects.filter(session=session).select_related("employee").order_by(
        "employee__last_name", "employee__first_name", "pk"))  # fmt: skip
    came = invitations[: len(invitations) * 2 // 3]
    absent = invitations[len(came) :]
    with time_machine.travel(given, tick=False):
        page.context.clear_cookies()
        login(page, CORA, DEMO_PASSWORD)
        page.goto(session.get_absolute_url())
        page.get_by_test_id("record-attendance").click()
        for invitation in came:
            page.get_by_label(invitation.employee.full_name, exact=False).check()
        page.get_by_role("button", name="Record attendance").click()
        page.wait_for_url(f"**{session.get_absolute_url()}")
        expect(page.get_by_role("heading", name=f"{len(invitations)} invited · {len(came)} came")).to_be_visible()

    # Three months of tickets: those who came ask once about the program; those who did not, three times each.
    coordinator = came[0].session.planned_by
    for offset, group, times in ((20, came, 1), (40, absent, 3)):
        for invitation in group:
            for repeat in range(times):
                with time_machine.travel(given + timedelta(days=offset + repeat), tick=False):
                    ticket_services.ticket_create(by=coordinator, requester=invitation.employee, category=excel,
                                                  subject="How do I filter this?", impact=3, urgency=3)  # fmt: skip

    later = given + timedelta(days=95)
    with time_machine.travel(later, tick=False):
        page.context.clear_cookies()
        login(page, MANAGER, DEMO_PASSWORD)
        page.goto(session.get_absolute_url())
        effect = page.get_by_test_id("effect")
        expect(effect).to_be_visible()
        measured = effects.session_effect(session, today=later.date())
        groups = {group.key: group for group in measured.topics[0].groups}
        assert groups["attended"].after.tickets == len(came)
        assert groups["absent"].after.tickets == 3 * len(absent)
        assert groups["attended"].after.per_person_month < groups["absent"].after.per_person_month
        table = effect.get_by_test_id("effect-all")
        for key in ("attended", "absent", "everyone"):
            row = table.get_by_test_id(f"effect-{key}")
            expect(row.get_by_test_id("after-rate")).to_have_text(rate(groups[key].after.per_person_month))
            expect(row.get_by_test_id("before-rate")).to_have_text(rate(groups[key].before.per_person_month))
        # Each person's own figures, for the manager only.
        expect(page.get_by_test_id("person-after").first).to_be_visible()
        assert not axe_violations(page)

        # The trends report marks the session on its timeline.
        first_day = (day - timedelta(days=30)).isoformat()
        page.goto(f"/reports/trends/?period=custom&first={first_day}&last={later.date().isoformat()}")
        expect(page.get_by_test_id("trend-sessions")).to_contain_text(session.title)
        expect(page.locator("line.chart-mark title").filter(has_text=session.title)).to_have_count(1)
