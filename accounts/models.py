from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REQUESTER = "requester", _("Requester")
    TECHNICIAN = "technician", _("Technician")
    COORDINATOR = "coordinator", _("Coordinator")
    MANAGER = "manager", _("Manager")


class NotificationDelivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Email at once")
    DIGEST = "digest", _("One email a day (digest)")
    IN_APP = "in_app", _("In the app only")


class Tier(models.IntegerChoices):
    ONE = 1, _("Tier 1")
    TWO = 2, _("Tier 2")
    THREE = 3, _("Tier 3")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Addresses are compared without case: "Anna@Example.com" logs in as anna@example.com.
        return self.get(email__iexact=username)

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("role", Role.MANAGER)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in. Identified by email; what they may do follows from `role`."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.REQUESTER)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to follow your browser."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    notification_delivery = models.CharField(
        _("how to tell me about my tickets"),
        max_length=16,
        choices=NotificationDelivery.choices,
        default=NotificationDelivery.IMMEDIATE,
    )
    muted_notification_kinds = models.JSONField(
        _("notifications switched off"),
        default=list,
        blank=True,
        help_text=_("Kinds of news this person asked not to receive."),
    )
    notify_new_tickets = models.BooleanField(
        _("tell me about every new ticket"),
        default=False,
        help_text=_("For coordinators: an email for each ticket that arrives in triage."),
    )
    monthly_summary = models.BooleanField(
        _("send me the monthly summary"),
        default=False,
        help_text=_(
            "For managers: on the first of each month, the desk's figures, rising problems, machines to "
            "replace and training topics, by email."
        ),
    )
    # Kept by accounts.services with the person's confirmed authenticator, so that every request can tell
    # whether a second factor is owed without a query of its own.
    two_factor_enabled = models.BooleanField(_("two-factor authentication"), default=False, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[misc, assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["first_name", "last_name", "email"]
        # The staff ticket list sorted by assignee reads the people in this order, then each one's tickets.
        indexes = [models.Index(fields=["first_name", "last_name", "id"], name="user_name_order")]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_requester(self) -> bool:
        return self.role == Role.REQUESTER

    @property
    def is_technician(self) -> bool:
        return self.role == Role.TECHNICIAN

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER


class TechnicianProfile(models.Model):
    """What the desk needs to know to give a technician the right work."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="technician_profile")
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.ONE)
    skills = models.ManyToManyField(
        "tickets.Category", verbose_name=_("skills"), related_name="skilled_technicians", blank=True
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_("How many open tickets this technician should hold at once."),
    )
    is_available = models.BooleanField(_("available"), default=True, help_text=_("Off while away."))

    class Meta:
        verbose_name = _("technician profile")
        verbose_name_plural = _("technician profiles")
        indexes = [models.Index(fields=["tier", "is_available"], name="technician_tier_available")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_tier_display()})"


class UserSession(AbstractBaseSession):
    """Django's database session, with the user it belongs to: a person's sessions can be ended everywhere."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        # The store is the configured engine (accounts.sessions), which itself reads this model.
        return import_module(settings.SESSION_ENGINE).SessionStore
