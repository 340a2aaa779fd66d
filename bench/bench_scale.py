"""How list, report, verify and advance times grow with the size of the database, on PostgreSQL: the curve
from 10,000 to 100,000 to 1,000,000 dossiers, and a last point at 20,000,000 log entries.

Targets: the list and report pages p95 under 200 ms at 1,000,000 dossiers; 500 advances a second with 4
workers on PostgreSQL (the issue's). Verify must pass at every point (the bench stops otherwise).

The data. A PostgreSQL schema of its own (`--pg URL` or TEST_DATABASE_URL; dropped at the end, `--keep`
keeps it and prints its name, `--schema NAME` measures a kept one again without building).
`ketnap.demo.build_demo` writes the demo organisation tree (a province, 4 commune committees, 20
grassroots organisations, 123 branches, ~4,100 members, the demo users) and 2,000 dossiers driven through
the real workflow (~16,000 log entries, 7.9 a dossier on average, 18 at most). Then the database grows
by copies, measured at each point on the way: at least 10,000, 100,000 and 1,000,000 dossiers
(`--points`), and last at least 1,000,000 dossiers AND 20,000,000 entries (`--entries`; 0: no such
point): the demo's longest log is 18 entries, so 1,000,000 dossiers cannot hold 20,000,000 entries and
that point has ~2.5 million dossiers at the demo's mix (more dossiers than asked; no page does less work
for it). Copy k of a demo dossier is a new candidate (the citizen ID left empty, everything else the
same), a new dossier moved k branches along the list of branches (as bench_reports.py and
bench_dossier_list.py do) with the same state and dates, its whole log hashed again from GENESIS with
the new dossier ID by `engine.audit.entry_hash` (the definition, as bench_verify.py does), its
dossier_facts copies pointing at the new entries, and its head hash the new last hash: every copied
chain verifies. The rows are written with PostgreSQL COPY (psycopg 3), the CSV made and hashed by a pool
of 2 worker processes while two threads of this one feed two COPY connections (one server process each,
so both CPUs parse and index); the log's own triggers (stage_steps, the search flags)
fire as for any writer, and every constraint is kept. Before a large step (one that at least doubles the
data) the non-unique, non-primary-key indexes of candidates, dossiers, transition_log, dossier_facts and
stage_steps are dropped, and made again afterwards from their own definitions (pg_indexes); then the
sequences are moved past the IDs written and the tables written are VACUUM ANALYZEd.

The measure, the same code at each point (so the curve compares like with like):
  (a) list pages through the Flask app (test client, signed in with the password, CSRF on, rate limit
      off) as chiuy (branch committee: one branch), bantochuc (commune committee board) and kiemtra
      (auditor: the province): /dossiers, ?q=nguyen+van, ?state=probationary&sort=since, ?overdue=1,
      ?page=50, ?sort=name, the dashboard /, and the floor /account/password (signed in, the same base
      template, no dossier read);
  (b) the five report pages (/reports?kind=progress|structure|funnel|deadlines|reviews) for the current
      year, as bantochuc (the commune committee) and kiemtra (the province);
      (a) and (b) asked round-robin, WARM_UP rounds then `--rounds` (default 30); p50, p95 and the median
      SQL time of the same requests (engine events);
  (c) `ketnap.db.audit_log.verify` on the Engine as `ketnap audit verify` runs it (worker processes, one
      per CPU): entries a second; it must report ok;
  (d) advance: 200 new dossiers opened in the demo branch (chiuy's) and driven through the whole happy
      path (`workflows.journey.happy_path`, the branch's own members, its competent committee) with
      engine.service.open_dossier/advance and SqlUnitOfWork, one process: transitions a second; then 4
      processes at once, each with its own engine and its own 200 dossiers: the aggregate. Beside each,
      at the same point, raw Core writes as bench_advance.time_raw_core does (one transaction per
      dossier: the versioned UPDATE, the log INSERT, the facts INSERT), of one more entry per dossier
      whose hash is computed beforehand, so the chains still verify;
  (e) EXPLAIN: for each list and report page and user, the statements of one request are caught
      (engine events) and the 3 slowest run again under EXPLAIN (ANALYZE, BUFFERS) with the same
      parameters, saved as bench/explain/scale_<dossiers>_<user>_<page>.txt.
Printed: the machine and the date, each step's build time, a table per point, then the curve (each
measure at each point and its ratio to the first point) and the verdicts. A point whose build would take
longer than --max-build-minutes (default 40) at the rates of the last large step is not built: those
rates and the estimate are printed instead. Ctrl-C stops the run and still prints the curve of the points
measured. Without PostgreSQL the bench prints "not run: no PostgreSQL" and exits 0 (run_all.py records it).
On the 2-CPU machine the whole run takes about two and a half hours (building to 1,000,000 dossiers ~17 min
and to 20,000,000 entries ~21 min more; measuring the 1,000,000 point ~21 min, the last one ~45 min):
`--points 10000,100000 --entries 0` is a 15-minute check.
Run: flock /tmp/ketnap-bench.lock .venv/bin/python bench/bench_scale.py [--pg URL] [--points 10000,100000,1000000]
     [--entries 20000000] [--rounds 30] [--last-rounds N] [--keep] [--schema NAME] [--no-explain]
     [--max-build-minutes 40]
"""

from __future__ import annotations

import collections
import json
import multiprocessing
import os
import platform
import queue
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Engine
from sqlite_build import postgresql_schema, schema_url
from web_timing import caught, signed_in, sql_clock

from ketnap.db.audit_log import verify
from ketnap.db.models import Candidate, Dossier, DossierFact, Member, Organisation, TransitionLog, User, table_of
from ketnap.db.repository import SqlUnitOfWork
from ketnap.db.session import make_engine
from ketnap.demo import build_demo
from ketnap.engine.audit import GENESIS, entry_hash, stored_fields
from ketnap.engine.service import Actor, advance, local_today, open_dossier
from ketnap.engine.snapshot import OrgNode
from ketnap.engine.workflow import Workflow
from ketnap.webui import create_app, services
from ketnap.workflows.admission import build_workflow
from ketnap.workflows.journey import happy_path
from ketnap.workflows.rules import competent_body
from ketnap.workflows.schemas import load_candidate
from ketnap.workflows.vocab import DOSSIER_LEVELS

TARGET_MS = 200.0
TARGET_ADVANCES = 500  # a second, 4 workers, PostgreSQL
POINTS = (10_000, 100_000, 1_000_000)
ENTRIES = 20_000_000
ENGINE_MADE = 2_000
SEED = 2023
WARM_UP = 5
ADVANCE_DOSSIERS = 200
ADVANCE_WORKERS = 4
BUILD_WORKERS = 2
FEEDERS = 2  # COPY connections fed at once: one server process each, so both CPUs parse and index
EXPLAIN_DIR = Path(__file__).resolve().parent / "explain"
USERS = ("chiuy", "bantochuc", "kiemtra")
PAGES = ("/dossiers", "/dossiers?q=nguyen+van", "/dossiers?state=probationary&sort=since", "/dossiers?overdue=1",
         "/dossiers?page=50", "/dossiers?sort=name", "/")
FLOOR = "/account/password"
REPORT_USERS = ("bantochuc", "kiemtra")
REPORTS = ("progress", "structure", "funnel", "deadlines", "reviews")
GROWN = ("candidates", "dossiers", "transition_log", "dossier_facts", "stage_steps")  # their plain indexes dropped for a large step
VACUUMED = (*GROWN, "transition_log_flags", "transition_log_rule_steps")
ROLES = frozenset({"branch_committee", "grassroots_staff", "superior_board"})
_d, _c, _o, _t, _f = table_of(Dossier), table_of(Candidate), table_of(Organisation), table_of(TransitionLog), table_of(DossierFact)
_m, _u = table_of(Member), table_of(User)


# -- the base: the demo's engine-made dossiers, ready to be copied ------------------------------------


def _csv(value: Any) -> str:
    """One CSV field as PostgreSQL's COPY (FORMAT csv) reads it: NULL unquoted and empty, text always quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
    return '"' + text.replace('"', '""') + '"'


# Per table: the columns changed in a copy (first, in this order), then the rest, written once as CSV.
CHANGED = {"candidates": ("id",), "dossiers": ("id", "candidate_id", "branch_id", "head_hash"),
           "transition_log": ("id", "dossier_id", "prev_hash", "hash"), "dossier_facts": ("id", "dossier_id", "log_entry_id")}
TABLES = {"candidates": _c, "dossiers": _d, "transition_log": _t, "dossier_facts": _f}


def copy_columns(table: str) -> list[str]:
    return [*CHANGED[table], *(c.name for c in TABLES[table].columns if c.name not in CHANGED[table])]


@dataclass
class Base:
    """The engine-made dossiers as copies need them: per dossier its candidate's index, branch, entries, facts."""

    branches: list[int]
    candidates: list[str]  # the CSV of every column but the id (citizen_id empty)
    dossiers: list[tuple[int, int, str]]  # (candidate index, branch, CSV of the rest)
    entries: list[list[tuple[int, dict[str, Any], str]]]  # per dossier, in seq order: (old id, hashed fields, CSV of the rest)
    facts: list[list[tuple[int, str]]]  # per dossier: (old log entry id, CSV of the rest)
    log_count: int = 0
    fact_count: int = 0


def load_base(engine: Engine) -> Base:
    with engine.connect() as conn:
        branches = list(conn.execute(select(_o.c.id).where(_o.c.level_code.in_(DOSSIER_LEVELS)).order_by(_o.c.id)).scalars())
        candidates = [dict(r._mapping) for r in conn.execute(select(_c).order_by(_c.c.id))]
        dossiers = [dict(r._mapping) for r in conn.execute(select(_d).order_by(_d.c.id))]
        log = [dict(r._mapping) for r in conn.execute(select(_t).order_by(_t.c.dossier_id, _t.c.seq))]
        facts = [dict(r._mapping) for r in conn.execute(select(_f).order_by(_f.c.id))]

    def rest(table: str, row: dict[str, Any]) -> str:
        return ",".join(_csv(row[name]) for name in copy_columns(table)[len(CHANGED[table]):])

    candidate_index = {row["id"]: i for i, row in enumerate(candidates)}
    by_dossier: dict[int, list[dict[str, Any]]] = collections.defaultdict(list)
    for row in log:
        by_dossier[row["dossier_id"]].append(row)
    facts_of: dict[int, list[dict[str, Any]]] = collections.defaultdict(list)
    for row in facts:
        facts_of[row["dossier_id"]].append(row)
    return Base(
        branches,
        [rest("candidates", {**row, "citizen_id": None}) for row in candidates],
        [(candidate_index[row["candidate_id"]], row["branch_id"], rest("dossiers", row)) for row in dossiers],
        [[(row["id"], stored_fields(row), rest("transition_log", row)) for row in by_dossier[d["id"]]] for d in dossiers],
        [[(row["log_entry_id"], rest("dossier_facts", row)) for row in facts_of[d["id"]]] for d in dossiers],
        len(log), len(facts))


_BASE: Base | None = None  # set before the pool forks: the workers read it


def make_copy(task: tuple[int, int, int, int, int]) -> tuple[int, bytes, bytes, bytes, bytes]:
    """In a worker: copy number `copy` as CSV for COPY, its IDs starting at the given ones, every chain hashed again."""
    copy, candidate_id, dossier_id, log_id, fact_id = task
    base = _BASE
    assert base is not None
    branches = base.branches
    moved = {branch: branches[(i + copy) % len(branches)] for i, branch in enumerate(branches)}
    candidates = [f"{candidate_id + i},{text}\n" for i, text in enumerate(base.candidates)]
    dossiers, log, facts = [], [], []
    for index, (candidate, branch, text) in enumerate(base.dossiers):
        new_id = dossier_id + index
        previous = GENESIS
        new_entry: dict[int, int] = {}
        for old_id, fields, rest in base.entries[index]:
            digest = entry_hash(previous, {**fields, "dossier_id": new_id})
            log.append(f"{log_id},{new_id},{previous},{digest},{rest}\n")
            new_entry[old_id] = log_id
            log_id += 1
            previous = digest
        for old_entry, rest in base.facts[index]:
            facts.append(f"{fact_id},{new_id},{new_entry[old_entry]},{rest}\n")
            fact_id += 1
        dossiers.append(f"{new_id},{candidate_id + candidate},{moved[branch]},{previous},{text}\n")
    return copy, "".join(candidates).encode(), "".join(dossiers).encode(), "".join(log).encode(), "".join(facts).encode()


# -- growing ----------------------------------------------------------------------------------------


@dataclass
class Build:
    copies: int = 0
    entries: int = 0
    copying: float = 0.0
    indexes: float = 0.0
    vacuum: float = 0.0

    @property
    def seconds(self) -> float:
        return self.copying + self.indexes + self.vacuum


def _plain_indexes(conn: Any) -> list[tuple[str, str]]:
    """(name, definition) of the non-unique, non-primary-key indexes of the tables a copy writes."""
    return list(conn.exec_driver_sql(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_namespace n ON n.nspname = i.schemaname "
        "JOIN pg_class c ON c.relname = i.indexname AND c.relnamespace = n.oid JOIN pg_index x ON x.indexrelid = c.oid "
        "WHERE i.schemaname = current_schema() AND i.tablename IN ({}) AND NOT x.indisunique AND NOT x.indisprimary "
        "ORDER BY i.tablename, i.indexname".format(", ".join(f"'{t}'" for t in GROWN))).all())


def _next_ids(conn: Any) -> dict[str, int]:
    return {table: int(conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").scalar_one()) for table in TABLES}


def grow(engine: Engine, pool: Any, base: Base, first: int, last: int, say: Callable[[str], None]) -> Build:
    """Copies `first`..`last` written; for a step that at least doubles the data, plain indexes dropped and made again."""
    build = Build(copies=last - first + 1)
    large = build.copies >= max(20, first)
    with engine.begin() as conn:
        dropped = _plain_indexes(conn) if large else []
        for name, _definition in dropped:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        for table in GROWN if large else ():
            conn.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        ids = _next_ids(conn)
    n = {"candidates": len(base.candidates), "dossiers": len(base.dossiers), "transition_log": base.log_count,
         "dossier_facts": base.fact_count}
    tasks = [(copy, *(ids[t] + (copy - first) * n[t] for t in TABLES)) for copy in range(first, last + 1)]
    statements = {table: f"COPY {table} ({', '.join(copy_columns(table))}) FROM STDIN (FORMAT csv)" for table in TABLES}
    started = time.perf_counter()
    chunks: queue.Queue[tuple[int, list[bytes]] | None] = queue.Queue(maxsize=FEEDERS)
    lock = threading.Lock()
    done = [0]
    failed: list[BaseException] = []

    def feed() -> None:
        """A feeder thread: COPY each copy it is handed on a connection of its own, one transaction a copy."""
        raw = engine.raw_connection()
        try:
            driver: Any = raw.driver_connection
            driver.execute("SET synchronous_commit = off")
            while (item := chunks.get()) is not None:
                copy, parts = item
                with driver.cursor() as cursor:
                    for table, chunk in zip(TABLES, parts, strict=True):
                        with cursor.copy(statements[table]) as copying:
                            copying.write(chunk)
                driver.commit()
                with lock:
                    done[0] += 1
                    build.entries += base.log_count
                    if done[0] % 25 == 0 or done[0] == build.copies:
                        took = time.perf_counter() - started
                        say(f"    copy {copy} ({done[0]}/{build.copies}): {build.entries:,} entries in {took:.0f} s, "
                            f"{build.entries / took:,.0f} entries/s, {done[0] * len(base.dossiers) / took:,.0f} dossiers/s")
        except BaseException as err:  # noqa: BLE001 - handed to the main thread, which stops the build
            failed.append(err)
            while chunks.get() is not None:  # keep the producer from blocking
                pass
        finally:
            raw.close()

    feeders = [threading.Thread(target=feed) for _ in range(FEEDERS)]
    for feeder in feeders:
        feeder.start()
    try:
        waiting: collections.deque[Any] = collections.deque()
        queued = iter(tasks)
        for task in queued:  # a window of a few copies ahead: never the whole growth in memory
            waiting.append(pool.apply_async(make_copy, (task,)))
            if len(waiting) >= 2 * BUILD_WORKERS:
                break
        while waiting and not failed:
            copy, *parts = waiting.popleft().get()
            nxt = next(queued, None)
            if nxt is not None:
                waiting.append(pool.apply_async(make_copy, (nxt,)))
            chunks.put((copy, parts))
    finally:
        for _feeder in feeders:
            chunks.put(None)
        for feeder in feeders:
            feeder.join()
    if failed:
        raise failed[0]
    raw = engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        build.copying = time.perf_counter() - started
        started = time.perf_counter()
        driver.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in dropped:
            driver.execute(definition)
            driver.commit()
            say(f"    index {name} made again ({time.perf_counter() - started:.0f} s)")
        build.indexes = time.perf_counter() - started
        for table in GROWN if large else ():
            driver.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")
        for table in TABLES:
            driver.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        driver.commit()
        started = time.perf_counter()
        driver.autocommit = True
        driver.execute(f"VACUUM (ANALYZE) {', '.join(VACUUMED)}")
        build.vacuum = time.perf_counter() - started
        driver.autocommit = False
    finally:
        raw.close()
        engine.dispose()
    return build


# -- the web pages ----------------------------------------------------------------------------------


@dataclass
class Timing:
    total: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)


def p95(values: list[float]) -> float:
    if len(values) < 2:  # one round (a quick check): its only value
        return max(values)
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def report_url(kind: str, year: int) -> str:
    return f"/reports?kind={kind}&period={year}"


def web_cases(year: int) -> list[tuple[str, str, str]]:
    """(measure, user, URL): the list pages and their floor, then the reports."""
    return ([("list", user, page) for user in USERS for page in (*PAGES, FLOOR)]
            + [("report", user, report_url(kind, year)) for user in REPORT_USERS for kind in REPORTS])


def slug(url: str) -> str:
    if url == "/":
        return "dashboard"
    found = re.fullmatch(r"/reports\?kind=(\w+)&period=\d+", url)
    if found:
        return f"report-{found[1]}"
    return re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-")


def explain_page(app: Flask, engine: Engine, client: Any, user: str, url: str, label: str, out: Path) -> None:
    """One request's statements caught; the slowest 3 (reads) run again under EXPLAIN (ANALYZE, BUFFERS), saved to `out`."""
    with caught(engine) as statements:
        if client.get(url).status_code != 200:
            raise SystemExit(f"{user} GET {url}: not 200")
    reads = [s for s in statements if s[1].lstrip().upper().startswith(("SELECT", "WITH"))]
    slowest = sorted(reads, key=lambda s: -s[0])[:3]
    lines = [f"{user} GET {url} at {label}: {len(statements)} statements, {sum(s[0] for s in statements) * 1000:.1f} ms in SQL; "
             f"the {len(slowest)} slowest reads below, each run again with EXPLAIN (ANALYZE, BUFFERS) and the same parameters", ""]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for rank, (seconds, statement, parameters) in enumerate(slowest, 1):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            plan = [row[0] for row in cursor.fetchall()]
            lines += [f"-- {rank}. {seconds * 1000:.1f} ms in the request", statement.strip(), f"-- parameters: {parameters!r}", *plan, ""]
        raw.rollback()
    finally:
        raw.close()
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure_web(url: str, rounds: int, label: str, explain: bool) -> tuple[dict[tuple[str, str, str], Timing], dict[str, int]]:
    """Every case round-robin, WARM_UP rounds then `rounds`; then (with `explain`) each page's plans. Milliseconds."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        engine = services().engine
    clients = {user: signed_in(app, user) for user in USERS}
    cases = web_cases(local_today().year)
    times = {case: Timing() for case in cases}
    try:
        with sql_clock(engine) as spent:
            for round_no in range(WARM_UP + rounds):
                for case in cases:
                    _measure, user, page = case
                    spent[0] = 0.0
                    started = time.perf_counter()
                    response = clients[user].get(page)
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        raise SystemExit(f"{user} GET {page}: {response.status_code}")
                    if round_no >= WARM_UP:
                        times[case].total.append(elapsed * 1000)
                        times[case].sql.append(spent[0] * 1000)
        sizes = {}
        for user in USERS:
            text = clients[user].get("/dossiers").get_data(as_text=True)
            found = re.search(r'role="status">\D*([\d.,]+)', text)
            sizes[user] = int(re.sub(r"\D", "", found.group(1))) if found else -1
        if explain:
            EXPLAIN_DIR.mkdir(exist_ok=True)
            for _measure, user, page in cases:
                if page != FLOOR:
                    explain_page(app, engine, clients[user], user, page, label, EXPLAIN_DIR / f"scale_{label}_{user}_{slug(page)}.txt")
    finally:
        engine.dispose()
    return times, sizes


# -- advance ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Journey:
    """The demo branch, the actor, and the happy path's steps with the branch's own members and committee."""

    branch: int
    actor: Actor
    steps: list[tuple[str, dict[str, Any]]]


def journey(engine: Engine, workflow: Workflow) -> Journey:
    with engine.connect() as conn:
        chiuy = conn.execute(select(_u.c.org_id).where(_u.c.username == "chiuy")).scalar_one()
        staff = conn.execute(select(_u.c.id, _u.c.full_name).where(_u.c.username == "danguy")).one()
        officials = conn.execute(select(_m.c.id).where(_m.c.branch_id == chiuy, _m.c.status == "official",
                                                       _m.c.official_since <= date(2021, 1, 1)).order_by(_m.c.id).limit(3)).scalars().all()
        orgs = {row.id: row for row in conn.execute(select(_o))}
    chain, org = [], chiuy
    while org is not None:
        row = orgs[org]
        chain.append(OrgNode(row.id, row.name, row.level_code, row.may_admit, row.has_committee))
        org = row.parent_id
    body = competent_body(tuple(chain))
    assert body is not None and len(officials) == 3
    steps = list(happy_path(date(2023, 1, 5), officials[0], (officials[1], officials[2]), body[0].id, body[1], workflow.calendar,
                            grassroots_branch=chain[0].level == "grassroots_branch",
                            sub_committee=any(node.level == "sub_committee" for node in chain)))
    return Journey(chiuy, Actor(staff.id, staff.full_name, ROLES, None), steps)


def drive(engine: Engine, workflow: Workflow, way: Journey, n: int) -> tuple[list[int], int]:
    """`n` new dossiers opened in the branch and driven through the whole happy path; their IDs and the transitions made."""
    subject = load_candidate({"full_name": "Nguyễn Văn Bench", "date_of_birth": "2000-05-05", "gender": "male", "education": "upper_secondary"})
    today = local_today()
    ids, made = [], 0
    for _ in range(n):
        opened = open_dossier(SqlUnitOfWork(engine, workflow), workflow, subject, way.branch, way.steps[0][1], way.actor, today=today)
        assert opened.change is not None
        dossier_id = opened.change.dossier_id
        made += 1
        for trigger, facts in way.steps[1:]:
            result = advance(SqlUnitOfWork(engine, workflow), workflow, dossier_id, trigger, facts, way.actor, None, today=today)
            if not result.applied:
                raise SystemExit(f"{trigger} refused on dossier {dossier_id}: {[r.rule_id for r in result.failures]}")
            made += 1
        ids.append(dossier_id)
    return ids, made


def raw_rows(engine: Engine, ids: list[int]) -> list[dict[str, Any]]:
    """Per dossier, one more entry repeating its last step (same state), hashed now on the dossier's head: the writes the
    raw Core baseline makes, ready before its clock starts."""
    now = datetime.now(UTC)
    out = []
    with engine.connect() as conn:
        heads = {row.id: row for row in conn.execute(select(_d.c.id, _d.c.version, _d.c.head_hash, _d.c.state).where(_d.c.id.in_(ids)))}
        lasts = {row.dossier_id: row for row in conn.execute(select(_t).where(_t.c.dossier_id.in_(ids), _t.c.seq == _d.c.version)
                                                              .select_from(_t.join(_d, _d.c.id == _t.c.dossier_id)))}
        kinds: dict[int, str] = dict(conn.execute(select(_f.c.log_entry_id, _f.c.kind).where(_f.c.log_entry_id.in_([r.id for r in lasts.values()]))).all())
    for dossier_id in ids:
        head, last = heads[dossier_id], lasts[dossier_id]
        entry = {"dossier_id": dossier_id, "seq": head.version + 1, "actor_id": last.actor_id, "actor_name": last.actor_name, "at": now,
                 "act_date": last.act_date, "from_state": head.state, "to_state": head.state, "trigger": last.trigger,
                 "facts": last.facts, "rule_results": last.rule_results, "prev_hash": head.head_hash}
        entry["hash"] = entry_hash(head.head_hash, stored_fields(entry))
        out.append({"entry": entry, "version": head.version, "kind": kinds[last.id]})
    return out


def raw_core(engine: Engine, rows: list[dict[str, Any]]) -> tuple[int, float]:
    """As bench_advance.time_raw_core: one transaction per dossier, versioned UPDATE + log INSERT + fact INSERT."""
    bump = (update(_d).where(_d.c.id == bindparam("b_id"), _d.c.version == bindparam("b_version"))
            .values(state=bindparam("b_state"), version=_d.c.version + 1, state_since=bindparam("b_date"), updated_at=bindparam("b_at"),
                    head_hash=bindparam("b_hash"), log_count=_d.c.log_count + 1))
    log = insert(_t).returning(_t.c.id)
    fact = insert(_f)
    started = time.perf_counter()
    for row in rows:
        entry = row["entry"]
        with engine.begin() as conn:
            params = {"b_id": entry["dossier_id"], "b_version": row["version"], "b_state": entry["to_state"], "b_date": entry["act_date"],
                      "b_at": entry["at"], "b_hash": entry["hash"]}
            if conn.execute(bump, params).rowcount != 1:
                raise SystemExit(f"raw: version moved on dossier {entry['dossier_id']}")
            log_id = conn.execute(log, entry).scalar_one()
            conn.execute(fact, {"dossier_id": entry["dossier_id"], "kind": row["kind"], "act_date": entry["act_date"], "data": entry["facts"],
                                "log_entry_id": log_id, "superseded": False})
    return len(rows), time.perf_counter() - started


def advance_worker(url: str, way: Journey, n: int, barrier: Any, results: Any) -> None:
    """One process of the parallel measure: its own engine and dossiers; advance, then raw Core, each started together."""
    workflow = build_workflow()
    engine = make_engine(url)
    try:
        barrier.wait(timeout=1800)
        started = time.monotonic()
        ids, made = drive(engine, workflow, way, n)
        results.put(("advance", made, started, time.monotonic()))
        rows = raw_rows(engine, ids)
        barrier.wait(timeout=1800)
        started = time.monotonic()
        written, _seconds = raw_core(engine, rows)
        results.put(("raw", written, started, time.monotonic()))
    finally:
        engine.dispose()


@dataclass
class Advances:
    one: float  # transitions a second, one process
    raw_one: float
    many: float  # aggregate, ADVANCE_WORKERS processes
    raw_many: float


def measure_advance(url: str, way: Journey) -> Advances:
    workflow = build_workflow()
    engine = make_engine(url)
    try:
        drive(engine, workflow, way, 5)  # warm: the decoded-facts cache, the connections
        started = time.perf_counter()
        ids, made = drive(engine, workflow, way, ADVANCE_DOSSIERS)
        one = made / (time.perf_counter() - started)
        written, seconds = raw_core(engine, raw_rows(engine, ids))
        raw_one = written / seconds
    finally:
        engine.dispose()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(ADVANCE_WORKERS), context.Queue()
    workers = [context.Process(target=advance_worker, args=(url, way, ADVANCE_DOSSIERS, barrier, results)) for _ in range(ADVANCE_WORKERS)]
    for worker in workers:
        worker.start()
    got: dict[str, list[tuple[int, float, float]]] = {"advance": [], "raw": []}
    for _ in range(2 * ADVANCE_WORKERS):
        kind, count, first, last = results.get(timeout=3600)
        got[kind].append((count, first, last))
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise SystemExit("an advance worker failed")

    def aggregate(parts: list[tuple[int, float, float]]) -> float:
        return sum(p[0] for p in parts) / (max(p[2] for p in parts) - min(p[1] for p in parts))

    return Advances(one, raw_one, aggregate(got["advance"]), aggregate(got["raw"]))


# -- one point --------------------------------------------------------------------------------------


@dataclass
class Point:
    label: str
    rows: dict[str, int]
    gib: float
    build: Build | None
    web: dict[tuple[str, str, str], Timing]
    sizes: dict[str, int]
    verify_rate: float
    verify_seconds: float
    verify_workers: int
    advances: Advances
    rounds: int


def counts(engine: Engine) -> tuple[dict[str, int], float]:
    with engine.connect() as conn:
        rows = {t: int(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one())
                for t in ("candidates", "dossiers", "transition_log", "dossier_facts", "stage_steps")}
        size = conn.exec_driver_sql("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                    "WHERE n.nspname = current_schema() AND c.relkind = 'r'").scalar_one()
    return rows, size / 2**30


def measure_point(url: str, label: str, build: Build | None, way: Journey, rounds: int, explain: bool, say: Callable[[str], None]) -> Point:
    engine = make_engine(url)
    try:
        rows, gib = counts(engine)
        say(f"  {label}: {rows['dossiers']:,} dossiers, {rows['transition_log']:,} entries, {gib:.1f} GiB; measuring the pages")
        web, sizes = measure_web(url, rounds, label, explain)
        say(f"  {label}: verify")
        checked = verify(engine)
        if not checked.ok:
            raise SystemExit(f"verify FAILED at {label}: {[b.line() for b in checked.breaks[:3]]}")
        say(f"  {label}: advance")
        advances = measure_advance(url, way)
    finally:
        engine.dispose()
    return Point(label, rows, gib, build, web, sizes, checked.entries / checked.seconds, checked.seconds, checked.workers, advances, rounds)


def print_point(point: Point) -> None:
    r = point.rows
    built = (f"built in {point.build.seconds:,.0f} s ({point.build.copies} copies, {point.build.entries:,} entries: COPY {point.build.copying:,.0f} s, "
             f"{point.build.entries / point.build.copying:,.0f} entries/s; indexes {point.build.indexes:,.0f} s; VACUUM ANALYZE "
             f"{point.build.vacuum:,.0f} s)") if point.build else "kept schema, not built"
    print(f"\n== point {point.label}: dossiers {r['dossiers']:,}, candidates {r['candidates']:,}, transition_log {r['transition_log']:,}, "
          f"dossier_facts {r['dossier_facts']:,}, stage_steps {r['stage_steps']:,}; tables and indexes {point.gib:.1f} GiB; {built}")
    print(f"{point.rounds} rounds after {WARM_UP} warm-up, every page round-robin; ms; target p95 < {TARGET_MS:.0f} ms")
    print(f"{'user (dossiers in list)':26} {'page':40} {'p50':>7} {'p95':>7} {'max':>7} {'p95/target':>10} {'SQL p50':>8} {'SQL/total':>9}")
    for (_measure, user, page), t in point.web.items():
        label = f"{page} (floor)" if page == FLOOR else page
        share = statistics.median(t.sql) / statistics.median(t.total)
        print(f"{f'{user} ({point.sizes[user]:,})':26} {label:40} {statistics.median(t.total):7.1f} {p95(t.total):7.1f} {max(t.total):7.1f} "
              f"{p95(t.total) / TARGET_MS:10.2f} {statistics.median(t.sql):8.1f} {share:9.0%}")
    for measure in ("list", "report"):
        worst = max((p95(t.total), page, user) for (m, user, page), t in point.web.items() if m == measure and page != FLOOR)
        print(f"{measure} pages at {point.label}: worst p95 {worst[0]:.0f} ms ({worst[2]} {worst[1]}), {worst[0] / TARGET_MS:.2f} x the target")
    a = point.advances
    print(f"verify (as `ketnap audit verify`, {point.verify_workers} processes): {point.rows['transition_log']:,} entries in "
          f"{point.verify_seconds:.1f} s, {point.verify_rate:,.0f} entries/s, ok")
    print(f"advance (open + every step of the happy path, SqlUnitOfWork), 1 process:   {a.one:7.0f} /s   raw Core writes {a.raw_one:7.0f} /s   "
          f"raw/advance {a.raw_one / a.one:5.2f}x")
    print(f"advance, {ADVANCE_WORKERS} processes at once (aggregate):                       {a.many:7.0f} /s   raw Core writes {a.raw_many:7.0f} /s   "
          f"raw/advance {a.raw_many / a.many:5.2f}x   (target {TARGET_ADVANCES}/s: {'MET' if a.many >= TARGET_ADVANCES else 'NOT met'})")


def print_curve(points: list[Point]) -> None:
    first = points[0]
    head = "".join(f" {p.label:>19}" for p in points)
    print(f"\n== the curve: p95 in ms at each point (x the first point's); SQL p50 at the last point\n{'':26} {'page':40}{head}")
    for case, t0 in first.web.items():
        _measure, user, page = case
        cells = "".join(f" {f'{p95(p.web[case].total):.0f} ({p95(p.web[case].total) / p95(t0.total):.1f}x)':>19}" for p in points)
        label = f"{page} (floor)" if page == FLOOR else page
        print(f"{user:26} {label:40}{cells}   SQL {statistics.median(points[-1].web[case].sql):.0f}")
    rows = [("dossiers", lambda p: p.rows["dossiers"], "{:,.0f}"), ("log entries", lambda p: p.rows["transition_log"], "{:,.0f}"),
            ("verify entries/s", lambda p: p.verify_rate, "{:,.0f}"), ("verify seconds", lambda p: p.verify_seconds, "{:,.1f}"),
            ("advance /s, 1 process", lambda p: p.advances.one, "{:,.0f}"), ("raw Core /s, 1 process", lambda p: p.advances.raw_one, "{:,.0f}"),
            (f"advance /s, {ADVANCE_WORKERS} processes", lambda p: p.advances.many, "{:,.0f}"),
            (f"raw Core /s, {ADVANCE_WORKERS} processes", lambda p: p.advances.raw_many, "{:,.0f}"),
            ("build s (this step)", lambda p: p.build.seconds if p.build else 0.0, "{:,.0f}")]
    for name, value, form in rows:
        base = value(first) or 1.0
        cells = "".join(f" {form.format(value(p)) + f' ({value(p) / base:.1f}x)':>19}" for p in points)
        print(f"{name:67}{cells}")


def verdicts(points: list[Point], wanted: int) -> None:
    large = [p for p in points if p.rows["dossiers"] >= wanted]
    if not large:
        print(f"\nverdict: list and report p95 < {TARGET_MS:.0f} ms at {wanted:,} dossiers: unknown (no point that large measured)")
    for point in large:
        for measure in ("list", "report"):
            worst = max((p95(t.total), page, user) for (m, user, page), t in point.web.items() if m == measure and page != FLOOR)
            verdict = "MET" if worst[0] < TARGET_MS else "NOT met"
            print(f"verdict: {measure} pages p95 < {TARGET_MS:.0f} ms at {point.rows['dossiers']:,} dossiers: {verdict} "
                  f"(worst {worst[0]:.0f} ms, {worst[2]} {worst[1]}; {worst[0] / TARGET_MS:.2f} x the target)")
    best = max(points, key=lambda p: p.rows["dossiers"])
    rate = best.advances.many
    print(f"verdict: advance {TARGET_ADVANCES}/s with {ADVANCE_WORKERS} workers on PostgreSQL at {best.rows['dossiers']:,} dossiers: "
          f"{'MET' if rate >= TARGET_ADVANCES else 'NOT met'} ({rate:,.0f}/s; raw Core writes {best.advances.raw_many:,.0f}/s)")


# -- main -------------------------------------------------------------------------------------------


def estimate(last: Build, done: int, copies: int) -> float:
    """Seconds to grow from `done` to `copies` copies at the last large step's rates: copying per entry, and the
    indexes and VACUUM in proportion to the whole size (they read every row)."""
    per_copy = last.copying / last.copies
    whole = (last.indexes + last.vacuum) / done  # `done` copies were there when the last step ended
    return per_copy * (copies - done) + whole * (copies + 1)


def plan(base: Base, points: list[int], entries: int) -> list[tuple[str, int]]:
    """(label, last copy number) for each point: copies until the dossiers (and, last, the entries) reach it."""
    out = []
    for wanted in points:
        out.append((str(wanted), max(0, -(-wanted // len(base.dossiers)) - 1)))
    copies = -(-entries // base.log_count) - 1
    if entries and copies > (out[-1][1] if out else 0):
        out.append((f"{(copies + 1) * len(base.dossiers)}", copies))
    return out


def option(args: list[str], name: str, default: str | None) -> str | None:
    return args[args.index(name) + 1] if name in args else default


def main() -> None:
    global _BASE
    args = sys.argv[1:]
    pg_url = option(args, "--pg", os.environ.get("TEST_DATABASE_URL"))
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    if not pg_url:
        print("\n!! PostgreSQL NOT MEASURED: give --pg URL (or set TEST_DATABASE_URL)")
        print("verdict: not run: no PostgreSQL (bench_scale measures PostgreSQL only)")
        return
    points = [int(p) for p in (option(args, "--points", None) or ",".join(map(str, POINTS))).split(",") if p]
    entries = int(option(args, "--entries", str(ENTRIES)) or 0)
    rounds = int(option(args, "--rounds", "30") or 30)
    last_rounds = int(option(args, "--last-rounds", str(rounds)) or rounds)
    explain = "--no-explain" not in args
    max_minutes = float(option(args, "--max-build-minutes", "40") or 40)
    kept = option(args, "--schema", None)

    def say(message: str) -> None:
        print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)

    if kept:
        url = schema_url(pg_url, kept)
        engine = make_engine(url)
        way = journey(engine, build_workflow())
        rows, _gib = counts(engine)
        engine.dispose()
        point = measure_point(url, str(rows["dossiers"]), None, way, last_rounds, explain, say)
        print_point(point)
        verdicts([point], max(points))
        return
    keep = "--keep" in args
    with postgresql_schema(pg_url, "bench_scale", keep=keep) as url:
        if keep:
            print(f"PostgreSQL schema kept: {url}")
        engine = make_engine(url)
        started = time.perf_counter()
        build_demo(engine, build_workflow(), size=ENGINE_MADE, seed=SEED, progress=lambda _m: None)
        _BASE = base = load_base(engine)
        way = journey(engine, build_workflow())
        print(f"base: build_demo, {len(base.dossiers):,} dossiers and {base.log_count:,} entries "
              f"({base.log_count / len(base.dossiers):.1f} a dossier, {max(len(e) for e in base.entries)} at most), "
              f"{time.perf_counter() - started:.0f} s")
        steps = plan(base, points, entries)
        print("points: " + ", ".join(f"{label} ({copies} copies: {(copies + 1) * len(base.dossiers):,} dossiers, "
                                     f"{(copies + 1) * base.log_count:,} entries)" for label, copies in steps))
        engine.dispose()  # no connection of this process inherited by the pool's workers
        context = multiprocessing.get_context("fork")
        measured: list[Point] = []
        done = 0
        try:
            with context.Pool(BUILD_WORKERS) as pool:
                for index, (label, copies) in enumerate(steps):
                    build = None
                    last_build = next((p.build for p in reversed(measured) if p.build and p.build.copies >= 20), None)
                    if copies > done and last_build is not None:
                        minutes = estimate(last_build, done, copies) / 60
                        if minutes > max_minutes:
                            print(f"\npoint {label} NOT built: at the rates measured in the last large step ({last_build.entries / last_build.copying:,.0f} "
                                  f"entries/s copied, indexes and VACUUM {last_build.indexes + last_build.vacuum:,.0f} s for {done + 1} copies) its "
                                  f"{copies - done} copies would take ~{minutes:.0f} min to build, over the {max_minutes:.0f} min allowed "
                                  "(--max-build-minutes)")
                            break
                        say(f"growing to {label}: estimated {minutes:.0f} min to build")
                    if copies > done:
                        say(f"growing to {label}: copies {done + 1}..{copies}")
                        build = grow(engine, pool, base, done + 1, copies, say)
                        done = copies
                        say(f"  built in {build.seconds:.0f} s")
                    last = index == len(steps) - 1
                    point = measure_point(url, label, build, way, last_rounds if last else rounds, explain, say)
                    print_point(point)
                    sys.stdout.flush()
                    measured.append(point)
        except KeyboardInterrupt:  # a run cut short keeps its curve, up to the largest point measured
            print(f"\n!! interrupted after the point {measured[-1].label if measured else '(none)'}: the curve stops there")
        engine.dispose()
        if not measured:
            raise SystemExit("no point measured")
        print_curve(measured)
        print()
        verdicts(measured, 1_000_000 if max(points) >= 1_000_000 else max(points))
        if keep:
            print(f"\nPostgreSQL schema kept: {url}")


if __name__ == "__main__":
    main()
