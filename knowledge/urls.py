from django.urls import path

from knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("suggestions/", views.suggest, name="suggest"),
    path("search/", views.search_everything, name="search"),
    path("<int:pk>/solved-it/", views.solved, name="solved"),
    path("write-up/<int:number>/", views.write_up, name="write_up"),
    path("ticket/<int:number>/link/", views.link_article, name="link_article"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/translate/", views.translate, name="translate"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/retire/", views.retire, name="retire"),
    path("<int:pk>/helped/", views.vote, name="vote"),
    path("<int:pk>/link/", views.link_ticket, name="link_ticket"),
]
