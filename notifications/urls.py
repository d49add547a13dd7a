from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("failed/", views.failed, name="failed"),
    path("failed/<int:pk>/resend/", views.resend, name="resend"),
    path("failed/resend/", views.resend_failed, name="resend_failed"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/<str:action>/", views.webhook_action, name="webhook_action"),
]
