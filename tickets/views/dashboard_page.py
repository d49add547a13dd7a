"""The coordinator's dashboard: its parts, each refreshed by itself, and its kept markup."""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.permissions import require
from accounts.sessions import not_activity
from core import moments
from tickets import forms, fragments, selectors
from tickets.models import Category, Ticket
from tickets.views.common import SignedInRequest

# --- the coordinator's dashboard ---------------------------------------------------------------

# The most urgent rows, each with its form; the rest are a click away in the ticket list. Forty open forms
# are more than anyone triages before the next refresh, and each one makes every refresh heavier.
TRIAGE_LIMIT = 25


def _refresh_seconds() -> int:
    return settings.DASHBOARD_REFRESH_SECONDS


class _DashboardReads:
    """What several parts of the dashboard show, read at most once per request: the categories (the triage
    choices and the counts' names) and the technicians (the triage choices and the workload board)."""

    @cached_property
    def categories(self) -> list[Category]:
        return selectors.categories_by_name()

    @cached_property
    def technicians(self) -> list:
        return list(selectors.technicians_for_assignment())


# How old a ticket is changes every minute, its row's markup does not: the age is filled in on each use.
AGE_MARK = fragments.mark("age")


def _triage_rows(request: SignedInRequest, reads: _DashboardReads) -> list[dict]:
    choices = forms.triage_row_choices(reads.categories, reads.technicians)
    csrf = fragments.csrf_field(request)
    now = timezone.now()
    rows = []
    for ticket in selectors.tickets_to_triage_first(TRIAGE_LIMIT):
        context = triage_row_context(ticket, forms.TriageRowForm.for_row(ticket, choices))

        def render_row(context: dict = context) -> str:
            return render_to_string("tickets/dashboard/_triage_row.html", context)

        age = moments.relative(ticket.created_at, now)
        markup = fragments.kept(fragments.digest(context), render_row)
        row = context["row"]
        row["html"] = fragments.filled(markup, {fragments.CSRF_MARK: csrf, AGE_MARK: age})
        rows.append(row)
    return rows


def triage_row_context(ticket: Ticket, form: forms.TriageForm) -> dict[str, Any]:
    """What a kept triage row's template is given; its markup is kept under the digest of all of it."""
    return {"row": {"ticket": ticket, "form": form}, "csrf_mark": fragments.CSRF_MARK, "age_mark": AGE_MARK}


def _triage_context(request: SignedInRequest, reads: _DashboardReads) -> dict:
    return {
        "triage_rows": _triage_rows(request, reads),
        "triage_total": selectors.tickets_to_triage_count(),
        "triage_list_query": "status=new&assignee=none&sort=priority",
    }


def _watch_context(request: SignedInRequest, reads: _DashboardReads) -> dict:
    now = timezone.now()
    due_soon, waiting, stale = (
        selectors.tickets_due_soon(now=now),
        selectors.tickets_waiting_too_long(now=now),
        selectors.tickets_without_update(now=now),
    )
    escalated = selectors.tickets_recently_escalated(now=now)
    context: dict = {
        "due_soon": due_soon,
        "escalated": escalated,
        "waiting": waiting,
        "stale": stale,
        "waiting_days": selectors.WAITING_TOO_LONG.days,
        "stale_days": selectors.STALE_AFTER.days,
        "due_soon_hours": int(selectors.DUE_SOON.total_seconds() // 3600),
        "escalated_days": selectors.ESCALATED_WITHIN.days,
    }

    # The columns are kept under the digest of all they are given; the minute makes their ages right.
    context["minute"] = now.replace(second=0, microsecond=0)
    context["watch_key"] = fragments.digest(context)
    # What is truly late stands apart from what is merely close (the same rows, so the key above holds).
    context["overdue"] = [row for row in due_soon if row.is_overdue]
    context["due_next"] = [row for row in due_soon if not row.is_overdue]
    return context


def _counts_context(request: SignedInRequest, reads: _DashboardReads) -> dict:
    counts = selectors.dashboard_counts(categories=reads.categories)
    return {"counts": counts, "counts_key": fragments.digest(counts)}


def _workload_context(request: SignedInRequest, reads: _DashboardReads) -> dict:
    technicians = selectors.technicians_workload(reads.technicians)
    # Sixty rows of a table that changes a few times an hour: kept under the digest of the rows it is given.
    return {"technicians": technicians, "workload_key": fragments.digest(technicians)}


DASHBOARD_PARTS = {
    "triage": ("tickets/dashboard/_triage.html", _triage_context),
    "counts": ("tickets/dashboard/_counts.html", _counts_context),
    "watch": ("tickets/dashboard/_watch.html", _watch_context),
    "workload": ("tickets/dashboard/_workload.html", _workload_context),
}


def dashboard_context(request: SignedInRequest) -> dict:
    context = {"refresh_seconds": _refresh_seconds()}
    reads = _DashboardReads()
    for _template, build in DASHBOARD_PARTS.values():
        context.update(build(request, reads))
    return context


@login_required
def dashboard(request: SignedInRequest) -> HttpResponseBase:
    require(request.user, "tickets.dashboard")
    return render(request, "tickets/dashboard.html", dashboard_context(request))


@not_activity  # the page refreshes these by itself: an open dashboard is not someone at work
@login_required
def dashboard_part(request: SignedInRequest, part: str) -> HttpResponseBase:
    """One part of the dashboard, for its periodic refresh (htmx)."""
    require(request.user, "tickets.dashboard")
    if part not in DASHBOARD_PARTS:
        raise Http404
    template, build = DASHBOARD_PARTS[part]
    return render(request, template, {"refresh_seconds": _refresh_seconds(), **build(request, _DashboardReads())})


def triage_row_response(
    request: SignedInRequest,
    ticket: Ticket,
    form: forms.TriageForm,
    *,
    status: int = 200,
    done: str | None = None,
    stale: str | None = None,
) -> HttpResponseBase:
    """The row alone for htmx, the whole dashboard otherwise; either with the status that says what happened
    (400 refused, 409 changed meanwhile), which htmx swaps in like a 200 (base.html's htmx configuration)."""
    row = {"ticket": ticket, "form": form, "done": done, "stale": stale}
    if request.htmx:
        return render(request, "tickets/dashboard/_triage_row.html", {"row": row}, status=status)
    context = dashboard_context(request)
    context["triage_rows"] = [row if other["ticket"].pk == ticket.pk else other for other in context["triage_rows"]]
    if not any(other["ticket"].pk == ticket.pk for other in context["triage_rows"]):
        context["triage_rows"].insert(0, row)
    return render(request, "tickets/dashboard.html", context, status=status)
