"""Words and formats shared by the pages: category and status names, dates, scores, for the reader's locale."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "skills": _l("Skills and training"),
    "compute": _l("Computing power and cloud"),
    "funding": _l("Grants, loans and tax relief"),
    "procurement": _l("Selling to the public sector"),
    "advisory": _l("Advice and testing before you invest"),
    "data_regulation": _l("Data and regulatory sandboxes"),
}
STATUS_LABELS = {
    "open": _l("Open"),
    "rolling": _l("Open all year"),
    "closed": _l("Closed"),
    "unknown": _l("Not known: check with the operator"),
}


AREA_NAMES = {"EU": _l("the European Union"), "EEA": _l("the European Economic Area")}
SOURCE_KIND_LABELS = {
    "operator": _l("the operator's page"),
    "third_party": _l("a third-party page (no official page found)"),
}


def country_name(code: str | None) -> str:
    """A country (or EU / EEA) in the reader's language, from the CLDR names Babel ships; the code if unknown."""
    if not code:
        return ""
    if code in AREA_NAMES:
        return str(AREA_NAMES[code])
    locale = get_locale()
    return (locale.territories.get(code) if locale else None) or code


def catalogue_changed_message(changed: int) -> str:
    """Said when the same answers were matched again because the catalogue (or model) changed since the last result."""
    if changed == 0:
        return gettext("The catalogue changed since your last results, but not for your business: your programmes are the same.")
    return ngettext(
        "The catalogue changed since your last results: %(num)d programme changed for your business.",
        "The catalogue changed since your last results: %(num)d programmes changed for your business.",
        changed,
    )


def format_iso_date(value: str | dt.date | None) -> str:
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    return format_date(day, format="long")


def format_score(value: float) -> str:
    return format_decimal(value, format="0.00")


def format_when(value: dt.datetime, pattern: str = "d MMMM yyyy, HH:mm") -> str:
    return format_datetime(value, format=pattern)


def format_money(amount: float, currency: str) -> str:
    return format_currency(amount, currency, format="¤#,##0", currency_digits=False)


def format_score_pct(value: float) -> str:
    return format_decimal(value, format="#,##0.#")


def register_presentation(app: Flask) -> None:
    app.add_template_filter(format_money)
    app.add_template_filter(format_score_pct)
    app.add_template_filter(format_iso_date)
    app.add_template_filter(format_score)
    app.add_template_filter(format_when, name="format_datetime")
    app.add_template_filter(country_name)

    # Globals, not a context processor: imported macros (results/_card.html) see globals only.
    app.jinja_env.globals.update(category_labels=CATEGORY_LABELS, status_labels=STATUS_LABELS, source_kind_labels=SOURCE_KIND_LABELS)
