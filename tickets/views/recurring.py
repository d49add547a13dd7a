"""Recurring tickets: the schedules with their next day, and their forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import require
from tickets import forms, selectors, services
from tickets.models import RecurringTicket
from tickets.services.recurring import RECURRING_FIELDS
from tickets.views.common import REFUSED, SERVICE_ERRORS, SignedInRequest, error_onto_form

SHOWN = 500


@login_required
def recurring_list(request: SignedInRequest) -> HttpResponseBase:
    require(request.user, "tickets.recurring")
    return render(request, "tickets/recurring/list.html", {"schedules": selectors.recurring_listed()[:SHOWN]})


def _save(request: SignedInRequest, schedule: RecurringTicket | None) -> HttpResponseBase:
    form = forms.RecurringForm(request.POST or None, instance=schedule)
    status = 200
    if request.method == "POST":
        status = REFUSED
        if form.is_valid():
            values = {name: form.cleaned_data.get(name) for name in RECURRING_FIELDS}
            try:
                if schedule is None:
                    schedule = services.recurring_create(by=request.user, **values)
                else:
                    schedule = services.recurring_update(schedule=schedule, by=request.user, **values)
            except SERVICE_ERRORS as error:
                status = error_onto_form(form, error)
            else:
                messages.success(
                    request,
                    _("“%(subject)s” is saved. Its next ticket opens on %(day)s.")
                    % {"subject": schedule.subject, "day": schedule.next_on or "—"},
                )
                return redirect("tickets:recurring_list")
    return render(request, "tickets/recurring/form.html", {"form": form, "schedule": schedule}, status=status)


@login_required
def recurring_create(request: SignedInRequest) -> HttpResponseBase:
    require(request.user, "tickets.recurring")
    return _save(request, None)


@login_required
def recurring_edit(request: SignedInRequest, pk: int) -> HttpResponseBase:
    require(request.user, "tickets.recurring")
    return _save(request, get_object_or_404(RecurringTicket, pk=pk))


@login_required
@require_POST
def recurring_toggle(request: SignedInRequest, pk: int) -> HttpResponseBase:
    require(request.user, "tickets.recurring")
    schedule = get_object_or_404(RecurringTicket, pk=pk)
    schedule = services.recurring_set_active(schedule=schedule, by=request.user, active=not schedule.is_active)
    messages.success(
        request,
        (_("“%(subject)s” goes on.") if schedule.is_active else _("“%(subject)s” is paused."))
        % {"subject": schedule.subject},
    )
    return redirect("tickets:recurring_list")


@login_required
@require_POST
def recurring_delete(request: SignedInRequest, pk: int) -> HttpResponseBase:
    require(request.user, "tickets.recurring")
    schedule = get_object_or_404(RecurringTicket, pk=pk)
    services.recurring_delete(schedule=schedule, by=request.user)
    messages.success(
        request, _("“%(subject)s” is deleted; the tickets it opened stay.") % {"subject": schedule.subject}
    )
    return redirect("tickets:recurring_list")
