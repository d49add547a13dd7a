"""Every write to accounts goes through here."""

from django.db import transaction

from accounts.models import Role, TechnicianProfile, User


@transaction.atomic
def user_create(
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: str = Role.REQUESTER,
    password: str | None = None,
    language: str = "",
    by: User | None = None,
) -> User:
    """Create a login account. Staff roles get a technician profile when they work tickets."""
    user = User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name, role=role, language=language
    )
    if role == Role.TECHNICIAN:
        TechnicianProfile.objects.create(user=user)
    return user


@transaction.atomic
def user_update_preferences(
    *,
    user: User,
    language: str,
    time_zone: str,
    notification_delivery: str,
    notify_new_tickets: bool,
    muted_notification_kinds: list[str] | None = None,
) -> User:
    """Save what a person chose on their profile page."""
    user.language = language
    user.time_zone = time_zone
    user.notification_delivery = notification_delivery
    user.notify_new_tickets = notify_new_tickets
    fields = ["language", "time_zone", "notification_delivery", "notify_new_tickets"]
    if muted_notification_kinds is not None:
        user.muted_notification_kinds = sorted(set(muted_notification_kinds))
        fields.append("muted_notification_kinds")
    user.save(update_fields=fields)
    return user


@transaction.atomic
def technician_profile_update(
    *,
    profile: TechnicianProfile,
    tier: int,
    capacity: int,
    is_available: bool,
    skills=None,
    by: User | None = None,
) -> TechnicianProfile:
    """Change a technician's tier, capacity, availability and (when given) skills."""
    profile.tier = tier
    profile.capacity = capacity
    profile.is_available = is_available
    profile.save(update_fields=["tier", "capacity", "is_available"])
    if skills is not None:
        profile.skills.set(skills)
    return profile


@transaction.atomic
def technician_set_availability(*, profile: TechnicianProfile, is_available: bool) -> TechnicianProfile:
    """A technician marks themselves away or back."""
    profile.is_available = is_available
    profile.save(update_fields=["is_available"])
    return profile
