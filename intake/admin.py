from django.contrib import admin
from django.http import HttpRequest

from intake.models import InboundMessage, MailboxState


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Read-only: what became of each received message and why, for managers. Written by intake.services."""

    list_display = ["received_at", "sender", "subject", "status", "mailbox", "ticket"]
    list_filter = ["status", "mailbox"]
    search_fields = ["sender", "subject", "message_id"]
    raw_id_fields = ["ticket", "comment"]
    date_hierarchy = "received_at"
    # A held message's kept file is private (never served): coordinators read it on the held-mail page.
    exclude = ["original"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: InboundMessage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: InboundMessage | None = None) -> bool:
        return False


@admin.register(MailboxState)
class MailboxStateAdmin(admin.ModelAdmin):
    """Read-only: when each mailbox was last read and what went wrong, for managers. Written by intake.fetching."""

    list_display = ["name", "last_read_at", "last_success_at", "last_count", "last_error", "lease_until"]
    readonly_fields = [f.name for f in MailboxState._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: MailboxState | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: MailboxState | None = None) -> bool:
        return False
