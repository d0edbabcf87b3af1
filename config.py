"""Settings: one base class, a development, a testing and a production subclass.

Precedence, lowest first: the class defaults below, then the environment (TREMPLIN_<NAME>, values parsed as JSON
when they parse, so TREMPLIN_SESSION_COOKIE_SECURE=false is a boolean; DATABASE_URL is also accepted), then the
overrides a test passes to create_app(). The class is the one passed to create_app() (tests pass TestingConfig), or
else the one TREMPLIN_ENV names: development (default), testing, production.
"""

from __future__ import annotations

import os
from typing import ClassVar

DEFAULT_SECRET_KEYS = frozenset({"", "change-me", "dev", "secret", "changeme"})


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY: str | None = None
    # Filled in by create_app() with an absolute path under the instance folder when nothing else is set.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    # The API contract caps a request body at 64 KB; forms are far smaller.
    MAX_CONTENT_LENGTH = 64 * 1024
    MAX_FORM_MEMORY_SIZE = 64 * 1024
    MAX_FORM_PARTS = 200
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    # Languages with complete translations; the page language must match its content (WCAG 3.1.1).
    LANGUAGES = ("en",)
    JSON_SORT_KEYS = False
    # The session cookie (the CSRF secret, a staff member's server-side session id): no script reads it, it is not
    # sent on cross-site posts, and over HTTPS only where the site is served over HTTPS (TREMPLIN_SESSION_COOKIE_SECURE).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # Flask-Login's remember-me cookie is never set (staff sign in each time), but gets the same flags should it be.
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    # How many reverse proxies sit in front of the app; their X-Forwarded-* headers are trusted that far and no
    # further (werkzeug ProxyFix). 0: the app is reached directly and ignores those headers. See docs/security.md.
    TRUSTED_PROXIES = 0
    # How many programmes a stored assessment explains in full; None explains every one (the API contract).
    EXPLAIN_LIMIT: int | None = None
    # The day firms are matched on (ISO date); None: today. Tests pin it, so what they see never depends on the day
    # they run (a deadline passing would change a firm's list).
    MATCH_DAY: str | None = None
    # A draft's private link works this many days after its last change (docs/privacy.md).
    DRAFT_LIFETIME_DAYS = 30
    # Retention, applied by `flask purge` (docs/privacy.md): API assessments (no draft) are kept a year, long
    # enough for a partner to read one back and for the staff's year-long export and insights; failed sign-ins
    # (e-mail and IP address) a month, for looking into an attack; ended staff sessions a month.
    ASSESSMENT_RETENTION_DAYS = 365
    SIGN_IN_ATTEMPT_RETENTION_DAYS = 30
    STAFF_SESSION_RETENTION_DAYS = 30
    # How long the deployer keeps database backups and access logs, stated on the privacy pages (docs/privacy.md);
    # None: the pages promise no number. Tremplin makes neither itself; set them to the operator's real policy.
    BACKUP_RETENTION_DAYS: int | None = None
    LOG_RETENTION_DAYS: int | None = None
    # Outgoing mail (the private link, on request). No server configured: the page offers no e-mail.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_STARTTLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_SENDER = "Tremplin <no-reply@tremplin.invalid>"
    MAIL_TIMEOUT_SECONDS = 10
    # Rate limits (webapp/limits.py, docs/security.md "Rate limits"). The store must be shared by every worker:
    # None means a SQLite file of its own in the instance folder (instance/ratelimits.sqlite), which holds across
    # the processes of one host; production uses Redis (TREMPLIN_RATELIMIT_STORAGE_URI overrides either).
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI: str | None = None
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_KEY_PREFIX = "tremplin"
    RATELIMIT_HEADERS_ENABLED = True  # Retry-After (and X-RateLimit-*) on limited endpoints, 429s included
    # Store unreachable: count in each worker's memory (limits then hold per worker) rather than fail every request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Per client address unless noted; a deployment overrides single entries (TREMPLIN_RATE_LIMITS as a JSON object).
    RATE_LIMITS: ClassVar[dict[str, str]] = {
        "start": "30 per minute; 300 per hour",
        "api_create": "20 per minute; 200 per hour",
        "email": "10 per hour; 30 per day",
        "email_recipient": "3 per hour; 10 per day",  # per recipient address, whoever sends
        "report": "30 per minute; 300 per hour",
        "report_pdf": "6 per minute; 60 per hour",
        "share": "20 per hour; 60 per day",
        "privacy": "20 per hour; 60 per day",  # consent given or withdrawn, data deleted
        "sign_in": "15 per minute; 60 per hour",
        "admin_export": "10 per minute; 100 per hour",  # per staff member
    }


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = False
    # The suite makes hundreds of requests from one address in one process: limits off here. The rate-limit tests
    # build their own apps with RATELIMIT_ENABLED=True and small RATE_LIMITS.
    RATELIMIT_ENABLED = False


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    # __Host-: the browser keeps it only if it is Secure, has Path=/ and no Domain, so no subdomain can set or
    # overwrite it. webapp.security drops the prefix if TREMPLIN_SESSION_COOKIE_SECURE=false (plain-HTTP trials).
    SESSION_COOKIE_NAME = "__Host-tremplin-session"
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"


CONFIGS: dict[str, type[BaseConfig]] = {c.ENV_NAME: c for c in (DevelopmentConfig, TestingConfig, ProductionConfig)}


def config_class() -> type[BaseConfig]:
    name = os.environ.get("TREMPLIN_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"TREMPLIN_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting platforms hand out; always use psycopg 3 for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def check_production_secret(secret_key: str | None) -> None:
    if secret_key is None or secret_key.strip().lower() in DEFAULT_SECRET_KEYS or len(secret_key) < 32:
        raise RuntimeError(
            "Production needs TREMPLIN_SECRET_KEY: a random value of at least 32 characters "
            "(python -c 'import secrets; print(secrets.token_hex(32))')."
        )
