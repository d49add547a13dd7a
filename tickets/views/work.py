"""The technician's day on a ticket: merges and parents, known problems, visits, remote sessions and repairs;
and the day plan. Thin: permission, form, service, redirect."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import require
from core.ratelimit import by_user, limit_count
from tickets import forms, permissions, selectors, services
from tickets.models import KnownProblem, Repair, Ticket, Visit
from tickets.views.common import (
    REFUSED,
    SERVICE_ERRORS,
    SignedInRequest,
    error_onto_form,
    refused,
    too_many_replies,
)

FORM_PAGE = "tickets/work/form.html"


def _form_page(
    request: SignedInRequest,
    ticket: Ticket,
    form: django_forms.BaseForm,
    *,
    title: str,
    submit: str,
    intro: str = "",
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponseBase:
    context = {"ticket": ticket, "form": form, "title": title, "submit": submit, "intro": intro, **(extra or {})}
    return render(request, FORM_PAGE, context, status=status)


def _take(
    request: SignedInRequest, form: django_forms.BaseForm, save: Callable[[dict[str, Any]], object], done: str
) -> int | None:
    """Post `form` to `save` (a service called with its clean data) and say `done`: None once it is done;
    otherwise the status of the page that shows the form again (200 at first, 400 with the errors beside
    the fields they are about, or above the form)."""
    if request.method != "POST":
        return 200
    if not form.is_valid():
        return REFUSED
    try:
        save(form.cleaned_data)
    except SERVICE_ERRORS as error:
        return error_onto_form(form, error)
    messages.success(request, done)
    return None


def _working(request: SignedInRequest, number: int) -> Ticket:
    """The ticket, for whoever works on it (permissions: log_time); 404 when invisible, 403 otherwise."""
    return _worked(request, permissions.get_ticket_for(request.user, number))


def _worked(request: SignedInRequest, ticket: Ticket) -> Ticket:
    """`ticket`, which `request.user` sees, if they work on it; a 403 otherwise."""
    if not permissions.can(request.user, "log_time", ticket):
        raise PermissionDenied
    return ticket


def _other_ticket(request: SignedInRequest, number: int | None) -> Ticket | None:
    if number is None:
        return None
    return permissions.tickets_visible_to(request.user).filter(pk=number).first()


# --- merge and parent -----------------------------------------------------------------------------


@login_required
def merge(request: SignedInRequest, number: int) -> HttpResponseBase:
    """Merge this ticket into another. Tickets of two requesters ask for confirmation first."""
    ticket = permissions.get_ticket_for(request.user, number)
    if not permissions.can(request.user, "merge", ticket):
        if request.method == "POST":
            return refused(request, ticket, _("This ticket cannot be merged now."))
        raise PermissionDenied
    form = forms.MergeForm(request.POST or None, initial={"version": ticket.version})
    title = _("Merge %(ticket)s into another ticket") % {"ticket": ticket.reference}
    intro = _(
        "Its report, replies, notes, files and watchers move to the ticket you name, its requester follows that "
        "one, and this ticket ends. Its address leads to the kept ticket."
    )
    submit = _("Merge")
    status = 200
    confirm: str = ""
    if request.method == "POST":
        status = REFUSED
        if form.is_valid():
            into = _other_ticket(request, form.cleaned_data["into"])
            if into is None:
                form.add_error("into", _("No ticket you can see has this number."))
            else:
                try:
                    services.ticket_merge(
                        ticket=ticket,
                        into=into,
                        by=request.user,
                        confirmed=form.cleaned_data["confirmed"],
                        expected_version=form.cleaned_data["version"],
                    )
                except services.ConfirmationNeeded as error:
                    confirm = str(error.message)
                    data = request.POST.copy()
                    data["confirmed"] = "on"
                    form = forms.MergeForm(data)
                    form.is_valid()
                    submit = _("Merge all the same")
                    status = 200
                except SERVICE_ERRORS as error:
                    status = error_onto_form(form, error)
                else:
                    messages.success(
                        request,
                        _("%(ticket)s is merged into %(into)s.") % {"ticket": ticket.reference, "into": into.reference},
                    )
                    return redirect(into)
    return _form_page(
        request, ticket, form, title=title, submit=submit, intro=intro, status=status, extra={"confirm": confirm}
    )


@login_required
@require_POST
def set_parent(request: SignedInRequest, number: int) -> HttpResponseBase:
    ticket = _working(request, number)
    form = forms.ParentForm(request.POST)
    if not form.is_valid():
        return refused(request, ticket, " ".join(str(e) for e in form.errors.get("parent", [])))
    parent = _other_ticket(request, form.cleaned_data["parent"])
    if form.cleaned_data["parent"] is not None and parent is None:
        return refused(request, ticket, _("No ticket you can see has this number."))
    try:
        services.ticket_set_parent(ticket=ticket, parent=parent, by=request.user)
    except SERVICE_ERRORS as error:
        return refused(request, ticket, getattr(error, "message", str(error)))
    if parent is not None:
        messages.success(
            request,
            _("%(ticket)s is now a child of %(parent)s.") % {"ticket": ticket.reference, "parent": parent.reference},
        )
    else:
        messages.success(request, _("%(ticket)s has no parent now.") % {"ticket": ticket.reference})
    return redirect(ticket)


# --- known problems -------------------------------------------------------------------------------


@login_required
def known_problem(request: SignedInRequest, number: int) -> HttpResponseBase:
    """Tell everyone of this ticket as a known problem, or change what they read."""
    ticket = permissions.get_ticket_for(request.user, number)
    require(request.user, "tickets.known_problems")
    if not permissions.can(request.user, "publish_known_problem", ticket):
        return refused(request, ticket, _("This ticket is finished: a known problem is an open one."))
    problem = KnownProblem.objects.filter(ticket=ticket).first()
    initial = (
        {
            "public_text": problem.public_text,
            "categories": list(problem.categories.all()),
            "locations": list(problem.locations.all()),
        }
        if problem
        else {"public_text": "", "categories": [ticket.category] if ticket.category else []}
    )
    form = forms.KnownProblemForm(request.POST or None, initial=initial)
    status = _take(
        request,
        form,
        lambda data: services.known_problem_publish(ticket=ticket, by=request.user, **data),
        _("Everyone concerned now reads it as a known problem."),
    )
    if status is None:
        return redirect(ticket)
    return _form_page(
        request,
        ticket,
        form,
        title=_("Known problem: %(ticket)s") % {"ticket": ticket.reference},
        intro=_(
            "Requesters read this on their pages and beside the report form, and say “Me too” instead of filing "
            "another ticket: they follow this one, and hear of its updates and of the fix. The notice comes down "
            "when the ticket is resolved."
        ),
        submit=_("Publish") if problem is None or not problem.is_showing else _("Save"),
        status=status,
    )


@login_required
@require_POST
def known_problem_take_down(request: SignedInRequest, number: int) -> HttpResponseBase:
    ticket = permissions.get_ticket_for(request.user, number)
    require(request.user, "tickets.known_problems")
    problem = get_object_or_404(KnownProblem, ticket=ticket)
    services.known_problem_take_down(problem=problem, by=request.user)
    messages.success(request, _("The notice is taken down."))
    return redirect(ticket)


@login_required
@require_POST
def me_too(request: SignedInRequest, pk: int) -> HttpResponseBase:
    """A requester has the known problem too: they follow its ticket instead of filing another."""
    require(request.user, "tickets.submit")
    problem = get_object_or_404(KnownProblem.objects.select_related("ticket"), pk=pk, taken_down_at__isnull=True)
    try:
        services.known_problem_me_too(problem=problem, by=request.user)
    except SERVICE_ERRORS as error:
        messages.error(request, getattr(error, "message", str(error)))
        return redirect("tickets:mine")
    messages.success(
        request,
        _("Thank you: you will hear of every update on this problem, and when it is solved. No need to report it."),
    )
    return redirect(problem.ticket)


# --- visits ---------------------------------------------------------------------------------------


def _visit_for(request: SignedInRequest, pk: int) -> Visit:
    """The visit, its ticket read as `request.user` may see it: a 404 for a visit of a ticket they may not see,
    as for one that does not exist."""
    visit = get_object_or_404(Visit.objects.select_related("technician"), pk=pk)
    visit.ticket = permissions.get_ticket_for(request.user, visit.ticket_id)
    return visit


@login_required
def visit_book(request: SignedInRequest, number: int) -> HttpResponseBase:
    ticket = _working(request, number)
    form = (
        forms.VisitForm(request.POST) if request.method == "POST" else forms.VisitForm.for_ticket(ticket, request.user)
    )
    status = _take(
        request,
        form,
        lambda data: services.visit_book(ticket=ticket, by=request.user, **_visit_values(data)),
        _("The visit is booked and the requester is sent the invitation."),
    )
    if status is None:
        return redirect(ticket)
    return _form_page(
        request,
        ticket,
        form,
        title=_("Book a visit for %(ticket)s") % {"ticket": ticket.reference},
        intro=_("The requester is sent a calendar invitation and may ask for another time."),
        submit=_("Book the visit"),
        status=status,
    )


def _visit_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "technician": data["technician"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "place": data["place"],
        "bring": data.get("bring", ""),
    }


@login_required
def visit_edit(request: SignedInRequest, pk: int) -> HttpResponseBase:
    visit = _visit_for(request, pk)
    ticket = _worked(request, visit.ticket)
    form = forms.VisitForm(request.POST) if request.method == "POST" else forms.VisitForm.for_visit(visit)
    status = _take(
        request,
        form,
        lambda data: services.visit_reschedule(visit=visit, by=request.user, **_visit_values(data)),
        _("The visit is moved and the requester is sent the new time."),
    )
    if status is None:
        return redirect(ticket)
    return _form_page(
        request,
        ticket,
        form,
        title=_("Move the visit for %(ticket)s") % {"ticket": ticket.reference},
        intro=visit.proposal and _("The requester asked: “%(proposal)s”") % {"proposal": visit.proposal},
        submit=_("Move the visit"),
        status=status,
    )


@login_required
@require_POST
def visit_cancel(request: SignedInRequest, pk: int) -> HttpResponseBase:
    visit = _visit_for(request, pk)
    ticket = _worked(request, visit.ticket)
    try:
        services.visit_cancel(visit=visit, by=request.user)
    except SERVICE_ERRORS as error:
        return refused(request, ticket, getattr(error, "message", str(error)))
    messages.success(request, _("The visit is called off and the requester told."))
    return redirect(ticket)


@login_required
def visit_outcome(request: SignedInRequest, pk: int) -> HttpResponseBase:
    visit = _visit_for(request, pk)
    ticket = _worked(request, visit.ticket)
    form = forms.VisitOutcomeForm(request.POST or None, initial={"outcome": visit.outcome})
    status = _take(
        request,
        form,
        lambda data: services.visit_record_outcome(visit=visit, by=request.user, outcome=data["outcome"]),
        _("The visit's outcome is on the ticket."),
    )
    if status is None:
        return redirect(ticket)
    return _form_page(
        request,
        ticket,
        form,
        title=_("How the visit went: %(ticket)s") % {"ticket": ticket.reference},
        submit=_("Save the outcome"),
        status=status,
    )


@login_required
@require_POST
def visit_ask_change(request: SignedInRequest, pk: int) -> HttpResponseBase:
    """The requester asks for another time for a visit to them."""
    visit = _visit_for(request, pk)
    ticket = visit.ticket
    form = forms.VisitChangeForm(request.POST)
    if not form.is_valid():
        return refused(request, ticket, _("Say which time suits you."))
    # A message to the technician, as a reply is: the same per-person limit.
    if limit_count(request, "comment_add", key=by_user):
        return refused(request, ticket, too_many_replies())
    try:
        services.visit_ask_change(visit=visit, by=request.user, proposal=form.cleaned_data["proposal"])
    except SERVICE_ERRORS as error:
        return refused(request, ticket, getattr(error, "message", str(error)))
    messages.success(request, _("Your technician is told which time suits you, and will confirm the new time."))
    return redirect(ticket)


@login_required
def day_plan(request: SignedInRequest) -> HttpResponseBase:
    """A technician's visits of one day, in order, with the places and the people: tomorrow's before they go."""
    require(request.user, "tickets.day_plan")
    today = timezone.localdate()
    try:
        day = date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else today
    except ValueError:
        day = today
    if not date.min < day < date.max:
        day = today  # the day before the first or after the last has no date
    return render(
        request,
        "tickets/work/day_plan.html",
        {
            "day": day,
            "today": today,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "visits": selectors.visits_of_day(request.user, day),
        },
    )


# --- remote sessions and repairs ------------------------------------------------------------------


@login_required
def remote_session(request: SignedInRequest, number: int) -> HttpResponseBase:
    ticket = _working(request, number)
    form = forms.RemoteSessionForm(request.POST or None, initial={"day": timezone.localdate()})
    status = _take(
        request,
        form,
        lambda data: services.remote_session_record(
            ticket=ticket,
            by=request.user,
            started_at=data["started_at"],
            ended_at=data["ended_at"],
            tool=data["tool"],
            consent=data["consent"],
            note=data.get("note", ""),
        ),
        _("The remote session is recorded and its time logged."),
    )
    if status is None:
        return redirect(ticket)
    return _form_page(
        request,
        ticket,
        form,
        title=_("Record a remote session: %(ticket)s") % {"ticket": ticket.reference},
        submit=_("Record the session"),
        status=status,
    )


@login_required
def repair_send(request: SignedInRequest, number: int) -> HttpResponseBase:
    ticket = _working(request, number)
    device = ticket.device
    if device is None:
        return refused(request, ticket, _("This ticket names no device: set its device first."))
    form = forms.RepairForm(request.POST or None, initial={"sent_on": timezone.localdate()})
    status = _take(
        request,
        form,
        lambda data: services.repair_send(ticket=ticket, by=request.user, **data),
        _("%(device)s is recorded as in repair, and the ticket waits on the vendor.") % {"device": device.asset_tag},
    )
    if status is None:
        return redirect(ticket)
    return _form_page(
        request,
        ticket,
        form,
        title=_("Send %(device)s to repair") % {"device": device},
        intro=_(
            "The device is recorded as in repair and the ticket waits on the vendor, its due time paused. You are "
            "reminded if it is not back on the day expected."
        ),
        submit=_("Send to repair"),
        status=status,
    )


@login_required
def repair_return(request: SignedInRequest, pk: int) -> HttpResponseBase:
    repair = get_object_or_404(Repair.objects.select_related("device", "ticket"), pk=pk)
    ticket = _working(request, repair.ticket_id)
    initial = {"returned_on": timezone.localdate(), "cost": repair.cost}
    form = forms.RepairReturnForm(request.POST or None, initial=initial)
    status = _take(
        request,
        form,
        lambda data: services.repair_return(repair=repair, by=request.user, **data),
        _("%(device)s is back in use.") % {"device": repair.device.asset_tag},
    )
    if status is None:
        return redirect(ticket)
    return _form_page(
        request,
        ticket,
        form,
        title=_("%(device)s back from %(vendor)s") % {"device": repair.device.asset_tag, "vendor": repair.vendor},
        submit=_("Record the return"),
        status=status,
    )
