"""The thin Flask layer: the app factory, the web UI's blueprints and the `ketnap` command line.

Thin: parse input, call engine/workflows, render. No rule logic here. Configuration comes from the
environment (KETNAP_*, DATABASE_URL), overridden by the `config` given to create_app().
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, Response, current_app, g
from sqlalchemy import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..engine.workflow import Workflow


@dataclass
class Services:
    """What every request and command shares: the database engine, sessions and the workflow definition."""

    engine: Engine
    workflow: Workflow
    sessions: sessionmaker[Session]


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def _secret_key(instance_path: str) -> str:
    """KETNAP_SECRET_KEY, or a random key kept in the instance folder so sessions survive restarts."""
    key = os.environ.get("KETNAP_SECRET_KEY")
    if key:
        return key
    path = os.path.join(instance_path, "secret_key")
    try:
        with open(path, encoding="ascii") as fh:
            return fh.read().strip()
    except FileNotFoundError:
        pass
    os.makedirs(instance_path, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another server process wrote it first
        with open(path, encoding="ascii") as fh:
            return fh.read().strip()
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Application factory: configuration from the environment, overridden by `config`."""
    from ..db.session import database_url, make_engine, make_sessionmaker
    from ..workflows.admission import build_workflow
    from ..workflows.params import load_calendar, load_params

    app = Flask(__name__, instance_path=os.path.abspath(os.environ.get("KETNAP_INSTANCE", "instance")))
    app.config.update(
        DATABASE_URL=database_url(),
        KETNAP_LANG=os.environ.get("KETNAP_LANG", "vi"),
        BABEL_DEFAULT_LOCALE=os.environ.get("KETNAP_LANG", "vi"),
        BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_env_flag("KETNAP_SECURE_COOKIES", False),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=int(os.environ.get("KETNAP_SESSION_HOURS", "8"))),
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_ENABLED=_env_flag("KETNAP_RATELIMIT", True),
        RATELIMIT_STORAGE_URI=os.environ.get("KETNAP_RATELIMIT_STORAGE", "memory://"),
        KETNAP_LOGIN_LIMIT=os.environ.get("KETNAP_LOGIN_LIMIT", "10 per minute;50 per hour"),
        KETNAP_PER_PAGE=50,
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,  # above the largest import file (ketnap.source_file.MAX_BYTES): 413 beyond
    )
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    proxies = int(os.environ.get("KETNAP_PROXIES", app.config.get("KETNAP_PROXIES", 0)))
    if proxies:  # behind a reverse proxy: the client's address (rate limit, access log) from X-Forwarded-For
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["ketnap"] = Services(
        engine=engine,
        workflow=build_workflow(load_params(), load_calendar()),
        sessions=make_sessionmaker(engine),
    )
    _init_web(app)
    return app


def _init_web(app: Flask) -> None:
    from . import admin, audit, auth, dossiers, help, i18n, imports, lists, reports, tokens
    from .api import init_api
    from .args import BoundedInt
    from .extensions import csrf, limiter, login_manager

    app.url_map.converters["int"] = BoundedInt

    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    for blueprint in (auth.bp, dossiers.bp, lists.bp, admin.bp, help.bp, audit.bp, reports.bp, tokens.bp, imports.bp):
        app.register_blueprint(blueprint)
    init_api(app)
    app.teardown_appcontext(_close_session)

    @app.get("/healthz")
    def healthz() -> Any:
        """Liveness for the reverse proxy or a load balancer: this process answers. Reads nothing, needs no
        sign-in, sets no cookie (the session is not touched). It does not prove the database answers: a page does."""
        return Response("ok\n", mimetype="text/plain", headers={"Cache-Control": "no-store"})

    @app.after_request
    def _security_headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        )
        return response


def services() -> Services:
    return current_app.extensions["ketnap"]


def db_session() -> Session:
    """The request's (or command's) one SQLAlchemy session, opened on first use, closed at teardown."""
    if "db_session" not in g:
        g.db_session = services().sessions()
    return g.db_session


def db() -> Connection:
    """The connection of the request's session, for Core queries (queries.py, dossier_list.py)."""
    return db_session().connection()


def _close_session(exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
