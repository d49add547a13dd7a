from django.urls import path

from assets import views

app_name = "assets"

urlpatterns = [
    path("staff/", views.employee_list, name="employee_list"),
    path("staff/export.csv", views.employee_export, name="employee_export"),
    path("staff/new/", views.employee_create, name="employee_create"),
    path("staff/lookup/", views.employee_lookup, name="employee_lookup"),
    path("staff/<int:pk>/", views.employee_detail, name="employee_detail"),
    path("staff/<int:pk>/edit/", views.employee_edit, name="employee_edit"),
    path("devices/", views.device_list, name="device_list"),
    path("devices/export.csv", views.device_export, name="device_export"),
    path("devices/new/", views.device_create, name="device_create"),
    path("devices/<int:pk>/", views.device_detail, name="device_detail"),
    path("devices/<int:pk>/edit/", views.device_edit, name="device_edit"),
    path("devices/<int:pk>/assign/", views.device_assign, name="device_assign"),
    path("devices/<int:pk>/retire/", views.device_retire, name="device_retire"),
    path("places/", views.places, name="places"),
    path("places/departments/", views.department_create, name="department_create"),
    path("places/locations/", views.location_create, name="location_create"),
    path("import/", views.import_start, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("import/template/<str:kind>.csv", views.import_template, name="import_template"),
]
