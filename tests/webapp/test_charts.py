"""The readiness radar: its geometry, and the accessible inline SVG and table the macro writes."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import flask
import pytest

from programmes.vocabulary import DIMENSIONS
from webapp.charts import contrast_ratio, radar_geometry, text_width, wrap_label

LABELS = {
    "strategy": "Strategy",
    "skills": "Skills",
    "data": "Data",
    "cloud": "Cloud",
    "compute": "Computing power",
    "funding": "Funding",
    "governance": "Governance",
}
SCORES = {"strategy": 100, "skills": 0, "data": 50, "cloud": 75, "compute": 25, "funding": 60, "governance": 10}
SVG = "{http://www.w3.org/2000/svg}"


def scores(**changes):
    return SCORES | changes


def within(geometry, x, y):
    min_x, min_y, width, height = geometry.view_box
    return min_x <= x <= min_x + width and min_y <= y <= min_y + height


def test_a_full_score_on_the_first_axis_points_straight_up_to_the_outer_ring():
    geometry = radar_geometry(scores(strategy=100), LABELS)
    first = geometry.points[0]
    assert first.dimension == "strategy"
    assert (first.x, first.y) == (0.0, -geometry.radius)
    assert geometry.axes[0].end.x == 0.0 and geometry.axes[0].end.y == -geometry.radius


def test_a_zero_score_is_the_centre():
    geometry = radar_geometry(dict.fromkeys(DIMENSIONS, 0), LABELS)
    assert {(p.x, p.y) for p in geometry.points} == {(0.0, 0.0)}
    assert "-0.0" not in geometry.area


def test_the_axes_go_clockwise_in_the_order_of_the_dimensions():
    geometry = radar_geometry(dict.fromkeys(DIMENSIONS, 100), LABELS)
    assert [p.dimension for p in geometry.points] == list(DIMENSIONS)
    angles = [math.atan2(p.x, -p.y) % (2 * math.pi) for p in geometry.points]  # from "up", clockwise on screen
    assert angles == sorted(angles)
    assert geometry.points[1].x > 0  # the second axis is to the right of the first
    # Seven axes, all on the outer ring.
    assert all(math.isclose(math.hypot(p.x, p.y), geometry.radius, abs_tol=0.1) for p in geometry.points)


def test_a_score_is_its_share_of_the_radius():
    geometry = radar_geometry(scores(data=50), LABELS)
    data = geometry.points[DIMENSIONS.index("data")]
    assert math.isclose(math.hypot(data.x, data.y), geometry.radius / 2, abs_tol=0.1)


def test_scores_outside_0_to_100_are_clamped():
    geometry = radar_geometry(scores(strategy=140, skills=-5), LABELS)
    assert geometry.points[0].y == -geometry.radius and (geometry.points[1].x, geometry.points[1].y) == (0.0, 0.0)


def test_the_grid_has_four_rings_of_seven_corners():
    geometry = radar_geometry(SCORES, LABELS)
    assert [r.level for r in geometry.rings] == [25, 50, 75, 100]
    assert all(len(r.points.split()) == 7 for r in geometry.rings)
    assert geometry.rings[-1].points.split()[0] == f"0.0,{-geometry.radius}"


def test_every_number_has_at_most_one_decimal():
    geometry = radar_geometry(SCORES, LABELS, size=333)
    numbers = [*geometry.view_box, geometry.radius, geometry.font_size]
    numbers += [float(v) for ring in geometry.rings for pair in ring.points.split() for v in pair.split(",")]
    numbers += [v for p in geometry.points for v in (p.x, p.y)]
    numbers += [v for label in geometry.labels for line in label.lines for v in (line.x, line.y)]
    assert all(round(v, 1) == v for v in numbers)


def test_labels_are_anchored_away_from_the_chart():
    geometry = radar_geometry(SCORES, LABELS)
    anchors = {label.dimension: label.anchor for label in geometry.labels}
    assert anchors == {
        "strategy": "middle",
        "skills": "start",
        "data": "start",
        "cloud": "start",
        "compute": "end",
        "funding": "end",
        "governance": "end",
    }
    top = geometry.labels[0]
    assert top.box.bottom < -geometry.radius  # above the outer ring


@pytest.mark.parametrize(
    "labels",
    [
        LABELS,
        {d: "Gestion des données et gouvernance" for d in DIMENSIONS},
        {d: "Datenmanagementkompetenzentwicklung" for d in DIMENSIONS},  # no space to break at
        {d: "データガバナンス" for d in DIMENSIONS},
    ],
    ids=["english", "long-french", "one-long-german-word", "japanese"],
)
@pytest.mark.parametrize("size", [200, 320, 640])
def test_labels_stay_within_the_view_box(labels, size):
    geometry = radar_geometry(SCORES, labels, size=size)
    for label in geometry.labels:
        box = label.box
        assert within(geometry, box.left, box.top) and within(geometry, box.right, box.bottom), label
        # The box really holds the text, as estimated from its anchor and width.
        for line in label.lines:
            width = text_width(line.text, geometry.font_size)
            left = {"start": line.x, "middle": line.x - width / 2, "end": line.x - width}[label.anchor]
            assert box.left - 0.1 <= left and left + width <= box.right + 0.1
            assert box.top <= line.y - geometry.font_size * 0.8 and line.y <= box.bottom
    assert geometry.width >= size
    assert math.isclose(-geometry.view_box[0], geometry.width / 2, abs_tol=0.1)  # centred horizontally


def test_long_labels_break_into_two_lines_at_a_space():
    assert wrap_label("Data", 14) == ("Data",)
    assert wrap_label("Gestion des données et gouvernance", 14) == ("Gestion des données", "et gouvernance")
    assert wrap_label("Datenmanagementkompetenzentwicklung", 14) == ("Datenmanagementkompetenzentwicklung",)


def test_a_missing_dimension_is_refused():
    with pytest.raises(ValueError, match="governance"):
        radar_geometry({d: 50 for d in DIMENSIONS if d != "governance"}, LABELS)


def test_the_data_colours_contrast_with_the_background():
    palette = radar_geometry(SCORES, LABELS).palette
    assert contrast_ratio(palette.area_stroke, palette.background) >= 3
    assert contrast_ratio(palette.point_fill, palette.background) >= 3
    assert contrast_ratio(palette.grid, palette.background) >= 3
    assert contrast_ratio(palette.text, palette.background) >= 4.5
    assert contrast_ratio(palette.ring_text, palette.background) >= 4.5


TEMPLATE = (
    '{% from "macros/radar.html" import radar %}<root>'
    "{{ radar(geometry, title, description, caption, labels, scores, id_prefix=prefix, column_headings=headings) }}"
    "{{ radar(geometry, title, description, caption, labels, scores, id_prefix='second') }}</root>"
)


def render(**context):
    values = {
        "geometry": radar_geometry(SCORES, LABELS),
        "title": "Your AI readiness & scores",
        "description": "A radar chart of your scores on seven dimensions.",
        "caption": "Your scores out of 100",
        "labels": LABELS,
        "scores": SCORES,
        "prefix": "readiness",
        "headings": ("Dimension", "Score"),
    }
    return flask.render_template_string(TEMPLATE, **(values | context))


def test_the_macro_renders_an_accessible_svg_and_a_table_of_the_scores(app_context):
    root = ET.fromstring(render())
    figure = root.findall("figure")[0]
    svgs = figure.findall(f".//{SVG}svg")
    assert len(svgs) == 1
    svg = svgs[0]
    assert svg.get("role") == "img"
    assert svg.get("viewBox") == radar_geometry(SCORES, LABELS).view_box_attr

    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title.text == "Your AI readiness & scores" and desc.text.startswith("A radar chart")
    assert svg.get("aria-labelledby").split() == [title.get("id"), desc.get("id")] == ["readiness-title", "readiness-desc"]

    circles = svg.findall(f".//{SVG}circle")
    assert len(circles) == 7
    assert [c.get("data-dimension") for c in circles] == list(DIMENSIONS)
    assert len(svg.findall(f".//{SVG}g[@class='tremplin-radar__grid']/{SVG}polygon")) == 4
    assert len(svg.findall(f".//{SVG}g[@class='tremplin-radar__grid']/{SVG}line")) == 7
    area = svg.find(f".//{SVG}polygon[@class='tremplin-radar__area']")
    assert area.get("stroke") and area.get("fill-opacity")
    label_texts = svg.findall(f".//{SVG}g[@class='tremplin-radar__labels']/{SVG}text")
    assert ["".join(t.itertext()) for t in label_texts] == [
        "Strategy",
        "Skills",
        "Data",
        "Cloud",
        "Computingpower",
        "Funding",
        "Governance",
    ]
    assert {t.get("text-anchor") for t in label_texts} == {"start", "middle", "end"}

    table = figure.find("table")
    assert "govuk-table" in table.get("class").split()
    assert table.find("caption").text == "Your scores out of 100"
    rows = table.findall("tbody/tr")
    assert len(rows) == 7
    assert [(r.find("th").text, int(r.find("td").text)) for r in rows] == [(LABELS[d], SCORES[d]) for d in DIMENSIONS]
    assert [th.text for th in table.findall("thead/tr/th")] == ["Dimension", "Score"]


def test_the_macro_uses_no_inline_style_and_unique_ids(app_context):
    html = render()
    root = ET.fromstring(html)
    elements = list(root.iter())
    assert not [e.tag for e in elements if "style" in e.attrib]
    assert not [e for e in elements if e.tag.endswith("style")]
    ids = [e.get("id") for e in elements if e.get("id")]
    assert len(ids) == len(set(ids)) == 4  # two charts on one page, title and desc each
    assert "second-title" in ids


def test_the_macro_writes_no_words_of_its_own(app_context):
    """Every word comes from the caller (already translated): with empty strings the output has no text."""
    blank = {d: "" for d in DIMENSIONS}
    html = render(title="", description="", caption="", labels=blank, headings=("", ""), geometry=radar_geometry(SCORES, blank))
    root = ET.fromstring(html)
    words = " ".join(t.strip() for t in root.itertext() if t.strip())
    assert all(w.isdigit() for w in words.split()), words  # only the ring levels and the scores remain


def test_the_table_header_is_left_out_when_no_headings_are_given(app_context):
    root = ET.fromstring(render(headings=None))
    assert root.find("figure/table/thead") is None
