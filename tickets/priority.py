"""The ITIL impact x urgency matrix: a pure function, so every path gives a ticket the same priority."""

from tickets.models import Impact, Priority, Urgency

#                 urgency: HIGH         MEDIUM       LOW
MATRIX = {
    Impact.HIGH: {Urgency.HIGH: Priority.P1, Urgency.MEDIUM: Priority.P2, Urgency.LOW: Priority.P3},
    Impact.MEDIUM: {Urgency.HIGH: Priority.P2, Urgency.MEDIUM: Priority.P3, Urgency.LOW: Priority.P4},
    Impact.LOW: {Urgency.HIGH: Priority.P3, Urgency.MEDIUM: Priority.P4, Urgency.LOW: Priority.P4},
}


def priority_for(impact: int, urgency: int) -> int:
    """P1..P4 (as 1..4) from impact and urgency, each 1 (high) to 3 (low)."""
    return int(MATRIX[Impact(impact)][Urgency(urgency)])
