from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import AvailabilityForm, EmailAuthenticationForm, PreferencesForm
from accounts.permissions import can
from assets.selectors import devices_of_user


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def profile(request):
    user = request.user
    show_coordinator_options = can(user, "tickets.dashboard")
    if request.method == "POST":
        form = PreferencesForm(request.POST, instance=user, show_coordinator_options=show_coordinator_options)
        if form.is_valid():
            data = form.cleaned_data
            services.user_update_preferences(
                user=user,
                language=data["language"],
                time_zone=data["time_zone"],
                notification_delivery=data["notification_delivery"],
                notify_new_tickets=data.get("notify_new_tickets", user.notify_new_tickets),
                muted_notification_kinds=form.muted_kinds,
            )
            translation.activate(user.language or translation.get_language_from_request(request))
            messages.success(request, _("Your preferences are saved."))
            response = redirect("accounts:profile")
            if user.language:
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
            return response
    else:
        form = PreferencesForm(instance=user, show_coordinator_options=show_coordinator_options)
    technician_profile = getattr(user, "technician_profile", None)
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "technician_profile": technician_profile,
            "skills": technician_profile.skills.all() if technician_profile else [],
            # Only the devices assigned to this person: all a requester ever sees of the inventory.
            "my_devices": list(devices_of_user(user)),
            "availability_form": AvailabilityForm(
                initial={"is_available": technician_profile.is_available} if technician_profile else None
            ),
        },
    )


@login_required
@require_POST
def availability(request):
    technician_profile = getattr(request.user, "technician_profile", None)
    if technician_profile is None:
        return redirect("accounts:profile")
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        services.technician_set_availability(profile=technician_profile, is_available=form.cleaned_data["is_available"])
        if form.cleaned_data["is_available"]:
            messages.success(request, _("You are available for new tickets."))
        else:
            messages.success(request, _("You are marked away: no new tickets will be given to you."))
    return redirect("accounts:profile")
