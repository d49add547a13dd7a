"""Per-person and derived rows read by the lists: saved filters and the solved tally."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models.catalogue import Category


class SavedFilter(models.Model):
    """A named set of filters of the staff ticket list, kept per person."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("name"), max_length=80)
    querystring = models.CharField(_("filters"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_unique_name")]

    def __str__(self) -> str:
        return self.name


class SolvedTally(models.Model):
    """How many tickets a technician solved, by category, device model and month (tickets/tally.py).

    "Solved N like this" in the technician suggestions sums a few of these rows instead of counting a year
    of every technician's tickets. The status changes keep it; a nightly rebuild makes it again from the
    tickets. Derived data: never edited by hand.
    """

    # Indexed by the constraint and the indexes below, which begin with these columns.
    technician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    device_model = models.CharField(max_length=120, blank=True)
    month = models.DateField(help_text="The first day of the month (UTC) the tickets were solved in.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # One row per bucket; a ticket without a category is counted under category 0.
            models.UniqueConstraint(
                models.F("technician"),
                Coalesce(models.F("category"), models.Value(0)),
                models.F("device_model"),
                models.F("month"),
                name="solved_tally_bucket",
            ),
        ]
        # The ranking reads the buckets of one category or one device model, for the last twelve months.
        indexes = [
            models.Index(fields=["category", "month"], name="solved_tally_category"),
            models.Index(fields=["device_model", "month"], name="solved_tally_model"),
        ]

    def __str__(self) -> str:
        return f"{self.technician_id} {self.category_id} {self.device_model} {self.month}: {self.count}"
