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

__all__ = [
    "FILES_NOT_STORED",
    "TIMELINE_SHOWN",
    "TRIAGE_LIMIT",
    "act",
    "attachment_download",
    "auto_assign_settings",
    "caller_search",
    "dashboard",
    "dashboard_part",
    "dashboard_triage",
    "detail",
    "link",
    "log_call",
    "log_time",
    "mine",
    "note",
    "project_create",
    "project_detail",
    "project_edit",
    "project_file_tickets",
    "project_list",
    "queue",
    "render_ticket_page",
    "reply",
    "saved_filter_delete",
    "saved_filter_save",
    "similar",
    "submit",
    "suggestions",
    "ticket_bulk",
    "ticket_export",
    "ticket_list",
    "tier_move",
    "triage",
]
