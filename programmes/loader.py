"""Read, validate and write catalogue files (YAML, JSON, CSV).

Every problem is reported with its file, line (YAML, JSON) or row (CSV), programme id and field, so a curator can
fix them all in one pass. YAML is read with the safe loader only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from programmes.rates import known_currencies
from programmes.rule_types import SPECS, TERRITORY_RULES
from programmes.schema import Programme

BUNDLED_DIR = Path(__file__).with_name("catalogue")
ALIASES_FILE = Path(__file__).with_name("aliases.yaml")
FORMATS = ("yaml", "json", "csv")
# CSV: one programme a row; lists and nested records are JSON in their cell, so nothing is lost.
CSV_COLUMNS: tuple[str, ...] = tuple(Programme.model_fields)
_JSON_CELLS = frozenset(
    name
    for name, field in Programme.model_fields.items()
    if getattr(field.annotation, "__origin__", None) is list or name in ("benefit", "application", "territory")
)


@dataclass(frozen=True)
class Problem:
    file: str
    location: str  # "line 12", "row 3" or "" for the whole file
    programme_id: str
    field: str
    message: str

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (self.file, self.location, self.programme_id and f"id {self.programme_id}", self.field and f"field {self.field}")
            if part
        )
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Entry:
    """One raw record read from a file, with where it came from."""

    data: Any
    location: str
    key_lines: dict[str, int]


def _field_path(loc: Sequence[int | str]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _yaml_entries(text: str) -> list[Entry]:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    data = yaml.safe_load(text)
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode) or not isinstance(data, list):
        raise ValueError("the file must hold a list of programmes")
    entries = []
    for item_node, item in zip(node.value, data, strict=True):
        keys = {k.value: k.start_mark.line + 1 for k, _ in item_node.value} if isinstance(item_node, yaml.MappingNode) else {}
        entries.append(Entry(item, f"line {item_node.start_mark.line + 1}", keys))
    return entries


def _json_entries(text: str) -> list[Entry]:
    decoder = json.JSONDecoder()
    position = len(text) - len(text.lstrip())
    if not text[position:].startswith("["):
        raise ValueError("the file must hold a JSON list of programmes")
    position += 1
    entries = []
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text):
            raise ValueError("the list is not closed with ]")
        if text[position] == "]":
            return entries
        line = text.count("\n", 0, position) + 1
        item, position = decoder.raw_decode(text, position)
        entries.append(Entry(item, f"line {line}", {}))


def _csv_entries(text: str) -> list[Entry]:
    reader = csv.DictReader(io.StringIO(text))
    unknown = set(reader.fieldnames or ()) - set(CSV_COLUMNS)
    if unknown:
        raise ValueError(f"unknown column(s): {', '.join(sorted(unknown))}")
    entries = []
    for row_number, row in enumerate(reader, start=2):  # row 1 is the header
        record: dict[str, Any] = {}
        for column, cell in row.items():
            if cell is None or cell == "":
                continue
            record[column] = json.loads(cell) if column in _JSON_CELLS else cell
        entries.append(Entry(record, f"row {row_number}", {}))
    return entries


def read_entries(text: str, fmt: str) -> list[Entry]:
    """Raw records of a file; raises ValueError with a readable message when the file itself is malformed."""
    try:
        return {"yaml": _yaml_entries, "json": _json_entries, "csv": _csv_entries}[fmt](text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise ValueError(f"{where}not valid YAML ({getattr(error, 'problem', error)})") from error
    except json.JSONDecodeError as error:
        raise ValueError(f"line {error.lineno}: not valid JSON ({error.msg})") from error


def format_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    fmt = {"yml": "yaml"}.get(suffix, suffix)
    if fmt not in FORMATS:
        raise ValueError(f"{path.name}: unknown format; use .yaml, .json or .csv")
    return fmt


def validate_entries(entries: Iterable[Entry], file: str) -> tuple[list[Programme], list[Problem]]:
    programmes: list[Programme] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for entry in entries:
        raw_id = entry.data.get("id", "") if isinstance(entry.data, dict) else ""
        if not isinstance(entry.data, dict):
            problems.append(Problem(file, entry.location, "", "", "a programme must be a mapping of fields"))
            continue
        try:
            programme = Programme.model_validate(entry.data)
        except ValidationError as error:
            for e in error.errors():
                field = _field_path(e["loc"])
                top = str(e["loc"][0]) if e["loc"] else ""
                location = f"line {entry.key_lines[top]}" if top in entry.key_lines else entry.location
                problems.append(Problem(file, location, str(raw_id), field, e["msg"]))
            continue
        if programme.id in seen:
            problems.append(Problem(file, entry.location, programme.id, "id", f"duplicate id (first at {seen[programme.id]})"))
            continue
        seen[programme.id] = entry.location
        problems.extend(
            Problem(file, entry.location, programme.id, field, message) for field, message in catalogue_rule_problems(programme)
        )
        programmes.append(programme)
    return programmes, problems


# Rules that admit the firms of some countries (country_in, operates_in, region_in): their specs name the countries.
LOCATION_RULE_TYPES = TERRITORY_RULES


def _rule_countries(rule: Any) -> frozenset[str]:
    named = SPECS[rule.type].territory_countries
    assert named is not None  # (called for LOCATION_RULE_TYPES only)
    return named(rule)


def territory_problems(programme: Programme) -> list[tuple[str, str]]:
    """A programme must be tied to its territory by a rule, so that no entry is "eligible" for every firm on earth.

    A programme of a country or an area needs a location rule (country_in, operates_in or region_in, on its own or
    inside any_of) naming a country of its territory; and a top-level location rule that names none of them would
    refuse every firm the programme serves. A programme open anywhere still needs at least one rule.
    """
    territory = programme.territory
    if territory.anywhere:
        return [] if programme.rules else [("rules", "a programme open anywhere still needs a rule saying whom it is for")]
    served = territory.countries
    problems = []
    tied = False
    for i, rule in enumerate(programme.rules):
        parts = rule.rules if rule.type == "any_of" else [rule]
        for part in parts:
            if part.type in LOCATION_RULE_TYPES and not _rule_countries(part).isdisjoint(served):
                tied = True
        if rule.type in LOCATION_RULE_TYPES and _rule_countries(rule).isdisjoint(served):
            problems.append(
                (
                    f"rules[{i}]",
                    "this location rule names no country of the programme's territory, so it refuses every firm the programme serves",
                )
            )
    if not tied:
        problems.append(
            ("rules", "no rule ties the programme to its territory: add country_in, operates_in or region_in naming where it serves")
        )
    return problems


def catalogue_rule_problems(programme: Programme) -> list[tuple[str, str]]:
    """Problems the schema alone cannot see: amounts in currencies Tremplin cannot convert, and a programme that no
    rule ties to its territory."""
    problems = []
    rates = known_currencies()
    for i, rule in enumerate(programme.rules):
        currency = getattr(rule, "currency", None)
        if currency is not None and currency not in rates:
            problems.append((f"rules[{i}].currency", f"no exchange rate for {currency} in programmes/rates.yaml"))
    return problems + territory_problems(programme)


def load_text(text: str, fmt: str, file: str) -> tuple[list[Programme], list[Problem]]:
    try:
        entries = read_entries(text, fmt)
    except ValueError as error:
        return [], [Problem(file, "", "", "", str(error))]
    return validate_entries(entries, file)


def load_file(path: Path) -> tuple[list[Programme], list[Problem]]:
    return load_text(path.read_text(encoding="utf-8"), format_of(path), path.name)


def catalogue_files(directory: Path = BUNDLED_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml"))


def load_catalogue(directory: Path = BUNDLED_DIR) -> tuple[list[Programme], list[Problem]]:
    """Every programme in the bundled catalogue, and every problem across its files (ids unique overall)."""
    programmes: list[Programme] = []
    problems: list[Problem] = []
    first_file: dict[str, str] = {}
    for path in catalogue_files(directory):
        found, file_problems = load_file(path)
        problems.extend(file_problems)
        for programme in found:
            if programme.id in first_file:
                problems.append(Problem(path.name, "", programme.id, "id", f"duplicate id (also in {first_file[programme.id]})"))
                continue
            first_file[programme.id] = path.name
            programmes.append(programme)
    if directory == BUNDLED_DIR:
        problems.extend(alias_problems(programmes, load_aliases()))
    return programmes, problems


def load_aliases(path: Path = ALIASES_FILE) -> dict[str, str]:
    """Other ids programmes are known by (old id -> current id), so a link or a stored reference still finds them."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(old): str(new) for old, new in data.items()}


def alias_problems(programmes: Iterable[Programme], aliases: dict[str, str]) -> list[Problem]:
    ids = {p.id for p in programmes}
    problems = [
        Problem(ALIASES_FILE.name, "", old, "", f"names {new}, which no programme has") for old, new in aliases.items() if new not in ids
    ]
    problems += [
        Problem(ALIASES_FILE.name, "", old, "", "is the id of a programme, so it cannot be an alias") for old in aliases if old in ids
    ]
    return problems


def catalogue_version(programmes: Iterable[Programme]) -> str:
    """A content hash: the same programmes give the same version, whatever their order or file."""
    documents = sorted((p.to_document() for p in programmes), key=lambda d: d["id"])
    digest = hashlib.sha256(json.dumps(documents, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"cat-{digest[:12]}"


def dump(programmes: Iterable[Programme], fmt: str) -> str:
    documents = [p.to_document() for p in programmes]
    if fmt == "yaml":
        return yaml.safe_dump(documents, sort_keys=False, allow_unicode=True, width=120)
    if fmt == "json":
        return json.dumps(documents, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for document in documents:
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if k in _JSON_CELLS else v for k, v in document.items()})
        return out.getvalue()
    raise ValueError(f"unknown format {fmt!r}")
