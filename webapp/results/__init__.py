"""Results pages (and, later, report exports and share links)."""

from webapp.results.routes import results

__all__ = ["results"]
