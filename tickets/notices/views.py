"""A ticket's watchers: add and remove them on the ticket's page; a watcher stops their messages by link."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.permissions import can
from core.ratelimit import by_user, limit_count
from tickets import services as ticket_services
from tickets.models import Watcher
from tickets.notices.forms import WatcherForm
from tickets.notices.tokens import watcher_id_from_stop_token
from tickets.permissions import can_act, get_ticket_for, may_remove_watcher
from tickets.views import render_ticket_page
from tickets.views.common import SignedInRequest


@login_required
@require_POST
def watcher_add(request: SignedInRequest, ticket_pk: int) -> HttpResponseBase:
    ticket = get_ticket_for(request.user, ticket_pk)
    if not can_act(request.user, "reply", ticket):
        raise PermissionDenied
    form = WatcherForm(request.POST, outside_allowed=can(request.user, "tickets.work"))
    status = 400
    if form.is_valid():
        if limit_count(request, "watcher_add", key=by_user):
            form.add_error("email", _("You have added many watchers in a short time. Try again in a while."))
            status = 429
        else:
            try:
                ticket_services.watcher_add(ticket=ticket, by=request.user, email=form.cleaned_data["email"])
            except ticket_services.WatcherError as error:
                form.add_error("email", str(error))
    if form.errors:
        return render_ticket_page(request, ticket, extra={"watcher_form": form}, status=status)
    messages.success(
        request, _("%(address)s will get this ticket's updates.") % {"address": form.cleaned_data["email"]}
    )
    return redirect(ticket)


@csrf_exempt  # the signed token is the authority; a mail client's one-click POST (RFC 8058) carries no CSRF token
@require_http_methods(["GET", "POST"])
def watcher_stop(request: HttpRequest, token: str) -> HttpResponse:
    """A watcher stops a ticket's messages from the link in one of them, with no account: GET asks (link
    checkers in mail systems open links), POST stops."""
    watcher_id = watcher_id_from_stop_token(token)
    if watcher_id is None:
        raise Http404
    watcher = Watcher.objects.select_related("ticket", "user").filter(pk=watcher_id).first()
    if request.method == "POST" and watcher is not None:
        ticket_services.watcher_remove(watcher=watcher, by=None)
        watcher = None
        stopped = True
    else:
        stopped = watcher is None
    return render(
        request, "tickets/notices/watcher_stop.html", {"watcher": watcher, "stopped": stopped, "token": token}
    )


@login_required
@require_POST
def watcher_remove(request: HttpRequest, pk: int) -> HttpResponse:
    watcher = get_object_or_404(Watcher.objects.select_related("user"), pk=pk)
    ticket = get_ticket_for(request.user, watcher.ticket_id)
    if not may_remove_watcher(request.user, watcher, ticket):
        raise PermissionDenied
    ticket_services.watcher_remove(watcher=watcher, by=cast(User, request.user))
    messages.success(request, _("Removed from the watchers."))
    return redirect(ticket)
