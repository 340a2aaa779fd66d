"""Signing in and out, password change, and who may do what: roles and the organisation scope.

Users live in the database (`users`), passwords hashed with Argon2id (ketnap.passwords). A user
sees and acts only in the subtree of their organisation; anything outside it answers 404, as if it
did not exist. The session cookie is HttpOnly and SameSite=Lax; the log-in is rate-limited; an
unknown user and a wrong password get the same answer. Sessions are kept on the server too
(db.web_sessions): signing in starts a new one (nothing of the session before is kept), signing out
ends it, so its cookie replayed signs nothing in; changing the password ends the other sessions (and
the session's user ID carries a fingerprint of the password hash).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..db.models import User, table_of
from ..db.web_sessions import end_other_sessions, end_session, session_user, start_session
from ..engine.service import Actor
from ..passwords import hash_password, needs_rehash, password_problem, verify_password
from . import db, db_session
from .extensions import limiter, login_manager
from .i18n import safe_next

bp = Blueprint("auth", __name__)
_u = table_of(User)
SESSION_KEY = "sid"  # the key of the server-side session record (db.web_sessions), in the signed cookie

WORKFLOW_ROLES = frozenset({"branch_committee", "grassroots_staff", "superior_board"})
# Who reads dossiers (candidates' personal data): the officers and the auditors; an administrator
# manages users, organisations and members only (workflow.md, Roles).
DOSSIER_READERS = (*sorted(WORKFLOW_ROLES), "auditor")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class WebUser:
    """The signed-in user, as Flask-Login wants it."""

    id: int
    username: str
    full_name: str
    role: str
    org_id: int | None
    fingerprint: str
    is_active: bool = True
    is_authenticated: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        return f"{self.id}:{self.fingerprint}"

    @property
    def actor(self) -> Actor:
        roles = frozenset({self.role}) & WORKFLOW_ROLES
        return Actor(self.id, self.full_name, roles, self.org_id)

    @property
    def can_act(self) -> bool:
        return self.role in WORKFLOW_ROLES


def _fingerprint(password_hash: str | None) -> str:
    return (password_hash or "")[-16:]


def web_user(row: Any) -> WebUser:
    return WebUser(row.id, row.username, row.full_name, row.role, row.org_id, _fingerprint(row.password_hash))


@login_manager.user_loader
def load_user(user_id: str) -> WebUser | None:
    ident, _sep, fingerprint = user_id.partition(":")
    if not ident.isdigit() or len(ident) > 12:
        return None
    row, touched = session_user(db(), int(ident), session.get(SESSION_KEY, ""), current_app.permanent_session_lifetime)
    if touched:  # the session's last use, noted at most every few minutes
        db_session().commit()
    if row is None or _fingerprint(row.password_hash) != fingerprint:
        return None
    return web_user(row)


def me() -> WebUser:
    return cast(WebUser, current_user)


def roles_required(*roles: str) -> Callable[[F], F]:
    """Signed in with one of `roles`, else 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if me().role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=80)], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("New password"), validators=[DataRequired()], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"), validators=[DataRequired()], render_kw={"autocomplete": "new-password"})


def _login_limit() -> str:
    return str(current_app.config["KETNAP_LOGIN_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        username = (form.username.data or "").strip()
        # no user name holds a NUL, and PostgreSQL refuses to compare text that does: no such user
        row = None if "\x00" in username else db().execute(select(_u).where(_u.c.username == username, _u.c.active.is_(True))).first()
        if verify_password(row.password_hash if row is not None else None, form.password.data or ""):
            assert row is not None
            if needs_rehash(row.password_hash):
                _set_password(row.id, form.password.data or "")
                row = db().execute(select(_u).where(_u.c.id == row.id)).first()
                assert row is not None
            session.clear()
            session.permanent = True
            session[SESSION_KEY] = start_session(db(), row.id, request.remote_addr)
            db_session().commit()
            login_user(web_user(row))
            return redirect(safe_next(request.args.get("next"), url_for("dossiers.dashboard")))
        error = _("Wrong user name or password.")
    elif request.method == "POST":
        error = _("Enter your user name and password.")
    return render_template("login.html", form=form, error=error), 401 if error else 200


@bp.post("/logout")
@login_required
def logout() -> Response:
    end_session(db(), session.get(SESSION_KEY, ""))
    db_session().commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


def _set_password(user_id: int, password: str) -> None:
    db().execute(_u.update().where(_u.c.id == user_id).values(password_hash=hash_password(password)))
    db_session().commit()


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@login_required
def change_password() -> Any:
    form = PasswordForm()
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        row = db().execute(select(_u).where(_u.c.id == me().id)).first()
        new = form.new.data or ""
        if row is None or not verify_password(row.password_hash, form.current.data or ""):
            errors["current"] = [_("The current password is wrong.")]
        elif new != form.confirm.data:
            errors["confirm"] = [_("The two new passwords differ.")]
        elif problem := password_problem(new, me().username):
            errors["new"] = [problem]
        else:
            _set_password(me().id, new)
            end_other_sessions(db(), me().id, session.get(SESSION_KEY))
            db_session().commit()
            row = db().execute(select(_u).where(_u.c.id == me().id)).first()
            login_user(web_user(row))
            flash(_("Your password has been changed; other sessions are signed out."), "success")
            return redirect(url_for("dossiers.dashboard"))
    return render_template("password.html", form=form, errors=errors), 422 if errors else 200


def init_app(app: Flask) -> None:
    from .api import is_api_request
    from .api.problems import from_http_exception

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @app.errorhandler(429)
    def _too_many(err: Any) -> Any:
        if is_api_request():
            return from_http_exception(err)
        return render_template("error.html", code=429, message=_("Too many attempts. Wait a minute and try again.")), 429

    @app.errorhandler(404)
    def _not_found(err: Any) -> Any:
        if is_api_request():
            return from_http_exception(err)
        return render_template("error.html", code=404, message=_("Not found, or not in your organisation.")), 404

    @app.errorhandler(403)
    def _forbidden(err: Any) -> Any:
        if is_api_request():
            return from_http_exception(err)
        return render_template("error.html", code=403, message=_("Your role may not do this.")), 403

    @app.errorhandler(CSRFError)
    def _csrf(err: Any) -> Any:
        message = _("The form has expired or did not come from this site. Reload the page and try again.")
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(400)
    def _bad_request(err: Any) -> Any:
        if is_api_request():
            return from_http_exception(err)
        return render_template("error.html", code=400, message=_("Bad request.")), 400

    @app.errorhandler(500)
    def _server_error(err: Any) -> Any:
        if is_api_request():
            return from_http_exception(err)
        return render_template("error.html", code=500, message=_("Something went wrong on the server; nothing was saved. Try again.")), 500
