from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from api.views import directory, pages, tickets

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", pages.docs, name="docs"),
    path("console/", pages.console, name="console"),
    path("tokens/", pages.tokens, name="tokens"),
    path("tokens/all/", pages.tokens_all, name="tokens_all"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
    path("me/", directory.MeView.as_view(), name="me"),
    path("tickets/", tickets.TicketListView.as_view(), name="tickets"),
    path("tickets/<str:number>/", tickets.TicketView.as_view(), name="ticket"),
    path("tickets/<str:number>/actions/<str:action>/", tickets.TicketActionView.as_view(), name="ticket_action"),
    path("tickets/<str:number>/comments/", tickets.CommentListView.as_view(), name="ticket_comments"),
    path("tickets/<str:number>/attachments/", tickets.AttachmentListView.as_view(), name="ticket_attachments"),
    path("attachments/<int:pk>/download/", tickets.AttachmentDownloadView.as_view(), name="attachment_download"),
    path("employees/", directory.EmployeeListView.as_view(), name="employees"),
    path("employees/<int:pk>/", directory.EmployeeView.as_view(), name="employee"),
    path("devices/", directory.DeviceListView.as_view(), name="devices"),
    path("devices/<int:pk>/", directory.DeviceView.as_view(), name="device"),
    path("imports/", directory.ImportListView.as_view(), name="imports"),
    path("imports/<int:pk>/", directory.ImportView.as_view(), name="import"),
    path("categories/", directory.CategoryListView.as_view(), name="categories"),
    path("projects/", directory.ProjectListView.as_view(), name="projects"),
    path("projects/<int:pk>/", directory.ProjectView.as_view(), name="project"),
    # Anything else under /api/ is a problem-details 404, not the site's HTML page.
    re_path(r"^.*$", directory.NotFoundView.as_view(), name="not_found"),
]
