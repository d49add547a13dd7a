"""Who may see and do what with training sessions: the one place that decides, on accounts.permissions.

- Staff who plan ("training.plan": technicians and up) see every session; they change, invite to, record the
  attendance of and call off the sessions they give or planned. Coordinators and managers
  ("training.manage") do so for every session.
- The measured effect, and any one person's own figures, only coordinators and managers ("training.effect").
- Anyone else sees only the sessions they are invited to, and answers and rates only their own invitation;
  another session is a 404, exactly like one that does not exist.
"""

from typing import TypeGuard

from django.db.models import QuerySet
from django.http import Http404

from accounts import permissions as roles
from accounts.models import User
from accounts.permissions import Someone
from training.models import Invitation, Material, TrainingSession

SESSION_ACTIONS = ("change", "invite", "attendance", "cancel")


def sessions_visible_to(user: Someone) -> QuerySet[TrainingSession]:
    if roles.can(user, "training.plan"):
        return TrainingSession.objects.all()
    if roles.can(user, "training.attend"):
        return TrainingSession.objects.filter(invitations__employee__user=user)
    return TrainingSession.objects.none()


def get_session_for(user: Someone, pk: object) -> TrainingSession:
    """The session `pk` if `user` may see it; Http404 otherwise."""
    try:
        return sessions_visible_to(user).select_related("trainer").get(pk=int(str(pk)))
    except (TrainingSession.DoesNotExist, ValueError):
        raise Http404 from None


def can(user: Someone, action: str, session: TrainingSession | None = None) -> TypeGuard[User]:
    """May `user` take `action` ("plan", "effect", "person_figures"; on a session: "change", "invite",
    "attendance", "cancel")?"""
    if action == "plan":
        return roles.can(user, "training.plan")
    if action in ("effect", "person_figures"):
        return roles.can(user, "training.effect")
    if action in SESSION_ACTIONS:
        assert session is not None
        if not roles.can(user, "training.plan"):
            return False
        if action != "attendance" and session.is_cancelled:
            return False
        return roles.can(user, "training.manage") or user.pk in (session.trainer_id, session.planned_by_id)
    raise ValueError(f"Unknown training action {action!r}")


def own_invitation(user: Someone, pk: object) -> Invitation:
    """The invitation `pk` when it is `user`'s own (through their employee record); Http404 otherwise."""
    if not roles.can(user, "training.attend"):
        raise Http404
    try:
        return Invitation.objects.select_related("session", "employee").get(pk=int(str(pk)), employee__user=user)
    except (Invitation.DoesNotExist, ValueError):
        raise Http404 from None


def get_material_for(user: Someone, pk: int) -> Material:
    """A session's file, to whoever may see the session; Http404 otherwise."""
    try:
        material = Material.objects.get(pk=pk)
    except Material.DoesNotExist:
        raise Http404 from None
    if not sessions_visible_to(user).filter(pk=material.session_id).exists():
        raise Http404
    return material
