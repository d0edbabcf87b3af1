"""/admin: programme administrators sign in, curate the catalogue, and see whom it serves."""

from webapp.admin.routes import admin

__all__ = ["admin"]
