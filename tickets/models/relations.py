"""Tickets that belong together: "related" links a technician makes, for instance to a solved ticket whose
solution they used (a duplicate is the ticket's own `duplicate_of`)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models.ticket import Ticket, reference_of


class TicketLink(models.Model):
    """Two tickets linked as related: one row per pair, the lower number first, so a pair is linked once
    whichever page it was linked from. Both tickets list the other."""

    first = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Ticket, verbose_name=_("related ticket"), on_delete=models.CASCADE, related_name="+")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("linked by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("related tickets")
        verbose_name_plural = _("related tickets")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="ticket_link_once"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="ticket_link_ordered"),
        ]
        # `first` is served by the unique constraint's index.
        indexes = [models.Index(fields=["second"], name="ticket_link_second")]

    def __str__(self) -> str:
        return f"{reference_of(self.first_id)} ↔ {reference_of(self.second_id)}"
