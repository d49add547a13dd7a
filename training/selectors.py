"""Reads of training for other pages: the sessions the trends report marks on its timeline."""

from datetime import datetime, time, timedelta

from django.utils.translation import gettext

from core.days import day_of, desk_zone
from reports.markers import Marker
from reports.periods import Period
from training.models import SessionStatus, TrainingSession

MARKED = 50  # more sessions in one period than a chart can show apart


def session_markers(period: Period) -> list[Marker]:
    """The sessions given (or to be given) within `period`, one query."""
    zone = desk_zone()
    first = datetime.combine(period.first, time.min, tzinfo=zone)
    until = datetime.combine(period.last + timedelta(days=1), time.min, tzinfo=zone)
    sessions = (
        TrainingSession.objects.filter(status=SessionStatus.PLANNED, starts_at__gte=first, starts_at__lt=until)
        .only("pk", "title", "starts_at")
        .order_by("starts_at", "pk")[:MARKED]
    )
    return [
        Marker(
            day=day_of(session.starts_at, zone),
            label=gettext("Training: %(title)s") % {"title": session.title},
            url=session.get_absolute_url(),
        )
        for session in sessions
    ]
