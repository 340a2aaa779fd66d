"""Server time of the auditor's log search with 1,000,000 transition-log entries, on SQLite and PostgreSQL.

Target: p95 under 200 ms a request, on both databases.

The data. `ketnap.demo.build_demo` writes the demo organisation tree (a province, 4 commune
committees, 20 grassroots organisations, 123 branches) and 2,000 dossiers driven through the real
workflow: ~16,000 log entries with their real rule results. Then ACTORS users are added (names of
demo Party members) and the candidates, dossiers and log entries are copied with INSERT ... SELECT
until the log holds ENTRIES entries: copy *k* moves every dossier *k* branches along (as in
bench_dossier_list.py) and gives its entries to one of the added users (by dossier), keeping
trigger, states, dates, facts and rule results. The copies' hashes are the originals': the chain
of a copied dossier does not verify, and need not, for a search benchmark. The warnings and the
rule-step pairs (`transition_log_flags`, `transition_log_rule_steps`) are filled by the database's
own trigger on those inserts, as in production. SQLite: cached in bench/out/ (git-ignored;
`--rebuild` builds it again). PostgreSQL (`--pg URL`, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test, or TEST_DATABASE_URL): a schema of its own,
built, VACUUM ANALYZEd, and dropped at the end.

The measure. Real requests through the Flask app's test client, signed in with the password as
`kiemtra` (auditor at the province: the whole log in scope): the log search with no filter, by
organisation (a grassroots organisation, and one branch), by date range (a month, recorded time),
by actor (one added user's name, without diacritics), by step, by rule ID (every entry that judged
R-DECIDE-2; entries where R-BIO-1 warned), an older page, and combined. Ten warm-up rounds, then N
rounds in which every search is asked once (side by side: a noisy neighbour slows them all alike),
time.perf_counter around client.get. Beside each, in the same rounds, a hand-written SQL statement
for the same page (the entries and their dossiers' names, the filters as plain SQL, no plan
steered), run on a raw DBAPI cursor: what the database makes of the obvious query.
Run: .venv/bin/python bench/bench_log_search.py [rounds, default 30] [--rebuild] [--pg URL]
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Connection, case, create_engine, func, insert, literal, null, select
from sqlalchemy.engine import Engine, make_url
from sqlite_build import building
from web_timing import signed_in, sql_clock

from ketnap.db import audit_queries as aq
from ketnap.db.migrate import upgrade
from ketnap.db.models import Candidate, Dossier, Member, Organisation, TransitionLog, User, table_of
from ketnap.db.session import make_engine
from ketnap.demo import build_demo
from ketnap.engine.text import search_key
from ketnap.webui import create_app, services
from ketnap.workflows.admission import build_workflow
from ketnap.workflows.vocab import DOSSIER_LEVELS

TARGET_MS = 200.0
ENTRIES = 1_000_000
ENGINE_MADE = 2_000
ACTORS = 240
SEED = 2023
OUT = Path(__file__).resolve().parent / "out"
WARM_UP = 10
_d, _c, _o, _t, _u, _m = (table_of(m) for m in (Dossier, Candidate, Organisation, TransitionLog, User, Member))


# -- the database ------------------------------------------------------------------------------


def build(engine: Engine) -> None:
    """The demo with ENGINE_MADE engine-driven dossiers, then users and copies up to ENTRIES log entries."""
    build_demo(engine, build_workflow(), size=ENGINE_MADE, seed=SEED, progress=lambda _m: None)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA cache_size = -1000000")  # 1 GB: the indexes' pages stay in memory while copying
        first_actor = _add_actors(conn)
        branches = list(conn.execute(select(_o.c.id).where(_o.c.level_code.in_(DOSSIER_LEVELS)).order_by(_o.c.id)).scalars())
        last = {name: conn.execute(select(func.max(table.c.id))).scalar_one() for name, table in (("dossier", _d), ("candidate", _c), ("log", _t))}
        copy = 1
        while copy * last["log"] < ENTRIES:
            _copy(conn, copy, branches, last, first_actor)
            copy += 1
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _add_actors(conn: Connection) -> int:
    """ACTORS users named after demo Party members, one per organisation in turn; returns the first one's ID."""
    first = conn.execute(select(func.max(_u.c.id))).scalar_one() + 1
    names = conn.execute(select(_m.c.full_name).distinct().order_by(_m.c.full_name).limit(ACTORS)).scalars().all()
    orgs = conn.execute(select(_o.c.id).order_by(_o.c.id)).scalars().all()
    conn.execute(insert(_u), [{"id": first + i, "username": f"bench{i}", "full_name": name, "role": "branch_committee",
                               "org_id": orgs[i % len(orgs)], "password_hash": None, "active": True} for i, name in enumerate(names)])
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))")
    return int(first)


def _copy(conn: Connection, copy: int, branches: list[int], last: dict[str, int], first_actor: int) -> None:
    """Copy number `copy`: candidates, dossiers moved `copy` branches along, and their log entries by other actors."""
    candidates = [column.name for column in _c.columns]
    shifted = {"id": _c.c.id + copy * last["candidate"], "citizen_id": null()}
    conn.execute(insert(_c).from_select(candidates, select(*(shifted.get(n, _c.c[n]) for n in candidates)).where(_c.c.id <= last["candidate"])))
    moved = {branch: branches[(i + copy) % len(branches)] for i, branch in enumerate(branches)}
    dossiers = [column.name for column in _d.columns]
    changed = {"id": _d.c.id + copy * last["dossier"], "candidate_id": _d.c.candidate_id + copy * last["candidate"],
               "branch_id": case(moved, value=_d.c.branch_id)}
    conn.execute(insert(_d).from_select(dossiers, select(*(changed.get(n, _d.c[n]) for n in dossiers)).where(_d.c.id <= last["dossier"])))
    actor_id = literal(first_actor) + (_t.c.dossier_id * 7 + copy) % ACTORS
    actor_name = select(_u.c.full_name).where(_u.c.id == actor_id).scalar_subquery()
    entries = [column.name for column in _t.columns]
    renamed = {"id": _t.c.id + copy * last["log"], "dossier_id": _t.c.dossier_id + copy * last["dossier"], "actor_id": actor_id,
               "actor_name": actor_name}
    conn.execute(insert(_t).from_select(entries, select(*(renamed.get(n, _t.c[n]) for n in entries))
                                        .where(_t.c.id <= min(last["log"], ENTRIES - copy * last["log"]))))


@dataclass
class Database:
    url: str
    took: float  # seconds spent building; 0 when a cached one was reused
    cleanup: Any = None


def sqlite_database(rebuild: bool) -> Database:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"log_search_{ENTRIES}_seed{SEED}.sqlite"
    url = f"sqlite:///{path}"
    took = 0.0
    if rebuild or not path.exists():
        started = time.perf_counter()
        with building(path) as engine:
            build(engine)
        took = time.perf_counter() - started
    upgrade(url)  # a cached database gets the migrations written since it was built
    return Database(url, took)


def postgresql_database(server_url: str) -> Database:
    """A schema of its own on the server, built now and dropped by `cleanup`."""
    schema = f"bench_log_search_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')

    def cleanup() -> None:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    started = time.perf_counter()
    try:
        upgrade(url)
        engine = make_engine(url)
        build(engine)
        engine.dispose()
    except BaseException:
        cleanup()
        raise
    return Database(url, time.perf_counter() - started, cleanup)


# -- the searches ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    url: str
    where: str  # the hand-written statement's conditions


def _literal_time(dialect: str, value: datetime) -> str:
    utc = value.astimezone(UTC)
    return f"'{utc:%Y-%m-%d %H:%M:%S}.000000'" if dialect == "sqlite" else f"'{utc:%Y-%m-%d %H:%M:%S}+00'"


def _quoted(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def cases(engine: Engine) -> list[Case]:
    """The searches measured, on organisations, actors and entries of the database at hand."""
    dialect = engine.dialect.name
    with engine.connect() as conn:
        grassroots = conn.execute(select(func.min(_o.c.id)).where(_o.c.level_code == "grassroots_committee")).scalar_one()
        branch = conn.execute(select(func.min(_o.c.id)).where(_o.c.parent_id == grassroots, _o.c.level_code.in_(DOSSIER_LEVELS))).scalar_one()
        actor = conn.execute(select(_u.c.full_name).where(_u.c.username == "bench5")).scalar_one()
        total = conn.execute(select(func.count()).select_from(_t)).scalar_one()
        middle = conn.execute(select(_t.c.id).order_by(_t.c.at.desc(), _t.c.id.desc()).offset(total // 2).limit(1)).scalar_one()
        names = aq.actor_names(conn)
        in_grassroots = aq.org_scope(conn, grassroots).org_ids or ()
    actor_key = search_key(actor)
    family = " ".join(actor_key.split()[:2])  # e.g. "bui cong": several actors
    march = [aq.local_day_start(date(2024, 3, 1)), aq.local_day_start(date(2024, 4, 1))]
    year = [aq.local_day_start(date(2024, 1, 1)), aq.local_day_start(date(2025, 1, 1))]

    def during(bounds: list[datetime]) -> str:
        return f"t.at >= {_literal_time(dialect, bounds[0])} AND t.at < {_literal_time(dialect, bounds[1])}"

    def rule(rule_id: str, flagged: bool = False) -> str:
        if flagged:
            return f"f.rule_id = '{rule_id}'"
        if dialect == "postgresql":
            return (f"t.rule_results @> '[{{\"rule_id\": \"{rule_id}\"}}]' AND NOT t.rule_results @> "
                    f"'[{{\"rule_id\": \"{rule_id}\", \"status\": \"not_applicable\"}}]'")
        return (f"EXISTS (SELECT 1 FROM json_each(t.rule_results) AS j WHERE json_extract(j.value, '$.rule_id') = '{rule_id}' "
                "AND json_extract(j.value, '$.status') <> 'not_applicable')")

    in_org = f"d.branch_id IN ({', '.join(str(o) for o in in_grassroots)})"
    return [
        Case("no filter", "/audit/log", "1 = 1"),
        Case("org: grassroots committee", f"/audit/log?org={grassroots}", in_org),
        Case("org: one branch", f"/audit/log?org={branch}", f"d.branch_id = {branch}"),
        Case("date range: a month", "/audit/log?from=01/03/2024&to=31/03/2024", during(march)),
        Case("actor: one name", f"/audit/log?actor={actor_key.replace(' ', '+')}",
             f"t.actor_name IN ({_quoted(list(aq.matching_actors(names, actor_key)))})"),
        Case("step", "/audit/log?trigger=hold_branch_vote", "t.trigger = 'hold_branch_vote'"),
        Case("rule ID", "/audit/log?rule=R-DECIDE-2", rule("R-DECIDE-2")),
        Case("rule ID, warnings only", "/audit/log?rule=R-BIO-1&flagged=1", rule("R-BIO-1", flagged=True)),
        Case("older page (mid-log)", f"/audit/log?before={middle}",
             f"(t.at, t.id) < (SELECT at, id FROM transition_log WHERE id = {middle})"),
        Case("combined", f"/audit/log?org={grassroots}&trigger=hold_branch_vote&rule=R-VOTE-BRANCH-1&from=01/01/2024&to=31/12/2024"
             f"&actor={family.replace(' ', '+')}",
             f"{in_org} AND t.trigger = 'hold_branch_vote' AND {rule('R-VOTE-BRANCH-1')} AND {during(year)} "
             f"AND t.actor_name IN ({_quoted(list(aq.matching_actors(names, family)))})"),
    ]


def hand_sql(case: Case) -> str:
    """The page of the search as one would write it by hand: the entries and their dossiers' names, newest first,
    the warnings joined for a rule's warnings, a rule's results read in the JSON otherwise; no plan steered."""
    rules = "JOIN transition_log_flags f ON f.log_id = t.id " if "f.rule_id" in case.where else ""
    return ("SELECT t.id, t.dossier_id, t.seq, t.at, t.act_date, t.actor_name, t.trigger, t.from_state, t.to_state, "
            f"t.rule_results, c.full_name, o.name FROM transition_log t {rules}JOIN dossiers d ON d.id = t.dossier_id "
            "JOIN candidates c ON c.id = d.candidate_id JOIN organisations o ON o.id = d.branch_id "
            f"WHERE {case.where} ORDER BY t.at DESC, t.id DESC LIMIT 51")


# -- the measure -------------------------------------------------------------------------------




@dataclass
class Timing:
    total: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    hand: list[float] = field(default_factory=list)
    rows: int = 0
    hand_rows: int = 0


ROW = re.compile(r'<td><a href="/audit/dossiers/\d+#entry-\d+">')


def measure(app: Flask, engine: Engine, searches: list[Case], rounds: int) -> dict[str, Timing]:
    """Each search through the app and by hand, round-robin, after WARM_UP rounds; milliseconds."""
    client = signed_in(app, "kiemtra")
    timings = {case.name: Timing() for case in searches}
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with sql_clock(engine) as spent:
            for round_no in range(WARM_UP + rounds):
                for case in searches:
                    spent[0] = 0.0
                    started = time.perf_counter()
                    response = client.get(case.url)
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        raise SystemExit(f"GET {case.url}: {response.status_code}")
                    started = time.perf_counter()
                    cursor.execute(hand_sql(case))
                    found = cursor.fetchall()
                    by_hand = time.perf_counter() - started
                    if round_no >= WARM_UP:
                        timing = timings[case.name]
                        timing.total.append(elapsed * 1000)
                        timing.sql.append(spent[0] * 1000)
                        timing.hand.append(by_hand * 1000)
                        timing.rows = len(ROW.findall(response.get_data(as_text=True)))
                        timing.hand_rows = min(len(found), 50)
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def report(backend: str, db: Database, engine: Engine, timings: dict[str, Timing], rounds: int) -> float:
    """Print one backend's table; returns its worst p95 over the target."""
    with engine.connect() as conn:
        rows = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
                for t in ("organisations", "users", "dossiers", "transition_log", "transition_log_flags", "transition_log_rule_steps")}
    built = f"built in {db.took:.0f} s" if db.took else "reused (cached)"
    print(f"\n== {backend}: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()) + f"; {built}")
    print(f"{rounds} rounds after {WARM_UP} warm-up, searches round-robin, signed in as kiemtra (auditor, whole province); "
          f"target p95 < {TARGET_MS:.0f} ms")
    print(f"{'search':28} {'rows':>4} {'p50':>7} {'p95':>7} {'max':>7} {'p95/target':>10} {'SQL p50':>8} "
          f"{'by hand p50':>11} {'by hand p95':>11} {'app/hand':>8}")
    worst = 0.0
    for name, t in timings.items():
        ratio = p95(t.total) / TARGET_MS
        worst = max(worst, ratio)
        print(f"{name:28} {t.rows:4d} {statistics.median(t.total):7.1f} {p95(t.total):7.1f} {max(t.total):7.1f} {ratio:10.2f} "
              f"{statistics.median(t.sql):8.1f} {statistics.median(t.hand):11.1f} {p95(t.hand):11.1f} "
              f"{statistics.median(t.total) / statistics.median(t.hand):8.2f}")
        if t.rows != t.hand_rows:
            print(f"   !! the page shows {t.rows} rows, the hand-written statement finds {t.hand_rows}")
    print(f"{backend}: target {'met' if worst < 1 else 'NOT met'}: worst p95 is {worst:.2f} x the {TARGET_MS:.0f} ms target")
    return worst


def run(backend: str, db: Database, rounds: int) -> float:
    app = create_app({"DATABASE_URL": db.url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        engine = services().engine
    try:
        return report(backend, db, engine, measure(app, engine, cases(engine), rounds), rounds)
    finally:
        engine.dispose()


def main() -> None:
    args = sys.argv[1:]
    pg_url = args[args.index("--pg") + 1] if "--pg" in args else os.environ.get("TEST_DATABASE_URL")
    numbers = [a for a in args if a.isdigit()]
    rounds = int(numbers[0]) if numbers else 30
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print("hashes of the copied entries are the originals': the chains of copies do not verify (a search benchmark)")
    worst = {"SQLite": run("SQLite", sqlite_database("--rebuild" in args), rounds)}
    if pg_url:
        db = postgresql_database(pg_url)
        try:
            worst["PostgreSQL"] = run("PostgreSQL", db, rounds)
        finally:
            db.cleanup()
    else:
        print("\n!! PostgreSQL NOT MEASURED: give --pg URL (or set TEST_DATABASE_URL)")
    verdict = "met" if pg_url and all(ratio < 1 for ratio in worst.values()) else "NOT met" if any(r >= 1 for r in worst.values()) else "unknown"
    print("\nverdict: target " + verdict + ": " + "; ".join(f"{name} worst p95 {ratio:.2f} x {TARGET_MS:.0f} ms" for name, ratio in worst.items()))


if __name__ == "__main__":
    main()
