from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.plan, name="plan"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("invitations/<int:pk>/answer/", views.answer, name="answer"),
    path("invitations/<int:pk>/rate/", views.rate, name="rate"),
    path("materials/<int:pk>/", views.material, name="material"),
]
