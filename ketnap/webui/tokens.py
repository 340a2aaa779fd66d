"""API tokens on the web UI: each user makes, sees and revokes their own; an administrator sees and revokes anyone's.

A new token is shown once, on the page that answers its creation (never stored, never redirected
with it): only its digest is kept (ketnap.db.tokens). Making and revoking are recorded in the access log.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, StringField
from wtforms.validators import Optional
from wtforms.widgets import TextInput

from ..db.access_log import record_access
from ..db.tokens import NAME_MAX, TokenError, create_token, list_tokens, revoke_token, token_problems
from ..engine.service import local_today
from . import db, db_session
from .auth import me

bp = Blueprint("tokens", __name__)


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), render_kw={"required": True, "maxlength": NAME_MAX})
    expires_on = DateField(_l("Expires on (default: in one year)"), validators=[Optional()], format=["%d/%m/%Y", "%Y-%m-%d"], widget=TextInput(),
                           render_kw={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})


class RevokeForm(FlaskForm):
    pass


def _mine() -> int | None:
    """Whose tokens the page lists: the user's own, everyone's for an administrator."""
    return None if me().role == "admin" else me().id


def _page(form: TokenForm, new_token: str | None = None, errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    response = render_template("tokens.html", form=form, revoke=RevokeForm(), tokens=list_tokens(db(), _mine()),
                               new_token=new_token, errors=errors or {}, today=local_today())
    headers = {"Cache-Control": "no-store"}
    return response, status, headers


@bp.get("/account/tokens")
@login_required
def tokens_page() -> Any:
    return _page(TokenForm())


@bp.post("/account/tokens")
@login_required
def create() -> Any:
    form = TokenForm()
    valid = form.validate_on_submit()
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    for name, message in token_problems(form.name.data, form.expires_on.data, local_today()).items():
        errors.setdefault(name, []).append(message)
    if not valid or errors:
        return _page(form, errors=errors, status=422)
    user = me()
    conn = db()
    try:
        made = create_token(conn, user.id, form.name.data or "", form.expires_on.data, local_today())
    except TokenError as err:
        db_session().rollback()
        return _page(form, errors={name: [message] for name, message in err.field_errors.items()}, status=422)
    record_access(conn, user_id=user.id, user_name=user.full_name, action="create_api_token",
                  detail={"token_id": made.id, "name": form.name.data, "via": "web"}, remote_addr=request.remote_addr)
    db_session().commit()
    return _page(TokenForm(formdata=None), new_token=made.token, status=201)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    if not RevokeForm().validate_on_submit():
        abort(400)
    user = me()
    conn = db()
    if not revoke_token(conn, token_id, _mine()):
        abort(404)
    record_access(conn, user_id=user.id, user_name=user.full_name, action="revoke_api_token", detail={"token_id": token_id, "via": "web"},
                  remote_addr=request.remote_addr)
    db_session().commit()
    flash(_("The token has been revoked: it no longer signs anything in."), "success")
    return redirect(url_for("tokens.tokens_page"))
