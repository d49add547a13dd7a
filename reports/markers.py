"""Moments the reports' timelines mark (a training session given): registered by the apps that know them,
so the reports read them without depending on those apps (training registers its sessions when ready)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from reports.periods import Period


@dataclass(frozen=True)
class Marker:
    day: date
    label: str
    url: str


Provider = Callable[[Period], list[Marker]]
_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add (or, registered again, replace) a source of markers."""
    _providers[name] = provider


def markers_in(period: Period) -> list[Marker]:
    """Every registered marker within `period`, by day."""
    found = [marker for provider in _providers.values() for marker in provider(period)]
    return sorted((m for m in found if period.first <= m.day <= period.last), key=lambda m: (m.day, m.label))
