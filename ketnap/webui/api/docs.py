"""The API's documentation page, /api/v1/docs: the OpenAPI document laid out as one HTML page.

Rendered on the server from the same spec as /api/v1/openapi.json, with no script and nothing loaded
from another site, so it reads the same on a machine with no network. It needs no sign-in: it holds
no data, only how to ask for it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_smorest import Api

from .problems import TYPES

INTRO = (
    "ketnap's REST API: the same use cases, roles and organisation scope as the web UI. "
    "Send a per-user API token as `Authorization: Bearer ktn_...`. Errors are RFC 9457 problems "
    "(`application/problem+json`). A step on a dossier needs `If-Match` with the dossier's ETag."
)
METHODS = ("get", "post", "put", "patch", "delete")


def _ref_name(schema: dict[str, Any] | None) -> str | None:
    if not schema:
        return None
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        inner = _ref_name(schema["items"])
        return f"{inner}[]" if inner else None
    return None


def _type_of(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    kind = str(prop.get("type", "any"))
    if kind == "array":
        return f"{_type_of(prop.get('items') or {})}[]"
    if prop.get("format"):
        kind += f" ({prop['format']})"
    return kind


def _properties(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required") or ())
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        enum = prop.get("enum") or (prop.get("items") or {}).get("enum")
        limits = [f"{key} {prop[key]}" for key in ("minimum", "maximum", "minLength", "maxLength", "pattern") if key in prop]
        out.append({"name": name, "type": _type_of(prop), "required": name in required, "nullable": bool(prop.get("nullable")),
                    "enum": enum, "limits": ", ".join(limits), "description": prop.get("description", ""),
                    "default": prop.get("default")})
    return out


def _content_schema(content: dict[str, Any]) -> tuple[str | None, str | None]:
    for media, body in (content or {}).items():
        return media, _ref_name(body.get("schema"))
    return None, None


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        return dict(spec["components"][kind][name])
    return node


def page_model(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as the template walks it: operations grouped by tag, and every schema's fields."""
    groups: dict[str, list[dict[str, Any]]] = {tag["name"]: [] for tag in spec.get("tags", [])}
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [_resolve(spec, p) for p in (*shared, *op.get("parameters", []))]
            body_media, body = _content_schema((op.get("requestBody") or {}).get("content", {}))
            responses = []
            for code, response in sorted(op.get("responses", {}).items()):
                response = _resolve(spec, response)
                media, schema = _content_schema(response.get("content", {}))
                responses.append({"code": code, "description": response.get("description", ""), "media": media, "schema": schema})
            groups.setdefault((op.get("tags") or ["other"])[0], []).append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""), "description": op.get("description", ""),
                "params": [{"name": p.get("name"), "in": p.get("in"), "required": bool(p.get("required")),
                            "type": _type_of(p.get("schema") or {}), "enum": (p.get("schema") or {}).get("enum")
                            or ((p.get("schema") or {}).get("items") or {}).get("enum"), "description": p.get("description", "")}
                           for p in params],
                "body": body, "body_media": body_media, "responses": responses, "anchor": f"{method}-{path}".replace("/", "-"),
            })
    schemas = {name: _properties(schema) for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items())}
    tags = {tag["name"]: tag.get("description", "") for tag in spec.get("tags", [])}
    return {"groups": groups, "tags": tags, "schemas": schemas, "info": spec.get("info", {}), "version": spec.get("openapi")}


def blueprint(api: Api) -> Blueprint:
    bp = Blueprint("api_docs_page", __name__)

    @bp.get("/api/v1/docs")
    def docs() -> str:
        return render_template("api_docs.html", model=page_model(api.spec.to_dict()), problem_types=TYPES)

    return bp
