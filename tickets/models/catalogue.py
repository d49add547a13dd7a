"""What the managers set up once: categories (and their automatic assignment), the business calendars the
SLA clocks count in, and the SLA policies."""

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier
from core.names import TranslatedName
from tickets import business_time
from tickets.models.choices import (
    AutoAssign,
    BreachClock,
    Priority,
    ReportAs,
    ResolutionCode,
)


class BusinessCalendar(TranslatedName):
    """When the desk works: the hours of its working days in one time zone, less public holidays of a
    country (the `holidays` package) and the organisation's own closed days. SLA clocks count only this
    time. One calendar is the default; a category, or the requester's location, may use another."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Stockholm")
    country = models.CharField(
        _("public holidays of"), max_length=2, blank=True, help_text=_("A country code, e.g. SE, NO, NL, ES, PL.")
    )
    subdivision = models.CharField(_("region"), max_length=10, blank=True)
    working_days = models.CharField(
        _("working days"), max_length=13, default="0,1,2,3,4", help_text=_("Monday is 0, Sunday is 6.")
    )
    day_starts = models.TimeField(_("work starts"), default=time(8))
    day_ends = models.TimeField(_("work ends"), default=time(17))
    is_default = models.BooleanField(_("default"), default=False)
    locations = models.ManyToManyField(
        "assets.Location", verbose_name=_("locations"), blank=True, related_name="business_calendars"
    )

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.translated_name

    def clean(self) -> None:
        """A calendar the clocks cannot use is refused here, with the reason beside the field: a bad one would
        break every ticket that counts time by it."""
        errors: dict[str, Any] = {}
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = _("Unknown time zone “%(zone)s”; for example Europe/Stockholm.") % {
                "zone": self.time_zone
            }
        days = [part.strip() for part in self.working_days.split(",") if part.strip()]
        if not days or any(not day.isdigit() or int(day) > 6 for day in days):
            errors["working_days"] = _("Give the working days as numbers from 0 (Monday) to 6, separated by commas.")
        if self.day_starts and self.day_ends and self.day_ends != time(0) and self.day_ends <= self.day_starts:
            errors["day_ends"] = _("Work must end after it starts.")
        if self.country:
            try:
                business_time.public_holidays(self.country, [timezone.now().year], self.subdivision or None)
            except ValueError:
                field = "subdivision" if self.subdivision else "country"
                errors[field] = _("No public holidays are known for %(place)s.") % {
                    "place": f"{self.country}-{self.subdivision}" if self.subdivision else self.country
                }
        if errors:
            raise ValidationError(errors)


class ClosedDay(TranslatedName):
    """A day the organisation is closed besides public holidays (a company day, the days between holidays)."""

    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="closed_days"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="closed_day_once")]

    def __str__(self) -> str:
        return f"{self.date} {self.translated_name}".strip()


class Category(TranslatedName):
    """A kind of problem, in a small tree: "Hardware > Printer". Technicians' skills point here."""

    name = models.CharField(_("name"), max_length=80)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="categories",
        help_text=_("Another calendar for the tickets of this category (a service run around the clock)."),
    )
    # Tickets start at tier 1 unless their category says otherwise (a server outage starts with tier 2).
    default_tier = models.PositiveSmallIntegerField(
        _("starting tier"), choices=Tier.choices, default=Tier.ONE, db_default=Tier.ONE
    )
    auto_assign = models.CharField(
        _("automatic assignment"),
        max_length=16,
        choices=AutoAssign.choices,
        default=AutoAssign.NONE,
        db_default=AutoAssign.NONE,
    )
    report_as = models.CharField(
        _("in the reports"),
        max_length=8,
        choices=ReportAs.choices,
        blank=True,
        default=ReportAs.NOTHING,
        db_default=ReportAs.NOTHING,
        help_text=_("Hardware faults rank the machines that break often; questions of knowing how are training needs."),
    )
    # Round-robin remembers who got the last ticket; the next qualified technician after them is next.
    auto_assign_last = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last automatically assigned"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["parent__name", "name"]
        # The staff list sorted by category reads the categories in this order, then each one's tickets.
        indexes = [models.Index(fields=["name", "id"], name="category_name_order")]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(parent__isnull=True), name="category_unique_root_name"
            ),
        ]

    def __str__(self) -> str:
        if self.parent_id:
            assert self.parent is not None  # parent_id is set
            return category_path(self.translated_name, self.parent.translated_name)
        return self.translated_name


def category_path(name: str, parent: str | None) -> str:
    """How a category is written where its tree matters: "Hardware > Printer" (names already in the
    reader's language; pages that read categories as values build the same text here)."""
    return f"{parent} > {name}" if parent else name


class SlaPolicy(models.Model):
    """The service level of one priority: time to first response and to resolution, in business time, when
    to warn, and what happens on a breach."""

    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, unique=True)
    first_response_minutes = models.PositiveIntegerField(_("first response within (working minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (working minutes)"))
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at (per cent of the target)"), default=75, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    # Each action says which passed due time sets it off: a first response late is not always worth a
    # specialist, a resolution late often is.
    breach_escalates_on = models.CharField(
        _("escalate one tier"),
        max_length=10,
        choices=BreachClock.choices,
        blank=True,
        default=BreachClock.NEVER,
        db_default=BreachClock.NEVER,
        help_text=_(
            "When the ticket moves up a tier by itself: to the best-ranked available technician of that tier with "
            "room for it, or else to that tier's triage, with the technician who held it kept informed as a "
            "watcher. A ticket at the top tier stays there."
        ),
    )
    breach_raises_priority_on = models.CharField(
        _("raise the priority one step"),
        max_length=10,
        choices=BreachClock.choices,
        blank=True,
        default=BreachClock.NEVER,
        db_default=BreachClock.NEVER,
        help_text=_(
            "When the ticket's priority goes up one step by itself (P3 becomes P2), which sets new due times. "
            "A P1 ticket stays P1."
        ),
    )
    breach_notifies_coordinators = models.BooleanField(
        _("tell the coordinators of each breach"),
        default=True,
        help_text=_(
            "Coordinators who get breach alerts hear of every passed due time, first response and resolution "
            "alike. The technician holding the ticket is always told."
        ),
    )

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["priority"]

    def __str__(self) -> str:
        return str(Priority(self.priority).label)

    def escalates_on(self, clock: str) -> bool:
        """Does a breach of `clock` ("response" or "resolution") move the ticket up a tier?"""
        return BreachClock.covers(self.breach_escalates_on, clock)

    def raises_priority_on(self, clock: str) -> bool:
        """Does a breach of `clock` ("response" or "resolution") raise the ticket's priority?"""
        return BreachClock.covers(self.breach_raises_priority_on, clock)


class TrainingSetup(models.Model):
    """Which resolution codes mean that the requester needed guidance (one row; categories say it of
    themselves). The training-needs report counts tickets so resolved."""

    how_to_codes = models.JSONField(_("resolution codes that mean user guidance"), default=list, blank=True)

    class Meta:
        verbose_name = _("training setup")
        verbose_name_plural = _("training setup")

    def __str__(self) -> str:
        return str(_("Training setup"))

    @classmethod
    def codes(cls) -> frozenset[str]:
        row = cls.objects.order_by("pk").first()
        return frozenset(row.how_to_codes) if row is not None else DEFAULT_HOW_TO_CODES


DEFAULT_HOW_TO_CODES = frozenset({ResolutionCode.USER_TRAINING.value})
