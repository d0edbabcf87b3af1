"""Match many profiles from a file: `flask --app webapp match-batch IN -o OUT` (docs/batch.md).

Streams: one row is read, validated exactly as the API validates it (webapp.assessments.validate_profile),
matched against the published catalogue (compiled once) and written before the next row is read, so memory stays
constant whatever the file's size. Nothing is written to the database. A bad row gets a result carrying its error
and the run goes on.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import click
import numpy as np
from sqlalchemy.exc import SQLAlchemyError

from models.document import readiness_document
from models.matching import SCORE_DECIMALS, CompiledCatalogue, evaluate
from models.profile import Profile, build_profile
from models.ranking import prior
from models.reach import NOT_REACHED, REACH_WORDS
from models.readiness import Readiness, load_bank
from programmes.vocabulary import DIMENSIONS, REACHES
from webapp.assessments import InvalidProfileError, model_version, validate_profile
from webapp.catalogue import compiled_catalogue
from webapp.db import db
from webapp.json_body import MalformedBodyError, read_json_text

KINDS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
CSV_TOP = 5  # programmes (id and score) on a CSV result row
JSONL_TOP = 20  # matches on a JSON Lines result
# The flat CSV input columns (docs/batch.md); the seven level columns are the readiness dimensions.
INPUT_COLUMNS = (
    "id", "country", "region", "sector", "employees", "turnover", "turnover_currency", "balance_sheet", "balance_sheet_currency",
    "founded_year", "growth_pct", "independent", *DIMENSIONS, "goals", "cofunding_capacity_pct", "expansion_countries",
)  # fmt: skip
OUTPUT_COLUMNS = (
    "row", "id", "error", "overall", "stage", "weakest", "eligible_count", "needs_info_count",
    *(f"top{i}_{part}" for i in range(1, CSV_TOP + 1) for part in ("id", "score", "reach")),
    "catalogue_version", "model_version",
)  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class BatchInputError(ValueError):
    """The input cannot be read at all (missing file, unknown format): the run stops before any row."""


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula: text starting with = + - @ tab or CR gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def kind_of(path: Path, default: str | None = None) -> str:
    """'csv' or 'jsonl' from the file's extension; `default` (if given) for '-' or a name without extension."""
    suffix = path.suffix.lower()
    if suffix in KINDS:
        return KINDS[suffix]
    if default is not None and (str(path) == "-" or not suffix):
        return default
    raise BatchInputError(f"{path}: unknown format {suffix or '(no extension)'!r}; use .csv, .jsonl or .ndjson")


# --- reading -------------------------------------------------------------------------------------------------------


def _number(text: str, kind: type) -> Any:
    """int or float from a cell; the text itself when it is not one, so validation reports the field as the API would."""
    try:
        return kind(text)
    except ValueError:
        if kind is int:
            try:
                as_float = float(text)
            except ValueError:
                return text
            return int(as_float) if as_float.is_integer() else text
        return text


def _boolean(text: str) -> Any:
    return {"true": True, "false": False}.get(text.lower(), text)


def csv_request(row: dict[str, str | None]) -> dict[str, Any]:
    """The API request document for one flat CSV row; an empty (or missing) cell is a field not given."""
    cell = {key.strip(): (value or "").strip() for key, value in row.items() if key is not None}
    enterprise: dict[str, Any] = {}
    for column, field in (("country", "country"), ("region", "region"), ("sector", "sector")):
        if cell.get(column):
            enterprise[field] = cell[column]
    numbers = (("employees", "employees", int), ("founded_year", "founded_year", int), ("growth_pct", "annual_growth_pct", float))
    for column, field, kind in numbers:
        if cell.get(column):
            enterprise[field] = _number(cell[column], kind)
    for column, field in (("turnover", "annual_turnover"), ("balance_sheet", "balance_sheet_total")):
        amount, currency = cell.get(column), cell.get(f"{column}_currency")
        if amount or currency:
            money: dict[str, Any] = {}
            if amount:
                money["amount"] = _number(amount, float)
            if currency:
                money["currency"] = currency.upper()
            enterprise[field] = money
    if cell.get("independent"):
        enterprise["independent"] = _boolean(cell["independent"])
    if cell.get("expansion_countries"):
        enterprise["expansion_countries"] = [code.strip() for code in cell["expansion_countries"].split(";") if code.strip()]
    request: dict[str, Any] = {"enterprise": enterprise}
    levels = {d: _number(cell[d], int) for d in DIMENSIONS if cell.get(d)}
    if levels:
        request["levels"] = levels
    if cell.get("goals"):
        request["goals"] = [goal.strip() for goal in cell["goals"].split(";") if goal.strip()]
    if cell.get("cofunding_capacity_pct"):
        request["cofunding_capacity_pct"] = _number(cell["cofunding_capacity_pct"], float)
    return request


Item = tuple[int, Any, "dict[str, Any] | None", "dict[str, str] | None"]  # row, id, request, error fields


def _csv_items(handle: IO[str]) -> Iterator[Item]:
    reader = csv.DictReader(handle)
    unknown = [name for name in reader.fieldnames or () if name and name.strip() not in INPUT_COLUMNS]
    if unknown:
        click.echo(f"warning: ignoring unknown column(s): {', '.join(unknown)}", err=True)
    for number, row in enumerate(reader, start=1):
        identifier = (row.get("id") or "").strip() or None
        if None in row:  # more cells than header columns
            yield number, identifier, None, {"row": f"{len(row[None])} more cell(s) than the header has columns"}
            continue
        yield number, identifier, csv_request(row), None


def _jsonl_items(handle: IO[str]) -> Iterator[Item]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            # The API's reader: a hostile line (nested 10,000 deep, NaN, a repeated key) is that row's error, not the
            # end of a run of thousands.
            data = read_json_text(line)
        except MalformedBodyError as error:
            yield number, None, None, {"body": str(error)}
            continue
        identifier = data.pop("id", None) if isinstance(data, dict) else None
        yield number, identifier, data, None


def _count(path: Path, kind: str) -> int:
    """Rows in the file, for the progress bar (one extra streaming pass; only when the bar is shown)."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        if kind == "csv":
            return sum(1 for _ in csv.DictReader(handle))
        return sum(1 for line in handle if line.strip())


# --- matching ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    """One programme of a firm's ranking: what a batch result shows of a match."""

    programme_id: str
    eligibility: str  # eligible or needs_info
    score: float
    rank: int
    reach: str  # home, expansion or anywhere


@dataclass(frozen=True)
class Outcome:
    readiness: Readiness | None  # None when the row is in error
    error: dict[str, str] | None
    top: tuple[Ranked, ...] = ()
    eligible_count: int = 0
    needs_info_count: int = 0


class Matcher:
    """The catalogue, ranker, question bank and versions, prepared once for the whole batch.

    `ranking` uses models.matching.evaluate and ranks like `match`, without writing explanations (criteria and
    factors): a batch result does not show them, and they cost most of match's time. Rankings, scores and
    eligibility are the same (tests/webapp/test_batch.py compares the two); it also counts the eligible and
    needs_info programmes over the whole catalogue.
    """

    def __init__(self, catalogue: CompiledCatalogue, day: dt.date, limit: int) -> None:
        self.catalogue, self.day, self.limit = catalogue, day, limit
        self.bank, self.ranker, self.model_version = load_bank(), prior(), model_version()

    def ranking(self, profile: Profile) -> tuple[tuple[Ranked, ...], int, int]:
        """The top `limit` programmes in their reach groups (the firm's own territory, then countries it expands
        to, then anywhere; by rank within each), and how many of the programmes that reach it are eligible and
        needs_info in all."""
        found = evaluate(profile, self.catalogue, self.ranker, self.day)
        ordered = found.top(self.catalogue, self.limit).tolist()
        eligible = found.eligible
        rounded = np.round(found.scores[ordered], SCORE_DECIMALS).tolist()
        top = [
            Ranked(
                self.catalogue.programmes[i].id, "eligible" if eligible[i] else "needs_info", score, rank, REACH_WORDS[int(found.reach[i])]
            )
            for rank, (i, score) in enumerate(zip(ordered, rounded, strict=True), start=1)
        ]
        top.sort(key=lambda r: (REACHES.index(r.reach), r.rank))
        reached = found.reach != NOT_REACHED
        return tuple(top), int(np.count_nonzero(eligible & reached)), int(np.count_nonzero(found.needs_info & reached))

    def outcome(self, data: Any) -> Outcome:
        try:
            request = validate_profile(data)
        except InvalidProfileError as problem:
            return Outcome(None, problem.fields)
        try:
            profile = build_profile(request, self.bank)
            return Outcome(profile.readiness, None, *self.ranking(profile))
        except Exception as error:  # one unexpected row must not end a run of thousands; it is reported as an error
            return Outcome(None, {"body": f"Could not be matched ({type(error).__name__}: {error})"})


# --- writing -------------------------------------------------------------------------------------------------------


def error_text(fields: dict[str, str]) -> str:
    return "; ".join(f"{field}: {message}" for field, message in fields.items())


class CsvResults:
    def __init__(self, handle: IO[str], catalogue_version: str, model_version: str) -> None:
        self.writer = csv.writer(handle, lineterminator="\n")
        self.writer.writerow(OUTPUT_COLUMNS)
        self.versions = [catalogue_version, model_version]

    def write(self, row: int, identifier: Any, outcome: Outcome) -> None:
        readiness = outcome.readiness
        if readiness is None:
            cells: list[Any] = [row, identifier, error_text(outcome.error or {}), *[""] * (len(OUTPUT_COLUMNS) - 5)]
        else:
            top: list[Any] = []
            for m in outcome.top[:CSV_TOP]:
                top += [m.programme_id, m.score, m.reach]
            top += [""] * (3 * CSV_TOP - len(top))
            weakest = ";".join(readiness.weakest)
            counts = [outcome.eligible_count, outcome.needs_info_count]
            cells = [row, identifier, "", readiness.overall, readiness.stage.level, weakest, *counts, *top]
        self.writer.writerow([safe_cell(c) for c in [*cells, *self.versions]])


class JsonlResults:
    def __init__(self, handle: IO[str], catalogue_version: str, model_version: str) -> None:
        self.handle = handle
        self.versions = {"catalogue_version": catalogue_version, "model_version": model_version}

    def write(self, row: int, identifier: Any, outcome: Outcome) -> None:
        document: dict[str, Any] = {"row": row, "id": identifier, "error": outcome.error}
        if outcome.readiness is not None:
            document["readiness"] = readiness_document(outcome.readiness)
            document["eligible_count"] = outcome.eligible_count
            document["needs_info_count"] = outcome.needs_info_count
            document["matches"] = [
                {"programme_id": m.programme_id, "reach": m.reach, "eligibility": m.eligibility, "score": m.score, "rank": m.rank}
                for m in outcome.top[:JSONL_TOP]
            ]
        else:
            document["readiness"], document["matches"] = None, []
        document.update(self.versions)
        self.handle.write(json.dumps(document, ensure_ascii=False) + "\n")


# --- the run -------------------------------------------------------------------------------------------------------


@dataclass
class Summary:
    rows: int = 0
    matched: int = 0
    errors: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        return f"{self.rows} rows: {self.matched} matched, {self.errors} errors in {self.seconds:.1f} s ({rate:.0f} rows/s)"


def run_batch(source: Path, target: Path | None = None, day: dt.date | None = None, progress: bool = False) -> Summary:
    """Match every row of `source` and write the results to `target` (None or '-': standard output).

    Needs an application context; reads the published catalogue once and writes nothing to the database.
    Raises BatchInputError when the input cannot be read at all.
    """
    in_kind = kind_of(source)
    out_kind = kind_of(target, default=in_kind) if target is not None else in_kind
    if not source.is_file():
        raise BatchInputError(f"{source}: no such file")
    day = day or dt.date.today()
    catalogue = compiled_catalogue(day)
    matcher = Matcher(catalogue, day, CSV_TOP if out_kind == "csv" else JSONL_TOP)
    summary = Summary()
    start = time.perf_counter()
    with ExitStack() as stack:
        try:
            handle = stack.enter_context(source.open(encoding="utf-8-sig", errors="replace", newline=""))
        except OSError as error:
            raise BatchInputError(f"{source}: cannot be read ({error.strerror})") from error
        if target is None or str(target) == "-":
            out: IO[str] = sys.stdout
        else:
            out = stack.enter_context(target.open("w", encoding="utf-8", newline=""))
        writer = (CsvResults if out_kind == "csv" else JsonlResults)(out, catalogue.version, matcher.model_version)
        items: Iterator[Item] = _csv_items(handle) if in_kind == "csv" else _jsonl_items(handle)
        if progress:
            bar = stack.enter_context(
                click.progressbar(items, length=_count(source, in_kind), label="Matching", file=sys.stderr)  # type: ignore[arg-type]
            )
            items = iter(bar)
        for row, identifier, data, error in items:
            outcome = Outcome(None, error) if error else matcher.outcome(data)
            writer.write(row, identifier, outcome)
            summary.rows += 1
            summary.errors += outcome.readiness is None
            summary.matched += outcome.readiness is not None
        out.flush()
    summary.seconds = time.perf_counter() - start
    return summary


@click.command("match-batch")
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", "target", metavar="OUT", type=click.Path(dir_okay=False, path_type=Path),
    help="Results file, .csv or .jsonl (default: standard output, in the input's format).",
)  # fmt: skip
@click.option("--on", "on_day", type=click.DateTime(formats=["%Y-%m-%d"]), help="Match as on this date (default: today).")
def match_batch_command(source: Path, target: Path | None, on_day: dt.datetime | None) -> None:
    """Match every profile of IN (.csv with the flat columns of docs/batch.md, or .jsonl with one API request per line).

    One result per row, in order; a bad row gets its error and the run goes on. Nothing is stored.
    """
    try:
        summary = run_batch(source, target, on_day.date() if on_day else None, progress=sys.stderr.isatty())
    except BatchInputError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except SQLAlchemyError:
        click.echo("error: the database has no catalogue yet; run `flask --app webapp db upgrade` and `catalogue seed`.", err=True)
        sys.exit(1)
    finally:
        db.session.rollback()  # matching only reads; make sure nothing lingers
    click.echo(summary.line(), err=True)
