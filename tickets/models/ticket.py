"""The work order itself, and the projects that group work orders."""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier
from tickets.models.catalogue import Category
from tickets.models.choices import (
    _OPEN,
    OPEN_STATUSES,
    Channel,
    Impact,
    Priority,
    ProjectStatus,
    ResolutionCode,
    TicketStatus,
    Urgency,
)


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


REFERENCE_PREFIX = "HD-"
_REFERENCE_IN_TEXT = re.compile(rf"\b{re.escape(REFERENCE_PREFIX)}(\d{{1,18}})\b", re.IGNORECASE)


def reference_of(number: int) -> str:
    """How people write a ticket's number: HD-1042."""
    return f"{REFERENCE_PREFIX}{number}"


def reference_in(text: str) -> int | None:
    """The number of the first ticket named in `text` ("Re: [HD-1042] Printer" gives 1042), None if none."""
    found = _REFERENCE_IN_TEXT.search(text)
    return int(found[1]) if found else None


class TicketManager(models.Manager["Ticket"]):
    """Tickets without their `search` vector, which only the text search reads (by name, in SQL): no page
    carries a ticket's stemmed words around."""

    def get_queryset(self) -> models.QuerySet["Ticket"]:
        return super().get_queryset().defer("search")


class Ticket(models.Model):
    """A work order. Its number is the primary key, shown as HD-<pk>; only tickets.services writes it."""

    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The language the subject and description were written in, and (on PostgreSQL) their words stemmed in
    # it: tickets.search. Its indexes are made by migration 0016 on PostgreSQL only.
    language = models.CharField(_("language"), max_length=8, blank=True, default="", db_default="")
    search = SearchVectorField(null=True, blank=True, editable=False)
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
    # Merged into another ticket: its conversation, files and watchers moved there; its page leads there.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
    )
    # A parent ticket (a move, an outage) gathers the tickets of its parts and shows their progress.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
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
    # What the reports measure, kept by the services (tickets.sla.measure, the escalation and reopen moves):
    # working minutes on the SLA clock to the first response and to the resolution (empty until then, and
    # again when a resolution is reopened), and how often the ticket went up a tier or was reopened.
    response_minutes = models.PositiveIntegerField(_("working minutes to first response"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("working minutes to resolution"), null=True, blank=True)
    # Whether each met its service level, measured then; empty when no service level covered the ticket.
    response_met = models.BooleanField(_("first response in time"), null=True, blank=True)
    resolution_met = models.BooleanField(_("resolved in time"), null=True, blank=True)
    escalation_count = models.PositiveSmallIntegerField(_("escalations"), default=0, db_default=0)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0, db_default=0)
    # A hardware fault soon after the device's last fix (tickets.failures says when): the machines report
    # counts these from the rollups.
    repeat_failure = models.BooleanField(_("repeat failure"), default=False, db_default=False)
    # Optimistic lock: every service bumps it; a form carries the version it was opened at.
    version = models.PositiveIntegerField(_("version"), default=1)
    # The asset tag as the requester typed it: all they see of a device that is not theirs, and what staff
    # see when the tag matched nothing in the inventory. (Database defaults: the benchmark loader's COPY
    # names only some columns.)
    reported_asset_tag = models.CharField(_("asset tag given"), max_length=40, blank=True, default="", db_default="")
    # The one-time key of the form that created the ticket: the same form posted twice makes one ticket.
    submission_key = models.CharField(_("submission key"), max_length=64, blank=True, default="", db_default="")

    objects = TicketManager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["status", "tier"], name="ticket_status_tier"),
            models.Index(fields=["requester", "-updated_at"], name="ticket_requester_updated"),
            models.Index(fields=["priority", "resolution_due_at"], name="ticket_priority_due"),
            # A device's tickets, latest first; it carries what the machines report lists of each fault, so
            # the faults of the devices listed are read from the index alone.
            models.Index(
                fields=["device", "-created_at"],
                include=["id", "category", "repeat_failure"],
                name="ticket_device_created",
            ),
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
            # The reports' drill-down to missed service levels: a few of the tickets, newest first, where
            # walking the list's order would pass every ticket that met them.
            models.Index(
                fields=["created_at", "id"], condition=models.Q(response_met=False), name="ticket_response_missed"
            ),
            models.Index(
                fields=["created_at", "id"], condition=models.Q(resolution_met=False), name="ticket_resolution_missed"
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
        return reference_of(self.pk)

    @property
    def priority_label(self) -> str:
        return f"P{self.priority}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_for_requester(self) -> str:
        """The status as the requester reads it. A ticket escalated into the triage of a higher tier is "new"
        to that tier's coordinators, but to the requester it has been passed to a specialist, as their
        timeline and their mail say: it never reads as though it started over."""
        if self.status == TicketStatus.NEW and self.escalation_count and self.tier > min(Tier.values):
            return str(_("Passed to a specialist"))
        return str(self.get_status_display())
