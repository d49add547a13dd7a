"""The training sessions a person is invited to, on their own pages (My tickets): one query."""

from typing import Any

from django import template
from django.utils import timezone

from accounts.permissions import can
from training.models import Answer, Invitation, SessionStatus

register = template.Library()
SHOWN = 3


@register.inclusion_tag("training/_upcoming_box.html", takes_context=True)
def upcoming_training(context: Any) -> dict[str, Any]:
    """The next sessions the signed-in person is invited to and has not declined."""
    user = context["request"].user
    if not can(user, "training.attend"):
        return {"invitations": []}
    invitations = list(
        Invitation.objects.filter(
            employee__user=user,
            session__status=SessionStatus.PLANNED,
            session__ends_at__gte=timezone.now(),
        )
        .exclude(answer=Answer.DECLINED)
        .select_related("session")
        .order_by("session__starts_at", "pk")[:SHOWN]
    )
    return {"invitations": invitations}
