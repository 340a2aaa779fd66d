"""The auditor's reads: the log search, one dossier's log, the anomalies and the access log (plain dicts).

The log search must stay fast with a million entries on SQLite (no planner statistics) as on
PostgreSQL (bench/bench_log_search.py), so each filter is written for the index that answers it:

- entries come newest first, by recorded time (`at`, then ID), and a page is "older than entry N"
  (keyset), so page 100 costs what page 1 does and no total is counted;
- step: (trigger, at); actor: (actor_name, at), the names matched in Python (diacritics folded)
  against the log's distinct actor names, read by a skip scan of that index; date range: (at);
- rule, where it warned: `transition_log_flags` (migration 0006, filled by a database trigger),
  walked through (rule_id, at); rule, whatever the outcome: the steps that judge it
  (`transition_log_rule_steps`), each walked through (trigger, at) and merged, every entry met
  checked in its own rule results (JSON) — nearly every entry of those steps has judged the rule,
  so a page reads about a page of entries;
- organisation: in a large part of the tree (at least SMALL_SCOPE of the branches), the newest
  entries are walked through the filters' index and kept when their dossier is inside (a probe by
  the dossier's key); in a small part, its dossiers' entries are gathered first (a MATERIALIZED
  CTE, driven from the dossiers with every other filter written so that no index takes it over)
  and sorted: a few thousand rows at most.

A page is two statements (three with a rule: its steps): the IDs through the indexes, then those
entries with their dossiers' names. Dates given by the user are local days (Asia/Ho_Chi_Minh),
turned into UTC bounds here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, column, exists, func, or_, select, union_all
from sqlalchemy.dialects.postgresql import JSONB

from ..engine.calendar import WorkingCalendar
from ..engine.service import LOCAL_TZ
from ..engine.snapshot import Params
from ..engine.text import search_key
from ..workflows.deadlines import overdue_cutoffs
from ..workflows.vocab import DOSSIER_LEVELS
from . import queries, reports
from .models import (
    AccessLog,
    Candidate,
    Dossier,
    Organisation,
    TransitionLog,
    TransitionLogFlag,
    TransitionLogRuleStep,
    User,
    table_of,
)
from .repository import merged_settings

_t = table_of(TransitionLog)
_f = table_of(TransitionLogFlag)
_rs = table_of(TransitionLogRuleStep)
_d = table_of(Dossier)
_c = table_of(Candidate)
_o = table_of(Organisation)
_a = table_of(AccessLog)
_u = table_of(User)

SMALL_SCOPE = 0.01  # below this share of the branches, an organisation's entries are gathered and sorted
MANY_ACTORS = 8  # above this many matching names, the walk filters by name instead of reading each name's entries
MAX_PER_PAGE = 200
FLAGGED_STATUSES = ("warning", "failed")


# -- scope -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgScope:
    """Organisations whose dossiers are in view: `org_ids` None for every one; `share` of the branches inside."""

    org_ids: tuple[int, ...] | None = None
    share: float = 1.0

    @property
    def small(self) -> bool:
        return self.org_ids is not None and self.share < SMALL_SCOPE


def org_scope(conn: Connection, org_id: int | None) -> OrgScope:
    """The subtree of `org_id` (None: everything); an unknown organisation gives an empty scope."""
    if org_id is None:
        return OrgScope()
    rows = conn.execute(select(_o.c.id, _o.c.parent_id, _o.c.level_code)).all()
    children: dict[int | None, list[int]] = {}
    for org, parent, _level in rows:
        children.setdefault(parent, []).append(org)
    found: set[int] = set()
    stack = [org_id] if any(org == org_id for org, _parent, _level in rows) else []
    while stack:
        org = stack.pop()
        if org not in found:
            found.add(org)
            stack.extend(children.get(org, ()))
    if len(found) == len(rows):
        return OrgScope()
    branches = [org for org, _parent, level in rows if level in DOSSIER_LEVELS]
    inside = sum(1 for org in branches if org in found)
    return OrgScope(tuple(sorted(found)), inside / len(branches) if branches else 0.0)


def local_day_start(day: date) -> datetime:
    """The first instant of a local day (Asia/Ho_Chi_Minh), in UTC."""
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC)


def day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """UTC bounds [start, end) covering the local days `first` to `last`, both included."""
    return (local_day_start(first) if first else None, local_day_start(last + timedelta(days=1)) if last else None)


# -- actors ------------------------------------------------------------------------------------


def actor_names(conn: Connection) -> list[str]:
    """Every distinct actor name in the log, in order: a skip scan of (actor_name, at), one probe per name."""
    first = select(func.min(_t.c.actor_name).label("name")).cte("names", recursive=True)
    following = select(func.min(_t.c.actor_name)).where(_t.c.actor_name > first.c.name).scalar_subquery()
    names = first.union_all(select(following).where(first.c.name.is_not(None)))
    return [name for name in conn.execute(select(names.c.name).where(names.c.name.is_not(None))).scalars()]


def matching_actors(names: Iterable[str], text: str) -> tuple[str, ...]:
    """The names containing `text`, diacritics and case ignored ('tran thi' finds 'Trần Thị Đảng')."""
    key = search_key(text)
    return tuple(name for name in names if key in search_key(name))


# -- the log search ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LogQuery:
    """What the search asks. `actors` None: anyone (an empty tuple matches nobody). `before`: entries older than that one."""

    scope: OrgScope = OrgScope()
    start: datetime | None = None
    end: datetime | None = None
    actors: tuple[str, ...] | None = None
    trigger: str | None = None
    rule_id: str | None = None
    flagged: bool = False
    before: int | None = None
    per_page: int = 50


@dataclass(frozen=True)
class LogPage:
    rows: list[dict[str, Any]]
    older: int | None  # `before` for the next page; None on the last one


def _no_index(text_column: Any) -> Any:
    """A text column in an expression no index answers (so that the planner does not drive the query with it)."""
    return text_column + ""


def _judged(rule_id: str, dialect: str) -> ColumnElement[bool]:
    """The entry's own rule results hold `rule_id` with a status other than "not_applicable".

    A subquery over the JSON array, on PostgreSQL too: there `@>` would be read as cheap and rare (0.1%
    of rows), so the planner would test it first on every entry and sort them all; as a subquery it is
    tested last, on the entries every other filter kept, and expected to hold for many.
    """
    values: tuple[Any, Any]
    if dialect == "postgresql":
        item = func.jsonb_array_elements(_t.c.rule_results).table_valued(column("value", JSONB)).alias("item")
        values = (item.c.value.op("->>")("rule_id"), item.c.value.op("->>")("status"))
    else:
        item = func.json_each(_t.c.rule_results).table_valued("value").alias("item")
        values = (func.json_extract(item.c.value, "$.rule_id"), func.json_extract(item.c.value, "$.status"))
    return exists(select(item.c.value).where(values[0] == rule_id, values[1] != "not_applicable"))


def rule_steps(conn: Connection, rule_id: str) -> tuple[str, ...]:
    """The steps (triggers) whose entries have judged `rule_id`, as the database recorded them."""
    return tuple(conn.execute(select(_rs.c.trigger).where(_rs.c.rule_id == rule_id).order_by(_rs.c.trigger)).scalars())


class _Search:
    """The ID statement of one search: which index gives the order, and the conditions.

    A rule's warnings are walked in their own index (transition_log_flags); the entries that judged
    a rule, whatever the outcome, are walked step by step (`triggers`: the steps that judge it,
    narrowed to the step asked for), each entry's own rule results read as it is met.
    """

    def __init__(self, q: LogQuery, dialect: str, triggers: tuple[str, ...] | None):
        self.q = q
        self.dialect = dialect
        self.triggers = triggers
        self.by_flags = q.rule_id is not None and q.flagged
        self.at = _f.c.at if self.by_flags else _t.c.at
        self.id = _f.c.log_id if self.by_flags else _t.c.id

    def _rule(self, gathered: bool) -> list[ColumnElement[bool]]:
        rule_id = self.q.rule_id
        if rule_id is None:
            return []
        if not self.by_flags:
            return [_judged(rule_id, self.dialect)]
        if gathered:  # SQLite: probe each gathered entry's warnings by its key (PostgreSQL weighs both ways itself)
            rule = _no_index(_f.c.rule_id) if self.dialect == "sqlite" else _f.c.rule_id
            return [exists(select(_f.c.log_id).where(_f.c.log_id == _t.c.id, rule == rule_id))]
        return [_f.c.rule_id == rule_id]

    def _entry(self, gathered: bool) -> list[ColumnElement[bool]]:
        q = self.q
        where: list[ColumnElement[bool]] = []
        at = _t.c.at if gathered else self.at
        if q.start is not None:
            where.append(at >= q.start)
        if q.end is not None:
            where.append(at < q.end)
        if q.actors is not None:
            many = gathered or len(q.actors) > MANY_ACTORS
            where.append((_no_index(_t.c.actor_name) if many else _t.c.actor_name).in_(q.actors))
        if q.before is not None:
            mark = select(_t.c.at).where(_t.c.id == q.before).scalar_subquery()
            key_at, key_id = (_t.c.at, _t.c.id) if gathered else (self.at, self.id)
            where.append(and_(key_at <= mark, or_(key_at < mark, key_id < q.before)))
        return where

    def _walk_one(self, trigger: str | None) -> Select[Any]:
        query = select(self.id.label("id"), self.at.label("at"))
        if self.by_flags:
            query = query.select_from(_f.join(_t, _t.c.id == _f.c.log_id))
        where = [*self._rule(False), *self._entry(False)]
        if trigger is not None:
            where.append(_t.c.trigger == trigger)
        if self.q.scope.org_ids is not None:
            inside = select(_d.c.id).where(_d.c.id == _t.c.dossier_id, _d.c.branch_id.in_(self.q.scope.org_ids))
            where.append(exists(inside))
        return query.where(*where).order_by(self.at.desc(), self.id.desc()).limit(self.q.per_page + 1)

    def walk(self) -> Select[Any]:
        """Newest first through the filters' index; the organisation, if any, tested on each entry.

        Several steps: each walked on its own (trigger, at) and the newest of all kept.
        """
        if self.triggers is None or len(self.triggers) == 1:
            return self._walk_one(self.triggers[0] if self.triggers else None)
        parts = [self._walk_one(trigger).subquery() for trigger in self.triggers]
        merged = union_all(*(select(part.c.id, part.c.at) for part in parts)).subquery("merged")
        return select(merged.c.id, merged.c.at).order_by(merged.c.at.desc(), merged.c.id.desc()).limit(self.q.per_page + 1)

    def gather(self) -> Select[Any]:
        """A small organisation's entries gathered from its dossiers, filtered, then sorted."""
        assert self.q.scope.org_ids is not None
        where = [_d.c.branch_id.in_(self.q.scope.org_ids), *self._entry(True)]
        if self.triggers is not None:
            where.append(_no_index(_t.c.trigger).in_(self.triggers))
        inner = (select(_t.c.id.label("id"), _t.c.at.label("at")).select_from(_d.join(_t, _t.c.dossier_id == _d.c.id))
                 .where(*where, *self._rule(True)))
        gathered = inner.cte("gathered").prefix_with("MATERIALIZED")
        return (select(gathered.c.id, gathered.c.at).order_by(gathered.c.at.desc(), gathered.c.id.desc())
                .limit(self.q.per_page + 1))


def _triggers(conn: Connection, q: LogQuery) -> tuple[str, ...] | None:
    """The steps searched: None for any; for the entries judging a rule, the rule's steps (and the one asked for)."""
    if q.rule_id is None or q.flagged:
        return (q.trigger,) if q.trigger else None
    return tuple(step for step in rule_steps(conn, q.rule_id) if q.trigger in (None, step))


def search_log(conn: Connection, q: LogQuery) -> LogPage:
    """One page of log entries matching `q`, newest first, and where the next page starts."""
    q = replace(q, per_page=max(1, min(q.per_page, MAX_PER_PAGE)))
    triggers = _triggers(conn, q)
    if q.actors == () or q.scope.org_ids == () or triggers == ():
        return LogPage([], None)
    search = _Search(q, conn.dialect.name, triggers)
    if conn.dialect.name == "postgresql":
        # A parallel Gather Merge runs its workers far ahead of the LIMIT (a page of 50 read 16,000
        # entries in the benchmark); a page is a short walk, better done by one process.
        conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
    ids = [row.id for row in conn.execute(search.gather() if q.scope.small else search.walk())]
    older = ids[q.per_page - 1] if len(ids) > q.per_page else None
    return LogPage(entries_by_id(conn, ids[: q.per_page]), older)


def entries_by_id(conn: Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The entries of `ids`, newest first, with their dossier's candidate and branch (one statement)."""
    if not ids:
        return []
    query = (
        select(_t.c.id, _t.c.dossier_id, _t.c.seq, _t.c.at, _t.c.act_date, _t.c.actor_name, _t.c.trigger, _t.c.from_state,
               _t.c.to_state, _t.c.rule_results, _c.c.full_name, _d.c.branch_id, _o.c.name.label("branch_name"))
        .select_from(_t.join(_d, _d.c.id == _t.c.dossier_id).join(_c, _c.c.id == _d.c.candidate_id).join(_o, _o.c.id == _d.c.branch_id))
        .where(_t.c.id.in_(list(ids)))
        .order_by(_t.c.at.desc(), _t.c.id.desc())
    )
    rows = []
    for row in conn.execute(query):
        entry = dict(row._mapping)
        entry["flags"] = flags(entry.pop("rule_results"))
        rows.append(entry)
    return rows


def flags(rule_results: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """The rule results of an entry that did not simply pass (warnings, failures)."""
    return [dict(r) for r in rule_results or () if r.get("status") in FLAGGED_STATUSES]


# -- one dossier -------------------------------------------------------------------------------


def dossier_header(conn: Connection, dossier_id: int) -> dict[str, Any] | None:
    """The dossier's candidate, branch and state, or None when there is no such dossier."""
    query = (select(_d.c.id, _d.c.state, _d.c.state_since, _d.c.branch_id, _d.c.log_count, _d.c.head_hash, _c.c.full_name,
                    _o.c.name.label("branch_name"))
             .select_from(_d.join(_c, _c.c.id == _d.c.candidate_id).join(_o, _o.c.id == _d.c.branch_id))
             .where(_d.c.id == dossier_id))
    row = conn.execute(query).first()
    return dict(row._mapping) if row is not None else None


def dossier_log(conn: Connection, dossier_id: int) -> list[dict[str, Any]]:
    """Every entry of the dossier as stored, in sequence order."""
    return [dict(row._mapping) for row in conn.execute(select(*_t.c).where(_t.c.dossier_id == dossier_id).order_by(_t.c.seq))]


# -- anomalies ---------------------------------------------------------------------------------


def branch_params(conn: Connection, params: Params) -> dict[int, Params]:
    """Per branch: the parameters under that branch's own settings.

    An organisation's settings merge from the root down (repository.merged_settings), as when its
    rules are judged, so a grassroots committee's stage limits (R-SLA-1) hold for its branches unless
    a branch sets its own; branches with the same overrides share one Params.
    """
    merged: dict[int, dict[str, Any]] = {}
    by_overrides: dict[tuple[tuple[str, Any], ...], Params] = {}
    out: dict[int, Params] = {}
    known = set(params.names())
    for org in queries.org_tree(conn):  # parents before their children
        merged[org["id"]] = merged_settings([merged.get(org["parent_id"], {}), org["settings"]])
        if org["level_code"] not in DOSSIER_LEVELS:
            continue
        own = merged[org["id"]].get("params") or {}
        key = tuple(sorted((name, value) for name, value in own.items() if value is not None and name in known))
        if key not in by_overrides:
            by_overrides[key] = params.with_overrides(dict(key))
        out[org["id"]] = by_overrides[key]
    return out


def branch_cutoffs(conn: Connection, today: date, params: Params, calendar: WorkingCalendar,
                   by_branch: Mapping[int, Params] | None = None) -> dict[int, dict[str, date]]:
    """Per branch: the overdue cutoffs (workflows.deadlines) under that branch's own settings (branch_params)."""
    found: dict[int, dict[str, date]] = {}
    out: dict[int, dict[str, date]] = {}
    for branch, own in (by_branch if by_branch is not None else branch_params(conn, params)).items():
        if id(own) not in found:
            found[id(own)] = overdue_cutoffs(today, own, calendar)
        out[branch] = found[id(own)]
    return out


def _scoped(scope: OrgScope, branch_column: Any) -> list[ColumnElement[bool]]:
    return [] if scope.org_ids is None else [branch_column.in_(scope.org_ids)]


def late_dossiers(conn: Connection, cutoffs_by_branch: Mapping[int, Mapping[str, date]],
                  states: Sequence[str], limit: int = 20) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Dossiers still waiting in one of `states` past the cutoff of their branch: how many per state, and the
    longest-waiting `limit` of them. Only the branches of `cutoffs_by_branch` are looked at (the scope).

    `cutoffs_by_branch`: per branch, per state, the day before which entering the state makes the
    dossier late (workflows.deadlines.overdue_cutoffs with that branch's settings); db.reports.waiting
    does the counting and the listing.
    """
    wanted = {branch: {state: day for state, day in cutoffs.items() if state in states}
              for branch, cutoffs in cutoffs_by_branch.items()}
    return reports.waiting(conn, {}, wanted, limit)


def flagged_steps(conn: Connection, scope: OrgScope, rule_ids: Sequence[str], limit: int = 20) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Entries where one of `rule_ids` warned (steps taken late): how many per rule, and the newest `limit`."""
    base = (select(_f.c.rule_id, _f.c.log_id, _f.c.at)
            .select_from(_f.join(_t, _t.c.id == _f.c.log_id).join(_d, _d.c.id == _t.c.dossier_id))
            .where(_f.c.rule_id.in_(list(rule_ids)), *_scoped(scope, _d.c.branch_id)))
    found = base.subquery()
    counts = {rule: n for rule, n in conn.execute(select(found.c.rule_id, func.count()).group_by(found.c.rule_id))}
    newest = conn.execute(base.order_by(_f.c.at.desc(), _f.c.log_id.desc()).limit(limit)).all()
    rows = {row["id"]: row for row in entries_by_id(conn, [row.log_id for row in newest])}
    return counts, [{**rows[row.log_id], "rule_id": row.rule_id} for row in newest if row.log_id in rows]


def repeated_steps(conn: Connection, scope: OrgScope, trigger: str, more_than: int, limit: int = 20) -> tuple[int, list[dict[str, Any]]]:
    """Dossiers whose log holds `trigger` more than `more_than` times: how many, and the `limit` with the most."""
    times = func.count().label("times")
    per_dossier = (select(_t.c.dossier_id, times).select_from(_t.join(_d, _d.c.id == _t.c.dossier_id))
                   .where(_t.c.trigger == trigger, *_scoped(scope, _d.c.branch_id))
                   .group_by(_t.c.dossier_id).having(times > more_than)).subquery()
    total = int(conn.execute(select(func.count()).select_from(per_dossier)).scalar_one())
    query = (select(per_dossier.c.dossier_id.label("id"), per_dossier.c.times, _d.c.state, _c.c.full_name,
                    _o.c.name.label("branch_name"))
             .select_from(per_dossier.join(_d, _d.c.id == per_dossier.c.dossier_id).join(_c, _c.c.id == _d.c.candidate_id)
                          .join(_o, _o.c.id == _d.c.branch_id))
             .order_by(per_dossier.c.times.desc(), per_dossier.c.dossier_id.desc()).limit(limit))
    return total, [dict(row._mapping) for row in conn.execute(query)]


# -- the access log ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessQuery:
    scope: OrgScope = OrgScope()
    user_id: int | None = None
    dossier_id: int | None = None
    action: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    before: int | None = None
    per_page: int = 50


def search_access(conn: Connection, q: AccessQuery) -> LogPage:
    """One page of the access log, newest first. A scoped auditor sees the records about their organisations."""
    per_page = max(1, min(q.per_page, MAX_PER_PAGE))
    where: list[ColumnElement[bool]] = _scoped(q.scope, _a.c.org_id)
    if q.user_id is not None:
        where.append(_a.c.user_id == q.user_id)
    if q.dossier_id is not None:
        where.append(_a.c.dossier_id == q.dossier_id)
    if q.action is not None:
        where.append(_a.c.action == q.action)
    if q.start is not None:
        where.append(_a.c.at >= q.start)
    if q.end is not None:
        where.append(_a.c.at < q.end)
    if q.before is not None:
        mark = select(_a.c.at).where(_a.c.id == q.before).scalar_subquery()
        where.append(and_(_a.c.at <= mark, or_(_a.c.at < mark, _a.c.id < q.before)))
    query = (select(_a.c.id, _a.c.at, _a.c.user_id, _a.c.user_name, _a.c.action, _a.c.dossier_id, _a.c.org_id, _a.c.detail,
                    _a.c.remote_addr, _o.c.name.label("org_name"))
             .select_from(_a.outerjoin(_o, _o.c.id == _a.c.org_id))
             .where(*where).order_by(_a.c.at.desc(), _a.c.id.desc()).limit(per_page + 1))
    rows = [dict(row._mapping) for row in conn.execute(query)]
    older = rows[per_page - 1]["id"] if len(rows) > per_page else None
    return LogPage(rows[:per_page], older)


def users_in(conn: Connection, scope: OrgScope) -> list[dict[str, Any]]:
    """The users of the scope's organisations (every user when unscoped), by name."""
    query = select(_u.c.id, _u.c.username, _u.c.full_name).where(*_scoped(scope, _u.c.org_id)).order_by(_u.c.full_name, _u.c.id)
    return [dict(row._mapping) for row in conn.execute(query)]
