"""The SME journey: questionnaire pages, drafts behind private links, check your answers."""

from webapp.assessment.routes import journey

__all__ = ["journey"]
