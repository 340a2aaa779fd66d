"""Errors of the REST API as RFC 9457 problem details (`application/problem+json`).

Every error the API answers has `type`, `title`, `status` and `detail`; some add members of their own:
`errors` (each bad field: its name as sent, a JSON pointer and the message), `rules` (each rule that
refused a step: ID, message, citation) and `current_version` (the dossier's version after a stale
If-Match). The `type` URIs are relative: they resolve to the section of the API documentation page
(/api/v1/docs) that explains the problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Response, json, request
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from ...engine.rules import RuleResult
from ...workflows.schemas import flatten_errors

MEDIA_TYPE = "application/problem+json"
DOCS = "/api/v1/docs"

# type slug -> (title, when it is answered), listed on the documentation page
TYPES: dict[str, tuple[str, str]] = {
    "unauthorised": ("Chưa xác thực (not authenticated)",
                     "401: no `Authorization: Bearer <token>` header, or a token that is unknown, revoked or expired."),
    "forbidden": ("Vai trò không được phép (role not allowed)", "403: the token's user has a role that may not do this."),
    "not-found": ("Không tìm thấy (not found)",
                  "404: no such object, or an object of an organisation outside the token user's scope."),
    "invalid-input": ("Dữ liệu không hợp lệ (invalid input)",
                      "422: the body or the query string breaks its schema; `errors` names every bad field."),
    "rule-refused": ("Bước bị từ chối theo quy định (refused by the rules)",
                     "422: the step breaks a rule of the Party Statute; `rules` gives each failing rule's ID, message and "
                     "citation. Nothing was written."),
    "import-refused": ("Tệp nhập có dòng lỗi (the import has bad rows)",
                       "422: at least one row of the file is bad; `errors` names each (line, field). Nothing was written."),
    "precondition-required": ("Thiếu If-Match (If-Match required)",
                              "428: a step must carry the dossier's ETag in `If-Match`, so that nobody overwrites a change "
                              "they have not seen."),
    "precondition-failed": ("Hồ sơ đã thay đổi (the dossier has changed)",
                            "412: the dossier's version is not the one in `If-Match`; read it again (its ETag and "
                            "`current_version` are given) and decide again."),
    "wrong-state": ("Bước không thể làm ở trạng thái này (not possible from this state)",
                    "409: the step does not leave the dossier's current state."),
    "conflict": ("Xung đột (conflict)", "409: the request conflicts with the current data."),
    "unsupported-media-type": ("Kiểu tệp không dùng được (unsupported media type)",
                               "415: the import takes a CSV or XLSX file, as multipart/form-data or as the whole body."),
}


class FieldErrorSchema(Schema):
    field = fields.String(required=True, metadata={"description": "The field as sent, e.g. `candidate.citizen_id`, "
                                                                  "`introducers[0].member_id`, `query.page`."})
    pointer = fields.String(metadata={"description": "JSON pointer into the body (`#/...`; `#`: the whole body)."})
    parameter = fields.String(metadata={"description": "The query-string parameter, for an error in the query string."})
    detail = fields.String(required=True)
    line = fields.Integer(metadata={"description": "Line of an imported file (header = line 1)."})


class RuleFailureSchema(Schema):
    rule_id = fields.String(required=True, metadata={"example": "R-AGE-1"})
    status = fields.String(required=True)
    message = fields.String(required=True)
    citation = fields.String(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    errors = fields.List(fields.Nested(FieldErrorSchema))
    rules = fields.List(fields.Nested(RuleFailureSchema))
    current_version = fields.Integer(allow_none=True)


def problem(status: int, detail: str, kind: str | None = None, headers: Mapping[str, str] | None = None,
            **members: Any) -> Response:
    """A problem+json response."""
    title = TYPES[kind][0] if kind in TYPES else HTTP_STATUS_CODES.get(status, "Error")
    body = {"type": f"{DOCS}#problem-{kind}" if kind else "about:blank", "title": title, "status": status,
            "detail": detail, "instance": request.path, **members}
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)
    response.headers.update(headers or {})
    return response


def field_errors(messages: Mapping[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """{'candidate': {'citizen_id': ['...']}} -> [{'field': 'candidate.citizen_id', 'pointer': '#/candidate/citizen_id', ...}]."""
    out = []
    for name, texts in flatten_errors(messages, prefix).items():
        where = {"parameter": name.split(".", 1)[1].split("[", 1)[0]} if name.startswith("query.") else {"pointer": pointer(name)}
        for text in texts:
            out.append({"field": name, **where, "detail": text})
    return out


def pointer(name: str) -> str:
    """'introducers[0].member_id' -> '#/introducers/0/member_id'; the whole body ('', '_schema', 'json') -> '#'."""
    parts = [p for p in name.replace("[", ".").replace("]", "").split(".") if p not in ("", "_schema")]
    if parts and parts[0] in ("json", "form", "files", "headers"):
        parts = parts[1:]
    return "#" + "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def invalid(errors: list[dict[str, Any]], detail: str = "Dữ liệu không hợp lệ; xem từng trường (invalid input; see each field).") -> Response:
    return problem(422, detail, "invalid-input", errors=errors)


def rule_failures(results: Iterable[RuleResult], lang: str) -> list[dict[str, Any]]:
    return [{"rule_id": r.rule_id, "status": r.status.value, "message": r.message(lang), "citation": r.rule.citation} for r in results]


_KINDS = {401: "unauthorised", 403: "forbidden", 404: "not-found", 412: "precondition-failed", 428: "precondition-required",
          422: "invalid-input", 409: "conflict"}
DETAILS = {
    401: "Cần mã truy cập API hợp lệ: Authorization: Bearer <token> (a valid API token is required).",
    403: "Vai trò của bạn không được làm việc này (your role may not do this).",
    404: "Không tìm thấy, hoặc không thuộc tổ chức của bạn (not found, or not in your organisation).",
    405: "Phương thức này không dùng được ở địa chỉ này (method not allowed here).",
    500: "Lỗi máy chủ; không có gì được lưu (server error; nothing was saved).",
}


def from_http_exception(error: HTTPException) -> Response:
    """Any HTTP error raised in the API (abort, webargs' validation, routing) as a problem."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    members: dict[str, Any] = {}
    messages = data.get("errors") or data.get("messages")
    if isinstance(messages, Mapping):
        members["errors"] = field_errors(messages)
    detail = data.get("message") or DETAILS.get(code) or error.description or HTTP_STATUS_CODES.get(code, "Error")
    if code == 422 and "errors" in members:
        detail = data.get("message") or "Dữ liệu không hợp lệ; xem từng trường (invalid input; see each field)."
    headers = dict(data.get("headers") or {})
    if code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="ketnap"')
    if code == 405 and error.get_headers():
        headers.update({k: v for k, v in error.get_headers() if k == "Allow"})
    return problem(code, str(detail), data.get("kind") or _KINDS.get(code), headers, **members)
