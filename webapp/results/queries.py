"""The lookups of the results pages, each in the flaskr style: found, or the request ends with 404.

An unknown, expired or malformed private link, a draft with no result yet and a sequence number the draft does not
have all answer the same 404, so a link reveals nothing about what exists.
"""

from __future__ import annotations

from flask import abort

from webapp import drafts
from webapp.db import Assessment, Draft, ShareLink, db
from webapp.results import sharing


def draft_history_or_404(token: str) -> tuple[Draft, list[Assessment]]:
    """The draft behind a private link and its results, newest first (never empty)."""
    draft = drafts.find_draft(token)
    entries = drafts.history(draft) if draft else []
    if draft is None or not entries:
        abort(404)
    return draft, entries


def entry_or_404(entries: list[Assessment], sequence: int | None = None) -> Assessment:
    """The result with this sequence number among a draft's results; the latest when no number is given."""
    if sequence is None:
        return entries[0]
    chosen = next((e for e in entries if e.sequence == sequence), None)
    if chosen is None:
        abort(404)
    return chosen


def shared_or_404(share_token: str) -> tuple[ShareLink, Assessment]:
    """A live share link and the result it opens."""
    link = sharing.find_link(share_token)
    assessment = db.session.get(Assessment, link.assessment_id) if link else None
    if link is None or assessment is None:
        abort(404)
    return link, assessment
