"""create_app(): configuration, extensions, blueprints, error pages and CLI. Nothing happens at import time."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import Migrate
from flask_wtf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

import config
from config import BaseConfig, check_production_secret, normalise_database_url
from webapp.db import db, init_db
from webapp.errors import register_errors
from webapp.form_text import init_form_text
from webapp.i18n import init_i18n
from webapp.security import init_security

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")
migrate = Migrate(render_as_batch=True, directory=MIGRATIONS_DIR)
csrf = CSRFProtect()
log = logging.getLogger("tremplin")


def _secret_key_for_development(app: Flask) -> str:
    """A random key kept in the instance folder, so sessions survive restarts of `make run`; never committed."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _configure(app: Flask, cls: type[BaseConfig], overrides: dict[str, Any] | None) -> None:
    app.config.from_object(cls)
    app.config.from_prefixed_env("TREMPLIN")
    if os.environ.get("DATABASE_URL") and "TREMPLIN_SQLALCHEMY_DATABASE_URI" not in os.environ:
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config.update(overrides or {})
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'tremplin.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if cls.ENV_NAME == "production":
        check_production_secret(app.config.get("SECRET_KEY"))
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32) if app.config.get("TESTING") else _secret_key_for_development(app)


def _templates(app: Flask) -> None:
    """Our templates first, then the GOV.UK Frontend macros (Jinja ports, so no Node at run time)."""
    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("webapp"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)


def create_app(config_class: type[BaseConfig] | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """The app, configured from `config_class` (None: the class TREMPLIN_ENV names), the environment, then `overrides`.

    Tests pass their class (config.TestingConfig) rather than setting TREMPLIN_ENV, so the process environment of
    the suite stays what the shell gave it.
    """
    if config_class is not None and not (isinstance(config_class, type) and issubclass(config_class, BaseConfig)):
        # The old call create_app({...}) would otherwise configure nothing from that dict, silently.
        raise TypeError(f"create_app() takes a config class, then overrides=...; got {type(config_class).__name__}")
    app = Flask(__name__, instance_relative_config=True)
    _configure(app, config_class or config.config_class(), overrides)
    _templates(app)
    init_db(app)
    migrate.init_app(app, db)
    init_form_text(app)  # before CSRFProtect reads the form, so that a field that is not UTF-8 cannot empty it
    csrf.init_app(app)
    init_i18n(app)

    from webapp.admin import admin
    from webapp.admin.auth import init_auth
    from webapp.api import api
    from webapp.api.openapi import bind as bind_openapi
    from webapp.assessment import journey
    from webapp.cli import register_cli
    from webapp.limits import init_limits
    from webapp.pages import pages
    from webapp.presentation import register_presentation
    from webapp.results import results

    csrf.exempt(api)  # JSON clients send no session cookie; the API changes nothing a cookie could authorise
    app.register_blueprint(api)
    bind_openapi(app)
    app.register_blueprint(pages)
    app.register_blueprint(journey)
    app.register_blueprint(results)
    app.register_blueprint(admin)
    init_auth(app)
    register_presentation(app)
    init_limits(app)  # after every blueprint: it wraps view functions by endpoint name
    register_errors(app)
    init_security(app)
    register_cli(app)
    return app
