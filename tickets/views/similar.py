"""How it was solved before: the solved tickets like one ticket, for the people who work tickets."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBase
from django.shortcuts import render

from tickets import permissions, selectors
from tickets.views.common import SignedInRequest


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
    }
    if request.htmx:
        return render(request, "tickets/_similar.html", context)
    return render(request, "tickets/similar.html", context)
