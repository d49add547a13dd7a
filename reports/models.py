"""The rollups the Insight reports read instead of the ticket table, and what managers set for them.

A rollup row holds one day's figures of one slice of the tickets: all of them (group_by ""), or one member
of a dimension (group_by "technician", member "12"), optionally within one member of a second dimension
(within "department", within_member "5"). reports.rollups says which slices each ticket and each Event
count in; the services keep the rows in the transaction of every change, and a nightly recount checks them.
Derived data: never edited by hand.
"""

from django.db import models

# The measures of a DayFigures row. The day each is counted on is said in reports.rollups.
MEASURES = (
    "created",  # tickets created (on their day of creation)
    "escalated",  # of those, tickets escalated at least once
    "responded",  # of those, tickets answered under a service level ...
    "response_met",  # ... in time
    "resolved",  # tickets resolved or closed (on their day of resolution)
    "resolution_measured",  # of those, tickets under a service level ...
    "resolution_met",  # ... resolved in time
    "reopened",  # of the resolved, tickets reopened at least once before this resolution held
    "first_contact",  # of the resolved, tickets solved at tier 1 and never escalated
    "backlog",  # tickets opened less tickets finished: summed up to a day, the open backlog at its end
    "failures",  # hardware faults (categories reported as hardware), on their day of creation
    "how_to",  # questions of knowing how (categories or resolution codes so set), on their day of creation
    "escalations_sent",  # escalations of a ticket the technician held (technician slices, on the day)
    "escalations_received",  # escalations to the technician
    "reopened_after",  # reopenings of a resolution the technician had given
    "minutes_logged",  # time the technician logged
)


class DayFigures(models.Model):
    day = models.DateField()
    group_by = models.CharField(max_length=16, blank=True)
    member = models.CharField(max_length=120, blank=True)
    within = models.CharField(max_length=16, blank=True)
    within_member = models.CharField(max_length=120, blank=True)
    created = models.IntegerField(default=0)
    escalated = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    response_met = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    resolution_measured = models.IntegerField(default=0)
    resolution_met = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    first_contact = models.IntegerField(default=0)
    backlog = models.IntegerField(default=0)
    failures = models.IntegerField(default=0)
    how_to = models.IntegerField(default=0)
    escalations_sent = models.IntegerField(default=0)
    escalations_received = models.IntegerField(default=0)
    reopened_after = models.IntegerField(default=0)
    minutes_logged = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index of every series and ranking: one slice, a range of days, all its members.
            models.UniqueConstraint(
                fields=["group_by", "within", "within_member", "day", "member"], name="day_figures_slice"
            ),
        ]
        # One member's days (the employees a training ranking names, a technician's own row).
        # The nightly recount reads a month of days at a time.
        indexes = [
            models.Index(fields=["group_by", "member", "day"], name="day_figures_member"),
            models.Index(fields=["day"], name="day_figures_day"),
            # The machines report sums every failing device's faults over two periods: from this index alone.
            models.Index(
                fields=["day", "member"],
                include=["failures"],
                condition=models.Q(group_by="device", within="", within_member=""),
                name="day_figures_device_faults",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.group_by}={self.member} {self.within}={self.within_member}"


class DayDurations(models.Model):
    """How many tickets of a slice took a time in each bucket, by day and again by month: the histograms the
    medians and 90th percentiles are read from (reports.durations says how exact they are). A period reads
    its whole months from the monthly rows and only its odd days from the daily ones: a year of a
    technician's histograms is a few hundred rows, not one per ticket."""

    grain = models.CharField(max_length=5, default="day")  # "day", or "month" (day is then the month's first)
    day = models.DateField()
    group_by = models.CharField(max_length=16, blank=True)
    member = models.CharField(max_length=120, blank=True)
    within = models.CharField(max_length=16, blank=True)
    within_member = models.CharField(max_length=120, blank=True)
    measure = models.CharField(max_length=12)  # "response" or "resolution"
    bucket = models.SmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "group_by", "within", "within_member", "measure", "day", "member", "bucket"],
                name="day_durations_slice",
            ),
        ]
        indexes = [models.Index(fields=["day"], name="day_durations_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.group_by}={self.member} {self.measure}[{self.bucket}]: {self.count}"
