"""Server-rendered pages that are not part of a journey: the start page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from models.readiness import load_bank
from webapp.catalogue import current_version, published_programmes

pages = Blueprint("pages", __name__)


@pages.get("/")
def start() -> str:
    programmes = published_programmes()
    countries = sorted({p.country for p in programmes})
    return render_template(
        "start.html",
        bank=load_bank(),
        programme_count=len(programmes),
        countries=countries,
        catalogue_version=current_version(),
        days=current_app.config["DRAFT_LIFETIME_DAYS"],
    )


@pages.get("/privacy")
def privacy() -> str:
    return render_template("privacy.html", days=current_app.config["DRAFT_LIFETIME_DAYS"])


@pages.get("/accessibility")
def accessibility() -> str:
    return render_template("accessibility.html")
