"""Dossier pages: the dashboard, the list, one dossier with its actions, adding a source, the printable summary.

Every view reads through the request's session and acts through engine.service (advance,
open_dossier): the same use cases as the CLI. A dossier outside the user's organisation answers 404.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from ..db import queries
from ..db.access_log import record_access
from ..db.dossier_list import SORTS, DossierFilter, count_by_state, find_dossiers
from ..db.models import MassOrganisation, Member, Organisation, TransitionLog, table_of
from ..db.reports import reviews_in
from ..db.repository import SqlUnitOfWork
from ..engine.errors import BadInput, Conflict, Forbidden, InvalidTransition, NotFound
from ..engine.service import advance, explain, local_today, open_dossier
from ..engine.snapshot import Snapshot
from ..engine.workflow import Evaluation
from ..reports.build import Context, due_lists
from ..workflows import vocab
from ..workflows.admission import HAPPY_PATH, ORDER, OTHER_ENDS, TERMINAL, state_label
from ..workflows.deadlines import due_date, entered_on, overdue_cutoffs
from ..workflows.rules import competent_body
from ..workflows.schemas import CandidateSchema, RegisterSource, codec
from . import db, db_session, services
from .args import int_arg
from .auth import DOSSIER_READERS, me, roles_required
from .diagram import workflow_svg
from .forms import FormContext, build_form, error_keys, field_names, not_offered, raw_values, schema_of, today_text
from .i18n import lang, pick

bp = Blueprint("dossiers", __name__)
_m = table_of(Member)
_o = table_of(Organisation)
_mo = table_of(MassOrganisation)
_t = table_of(TransitionLog)

ALL_STATES = [name for name, _vi, _en in (*HAPPY_PATH, *OTHER_ENDS)]


# -- scope -------------------------------------------------------------------------------------


def scope_orgs() -> list[dict[str, Any]]:
    """The organisations the user sees (their subtree; everything for a user without one), tree order."""
    tree = queries.org_tree(db())
    root = me().org_id
    if root is None:
        return tree
    out: list[dict[str, Any]] = []
    inside_depth: int | None = None
    for row in tree:
        if inside_depth is not None and row["depth"] <= inside_depth:
            inside_depth = None
        if row["id"] == root:
            inside_depth = row["depth"]
        if inside_depth is not None:
            out.append(row)
    return out


def scope_branches(orgs: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [o for o in orgs if o["level_code"] in vocab.DOSSIER_LEVELS]


def cutoffs(today: date) -> dict[str, date]:
    wf = services().workflow
    return overdue_cutoffs(today, wf.params, wf.calendar)


def waiting_states(role: str) -> list[str]:
    """States whose next step forward is this role's to take."""
    wf = services().workflow
    states = []
    for state in ORDER:
        for trigger in wf.triggers_from(state):
            spec = wf.transitions[trigger]
            forward = spec.dest in ORDER and ORDER.index(spec.dest) > ORDER.index(state)
            # Grassroots staff may also take the branch's steps; only the steps the branch cannot take wait on them.
            theirs = role in spec.roles and (role == "branch_committee" or "branch_committee" not in spec.roles)
            if forward and theirs and state not in states:
                states.append(state)
    return states


# -- dashboard and list ------------------------------------------------------------------------


@bp.get("/")
@login_required
def dashboard() -> Any:
    if me().role not in DOSSIER_READERS:
        return redirect(url_for("admin.index"))
    today = local_today()
    conn = db()
    counts = count_by_state(conn, me().org_id)
    cut = cutoffs(today)
    waiting = waiting_states(me().role) if me().can_act else []
    waiting_page = find_dossiers(conn, DossierFilter(org_id=me().org_id, states=tuple(waiting), sort="since", per_page=10), cut) if waiting else None
    overdue_page = find_dossiers(conn, DossierFilter(org_id=me().org_id, overdue=True, sort="since", per_page=10), cut)
    wf = services().workflow
    branches = [b["id"] for b in scope_branches(scope_orgs())]
    ctx = Context(conn, wf.params, wf.calendar)
    soon = due_lists(ctx, branches, today, limit=10, overdue=False)  # the overdue card reads the dossier list's filter
    reviewed = reviews_in(conn, branches, f"{today:%Y-%m}", f"{today:%Y-%m}")
    unreviewed = [b for b in scope_branches(scope_orgs()) if b["id"] not in reviewed and b.get("active", True)]
    return render_template(
        "dashboard.html", counts=counts, states=ALL_STATES, total=sum(counts.values()), waiting=waiting, waiting_page=waiting_page,
        overdue_page=overdue_page, overdue_total=overdue_page.total, today=today, soon=soon, soon_rows=[(row, soon.due(ctx, row)) for row in soon.due_soon[1]],
        soon_total=sum(soon.due_soon[0].values()), unreviewed=unreviewed, branch_total=len(branches),
    )


@bp.get("/dossiers")
@roles_required(*DOSSIER_READERS)
def dossier_list() -> str:
    orgs = scope_orgs()
    branches = scope_branches(orgs)
    branch_id = int_arg("branch")
    if branch_id is not None and branch_id not in {b["id"] for b in branches}:
        branch_id = None
    states = tuple(s for s in request.args.getlist("state") if s in ALL_STATES)
    category = request.args.get("category") if request.args.get("category") in vocab.SOURCE_CATEGORIES else None
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "-updated"
    filt = DossierFilter(
        org_id=me().org_id, branch_id=branch_id, states=states, source_category=category, overdue=request.args.get("overdue") == "1",
        search=request.args.get("q", "")[:100], sort=sort or "-updated", page=int_arg("page", 1, maximum=1_000_000) or 1,
        per_page=int_arg("per_page", 50, maximum=1000) or 50,
    )
    page = find_dossiers(db(), filt, cutoffs(local_today()))
    return render_template("dossier_list.html", page=page, filt=filt, branches=branches, states=ALL_STATES,
                           categories=vocab.SOURCE_CATEGORIES, sorts=list(SORTS))


# -- one dossier -----------------------------------------------------------------------------


def _uow() -> SqlUnitOfWork:
    svc = services()
    return SqlUnitOfWork(svc.engine, svc.workflow)


def load_snapshot(dossier_id: int) -> Snapshot:
    """The dossier, or 404 when it does not exist or lies outside the user's organisation."""
    try:
        with _uow() as uow:
            snap = uow.dossiers.snapshot(dossier_id)
    except NotFound:
        abort(404)
    if me().org_id is not None and not any(o.id == me().org_id for o in snap.org_chain):
        abort(404)
    return snap


@dataclass(frozen=True)
class People:
    """Who a dossier's forms may name: the branch's official members and the mass organisations above it."""

    members: list[Any]
    mass_orgs: list[Any]


def people_of(snap: Snapshot) -> People:
    """Two queries, once per page, whatever the number of forms on it."""
    conn = db()
    branch = snap.org_chain[0]
    members = conn.execute(
        select(_m.c.id, _m.c.full_name, _m.c.date_of_birth).where(_m.c.branch_id == branch.id, _m.c.status == "official")
        .order_by(_m.c.full_name, _m.c.id)
    ).all()
    grassroots_ids = [o.id for o in snap.org_chain if o.level in vocab.GRASSROOTS_LEVELS] or [branch.id]
    mass = conn.execute(select(_mo.c.id, _mo.c.name).where(_mo.c.org_id.in_(grassroots_ids)).order_by(_mo.c.id)).all()
    return People(list(members), list(mass))


def form_context(snap: Snapshot, trigger: str | None, today: date, people: People | None = None) -> FormContext:
    people = people or people_of(snap)
    members, mass = people.members, people.mass_orgs
    wf = services().workflow
    defaults: dict[str, Any] = {}
    if trigger:
        spec = wf.transitions[trigger]
        defaults[spec.date_field] = today_text(today)
        if "official_total" in schema_of(spec)().fields:
            defaults["official_total"] = str(len(members))
        if "deciding_org_id" in schema_of(spec)().fields and (body := competent_body(snap.org_chain)):
            defaults["deciding_org_id"], defaults["deciding_body"] = str(body[0].id), body[1]
    return FormContext(
        lang=lang(),
        members=[(m.id, f"{m.full_name} ({m.date_of_birth:%Y})" if m.date_of_birth else m.full_name) for m in members],
        orgs=[(o.id, o.name) for o in snap.org_chain[1:]],
        mass_orgs=[(m.id, m.name) for m in mass],
        targets=[(t, state_label(t, lang())) for t in wf.targets("return_for_rework", snap.state)]
        if "return_for_rework" in wf.triggers_from(snap.state) else [],
        defaults=defaults,
    )


def steps_for(snap: Snapshot, today: date) -> list[dict[str, Any]]:
    """Every step leaving the current state: whether this user may take it now, and why not."""
    wf = services().workflow
    out = []
    for ev in explain(wf, snap, today):
        spec = wf.transitions[ev.trigger]
        roles = spec.roles_at(snap.state)
        role_ok = bool(roles & me().actor.roles)
        out.append({"trigger": ev.trigger, "spec": spec, "evaluation": ev, "role_ok": role_ok,
                    "possible": role_ok and not ev.failures, "roles": sorted(roles)})
    return out


def _timeline(dossier_id: int) -> list[dict[str, Any]]:
    return queries.history(db(), dossier_id)


def render_dossier(snap: Snapshot, active: str | None = None, form: Any = None, errors: Mapping[str, list[str]] | None = None,
                   refusal: Evaluation | None = None, notice: str | None = None, status: int = 200) -> tuple[str, int]:
    today = local_today()
    wf = services().workflow
    actions = steps_for(snap, today)
    forms = {}
    people = people_of(snap) if any(a["possible"] for a in actions) else None
    for action in actions:
        if action["possible"]:
            trigger = action["trigger"]
            forms[trigger] = form if trigger == active and form is not None else build_form(
                schema_of(action["spec"]), form_context(snap, trigger, today, people), prefix=trigger)
    timeline = _timeline(snap.dossier_id or 0)
    path = [e["to_state"] for e in timeline]
    edges = [(e["from_state"], e["to_state"]) for e in timeline if e["from_state"]]
    try:
        diagram = workflow_svg(wf, lang(), snap.state, tuple(path), tuple(edges))
    except RuntimeError as err:
        diagram = None
        notice = notice or str(err)
    since = entered_on([(e["from_state"], e["to_state"], e["act_date"]) for e in timeline]) if timeline else None
    due = due_date(snap.state, since, wf.params, wf.calendar) if since else None
    shown = field_names(forms[active]) if active in forms else set()
    stray = {name: messages for name, messages in (errors or {}).items() if name not in shown}
    return render_template(
        "dossier.html", snap=snap, actions=actions, forms=forms, active=active, errors=errors or {}, refusal=refusal, notice=notice,
        timeline=timeline, diagram=diagram, due=due, today=today, terminal=snap.state in TERMINAL, stray=stray, since=since,
        labels_of=wf.transitions, org_names={o.id: o.name for o in snap.org_chain},
    ), status


def log_access(action: str, snap: Snapshot) -> None:
    """Record that the signed-in user saw this dossier's personal data (Decree 13/2023/NĐ-CP)."""
    record_access(db(), user_id=me().id, user_name=me().full_name, action=action, dossier_id=snap.dossier_id,
                  org_id=snap.org_chain[0].id if snap.org_chain else None, remote_addr=request.remote_addr)
    db_session().commit()


@bp.get("/dossiers/<int:dossier_id>")
@roles_required(*DOSSIER_READERS)
def dossier(dossier_id: int) -> tuple[str, int]:
    snap = load_snapshot(dossier_id)
    log_access("view_dossier", snap)
    return render_dossier(snap)


def _last_change(dossier_id: int) -> Mapping[str, Any] | None:
    row = db().execute(select(_t.c.actor_name, _t.c.at).where(_t.c.dossier_id == dossier_id).order_by(_t.c.seq.desc()).limit(1)).first()
    return dict(row._mapping) if row is not None else None


@bp.post("/dossiers/<int:dossier_id>/act/<trigger>")
@roles_required("branch_committee", "grassroots_staff", "superior_board")
def act(dossier_id: int, trigger: str) -> Any:
    wf = services().workflow
    spec = wf.transitions.get(trigger)
    if spec is None:
        abort(404)
    snap = load_snapshot(dossier_id)
    today = local_today()
    ctx = form_context(snap, trigger, today)
    form = build_form(schema_of(spec), ctx, prefix=trigger, formdata=request.form)
    raw = raw_values(form, schema_of(spec))
    version = request.form.get("version", type=int)
    if version is None:
        abort(400)
    if foreign := not_offered(raw, ctx):
        return render_dossier(snap, trigger, form, errors=error_keys(foreign, trigger, form), status=422)
    try:
        result = advance(_uow(), wf, dossier_id, trigger, raw, me().actor, version, today=today)
    except Forbidden:
        abort(403)
    except NotFound:
        abort(404)
    except Conflict:
        db().rollback()
        last = _last_change(dossier_id)
        who = last["actor_name"] if last else "?"
        when = last["at"] if last else None
        from .i18n import fmt_datetime

        notice = _("This dossier was changed by %(who)s at %(when)s while you were typing. Reload it, check, then try again.",
                   who=who, when=fmt_datetime(when))
        return render_dossier(load_snapshot(dossier_id), trigger, form, notice=notice, status=409)
    except InvalidTransition:
        db().rollback()
        notice = _("This step is no longer possible: the dossier has moved on. Reload it.")
        return render_dossier(load_snapshot(dossier_id), None, None, notice=notice, status=409)
    except BadInput as err:
        return render_dossier(snap, trigger, form, errors=error_keys(err.field_errors, trigger, form), status=422)
    if not result.applied:
        return render_dossier(snap, trigger, form, refusal=result.evaluation, status=422)
    flash(_("Done: %(step)s.", step=pick(spec.label)), "success")
    for warning in result.warnings:
        flash(f"{warning.rule_id}: {warning.message(lang())} [{warning.rule.citation}]", "warning")
    return redirect(url_for("dossiers.dossier", dossier_id=dossier_id))


@bp.get("/dossiers/<int:dossier_id>/print")
@roles_required(*DOSSIER_READERS)
def print_summary(dossier_id: int) -> str:
    snap = load_snapshot(dossier_id)
    log_access("print_dossier", snap)
    return render_template("print.html", snap=snap, timeline=_timeline(dossier_id), today=local_today(), labels_of=services().workflow.transitions,
                           org_names={o.id: o.name for o in snap.org_chain})


# -- adding a source -------------------------------------------------------------------------


def _new_source_forms(orgs: Sequence[Mapping[str, Any]], formdata: Any = None) -> tuple[Any, Any]:
    ids = [o["id"] for o in orgs]
    mass = db().execute(select(_mo.c.id, _mo.c.name).where(_mo.c.org_id.in_(ids)).order_by(_mo.c.name)).all()
    ctx = FormContext(lang=lang(), mass_orgs=[(m.id, m.name) for m in mass], defaults={"source_category": "other"})
    person = build_form(CandidateSchema, ctx, prefix="c", formdata=formdata)
    act = build_form(RegisterSource, FormContext(lang=lang(), defaults={"registered_on": today_text(local_today())}), prefix="r",
                     formdata=formdata)
    return person, act


@bp.route("/dossiers/new", methods=["GET", "POST"])
@roles_required("branch_committee", "grassroots_staff")
def new_source() -> Any:
    orgs = scope_orgs()
    branches = scope_branches(orgs)
    formdata = request.form if request.method == "POST" else None
    person, act_form = _new_source_forms(orgs, formdata)
    errors: dict[str, list[str]] = {}
    branch_id = request.form.get("branch_id", type=int) if formdata is not None else (branches[0]["id"] if len(branches) == 1 else None)
    if formdata is not None:
        if branch_id not in {b["id"] for b in branches}:
            errors["branch_id"] = [_("Choose the branch that will keep the dossier.")]
        subject_raw = raw_values(person, CandidateSchema)
        act_raw = raw_values(act_form, RegisterSource)
        act_raw.update({k: subject_raw[k] for k in ("source_category", "introducing_mass_org_id") if k in subject_raw})
        subject: dict[str, Any] = {}
        try:
            subject = codec(CandidateSchema)(subject_raw)
        except BadInput as err:
            errors.update(error_keys(err.field_errors, "c"))
        try:
            codec(RegisterSource)(act_raw)
        except BadInput as err:
            errors.update(error_keys({k: v for k, v in err.field_errors.items() if k not in subject_raw}, "r"))
        if not errors and branch_id is not None:
            try:
                result = open_dossier(_uow(), services().workflow, subject, branch_id, act_raw, me().actor)
            except BadInput as err:
                errors.update(error_keys(err.field_errors, "r"))
            except (NotFound, Forbidden):
                abort(404)
            else:
                assert result.change is not None
                flash(_("Added %(name)s as a source of the branch.", name=subject["full_name"]), "success")
                return redirect(url_for("dossiers.dossier", dossier_id=result.change.dossier_id))
    status = 422 if errors else 200
    former_open = any(k.startswith("c-former_member-") for k in errors)
    return render_template("new_source.html", person=person, act=act_form, branches=branches, branch_id=branch_id, errors=errors,
                           former_open=former_open), status
