"""Training sessions planned from the desk's training needs, their invitations, attendance and ratings.

A session addresses a topic: categories and resolution codes of tickets (training.effect counts the tickets
on it before and after). Each invited employee has one Invitation, which carries their answer, their place
on the waiting list, whether they came and their rating. Written only through training.services.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tickets.models.history import PrivateStorage


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CANCELLED = "cancelled", _("Cancelled")


# The reports a session may be planned from (its "Plan a session" links).
PLANNED_FROM = {"training": _("Training needs"), "trends": _("Problem trends")}


class TrainingSession(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what it covers"), blank=True)
    categories = models.ManyToManyField(
        "tickets.Category", verbose_name=_("categories"), blank=True, related_name="training_sessions"
    )
    resolution_codes = models.JSONField(_("resolution codes"), default=list, blank=True)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("trainer"), on_delete=models.PROTECT, related_name="sessions_given"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1)])
    articles = models.ManyToManyField(
        "knowledge.Article", verbose_name=_("help articles"), blank=True, related_name="training_sessions"
    )
    status = models.CharField(_("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED)
    # One calendar entry per session: every change is sent under the same UID with a higher SEQUENCE.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.PROTECT, related_name="+"
    )
    planned_from = models.CharField(_("planned from"), max_length=200, blank=True)  # the report it came from
    attendance_recorded_at = models.DateTimeField(_("attendance recorded"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="training_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="training_has_seats"),
        ]
        indexes = [models.Index(fields=["starts_at"], name="training_starts")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:detail", args=[self.pk])

    @property
    def planned_from_label(self) -> str:
        return str(PLANNED_FROM.get(self.planned_from, ""))

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED


class Answer(models.TextChoices):
    INVITED = "invited", _("Not answered")
    ACCEPTED = "accepted", _("Coming")
    WAITING = "waiting", _("On the waiting list")
    DECLINED = "declined", _("Not coming")


class Invitation(models.Model):
    session = models.ForeignKey(
        TrainingSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="invitations"
    )
    employee = models.ForeignKey(
        "assets.Employee", verbose_name=_("employee"), on_delete=models.PROTECT, related_name="training_invitations"
    )
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices, default=Answer.INVITED)
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)  # the waiting list's order
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)  # None: not recorded yet
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["employee__last_name", "employee__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "employee"], name="training_invited_once"),
            # One rating per attendee, 1 to 5, only from someone who came.
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1, rating__lte=5) & Q(attended=True)),
                name="training_rating_by_attendee",
            ),
        ]
        indexes = [models.Index(fields=["employee", "session"], name="training_invitation_employee")]

    def __str__(self) -> str:
        return f"{self.session} · {self.employee}"


def _material_path(instance: "Material", filename: str) -> str:
    extension = Path(filename).suffix.lower()[:10]
    return f"training/{instance.session_id}/{uuid.uuid4().hex}{extension}"


class Material(models.Model):
    """A file handed out with a session (slides, a checklist): downloaded by those invited and the staff."""

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="materials"
    )
    file = models.FileField(_("file"), upload_to=_material_path, storage=PrivateStorage(), max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["original_name", "pk"]

    def __str__(self) -> str:
        return self.original_name
