"""The admin shows tickets and their history read-only: every change to a ticket goes through the services."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from core.names import NameTranslationsAdmin, name_translations_form
from tickets import services
from tickets.models import (
    Attachment,
    BusinessCalendar,
    CannedReply,
    Category,
    ClosedDay,
    Comment,
    Event,
    KnownProblem,
    Project,
    RecurringTicket,
    Repair,
    SlaPolicy,
    Ticket,
    Visit,
)


@admin.register(Category)
class CategoryAdmin(NameTranslationsAdmin, admin.ModelAdmin):
    form = name_translations_form(Category)
    list_display = ["__str__", "is_active", "default_tier", "auto_assign"]
    list_select_related = ["parent"]
    list_filter = ["is_active", "auto_assign"]
    search_fields = ["name"]
    # Set on the automatic assignment page, through tickets.services.category_set_auto_assign, and on the
    # reports' setup page (which recounts the reports' figures after it).
    readonly_fields = ["auto_assign", "auto_assign_last", "report_as"]


class RecomputesClocks(admin.ModelAdmin):
    """Service levels and calendars set the SLA clocks: after a change, the open tickets' due times follow
    (tickets.services.sla_recompute_open; time already paused stays paused)."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.sla_recompute_open()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.sla_recompute_open()


class LabelledRowsFormSet(BaseInlineFormSet):
    """A tabular inline shows its labels only as column headings, which are not tied to the fields: each
    field of a row (the delete box too) is named for screen readers, "Closed day: Date"."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = capfirst(self.model._meta.verbose_name)
        for field in form.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-label", format_lazy("{}: {}", row, field.label))


class ClosedDayInline(NameTranslationsAdmin, admin.TabularInline):
    model = ClosedDay
    form = name_translations_form(ClosedDay)
    formset = LabelledRowsFormSet
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(NameTranslationsAdmin, RecomputesClocks):
    form = name_translations_form(BusinessCalendar)
    list_display = ["name", "time_zone", "country", "working_days", "day_starts", "day_ends", "is_default"]
    filter_horizontal = ["locations"]
    inlines = [ClosedDayInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(RecomputesClocks):
    list_display = [
        "__str__",
        "first_response_minutes",
        "resolution_minutes",
        "warn_percent",
        "breach_escalates_on",
        "breach_raises_priority_on",
        "breach_notifies_coordinators",
    ]
    fieldsets = [
        (None, {"fields": ["priority", "first_response_minutes", "resolution_minutes", "warn_percent"]}),
        (
            _("When a due time passes"),
            {
                "fields": ["breach_escalates_on", "breach_raises_priority_on", "breach_notifies_coordinators"],
                "description": _(
                    "A ticket has two due times: its first response and its resolution. Each action below says "
                    "which of them sets it off; each happens once per passed due time."
                ),
            },
        ),
    ]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "project_manager", "location", "starts_on", "ends_on"]
    list_select_related = ["project_manager", "location"]
    list_filter = ["status"]
    search_fields = ["name"]
    raw_id_fields = ["project_manager", "facilities_contact", "location", "created_by"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    fields = ("created_at", "actor", "kind", "action", "old", "new", "note", "is_public")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["reference", "subject", "status", "priority", "tier", "requester", "assignee", "updated_at"]
    list_select_related = ["requester", "assignee"]
    list_filter = ["status", "priority", "tier", "channel"]
    search_fields = ["subject", "requester__last_name", "requester__employee_number"]
    inlines = [EventInline]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "kind", "action", "actor", "created_at", "is_public"]
    list_select_related = ["ticket", "actor"]
    list_filter = ["kind"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "author", "is_internal", "created_at"]
    list_select_related = ["ticket", "author"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "ticket", "size", "uploaded_by", "created_at"]
    list_select_related = ["ticket", "uploaded_by"]
    exclude = ["file"]  # no public URL: download from the ticket page


# The technician's day: read here, changed on the desk's own pages (through tickets.services).


@admin.register(CannedReply)
class CannedReplyAdmin(ReadOnlyAdmin):
    list_display = ["title", "owner", "then", "minutes", "use_count"]
    list_select_related = ["owner"]
    search_fields = ["title"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "technician", "starts_at", "ends_at", "status"]
    list_select_related = ["ticket", "technician"]
    list_filter = ["status"]


@admin.register(Repair)
class RepairAdmin(ReadOnlyAdmin):
    list_display = ["device", "vendor", "rma_number", "sent_on", "expected_back", "returned_on", "ticket"]
    list_select_related = ["device", "ticket"]
    search_fields = ["rma_number", "device__asset_tag", "vendor"]


@admin.register(RecurringTicket)
class RecurringTicketAdmin(ReadOnlyAdmin):
    list_display = ["subject", "every", "unit", "next_on", "is_active"]


@admin.register(KnownProblem)
class KnownProblemAdmin(ReadOnlyAdmin):
    list_display = ["public_text", "ticket", "published_at", "taken_down_at", "me_too_count"]
    list_select_related = ["ticket"]
