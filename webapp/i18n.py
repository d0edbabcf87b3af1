"""Flask-Babel set-up and the bridge that renders the model's sentences (models.text.Text) for a reader."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import lists
from flask import Flask, current_app, request
from flask_babel import Babel, format_date, format_decimal, get_locale, gettext

from models.text import Text

babel = Babel()


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return format_decimal(value, format="#,##0.##")
    if isinstance(value, dt.date):
        return format_date(value, format="long")
    return str(value)


def format_list(items: list[str]) -> str:
    return lists.format_list(items, locale=get_locale() or "en")


def render_text(text: Text) -> str:
    return text.render(translate=gettext, format_value=format_value, format_list=format_list)
