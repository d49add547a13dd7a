from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("held/", views.held, name="held"),
    path("held/<int:pk>/open/", views.held_open, name="held_open"),
    path("held/<int:pk>/dismiss/", views.held_dismiss, name="held_dismiss"),
]
