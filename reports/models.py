"""The rollups the Insight reports read instead of the ticket table, and what managers set for them.

A rollup row holds one day's figures of one slice of the tickets: all of them (group_by ""), or one member
of a dimension (group_by "technician", member "12"), optionally within one member of a second dimension
(within "department", within_member "5"). Each is kept by day and again by month (grain "month", day the
month's first): a period reads its whole months from the monthly rows and only its odd days from the daily
ones (reports.selectors.figures.covering), so a year of ten thousand employees is 120,000 rows, not a row for
each day one of them wrote. reports.rollups says which slices each ticket and each Event
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
    "repeat_failures",  # of those, repeat failures (tickets.failures; device slices only)
    "how_to",  # questions of knowing how (categories or resolution codes so set), on their day of creation
    "escalations_sent",  # escalations of a ticket the technician held (technician slices, on the day)
    "escalations_received",  # escalations to the technician
    "reopened_after",  # reopenings of a resolution the technician had given
    "minutes_logged",  # time the technician logged
    "repairs",  # devices sent to repair (device slices, on the day sent)
)


class DayFigures(models.Model):
    grain = models.CharField(max_length=5, default="day")  # "day", or "month" (day is then the month's first)
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
    repeat_failures = models.IntegerField(default=0)
    how_to = models.IntegerField(default=0)
    escalations_sent = models.IntegerField(default=0)
    escalations_received = models.IntegerField(default=0)
    reopened_after = models.IntegerField(default=0)
    minutes_logged = models.IntegerField(default=0)
    repairs = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index of every series and ranking: one slice, a range of days, all its members.
            models.UniqueConstraint(
                fields=["grain", "group_by", "within", "within_member", "day", "member"], name="day_figures_slice"
            ),
        ]
        indexes = [
            # One member's days (the employees a training ranking names, a technician's own row).
            models.Index(fields=["group_by", "member", "grain", "day"], name="day_figures_member"),
            # The nightly recount reads a month of days at a time.
            models.Index(fields=["day"], name="day_figures_day"),
            # The two largest rankings sum every member of their slice over a period, from an index alone:
            # the machines report every device's faults, the training needs every employee's questions.
            models.Index(
                fields=["grain", "day", "member"],
                include=["failures", "repeat_failures", "repairs"],
                condition=models.Q(group_by="device", within="", within_member=""),
                name="day_figures_device_faults",
            ),
            models.Index(
                fields=["grain", "day", "member"],
                include=["created", "how_to"],
                condition=models.Q(group_by="employee", within="", within_member=""),
                name="day_figures_employee_how_to",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.group_by}={self.member} {self.within}={self.within_member}"


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
            # Carries the count: a period's histograms are read from this index alone, not from rows
            # scattered over the table by the order in which days and months were written.
            models.UniqueConstraint(
                fields=["grain", "group_by", "within", "within_member", "measure", "day", "member", "bucket"],
                include=["count"],
                name="day_durations_slice",
            ),
        ]
        indexes = [models.Index(fields=["day"], name="day_durations_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.group_by}={self.member} {self.measure}[{self.bucket}]: {self.count}"
