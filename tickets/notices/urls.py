"""A ticket's watchers: added and removed on its page, stopped from the link in their messages.

Included by tickets/urls.py under its namespace: the names are tickets:watcher_add and so on.
"""

from django.urls import path

from tickets.notices import views

urlpatterns = [
    path("add/<int:ticket_pk>/", views.watcher_add, name="watcher_add"),
    path("<int:pk>/remove/", views.watcher_remove, name="watcher_remove"),
    path("stop/<str:token>/", views.watcher_stop, name="watcher_stop"),
]
