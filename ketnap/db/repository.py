"""The unit of work on a SQL database: engine.service's Protocols implemented with SQLAlchemy Core.

One `SqlUnitOfWork` is one connection and one transaction. The advance path is written for speed
(SQLite WAL should take about 1,000 advances a second, see bench/bench_advance.py): a snapshot is three
statements (the dossier with its candidate, the organisation chain, the log entries with their facts),
a recorded change three or four (the versioned UPDATE, superseding if any, the log entry, the facts).
They are Core statements built once at import and run as `Prepared` statements (prepared.py); no ORM
object is loaded.

A log entry and the dossier_facts row written with it hold the same JSON; the snapshot reads it once,
as text, and decodes it once for both the history and the current facts, through the workflow's fact
schemas (workflows.admission.decoders). Decoded facts are kept in a bounded cache keyed by the entry's
hash, which covers the facts and, the log being append-only, always stands for the same facts.

Concurrency: the versioned UPDATE is the lock. On PostgreSQL (READ COMMITTED) the reads of a snapshot
may straddle another transaction's commit; the UPDATE then matches no row and raises Conflict. On
SQLite the unit of work reads in one transaction (see session.py), and SQLite does not let a transaction
that has read start writing while another connection writes (SQLITE_BUSY at once: the busy timeout is not
waited for when a reader asks to write) or once another has committed since, whatever it wrote
(SQLITE_BUSY_SNAPSHOT). The first write is then begun again in a new transaction, whose first statement
is that write: it waits for the lock (busy timeout), and the versioned UPDATE still refuses a dossier
that moved since its snapshot (Conflict), as on PostgreSQL.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import CTE, Connection, Select, Text, bindparam, case, cast, func, insert, literal, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from ..engine.audit import to_jsonable
from ..engine.errors import BadInput, Conflict, NotFound
from ..engine.service import Change, local_today
from ..engine.snapshot import HistoryEntry, OrgNode, Snapshot
from ..engine.text import search_key
from ..engine.workflow import Workflow
from ..workflows.admission import decoders
from ..workflows.schemas import FormerMember, codec
from ..workflows.vocab import DOSSIER_LEVELS, GRASSROOTS_LEVELS
from .models import Candidate, Dossier, DossierFact, Member, Organisation, TransitionLog, User, table_of
from .prepared import Prepared
from .session import sqlite_write_refused

_d = table_of(Dossier)
_c = table_of(Candidate)
_o = table_of(Organisation)
_t = table_of(TransitionLog)
_f = table_of(DossierFact)
_m = table_of(Member)
_u = table_of(User)

SUBJECT_COLUMNS = tuple(col.name for col in _c.columns if col.name not in ("id", "search_name"))
MAX_DEPTH = 32  # deeper than any real organisation tree; stops a cycle in parent_id from looping

# -- statements, built once ------------------------------------------------------------------------

_SELECT_DOSSIER = Prepared(
    select(_d.c.state, _d.c.version, _d.c.branch_id, _d.c.head_hash, *(_c.c[name] for name in SUBJECT_COLUMNS))
    .join(_c, _c.c.id == _d.c.candidate_id)
    .where(_d.c.id == bindparam("dossier_id"))
)


def _up_from(start: Select[Any]) -> CTE:
    """The chain of organisations from `start` (a select of id, parent_id, depth) up to the root."""
    chain = start.cte("chain", recursive=True)
    parent = select(_o.c.id, _o.c.parent_id, (chain.c.depth + 1).label("depth")).join(chain, _o.c.id == chain.c.parent_id)
    return chain.union_all(parent.where(chain.c.depth < MAX_DEPTH))


_CHAIN = _up_from(select(_o.c.id, _o.c.parent_id, literal(0).label("depth")).where(_o.c.id == bindparam("branch_id")))
_SELECT_CHAIN = Prepared(
    select(_o.c.id, _o.c.name, _o.c.level_code, _o.c.may_admit, _o.c.has_committee, _o.c.settings)
    .join(_CHAIN, _o.c.id == _CHAIN.c.id)
    .order_by(_CHAIN.c.depth)
)

_SELECT_LOG = Prepared(
    select(_t.c.seq, _t.c.trigger, _t.c.from_state, _t.c.to_state, _t.c.act_date, _t.c.hash,
           _f.c.kind, _f.c.superseded, cast(func.coalesce(_f.c.data, _t.c.facts), Text).label("facts_json"))
    .outerjoin(_f, _f.c.log_entry_id == _t.c.id)
    .where(_t.c.dossier_id == bindparam("dossier_id"))
    .order_by(_t.c.seq)
)

_SELECT_VERSION = Prepared(select(_d.c.version).where(_d.c.id == bindparam("dossier_id")))

_BUMP_VALUES = {
    "state": bindparam("to_state"),
    "version": _d.c.version + 1,
    # A step that stays in its state (a recognition vote without two thirds) does not restart its clock.
    "state_since": case((_d.c.state == bindparam("to_state"), _d.c.state_since), else_=bindparam("act_date", type_=_d.c.state_since.type)),
    "updated_at": bindparam("at", type_=_d.c.updated_at.type),
    "head_hash": bindparam("hash"),
    "log_count": _d.c.log_count + 1,
}
_BUMP_WHERE = (_d.c.id == bindparam("dossier_id"), _d.c.version == bindparam("expected_version"))
_BUMP = Prepared(update(_d).where(*_BUMP_WHERE).values(**_BUMP_VALUES))
_BUMP_FIRST = Prepared(
    update(_d).where(*_BUMP_WHERE).values(**_BUMP_VALUES, opened_on=bindparam("act_date", type_=_d.c.opened_on.type))
)

_SUPERSEDE = (
    update(_f)
    .where(_f.c.dossier_id == bindparam("of_dossier"), _f.c.kind.in_(bindparam("kinds", expanding=True)), _f.c.superseded.is_(False))
    .values(superseded=True)
)

_LOG_COLUMNS = ("dossier_id", "seq", "actor_id", "actor_name", "at", "act_date", "from_state", "to_state", "trigger", "facts",
                "rule_results", "prev_hash", "hash")
_INSERT_LOG = Prepared(insert(_t).returning(_t.c.id).values({name: bindparam(name, type_=_t.c[name].type) for name in _LOG_COLUMNS}))
_FACT_COLUMNS = ("dossier_id", "kind", "act_date", "data", "log_entry_id", "superseded")
_INSERT_FACT = Prepared(insert(_f).values({name: bindparam(name, type_=_f.c[name].type) for name in _FACT_COLUMNS}))

_BRANCH_LEVEL = select(_o.c.level_code).where(_o.c.id == bindparam("branch_id"))
_CITIZEN_TAKEN = select(_c.c.id).where(_c.c.citizen_id == bindparam("citizen_id"))

_MEMBER_UP = _up_from(
    select(_o.c.id, _o.c.parent_id, literal(0).label("depth"))
    .join(_m, _m.c.branch_id == _o.c.id)
    .where(_m.c.id == bindparam("member_id"))
)
_MEMBER_GRASSROOTS = (
    select(_o.c.id)
    .join(_MEMBER_UP, _o.c.id == _MEMBER_UP.c.id)
    .where(or_(*(_o.c.level_code == level for level in sorted(GRASSROOTS_LEVELS))))
    .order_by(_MEMBER_UP.c.depth)
    .limit(1)
    .scalar_subquery()
)
_SELECT_MEMBER = Prepared(
    select(
        _m.c.id, _m.c.full_name, _m.c.status, _m.c.branch_id, _MEMBER_GRASSROOTS.label("grassroots_org_id"),
        _m.c.official_since, _m.c.exempt,
    ).where(_m.c.id == bindparam("member_id"))
)


# -- decoding facts --------------------------------------------------------------------------------


class FactCache:
    """Decoded facts by log-entry hash, least recently used dropped first.

    An entry's hash covers its facts, and entries are never changed (append-only table), so a hash
    always stands for the same facts. The decoded dicts are shared between snapshots: read-only.
    """

    def __init__(self, size: int = 20_000):
        self.size = size
        self._entries: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()

    def get(self, key: tuple[str, str]) -> dict[str, Any] | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: tuple[str, str], value: dict[str, Any]) -> None:
        self._entries[key] = value
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


class _Decoding:
    """What a workflow needs to turn stored rows back into a snapshot: decoders by trigger and kind."""

    def __init__(self, workflow: Workflow):
        self.by_kind: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = decoders(workflow)
        self.kind_of = {trigger: spec.kind for trigger, spec in workflow.transitions.items()}
        self.cache = FactCache()

    def decode(self, kind: str, entry_hash: str, stored_json: str) -> dict[str, Any]:
        """The typed facts of a log entry from its stored JSON text, parsed only when not cached."""
        key = (kind, entry_hash)
        typed = self.cache.get(key)
        if typed is None:
            stored = json.loads(stored_json)
            decode = self.by_kind.get(kind)
            typed = decode(stored) if decode else dict(stored)
            self.cache.put(key, typed)
        return typed


_DECODING: WeakKeyDictionary[Workflow, _Decoding] = WeakKeyDictionary()
_decode_former_member = codec(FormerMember).decode


def decoding_for(workflow: Workflow) -> _Decoding:
    """The decoders and the decoded-facts cache of `workflow`, made once per workflow object."""
    found = _DECODING.get(workflow)
    if found is None:
        found = _DECODING[workflow] = _Decoding(workflow)
    return found


# -- the unit of work ------------------------------------------------------------------------------


class SqlUnitOfWork:
    """One connection, one transaction: `with SqlUnitOfWork(engine, workflow) as uow: ...; uow.commit()`.

    Leaving the block without commit() rolls back. `actor_name` names the actor in the log when
    given; otherwise the user's full name is looked up from `users` by the change's actor ID.
    """

    def __init__(self, engine: Engine, workflow: Workflow):
        self.engine = engine
        self.workflow = workflow
        self.decoding = decoding_for(workflow)
        self._conn: Connection | None = None
        self.dossiers = SqlDossiers(self)
        self.directory = SqlDirectory(self)

    @property
    def connection(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return self._conn

    def __enter__(self) -> SqlUnitOfWork:
        self._conn = self.engine.connect()
        self.directory.forget()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            try:
                self._conn.rollback()
            finally:
                self._conn.close()
                self._conn = None

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()


class SqlDossiers:
    """engine.service.DossierRepository on SQL."""

    def __init__(self, uow: SqlUnitOfWork):
        self._uow = uow

    def snapshot(self, dossier_id: int) -> Snapshot:
        conn = self._uow.connection
        row = _SELECT_DOSSIER.first(conn, {"dossier_id": dossier_id})
        if row is None:
            raise NotFound(f"Không tìm thấy hồ sơ {dossier_id} (dossier not found).")
        subject = {name: row[name] for name in SUBJECT_COLUMNS}
        if subject["former_member"] is not None:
            subject["former_member"] = _decode_former_member(subject["former_member"])
        chain_rows = _SELECT_CHAIN.rows(conn, {"branch_id": row["branch_id"]})
        chain = tuple(OrgNode(o["id"], o["name"], o["level_code"], o["may_admit"], o["has_committee"]) for o in chain_rows)
        settings = merged_settings(o["settings"] for o in reversed(chain_rows))
        facts, history = self._facts_and_history(conn, dossier_id)
        return Snapshot(dossier_id, row["state"], row["version"], subject, facts, history, chain, settings, row["head_hash"])

    def _facts_and_history(self, conn: Connection, dossier_id: int) -> tuple[dict[str, Any], tuple[HistoryEntry, ...]]:
        decoding = self._uow.decoding
        facts: dict[str, Any] = {}
        history = []
        for entry in _SELECT_LOG.rows(conn, {"dossier_id": dossier_id}):
            kind = entry["kind"] or decoding.kind_of.get(entry["trigger"], entry["trigger"])
            typed = decoding.decode(kind, entry["hash"], entry["facts_json"])
            if entry["kind"] is not None and not entry["superseded"]:
                facts[kind] = typed
            history.append(HistoryEntry(entry["seq"], entry["trigger"], entry["from_state"], entry["to_state"], entry["act_date"], typed))
        return facts, tuple(history)

    def create(self, subject: Mapping[str, Any], branch_id: int) -> int:
        conn = self._uow.connection
        level = conn.execute(_BRANCH_LEVEL, {"branch_id": branch_id}).scalar()
        if level not in DOSSIER_LEVELS:
            raise NotFound(f"Không có chi bộ {branch_id} (no such branch).")
        values = candidate_values(subject)
        citizen_id = subject.get("citizen_id")
        if citizen_id and conn.execute(_CITIZEN_TAKEN, {"citizen_id": citizen_id}).first() is not None:
            raise BadInput({"citizen_id": f"Đã có hồ sơ của người có số CCCD {citizen_id} (already registered)."})
        add_candidate = insert(_c).values(values).returning(_c.c.id)
        try:
            try:
                candidate_id = conn.execute(add_candidate).scalar_one()
            except OperationalError as err:
                if not sqlite_write_refused(err):
                    raise
                conn.rollback()
                candidate_id = conn.execute(add_candidate).scalar_one()
        except IntegrityError as err:  # registered a moment ago by someone else (an import, another form)
            if not citizen_id or "citizen_id" not in str(err.orig):
                raise
            raise BadInput({"citizen_id": f"Đã có hồ sơ của người có số CCCD {citizen_id} (already registered)."}) from err
        today = local_today()
        dossier = {
            "candidate_id": candidate_id, "branch_id": branch_id, "workflow": self._uow.workflow.name, "state": "",
            "version": 0, "opened_on": today, "state_since": today, "updated_at": datetime.now(UTC), "head_hash": "",
            "log_count": 0,
        }
        return int(conn.execute(insert(_d).values(dossier).returning(_d.c.id)).scalar_one())

    def record(self, change: Change) -> None:
        conn = self._uow.connection
        params = {
            "dossier_id": change.dossier_id,
            "expected_version": change.expected_version,
            "to_state": change.to_state,
            "act_date": change.act_date,
            "at": change.at,
            "hash": change.hash,
        }
        bump = _BUMP_FIRST if change.seq == 1 else _BUMP
        try:
            bumped = bump.rowcount(conn, params)
        except OperationalError as err:
            if not sqlite_write_refused(err):
                raise
            conn.rollback()
            bumped = bump.rowcount(conn, params)
        if bumped != 1:
            self._conflict(conn, change)
        if change.supersede:
            conn.execute(_SUPERSEDE, {"of_dossier": change.dossier_id, "kinds": list(change.supersede)})
        log_entry_id = _INSERT_LOG.scalar(conn, log_values(change))
        _INSERT_FACT.rowcount(conn, fact_values(change, log_entry_id))

    @staticmethod
    def _conflict(conn: Connection, change: Change) -> None:
        current = _SELECT_VERSION.scalar(conn, {"dossier_id": change.dossier_id})
        if current is None:
            raise NotFound(f"Không tìm thấy hồ sơ {change.dossier_id} (dossier not found).")
        raise Conflict(
            f"Hồ sơ {change.dossier_id} đã được người khác thay đổi (phiên bản {current}, bạn đang sửa "
            f"{change.expected_version}); hãy tải lại (changed by someone else, reload).",
            current,
        )


def candidate_values(subject: Mapping[str, Any]) -> dict[str, Any]:
    """The candidates row of a validated subject (CandidateSchema), without its ID."""
    unknown = set(subject) - set(SUBJECT_COLUMNS)
    if unknown:
        raise ValueError(f"not candidate fields: {', '.join(sorted(unknown))}")
    values = dict(subject)
    if values.get("former_member") is not None:
        values["former_member"] = to_jsonable(values["former_member"])
    values["search_name"] = search_key(values["full_name"])
    return values


def log_values(change: Change) -> dict[str, Any]:
    """The transition_log row of a change, without its ID."""
    return {
        "dossier_id": change.dossier_id, "seq": change.seq, "actor_id": change.actor_id, "actor_name": change.actor_name,
        "at": change.at, "act_date": change.act_date, "from_state": change.from_state, "to_state": change.to_state,
        "trigger": change.trigger, "facts": change.facts, "rule_results": change.rule_results, "prev_hash": change.previous_hash,
        "hash": change.hash,
    }


def fact_values(change: Change, log_entry_id: int) -> dict[str, Any]:
    """The dossier_facts row of a change recorded as log entry `log_entry_id`, without its ID."""
    return {"dossier_id": change.dossier_id, "kind": change.fact_kind, "act_date": change.act_date, "data": change.facts,
            "log_entry_id": log_entry_id, "superseded": False}


def opened_dossier_values(change: Change, candidate_id: int, branch_id: int, workflow_name: str) -> dict[str, Any]:
    """The dossiers row that create() and record() of the dossier's first change leave (see _BUMP_FIRST):
    for writing many new dossiers at once, each with its ID given (the change's)."""
    return {
        "id": change.dossier_id, "candidate_id": candidate_id, "branch_id": branch_id, "workflow": workflow_name,
        "state": change.to_state, "version": 1, "opened_on": change.act_date, "state_since": change.act_date,
        "updated_at": change.at, "head_hash": change.hash, "log_count": 1,
    }


class SqlDirectory:
    """engine.workflow.Directory on SQL: the members the facts name, as of now, cached per unit of work."""

    def __init__(self, uow: SqlUnitOfWork):
        self._uow = uow
        self._members: dict[int, dict[str, Any] | None] = {}

    def forget(self) -> None:
        self._members.clear()

    def member(self, member_id: int) -> Mapping[str, Any] | None:
        if member_id not in self._members:
            self._members[member_id] = _SELECT_MEMBER.first(self._uow.connection, {"member_id": member_id})
        return self._members[member_id]


def merged_settings(root_first: Iterable[Mapping[str, Any] | None]) -> dict[str, Any]:
    """Organisation settings merged from the root down: the nearest organisation wins, key by key.

    Nested objects ("params") merge key by key too; lists and plain values are replaced whole.
    """
    merged: dict[str, Any] = {}
    for settings in root_first:
        merged = _merge(merged, settings or {})
    return merged


def _merge(base: Mapping[str, Any], nearer: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in nearer.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out

