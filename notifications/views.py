from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import can, require
from helpdesk.http import local_path
from helpdesk.ratelimit import by_user, limit_count
from notifications import selectors, services
from notifications.forms import FailedPeriodForm, WatcherForm
from notifications.models import Notification, NotificationStatus, Watcher
from notifications.rendering import in_app_text
from notifications.tokens import watcher_id_from_stop_token
from tickets import services as ticket_services
from tickets.permissions import can_act, get_ticket_for
from tickets.views import render_ticket_page


@login_required
def inbox(request):
    require(request.user, "notifications.view_own")
    page = Paginator(selectors.notifications_in_app_for(request.user).select_related("ticket"), 30).get_page(
        request.GET.get("page")
    )
    rows = [{"notification": n, "text": in_app_text(n)} for n in page.object_list]
    return render(request, "notifications/inbox.html", {"page": page, "rows": rows})


@login_required
@require_POST
def mark_read(request, pk: int):
    require(request.user, "notifications.view_own")
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    target = local_path(request, request.POST.get("next"))
    return HttpResponseRedirect(target) if target else redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    require(request.user, "notifications.view_own")
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return redirect("notifications:inbox")


@login_required
def failed(request):
    require(request.user, "notifications.failed")
    # A period in the address is the manager's own choice, counted before they send it: the last 24 hours
    # otherwise.
    chosen = "since" in request.GET or "until" in request.GET
    form = FailedPeriodForm(request.GET if chosen else None, now=timezone.now())
    return _failed_page(request, form, status=400 if chosen and not form.is_valid() else 200)


@login_required
@require_POST
def resend_failed(request):
    require(request.user, "notifications.failed")
    form = FailedPeriodForm(request.POST, now=timezone.now())
    if not form.is_valid():
        return _failed_page(request, form, status=400)
    count = services.notifications_resend_failed(
        by=request.user, since=form.cleaned_data["since"], until=form.cleaned_data["until"]
    )
    if count:
        text = ngettext(
            "%(count)s failed message is queued to be sent again.",
            "%(count)s failed messages are queued to be sent again.",
            count,
        )
        messages.success(request, text % {"count": count})
    else:
        messages.info(request, _("No failed messages were created in that period: nothing was sent again."))
    return redirect("notifications:failed")


def _failed_page(request, form: FailedPeriodForm, status: int = 200):
    page = Paginator(selectors.notifications_failed(), 50).get_page(request.GET.get("page"))
    period = form.period()
    context = {"page": page, "period_form": form, "period": period, "period_count": None}
    if period is not None:
        context["period_count"] = selectors.notifications_failed_between(*period).count()
    return render(request, "notifications/failed.html", context, status=status)


@login_required
@require_POST
def resend(request, pk: int):
    require(request.user, "notifications.failed")
    notification = get_object_or_404(Notification, pk=pk, status=NotificationStatus.FAILED)
    services.notification_resend(notification=notification, by=request.user)
    messages.success(request, _("The message to %(address)s is queued again.") % {"address": notification.address})
    return redirect("notifications:failed")


@login_required
@require_POST
def watcher_add(request, ticket_pk: int):
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
def watcher_stop(request, token: str):
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
    return render(request, "notifications/watcher_stop.html", {"watcher": watcher, "stopped": stopped, "token": token})


@login_required
@require_POST
def watcher_remove(request, pk: int):
    watcher = get_object_or_404(Watcher.objects.select_related("user"), pk=pk)
    ticket = get_ticket_for(request.user, watcher.ticket_id)
    # Staff remove anyone; a requester, the colleagues they added.
    if not can_act(request.user, "reply", ticket):
        raise PermissionDenied
    if not can(request.user, "tickets.work") and watcher.added_by_id != request.user.pk:
        raise PermissionDenied
    ticket_services.watcher_remove(watcher=watcher, by=request.user)
    messages.success(request, _("Removed from the watchers."))
    return redirect(ticket)
