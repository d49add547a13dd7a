"""Charts drawn on the server as SVG: no script, so they work under the strict Content-Security-Policy,
print as sharply as the text, and need no chart library in the browser. Colours come from CSS classes
(static/css/reports.css) on Bootstrap's variables, so the charts follow the light and dark themes; in
print every series is black with its own dash pattern. Each chart is drawn beside the table that holds its
numbers, which is its text alternative; the SVG's title and description say what it shows.

The geometry is computed here; templates/reports/_chart.html draws it.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils import formats

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36
SERIES_CLASSES = 6  # .series-0 ... .series-5 in reports.css


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Line:
    name: str
    css: str
    path: str  # an SVG path: M x,y L x,y ...; breaks where a value is missing


@dataclass(frozen=True)
class Bar:
    css: str
    x: float
    y: float
    width: float
    height: float
    label: str  # what a pointer shows: the name and the number


@dataclass(frozen=True)
class Mark:
    """A vertical line at a moment of a line chart (a training session), with what a pointer shows."""

    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    kind: str  # "line" or "bar"
    lines: tuple[Line, ...] = ()
    bars: tuple[Bar, ...] = ()
    x_ticks: tuple[Tick, ...] = ()
    y_ticks: tuple[Tick, ...] = ()
    legend: tuple[tuple[str, str], ...] = ()  # (css, name)
    marks: tuple[Mark, ...] = ()
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (at least 1): the top of the axis."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def _y_ticks(top: float) -> tuple[Tick, ...]:
    span = HEIGHT - BOTTOM - TOP

    def label(value: float) -> str:
        # Whole numbers as such (2.5 stays 2.5: a tick is where it says).
        if float(value).is_integer():
            return formats.number_format(int(value), use_l10n=True)
        return formats.number_format(round(value, 2), use_l10n=True)

    return tuple(Tick(HEIGHT - BOTTOM - span * share, label(top * share)) for share in (0, 0.25, 0.5, 0.75, 1))


def _x_ticks(buckets: Sequence[date], by_week: bool) -> tuple[Tick, ...]:
    if not buckets:
        return ()
    step = max(1, math.ceil(len(buckets) / 8))
    span = WIDTH - LEFT - RIGHT
    denominator = max(len(buckets) - 1, 1)
    return tuple(
        Tick(LEFT + span * index / denominator, formats.date_format(day, "SHORT_DATE_FORMAT"))
        for index, day in enumerate(buckets)
        if index % step == 0
    )


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    buckets: Sequence[date],
    series: Sequence[tuple[str, Sequence[float | None]]],
    by_week: bool = False,
    marks: Sequence[tuple[date, str]] = (),
) -> Chart:
    """Lines over time: one point per bucket (a day or a week) for each named series; `marks` are moments
    (day, label) drawn as vertical lines in the bucket that holds them."""
    values = [v for _name, points in series for v in points if v is not None]
    top = nice_ceiling(max(values, default=0))
    span_x, span_y = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    denominator = max(len(buckets) - 1, 1)
    lines = []
    for index, (name, points) in enumerate(series):
        path, pen_down = [], False
        for position, value in enumerate(points):
            if value is None:
                pen_down = False
                continue
            x = LEFT + span_x * position / denominator
            y = HEIGHT - BOTTOM - span_y * value / top
            path.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
            pen_down = True
        lines.append(Line(name=name, css=f"series-{index % SERIES_CLASSES}", path=" ".join(path)))
    placed = []
    for day, label in marks:
        # The bucket that holds the day: the last one starting on or before it.
        holding = max((i for i, first in enumerate(buckets) if first <= day), default=None)
        if holding is not None:
            placed.append(Mark(x=round(LEFT + span_x * holding / denominator, 1), label=label))
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        kind="line",
        lines=tuple(lines),
        marks=tuple(placed),
        x_ticks=_x_ticks(buckets, by_week),
        y_ticks=_y_ticks(top),
        legend=tuple((line.css, line.name) for line in lines),
    )


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
) -> Chart:
    """Grouped vertical bars: for each label, one bar per named series (this period beside the one before)."""
    values = [v for _name, points in series for v in points]
    top = nice_ceiling(max(values, default=0))
    span_x, span_y = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    group = span_x / max(len(labels), 1)
    width = group * 0.8 / max(len(series), 1)
    bars = []
    for s_index, (name, points) in enumerate(series):
        for index, value in enumerate(points):
            height = span_y * value / top
            bars.append(
                Bar(
                    css=f"series-{s_index % SERIES_CLASSES}",
                    x=round(LEFT + group * index + group * 0.1 + width * s_index, 1),
                    y=round(HEIGHT - BOTTOM - height, 1),
                    width=round(width, 1),
                    height=round(height, 1),
                    label=f"{labels[index]} · {name}: {formats.number_format(value, use_l10n=True)}",
                )
            )
    step = max(1, math.ceil(len(labels) / 10))
    ticks = tuple(
        Tick(LEFT + group * (index + 0.5), _short(label)) for index, label in enumerate(labels) if index % step == 0
    )
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        kind="bar",
        bars=tuple(bars),
        x_ticks=ticks,
        y_ticks=_y_ticks(top),
        legend=tuple((f"series-{i % SERIES_CLASSES}", name) for i, (name, _points) in enumerate(series)),
    )


def _short(label: str, length: int = 14) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"
