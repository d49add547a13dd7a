from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import require
from core.http import local_path
from notifications import selectors, services
from notifications.forms import FailedPeriodForm
from notifications.models import Notification, NotificationStatus
from notifications.rendering import in_app_text


def _user(request: HttpRequest) -> User:
    """The signed-in person of a view behind login_required."""
    return cast(User, request.user)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    require(request.user, "notifications.view_own")
    page = Paginator(selectors.notifications_in_app_for(_user(request)).select_related("ticket"), 30).get_page(
        request.GET.get("page")
    )
    rows = [{"notification": n, "text": in_app_text(n)} for n in page.object_list]
    return render(request, "notifications/inbox.html", {"page": page, "rows": rows})


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "notifications.view_own")
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(user=_user(request), notification_id=notification.pk)
    target = local_path(request, request.POST.get("next"))
    return HttpResponseRedirect(target) if target else redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    require(request.user, "notifications.view_own")
    count = services.notifications_mark_all_read(user=_user(request))
    messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return redirect("notifications:inbox")


@login_required
def failed(request: HttpRequest) -> HttpResponse:
    require(request.user, "notifications.failed")
    # A period in the address is the manager's own choice, counted before they send it: the last 24 hours
    # otherwise.
    chosen = "since" in request.GET or "until" in request.GET
    form = FailedPeriodForm(request.GET if chosen else None, now=timezone.now())
    return _failed_page(request, form, status=400 if chosen and not form.is_valid() else 200)


@login_required
@require_POST
def resend_failed(request: HttpRequest) -> HttpResponse:
    require(request.user, "notifications.failed")
    form = FailedPeriodForm(request.POST, now=timezone.now())
    if not form.is_valid():
        return _failed_page(request, form, status=400)
    count = services.notifications_resend_failed(
        by=_user(request), since=form.cleaned_data["since"], until=form.cleaned_data["until"]
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


def _failed_page(request: HttpRequest, form: FailedPeriodForm, status: int = 200) -> HttpResponse:
    page = Paginator(selectors.notifications_failed(), 50).get_page(request.GET.get("page"))
    period = form.period()
    context = {"page": page, "period_form": form, "period": period, "period_count": None}
    if period is not None:
        context["period_count"] = selectors.notifications_failed_between(*period).count()
    return render(request, "notifications/failed.html", context, status=status)


@login_required
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "notifications.failed")
    notification = get_object_or_404(Notification, pk=pk, status=NotificationStatus.FAILED)
    services.notification_resend(notification=notification, by=_user(request))
    messages.success(request, _("The message to %(address)s is queued again.") % {"address": notification.address})
    return redirect("notifications:failed")
