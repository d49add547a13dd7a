"""Every non-trivial read of tickets, one module per job. List pages stay at a fixed number of queries,
whatever their length.

- lists: what a role sees, the queues, the search, the staff list with its sorts and pages;
- detail: one ticket's timeline, tier chain and attachments, the recent tickets beside it, the pickers;
- dashboard: the coordinator's triage list, counts and watch lists;
- staff: the technicians, their workload and the suggestions for a ticket;
- projects: the project list and progress;
- similar: the solved tickets like one ticket (how it was solved before).

The visibility of tickets is decided in tickets.permissions; it is re-exported here for the callers that
read it with the rest.
"""

from tickets.permissions import ticket_number_from, tickets_visible_to
from tickets.selectors.dashboard import (
    ALERT_NO_TECHNICIAN,
    DUE_SOON,
    ESCALATED_WITHIN,
    STALE_AFTER,
    TRIAGE_FIELDS,
    TRIAGE_RELATED,
    WAITING_TOO_LONG,
    WATCH_FIELDS,
    WATCH_LIMIT,
    WATCH_RELATED,
    DueTicket,
    categories_by_name,
    dashboard_counts,
    tickets_due_soon,
    tickets_recently_escalated,
    tickets_to_triage,
    tickets_to_triage_count,
    tickets_to_triage_first,
    tickets_waiting_too_long,
    tickets_without_update,
)
from tickets.selectors.detail import (
    TimelineEntry,
    devices_of_employee,
    employees_matching,
    ticket_first_attachments,
    ticket_tier_chain,
    ticket_timeline,
    tickets_recent_for_device,
    tickets_recent_for_employee,
)
from tickets.selectors.lists import (
    DEFAULT_SORT,
    LIST_RELATED,
    NULLABLE_SORT_COLUMNS,
    SPLIT_SORTS,
    TICKET_SORTS,
    saved_filters_of,
    ticket_page,
    tickets_about_device,
    tickets_about_employee,
    tickets_filtered,
    tickets_for_list,
    tickets_of_requester,
    tickets_queue_for,
    tickets_search,
    tickets_unassigned_for_tier,
)
from tickets.selectors.projects import (
    project_progress,
    projects_for_list,
    tickets_of_project,
)
from tickets.selectors.similar import Similar, similar_solved
from tickets.selectors.staff import (
    Suggestion,
    Workload,
    _skill_categories,
    is_qualified,
    open_tickets_by_technician,
    suggestion_order,
    technician_suggestions,
    technicians_for_assignment,
    technicians_workload,
)

__all__ = [
    "ALERT_NO_TECHNICIAN",
    "DEFAULT_SORT",
    "DUE_SOON",
    "ESCALATED_WITHIN",
    "LIST_RELATED",
    "NULLABLE_SORT_COLUMNS",
    "SPLIT_SORTS",
    "STALE_AFTER",
    "TICKET_SORTS",
    "TRIAGE_FIELDS",
    "TRIAGE_RELATED",
    "WAITING_TOO_LONG",
    "WATCH_FIELDS",
    "WATCH_LIMIT",
    "WATCH_RELATED",
    "DueTicket",
    "Similar",
    "Suggestion",
    "TimelineEntry",
    "Workload",
    "_skill_categories",
    "categories_by_name",
    "dashboard_counts",
    "devices_of_employee",
    "employees_matching",
    "is_qualified",
    "open_tickets_by_technician",
    "project_progress",
    "projects_for_list",
    "saved_filters_of",
    "similar_solved",
    "suggestion_order",
    "technician_suggestions",
    "technicians_for_assignment",
    "technicians_workload",
    "ticket_first_attachments",
    "ticket_number_from",
    "ticket_page",
    "ticket_tier_chain",
    "ticket_timeline",
    "tickets_about_device",
    "tickets_about_employee",
    "tickets_due_soon",
    "tickets_filtered",
    "tickets_for_list",
    "tickets_of_project",
    "tickets_of_requester",
    "tickets_queue_for",
    "tickets_recent_for_device",
    "tickets_recent_for_employee",
    "tickets_recently_escalated",
    "tickets_search",
    "tickets_to_triage",
    "tickets_to_triage_count",
    "tickets_to_triage_first",
    "tickets_unassigned_for_tier",
    "tickets_visible_to",
    "tickets_waiting_too_long",
    "tickets_without_update",
]
