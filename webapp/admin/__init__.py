"""/admin: programme administrators sign in, curate the catalogue, and see whom it serves."""

from webapp.admin import accounts, routes  # noqa: F401  (they add their routes to the blueprint)
from webapp.admin.blueprint import admin

__all__ = ["admin"]
