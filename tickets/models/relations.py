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


class KnownProblem(models.Model):
    """A parent ticket a coordinator told the whole organisation about: something down for many (mail, a
    building's network, a printer floor). Its public text shows on the requesters' pages and beside the
    report form of its categories and locations until the ticket is resolved; "Me too" makes a requester a
    watcher of the ticket instead of the author of another one."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="known_problem"
    )
    public_text = models.CharField(
        _("public text"),
        max_length=300,
        help_text=_("What everyone reads, in a sentence or two: “Mail is down since 09:10; we are on it.”"),
    )
    categories = models.ManyToManyField(
        "tickets.Category", verbose_name=_("categories"), blank=True, related_name="known_problems"
    )
    locations = models.ManyToManyField(
        "assets.Location", verbose_name=_("locations"), blank=True, related_name="known_problems"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    taken_down_at = models.DateTimeField(_("taken down"), null=True, blank=True)
    # Requesters who said "Me too" instead of filing a ticket: the tickets the notice saved the desk.
    me_too_count = models.PositiveIntegerField(_("“Me too”"), default=0)

    class Meta:
        verbose_name = _("known problem")
        verbose_name_plural = _("known problems")
        indexes = [
            models.Index(
                fields=["-published_at"], condition=Q(taken_down_at__isnull=True), name="known_problem_showing"
            )
        ]

    def __str__(self) -> str:
        return self.public_text

    @property
    def is_showing(self) -> bool:
        return self.taken_down_at is None
