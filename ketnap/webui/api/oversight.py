"""The API for the board and the auditors: the audit chain's status, targets, and the reports as data."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request
from flask_smorest import Blueprint

from ...db import reports as figures_db
from ...db.access_log import record_access
from ...db.audit_log import verify
from ...db.targets import TargetError, clear_target, set_target, target_period_code
from ...engine.errors import NotFound
from ...engine.service import local_today
from ...reports.build import KINDS, Context, build_report, org_nodes
from ...reports.model import Report
from ...reports.periods import current_period, parse_period
from ...reports.targets import CATEGORIES
from .. import db, db_session, services
from ..audit import AUDITORS
from ..auth import me
from ..dossiers import scope_orgs
from ..i18n import lang, pick
from ..reports import READERS, SETTERS
from . import allow, fail, new_blueprint, schemas
from .common import document_problems, json_body, org_in_scope
from .problems import field_errors, invalid


def _org_in_scope(org_id: int | None) -> dict[str, Any]:
    """The organisation asked for (the user's own, or the top of the tree, by default); 404 outside the scope."""
    if org_id is not None:
        return org_in_scope(org_id, active_only=True)
    orgs = [o for o in scope_orgs() if o.get("active", True)]
    if not orgs:
        fail(404, "Không có tổ chức nào trong phạm vi của bạn (no organisation in your scope).", "not-found")
    return orgs[0]


def _period_code(raw: str | None) -> str:
    try:
        return target_period_code(raw or str(local_today().year))
    except ValueError as err:
        return fail(422, str(err), "invalid-input", errors=[{"field": "period", "pointer": "#/period", "detail": str(err)}])


def _settable(org_id: int) -> dict[str, Any]:
    """An organisation whose targets the user may set: one below an organisation of their scope."""
    org = _org_in_scope(org_id)
    if org["parent_id"] is None or org["parent_id"] not in {o["id"] for o in scope_orgs()}:
        fail(403, "Chỉ tiêu của một tổ chức do cấp trên trực tiếp giao (the level above sets an organisation's targets).", "forbidden")
    return org


def _record_target(org: dict[str, Any], code: str, category: str, value: str) -> None:
    """A target set ('' : removed), recorded in the access log as the targets page records its cells, and committed."""
    user = me()
    record_access(db(), user_id=user.id, user_name=user.full_name, action="set_targets", org_id=org["parent_id"],
                  detail={"period": code, "cells": {f"t-{org['id']}-{category}": value}, "via": "api"}, remote_addr=request.remote_addr)
    db_session().commit()


def report_json(report: Report, language: str) -> dict[str, Any]:
    def cell(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    return {
        "kind": report.kind, "title": pick(report.title), "org_id": report.org_id, "org_name": report.org_name,
        "period": {"code": report.period.code, "kind": report.period.kind, "start": report.period.start, "end": report.period.end},
        "as_of": report.as_of,
        "figures": [{"label": pick(f.label), "value": f.value} for f in report.figures],
        "tables": [{"key": t.key, "title": pick(t.title), "columns": [{"key": c.key, "label": pick(c.label), "kind": c.kind} for c in t.columns],
                    "rows": [[cell(v) for v in row] for row in t.rows],
                    "total": None if t.total is None else [cell(v) for v in t.total]} for t in report.tables],
        "notes": [pick(n) for n in report.notes],
    }


def blueprint() -> Blueprint:
    blp = new_blueprint("api_oversight", "Audit status, targets and reports (kiểm tra, chỉ tiêu, báo cáo).")

    @blp.get("/audit/status")
    @blp.arguments(schemas.AuditArgs, location="query")
    @blp.response(200, schemas.AuditStatusOut)
    @document_problems(401, 403, 404)
    @allow(*AUDITORS)
    def audit_status(args: dict[str, Any]) -> Any:
        """Verify every chain in your scope (or an organisation's subtree) now: counts and each broken dossier."""
        org_id = args.get("org_id") or me().org_id
        if args.get("org_id") is not None:
            _org_in_scope(args["org_id"])
        try:
            report = verify(db(), org_id=org_id, since=args.get("since"))
        except NotFound as err:
            fail(404, str(err), "not-found")
        return {"org_id": org_id, "since": args.get("since"), "ok": report.ok, "dossiers": report.dossiers, "entries": report.entries,
                "seconds": round(report.seconds, 3),
                "breaks": [{"dossier_id": b.dossier_id, "seq": b.seq, "kind": b.kind, "detail": b.message} for b in report.breaks]}

    @blp.get("/targets")
    @blp.arguments(schemas.TargetArgs, location="query")
    @blp.response(200, schemas.TargetList)
    @document_problems(401, 403, 404, 422)
    @allow(*READERS)
    def targets(args: dict[str, Any]) -> Any:
        """The targets of an organisation and of those directly below it, for a year or a term."""
        org = _org_in_scope(args.get("org_id"))
        code = _period_code(args.get("period"))
        nodes = org_nodes(db())
        ids = [org["id"], *nodes[org["id"]].children]
        values = figures_db.targets(db(), ids, code)
        items = [{"org_id": i, "org_name": nodes[i].name, "period": code, "category": c, "value": values[(i, c)]}
                 for i in ids for c in CATEGORIES if (i, c) in values]
        return {"org_id": org["id"], "period": code, "categories": list(CATEGORIES), "items": items}

    @blp.put("/targets/<int:org_id>/<period>/<category>")
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": schemas.TargetValue}}})
    @blp.response(200, schemas.TargetOut)
    @document_problems(401, 403, 404, 422)
    @allow(*SETTERS)
    def put_target(org_id: int, period: str, category: str) -> Any:
        """Set (or replace) one target of an organisation directly below one of yours."""
        org = _settable(org_id)
        code = _period_code(period)
        body = json_body()
        errors = schemas.TargetValue().validate(body)
        if errors:
            return invalid(field_errors(errors))
        user = me()
        conn = db()
        try:
            set_target(conn, org_id, code, category, body["value"], user.id, user.full_name, body.get("note"))
        except TargetError as err:
            db_session().rollback()
            return invalid(field_errors({k: [v] for k, v in err.field_errors.items()}))
        _record_target(org, code, category, str(body["value"]))
        return {"org_id": org_id, "org_name": org["name"], "period": code, "category": category, "value": body["value"]}

    @blp.delete("/targets/<int:org_id>/<period>/<category>")
    @blp.response(204)
    @document_problems(401, 403, 404, 422)
    @allow(*SETTERS)
    def delete_target(org_id: int, period: str, category: str) -> Any:
        """Remove one target (the organisation then counts the sum of its children's)."""
        org = _settable(org_id)
        code = _period_code(period)
        if not clear_target(db(), org_id, code, category):
            fail(404, f"Không có chỉ tiêu '{category}' {code} của tổ chức {org_id} (no such target).", "not-found")
        _record_target(org, code, category, "")
        return ""

    @blp.get(f"/reports/<any({', '.join(KINDS)}):kind>")
    @blp.arguments(schemas.ReportArgs, location="query")
    @blp.response(200, schemas.ReportOut)
    @document_problems(401, 403, 404, 422)
    @allow(*READERS)
    def report(args: dict[str, Any], kind: str) -> Any:
        """A report as data: progress, structure, funnel, deadlines or reviews, of an organisation for a period."""
        org = _org_in_scope(args.get("org_id"))
        today = local_today()
        try:
            period = parse_period(args["period"]) if args.get("period") else current_period("year", today)
        except ValueError as err:
            return invalid([{"field": "period", "pointer": "#/period", "detail": str(err)}])
        wf = services().workflow
        built = build_report(Context(db(), wf.params, wf.calendar, lang()), kind, org["id"], period, args.get("as_of") or today)
        user = me()
        record_access(db(), user_id=user.id, user_name=user.full_name, action="export_report", org_id=built.org_id,
                      detail={"kind": kind, "period": built.period.code, "format": "json", "via": "api"}, remote_addr=request.remote_addr)
        db_session().commit()
        return report_json(built, lang())

    return blp
