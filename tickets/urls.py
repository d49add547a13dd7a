from django.urls import include, path, register_converter

from tickets import views
from tickets.models import reference_of


class TicketNumberConverter:
    """`HD-1042` in a URL, 1042 in the view."""

    regex = r"[Hh][Dd]-[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value[3:])

    def to_url(self, value) -> str:
        text = str(value)
        return text.upper() if text.upper().startswith("HD-") else reference_of(int(text))


register_converter(TicketNumberConverter, "ticket")

app_name = "tickets"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("new/", views.submit, name="submit"),
    path("queue/", views.queue, name="queue"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/part/<slug:part>/", views.dashboard_part, name="dashboard_part"),
    path("dashboard/triage/<ticket:number>/", views.dashboard_triage, name="dashboard_triage"),
    path("all/", views.ticket_list, name="list"),
    path("all/export.csv", views.ticket_export, name="export"),
    path("all/bulk/", views.ticket_bulk, name="bulk"),
    path("all/saved/", views.saved_filter_save, name="saved_filter_save"),
    path("all/saved/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("categories/automatic-assignment/", views.auto_assign_settings, name="auto_assign"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/tickets/", views.project_file_tickets, name="project_file_tickets"),
    path("log-call/", views.log_call, name="log_call"),
    path("log-call/callers/", views.caller_search, name="caller_search"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("replies/", views.canned_list, name="canned_list"),
    path("replies/new/", views.canned_create, name="canned_create"),
    path("replies/<int:pk>/", views.canned_edit, name="canned_edit"),
    path("replies/<int:pk>/delete/", views.canned_delete, name="canned_delete"),
    path("recurring/", views.recurring_list, name="recurring_list"),
    path("recurring/new/", views.recurring_create, name="recurring_create"),
    path("recurring/<int:pk>/", views.recurring_edit, name="recurring_edit"),
    path("recurring/<int:pk>/pause/", views.recurring_toggle, name="recurring_toggle"),
    path("recurring/<int:pk>/delete/", views.recurring_delete, name="recurring_delete"),
    path("visits/", views.day_plan, name="day_plan"),
    path("visits/<int:pk>/", views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("visits/<int:pk>/outcome/", views.visit_outcome, name="visit_outcome"),
    path("visits/<int:pk>/another-time/", views.visit_ask_change, name="visit_ask_change"),
    path("repairs/<int:pk>/back/", views.repair_return, name="repair_return"),
    path("known-problems/<int:pk>/me-too/", views.me_too, name="me_too"),
    path("<ticket:number>/", views.detail, name="detail"),
    path("<ticket:number>/reply/", views.reply, name="reply"),
    path("<ticket:number>/note/", views.note, name="note"),
    path("<ticket:number>/time/", views.log_time, name="log_time"),
    path("<ticket:number>/triage/", views.triage, name="triage"),
    path("<ticket:number>/suggestions/", views.suggestions, name="suggestions"),
    path("<ticket:number>/solved-before/", views.similar, name="similar"),
    path("<ticket:number>/link/", views.link, name="link"),
    path("<ticket:number>/tier/<slug:action>/", views.tier_move, name="tier_move"),
    path("<ticket:number>/do/<slug:action>/", views.act, name="act"),
    path("<ticket:number>/merge/", views.merge, name="merge"),
    path("<ticket:number>/parent/", views.set_parent, name="set_parent"),
    path("<ticket:number>/known-problem/", views.known_problem, name="known_problem"),
    path("<ticket:number>/known-problem/down/", views.known_problem_take_down, name="known_problem_take_down"),
    path("<ticket:number>/visit/", views.visit_book, name="visit_book"),
    path("<ticket:number>/remote-session/", views.remote_session, name="remote_session"),
    path("<ticket:number>/repair/", views.repair_send, name="repair_send"),
    path("<ticket:number>/replies/<int:pk>/", views.canned_fill, name="canned_fill"),
    path("watchers/", include("tickets.notices.urls")),
]
