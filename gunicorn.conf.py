"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py "webapp:create_app()"` (docs/deploy.md).

Every value can be changed from the environment, so one file serves every host. Nothing here touches the
database: run `flask --app webapp db upgrade` as a separate release step before starting (or restarting) gunicorn,
never at worker import, where four workers would race to create the same tables.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Loopback by default: put a TLS-terminating proxy (nginx, Caddy, a platform router) in front.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# Sync workers: 2-4 per core. More do not make SQLite write faster (one writer at a time); see docs/reliability.md.
workers = _int("GUNICORN_WORKERS", 4)
worker_class = "sync"
# A request that takes longer than this (seconds) is killed and its worker replaced; the slowest page, the PDF
# report, takes well under a second.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM or a reload, workers get this long to finish the requests in hand before they are killed.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Replace each worker after about this many requests (jitter spreads the restarts), a guard against slow leaks.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# The app is loaded once, in the master, before the workers are forked: a worker that dies (or is recycled) is
# replaced in milliseconds instead of the seconds it takes to import the app and its libraries (about 6 s on a
# busy 2-core machine; docs/reliability.md). The cost: code changes need a restart, not a HUP. No database
# connection may cross the fork, so post_fork below gives every worker fresh connection pools.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").strip().lower() not in ("0", "false", "no")
# Only the proxy on this host may set X-Forwarded-For / -Proto (the app's scheme and client address).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Request-line and header limits (gunicorn's defaults, written out): a larger request is refused with 400.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Logs go to stderr (the service manager keeps them). The access log leaves out the Referer and user agent, and
# the logger class replaces private tokens in URLs by "…" wherever they appear (webapp/gunicorn_logging.py).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms'
logger_class = "webapp.gunicorn_logging.RedactingLogger"

# The Server header says "gunicorn" with no version (gunicorn 27 sends no version; nothing more is added here).
# The control socket (gunicornc) is off unless a path is given: its default path is shared by every gunicorn of
# the same user, so two instances on one host would fight over it.
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
if _control_socket:
    control_socket = _control_socket
else:
    control_socket_disable = True
proc_name = "tremplin"


def post_fork(server, worker):  # gunicorn calls it with both
    """In each new worker: drop any connection pool inherited from the master (SQLAlchemy's fork recipe)."""
    app = getattr(server.app, "callable", None)  # the Flask app when preloaded, else None (loaded after the fork)
    if app is None:
        return
    from webapp.db import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)  # forget the parent's connections without closing them under the parent
