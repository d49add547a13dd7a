from django.contrib import admin
from django.urls import include, path

from helpdesk import views
from tickets.notices.views import watcher_stop

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    path("assets/", include("assets.urls")),
    path("tickets/", include("tickets.urls")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("reports.urls")),
    path("knowledge/", include("knowledge.urls")),
    path("training/", include("training.urls")),
    path("mail/", include("intake.urls")),
    path("api/", include("api.urls")),
    # Where watchers' stop links pointed before they moved under tickets/: links in mail already sent.
    path("notifications/stop/<str:token>/", watcher_stop, name="watcher_stop_sent_before"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
