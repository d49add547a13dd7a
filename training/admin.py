"""Sessions in the admin, read only: they are planned, changed and called off through their pages, which
tell the people invited (training.services)."""

from django.contrib import admin

from training.models import Invitation, TrainingSession


class InvitationInline(admin.TabularInline):
    model = Invitation
    fields = ("employee", "answer", "answered_at", "attended", "rating", "rated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ("title", "starts_at", "trainer", "capacity", "status")
    list_filter = ("status",)
    search_fields = ("title",)
    inlines = [InvitationInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + ["categories", "articles"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
