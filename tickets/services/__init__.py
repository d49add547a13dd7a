"""Every write to a ticket, split by job; the names callers use, re-exported.

- _change: the one primitive under every ticket write (lock, version, change, Event, SLA, notifications).
- _move: a workflow action (a status move) through that primitive.
- intake: new tickets, reported or logged from a phone call.
- assign, auto_assign: giving a ticket to a technician, by a coordinator or by the category's rule.
- triage: category, impact, urgency, tier and priority.
- lifecycle: taken, worked, waiting, resolved, confirmed, reopened, closed, cancelled.
- escalation: a tier up or down.
- conversation: replies, notes, files and time spent; watchers: who else follows a ticket.
- flags: alerts on a ticket; sla_clock: the SLA rounds.
- links: related tickets; merging: duplicates, merges, parents and children; known_problems: a problem told
  to the whole organisation, and "Me too".
- replies: canned replies; visits: on-site visits and remote sessions; repairs: devices sent to repair;
  recurring: tickets opened on a schedule.
- bulk: one action on many tickets; projects: projects, categories' assignment mode, saved filters.
"""

from tickets.services._change import StaleTicket
from tickets.services.assign import ticket_assign
from tickets.services.bulk import BULK_ACTIONS, BulkResult, tickets_bulk_change
from tickets.services.conversation import comment_add, comment_add_by_mail, ticket_log_time
from tickets.services.escalation import ticket_de_escalate, ticket_escalate, ticket_escalate_on_breach
from tickets.services.flags import ticket_flag, ticket_flag_once
from tickets.services.intake import ticket_create, ticket_log_call
from tickets.services.known_problems import known_problem_me_too, known_problem_publish, known_problem_take_down
from tickets.services.lifecycle import (
    ticket_cancel,
    ticket_close,
    ticket_confirm,
    ticket_hand_back,
    ticket_reopen,
    ticket_reopen_closed,
    ticket_resolve,
    ticket_resume,
    ticket_set_waiting,
    ticket_start,
    ticket_take,
    tickets_close_expired_resolutions,
)
from tickets.services.links import ticket_link
from tickets.services.merging import ConfirmationNeeded, ticket_merge, ticket_resolve_with_children, ticket_set_parent
from tickets.services.projects import (
    PROJECT_FIELDS,
    categories_set_report_as,
    category_set_auto_assign,
    project_create,
    project_update,
    saved_filter_delete,
    saved_filter_save,
    ticket_set_project,
    training_setup_update,
)
from tickets.services.recurring import (
    recurring_create,
    recurring_delete,
    recurring_set_active,
    recurring_tickets_open,
    recurring_update,
)
from tickets.services.repairs import repair_return, repair_send, repairs_remind_overdue
from tickets.services.replies import (
    canned_reply_create,
    canned_reply_delete,
    canned_reply_fill,
    canned_reply_update,
    reply_with_canned,
)
from tickets.services.sla_clock import CLOCK_RUNNING, sla_check, sla_recompute_open
from tickets.services.triage import TRIAGE_FIELDS, ticket_triage, ticket_triage_and_assign
from tickets.services.visits import (
    remote_session_record,
    visit_ask_change,
    visit_book,
    visit_cancel,
    visit_record_outcome,
    visit_reschedule,
)
from tickets.services.watchers import WatcherError, requester_follows, watcher_add, watcher_keep, watcher_remove
from tickets.workflow import ActorNotAllowed, MissingFields, WorkflowError

__all__ = [
    "BULK_ACTIONS",
    "CLOCK_RUNNING",
    "PROJECT_FIELDS",
    "TRIAGE_FIELDS",
    "ActorNotAllowed",
    "BulkResult",
    "ConfirmationNeeded",
    "MissingFields",
    "StaleTicket",
    "WatcherError",
    "WorkflowError",
    "canned_reply_create",
    "canned_reply_delete",
    "canned_reply_fill",
    "canned_reply_update",
    "categories_set_report_as",
    "category_set_auto_assign",
    "comment_add",
    "comment_add_by_mail",
    "known_problem_me_too",
    "known_problem_publish",
    "known_problem_take_down",
    "project_create",
    "project_update",
    "recurring_create",
    "recurring_delete",
    "recurring_set_active",
    "recurring_tickets_open",
    "recurring_update",
    "remote_session_record",
    "repair_return",
    "repair_send",
    "repairs_remind_overdue",
    "reply_with_canned",
    "requester_follows",
    "saved_filter_delete",
    "saved_filter_save",
    "sla_check",
    "sla_recompute_open",
    "ticket_assign",
    "ticket_cancel",
    "ticket_close",
    "ticket_confirm",
    "ticket_create",
    "ticket_de_escalate",
    "ticket_escalate",
    "ticket_escalate_on_breach",
    "ticket_flag",
    "ticket_flag_once",
    "ticket_hand_back",
    "ticket_link",
    "ticket_log_call",
    "ticket_log_time",
    "ticket_merge",
    "ticket_reopen",
    "ticket_reopen_closed",
    "ticket_resolve",
    "ticket_resolve_with_children",
    "ticket_resume",
    "ticket_set_parent",
    "ticket_set_project",
    "ticket_set_waiting",
    "ticket_start",
    "ticket_take",
    "ticket_triage",
    "ticket_triage_and_assign",
    "tickets_bulk_change",
    "tickets_close_expired_resolutions",
    "training_setup_update",
    "visit_ask_change",
    "visit_book",
    "visit_cancel",
    "visit_record_outcome",
    "visit_reschedule",
    "watcher_add",
    "watcher_keep",
    "watcher_remove",
]
