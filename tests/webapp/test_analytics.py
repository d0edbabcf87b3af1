"""Reach preview and insights for administrators: exact numbers on a known population, and small cells withheld."""

from __future__ import annotations

import copy
import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter
from types import SimpleNamespace

import flask
import pytest
from sqlalchemy import select

from models.matching import OPEN_CRITERION
from models.profile import ProfileRequest, build_profile
from models.reach import reach_of
from models.readiness import load_bank
from models.rules import Facts
from programmes.vocabulary import CATEGORIES, DIMENSIONS
from tests.factories import TODAY, make_programme, make_request, match_one
from webapp.admin import analytics
from webapp.admin.analytics import (
    COUNT,
    MIN_CELL,
    SHARE,
    Table,
    insights,
    reach_preview,
    size_class,
    stored_assessments,
)
from webapp.admin.charts import bar_chart, time_chart
from webapp.assessments import create_assessment
from webapp.charts import text_width
from webapp.db import Assessment, db, write_transaction

SVG = "{http://www.w3.org/2000/svg}"
MONDAY = dt.datetime(2026, 3, 2, 9, 30)  # ISO week 2026-W10

# The population: (how many, country, employees, sector, quick-check level of every dimension, week after MONDAY).
# A uniform level L scores 25 x L on every dimension, so overall = 25 x L and the stage is L + 1.
FIRMS = [
    (10, "FR", 4, "C", 2, 0),  # eligible for REACH_TEST
    (10, "FR", 30, None, 1, 2),  # needs_info: sector not given
    (5, "FR", 120, "C", 3, 2),  # ineligible: too many employees
    (2, "FR", None, "J", 0, 2),  # needs_info: employees not given
    (6, "DE", 8, "C", 1, 2),  # ineligible: not in France
    (6, "DE", 300, "C", 4, 3),  # ineligible: not in France, too many employees
    (3, "IT", 20, "C", 0, 3),  # ineligible: not in France; a country of three firms
]
# An EU-wide programme (its territory holds all 42 firms) that only French firms meet.
REACH_TEST = make_programme(
    id="reach-test",
    country="EU",
    rules=[
        {"type": "country_in", "countries": ["FR"], "text": "Open to firms in France."},
        {"type": "max_employees", "limit": 50, "text": "Fewer than 50 employees."},
        {"type": "sector_in", "sections": ["C", "J"], "text": "Manufacturing or information."},
    ],
)


EU_RULE = {"type": "country_in", "countries": ["EU"], "text": "Open to firms in the EU."}


def firm_requests():
    for count, country, employees, sector, level, week in FIRMS:
        enterprise = {"country": country, "employees": employees, "sector": sector}
        for i in range(count):
            request = make_request({k: v for k, v in enterprise.items() if v is not None}, levels=dict.fromkeys(DIMENSIONS, level))
            if employees is None:
                del request["enterprise"]["employees"]
            yield request, MONDAY + dt.timedelta(weeks=week, days=i % 5)


STORED: list[dict] = []  # the rows the real path stored the first time, so later tests skip re-matching


@pytest.fixture
def stored(with_catalogue):
    """The 42 firms, assessed through the real path and stored; created_at spread over four weeks.

    The first test to ask assesses them (create_assessment: validate, match, store); later ones store the same rows
    again, which is much faster than matching 42 firms against the catalogue each time.
    """
    with write_transaction():
        if STORED:
            db.session.add_all(Assessment(**copy.deepcopy(row)) for row in STORED)
        else:
            for request, created in firm_requests():
                document = create_assessment(request)
                db.session.get(Assessment, document["id"]).created_at = created
            db.session.flush()
            columns = ("id", "draft_id", "sequence", "created_at", "request", "result", "catalogue_version", "model_version")
            STORED.extend({c: copy.deepcopy(getattr(a, c)) for c in columns} for a in db.session.scalars(select(Assessment)))
    return list(stored_assessments())


def document(**fields):
    """A stand-in for a stored assessment (insights read only request, result and created_at)."""
    return SimpleNamespace(**fields)


# ---------------------------------------------------------------------------------------------------------------
# Reach preview


def test_size_classes_follow_the_employee_thresholds():
    assert [size_class(n) for n in (None, 0, 9, 10, 49, 50, 249, 250, 10_000)] == [
        "unknown", "micro", "micro", "small", "small", "medium", "medium", "larger", "larger",
    ]  # fmt: skip


def test_reach_counts_each_outcome_exactly_and_withholds_small_cells(stored):
    reach = reach_preview(REACH_TEST, stored, TODAY)

    assert reach.skipped == 0 and reach.evaluated == 42
    # 10 French micro firms in C are eligible; 10 without a sector and 2 without a headcount need info; the 5 French
    # medium firms, and the 15 German and Italian ones, are not eligible.
    assert reach.overall.values == (10, 12, 20)
    assert reach.by_country.value("FR", "eligible") == 10
    assert reach.by_country.value("FR", "needs_info") == 12
    assert reach.by_country.value("FR", "ineligible") is None  # 5 firms
    assert reach.by_country.row("FR").firms == 27 and not reach.by_country.row("FR").suppressed
    assert reach.by_country.row("DE").values == (None, None, 12)  # zero is withheld too: "fewer than 10" stays true
    italy = reach.by_country.row("IT")
    assert italy.suppressed and italy.firms is None and italy.values == (None, None, None)
    assert [r.key for r in reach.by_country] == ["DE", "FR", "IT"]


def test_reach_by_size_class_and_stage(stored):
    reach = reach_preview(REACH_TEST, stored, TODAY)

    sizes = {row.key: (row.firms, row.values) for row in reach.by_size}
    assert sizes == {
        "micro": (16, (10, None, None)),  # 10 French eligible + 6 German ineligible
        "small": (13, (None, 10, None)),  # 10 French needs_info + 3 Italian ineligible
        "medium": (None, (None, None, None)),  # 5
        "larger": (None, (None, None, None)),  # 6
        "unknown": (None, (None, None, None)),  # 2
    }
    stages = {row.key: (row.firms, row.values) for row in reach.by_stage}
    assert stages == {
        "1": (None, (None, None, None)),  # 2 French + 3 Italian
        "2": (16, (None, 10, None)),  # 10 French needs_info + 6 German micro
        "3": (10, (10, None, None)),
        "4": (None, (None, None, None)),
        "5": (None, (None, None, None)),
    }
    with flask.current_app.test_request_context():
        assert str(reach.by_stage.row("3").label) == "Experimenting"


def test_reach_names_the_most_common_failing_and_unknown_criteria(stored):
    reach = reach_preview(REACH_TEST, stored, TODAY)

    # Not in France: 12 German + 3 Italian; too many employees: 5 French + 6 German (11, second).
    assert (reach.top_failing.criterion, reach.top_failing.label, reach.top_failing.firms) == ("country_in", "Open to firms in France.", 15)
    # Of the 12 needing info, 10 lack their sector and 2 their headcount.
    assert (reach.top_unknown.criterion, reach.top_unknown.firms) == ("sector_in", 10)
    assert [(c.criterion, c.unmet, c.unknown) for c in reach.criteria] == [
        ("country_in", 15, None),
        ("max_employees", 11, None),
        ("sector_in", None, 10),
        (OPEN_CRITERION, None, None),
    ]


def test_a_criterion_counted_for_fewer_than_ten_firms_is_withheld_whole(stored):
    only_germans_fail = make_programme(
        country="EU", rules=[{"type": "min_employees", "limit": 200, "text": "At least 200 employees."}, EU_RULE]
    )
    reach = reach_preview(only_germans_fail, stored, TODAY)
    assert reach.top_unknown == analytics.CriterionCount(None, None, None, True)  # 2 without a headcount
    assert reach.top_failing.criterion == "min_employees" and reach.top_failing.firms == 34


def test_requests_that_no_longer_validate_are_skipped_and_counted(stored):
    broken = [document(request={"enterprise": {"country": "XX"}, "levels": {}}), document(request="not a request")]
    unknown_question = document(request=make_request(levels=None, answers={"no_such_question": "a"}))
    reach = reach_preview(REACH_TEST, [*stored, *broken, unknown_question], TODAY)
    assert reach.skipped == 3 and reach.evaluated == 42


def test_firms_outside_the_territory_are_not_counted(stored):
    """A French programme is never shown to the 15 German and Italian firms: they are counted apart, not as refusals."""
    french = make_programme(id="reach-test-fr", rules=REACH_TEST.model_dump()["rules"])
    reach = reach_preview(french, stored, TODAY)
    assert reach.outside == 15 and reach.evaluated == 27
    assert reach.overall.values == (10, 12, None)  # the 5 French refusals are fewer than 10: withheld
    assert [r.key for r in reach.by_country] == ["FR"]


def test_reach_agrees_with_match_for_every_bundled_programme(stored, with_catalogue, monkeypatch):
    """With no cell withheld, the preview's counts are what `match` says of each stored profile."""
    monkeypatch.setattr(analytics, "MIN_CELL", 0)
    profiles = [build_profile(ProfileRequest.model_validate(r), load_bank()) for r, _ in firm_requests()]
    for programme in with_catalogue:
        reached = [p for p in profiles if reach_of(programme.territory, Facts.of(p, TODAY)) is not None]
        expected = Counter(match_one(programme, profile).eligibility for profile in reached)
        reach = reach_preview(programme, stored, TODAY)
        assert reach.overall.values == tuple(expected[o] for o in analytics.OUTCOMES), programme.id


def test_a_total_under_ten_firms_is_withheld():
    few = [document(request=make_request({"sector": "C"})) for _ in range(MIN_CELL)]
    reach = reach_preview(REACH_TEST, few[1:], TODAY)
    assert reach.overall.suppressed and reach.overall.values == (None, None, None) and reach.evaluated is None
    assert reach_preview(REACH_TEST, few, TODAY).overall.values == (10, None, None)


# ---------------------------------------------------------------------------------------------------------------
# Insights


def test_assessments_are_counted_per_iso_week_with_empty_weeks_kept(stored, with_catalogue):
    found = insights(stored, with_catalogue)
    assert found.period == "week" and found.total == 42
    weeks = [(row.key, row.label, row.value) for row in found.over_time]
    assert weeks == [
        ("2026-03-02", "2026-W10", 10),
        ("2026-03-09", "2026-W11", None),  # no assessment: withheld like any count under 10
        ("2026-03-16", "2026-W12", 23),
        ("2026-03-23", "2026-W13", None),  # 9
    ]


def test_assessments_spread_over_more_than_26_weeks_are_counted_per_month():
    result = {"readiness": {"overall": 50, "dimensions": dict.fromkeys(DIMENSIONS, 50)}, "matches": []}
    days = [dt.datetime(2025, 11, 3)] * 12 + [dt.datetime(2026, 1, 31)] * 3 + [dt.datetime(2026, 6, 1)] * 10
    found = insights([document(request=make_request(), result=result, created_at=d) for d in days], [])
    assert found.period == "month"
    months = [(row.label, row.value) for row in found.over_time]
    assert months == [("2025-11", 12), ("2025-12", None), ("2026-01", None), ("2026-02", None), ("2026-03", None), ("2026-04", None),
                      ("2026-05", None), ("2026-06", 10)]  # fmt: skip


def test_readiness_means_by_country_size_and_sector(stored, with_catalogue):
    found = insights(stored, with_catalogue)
    # France: 10 at 50, 10 at 25, 5 at 75, 2 at 0 -> 1125 / 27; every dimension scores like the overall.
    assert found.readiness_by_country.row("FR").values == (41.7,) * 8
    assert found.readiness_by_country.row("DE").values == (62.5,) * 8  # 6 at 25, 6 at 100
    assert found.readiness_by_country.row("IT").suppressed
    assert found.readiness_by_size.value("micro", "overall") == 40.6  # (10 x 50 + 6 x 25) / 16
    assert found.readiness_by_size.value("small", "overall") == 19.2  # (10 x 25 + 3 x 0) / 13
    assert found.readiness_by_size.row("medium").suppressed
    assert [r.key for r in found.readiness_by_sector] == ["C", "J", "unknown"]
    assert found.readiness_by_sector.value("C", "overall") == 54.2  # (500 + 375 + 750 + 0) / 30
    assert found.readiness_by_sector.value("unknown", "overall") == 25.0
    assert found.readiness_by_sector.row("J").suppressed  # 2 firms
    assert found.readiness_by_country.total.values[0] == round((1125 + 750) / 42, 1)


def stored_outcomes(assessments):
    """Per firm, what it was shown: the categories with an eligible programme, and its eligible top-5 places."""
    for a in assessments:
        matches = a.result["matches"]
        categories = {m["category"] for m in matches if m["eligibility"] == "eligible"}
        top = sum(1 for m in matches if m["eligibility"] == "eligible" and m["rank"] <= 5)
        yield a.request["enterprise"], categories, top


def test_coverage_gaps_are_the_share_of_firms_shown_no_eligible_programme_of_a_category(stored, with_catalogue):
    found = insights(stored, with_catalogue)
    outcomes = list(stored_outcomes(stored))
    for country in ("FR", "DE"):
        firms = [cats for e, cats, _ in outcomes if e["country"] == country]
        expected = tuple(round(sum(c not in cats for cats in firms) / len(firms), 4) for c in CATEGORIES)
        assert found.coverage_by_country.row(country).values == expected
    assert found.coverage_by_country.row("IT").suppressed
    micro = [cats for e, cats, _ in outcomes if size_class(e.get("employees")) == "micro"]
    assert found.coverage_by_size.value("micro", "funding") == round(sum("funding" not in c for c in micro) / 16, 4)
    assert found.coverage_by_size.row("unknown").suppressed
    assert found.coverage_by_size.columns == CATEGORIES


def test_fairness_rates_side_by_side_by_size_and_country(stored, with_catalogue):
    found = insights(stored, with_catalogue)
    outcomes = list(stored_outcomes(stored))
    french = [(cats, top) for e, cats, top in outcomes if e["country"] == "FR"]
    assert found.fairness_by_country.row("FR").values == (
        round(sum(bool(c) for c, _ in french) / 27, 4),
        round(sum(top for _, top in french) / (5 * 27), 4),
    )
    assert found.fairness_by_size.columns == ("eligibility_rate", "top5_eligible_share")
    assert [r.key for r in found.fairness_by_size] == ["micro", "small", "medium", "larger", "unknown"]
    assert [r.suppressed for r in found.fairness_by_size] == [False, False, True, True, True]
    assert all(0 <= v <= 1 for r in found.fairness_by_country for v in r.values if v is not None)


def test_most_matched_programmes_count_what_firms_were_shown(stored, with_catalogue):
    found = insights(stored, with_catalogue)
    matched, top = Counter(), Counter()
    for a in stored:
        for m in a.result["matches"]:
            matched[m["programme_id"]] += 1
            top[m["programme_id"]] += m["rank"] <= 5
    rows = list(found.most_matched)
    assert len(rows) == 10
    assert [r.firms for r in rows] == sorted((r.firms for r in rows), reverse=True)
    first = rows[0]
    assert first.firms == max(matched.values()) == first.values[0]
    assert first.values[1] == (top[first.key] if top[first.key] >= MIN_CELL else None)
    assert first.label == next(p.name for p in with_catalogue if p.id == first.key)


def exact_population():
    """Twenty French firms with hand-made results: 12 micro, 8 small; a country of one; known matches."""

    def shown(*matches):
        result = {"readiness": {"overall": 40, "dimensions": dict.fromkeys(DIMENSIONS, 40)}, "matches": []}
        for rank, (pid, category, eligibility) in enumerate(matches, start=1):
            result["matches"].append({"programme_id": pid, "name": pid, "category": category, "eligibility": eligibility, "rank": rank})
        return result

    when = dt.datetime(2026, 3, 4)
    firms = []
    for i in range(12):  # micro: 4 have an eligible skills programme at rank 1; all have a needs_info funding one
        matches = [("skills-a", "skills", "eligible")] if i < 4 else []
        matches += [("fund-a", "funding", "needs_info")]
        firms.append(document(request=make_request({"employees": 3}), result=shown(*matches), created_at=when))
    for _ in range(8):  # small: one eligible skills programme at rank 6, after five needs_info ones
        matches = [(f"fund-{k}", "funding", "needs_info") for k in "bcdef"] + [("skills-a", "skills", "eligible")]
        firms.append(document(request=make_request({"employees": 20}), result=shown(*matches), created_at=when))
    firms.append(document(request=make_request({"country": "MT"}), result=shown(), created_at=when))
    return firms


def test_coverage_and_fairness_on_hand_made_results():
    found = insights(exact_population(), [make_programme(id="skills-a", name="Skills A")])
    micro = found.coverage_by_size.row("micro")
    assert dict(zip(CATEGORIES, micro.values, strict=True)) == {
        "skills": round(8 / 12, 4), "compute": 1.0, "funding": 1.0, "procurement": 1.0, "advisory": 1.0, "data_regulation": 1.0,
    }  # fmt: skip
    assert found.coverage_by_size.row("small").suppressed  # 8 firms
    assert found.coverage_by_country.value("FR", "skills") == round(8 / 20, 4)  # 12 of 20 have one
    assert found.coverage_by_country.row("MT").suppressed
    assert found.fairness_by_size.row("micro").values == (round(4 / 12, 4), round(4 / 60, 4))
    # France: 12 of 20 have an eligible programme, but only the 4 micro firms have one in their top 5.
    assert found.fairness_by_country.row("FR").values == (round(12 / 20, 4), round(4 / 100, 4))
    most = {row.key: (row.label, row.values) for row in found.most_matched}
    assert most["fund-a"] == ("fund-a", (12, 12))
    assert most["skills-a"] == ("Skills A", (12, None))  # its current name; 4 firms had it in their top 5
    assert most["fund-b"] == ("fund-b", (None, None))  # 8 firms
    assert found.total == 21


def test_insights_of_nothing_withholds_everything():
    found = insights([], [])
    assert found.total is None and len(found.over_time) == 0 and len(found.most_matched) == 0
    assert found.readiness_by_country.total.suppressed and [r.firms for r in found.readiness_by_size] == [None] * 5


def test_insights_over_10000_assessments_count_every_one(stored, with_catalogue):
    # How long this takes is measured by bench/insights.py, never asserted here.
    many = [document(request=a.request, result=a.result, created_at=a.created_at) for a in stored] * 240
    found = insights(many, with_catalogue)
    assert found.total == 42 * 240
    assert found.total == insights(list(stored) * 240, with_catalogue).total


# ---------------------------------------------------------------------------------------------------------------
# Chart macros

TEMPLATE = (
    '{% from "admin/_charts.html" import bar_chart, time_chart, data_table %}<root>'
    "{{ bar_chart(bars, title, description, caption, fewer, id_prefix='reach', headings=headings) }}"
    "{{ time_chart(weeks, title, description, caption, fewer, id_prefix='weeks') }}"
    "{{ data_table(readiness, caption, columns, fewer, labels=labels, headings=headings, total_label=total) }}"
    "</root>"
)


def render(reach, found, **strings):
    values = {
        "title": "Whom the programme reaches",
        "description": "Eligible firms by country.",
        "caption": "Eligible firms by country",
        "fewer": "FEWER-THAN-TEN",
        "headings": ("Country", "Firms"),
        "columns": {c: c.title() for c in analytics.READINESS_COLUMNS},
        "labels": {"FR": "France"},
        "total": "All firms",
    }
    values |= strings
    with flask.current_app.test_request_context():  # labels and numbers are formatted in the reader's language
        return flask.render_template_string(
            TEMPLATE,
            bars=bar_chart(reach.by_country, "eligible", labels=values["labels"]),
            weeks=time_chart(found.over_time),
            readiness=found.readiness_by_country,
            **values,
        )


def test_the_macros_render_accessible_svg_each_followed_by_a_table_with_the_same_numbers(stored, with_catalogue):
    reach, found = reach_preview(REACH_TEST, stored, TODAY), insights(stored, with_catalogue)
    root = ET.fromstring(render(reach, found))
    elements = list(root.iter())
    assert not [e.tag for e in elements if "style" in e.attrib] and not [e for e in elements if e.tag.endswith("style")]
    ids = [e.get("id") for e in elements if e.get("id")]
    assert len(ids) == len(set(ids)) == 4

    bars, weeks = root.findall("figure")
    for figure, prefix in ((bars, "reach"), (weeks, "weeks")):
        svg = figure.find(f".//{SVG}svg")
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby").split() == [f"{prefix}-title", f"{prefix}-desc"]
        assert svg.find(f"{SVG}title").get("id") == f"{prefix}-title" and svg.find(f"{SVG}desc").get("id") == f"{prefix}-desc"
        assert "govuk-table" in figure.find("table").get("class")

    # DE: 0 eligible, FR: 10, IT: withheld. One bar drawn; the table says the same.
    assert [r.get("data-key") for r in bars.findall(f".//{SVG}rect")] == ["FR"]
    cells = [(tr.find("th").text, tr.find("td").text) for tr in bars.findall("table/tbody/tr")]
    assert cells == [("DE", "FEWER-THAN-TEN"), ("France", "10"), ("IT", "FEWER-THAN-TEN")]
    assert [th.text for th in bars.findall("table/thead/tr/th")] == ["Country", "Firms"]
    notes = bars.findall(f".//{SVG}text[@class='tremplin-chart__suppressed']")
    assert [n.text for n in notes] == ["FEWER-THAN-TEN"] * 2

    assert [(tr.find("th").text, tr.find("td").text) for tr in weeks.findall("table/tbody/tr")] == [
        ("2026-W10", "10"), ("2026-W11", "FEWER-THAN-TEN"), ("2026-W12", "23"), ("2026-W13", "FEWER-THAN-TEN"),
    ]  # fmt: skip
    assert len(weeks.findall(f".//{SVG}rect")) == 2 and len(weeks.findall(f".//{SVG}g[@class='tremplin-chart__suppressed']/{SVG}line")) == 2

    table = root.find("table")
    assert [th.text for th in table.findall("thead/tr/th")] == ["Country", "Firms", "Overall", *(d.title() for d in DIMENSIONS)]
    rows = [[c.text for c in tr] for tr in table.findall("tbody/tr")]
    assert rows[0] == ["DE", "12", *["62.5"] * 8]
    assert rows[1][:3] == ["France", "27", "41.7"]
    assert rows[2] == ["IT", *["FEWER-THAN-TEN"] * 9]
    assert rows[-1][:3] == ["All firms", "42", str(round((1125 + 750) / 42, 1))]


def test_the_macros_write_no_words_of_their_own(stored, with_catalogue):
    reach, found = reach_preview(REACH_TEST, stored, TODAY), insights(stored, with_catalogue)
    blank = {"title": "", "description": "", "caption": "", "fewer": "", "headings": ("", ""), "total": ""}
    labels = {"DE": "", "FR": "", "IT": ""}
    html = render(reach, found, columns=dict.fromkeys(analytics.READINESS_COLUMNS, ""), labels=labels, **blank)
    words = " ".join(t.strip() for t in ET.fromstring(html).itertext() if t.strip())
    # Left: numbers, the ISO week labels and the countries' codes in the readiness table (its own row labels).
    assert not re.sub(r"\b(\d{4}-W\d{2}|DE|FR|IT)\b", "", words).strip(" 0123456789.,%"), words


def test_bar_geometry_scales_shares_to_the_full_width_and_keeps_long_labels_inside():
    rows = (
        analytics.Row("a", "A programme with a very long name that would never fit on one line of the chart", 20, (1.0,), False),
        analytics.Row("b", "B", 20, (0.5,), False),
        analytics.Row("c", "C", None, (None,), True),
    )
    chart = bar_chart(Table(("rate",), SHARE, rows))
    a, b, c = chart.bars
    assert a.length == chart.plot_width and b.length == round(chart.plot_width / 2, 1) and c.length == 0
    assert a.label.endswith("…") and a.full_label.startswith("A programme") and len(a.label) < len(a.full_label)
    assert text_width(a.label, chart.font_size) <= chart.width - 2 * chart.left
    assert [t.value for t in chart.ticks] == [0, 0.25, 0.5, 0.75, 1.0]
    assert max(bar.value_x for bar in chart.bars) < chart.width
    assert a.y < b.y < c.y and chart.height > c.y + chart.bar_height


def test_count_axes_end_on_a_round_number():
    def ticks(*values):
        rows = tuple(analytics.Row(str(i), str(i), v, (v,), False) for i, v in enumerate(values))
        return [t.value for t in time_chart(Table(("n",), COUNT, rows)).ticks]

    assert ticks(27) == [0, 10, 20, 30]
    assert ticks(12, 11) == [0, 5, 10, 15]
    assert ticks(1234) == [0, 500, 1000, 1500]
    assert ticks() == [0, 2, 4, 6, 8, 10]


def test_a_lone_withheld_cell_in_a_column_takes_the_smallest_other_one_with_it():
    from webapp.admin.analytics import Row, protect_column_totals

    rows = [
        Row("FR", "FR", 40, (30, None), False),
        Row("DE", "DE", 25, (12, 13), False),
        Row("IT", "IT", None, (None, None), True),
    ]
    protected = protect_column_totals(rows)
    # Column 1 had one withheld cell (IT): DE's 12, the smallest shown, is withheld too; column 2 already had two.
    assert [r.values for r in protected] == [(30, None), (None, 13), (None, None)]
    assert protect_column_totals(protected) == protected


def test_regional_coverage_names_each_region_and_its_gaps(bundled):
    table = analytics.regional_catalogue(bundled, ["FR-75C", "DE-HH"])
    bavaria = table.row("DE-BY")
    assert bavaria.label == "Bayern (DE-BY)"
    assert dict(zip(table.columns, bavaria.values, strict=True)) == {
        c: sum(1 for p in bundled if p.category == c and "DE-BY" in p.territory.regions) for c in CATEGORIES
    }
    assert sum(bavaria.values) == 2  # the Digitalbonus and KI-Transfer Plus
    # Regions firms gave: Paris counts the Île-de-France programmes; Hamburg has none of any kind (a row of zeros).
    assert table.row("FR-75C").values == table.row("FR-IDF").values and sum(table.row("FR-75C").values) >= 1
    assert table.row("DE-HH").values == (0,) * len(CATEGORIES)
    # Greater London's 33 codes make one row.
    london = [r for r in table if r.key.startswith("GB-") and r.key not in ("GB-SCT", "GB-WLS", "GB-NIR", "GB-ENG")]
    assert len(london) == 1 and "32 more areas" in str(london[0].label)


def test_insights_show_gaps_by_region(stored, with_catalogue):
    found = insights(stored, with_catalogue)
    assert [r.key for r in found.coverage_by_region] == ["unknown"]  # the 42 firms gave no region
    assert found.coverage_by_region.row("unknown").firms == 42
    assert len(found.regional_catalogue) >= 27
