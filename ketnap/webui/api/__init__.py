"""The REST API, /api/v1: the same use cases as the web UI and the CLI, for other systems.

Built with flask-smorest on the workflow's own marshmallow schemas; the OpenAPI document is served
at /api/v1/openapi.json and explained on /api/v1/docs, a page that needs no network. Every request
carries a per-user API token (`Authorization: Bearer ktn_...`, ketnap.db.tokens): the token's user
acts with their role and organisation scope, exactly as when signed in to the web UI, and an object
of another organisation answers 404. The session cookie is never read here, so there is no CSRF to
guard against. Errors are RFC 9457 problems (problems.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import Flask, abort, g, request
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ...db.tokens import token_user
from ...engine.service import local_today
from .. import db, db_session
from ..args import MAX_ID, BoundedInt
from ..auth import me, web_user
from ..i18n import LANGUAGES
from . import problems
from .problems import MEDIA_TYPE, ProblemSchema, problem

PREFIX = "/api/v1"
F = TypeVar("F", bound=Callable[..., Any])


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


class ProblemApi(Api):
    """flask-smorest's Api with RFC 9457 errors, for API paths only: the web UI keeps its pages."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = "DEFAULT_ERROR"

    def handle_http_exception(self, error: HTTPException) -> Any:
        if not is_api_request():
            return error
        if error.response is not None:
            return error.response
        return problems.from_http_exception(error)

    def _register_responses(self) -> None:
        self.DEFAULT_RESPONSE_CONTENT_TYPE = MEDIA_TYPE  # the error responses registered below are problem+json
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = "application/json"


def fail(status: int, detail: str, kind: str | None = None, headers: Mapping[str, str] | None = None, **members: Any) -> NoReturn:
    """Stop the request with a problem (raised, so it works inside any helper)."""
    abort(problem(status, detail, kind, headers, **members))


def allow(*roles: str) -> Callable[[F], F]:
    """Only these roles; others get 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if me().role not in roles:
                fail(403, problems.DETAILS[403] + f" Cần (needs): {', '.join(roles)}.", "forbidden")
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def _authenticate() -> Response | None:
    """Sign the request in with its bearer token, or answer 401. The session cookie is ignored."""
    scheme, _sep, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return problem(401, "Thiếu mã truy cập: gửi Authorization: Bearer <token> (an API token is required).", "unauthorised",
                       {"WWW-Authenticate": 'Bearer realm="ketnap"'})
    row = token_user(db(), token.strip(), local_today())
    if row is None:
        db_session().rollback()
        return problem(401, "Mã truy cập không đúng, đã thu hồi hoặc hết hạn (unknown, revoked or expired token).", "unauthorised",
                       {"WWW-Authenticate": 'Bearer realm="ketnap", error="invalid_token"'})
    db_session().commit()  # the token's last use
    g._login_user = web_user(row)
    g.api_lang = request.accept_languages.best_match(LANGUAGES) or None
    return None


def _vary(response: Response) -> Response:
    """Messages and labels follow Accept-Language (the ETag names the dossier's version, in any language)."""
    response.vary.add("Accept-Language")
    return response


def init_api(app: Flask) -> ProblemApi:
    """The API on this app: the spec, its blueprints (made anew for each app), token sign-in, no CSRF."""
    from ..extensions import csrf
    from . import directory, docs, dossiers, imports, oversight

    app.config.update(
        API_TITLE="ketnap",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {"description": docs.INTRO, "license": {"name": "AGPL-3.0-or-later"}},
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A per-user API token (`ktn_...`), made on the web UI's 'API tokens' page or with "
                               "`ketnap tokens create`.",
            }}},
        },
    )
    api = ProblemApi(app)
    api.register_converter(BoundedInt, lambda _c: {"type": "integer", "minimum": 0, "maximum": MAX_ID})
    workflow = app.extensions["ketnap"].workflow
    for blp in (directory.blueprint(), dossiers.blueprint(workflow), oversight.blueprint(), imports.blueprint()):
        blp.before_request(_authenticate)
        blp.after_request(_vary)
        csrf.exempt(blp)
        api.register_blueprint(blp, url_prefix=PREFIX)
    app.register_blueprint(docs.blueprint(api))
    return api


def new_blueprint(name: str, description: str) -> ApiBlueprint:
    return ApiBlueprint(name, __name__, description=description)
