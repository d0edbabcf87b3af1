"""The JSON API, /api/v1 (shared/spec/assessment-api-v1.md)."""

from webapp.api.routes import api

__all__ = ["api"]
