"""The monthly summary by mail: to the managers who asked for it on their profile, through the outbox.

On the first of each month (Celery beat) each of them gets one message, in their own language: the desk's
key figures of the last month against the month before, the problems rising most, the machines to replace
and the training topics, each with a link into the report it comes from. The content is read from the
rollups once and stored in every row as plain values; the words are translated when each message is
rendered, in its recipient's language. A month is summarised once per person, however often the task runs.
"""

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.permissions import roles_with
from assets.models import Department
from core.days import desk_zone
from core.names import in_every_language
from notifications import kinds
from notifications.models import Notification, NotificationChannel
from notifications.services import notifications_save
from reports.periods import Period, preset
from reports.selectors.desk import desk_report
from reports.selectors.machines import REASONS, replacement_candidates
from reports.selectors.training import training_needs
from reports.selectors.trends import problem_trends
from tickets.models import Category

KIND = "monthly_summary"
# How many rising problems, machines and training topics the mail names: the reports have the rest.
SHOWN = 5
# The desk's figures the summary carries, with their words: kept untranslated in the row, translated when
# each message is rendered in its recipient's language (the same words as the desk report's).
FIGURES = {
    "created": gettext_noop("Created"),
    "resolved": gettext_noop("Resolved"),
    "backlog": gettext_noop("Open at the end"),
    "resolution_median": gettext_noop("Resolution, median"),
    "response_met": gettext_noop("First response in time"),
    "resolution_met": gettext_noop("Resolved in time"),
    "reopened": gettext_noop("Reopened, of resolved"),
    "first_contact": gettext_noop("Resolved at first contact"),
}


def register_kind() -> None:
    kinds.register(
        kinds.Kind(
            value=KIND,
            label=_("Monthly summary of the reports"),
            headline=_("The help desk in %(month)s"),
            intro=_("The desk's figures of last month against the month before, what is rising, and what to act on."),
            audience="",  # asked for with its own choice on the profile, not among the kinds of ticket news
            values=_month_named,
            template="emails/monthly_summary",
        )
    )


def _month_named(data: dict[str, Any]) -> dict[str, Any]:
    """The month as its recipient reads it ("november 2026" in Swedish): the wording is filled in when the
    message is rendered, in the recipient's language."""
    first = data.get("first")
    if not first:
        return {"month": data.get("month", "")}
    return {"month": formats.date_format(date.fromisoformat(first), "YEAR_MONTH_FORMAT")}


def _report_link(name: str, period: Period) -> str:
    query = urlencode({"period": "custom", "first": period.first.isoformat(), "last": period.last.isoformat()})
    return f"{reverse(f'reports:{name}')}?{query}"


def summary_content(period: Period) -> dict[str, Any]:
    """What every summary of `period` holds: plain values, the same for each recipient."""
    desk = desk_report(period)
    figures = [
        {
            "key": figure.key,
            "label": FIGURES[figure.key],
            "value": figure.value,
            "previous": figure.previous,
            "unit": figure.unit,
            "change": figure.change,
            "rising_is_good": figure.rising_is_good,
        }
        for figure in desk.figures
        if figure.key in FIGURES
    ]
    # Words the desk defines (resolution codes, reasons) are kept in English and translated for each
    # recipient when rendered; names the managers gave (categories, departments) are kept in every language
    # ("names"), and the recipient's is shown.
    with translation.override("en"):
        rising_rows = problem_trends(period).rising[:SHOWN]
        machines = [
            {"name": f"{row.asset_tag} ({row.model})" if row.model else row.asset_tag,
             "why": [str(REASONS[reason]) for reason in row.reasons], "failures": row.failures}
            for row in replacement_candidates(period, limit=50)[:SHOWN]
        ]  # fmt: skip
        training_rows = [row for row in training_needs(period, limit=SHOWN).departments if row.topics]
    category_ids = {int(row.member) for row in rising_rows if row.kind == "category" and row.member.isdigit()}
    category_ids |= {row.topics[0].category_id for row in training_rows if row.topics[0].category_id is not None}
    categories = Category.objects.select_related("parent").in_bulk(category_ids) if category_ids else {}
    departments = Department.objects.in_bulk([row.member_id for row in training_rows]) if training_rows else {}

    def with_names(row: dict[str, Any], **named: object) -> dict[str, Any]:
        """`row`, with each name given in other languages (key -> object) kept in every language."""
        for key, value in named.items():
            names = in_every_language(value) if value is not None else {}
            if len(set(names.values())) > 1:  # none given: the name itself is enough
                row[key] = names
        return row

    rising = [
        with_names(
            {"name": str(row.label), "count": row.count, "previous": row.previous},
            names=categories.get(int(row.member)) if row.kind == "category" and row.member.isdigit() else None,
        )
        for row in rising_rows
    ]
    training = [
        with_names(
            {"topic": row.topics[0].name, "count": row.topics[0].how_to, "who": row.name},
            topic_names=categories.get(row.topics[0].category_id or 0),
            who_names=departments.get(row.member_id),
        )
        for row in training_rows
    ]
    return {
        "month": period.first.strftime("%Y-%m"),
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "figures": figures,
        "rising": rising,
        "machines": machines,
        "training": training,
        "links": {
            name: _report_link(name, period) for name in ("desk", "technicians", "trends", "machines", "training")
        },
    }


def recipients() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, monthly_summary=True, role__in=roles_with("reports.monthly_summary")
        ).exclude(email="")
    )


def monthly_summaries_send(*, now: datetime | None = None) -> int:
    """Queue last month's summary for each manager who asked for it and has not had it. Returns how many."""
    now = now or timezone.now()
    today: date = now.astimezone(desk_zone()).date()
    period = preset("last_month", today)
    month = period.first.strftime("%Y-%m")
    people = recipients()
    if not people:
        return 0
    content = summary_content(period)
    with transaction.atomic():
        already = set(
            Notification.objects.filter(kind=KIND, context__month=month, recipient__in=people).values_list(
                "recipient_id", flat=True
            )
        )
        rows = [
            Notification(
                recipient=person,
                email=person.email,
                kind=KIND,
                channel=NotificationChannel.EMAIL,
                context=content,
                created_at=now,
            )
            for person in people
            if person.pk not in already
        ]
        notifications_save(rows)
    return len(rows)
