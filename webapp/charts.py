"""Chart geometry for the pages and the PDF report: plain numbers the templates draw as inline SVG 1.1.

Pure Python, no Flask: the geometry is computed once here and the template (templates/macros/radar.html) only
writes it out, so the chart looks the same in a browser and in WeasyPrint, and needs no script and no style.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from programmes.vocabulary import DIMENSIONS

RINGS: tuple[int, ...] = (25, 50, 75, 100)
RING_SHARE = 0.32  # the outer ring's radius as a share of `size`; the rest of `size` is room for the labels
FONT_SHARE = 0.045  # label font size as a share of `size` (14.4 user units at the default 320)
LABEL_GAP_EM = 0.6  # between the outer ring and a label
MARGIN_EM = 0.5  # kept clear around everything drawn
LINE_HEIGHT_EM = 1.2
ASCENT_EM = 0.9  # from the top of a line box to its baseline (ascent plus half the leading)
# Text is measured without fonts, so widths are estimates on the safe side: Arial's average Latin advance is
# about 0.5 em, a full-width (CJK) character 1 em.
NARROW_ADVANCE_EM, WIDE_ADVANCE_EM = 0.6, 1.0
WRAP_EM = 8.5  # a label wider than this breaks at the space nearest its middle (two lines at most)
MIDDLE_ZONE = 0.2  # |cos| below this: a label above or below the centre is centred on its axis


def _r(value: float) -> float:
    """One decimal, and never -0.0 (so the markup reads 0.0)."""
    return round(value, 1) + 0.0


@dataclass(frozen=True)
class Palette:
    """Colours as SVG presentation attributes. The area's stroke is what carries the data: it must keep a
    contrast of at least 3:1 with the background (WCAG 1.4.11, non-text contrast); so must the grid."""

    background: str = "#ffffff"
    area_fill: str = "#1d70b8"
    area_fill_opacity: float = 0.25
    area_stroke: str = "#1d70b8"  # 5.2:1 on white
    point_fill: str = "#1d70b8"
    grid: str = "#8a8f92"  # 3.3:1 on white
    text: str = "#0b0c0c"
    ring_text: str = "#505a5f"
    font_family: str = "Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Ring:
    level: int  # 25, 50, 75 or 100
    points: str  # the SVG polygon's points attribute
    label: Point  # where the level's number is written, just right of the first axis


@dataclass(frozen=True)
class Axis:
    dimension: str
    end: Point  # the axis runs from the centre (0, 0) to here, on the outer ring


@dataclass(frozen=True)
class ScorePoint:
    dimension: str
    score: int
    x: float
    y: float


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class LabelLine:
    text: str
    x: float
    y: float  # the baseline


@dataclass(frozen=True)
class Label:
    dimension: str
    text: str
    anchor: str  # SVG text-anchor: start, middle or end
    x: float
    y: float  # the first line's baseline
    lines: tuple[LabelLine, ...]
    box: Box  # the estimated extent of the text, used to size the viewBox


@dataclass(frozen=True)
class RadarGeometry:
    size: int
    radius: float
    font_size: float
    view_box: tuple[float, float, float, float]  # min-x, min-y, width, height; the centre is (0, 0)
    rings: tuple[Ring, ...]
    axes: tuple[Axis, ...]
    points: tuple[ScorePoint, ...]  # DIMENSIONS order, clockwise from the top
    area: str  # the score polygon's points attribute
    labels: tuple[Label, ...]
    palette: Palette = field(default_factory=Palette)

    @property
    def width(self) -> float:
        return self.view_box[2]

    @property
    def height(self) -> float:
        return self.view_box[3]

    @property
    def view_box_attr(self) -> str:
        return " ".join(str(v) for v in self.view_box)


def text_width(text: str, font_size: float) -> float:
    """An estimate of the advance of `text`, generous enough that the real text fits inside it."""
    ems = sum(WIDE_ADVANCE_EM if unicodedata.east_asian_width(c) in ("W", "F") else NARROW_ADVANCE_EM for c in text)
    return ems * font_size


def wrap_label(text: str, font_size: float) -> tuple[str, ...]:
    """One line, or two broken at the space nearest the middle when the label is wider than WRAP_EM."""
    text = " ".join(text.split())
    if text_width(text, font_size) <= WRAP_EM * font_size or " " not in text:
        return (text,)
    spaces = [i for i, c in enumerate(text) if c == " "]
    cut = min(spaces, key=lambda i: (abs(len(text) / 2 - i), i))
    return (text[:cut], text[cut + 1 :])


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _direction(index: int) -> tuple[float, float]:
    """Unit vector of axis `index`: the first points up, the others follow clockwise (SVG's y grows downwards)."""
    angle = -math.pi / 2 + 2 * math.pi * index / len(DIMENSIONS)
    return math.cos(angle), math.sin(angle)


def _label(dimension: str, text: str, index: int, radius: float, font_size: float) -> Label:
    """Place a label beyond the outer ring, anchored away from the chart so it never runs over it.

    The anchor follows the axis's horizontal direction (right side: start, left side: end, near the vertical:
    middle); vertically the text block sits above the point on upper axes, below it on lower ones, and is
    centred on it at the sides.
    """
    dx, dy = _direction(index)
    distance = radius + LABEL_GAP_EM * font_size
    px, py = dx * distance, dy * distance
    lines = wrap_label(text, font_size)
    width = max(text_width(line, font_size) for line in lines)
    line_height = LINE_HEIGHT_EM * font_size
    height = len(lines) * line_height

    anchor = "middle" if abs(dx) < MIDDLE_ZONE else "start" if dx > 0 else "end"
    left = {"start": px, "middle": px - width / 2, "end": px - width}[anchor]
    if dy < -MIDDLE_ZONE:
        top = py - height
    elif dy > MIDDLE_ZONE:
        top = py
    else:
        top = py - height / 2
    baselines = [top + ASCENT_EM * font_size + k * line_height for k in range(len(lines))]
    return Label(
        dimension=dimension,
        text=text,
        anchor=anchor,
        x=_r(px),
        y=_r(baselines[0]),
        lines=tuple(LabelLine(line, _r(px), _r(b)) for line, b in zip(lines, baselines, strict=True)),
        box=Box(_r(left), _r(top), _r(left + width), _r(top + height)),
    )


def radar_geometry(scores: Mapping[str, int], labels: Mapping[str, str], size: int = 320) -> RadarGeometry:
    """The readiness radar: seven axes in DIMENSIONS order, the first pointing up and the others clockwise.

    Scores are 0-100 (clamped), drawn from the centre (0) to the outer ring (100), whose radius is RING_SHARE x
    `size`. The viewBox is centred on the chart horizontally and at least `size` wide; it grows when the labels
    need more room, so no label is cut off whatever its language, and its height fits the chart and labels.
    Every coordinate is rounded to one decimal.
    """
    missing = [d for d in DIMENSIONS if d not in scores or d not in labels]
    if missing:
        raise ValueError(f"scores and labels are needed for every dimension; missing: {', '.join(missing)}")
    if size <= 0:
        raise ValueError("size must be positive")
    radius = _r(size * RING_SHARE)
    font_size = _r(size * FONT_SHARE)

    def at(index: int, distance: float) -> Point:
        dx, dy = _direction(index)
        return Point(_r(dx * distance), _r(dy * distance))

    def polygon(points: list[Point]) -> str:
        return " ".join(f"{p.x},{p.y}" for p in points)

    count = len(DIMENSIONS)
    rings = tuple(
        Ring(
            level=level,
            points=polygon([at(i, radius * level / 100) for i in range(count)]),
            label=Point(_r(0.5 * font_size), _r(-radius * level / 100 + 0.8 * font_size)),
        )
        for level in RINGS
    )
    axes = tuple(Axis(d, at(i, radius)) for i, d in enumerate(DIMENSIONS))
    clamped = {d: min(100, max(0, int(scores[d]))) for d in DIMENSIONS}
    corners = [at(i, radius * clamped[d] / 100) for i, d in enumerate(DIMENSIONS)]
    points = tuple(ScorePoint(d, clamped[d], p.x, p.y) for d, p in zip(DIMENSIONS, corners, strict=True))
    placed = tuple(_label(d, str(labels[d]), i, radius, font_size) for i, d in enumerate(DIMENSIONS))

    margin = MARGIN_EM * font_size
    half_width = max(size / 2, radius + margin, *(max(abs(label.box.left), abs(label.box.right)) + margin for label in placed))
    top = min(-radius - margin, *(label.box.top - margin for label in placed))
    bottom = max(radius + margin, *(label.box.bottom + margin for label in placed))
    # Round outwards, so the rounded viewBox still holds everything.
    min_x, min_y = math.floor(-half_width * 10) / 10, math.floor(top * 10) / 10
    view_box = (_r(min_x), _r(min_y), _r(-2 * min_x), _r(math.ceil((bottom - min_y) * 10) / 10))
    return RadarGeometry(
        size=size,
        radius=radius,
        font_size=font_size,
        view_box=view_box,
        rings=rings,
        axes=axes,
        points=points,
        area=polygon(corners),
        labels=placed,
    )
