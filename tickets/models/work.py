"""Work done on a ticket beyond the conversation: on-site visits, remote sessions and repairs of its device."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models.ticket import Ticket


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    # The requester asked for another time: the technician books it again or keeps it.
    CHANGE_ASKED = "change_asked", _("Another time asked for")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Visit(models.Model):
    """A technician's visit to the workplace for a ticket: when (a window), where, what to bring, and how it
    went. The requester gets it as a calendar invitation; each change sends it again under the same `uid`
    with a higher `sequence` (RFC 5545), so their calendar moves the one entry."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="visits")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="visits"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    place = models.CharField(_("place"), max_length=200)
    bring = models.CharField(_("what to bring"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    proposal = models.CharField(_("time asked for"), max_length=300, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("booked by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("booked"), default=timezone.now)

    class Meta:
        verbose_name = _("on-site visit")
        verbose_name_plural = _("on-site visits")
        ordering = ["starts_at", "id"]
        # A technician's day plan: their visits of a day in order.
        indexes = [models.Index(fields=["technician", "starts_at"], name="visit_technician_start")]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="visit_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.ticket.reference} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_upcoming(self) -> bool:
        return self.status in (VisitStatus.PLANNED, VisitStatus.CHANGE_ASKED)


class RemoteSession(models.Model):
    """A remote-control session on the requester's computer, with their consent; its length counts as time
    logged on the ticket."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="remote_sessions"
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"))
    tool = models.CharField(_("tool"), max_length=80)
    consent = models.BooleanField(_("the requester gave consent"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("remote session")
        verbose_name_plural = _("remote sessions")
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__gt=F("started_at")), name="remote_session_ends_after_start"),
            models.CheckConstraint(condition=Q(consent=True), name="remote_session_with_consent"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.tool} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return max(1, round((self.ended_at - self.started_at).total_seconds() / 60))


class Repair(models.Model):
    """A device sent to a vendor for repair from its ticket. While it is away the device is "in repair" and
    the ticket waits on the vendor (its service-level clock paused); back, the device is in use again.

    Kept with the tickets rather than the inventory: a repair is made from a ticket and moves it, and the
    inventory sits below the tickets (its device page reads repairs through a tag of this app)."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="repairs")
    device = models.ForeignKey(
        "assets.Device", verbose_name=_("device"), on_delete=models.PROTECT, related_name="repairs"
    )
    vendor = models.CharField(_("vendor"), max_length=120)
    rma_number = models.CharField(_("RMA number"), max_length=60, blank=True)
    sent_on = models.DateField(_("sent on"))
    expected_back = models.DateField(_("expected back"), null=True, blank=True)
    under_warranty = models.BooleanField(_("under warranty"), default=False)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, null=True, blank=True)
    returned_on = models.DateField(_("back on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("repair")
        verbose_name_plural = _("repairs")
        ordering = ["-sent_on", "-id"]
        indexes = [
            models.Index(fields=["device", "-sent_on"], name="repair_device_sent"),
            # The reminder round: repairs still away whose expected day has passed, not yet reminded.
            models.Index(
                fields=["expected_back"],
                condition=Q(returned_on__isnull=True, reminded_at__isnull=True),
                name="repair_overdue",
            ),
        ]
        constraints = [
            # One repair away at a time per device.
            models.UniqueConstraint(
                fields=["device"], condition=Q(returned_on__isnull=True), name="repair_one_away_per_device"
            ),
            models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0), name="repair_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} → {self.vendor} {self.rma_number}".strip()

    @property
    def is_away(self) -> bool:
        return self.returned_on is None
