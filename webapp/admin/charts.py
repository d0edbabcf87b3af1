"""Chart geometry for the macros in templates/admin/_charts.html: a bar chart of one column of an analytics
`Table`, and a column chart of assessments over time. Every coordinate is computed here, as webapp.charts does for
the radar, so the templates only write numbers out (inline SVG: no script, and nothing a strict CSP refuses).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from webapp.admin.analytics import COUNT, MIN_CELL, SCORE, SHARE, Table, Value
from webapp.charts import Palette, text_width


def _r(value: float) -> float:
    """One decimal, and never -0.0."""
    return round(value, 1) + 0.0


def _count_steps(largest: float) -> tuple[float, ...]:
    """Ticks for a count axis: 0 to a round end in at most five whole steps of 1, 2 or 5 x 10^k."""
    largest = max(largest, MIN_CELL)
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if math.ceil(largest / step) <= 5:
                return tuple(float(step * i) for i in range(math.ceil(largest / step) + 1))
        power *= 10


def _scale(kind: str, values: Sequence[float]) -> tuple[float, tuple[float, ...]]:
    """The axis's end and its ticks from 0: quarters of 100 % or of 100 points, or round steps for counts."""
    if kind == COUNT:
        ticks = _count_steps(max(values, default=0))
        return ticks[-1], ticks
    end = 1.0 if kind == SHARE else 100.0
    return end, tuple(end * i / 4 for i in range(5))


def _value_chars(kind: str, end: float) -> int:
    """How many characters the longest formatted value may take (for the room kept beside bars and axes)."""
    return 4 if kind == SHARE else 5 if kind == SCORE else len(f"{int(end):,}")


def _fit(text: str, font_size: float, room: float) -> str:
    """`text`, cut with an ellipsis so that it fits in `room` (the table beside the chart keeps it whole)."""
    if text_width(text, font_size) <= room:
        return text
    while text and text_width(text + "…", font_size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


@dataclass(frozen=True)
class Tick:
    value: float
    position: float  # x on a bar chart, y on a time chart
    anchor: str = "middle"


@dataclass(frozen=True)
class Bar:
    key: str
    label: str  # the label as drawn (shortened if need be)
    full_label: str  # the label in the table
    value: Value  # None: withheld
    label_y: float  # the label's baseline; labels sit above their bar, at x = BarChart.left
    y: float  # the bar's top
    length: float  # 0 when withheld
    value_x: float  # where the value (or the "fewer than 10" note) is written
    value_y: float


@dataclass(frozen=True)
class BarChart:
    kind: str
    column: str
    width: float
    height: float
    left: float
    plot_width: float
    bar_height: float
    font_size: float
    grid_top: float
    grid_bottom: float
    axis_y: float  # the tick labels' baseline
    ticks: tuple[Tick, ...]
    bars: tuple[Bar, ...]
    palette: Palette = field(default_factory=Palette)

    @property
    def view_box_attr(self) -> str:
        return f"0 0 {self.width} {self.height}"


def bar_chart(table: Table, column: str | None = None, labels: Mapping[str, Any] | None = None, width: int = 560) -> BarChart:
    """A horizontal bar per row of `table` (one `column`, the first by default), each label on its own line above
    its bar, so long names (programmes) need no margin. `labels` maps row keys to translated labels.

    Bars run from 0 to the axis end: 100 % for shares, 100 for scores, a round number for counts. Room for the
    value is kept right of the longest bar; a withheld bar is drawn as nothing, with the caller's note in its place.
    """
    index = table.columns.index(column) if column else 0
    font = 14.0
    margin, label_gap, bar_height, band_gap = 8.0, 6.0, 16.0, 12.0
    values = [row.values[index] for row in table.rows]
    end, steps = _scale(table.kind, [v for v in values if v is not None])
    reserve = text_width("0" * (_value_chars(table.kind, end) + 1), font) + label_gap
    plot_width = _r(width - 2 * margin - reserve)
    line = 1.2 * font
    bars = []
    y = margin
    for row, value in zip(table.rows, values, strict=True):
        full = str((labels or {}).get(row.key, row.label))
        label_y = y + 0.9 * font
        top = y + line + 2
        length = 0.0 if value is None else plot_width * min(max(float(value), 0.0), end) / end
        bars.append(
            Bar(
                key=row.key,
                label=_fit(full, font, width - 2 * margin),
                full_label=full,
                value=value,
                label_y=_r(label_y),
                y=_r(top),
                length=_r(length),
                value_x=_r(margin + length + label_gap),
                value_y=_r(top + bar_height / 2 + 0.35 * font),
            )
        )
        y = top + bar_height + band_gap
    grid_bottom = y - band_gap + 4
    ticks = tuple(Tick(step, _r(margin + plot_width * step / end), "start" if i == 0 else "middle") for i, step in enumerate(steps))
    return BarChart(
        kind=table.kind,
        column=table.columns[index],
        width=float(width),
        height=_r(grid_bottom + 1.2 * font + margin),
        left=margin,
        plot_width=plot_width,
        bar_height=bar_height,
        font_size=font,
        grid_top=_r(margin + line),
        grid_bottom=_r(grid_bottom),
        axis_y=_r(grid_bottom + 1.1 * font),
        ticks=ticks,
        bars=tuple(bars),
    )


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Value  # None: withheld
    x: float
    y: float  # the column's top
    width: float
    height: float  # 0 when withheld
    label_x: float
    show_label: bool  # labels are thinned out when the periods are many


@dataclass(frozen=True)
class TimeChart:
    kind: str
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float  # the baseline (0)
    font_size: float
    label_y: float  # the period labels' baseline
    ticks: tuple[Tick, ...]  # horizontal grid lines, labelled at the left
    columns: tuple[Column, ...]
    palette: Palette = field(default_factory=Palette)

    @property
    def view_box_attr(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def tick_x(self) -> float:
        return _r(self.plot_left - 6)


def time_chart(table: Table, labels: Mapping[str, Any] | None = None, width: int = 560, height: int = 240) -> TimeChart:
    """A column per period of `table` (insights' `over_time`), left to right; `labels` maps keys to labels.

    Period labels are written under every k-th column, k chosen so they never overlap; a withheld period is
    marked by a short dashed line on the baseline, so it does not read as a zero.
    """
    font = 12.0
    margin = 8.0
    values = [row.value for row in table.rows]
    end, steps = _scale(table.kind, [v for v in values if v is not None])
    plot_left = _r(margin + text_width("0" * _value_chars(table.kind, end), font) + 6)
    plot_right = float(width) - margin
    plot_top = margin + font / 2
    plot_bottom = _r(height - margin - 1.6 * font)
    texts = [str((labels or {}).get(row.key, row.label)) for row in table.rows]
    band = (plot_right - plot_left) / max(len(table.rows), 1)
    widest = max((text_width(t, font) for t in texts), default=0.0)
    every = max(1, math.ceil((widest + font) / band))
    columns = []
    for i, (row, value, text) in enumerate(zip(table.rows, values, texts, strict=True)):
        centre = plot_left + band * (i + 0.5)
        tall = 0.0 if value is None else (plot_bottom - plot_top) * min(float(value), end) / end
        half = text_width(text, font) / 2
        columns.append(
            Column(
                key=row.key,
                label=text,
                value=value,
                x=_r(centre - band * 0.35),
                y=_r(plot_bottom - tall),
                width=_r(max(band * 0.7, 1.0)),
                height=_r(tall),
                label_x=_r(min(max(centre, half), width - half)),
                show_label=i % every == 0,
            )
        )
    ticks = tuple(Tick(step, _r(plot_bottom - (plot_bottom - plot_top) * step / end), "end") for step in steps)
    return TimeChart(
        kind=table.kind,
        width=float(width),
        height=float(height),
        plot_left=plot_left,
        plot_right=_r(plot_right),
        plot_top=_r(plot_top),
        plot_bottom=plot_bottom,
        font_size=font,
        label_y=_r(plot_bottom + 1.3 * font),
        ticks=ticks,
        columns=tuple(columns),
    )
