"""Ticket pages. Thin: permission -> form -> service -> redirect; every change is a POST.

One module per job; this package names every view urls.py routes to, and `render_ticket_page`, which other
apps use to show the ticket page with their own form sent back.
"""

from tickets.views.actions import act, log_time, note, reply, tier_move
from tickets.views.assignment import auto_assign_settings, suggestions
from tickets.views.attachments import attachment_download
from tickets.views.common import FILES_NOT_STORED
from tickets.views.dashboard_page import TRIAGE_LIMIT, dashboard, dashboard_part
from tickets.views.pages import caller_search, log_call, mine, queue, submit
from tickets.views.projects import project_create, project_detail, project_edit, project_file_tickets, project_list
from tickets.views.recurring import recurring_create, recurring_delete, recurring_edit, recurring_list, recurring_toggle
from tickets.views.replies import canned_create, canned_delete, canned_edit, canned_fill, canned_list
from tickets.views.similar import link, similar
from tickets.views.staff_list import (
    saved_filter_delete,
    saved_filter_save,
    ticket_bulk,
    ticket_export,
    ticket_list,
)
from tickets.views.ticket import TIMELINE_SHOWN, detail, render_ticket_page
from tickets.views.triaging import dashboard_triage, triage
from tickets.views.work import (
    day_plan,
    known_problem,
    known_problem_take_down,
    me_too,
    merge,
    remote_session,
    repair_return,
    repair_send,
    set_parent,
    visit_ask_change,
    visit_book,
    visit_cancel,
    visit_edit,
    visit_outcome,
)

__all__ = [
    "FILES_NOT_STORED",
    "TIMELINE_SHOWN",
    "TRIAGE_LIMIT",
    "act",
    "attachment_download",
    "auto_assign_settings",
    "caller_search",
    "canned_create",
    "canned_delete",
    "canned_edit",
    "canned_fill",
    "canned_list",
    "dashboard",
    "dashboard_part",
    "dashboard_triage",
    "day_plan",
    "detail",
    "known_problem",
    "known_problem_take_down",
    "link",
    "log_call",
    "log_time",
    "me_too",
    "merge",
    "mine",
    "note",
    "project_create",
    "project_detail",
    "project_edit",
    "project_file_tickets",
    "project_list",
    "queue",
    "recurring_create",
    "recurring_delete",
    "recurring_edit",
    "recurring_list",
    "recurring_toggle",
    "remote_session",
    "render_ticket_page",
    "repair_return",
    "repair_send",
    "reply",
    "saved_filter_delete",
    "saved_filter_save",
    "set_parent",
    "similar",
    "submit",
    "suggestions",
    "ticket_bulk",
    "ticket_export",
    "ticket_list",
    "tier_move",
    "triage",
    "visit_ask_change",
    "visit_book",
    "visit_cancel",
    "visit_edit",
    "visit_outcome",
]
