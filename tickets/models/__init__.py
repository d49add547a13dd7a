"""The tickets app's models, one module per job; every name is importable from `tickets.models`."""

from tickets.models.catalogue import BusinessCalendar, Category, ClosedDay, SlaPolicy, TrainingSetup
from tickets.models.choices import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    SOLVED_STATUSES,
    AutoAssign,
    BreachClock,
    Channel,
    EventKind,
    Impact,
    Priority,
    ProjectStatus,
    ReportAs,
    ResolutionCode,
    TicketStatus,
    Urgency,
    status_label,
)
from tickets.models.history import (
    ATTACHMENT_FOLDER,
    Attachment,
    Comment,
    Event,
    PrivateStorage,
    Watcher,
    _attachment_path,
)
from tickets.models.lists import SavedFilter, SolvedTally
from tickets.models.relations import TicketLink
from tickets.models.ticket import Project, Ticket, reference_of

__all__ = [
    "ATTACHMENT_FOLDER",
    "FINISHED_STATUSES",
    "OPEN_STATUSES",
    "SOLVED_STATUSES",
    "Attachment",
    "AutoAssign",
    "BreachClock",
    "BusinessCalendar",
    "Category",
    "Channel",
    "ClosedDay",
    "Comment",
    "Event",
    "EventKind",
    "Impact",
    "Priority",
    "PrivateStorage",
    "Project",
    "ProjectStatus",
    "ReportAs",
    "ResolutionCode",
    "SavedFilter",
    "SlaPolicy",
    "SolvedTally",
    "Ticket",
    "TicketLink",
    "TicketStatus",
    "TrainingSetup",
    "Urgency",
    "Watcher",
    "_attachment_path",
    "reference_of",
    "status_label",
]
