"""Reports and targets for the organisation board ("báo cáo", "giao chỉ tiêu").

/reports shows any report of an organisation in the user's scope for a period (month, quarter,
half-year, year, term) with its charts, and gives it as Excel or CSV (each download recorded in the
access log: the deadlines report names candidates) and as a printable page laid out like the
seeds' appendix. /targets lets the level above set its organisations' targets for a year or a term
(total and structure) and their start-of-year membership, all in one form: every bad cell is named
and nothing is saved unless all are good.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..db import queries
from ..db import reports as figures_db
from ..db.access_log import record_access
from ..db.targets import TargetError, clear_target, set_membership, set_target, target_period_code
from ..engine.service import local_today
from ..reports.build import KINDS, Context, build_report, org_nodes
from ..reports.charts import chart_svg
from ..reports.excel import report_xlsx
from ..reports.format import cell_text, date_line, total_cells
from ..reports.model import Report
from ..reports.periods import Period, current_period, parse_period
from ..reports.targets import CATEGORIES, STRUCTURE
from ..reports.text import report_csv
from ..workflows.settings import SettingsError, update_settings
from . import db, db_session, services
from .auth import me, roles_required
from .dossiers import scope_orgs
from .i18n import lang

bp = Blueprint("reports", __name__)

READERS = ("branch_committee", "grassroots_staff", "superior_board", "auditor")
SETTERS = ("grassroots_staff", "superior_board")
TARGET_CATEGORIES = ("total", *STRUCTURE, "source:private_worker")  # the rest (each source, mass organisation): CLI
PERIOD_KINDS = ("month", "quarter", "half", "year", "term")
LIMITS = {  # the stages without a time in the Statute, each organisation's own limit (workflows.settings, R-SLA-1)
    "sla_declaration_wd": _l("From the application to the declared biography"),
    "sla_verification_wd": _l("Verification of the biography"),
}


def _chosen_org(orgs: list[dict[str, Any]]) -> dict[str, Any]:
    """The organisation of `?org=` (404 outside the user's scope), else the user's own (or the top one)."""
    raw = request.args.get("org", "").strip()
    if raw:
        found = next((o for o in orgs if str(o["id"]) == raw), None)
        if found is None:
            abort(404)
        return found
    if not orgs:
        abort(404)
    return orgs[0]


def _chosen_period(today: date) -> tuple[Period, str | None]:
    raw = request.args.get("period", "").strip()
    if not raw:
        return current_period("year", today), None
    try:
        return parse_period(raw), None
    except ValueError as err:
        return current_period("year", today), str(err)


def _report(kind: str) -> tuple[Report, list[dict[str, Any]], str | None]:
    if kind not in KINDS:
        abort(404)
    orgs = [o for o in scope_orgs() if o.get("active", True)]
    org = _chosen_org(orgs)
    today = local_today()
    period, error = _chosen_period(today)
    wf = services().workflow
    built = build_report(Context(db(), wf.params, wf.calendar, lang()), kind, org["id"], period, today)
    return built, orgs, error


def _quick_periods(today: date) -> list[Period]:
    return [current_period(kind, today) for kind in PERIOD_KINDS] + [parse_period(str(today.year - 1))]


@bp.get("/reports")
@roles_required(*READERS)
def report_page() -> str:
    kind = request.args.get("kind", "progress")
    built, orgs, error = _report(kind)
    if error:
        flash(error, "error")
    language = lang()
    charts = [Markup(chart_svg(chart, language)) for chart in built.charts]  # noqa: S704 - matplotlib's SVG of our own figures
    printing = request.args.get("print") == "1"
    return render_template("report_print.html" if printing else "report.html", report=built, kind=kind, kinds=KINDS,
                           date_line=date_line(built.as_of, language),
                           orgs=orgs, charts=charts, cell=lambda v, k: cell_text(v, k, language),
                           totals=lambda table: total_cells(table, language),
                           quick=_quick_periods(local_today()), args={"kind": kind, "org": built.org_id,
                                                                        "period": built.period.code})


@bp.get("/reports/<kind>.<fmt>")
@roles_required(*READERS)
def report_download(kind: str, fmt: str) -> Response:
    if fmt not in ("xlsx", "csv"):
        abort(404)
    built, _orgs, error = _report(kind)
    if error:
        abort(400, error)
    user = me()
    record_access(db(), user_id=user.id, user_name=user.full_name, action="export_report",
                  org_id=built.org_id, detail={"kind": kind, "period": built.period.code, "format": fmt, "via": "web"},
                  remote_addr=request.remote_addr)
    db_session().commit()
    name = f"bao-cao-{kind}-{built.org_id}-{built.period.code}"
    if fmt == "xlsx":
        data = report_xlsx(built, lang(), signer=user.full_name)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data = ("\ufeff" + report_csv(built, lang())).encode()
        mimetype = "text/csv; charset=utf-8"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


# -- targets ---------------------------------------------------------------------------------------


def _target_period(today: date) -> tuple[str, str | None]:
    raw = (request.values.get("period") or str(today.year)).strip()
    try:
        return target_period_code(raw), None
    except ValueError as err:
        return str(today.year), str(err)


@bp.route("/targets", methods=["GET", "POST"])
@roles_required(*SETTERS)
def targets_page() -> Any:
    """The targets of the organisations directly below the chosen one (the user's own by default)."""
    orgs = [o for o in scope_orgs() if o.get("active", True)]
    nodes = org_nodes(db())
    parents = [o for o in orgs if nodes[o["id"]].children]
    raw = request.values.get("org", "").strip()
    parent = next((o for o in parents if str(o["id"]) == raw), None) if raw else (parents[0] if parents else None)
    if parent is None:
        abort(404)
    today = local_today()
    code, period_error = _target_period(today)
    if period_error:
        flash(period_error, "error")
    children = [nodes[c] for c in nodes[parent["id"]].children if nodes[c].active]
    year = int(code) if code.isdigit() else None
    errors: dict[str, str] = {}
    if request.method == "POST" and not period_error:
        errors = _save_targets(parent["id"], code, year, [c.id for c in children])
        if not errors:
            flash(_("Targets saved."), "success")
            return redirect(url_for("reports.targets_page", org=parent["id"], period=code))
    ids = [c.id for c in children]
    current = figures_db.targets(db(), ids, code)
    members = figures_db.membership_counts(db(), ids, year) if year else {}
    values = request.form if request.method == "POST" else None
    own_limits = ((queries.org_settings(db(), parent["id"]) or {}).get("params") or {})
    defaults = {name: services().workflow.params.get(name) for name in LIMITS}
    return render_template("targets.html", parent=parent, parents=parents, children=children, code=code, year=year,
                           categories=TARGET_CATEGORIES, current=current, members=members, values=values, errors=errors,
                           labels=CATEGORIES, limits=LIMITS, own_limits=own_limits, defaults=defaults), (422 if errors else 200)


@bp.post("/targets/limits")
@roles_required(*SETTERS)
def limits_post() -> Any:
    """An organisation's own limits for the stages the Statute sets no time for (R-SLA-1), for it and below."""
    orgs = {o["id"]: o for o in scope_orgs() if o.get("active", True)}
    raw_org = request.form.get("org", "")
    org = orgs.get(int(raw_org)) if raw_org.isascii() and raw_org.isdigit() else None
    if org is None:
        abort(404)
    values = {name: request.form.get(name, "").strip() for name in LIMITS}
    current = queries.org_settings(db(), org["id"]) or {}
    try:
        updated = update_settings(current, params={k: v for k, v in values.items() if v},
                                  clear=[k for k, v in values.items() if not v])
    except SettingsError as err:
        for key, message in err.field_errors.items():
            flash(f"{LIMITS.get(key.removeprefix('--param ').strip(), key)}: {message}", "error")
        return redirect(url_for("reports.targets_page", org=org["id"], period=request.form.get("period", "")))
    queries.set_org_settings(db(), org["id"], updated)
    record_access(db(), user_id=me().id, user_name=me().full_name, action="set_stage_limits", org_id=org["id"],
                  detail={"before": current.get("params") or {}, "after": updated.get("params") or {}, "via": "web"},
                  remote_addr=request.remote_addr)
    db_session().commit()
    flash(_("Stage limits saved."), "success")
    return redirect(url_for("reports.targets_page", org=org["id"], period=request.form.get("period", "")))


def _save_targets(parent: int, code: str, year: int | None, children: list[int]) -> dict[str, str]:
    """The cells that changed saved in one transaction (an emptied cell removes its target), or none:
    the errors by cell name. The change is recorded in the access log, cell by cell."""
    user = me()
    errors: dict[str, str] = {}
    changed: dict[str, str] = {}
    session = db_session()
    conn = session.connection()
    current = figures_db.targets(conn, children, code)
    members = figures_db.membership_counts(conn, children, year) if year is not None else {}
    for child in children:
        for category in TARGET_CATEGORIES:
            name = f"t-{child}-{category}"
            raw = request.form.get(name, "").strip()
            before = current.get((child, category))
            if raw == ("" if before is None else str(before)):
                continue
            try:
                if raw:
                    set_target(conn, child, code, category, raw, user.id, user.full_name)
                else:
                    clear_target(conn, child, code, category)
                changed[name] = raw
            except TargetError as err:
                errors[name] = "; ".join(err.field_errors.values())
        raw = request.form.get(f"m-{child}", "").strip()
        if year is not None and raw and raw != str(members.get(child, "")):
            try:
                set_membership(conn, child, year, raw, user.id, user.full_name)
                changed[f"m-{child}"] = raw
            except TargetError as err:
                errors[f"m-{child}"] = "; ".join(err.field_errors.values())
    if errors:
        session.rollback()
        return errors
    if changed:
        record_access(conn, user_id=user.id, user_name=user.full_name, action="set_targets", org_id=parent,
                      detail={"period": code, "cells": changed, "via": "web"}, remote_addr=request.remote_addr)
    session.commit()
    return errors
