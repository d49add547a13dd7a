import uuid
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier


class AutoAssign(models.TextChoices):
    """How new tickets of a category find their technician without a coordinator."""

    NONE = "none", _("No: the coordinators assign")
    LEAST_LOADED = "least_loaded", _("The least loaded qualified technician")
    ROUND_ROBIN = "round_robin", _("Round-robin among the qualified")


class BusinessCalendar(models.Model):
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
        return self.name

    def clean(self) -> None:
        """A calendar the clocks cannot use is refused here, with the reason beside the field: a bad one would
        break every ticket that counts time by it."""
        from tickets import business_time

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


class ClosedDay(models.Model):
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
        return f"{self.date} {self.name}".strip()


class Category(models.Model):
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
            return f"{self.parent.name} > {self.name}"
        return self.name


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


class SlaPolicy(models.Model):
    """The service level of one priority: time to first response and to resolution, in business time, when
    to warn, and what happens on a breach."""

    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, unique=True)
    first_response_minutes = models.PositiveIntegerField(_("first response within (working minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (working minutes)"))
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at (per cent of the target)"), default=75, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    breach_escalates = models.BooleanField(_("on breach: escalate one tier"), default=False)
    breach_raises_priority = models.BooleanField(_("on breach: raise the priority"), default=False)
    breach_notifies_coordinators = models.BooleanField(_("on breach: tell the coordinators"), default=True)

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["priority"]

    def __str__(self) -> str:
        return str(Priority(self.priority).label)


class ResolutionCode(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    WORKAROUND = "workaround", _("Workaround given")
    USER_TRAINING = "user_training", _("User training")
    HARDWARE_REPLACED = "hardware_replaced", _("Hardware replaced")
    NO_FAULT_FOUND = "no_fault_found", _("No fault found")
    DUPLICATE = "duplicate", _("Duplicate")
    OTHER = "other", _("Other")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Project(models.Model):
    """Work planned with a project or facilities manager ("Move to building C"); tickets are filed under it."""

    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    project_manager = models.ForeignKey(
        "assets.Employee",
        verbose_name=_("project manager"),
        on_delete=models.PROTECT,
        related_name="managed_projects",
    )
    facilities_contact = models.ForeignKey(
        "assets.Employee",
        verbose_name=_("facilities contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="facilities_projects",
    )
    location = models.ForeignKey(
        "assets.Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"], name="project_status_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="project_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tickets:project_detail", kwargs={"pk": self.pk})


class Ticket(models.Model):
    """A work order. Its number is the primary key, shown as HD-<pk>; only tickets.services writes it."""

    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    requester = models.ForeignKey(
        "assets.Employee", verbose_name=_("requester"), on_delete=models.PROTECT, related_name="tickets"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    device = models.ForeignKey(
        "assets.Device",
        verbose_name=_("device"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices, default=Impact.LOW)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.MEDIUM)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.P4)
    priority_overridden = models.BooleanField(_("priority set by hand"), default=False)
    priority_reason = models.CharField(_("why this priority"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.ONE)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    # Nullable: the benchmark loader writes tickets with COPY naming only some columns.
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    # Filled by the SLA issue.
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # The SLA clock (tickets.sla): pauses while waiting on someone or resolved, as [[start, end or null], ...]
    # in ISO form; the moment to warn; and each breach, once.
    sla_pauses = models.JSONField(_("SLA pauses"), default=list, blank=True)
    sla_warn_at = models.DateTimeField(_("SLA warning due"), null=True, blank=True)
    sla_warned_at = models.DateTimeField(_("SLA warned"), null=True, blank=True)
    response_breached_at = models.DateTimeField(_("first response overdue since"), null=True, blank=True)
    resolution_breached_at = models.DateTimeField(_("resolution overdue since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last update"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution_notes = models.TextField(_("resolution notes"), blank=True)
    resolution_code = models.CharField(_("resolution code"), max_length=20, choices=ResolutionCode.choices, blank=True)
    time_spent_minutes = models.PositiveIntegerField(_("time spent (minutes)"), default=0)
    # Optimistic lock: every service bumps it; a form carries the version it was opened at.
    version = models.PositiveIntegerField(_("version"), default=1)
    # The asset tag as the requester typed it: all they see of a device that is not theirs, and what staff
    # see when the tag matched nothing in the inventory. (Database defaults: the benchmark loader's COPY
    # names only some columns.)
    reported_asset_tag = models.CharField(_("asset tag given"), max_length=40, blank=True, default="", db_default="")
    # The one-time key of the form that created the ticket: the same form posted twice makes one ticket.
    submission_key = models.CharField(_("submission key"), max_length=64, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["status", "tier"], name="ticket_status_tier"),
            models.Index(fields=["requester", "-updated_at"], name="ticket_requester_updated"),
            models.Index(fields=["priority", "resolution_due_at"], name="ticket_priority_due"),
            models.Index(fields=["device", "-created_at"], name="ticket_device_created"),
            models.Index(fields=["status", "resolved_at"], name="ticket_status_resolved"),
            # The coordinator's triage list: new and unassigned, most urgent and oldest first.
            models.Index(
                fields=["priority", "created_at", "id"],
                condition=models.Q(status="new", assignee__isnull=True),
                name="ticket_triage_order",
            ),
            # Watch columns: waiting too long, no update for days.
            models.Index(fields=["status", "updated_at"], name="ticket_status_updated"),
            models.Index(fields=["first_response_due_at"], name="ticket_first_response_due"),
            # The staff list: one index per filter and per sort it offers (the sort's tie-break is the id).
            models.Index(fields=["created_at", "id"], name="ticket_created_id"),
            models.Index(fields=["updated_at", "id"], name="ticket_updated_id"),
            models.Index(fields=["resolution_due_at", "id"], name="ticket_due_id"),
            models.Index(fields=["subject", "id"], name="ticket_subject_id"),
            models.Index(fields=["status", "id"], name="ticket_status_id"),
            models.Index(fields=["priority", "id"], name="ticket_priority_id"),
            models.Index(fields=["tier", "id"], name="ticket_tier_id"),
            models.Index(fields=["category", "id"], name="ticket_category_id"),
            models.Index(fields=["requester", "id"], name="ticket_requester_id"),
            models.Index(fields=["assignee", "id"], name="ticket_assignee_id"),
            models.Index(fields=["project", "status"], name="ticket_project_status"),
            # Open tickets are a few thousand of a million: partial indexes keep every read of them small.
            # The dashboard's counts (index-only), the staff list's default view (open, newest first), its
            # sort by due time, the watch columns (due soon, no update for days).
            models.Index(fields=["status", "priority", "tier", "category"], condition=_OPEN, name="ticket_open_counts"),
            models.Index(fields=["created_at", "id"], condition=_OPEN, name="ticket_open_created"),
            models.Index(fields=["updated_at", "id"], condition=_OPEN, name="ticket_open_updated"),
            models.Index(fields=["resolution_due_at", "id"], condition=_OPEN, name="ticket_open_due"),
            # The staff list's other sorts of the open tickets. Without these PostgreSQL walks the whole
            # table's index in that order and filters, through a hundred thousand closed tickets, because it
            # cannot know that the open ones are the recent ones.
            models.Index(fields=["id"], condition=_OPEN, name="ticket_open_id"),
            models.Index(fields=["subject", "id"], condition=_OPEN, name="ticket_open_subject"),
            models.Index(fields=["priority", "id"], condition=_OPEN, name="ticket_open_priority"),
            models.Index(fields=["tier", "id"], condition=_OPEN, name="ticket_open_tier"),
            # The SLA check every minute: warnings not yet given, first responses not yet given (resolution
            # breaches use ticket_open_due).
            models.Index(
                fields=["sla_warn_at"], condition=_OPEN & models.Q(sla_warned_at__isnull=True), name="ticket_sla_warn"
            ),
            models.Index(
                fields=["first_response_due_at"],
                condition=_OPEN & models.Q(first_response_at__isnull=True, response_breached_at__isnull=True),
                name="ticket_sla_response",
            ),
            # The dashboard's "close to or past their due time": unanswered open tickets, breached or not.
            models.Index(
                fields=["first_response_due_at", "id"],
                condition=_OPEN & models.Q(first_response_at__isnull=True),
                name="ticket_open_unanswered",
            ),
            # A technician's queue (priority, then due time) and the workload board's open tickets per
            # technician and priority (index-only on its first two columns).
            models.Index(
                fields=["assignee", "priority", "resolution_due_at", "created_at", "id"],
                condition=_OPEN,
                name="ticket_open_queue",
            ),
            # New tickets nobody holds, of one tier, most urgent then oldest: the technician's "to take" list.
            models.Index(
                fields=["tier", "priority", "created_at", "id"],
                condition=models.Q(status="new", assignee__isnull=True),
                name="ticket_unassigned_tier",
            ),
            # "Resolved today" on the dashboard.
            models.Index(fields=["resolved_at"], condition=models.Q(resolved_at__isnull=False), name="ticket_resolved"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="ticket_submitted_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", kwargs={"number": self.pk})

    @property
    def reference(self) -> str:
        return f"HD-{self.pk}"

    @property
    def priority_label(self) -> str:
        return f"P{self.priority}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


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


class Event(models.Model):
    """Append-only audit row: who changed what on a ticket, from what to what, and when."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the system made the change."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    action = models.CharField(_("action"), max_length=32, blank=True)
    old = models.JSONField(_("before"), default=dict, blank=True)
    new = models.JSONField(_("after"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_public = models.BooleanField(_("shown to the requester"), default=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_created"),
            # "Recently escalated" on the dashboard.
            models.Index(fields=["kind", "created_at"], name="event_kind_created"),
            models.Index(fields=["action", "created_at"], name="event_action_created"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class Comment(models.Model):
    """A public reply or an internal note. Attachments hang off comments."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("text"), blank=True)
    is_internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="comment_ticket_created")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.created_at:%Y-%m-%d %H:%M}"


# Every attachment's file lives under this folder of MEDIA_ROOT; the orphan sweep (tickets.attachments) walks it.
ATTACHMENT_FOLDER = "attachments"


def _attachment_path(instance, filename: str) -> str:
    # The stored name is generated: what the uploader called the file is kept only as `original_name`. Being
    # new (a random UUID), it is never another file's: a failed write removes what is there without looking.
    extension = Path(filename).suffix.lower()[:10]
    return f"{ATTACHMENT_FOLDER}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT, which is never served: they leave only through a view that checks rights."""

    def url(self, name):
        raise ValueError("Private files have no public URL; link to the download view instead.")


class Attachment(models.Model):
    """A file on a ticket. Sent with a comment (internal when the note is), or with the first report."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, storage=PrivateStorage(), max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]
        # The orphan sweep asks which of a batch of file names have a row: one index look-up per name.
        indexes = [models.Index(fields=["file"], name="attachment_file")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_internal(self) -> bool:
        return self.comment is not None and self.comment.is_internal


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
