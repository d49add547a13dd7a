"""What the desk did with each message it received: one row a message, whatever became of it."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Comment, PrivateStorage, Ticket


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Being processed")
    TICKET = "ticket", _("Opened a ticket")
    REPLY = "reply", _("Added a reply")
    IGNORED = "ignored", _("Ignored")
    HELD = "held", _("Held for a coordinator")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")


class InboundMessage(models.Model):
    """One received message. The unique Message-ID is what makes a message processed exactly once."""

    # The message's own Message-ID, or "sha256:<hash of its headers>" for a message without one.
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    mailbox = models.CharField(_("mailbox"), max_length=120, blank=True)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=InboundStatus.choices, default=InboundStatus.RECEIVED)
    reason = models.TextField(_("reason"), blank=True)
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    # A held message waits for a coordinator with its whole text kept (intake.held), never served directly.
    original = models.FileField(
        _("original message"), upload_to="intake/%Y/%m/", storage=PrivateStorage(), max_length=200, blank=True
    )
    preview = models.TextField(_("beginning of the text"), blank=True)
    # When the desk answered this message automatically (intake.answers): the loop guard reads it.
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    handled_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("received message")
        verbose_name_plural = _("received messages")
        ordering = ["-received_at", "-pk"]
        indexes = [
            # The admin's list: newest first, filtered by status (the held and failed ones wait for someone).
            models.Index(fields=["status", "-received_at"], name="inbound_status_received"),
            models.Index(fields=["-received_at"], name="inbound_received"),
            # One address's last hour: the per-sender rate and the loop guard (intake.answers).
            models.Index(fields=["sender", "-received_at"], name="inbound_sender_received"),
        ]

    def __str__(self) -> str:
        return f"{self.sender} — {self.subject}"


class MailboxState(models.Model):
    """One configured mailbox: who is reading it now (a lease, so two fetchers never read it at once) and
    how its last read went, for the managers."""

    name = models.CharField(_("mailbox"), max_length=120, unique=True)
    # The fetcher holding the mailbox, until when. A fetcher that died frees it when the lease runs out.
    lease_owner = models.CharField(_("read by"), max_length=64, blank=True)
    lease_until = models.DateTimeField(_("read until"), null=True, blank=True)
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last read without error"), null=True, blank=True)
    last_count = models.PositiveIntegerField(_("messages in the last read"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
