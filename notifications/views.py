from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import require
from core.http import local_path
from notifications import selectors, services
from notifications.forms import FailedPeriodForm, WebhookForm
from notifications.models import Notification, NotificationStatus, WebhookSubscription
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


# --- webhooks -----------------------------------------------------------------------------------


def _webhook_form_errors(form: WebhookForm, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


@login_required
def webhooks(request: HttpRequest) -> HttpResponse:
    """Every subscription with its state and its last delivery; a new one."""
    require(request.user, "notifications.webhooks")
    form = WebhookForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                subscription = services.webhook_subscription_create(by=_user(request), **form.cleaned_data)
            except ValidationError as error:
                _webhook_form_errors(form, error)
            else:
                messages.success(request, _("The webhook %(name)s is on.") % {"name": subscription.name})
                return redirect("notifications:webhook_detail", pk=subscription.pk)
    context = {"form": form, "subscriptions": selectors.webhook_subscriptions()}
    return render(request, "notifications/webhooks.html", context, status=status)


@login_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One subscription: its secret, its settings and its delivery log (the last 50 attempts)."""
    require(request.user, "notifications.webhooks")
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    initial = {"name": subscription.name, "url": subscription.url, "events": subscription.events}
    form = WebhookForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.webhook_subscription_update(subscription=subscription, by=_user(request), **form.cleaned_data)
            except ValidationError as error:
                _webhook_form_errors(form, error)
            else:
                messages.success(request, _("The changes are saved."))
                return redirect("notifications:webhook_detail", pk=subscription.pk)
    context = {"subscription": subscription, "form": form, "attempts": selectors.webhook_attempts(subscription)}
    return render(request, "notifications/webhook_detail.html", context, status=status)


@login_required
@require_POST
def webhook_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Send a test event, turn a disabled webhook back on, or delete it."""
    require(request.user, "notifications.webhooks")
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    if action == "ping":
        services.webhook_ping(subscription=subscription, by=_user(request))
        messages.success(request, _("A test event is on its way: its delivery shows below in a moment."))
    elif action == "enable":
        services.webhook_subscription_enable(subscription=subscription, by=_user(request))
        messages.success(request, _("The webhook is on again."))
    elif action == "delete":
        services.webhook_subscription_delete(subscription=subscription, by=_user(request))
        messages.success(request, _("The webhook %(name)s is deleted.") % {"name": subscription.name})
        return redirect("notifications:webhooks")
    else:
        raise Http404
    return redirect("notifications:webhook_detail", pk=subscription.pk)
