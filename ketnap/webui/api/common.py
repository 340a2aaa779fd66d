"""Pieces every API resource uses: documented problem responses, pages, the access log."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from flask import request
from flask_smorest import Blueprint

from ...db.access_log import record_access
from ...workflows.schemas import FormerMember, codec
from .. import db, db_session
from ..auth import me
from ..dossiers import scope_orgs
from . import fail
from .problems import MEDIA_TYPE, TYPES, ProblemSchema

F = TypeVar("F", bound=Callable[..., Any])
_DESCRIPTIONS = {
    401: TYPES["unauthorised"][1], 403: TYPES["forbidden"][1], 404: TYPES["not-found"][1], 409: TYPES["wrong-state"][1],
    412: TYPES["precondition-failed"][1], 415: TYPES["unsupported-media-type"][1], 422: "Invalid input (`errors` names each field) or, for a step, refused by the rules "
    "(`rules`).", 428: TYPES["precondition-required"][1],
}
_decode_former_member = codec(FormerMember).decode
_DOC = Blueprint("api-doc-helper", __name__)  # only its alt_response decorator is used


def document_problems(*codes: int) -> Callable[[F], F]:
    """Document the problem responses a view may give (the spec; the answers come from problems.py)."""

    def decorate(view: F) -> F:
        for code in codes:
            view = _DOC.alt_response(code, schema=ProblemSchema, content_type=MEDIA_TYPE, description=_DESCRIPTIONS.get(code))(view)
        return view

    return decorate


BODY_NOT_OBJECT = "Thân yêu cầu phải là một đối tượng JSON (the body must be a JSON object)."


def json_body() -> dict[str, Any]:
    """The request's JSON object ({} for an empty body), or 422: not JSON, not an object, or nested too deep to read."""
    if not request.get_data():
        return {}
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        body = None
    if not isinstance(body, dict):
        fail(422, BODY_NOT_OBJECT, "invalid-input", errors=[{"field": "", "pointer": "#", "detail": BODY_NOT_OBJECT}])
    return body


def org_in_scope(org_id: int, active_only: bool = False) -> dict[str, Any]:
    """One organisation of the user's scope (active ones only if asked), or 404."""
    found = next((o for o in scope_orgs() if o["id"] == org_id and (o.get("active", True) or not active_only)), None)
    if found is None:
        fail(404, f"Không có tổ chức {org_id} trong phạm vi của bạn (no such organisation in your scope).", "not-found")
    return found


def page_of(rows: Sequence[Mapping[str, Any]], total: int, args: Mapping[str, Any]) -> dict[str, Any]:
    per_page = args["per_page"]
    return {"items": rows, "page": args["page"], "per_page": per_page, "total": total, "pages": math.ceil(total / per_page)}


def candidate_out(row: Mapping[str, Any]) -> dict[str, Any]:
    """A candidate row ready for CandidateOut: the former membership decoded from its stored JSON."""
    out = dict(row)
    if out.get("former_member") is not None:
        out["former_member"] = _decode_former_member(out["former_member"])
    return out


def record_view(dossier_id: int, branch_id: int | None) -> None:
    """A read of a candidate's personal data through the API, recorded like a view of the dossier's page."""
    user = me()
    record_access(db(), user_id=user.id, user_name=user.full_name, action="view_dossier", dossier_id=dossier_id, org_id=branch_id,
                  detail={"via": "api", "path": request.path}, remote_addr=request.remote_addr)
    db_session().commit()


def record_list(ids: Sequence[int]) -> None:
    """A page of a list with personal data read through the API: which records, for the auditors (Decree 13/2023/NĐ-CP)."""
    user = me()
    record_access(db(), user_id=user.id, user_name=user.full_name, action="read_list", org_id=user.org_id,
                  detail={"via": "api", "path": request.path, "query": request.query_string.decode("utf-8", "replace")[:500],
                          "ids": list(ids)}, remote_addr=request.remote_addr)
    db_session().commit()
