"""The requester's and the technician's own pages: my tickets, the queue, a new ticket, a logged call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import can, require
from core.ratelimit import by_user, limit_count
from tickets import attachments, forms, selectors, services
from tickets.views.common import FILES_NOT_STORED, SignedInRequest, employee_of, too_many_tickets

MINE_OPEN_SHOWN = 100
UNASSIGNED_SHOWN = 50


# --- lists -------------------------------------------------------------------------------------


@login_required
def mine(request: SignedInRequest) -> HttpResponseBase:
    require(request.user, "tickets.view_own")
    open_tickets, past_tickets = selectors.tickets_of_requester(request.user)
    return render(
        request,
        "tickets/mine.html",
        {
            # Open tickets are few; the bound keeps the page fast for someone who reports everything.
            "open_tickets": open_tickets[:MINE_OPEN_SHOWN],
            "open_shown": MINE_OPEN_SHOWN,
            "page": Paginator(past_tickets, 25).get_page(request.GET.get("page")),
            "has_employee": employee_of(request.user) is not None,
            **_known_problems(request),
        },
    )


def _known_problems(request: SignedInRequest) -> dict:
    """The known problems a requester reads on their pages, and those they follow already."""
    if not can(request.user, "tickets.submit"):
        return {"known_problems": [], "followed": set()}
    return {
        "known_problems": selectors.known_problems_showing(employee_of(request.user)),
        "followed": selectors.known_problems_followed(request.user),
    }


@login_required
def queue(request: SignedInRequest) -> HttpResponseBase:
    require(request.user, "tickets.queue")
    filters = forms.QueueFilterForm(request.GET or None)
    status, category = "", None
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        category = filters.cleaned_data["category"]
    return render(
        request,
        "tickets/queue.html",
        {
            "filters": filters,
            "page": Paginator(selectors.tickets_queue_for(request.user, status=status, category=category), 50).get_page(
                request.GET.get("page")
            ),
            "unassigned": selectors.tickets_unassigned_for_tier(request.user, category=category)[:UNASSIGNED_SHOWN],
            "unassigned_shown": UNASSIGNED_SHOWN,
        },
    )


# The dashboard and the staff list are below, after the ticket pages.


# --- creating ----------------------------------------------------------------------------------


@login_required
def submit(request: SignedInRequest) -> HttpResponseBase:
    """A requester reports a problem. Only the fields of TicketSubmitForm are read from the post."""
    require(request.user, "tickets.submit")
    employee = employee_of(request.user)
    if employee is None:
        return render(request, "tickets/submit.html", {"form": None})
    known = _known_problems(request)
    form = forms.TicketSubmitForm(request.POST or None, request.FILES or None, employee=employee)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if limit_count(request, "ticket_create", key=by_user):
            form.add_error(None, too_many_tickets())
            return render(request, "tickets/submit.html", {"form": form, **known}, status=429)
        try:
            ticket = services.ticket_create(
                by=request.user,
                requester=employee,
                subject=data["subject"],
                description=data["description"],
                category=data["category"],
                device=data["device"],
                impact=data["impact"],
                urgency=data["urgency"],
                files=data["attachments"],
                reported_asset_tag=data["reported_asset_tag"],
                submission_key=data["submission"],
            )
        except attachments.FilesNotStored as error:
            form.add_error("attachments", error.message)
            return render(request, "tickets/submit.html", {"form": form, **known}, status=FILES_NOT_STORED)
        messages.success(
            request, _("Thank you. Your ticket %(ticket)s is with the help desk.") % {"ticket": ticket.reference}
        )
        return redirect(ticket)
    return render(request, "tickets/submit.html", {"form": form, **known})


@login_required
def log_call(request: SignedInRequest) -> HttpResponseBase:
    """A coordinator logs a phone call for an employee, and may resolve it on the spot."""
    require(request.user, "tickets.log_call")
    form = forms.LogCallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ticket = services.ticket_log_call(
            by=request.user,
            requester=data["requester"],
            subject=data["subject"],
            description=data["description"],
            category=data["category"],
            device=data["asset_tag"],
            impact=data["impact"],
            urgency=data["urgency"],
            minutes=data["minutes"] or 0,
            resolve_now=data["resolve_now"],
            resolution_notes=data["resolution_notes"],
            resolution_code=data["resolution_code"],
            submission_key=data["submission"],
        )
        messages.success(request, _("%(ticket)s is logged.") % {"ticket": ticket.reference})
        return redirect(ticket)
    return render(request, "tickets/log_call.html", {"form": form})


@login_required
def caller_search(request: SignedInRequest) -> HttpResponseBase:
    """htmx: the employees matching what the coordinator typed in the caller field."""
    require(request.user, "tickets.log_call")
    matches = selectors.employees_matching(request.GET.get("requester", "")[:120])
    return render(request, "tickets/_caller_matches.html", {"matches": matches})
