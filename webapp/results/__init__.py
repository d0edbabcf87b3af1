"""Results pages, report exports, share links, and the firm's own data (consent, download, delete)."""

from webapp.results import privacy  # noqa: F401  (registers its routes on the blueprint)
from webapp.results.routes import results

__all__ = ["results"]
