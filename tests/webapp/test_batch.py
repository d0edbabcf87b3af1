"""flask match-batch: CSV and JSON Lines in and out, bad rows, agreement with the API's evaluate, nothing stored."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from models.matching import match
from models.profile import build_profile
from models.ranking import prior
from models.readiness import load_bank
from programmes.vocabulary import REACHES
from tests.factories import make_request
from webapp.assessments import evaluate, validate_profile
from webapp.batch import INPUT_COLUMNS, JSONL_TOP, Matcher, csv_request, safe_cell
from webapp.catalogue import compiled_catalogue
from webapp.db import Assessment, db

LEVELS = {"strategy": "1", "skills": "0", "data": "2", "cloud": "3", "compute": "0", "funding": "1", "governance": "0"}
GOOD = {
    "id": "a-1", "country": "FR", "region": "FR-IDF", "sector": "C", "employees": "42", "turnover": "4500000", "turnover_currency": "EUR",
    "founded_year": "2016", "growth_pct": "25", "independent": "true", **LEVELS,
    "goals": "upskill_staff;find_expert_advice", "cofunding_capacity_pct": "30",
}  # fmt: skip


def run(app, *args):
    return app.test_cli_runner().invoke(args=["match-batch", *map(str, args)], catch_exceptions=False)


def write_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=INPUT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def assessment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Assessment))


def test_csv_in_csv_out_in_order_with_bad_rows_reported(app_context, with_catalogue, tmp_path):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    rows = [
        GOOD,
        {**GOOD, "id": "bad-country", "country": "XX", "region": ""},
        {**GOOD, "id": "bad-level", "data": "9"},
        {**GOOD, "id": "de", "country": "DE", "region": "", "employees": "7", "independent": ""},
        {**GOOD, "id": "no-levels", **dict.fromkeys(LEVELS, "")},
        {**GOOD, "id": "=HYPERLINK(1)"},
    ]
    write_csv(source, rows)
    result = run(app_context, source, "-o", target)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().startswith("6 rows: 3 matched, 3 errors in ")
    out = read_csv(target)
    assert [r["row"] for r in out] == ["1", "2", "3", "4", "5", "6"]
    assert [r["id"] for r in out] == ["a-1", "bad-country", "bad-level", "de", "no-levels", "'=HYPERLINK(1)"]
    assert out[0]["error"] == "" and out[0]["top1_id"] and out[0]["overall"]
    assert out[1]["error"].startswith("enterprise.country: Enter the country as a two-letter ISO")
    assert out[1]["overall"] == "" and out[1]["top1_id"] == ""
    assert out[2]["error"].startswith("levels: Each level is a whole number")
    assert out[3]["error"] == "" and out[3]["top1_id"]
    assert out[4]["error"].startswith("body: Give exactly one of levels")
    assert out[0]["catalogue_version"] == out[3]["catalogue_version"] != ""
    assert assessment_count() == 0


def test_csv_row_agrees_with_the_api_evaluate(app_context, with_catalogue, tmp_path):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(source, [GOOD])
    assert run(app_context, source, "-o", target).exit_code == 0
    row = read_csv(target)[0]
    document = evaluate(validate_profile(csv_request(GOOD)))
    assert int(row["overall"]) == document["readiness"]["overall"]
    assert int(row["stage"]) == document["readiness"]["stage"]["level"]
    assert row["weakest"] == ";".join(document["readiness"]["weakest"])
    # The five best, shown in reach groups (home, expansion, anywhere) and by rank within each, as on the results page.
    top = sorted(document["matches"][:5], key=lambda m: (REACHES.index(m["reach"]), m["rank"]))
    assert [row[f"top{i}_id"] for i in range(1, len(top) + 1)] == [m["programme_id"] for m in top]
    assert [float(row[f"top{i}_score"]) for i in range(1, len(top) + 1)] == [m["score"] for m in top]
    assert [row[f"top{i}_reach"] for i in range(1, len(top) + 1)] == [m["reach"] for m in top]
    # Testing explains every match, so the document's lists hold all of them.
    assert int(row["eligible_count"]) == sum(m["eligibility"] == "eligible" for m in document["matches"])
    assert int(row["needs_info_count"]) == sum(m["eligibility"] == "needs_info" for m in document["matches"])
    assert row["catalogue_version"] == document["catalogue_version"] and row["model_version"] == document["model_version"]


def test_jsonl_in_jsonl_out_with_a_broken_line(app_context, with_catalogue, tmp_path):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    good = make_request({"country": "DE"})
    lines = [
        json.dumps({"id": 7, **good}),
        '{"enterprise": {"country": "FR"',
        json.dumps(make_request({"country": "XX"})),
        "",
        json.dumps(good),
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(app_context, source, "-o", target)
    assert result.exit_code == 0
    assert "4 rows: 2 matched, 2 errors" in result.stderr
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["row"] for r in out] == [1, 2, 3, 5]
    assert out[0]["id"] == 7 and out[0]["error"] is None
    assert list(out[1]["error"]) == ["body"] and "not valid JSON" in out[1]["error"]["body"]
    assert "enterprise.country" in out[2]["error"] and out[2]["matches"] == []
    document = evaluate(validate_profile(good))
    assert out[3]["readiness"]["overall"] == document["readiness"]["overall"]
    best = sorted(document["matches"][:20], key=lambda m: (REACHES.index(m["reach"]), m["rank"]))
    assert out[3]["matches"] == [
        {"programme_id": m["programme_id"], "reach": m["reach"], "eligibility": m["eligibility"], "score": m["score"], "rank": m["rank"]}
        for m in best
    ]
    assert out[3]["catalogue_version"] == document["catalogue_version"]
    assert assessment_count() == 0


def test_a_hostile_jsonl_line_is_that_rows_error_and_the_run_goes_on(app_context, with_catalogue, tmp_path):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    good = json.dumps(make_request({"country": "DE"}))
    source.write_text("\n".join(["[" * 10_000 + "]" * 10_000, '{"a": 1, "a": 2}', '{"x": NaN}', good]) + "\n", encoding="utf-8")
    result = run(app_context, source, "-o", target)
    assert result.exit_code == 0 and "4 rows: 1 matched, 3 errors" in result.stderr
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert "nested more than 32 levels" in out[0]["error"]["body"]
    assert "repeats the key 'a'" in out[1]["error"]["body"]
    assert "finite number" in out[2]["error"]["body"]
    assert out[3]["error"] is None


def test_output_kind_follows_its_extension(app_context, with_catalogue, tmp_path):
    source, target = tmp_path / "in.csv", tmp_path / "out.ndjson"
    write_csv(source, [GOOD])
    assert run(app_context, source, "-o", target).exit_code == 0
    (line,) = target.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["id"] == "a-1"
    # No -o: standard output, in the input's format.
    result = run(app_context, source)
    assert result.stdout.splitlines()[0].startswith("row,id,error,overall")


def test_unreadable_input_exits_1_with_a_clear_message(app_context, with_catalogue, tmp_path):
    odd = tmp_path / "profiles.xlsx"
    odd.write_text("x", encoding="utf-8")
    result = run(app_context, odd, "-o", tmp_path / "out.csv")
    assert result.exit_code == 1
    assert "unknown format '.xlsx'; use .csv, .jsonl or .ndjson" in result.stderr
    result = run(app_context, tmp_path / "missing.csv")
    assert result.exit_code == 1 and "missing.csv: no such file" in result.stderr
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("FR", "FR"),
        ("", ""),
        (None, ""),
        (3, "3"),
        ("a=1", "a=1"),
    ],
)
def test_safe_cell_neutralises_formulas(value, expected):
    assert safe_cell(value) == expected


def test_csv_cells_convert_to_the_api_request():
    request = csv_request({**GOOD, "balance_sheet": "12", "balance_sheet_currency": "usd", "employees": "ten", "independent": "False"})
    enterprise = request["enterprise"]
    assert enterprise["annual_turnover"] == {"amount": 4_500_000.0, "currency": "EUR"}
    assert enterprise["balance_sheet_total"] == {"amount": 12.0, "currency": "USD"}
    assert enterprise["employees"] == "ten"  # left as text so validation reports the field as the API does
    assert enterprise["independent"] is False
    assert request["levels"]["data"] == 2 and request["goals"] == ["upskill_staff", "find_expert_advice"]
    assert "region" not in csv_request({**GOOD, "region": " "})["enterprise"]


@pytest.mark.parametrize(
    "enterprise",
    [
        {"country": "FR"},
        {"country": "DE", "employees": 3},
        {"country": "IT", "employees": 900, "independent": False},
        {"country": "JP"},
        {"country": "FR", "employees": 40, "expansion_countries": ["DE", "IT"]},
    ],
)
def test_the_batch_ranking_is_match_without_explanations(app_context, with_catalogue, enterprise):
    day = dt.date(2026, 11, 25)
    catalogue = compiled_catalogue(day)
    profile = build_profile(validate_profile(make_request(enterprise, goals=["upskill_staff", "access_compute"])), load_bank())
    result = match(profile, catalogue, prior(), "v", day, explain_limit=None)
    top, eligible, needs_info = Matcher(catalogue, day, JSONL_TOP).ranking(profile)
    best = sorted(result.matches[:JSONL_TOP], key=lambda m: (REACHES.index(m.reach), m.rank))
    expected = [(m.programme.id, m.eligibility, m.score, m.rank, m.reach) for m in best]
    assert [(r.programme_id, r.eligibility, r.score, r.rank, r.reach) for r in top] == expected
    assert eligible == sum(m.eligibility == "eligible" for m in result.matches)
    assert eligible + needs_info == result.match_count
