from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("desk/", views.desk, name="desk"),
    path("technicians/", views.technicians, name="technicians"),
    path("trends/", views.trends, name="trends"),
    path("machines/", views.machines, name="machines"),
    path("training/", views.training, name="training"),
    path("setup/", views.setup, name="setup"),
]
