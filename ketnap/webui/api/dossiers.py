"""The API's dossiers: list, register a source, read, explain, history, chain check, and one URL per step.

Each step is `POST /dossiers/{id}/transitions/{trigger}` with that step's facts as the body: the body's
schema is the step's own (the one its web form and the CLI validate with), so the OpenAPI document
describes every step exactly. A step needs the dossier's ETag in `If-Match` (428 without it, 412 when
the dossier has moved since), the same optimistic lock the web form's hidden version field gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, NoReturn

from flask import request
from flask_smorest import Blueprint
from marshmallow import ValidationError
from werkzeug.http import parse_etags

from ...db import queries
from ...db.audit_log import verify_dossier
from ...db.dossier_list import DossierFilter, find_dossiers
from ...engine.audit import to_jsonable
from ...engine.errors import BadInput, Conflict, Forbidden, InvalidTransition, NotFound
from ...engine.service import advance, local_today, open_dossier
from ...engine.snapshot import Snapshot
from ...engine.workflow import TransitionSpec, Workflow
from ...workflows.admission import state_label
from ...workflows.deadlines import due_date, entered_on, is_overdue
from ...workflows.schemas import CandidateSchema
from .. import db, db_session, services
from ..auth import DOSSIER_READERS, me
from ..dossiers import _uow, cutoffs, form_context, load_snapshot, scope_branches, scope_orgs, steps_for
from ..forms import NOT_OFFERED, not_offered, schema_of
from ..i18n import lang, pick
from . import allow, fail, new_blueprint, schemas
from .common import candidate_out, document_problems, json_body, page_of, record_view
from .problems import field_errors, invalid, problem, rule_failures

ETAG_HEADER = {"ETag": {"description": "The dossier's version, for If-Match.", "schema": {"type": "string"}}}
IF_MATCH = {"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
            "description": "The ETag of the dossier as last read (GET /dossiers/{dossier_id})."}


def _tag(dossier_id: int, version: int) -> str:
    return f"{dossier_id}.{version}"


def etag(dossier_id: int, version: int) -> str:
    """The dossier's ETag: its ID and version, a strong tag."""
    return f'"{_tag(dossier_id, version)}"'


def dossier_out(snap: Snapshot, warnings: Sequence[Any] = ()) -> dict[str, Any]:
    """Everything a client needs about one dossier, as DossierOut."""
    assert snap.dossier_id is not None
    conn = db()
    row = queries.dossier_row(conn, snap.dossier_id) or {}
    candidate = queries.candidate_row(conn, row["candidate_id"], dossier_id=snap.dossier_id)
    assert candidate is not None  # every dossier has its candidate (foreign key)
    wf = services().workflow
    since = entered_on([(h.from_state, h.to_state, h.act_date) for h in snap.history]) if snap.history else row["state_since"]
    today = local_today()
    chain = [{"id": o.id, "name": o.name, "level_code": o.level} for o in snap.org_chain]
    return {
        "id": snap.dossier_id, "state": snap.state, "state_label": state_label(snap.state, lang()), "version": snap.version,
        "branch": chain[0], "organisations": chain, "opened_on": row["opened_on"], "state_since": since,
        "due_on": due_date(snap.state, since, wf.params, wf.calendar),
        "overdue": is_overdue(snap.state, since, today, wf.params, wf.calendar),
        "candidate": candidate_out(candidate), "facts": to_jsonable(dict(snap.facts)),
        "warnings": rule_failures(warnings, lang()),
    }


def _if_match(dossier_id: int, current: int) -> None:
    """If-Match must name the dossier's current ETag (strong comparison, any of a list): 428 without one or
    with '*' (a step must say which version it was decided on), 412 when none of its tags is current."""
    header = request.headers.get("If-Match", "").strip()
    tags = parse_etags(header)
    if not header or tags.star_tag:
        fail(428, "Gửi If-Match với ETag của hồ sơ vừa đọc (send If-Match with the dossier's ETag as last read).",
             "precondition-required")
    if not tags.contains(_tag(dossier_id, current)):
        _stale(dossier_id, current)


def _stale(dossier_id: int, current: int | None) -> NoReturn:
    headers = {"ETag": etag(dossier_id, current)} if current is not None else {}
    fail(412, f"Hồ sơ {dossier_id} đã thay đổi (phiên bản {current}); đọc lại rồi quyết định lại "
              "(the dossier has changed; read it again).", "precondition-failed", headers, current_version=current)


def take_step(workflow: Workflow, dossier_id: int, trigger: str) -> Any:
    spec = workflow.transitions[trigger]
    snap = load_snapshot(dossier_id)
    actor = me().actor
    if not spec.roles_at(snap.state) & actor.roles:
        fail(403, f"Vai trò của bạn không được làm bước '{trigger}' ở trạng thái này (your role may not take this step here).",
             "forbidden")
    _if_match(dossier_id, snap.version)
    raw = json_body()
    today = local_today()
    if foreign := not_offered(raw, form_context(snap, trigger, today)):  # as the web form: a foreign ID is never looked up
        return invalid(field_errors({name: [message] for name, message in foreign.items()}))
    try:
        result = advance(_uow(), workflow, dossier_id, trigger, raw, actor, snap.version, today=today)
    except Conflict as err:
        _stale(dossier_id, err.current_version)
    except InvalidTransition as err:
        fail(409, str(err), "wrong-state")
    except BadInput as err:
        return invalid(field_errors(err.field_errors))
    except Forbidden as err:
        fail(403, str(err), "forbidden")
    except NotFound as err:
        fail(404, str(err), "not-found")
    if not result.applied:
        return _refused(result.failures)
    db_session().rollback()  # the request's own reads began before the step was written elsewhere: see it
    after = load_snapshot(dossier_id)
    return dossier_out(after, result.warnings), 200, {"ETag": etag(dossier_id, after.version)}


def _refused(failures: list[Any]) -> Any:
    ids = ", ".join(r.rule_id for r in failures)
    return problem(422, f"Bước bị từ chối theo quy định: {ids} (refused by the rules). Không có gì được lưu (nothing was written).",
                   "rule-refused", rules=rule_failures(failures, lang()))


def _new_dossier() -> Any:
    body = json_body()
    try:
        loaded = schemas.NewDossier().load(body)
    except ValidationError as err:
        return invalid(field_errors(err.messages_dict))
    branches = {b["id"] for b in scope_branches(scope_orgs())}
    if loaded["branch_id"] not in branches:
        return invalid([{"field": "branch_id", "pointer": "#/branch_id",
                         "detail": f"Không có chi bộ {loaded['branch_id']} trong phạm vi của bạn (no such branch in your scope)."}])
    subject = loaded["candidate"]
    facts = dict(body["facts"])
    mismatched = [{"field": f"facts.{name}", "pointer": f"#/facts/{name}",
                   "detail": f"Lấy theo candidate.{name}; bỏ trống hoặc ghi giống hệt (taken from candidate.{name}: omit it or repeat it)."}
                  for name in ("source_category", "introducing_mass_org_id")
                  if facts.get(name) is not None and loaded["facts"].get(name) != subject.get(name)]
    if mismatched:
        return invalid(mismatched)
    facts.update(source_category=subject["source_category"], introducing_mass_org_id=subject["introducing_mass_org_id"])
    mass_org = subject["introducing_mass_org_id"]
    if mass_org is not None and mass_org not in queries.mass_org_ids_for_branch(db(), loaded["branch_id"]):
        return invalid([{"field": "candidate.introducing_mass_org_id", "pointer": "#/candidate/introducing_mass_org_id",
                         "detail": NOT_OFFERED}])
    try:
        result = open_dossier(_uow(), services().workflow, subject, loaded["branch_id"], facts, me().actor)
    except BadInput as err:
        fields = set(CandidateSchema().fields)
        return invalid([{**e, "field": f"{'candidate' if e['field'] in fields else 'facts'}.{e['field']}",
                         "pointer": f"#/{'candidate' if e['field'] in fields else 'facts'}/{e['field']}"}
                        for e in field_errors(err.field_errors)])
    except (NotFound, Forbidden) as err:
        fail(403 if isinstance(err, Forbidden) else 404, str(err), "forbidden" if isinstance(err, Forbidden) else "not-found")
    assert result.change is not None
    dossier_id = result.change.dossier_id
    db_session().rollback()  # the request's own reads began before the dossier was written elsewhere: see it
    snap = load_snapshot(dossier_id)
    return dossier_out(snap), 201, {"ETag": etag(dossier_id, snap.version), "Location": f"{request.path}/{dossier_id}"}


def _step_doc(trigger: str, spec: TransitionSpec, schema: type[Any] | None) -> dict[str, Any]:
    body_schema: Any = schema if schema is not None else {"type": "object"}
    roles = ", ".join(sorted(spec.roles))
    rules = ", ".join(spec.rules) or "—"
    return {
        "summary": f"{spec.label.vi} ({spec.label.en})",
        "description": f"Trigger `{trigger}`. From: {', '.join(spec.sources)}. To: {spec.dest or 'the `target_state` in the body'}. "
                       f"Roles: {roles}. Rules judged: {rules}. The act's date is `{spec.date_field}`.",
        "parameters": [IF_MATCH],
        "requestBody": {"required": True, "content": {"application/json": {"schema": body_schema}}},
    }


def blueprint(workflow: Workflow) -> Blueprint:
    blp = new_blueprint("api_dossiers", "Admission dossiers and their steps (hồ sơ kết nạp đảng viên).")

    @blp.get("/dossiers")
    @blp.arguments(schemas.DossierArgs, location="query")
    @blp.response(200, schemas.DossierPageOut)
    @document_problems(401, 403, 404)
    @allow(*DOSSIER_READERS)
    def dossier_list(args: dict[str, Any]) -> Any:
        """Dossiers in your scope: filter, sort, one page."""
        branch_id = args.get("branch_id")
        if branch_id is not None and branch_id not in {b["id"] for b in scope_branches(scope_orgs())}:
            fail(404, f"Không có chi bộ {branch_id} trong phạm vi của bạn (no such branch in your scope).", "not-found")
        filt = DossierFilter(org_id=me().org_id, branch_id=branch_id, states=tuple(args.get("state") or ()),
                             source_category=args.get("source_category"), overdue=bool(args.get("overdue")),
                             search=args.get("q") or "", sort=args["sort"], page=args["page"], per_page=args["per_page"])
        found = find_dossiers(db(), filt, cutoffs(local_today()))
        rows = [{**row, "state_label": state_label(row["state"], lang())} for row in found.rows]
        return page_of(rows, found.total, args)

    @blp.post("/dossiers")
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": schemas.NewDossier}}})
    @blp.response(201, schemas.DossierOut, headers={**ETAG_HEADER, "Location": {"description": "The new dossier's address.",
                                                                                "schema": {"type": "string"}}})
    @document_problems(401, 403, 404, 422)
    @allow(*sorted(workflow.transitions["register_source"].roles))
    def register_source() -> Any:
        """Register a person as a source ("nguồn") of a branch: a new dossier."""
        return _new_dossier()

    @blp.get("/dossiers/<int:dossier_id>")
    @blp.response(200, schemas.DossierOut, headers=ETAG_HEADER)
    @document_problems(401, 403, 404)
    @allow(*DOSSIER_READERS)
    def dossier(dossier_id: int) -> Any:
        """One dossier: state, version (ETag), candidate, the facts in force, the deadline (recorded in the access log)."""
        snap = load_snapshot(dossier_id)
        record_view(dossier_id, snap.org_chain[0].id)
        return dossier_out(snap), 200, {"ETag": etag(dossier_id, snap.version)}

    @blp.get("/dossiers/<int:dossier_id>/explain")
    @blp.arguments(schemas.AsOfArgs, location="query")
    @blp.response(200, schemas.ExplainOut)
    @document_problems(401, 403, 404)
    @allow(*DOSSIER_READERS)
    def explain_steps(args: dict[str, Any], dossier_id: int) -> Any:
        """Each step leaving the current state: whether your role may take it and every rule's verdict as of a day."""
        snap = load_snapshot(dossier_id)
        as_of: date = args.get("as_of") or local_today()
        steps = [{"trigger": a["trigger"], "label": pick(a["spec"].label), "dest": a["evaluation"].dest, "roles": a["roles"],
                  "role_allowed": a["role_ok"], "allowed": not a["evaluation"].failures, "rule_set": a["evaluation"].rule_set,
                  "results": rule_failures(a["evaluation"].results, lang())} for a in steps_for(snap, as_of)]
        return {"dossier_id": dossier_id, "state": snap.state, "as_of": as_of, "steps": steps}

    @blp.get("/dossiers/<int:dossier_id>/history")
    @blp.response(200, schemas.HistoryOut)
    @document_problems(401, 403, 404)
    @allow(*DOSSIER_READERS)
    def history(dossier_id: int) -> Any:
        """The dossier's transition log, hash-chained, oldest first (recorded in the access log)."""
        snap = load_snapshot(dossier_id)
        record_view(dossier_id, snap.org_chain[0].id)
        return {"dossier_id": dossier_id, "items": queries.history(db(), dossier_id)}

    @blp.get("/dossiers/<int:dossier_id>/audit")
    @blp.response(200, schemas.DossierAuditOut)
    @document_problems(401, 403, 404)
    @allow(*DOSSIER_READERS)
    def dossier_audit(dossier_id: int) -> Any:
        """Whether the dossier's chain holds together, and its first break if not."""
        load_snapshot(dossier_id)
        verdict = verify_dossier(db(), dossier_id)
        row = queries.dossier_row(db(), dossier_id) or {}
        broken = verdict.first_break
        return {"dossier_id": dossier_id, "ok": verdict.ok, "entries": verdict.entries, "head_hash": row.get("head_hash", ""),
                "first_break": None if broken is None else
                {"dossier_id": broken.dossier_id, "seq": broken.seq, "kind": broken.kind, "detail": broken.message}}

    for trigger, spec in workflow.transitions.items():
        if trigger != "register_source":
            _add_step(blp, workflow, trigger, spec)
    return blp


def _add_step(blp: Blueprint, workflow: Workflow, trigger: str, spec: TransitionSpec) -> None:
    try:
        schema: type[Any] | None = schema_of(spec)
    except TypeError:
        schema = None

    @blp.route(f"/dossiers/<int:dossier_id>/transitions/{trigger}", methods=["POST"], endpoint=f"step_{trigger}")
    @blp.doc(**_step_doc(trigger, spec, schema))
    @blp.response(200, schemas.DossierOut, headers=ETAG_HEADER)
    @document_problems(401, 403, 404, 409, 412, 422, 428)
    def step(dossier_id: int) -> Any:
        return take_step(workflow, dossier_id, trigger)
