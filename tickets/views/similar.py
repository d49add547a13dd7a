"""How it was solved before: the solved tickets like one ticket, for the people who work tickets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets import forms, permissions, selectors, services
from tickets.views.common import SignedInRequest
from tickets.workflow import ActorNotAllowed, WorkflowError


@login_required
def similar(request: SignedInRequest, number: int) -> HttpResponseBase:
    """The panel of the ticket page and the triage row (htmx), or a page of its own. Staff only: to anyone
    else it is a 404, like the other tickets it names."""
    ticket = permissions.get_ticket_for(request.user, number)
    if not permissions.can(request.user, "view_internal", ticket):
        raise Http404
    context = {
        "ticket": ticket,
        "similar": selectors.similar_solved(ticket),
        "may_quote": permissions.can(request.user, "reply", ticket) or permissions.can(request.user, "note", ticket),
        "may_link": permissions.can(request.user, "log_time", ticket),
        "related": set(selectors.tickets_related_ids(ticket)),
    }
    if request.htmx:
        return render(request, "tickets/_similar.html", context)
    return render(request, "tickets/similar.html", context)


@login_required
@require_POST
def link(request: SignedInRequest, number: int) -> HttpResponseBase:
    """Link the ticket to another as related (a solved one from the panel, or any by its number)."""
    ticket = permissions.get_ticket_for(request.user, number)
    form = forms.LinkTicketForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(form.errors["other"][0]))
        return redirect(ticket)
    other = permissions.get_ticket_for(request.user, form.cleaned_data["other"])
    try:
        created = services.ticket_link(ticket=ticket, other=other, by=request.user)
    except ActorNotAllowed:
        messages.error(request, _("Only who works %(ticket)s can link it to another.") % {"ticket": ticket.reference})
        return redirect(ticket)
    except WorkflowError as error:
        messages.error(request, error.message)
        return redirect(ticket)
    if created:
        messages.success(
            request, _("%(ticket)s is linked to %(other)s.") % {"ticket": ticket.reference, "other": other.reference}
        )
    else:
        messages.info(
            request,
            _("%(ticket)s was linked to %(other)s already.") % {"ticket": ticket.reference, "other": other.reference},
        )
    return redirect(ticket)
