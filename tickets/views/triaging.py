"""Triage, from the ticket page or from a dashboard row: one view body; where it was done from (the form it
reads, the service it calls, the answer it gives) is its parameter."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import can
from tickets import forms, permissions, services
from tickets.models import Ticket
from tickets.views.common import (
    REFUSED,
    SERVICE_ERRORS,
    STALE,
    SignedInRequest,
    error_onto_form,
    is_stale,
    prefixed,
)
from tickets.views.dashboard_page import triage_row_response
from tickets.views.ticket import render_ticket, service_refusal

# What both places send to the service, beside the version seen.
TRIAGE_FIELDS = ("category", "impact", "urgency", "tier", "priority", "priority_reason")


class TriagePlace:
    """Where triage is done from: the ticket page (this class) or a dashboard row (DashboardRow)."""

    def form(self, request: SignedInRequest, ticket: Ticket) -> forms.TriageForm:
        return forms.TriageForm(prefixed(request.POST, "triage"), prefix="triage")

    def save(self, request: SignedInRequest, ticket: Ticket, data: dict[str, Any]) -> Ticket:
        return services.ticket_triage(
            ticket=ticket,
            by=request.user,
            expected_version=data["version"],
            **{name: data[name] for name in TRIAGE_FIELDS},
        )

    def invalid(self, request: SignedInRequest, ticket: Ticket, form: forms.TriageForm) -> HttpResponseBase:
        return render_ticket(request, ticket, bound={"triage": form}, status=REFUSED)

    def refused(
        self, request: SignedInRequest, ticket: Ticket, form: forms.TriageForm, error: Exception
    ) -> HttpResponseBase:
        return service_refusal(request, ticket, "triage", form, error)

    def done(self, request: SignedInRequest, changed: Ticket, form: forms.TriageForm) -> HttpResponseBase:
        messages.success(request, _("Triage saved."))
        return redirect(changed)


class DashboardRow(TriagePlace):
    """A dashboard row: triage and assignment in one step; the row alone answers htmx, the dashboard the rest."""

    def __init__(self) -> None:
        self.choices = forms.triage_row_choices()

    def form(self, request: SignedInRequest, ticket: Ticket) -> forms.TriageForm:
        return forms.TriageRowForm(request.POST, choices=self.choices, auto_id=f"triage-{ticket.pk}-%s")

    def save(self, request: SignedInRequest, ticket: Ticket, data: dict[str, Any]) -> Ticket:
        return services.ticket_triage_and_assign(
            ticket=ticket,
            by=request.user,
            assignee=data["assignee"],
            expected_version=data["version"],
            **{name: data[name] for name in TRIAGE_FIELDS},
        )

    def invalid(self, request: SignedInRequest, ticket: Ticket, form: forms.TriageForm) -> HttpResponseBase:
        return triage_row_response(request, ticket, form, status=REFUSED)

    def refused(
        self, request: SignedInRequest, ticket: Ticket, form: forms.TriageForm, error: Exception
    ) -> HttpResponseBase:
        status = error_onto_form(form, error)
        if is_stale(error):
            # The row again on the ticket as it is now, saying why.
            fresh = permissions.get_ticket_for(request.user, ticket.pk)
            again = forms.TriageRowForm.for_row(fresh, self.choices)
            stale = str(getattr(error, "message", error))
            return triage_row_response(request, fresh, again, status=STALE, stale=stale)
        return triage_row_response(request, ticket, form, status=status)

    def done(self, request: SignedInRequest, changed: Ticket, form: forms.TriageForm) -> HttpResponseBase:
        changed = permissions.get_ticket_for(request.user, changed.pk)
        assignee = changed.assignee
        if assignee is not None:
            done = _("%(ticket)s is triaged and assigned to %(name)s.") % {
                "ticket": changed.reference,
                "name": assignee.get_full_name() or assignee.email,
            }
        else:
            done = _("%(ticket)s is triaged.") % {"ticket": changed.reference}
        if request.htmx:
            return triage_row_response(request, changed, forms.TriageRowForm.for_row(changed, self.choices), done=done)
        messages.success(request, done)
        return redirect("tickets:dashboard")


def _triage(request: SignedInRequest, number: int, place: TriagePlace) -> HttpResponseBase:
    """Triage the ticket `number` from `place`: read its form, save through its service, answer as it does."""
    ticket = permissions.get_ticket_for(request.user, number)
    if not can(request.user, "tickets.triage"):
        raise PermissionDenied
    form = place.form(request, ticket)
    if not form.is_valid():
        return place.invalid(request, ticket, form)
    try:
        changed = place.save(request, ticket, form.cleaned_data)
    except SERVICE_ERRORS as error:
        return place.refused(request, ticket, form, error)
    return place.done(request, changed, form)


@login_required
@require_POST
def triage(request: SignedInRequest, number: int) -> HttpResponseBase:
    return _triage(request, number, TriagePlace())


@login_required
@require_POST
def dashboard_triage(request: SignedInRequest, number: int) -> HttpResponseBase:
    """Triage one ticket from its dashboard row, and assign it in the same step if a technician is chosen."""
    return _triage(request, number, DashboardRow())
