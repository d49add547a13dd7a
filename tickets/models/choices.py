"""The closed sets of values a ticket carries: statuses, channels, impact, urgency, priority, the kinds of
its history, and the status groups the partial indexes are built on."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AutoAssign(models.TextChoices):
    """How new tickets of a category find their technician without a coordinator."""

    NONE = "none", _("No: the coordinators assign")
    LEAST_LOADED = "least_loaded", _("The least loaded qualified technician")
    ROUND_ROBIN = "round_robin", _("Round-robin among the qualified")


class BreachClock(models.TextChoices):
    """Which passed due time of a service level sets off one of its breach actions."""

    NEVER = "", _("Never")
    RESPONSE = "response", _("When the first response time passes")
    RESOLUTION = "resolution", _("When the resolution time passes")
    EITHER = "either", _("Each time: when the first response time passes and again when the resolution time passes")

    @classmethod
    def covers(cls, setting: str, clock: str) -> bool:
        """Does the breach action set to `setting` act on the breach of `clock` ("response" or "resolution")?"""
        return setting == cls.EITHER or (setting != cls.NEVER and setting == clock)


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_REQUESTER = "waiting_requester", _("Waiting on requester")
    WAITING_VENDOR = "waiting_vendor", _("Waiting on vendor")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Sorted tuples, never sets: a query's `status IN (...)` must list the statuses in the very order of the
# partial indexes' conditions below. PostgreSQL then knows the index's rows are exactly the query's and reads
# the index alone (index-only scans). With a set the order followed each process's string hashing, so the
# same query was planned differently from one server process to the next.
OPEN_STATUSES = tuple(
    sorted(
        {
            TicketStatus.NEW,
            TicketStatus.ASSIGNED,
            TicketStatus.IN_PROGRESS,
            TicketStatus.WAITING_REQUESTER,
            TicketStatus.WAITING_VENDOR,
        }
    )
)
FINISHED_STATUSES = tuple(sorted({TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.CANCELLED}))
SOLVED_STATUSES = tuple(sorted({TicketStatus.RESOLVED, TicketStatus.CLOSED}))

# Conditions of the partial indexes. A query uses such an index when its own condition implies the index's
# (the same statuses or fewer), and reads it alone only when the condition is the same, in the same order.
_OPEN = models.Q(status__in=OPEN_STATUSES)
_SOLVED = models.Q(status__in=SOLVED_STATUSES)


def status_label(value) -> str:
    """The label of a status code as stored in an Event or a notification; the code itself if unknown."""
    try:
        return str(TicketStatus(value).label)
    except ValueError:
        return str(value)


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    API = "api", _("API")
    SCHEDULE = "schedule", _("Recurring schedule")


class Impact(models.IntegerChoices):
    """How many people the problem stops, asked in the requester's words. 1 is the widest."""

    HIGH = 1, _("Many people or the whole organisation")
    MEDIUM = 2, _("My team or several people")
    LOW = 3, _("Only me")


class Urgency(models.IntegerChoices):
    """How much the problem stops the work right now. 1 is the most urgent."""

    HIGH = 1, _("I cannot work at all")
    MEDIUM = 2, _("It slows my work down")
    LOW = 3, _("It can wait, or I can work around it")


class Priority(models.IntegerChoices):
    """Stored as 1..4 so that ordering by priority puts P1 first."""

    P1 = 1, _("P1 critical")
    P2 = 2, _("P2 high")
    P3 = 3, _("P3 normal")
    P4 = 4, _("P4 low")


class ResolutionCode(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    WORKAROUND = "workaround", _("Workaround given")
    USER_TRAINING = "user_training", _("User training")
    HARDWARE_REPLACED = "hardware_replaced", _("Hardware replaced")
    NO_FAULT_FOUND = "no_fault_found", _("No fault found")
    DUPLICATE = "duplicate", _("Duplicate")
    OTHER = "other", _("Other")


class ReportAs(models.TextChoices):
    """What the Insight reports make of a category's tickets."""

    NOTHING = "", _("Nothing special")
    HARDWARE = "hardware", _("A hardware fault: counts against the device and its model")
    HOW_TO = "how_to", _("A question of knowing how: counts as a training need")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    TRIAGED = "triaged", _("Triaged")
    REPLIED = "replied", _("Replied")
    NOTE_ADDED = "note_added", _("Internal note")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    TIME_LOGGED = "time_logged", _("Time logged")
    WATCHERS_CHANGED = "watchers_changed", _("Watchers changed")
    ALERTED = "alerted", _("Alert raised")
    PROJECT_CHANGED = "project_changed", _("Project changed")
    LINKED = "linked", _("Linked to a ticket")
    MERGED = "merged", _("Merged")
    PARENT_CHANGED = "parent_changed", _("Parent ticket changed")
    KNOWN_PROBLEM = "known_problem", _("Known problem")
    VISIT = "visit", _("On-site visit")
    REMOTE_SESSION = "remote_session", _("Remote session")
    REPAIR = "repair", _("Repair")
    RECURRING = "recurring", _("Recurring work")
