"""Recurring work: tickets Celery beat opens on a schedule (preventive maintenance, the monthly backup
check, the quarterly printer service)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Tier
from tickets.models.catalogue import Category
from tickets.models.ticket import Ticket


class RepeatUnit(models.TextChoices):
    DAYS = "days", _("days")
    WEEKS = "weeks", _("weeks")
    MONTHS = "months", _("months")


class RecurringTicket(models.Model):
    """A ticket's template and its schedule: every `every` days, weeks or months from `starts_on` (a weekly
    one on the weekday of `starts_on`, a monthly one on its day of the month, or the month's last day when
    shorter), until `ends_on` if set. `next_on` is the next occurrence not yet opened."""

    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    requester = models.ForeignKey(
        "assets.Employee",
        verbose_name=_("on behalf of"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The employee the tickets are for: the device's holder, or the desk's own record."),
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.ONE)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: each ticket waits in triage."),
    )
    device = models.ForeignKey(
        "assets.Device", verbose_name=_("device"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "assets.Location", verbose_name=_("location"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    every = models.PositiveSmallIntegerField(_("every"), default=1)
    unit = models.CharField(_("unit"), max_length=8, choices=RepeatUnit.choices, default=RepeatUnit.MONTHS)
    starts_on = models.DateField(_("first on"))
    ends_on = models.DateField(_("last on or before"), null=True, blank=True)
    next_on = models.DateField(_("next on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("recurring ticket")
        verbose_name_plural = _("recurring tickets")
        ordering = ["next_on", "id"]
        # Beat's round: the active schedules whose next day has come.
        indexes = [models.Index(fields=["next_on"], condition=Q(is_active=True), name="recurring_due")]
        constraints = [
            models.CheckConstraint(condition=Q(every__gte=1), name="recurring_every_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="recurring_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def every_label(self) -> str:
        """ "every month", "every 3 weeks"."""
        words = {
            RepeatUnit.DAYS: ngettext("every day", "every %(count)s days", self.every),
            RepeatUnit.WEEKS: ngettext("every week", "every %(count)s weeks", self.every),
            RepeatUnit.MONTHS: ngettext("every month", "every %(count)s months", self.every),
        }[RepeatUnit(self.unit)]
        return words % {"count": self.every}


class RecurringRun(models.Model):
    """One occurrence of a schedule, opened once: the unique (schedule, day) makes a second beat, or a beat
    run twice, write nothing. `missed`: the earlier occurrences that passed while beat was down, not opened
    (one ticket for the latest, not a flood)."""

    recurring = models.ForeignKey(RecurringTicket, on_delete=models.CASCADE, related_name="runs")
    due_on = models.DateField(_("due on"))
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    missed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        constraints = [models.UniqueConstraint(fields=["recurring", "due_on"], name="recurring_run_once")]

    def __str__(self) -> str:
        return f"{self.recurring_id} {self.due_on}"
