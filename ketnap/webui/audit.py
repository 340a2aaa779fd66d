"""The auditor's pages ("ủy ban kiểm tra"): log search, a dossier's audited timeline, anomalies, access log, exports.

Auditors only: they read everything in their organisation's subtree, the transition log and the
access log, and change nothing. The superior board reads its dossiers (and their histories) on the
dossier pages, but searching the whole log, the anomalies and who read what are the inspection's
tools, kept with the body that inspects the committees. A dossier outside the auditor's subtree
answers 404, as everywhere.

The pages read through ketnap.db.audit_queries (the search's indexes are explained there) and
ketnap.db.audit_log (chain verification, exports). Viewing a dossier's audited timeline, which
shows the facts recorded, counts as a view of the dossier in the access log; every export is
recorded before its first byte is sent.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.wrappers import Response as WerkzeugResponse

from ..db import audit_queries as aq
from ..db.access_log import ACTIONS, record_access
from ..db.audit_log import export_entries, verify_dossier, write_csv, write_jsonl
from ..engine.errors import NotFound
from ..engine.service import local_today
from ..workflows.deadlines import DEADLINES
from ..workflows.rules import CATALOGUE
from ..workflows.schemas import VNDate
from . import db, db_session, services
from .args import int_arg
from .auth import me, roles_required
from .dossiers import scope_orgs
from .i18n import lang, pick

bp = Blueprint("audit", __name__, url_prefix="/audit")

AUDITORS = ("auditor",)
PER_PAGE = 50
EXPORT_BATCH = 500
# Waiting in these states past the deadline: the decision, the ceremony, recognition (anomalies page).
OVERDUE_GROUPS = {
    "decision": ("branch_approved", "committee_approved"),
    "ceremony": ("admission_decided",),
    "recognition": ("probationary", "recognition_proposed"),
}
SLA_STATES = ("applied", "under_verification")  # stages whose limit the organisation may set (R-SLA-1)
LATE_RULES = tuple(sorted({deadline.rule_id for deadline in DEADLINES.values()}))
REWORK_MORE_THAN = 2
DECLARED_MORE_THAN = 1
EXPORT_TYPES = {"csv": ("text/csv; charset=utf-8", write_csv), "jsonl": ("application/jsonl; charset=utf-8", write_jsonl)}


# -- shared pieces -----------------------------------------------------------------------------


def my_scope() -> aq.OrgScope:
    return aq.org_scope(db(), me().org_id)


def _in_scope(scope: aq.OrgScope, org_id: int) -> bool:
    return scope.org_ids is None or org_id in scope.org_ids


def _dossier_or_404(dossier_id: int) -> dict[str, Any]:
    header = aq.dossier_header(db(), dossier_id)
    if header is None or not _in_scope(my_scope(), header["branch_id"]):
        abort(404)
    return header


@dataclass
class Filters:
    """What a filter form asked for, as typed (to show it again) and as understood, with the errors by field."""

    typed: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def day(self, name: str, label: str) -> date | None:
        raw = self.typed.get(name, "")
        if not raw:
            return None
        try:
            day: date = VNDate().deserialize(raw)
        except ValidationError:
            self.error(name, _("%(field)s: not a valid date; write it as dd/mm/yyyy.", field=label))
            return None
        return day

    def date_range(self) -> tuple[date | None, date | None]:
        first, last = self.day("from", _("From")), self.day("to", _("To"))
        if first and last and last < first:
            self.error("to", _("%(field)s cannot be before %(other)s.", field=_("To"), other=_("From")))
        return first, last

    def choice(self, name: str, label: str, allowed: Iterable[str]) -> str | None:
        raw = self.typed.get(name, "")
        if not raw:
            return None
        if raw not in allowed:
            self.error(name, _("%(field)s: choose one of the choices offered.", field=label))
            return None
        return raw

    def number(self, name: str, label: str) -> int | None:
        raw = self.typed.get(name, "")
        if not raw:
            return None
        if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
            self.error(name, _("%(field)s: write a whole number.", field=label))
            return None
        return int(raw)


def _filters(*names: str) -> Filters:
    return Filters({name: request.args.get(name, "").strip()[:200] for name in names})


def _org_filter(f: Filters, orgs: Sequence[Mapping[str, Any]]) -> aq.OrgScope:
    """The organisation asked for (its subtree), else the auditor's own scope."""
    chosen = f.choice("org", _("Organisation"), [str(o["id"]) for o in orgs])
    return aq.org_scope(db(), int(chosen) if chosen else me().org_id)


def _trigger_labels() -> list[tuple[str, str]]:
    return [(trigger, pick(spec.label)) for trigger, spec in services().workflow.transitions.items()]


def _rule_choices() -> list[tuple[str, str]]:
    return [(rule.id, pick(rule.title)) for rule in CATALOGUE if rule.func is not None]


def _older_url(older: int | None) -> str | None:
    """This search's next page: the same arguments, entries older than `older`."""
    if older is None:
        return None
    return f"{request.path}?{urlencode({**request.args.to_dict(), 'before': older})}"


def _newest_url() -> str | None:
    """This search's first page, when not on it."""
    if "before" not in request.args:
        return None
    return f"{request.path}?{urlencode({k: v for k, v in request.args.items() if k != 'before'})}"


# -- the log search ----------------------------------------------------------------------------


@bp.get("/")
@roles_required(*AUDITORS)
def index() -> WerkzeugResponse:
    return redirect(url_for("audit.log_search"))


@bp.get("/log")
@roles_required(*AUDITORS)
def log_search() -> tuple[str, int]:
    conn = db()
    orgs = scope_orgs()
    triggers = _trigger_labels()
    rules = _rule_choices()
    f = _filters("org", "from", "to", "actor", "trigger", "rule", "flagged")
    scope = _org_filter(f, orgs)
    first, last = f.date_range()
    trigger = f.choice("trigger", _("Step"), [t for t, _label in triggers])
    rule_id = f.choice("rule", _("Rule judged"), [r for r, _title in rules])
    if f.typed["flagged"] and not f.typed["rule"]:
        f.error("rule", _("%(field)s: choose the rule whose warnings you want.", field=_("Rule judged")))
    names = aq.actor_names(conn)
    actors = aq.matching_actors(names, f.typed["actor"]) if f.typed["actor"] else None
    page = aq.LogPage([], None)
    if not f.errors:
        start, end = aq.day_bounds(first, last)
        query = aq.LogQuery(scope=scope, start=start, end=end, actors=actors, trigger=trigger, rule_id=rule_id,
                            flagged=bool(rule_id) and f.typed["flagged"] == "1", before=int_arg("before"),
                            per_page=int_arg("per_page", PER_PAGE, aq.MAX_PER_PAGE) or PER_PAGE)
        page = aq.search_log(conn, query)
    labels = dict(triggers)
    return render_template(
        "audit_log.html", f=f, orgs=orgs, triggers=triggers, rules=rules, actor_names=names, page=page, labels=labels,
        matched=actors, older_url=_older_url(page.older), newest_url=_newest_url(),
    ), 422 if f.errors else 200


# -- one dossier's audited timeline ------------------------------------------------------------


@bp.get("/dossiers/<int:dossier_id>")
@roles_required(*AUDITORS)
def timeline(dossier_id: int) -> str:
    conn = db()
    header = _dossier_or_404(dossier_id)
    entries = aq.dossier_log(conn, dossier_id)
    try:
        verdict = verify_dossier(conn, dossier_id)
    except NotFound:
        abort(404)
    record_access(conn, user_id=me().id, user_name=me().full_name, action="view_dossier", dossier_id=dossier_id,
                  org_id=header["branch_id"], detail={"page": "audit"}, remote_addr=request.remote_addr)
    db_session().commit()
    broken = verdict.first_break
    rules = {rule.id: rule for rule in CATALOGUE}
    return render_template("audit_timeline.html", d=header, entries=entries, verdict=verdict, broken=broken,
                           labels=dict(_trigger_labels()), rules=rules)


# -- exports -----------------------------------------------------------------------------------


class _Chunks(io.StringIO):
    """A text buffer handed to a writer; `take()` empties it."""

    def take(self) -> str:
        text = self.getvalue()
        self.seek(0)
        self.truncate()
        return text


def stream_export(write: Callable[[Iterable[dict[str, Any]], IO[str]], int],
                  entries: Callable[[], Iterator[dict[str, Any]]]) -> Iterator[str]:
    """The writer's output in pieces of EXPORT_BATCH entries, so that an export of any size is sent as it is read.

    The writer is called once with no entry for what opens the file (CSV: byte-order mark and
    header), then once per batch, each batch's opening left out. `entries` is called when sending
    starts: the view's own session is closed by then, and the entries are read on a new one.
    """
    buffer = _Chunks()
    write([], buffer)
    opening = buffer.take()
    yield opening
    rows = entries()
    while batch := list(itertools.islice(rows, EXPORT_BATCH)):
        write(batch, buffer)
        yield buffer.take()[len(opening):]


def _export(kind: str, filename: str, entries: Callable[[], Iterator[dict[str, Any]]]) -> Response:
    mimetype, write = EXPORT_TYPES[kind]
    response = Response(stream_with_context(stream_export(write, entries)), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    return response


@bp.get("/dossiers/<int:dossier_id>/export.<kind>")
@roles_required(*AUDITORS)
def export_dossier(dossier_id: int, kind: str) -> Response:
    if kind not in EXPORT_TYPES:
        abort(404)
    header = _dossier_or_404(dossier_id)
    record_access(db(), user_id=me().id, user_name=me().full_name, action="export_dossier_log", dossier_id=dossier_id,
                  org_id=header["branch_id"], detail={"format": kind}, remote_addr=request.remote_addr)
    db_session().commit()
    return _export(kind, f"nhat-ky-ho-so-{dossier_id}", lambda: export_entries(db(), dossier_id=dossier_id))


@bp.get("/log/export.<kind>")
@roles_required(*AUDITORS)
def export_org(kind: str) -> Response:
    """An organisation's log (`?org=ID`, within scope); without one, the auditor's whole scope."""
    if kind not in EXPORT_TYPES:
        abort(404)
    org_id = int_arg("org") if request.args.get("org") else me().org_id
    if request.args.get("org") and (org_id is None or not any(o["id"] == org_id for o in scope_orgs())):
        abort(404)
    record_access(db(), user_id=me().id, user_name=me().full_name, action="export_org_log", org_id=org_id,
                  detail={"format": kind}, remote_addr=request.remote_addr)
    db_session().commit()
    name = f"nhat-ky-to-chuc-{org_id}" if org_id is not None else "nhat-ky-toan-bo"
    return _export(kind, name, lambda: export_entries(db(), org_id=org_id))


# -- anomalies ---------------------------------------------------------------------------------


@bp.get("/anomalies")
@roles_required(*AUDITORS)
def anomalies() -> tuple[str, int]:
    conn = db()
    today = local_today()
    orgs = scope_orgs()
    f = _filters("org")
    scope = _org_filter(f, orgs)
    wf = services().workflow
    cutoffs = {branch: days for branch, days in aq.branch_cutoffs(conn, today, wf.params, wf.calendar).items() if _in_scope(scope, branch)}
    overdue = aq.late_dossiers(conn, cutoffs, tuple(state for states in OVERDUE_GROUPS.values() for state in states))
    open_too_long = aq.late_dossiers(conn, cutoffs, SLA_STATES)
    late_steps = aq.flagged_steps(conn, scope, LATE_RULES)
    rework = aq.repeated_steps(conn, scope, "return_for_rework", REWORK_MORE_THAN)
    declared = aq.repeated_steps(conn, scope, "declare_biography", DECLARED_MORE_THAN)
    return render_template(
        "audit_anomalies.html", f=f, orgs=orgs, overdue=overdue, overdue_groups=OVERDUE_GROUPS, open_too_long=open_too_long,
        sla_states=SLA_STATES, late_steps=late_steps, late_rules=LATE_RULES, rework=rework, declared=declared,
        rework_more_than=REWORK_MORE_THAN, declared_more_than=DECLARED_MORE_THAN, labels=dict(_trigger_labels()),
        rules={rule.id: rule for rule in CATALOGUE},
    ), 422 if f.errors else 200


# -- the access log ----------------------------------------------------------------------------


@bp.get("/access")
@roles_required(*AUDITORS)
def access() -> tuple[str, int]:
    conn = db()
    scope = my_scope()
    users = aq.users_in(conn, scope)
    f = _filters("user", "dossier", "action", "from", "to")
    user = f.choice("user", _("User"), [str(u["id"]) for u in users])
    dossier_id = f.number("dossier", _("Dossier number"))
    action = f.choice("action", _("Action"), list(ACTIONS))
    first, last = f.date_range()
    page = aq.LogPage([], None)
    if not f.errors:
        start, end = aq.day_bounds(first, last)
        query = aq.AccessQuery(scope=scope, user_id=int(user) if user else None, dossier_id=dossier_id, action=action,
                               start=start, end=end, before=int_arg("before"),
                               per_page=int_arg("per_page", PER_PAGE, aq.MAX_PER_PAGE) or PER_PAGE)
        page = aq.search_access(conn, query)
    actions = {code: (vi if lang() == "vi" else en) for code, (vi, en) in ACTIONS.items()}
    return render_template("audit_access.html", f=f, users=users, actions=actions, page=page,
                           older_url=_older_url(page.older), newest_url=_newest_url()), 422 if f.errors else 200
