"""One stored assessment's report as a file to download, for the results pages and the API alike."""

from __future__ import annotations

from flask import Response

from webapp.db import Assessment
from webapp.results import exports
from webapp.results.content import report_content


def report_download(assessment: Assessment, fmt: str) -> Response:
    """The report in one of exports.FORMATS; the caller has checked the format and who may read it."""
    report = report_content(assessment)
    # The CSV starts with a byte order mark so that spreadsheets read its accents as UTF-8.
    renderers = {
        "pdf": exports.to_pdf,
        "csv": lambda r: exports.to_csv(r).encode("utf-8-sig"),
        "xlsx": exports.to_xlsx,
        "json": exports.to_json,
    }
    response = Response(renderers[fmt](report), content_type=exports.FORMATS[fmt])
    response.headers["Content-Disposition"] = f"attachment; filename={exports.report_filename(report, fmt)}"
    return response
