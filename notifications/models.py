"""The outbox: one row a message to one recipient on one channel.

Rows are written in the same transaction as the change (a ticket Event) that causes them, so a change and the news
of it commit or vanish together. A Celery task claims a row, sends it and marks it sent; a periodic
sweep re-queues rows the broker never delivered. See notifications.services.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications import kinds


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    IN_APP = "in_app", _("In the app")
    WEBHOOK = "webhook", _("Webhook")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DIGEST = "digest", _("Waiting for the daily digest")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        help_text=_("Empty for a watcher known only by email address."),
    )
    email = models.EmailField(_("email address"), blank=True)
    # A webhook row's subscriber; its `message_id` is the delivery's id, the same on every attempt.
    subscription = models.ForeignKey(
        "notifications.WebhookSubscription",
        verbose_name=_("webhook"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), null=True, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(
        "tickets.Event", verbose_name=_("event"), null=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    # The kinds the apps registered (notifications.kinds): the outbox knows none of them by itself.
    kind = models.CharField(_("kind"), max_length=24, choices=kinds.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=NotificationChannel.choices)
    # What the message says, captured when the change happened; rendered later in the recipient's language.
    context = models.JSONField(_("content"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_by = models.CharField(_("claimed by task"), max_length=64, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    # The database's clock, like every due time of the outbox (notifications.delivery._claim).
    next_attempt_at = models.DateTimeField(_("next attempt"), db_default=Now())
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweeper's and the failed list's scans touch only rows still in flight or failed.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="notification_in_flight",
                condition=models.Q(status__in=["pending", "sending", "failed"]),
            ),
            # The bell: unread in-app rows of one user.
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread",
                condition=models.Q(channel="in_app", read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_recipient"),
            models.Index(fields=["ticket", "created_at"], name="notification_ticket"),
            # A reply by mail names the desk's message it answers: found by its Message-ID (email intake).
            models.Index(fields=["message_id"], name="notification_message_id", condition=~models.Q(message_id="")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.address} ({self.get_status_display()})"

    @property
    def address(self) -> str:
        return self.email or (self.recipient.email if self.recipient is not None else "")


class WebhookSubscription(models.Model):
    """A URL that hears of ticket events, signed with its own secret (notifications.webhooks)."""

    name = models.CharField(_("name"), max_length=80)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=64)
    # Event names ("ticket.created"...): the apps that send events say which exist (notifications.webhooks).
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveSmallIntegerField(_("failed deliveries in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("notifications:webhook_detail", args=[self.pk])


class WebhookAttempt(models.Model):
    """One try at delivering one webhook row: the subscription's delivery log."""

    notification = models.ForeignKey(
        Notification, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempts_made"
    )
    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="attempts"
    )
    attempted_at = models.DateTimeField(_("at"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-attempted_at", "-pk"]
        indexes = [models.Index(fields=["subscription", "-attempted_at"], name="webhook_attempt_latest")]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.status_code or self.error[:40]}"
