from django.contrib import admin

from assets.models import Department, Device, DeviceAssignment, Employee, Location
from core.names import NameTranslationsAdmin, name_translations_form


@admin.register(Department)
class DepartmentAdmin(NameTranslationsAdmin, admin.ModelAdmin):
    form = name_translations_form(Department)
    list_display = ["name", "manager"]
    search_fields = ["name"]
    raw_id_fields = ["manager"]


@admin.register(Location)
class LocationAdmin(NameTranslationsAdmin, admin.ModelAdmin):
    form = name_translations_form(Location)
    list_display = ["site", "building", "floor", "room"]
    search_fields = ["site", "building", "room"]


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["employee_number", "last_name", "first_name", "email", "department", "is_active"]
    list_filter = ["is_active", "department"]
    list_select_related = ["department"]
    search_fields = ["employee_number", "first_name", "last_name", "email"]
    raw_id_fields = ["manager", "user"]


class DeviceAssignmentInline(admin.TabularInline):
    model = DeviceAssignment
    extra = 0
    raw_id_fields = ["employee", "assigned_by"]
    # History is written by assets.services; the admin only shows it.
    readonly_fields = ["employee", "started_at", "ended_at", "assigned_by"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["asset_tag", "device_type", "manufacturer", "model", "status", "assigned_to"]
    list_filter = ["status", "device_type"]
    list_select_related = ["assigned_to"]
    search_fields = ["asset_tag", "serial_number", "model"]
    # Holder and status change through the device pages (assign, retire), which keep the history.
    readonly_fields = ["assigned_to", "status"]
    raw_id_fields = ["location"]
    inlines = [DeviceAssignmentInline]
