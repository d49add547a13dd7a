from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import TechnicianProfile, User


class TechnicianProfileInline(admin.StackedInline):
    model = TechnicianProfile
    can_delete = False
    filter_horizontal = ["skills"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "is_active", "two_factor_enabled"]
    list_filter = ["role", "is_active", "two_factor_enabled"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [TechnicianProfileInline]
    readonly_fields = ["two_factor_enabled"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "role")}),
        (_("Preferences"), {"fields": ("language", "time_zone", "notification_delivery", "notify_new_tickets")}),
        (_("Access"), {"fields": ("is_active", "is_superuser", "two_factor_enabled")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),)
    actions = ["unlock_login", "reset_two_factor", "deactivate"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            # Through the service, so closing an account also ends its sessions on every device.
            services.user_set_active(user=obj, is_active=obj.is_active, by=request.user)

    @admin.action(description=_("Unlock login after too many failed attempts"))
    def unlock_login(self, request, queryset):
        services.login_failures_clear(usernames=[user.email for user in queryset], by=request.user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)s account may log in again.", "%(count)s accounts may log in again.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Deactivate and end their sessions everywhere"))
    def deactivate(self, request, queryset):
        users = list(queryset.exclude(pk=request.user.pk))
        for user in users:
            services.user_set_active(user=user, is_active=False, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)s account was closed and signed out.",
                "%(count)s accounts were closed and signed out.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reset two-factor authentication (lost phone)"))
    def reset_two_factor(self, request, queryset):
        users = list(queryset.filter(two_factor_enabled=True))
        for user in users:
            services.two_factor_reset(user=user, by=request.user)
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication was reset for %(count)s person; their sessions have ended.",
                "Two-factor authentication was reset for %(count)s people; their sessions have ended.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )


# Failed logins, counted by django-axes: the counters (with an unlock), the failure log (the audit, kept
# after an unlock) and the log of logins.
@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    actions = ["unlock"]

    @admin.action(description=_("Unlock: forget these failed logins for their accounts and addresses"))
    def unlock(self, request, queryset):
        rows = list(queryset.values_list("username", "ip_address"))
        services.login_failures_clear(
            usernames=[username for username, _address in rows if username],
            ip_addresses=[address for _username, address in rows if address],
            by=request.user,
        )
        self.message_user(request, _("Unlocked: they may log in again."), messages.SUCCESS)


admin.site.register(AccessFailureLog, AccessFailureLogAdmin)
admin.site.register(AccessLog, AccessLogAdmin)

# Authenticators change only through accounts.services (the profile, and the reset above), which keep
# User.two_factor_enabled true to them; django-otp's own device pages would go around that.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)
