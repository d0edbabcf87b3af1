"""The staff export of match results: one row per (assessment, matched programme), as CSV or XLSX.

What is exported: for the assessments created between two UTC days (inclusive), optionally only those of firms in
one country and/or only the rows of one programme, the firm's country, region, sector and size class, its readiness
and, for each programme it was matched with (the `matches` of the stored result, not `not_eligible`), the
programme's id, name, category, eligibility, rank and score, with the catalogue and model versions.

Contact details: contact_name, contact_email and contact_consented_at are filled only for a firm (a draft) with a
live consent to follow-up contact (webapp.results.privacy: given, not withdrawn, and its private link not expired);
for every other row they are empty. The business name is never exported.

Memory: assessments are read in batches of BATCH_SIZE ordered by (created_at, id), as plain rows (not ORM objects,
so the session does not keep them), with one query per batch for the consents, and the CSV is written as a
generator. The XLSX is built in openpyxl's write-only mode. Every text cell goes through
webapp.results.exports.neutralise (spreadsheet formula injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pycountry
from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextInput
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import and_, or_, select
from wtforms import Form, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import ValidationError

from models.names import clean_name
from webapp.admin.analytics import size_class
from webapp.db import Assessment, Draft, FollowUpConsent, ProgrammeRecord, db, utcnow
from webapp.spreadsheet import neutralise

BATCH_SIZE = 500
MAX_DAYS = 366
DEFAULT_DAYS = 30
FORMATS: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
COLUMNS: tuple[str, ...] = (
    "assessment_id",
    "created_at",
    "country",
    "region",
    "sector",
    "size_class",
    "overall_readiness",
    "stage_level",
    "stage_label",
    "programme_id",
    "programme_name",
    "category",
    "eligibility",
    "rank",
    "score",
    "catalogue_version",
    "model_version",
    "contact_name",
    "contact_email",
    "contact_consented_at",
)
NO_CONTACT = ("", "", "")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class ExportQuery:
    start: dt.date
    end: dt.date
    country: str = ""
    programme: str = ""
    fmt: str = "csv"


def _day(text: str | None, missing: Any, wrong: Any) -> dt.date:
    text = (text or "").strip()
    if not text:
        raise ValidationError(missing)
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(wrong) from None


def _start(form: Form) -> dt.date:
    return _day(
        form["from"].data, _l("Enter the start date"), _l("Enter the start date as a real date in the form YYYY-MM-DD, such as 2026-11-01")
    )


def _end(form: Form) -> dt.date:
    return _day(
        form["to"].data, _l("Enter the end date"), _l("Enter the end date as a real date in the form YYYY-MM-DD, such as 2026-11-25")
    )


def _text_input(label: Any, hint: Any) -> StringField:
    return StringField(label, widget=GovTextInput(), description=hint, render_kw={"spellcheck": "false", "autocomplete": "off"})


# "from" and "to" are the query's names but Python keywords: the fields are set on the class below (created first,
# so they come first in the form and the error summary).
_FROM = _text_input(_l("From (UTC day, included)"), _l("For example, 2026-11-01"))
_TO = _text_input(_l("To (UTC day, included)"), _l("For example, 2026-11-25"))


class ResultsExportForm(Form):
    """The export's query, read from the URL (a GET form: nothing changes, so no CSRF token)."""

    country = SelectField(_l("Country of the business (optional)"), choices=[], validate_choice=False, widget=GovSelect())
    programme = _text_input(_l("Programme id (optional)"), _l("Only the rows of this programme, such as eu-edih-network"))
    format = RadioField(
        _l("File format"),
        choices=[SelectChoice("csv", _l("CSV")), SelectChoice("xlsx", _l("Excel (XLSX)"))],
        default="csv",
        validate_choice=False,
        widget=GovRadioInput(),
    )

    def validate_from(self, _field: StringField) -> None:
        _start(self)

    def validate_to(self, _field: StringField) -> None:
        end = _end(self)
        try:
            start = _start(self)
        except ValidationError:
            return  # the start date's own error says what is wrong
        if end < start:
            raise ValidationError(_l("The end date must be the same as or after the start date"))
        if (end - start).days + 1 > MAX_DAYS:
            raise ValidationError(_l("The dates can cover at most %(days)d days", days=MAX_DAYS))

    def validate_country(self, field: SelectField) -> None:
        code = (field.data or "").strip().upper()
        if code and (len(code) != 2 or pycountry.countries.get(alpha_2=code) is None):
            raise ValidationError(_l("Choose a country, or enter its two-letter ISO code such as FR"))
        field.data = code

    def validate_programme(self, field: StringField) -> None:
        identifier = (field.data or "").strip()
        if identifier and (len(identifier) > 80 or db.session.get(ProgrammeRecord, identifier) is None):
            raise ValidationError(_l("There is no programme with this id: check it on the Programmes page"))
        field.data = identifier

    def validate_format(self, field: RadioField) -> None:
        if field.data not in FORMATS:
            raise ValidationError(_l("Choose CSV or Excel (XLSX)"))

    def query(self) -> ExportQuery:
        """The validated query (call after validate() returned True)."""
        return ExportQuery(_start(self), _end(self), self.country.data or "", self.programme.data or "", self.format.data)


setattr(ResultsExportForm, "from", _FROM)
ResultsExportForm.to = _TO


def catalogue_countries() -> list[tuple[str, str]]:
    """(code, name) of the ISO countries the catalogue's programmes are in (not "EU" and other groups)."""
    codes = {r.get("country") for r in db.session.scalars(select(ProgrammeRecord.document))}
    found = [pycountry.countries.get(alpha_2=c) for c in codes if isinstance(c, str) and len(c) == 2]
    return sorted(((c.alpha_2, c.name) for c in found if c is not None), key=lambda pair: pair[1])


def make_form(args: Mapping[str, Any], today: dt.date) -> ResultsExportForm:
    """The form read from the query string; with no query, the last DEFAULT_DAYS days up to today."""
    if args:
        form = ResultsExportForm(formdata=args)
    else:
        form = ResultsExportForm(data={"from": (today - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat(), "to": today.isoformat()})
    form.country.choices = [
        SelectChoice("", str(_l("All countries"))),
        *(SelectChoice(c, f"{name} ({c})") for c, name in catalogue_countries()),
    ]
    if form.country.data and form.country.data not in {c.value for c in form.country.choices}:
        form.country.choices.append(SelectChoice(form.country.data, form.country.data))  # a valid code typed in the URL stays selected
    return form


def filename(query: ExportQuery) -> str:
    """e.g. tremplin-results-2026-11-01-to-2026-11-25.csv: only a-z, 0-9, '-' and '.'."""
    name = f"tremplin-results-{query.start.isoformat()}-to-{query.end.isoformat()}.{query.fmt}".lower()
    return re.sub(r"[^a-z0-9.-]", "-", name)


def assessments(query: ExportQuery) -> Iterator[Any]:
    """The assessments created in the query's days (UTC) and country, oldest first (see batches)."""
    for batch in batches(query):
        yield from batch


def batches(query: ExportQuery) -> Iterator[list[Any]]:
    """The assessments created in the query's days (UTC) and country, in batches of BATCH_SIZE, oldest first.

    Keyset pagination on (created_at, id), so each batch is one indexed query whatever its position. Rows are plain
    rows (id, draft_id, created_at, request, result), not ORM objects. The country is filtered here, in Python,
    because SQLite and PostgreSQL query JSON differently.
    """
    start = dt.datetime.combine(query.start, dt.time())
    stop = dt.datetime.combine(query.end + dt.timedelta(days=1), dt.time())
    columns = (Assessment.id, Assessment.draft_id, Assessment.created_at, Assessment.request, Assessment.result)
    after: tuple[dt.datetime, str] | None = None
    while True:
        statement = select(*columns).where(Assessment.created_at >= start, Assessment.created_at < stop)
        if after is not None:
            statement = statement.where(
                or_(Assessment.created_at > after[0], and_(Assessment.created_at == after[0], Assessment.id > after[1]))
            )
        batch = db.session.execute(statement.order_by(Assessment.created_at, Assessment.id).limit(BATCH_SIZE)).all()
        if not batch:
            return
        yield [row for row in batch if not query.country or (row.request.get("enterprise") or {}).get("country") == query.country]
        after = (batch[-1].created_at, batch[-1].id)
        if len(batch) < BATCH_SIZE:
            return


def live_contacts(draft_ids: set[str]) -> dict[str, tuple[str, str, str]]:
    """(name, e-mail, consent time) of each of these drafts with a live consent: not withdrawn, draft not expired.

    Should a draft hold two live consents (the page prevents it), the latest given wins.
    """
    if not draft_ids:
        return {}
    statement = (
        select(FollowUpConsent.draft_id, FollowUpConsent.contact_name, FollowUpConsent.contact_email, FollowUpConsent.given_at)
        .join(Draft, Draft.id == FollowUpConsent.draft_id)
        .where(FollowUpConsent.draft_id.in_(draft_ids), FollowUpConsent.withdrawn_at.is_(None), Draft.expires_at > utcnow())
        .order_by(FollowUpConsent.given_at, FollowUpConsent.id)
    )
    return {
        c.draft_id: (clean_name(c.contact_name or ""), c.contact_email or "", c.given_at.isoformat(timespec="seconds") + "Z")
        for c in db.session.execute(statement)
    }


def rows_of(assessment_id: str, created_at: dt.datetime, request: Mapping[str, Any], result: Mapping[str, Any],
            programme: str = "", contact: tuple[str, str, str] = NO_CONTACT) -> list[list[Any]]:  # fmt: skip
    """The export rows of one assessment, raw (not yet neutralised): one per matched programme, in rank order.

    Only the columns of COLUMNS: no business name, whatever the stored request holds; the contact given (the
    firm's live consent, see live_contacts) or empty cells.
    """
    enterprise = request.get("enterprise") or {}
    readiness = result.get("readiness") or {}
    stage = readiness.get("stage") or {}
    firm = [
        assessment_id,
        created_at.isoformat(timespec="seconds") + "Z",
        enterprise.get("country", ""),
        enterprise.get("region", ""),
        enterprise.get("sector", ""),
        size_class(enterprise.get("employees")),
        readiness.get("overall", ""),
        stage.get("level", ""),
        stage.get("label", ""),
    ]
    versions = [result.get("catalogue_version", ""), result.get("model_version", "")]
    return [
        [
            *firm,
            m.get("programme_id", ""),
            m.get("name", ""),
            m.get("category", ""),
            m.get("eligibility", ""),
            m.get("rank", ""),
            m.get("score", ""),
            *versions,
            *contact,
        ]
        for m in result.get("matches") or []
        if not programme or m.get("programme_id") == programme
    ]


def _rows(query: ExportQuery) -> Iterator[list[Any]]:
    for batch in batches(query):
        contacts = live_contacts({a.draft_id for a in batch if a.draft_id})
        for a in batch:
            yield from rows_of(a.id, a.created_at, a.request, a.result, query.programme, contacts.get(a.draft_id, NO_CONTACT))


def csv_cells(row: list[Any]) -> list[Any]:
    return [neutralise(v) for v in row]


def xlsx_cells(row: list[Any]) -> list[Any]:
    # Characters XML cannot hold are dropped first, so that what neutralise sees is what the cell will hold.
    return [neutralise(ILLEGAL_CHARACTERS_RE.sub("", v)) if isinstance(v, str) else v for v in row]


def csv_stream(query: ExportQuery) -> Iterator[str]:
    """The CSV, a header line then one chunk per batch or so; nothing but the current chunk is held in memory."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    pending = 0
    for row in _rows(query):
        writer.writerow(csv_cells(row))
        pending += 1
        if pending >= BATCH_SIZE:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            pending = 0
    yield out.getvalue()


def to_xlsx(query: ExportQuery) -> tuple[bytes, int]:
    """The XLSX (one "Results" sheet, write-only mode) and its number of data rows."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Results")
    sheet.append(list(COLUMNS))
    count = 0
    for row in _rows(query):
        sheet.append(xlsx_cells(row))
        count += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count
