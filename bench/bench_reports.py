"""The organisation board's reports over at least 100,000 dossiers and 2,000,000 log entries, on SQLite and PostgreSQL.

Target: every report (progress, structure, funnel, deadlines, reviews) under 1 s, p95, on both databases,
computed with SQL aggregates (ketnap/db/reports.py), not Python loops over rows.

The data. `ketnap.demo.build_demo` writes the demo organisation tree (a province, 4 commune committees,
20 grassroots organisations, 123 branches, ~4,100 members, 120 mass organisations) and ENGINE_MADE
dossiers driven through the real workflow (~16,000 log entries, ~8 a dossier); a third of their
candidates are then given an introducing mass organisation of their grassroots organisation. Then the
candidates, dossiers and log entries are copied with INSERT ... SELECT, whole dossiers with their whole
logs, until there are at least DOSSIERS dossiers AND ENTRIES entries: at ~8 entries a dossier the entries
decide, so the copies make 254,000 dossiers (more than the 100,000 asked: every report that reads
dossiers does more work, none less). Copy *k* moves every dossier *k* branches along (as
bench_dossier_list.py and bench_log_search.py do) and moves the dates of its finished dossiers
(official, withdrawn, rejected, struck off; their candidates' birth dates with them) back by
364 x (k mod 4) days (whole weeks: weekdays stay weekdays), so that admissions spread over 2019-2026
while open dossiers stay recent. The copies' hashes are the originals': their chains do not verify, and
need not (this is not a verification benchmark; bench_verify.py builds valid chains). Their facts
(`dossier_facts`) are not copied: no report reads them. Then, for every organisation: targets for the
years 2019-2026 and the terms 2020-2025 and 2025-2030 (total, women, ethnic_minority, religious,
youth), start-of-year membership counts 2019-2026 (every tenth branch left without, so the members list
is read), and each branch's monthly sympathiser-list reviews from January 2019 (~88 % of the months).
ANALYZE (SQLite) / VACUUM ANALYZE (PostgreSQL) at the end. SQLite: cached in bench/out/ (git-ignored;
`--rebuild` builds it again; a cached one is migrated to the newest revision and ANALYZEd). PostgreSQL
(`--pg URL`, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test, or TEST_DATABASE_URL): a schema of
its own, built on every run and dropped at the end (`--pg-keep` keeps it and prints its name,
`--pg-schema NAME` measures a kept one again).

The measure. `build_report(Context(conn, params, calendar), kind, org, period, as_of)` on one
connection, for every kind, three scopes (the province: the root organisation; the first commune
committee; the demo branch committee's branch) and two periods (the year with the most admissions, and
its busiest quarter), as of the last day acts are dated. Beside each, in the same rounds, a hand-written
SQL statement (text SQL, the scope as a recursive CTE, no plan steered) for the report's headline
figures: progress, the admissions per branch in the period and since 1 January; structure, the grouped
sums by source category and mass organisation; funnel, the arrivals per stage and the median days per
stage; deadlines, the overdue and due-soon counts; reviews, per branch the sympathisers, months reviewed
and last review. The hand-written figures must EQUAL the report's (checked on the warm-up round; the
bench stops on a mismatch). One warm-up round, then N rounds (default 10) in which every case is built
once (round-robin: a noisy neighbour slows them all alike); time.perf_counter around each. Printed per
case: best, p50, p95 and max (ms), the hand-written statement's best and p95, the ratio report/hand
(best over best), p95 over the 1 s target; and a verdict per backend from the worst p95.
Run: .venv/bin/python bench/bench_reports.py [rounds, default 10] [--rebuild] [--pg URL] [--no-sqlite]
     [--pg-keep] [--pg-schema NAME]
"""

from __future__ import annotations

import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Interval,
    bindparam,
    case,
    cast,
    extract,
    func,
    insert,
    literal,
    null,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.sql import ColumnElement
from sqlite_build import cached_sqlite, postgresql_schema, schema_url

from ketnap.db.audit_queries import branch_params
from ketnap.db.branch_lists import SYMPATHISER_STATES
from ketnap.db.models import (
    Candidate,
    Dossier,
    MassOrganisation,
    Member,
    MembershipCount,
    Organisation,
    SympathiserReview,
    Target,
    TransitionLog,
    User,
    table_of,
)
from ketnap.db.reports import MAJORITY, NO_RELIGION
from ketnap.db.session import make_engine
from ketnap.demo import build_demo
from ketnap.engine.calendar import WorkingCalendar
from ketnap.engine.snapshot import Params
from ketnap.reports.build import Context, build_report
from ketnap.reports.model import Report
from ketnap.reports.periods import Period, parse_period
from ketnap.reports.targets import CATEGORIES, STRUCTURE, category_label
from ketnap.workflows.admission import HAPPY_PATH, TERMINAL, build_workflow
from ketnap.workflows.deadlines import DEADLINES, overdue_cutoffs
from ketnap.workflows.params import load_calendar, load_params
from ketnap.workflows.vocab import DOSSIER_LEVELS

TARGET_S = 1.0
DOSSIERS = 100_000
ENTRIES = 2_000_000
ENGINE_MADE = 2_000
SEED = 2023
SHIFTS = 4  # copy k moves its finished dossiers back 364 * (k mod SHIFTS) days
YEARS = range(2019, 2027)
TERMS = ("2020-2025", "2025-2030")
TARGETED = ("total", *STRUCTURE)
KINDS = ("progress", "structure", "funnel", "deadlines", "reviews")
OUT = Path(__file__).resolve().parent / "out"
ADMITTED = "admission_decided"
STAGES = [name for name, _vi, _en in HAPPY_PATH]
_d, _c, _o, _t = table_of(Dossier), table_of(Candidate), table_of(Organisation), table_of(TransitionLog)
_mo, _m, _u = table_of(MassOrganisation), table_of(Member), table_of(User)
_tg, _mc, _r = table_of(Target), table_of(MembershipCount), table_of(SympathiserReview)


# -- the database ------------------------------------------------------------------------------


def build(engine: Engine) -> None:
    """The demo, introductions, copies up to DOSSIERS dossiers and ENTRIES entries, targets, counts, reviews."""
    build_demo(engine, build_workflow(), size=ENGINE_MADE, seed=SEED, progress=lambda _m: None)
    rng = random.Random(SEED)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA cache_size = -1000000")  # 1 GB: the indexes' pages stay in memory while copying
        orgs = {row.id: row for row in conn.execute(select(_o.c.id, _o.c.parent_id, _o.c.level_code).order_by(_o.c.id))}
        _introductions(conn, rng, orgs)
        branches = [o for o, row in orgs.items() if row.level_code in DOSSIER_LEVELS]
        last = {name: conn.execute(select(func.max(table.c.id))).scalar_one() for name, table in (("dossier", _d), ("candidate", _c), ("log", _t))}
        copy = 1
        while copy * last["log"] < ENTRIES or copy * last["dossier"] < DOSSIERS:
            _copy(conn, copy, branches, last)
            copy += 1
        as_of = conn.execute(select(func.max(_t.c.act_date))).scalar_one()
        _targets(conn, rng, orgs)
        _memberships(conn, orgs)
        _reviews(conn, rng, branches, as_of)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:  # committed: statistics the planner reads (sqlite_stat1)
            conn.exec_driver_sql("ANALYZE")


def _grassroots(orgs: dict[int, Any], org: int) -> int:
    while orgs[org].level_code not in ("grassroots_committee", "grassroots_branch"):
        org = orgs[org].parent_id
    return org


def _introductions(conn: Connection, rng: random.Random, orgs: dict[int, Any]) -> None:
    """A third of the engine-made candidates introduced by a mass organisation of their grassroots organisation
    (the Youth Union for most young ones, the Women's Union for many women); the copies keep theirs."""
    mass = {(row.org_id, row.kind): row.id for row in conn.execute(select(_mo.c.id, _mo.c.org_id, _mo.c.kind))}
    kinds = sorted({kind for _org, kind in mass})
    rows = conn.execute(select(_c.c.id, _c.c.gender, _c.c.youth_union_member, _d.c.branch_id)
                        .select_from(_c.join(_d, _d.c.candidate_id == _c.c.id)).order_by(_c.c.id)).all()
    chosen = []
    for row in rows:
        if rng.random() >= 0.35:
            continue
        kind = ("youth_union" if row.youth_union_member and rng.random() < 0.6 else
                "women_union" if row.gender == "female" and rng.random() < 0.5 else rng.choice(kinds))
        chosen.append({"candidate": row.id, "mass_org": mass[(_grassroots(orgs, row.branch_id), kind)]})
    conn.execute(update(_c).where(_c.c.id == bindparam("candidate")).values(introducing_mass_org_id=bindparam("mass_org")), chosen)


def _days_before(dialect: str, column: Any, days: int, timestamp: bool) -> ColumnElement[Any]:
    if dialect == "sqlite":  # dates are 'YYYY-MM-DD' text, timestamps 'YYYY-MM-DD HH:MM:SS.ffffff': keep the time's text
        day = func.date(column, literal(f"-{days} days"))
        return day.op("||")(func.substr(column, 11)) if timestamp else day
    return column - cast(literal(f"{days} days"), Interval) if timestamp else column - days


def _copy(conn: Connection, copy: int, branches: list[int], last: dict[str, int]) -> None:
    """Copy number `copy` of the engine-made candidates, dossiers and log entries, moved `copy` branches
    along; the finished dossiers' dates (and their candidates' birth dates) 364 * (copy mod SHIFTS) days back."""
    days = 364 * (copy % SHIFTS)
    finished = _d.c.state.in_(sorted(TERMINAL))

    def back(column: Any, timestamp: bool = False) -> Any:
        return case((finished, _days_before(conn.dialect.name, column, days, timestamp)), else_=column) if days else column

    columns = [column.name for column in _c.columns]
    changed: dict[str, Any] = {"id": _c.c.id + copy * last["candidate"], "citizen_id": null(), "date_of_birth": back(_c.c.date_of_birth)}
    conn.execute(insert(_c).from_select(columns, select(*(changed.get(n, _c.c[n]) for n in columns))
                                        .select_from(_c.outerjoin(_d, _d.c.candidate_id == _c.c.id)).where(_c.c.id <= last["candidate"])))
    moved = {branch: branches[(i + copy) % len(branches)] for i, branch in enumerate(branches)}
    columns = [column.name for column in _d.columns]
    changed = {"id": _d.c.id + copy * last["dossier"], "candidate_id": _d.c.candidate_id + copy * last["candidate"],
               "branch_id": case(moved, value=_d.c.branch_id), "opened_on": back(_d.c.opened_on),
               "state_since": back(_d.c.state_since), "updated_at": back(_d.c.updated_at, timestamp=True)}
    conn.execute(insert(_d).from_select(columns, select(*(changed.get(n, _d.c[n]) for n in columns)).where(_d.c.id <= last["dossier"])))
    columns = [column.name for column in _t.columns]
    changed = {"id": _t.c.id + copy * last["log"], "dossier_id": _t.c.dossier_id + copy * last["dossier"],
               "at": back(_t.c.at, timestamp=True), "act_date": back(_t.c.act_date)}
    conn.execute(insert(_t).from_select(columns, select(*(changed.get(n, _t.c[n]) for n in columns))
                                        .select_from(_t.join(_d, _d.c.id == _t.c.dossier_id)).where(_t.c.id <= last["log"])))


def _targets(conn: Connection, rng: random.Random, orgs: dict[int, Any]) -> None:
    """Every organisation's targets for YEARS and TERMS, per TARGETED category: a branch's drawn at random,
    an organisation above sets the sum of its children's, every third one a few more or less."""
    children: dict[int, list[int]] = {}
    for org, row in orgs.items():
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(org)
    shares = {"women": (0.35, 0.45), "ethnic_minority": (0.08, 0.15), "religious": (0.03, 0.08), "youth": (0.5, 0.7)}
    values: dict[tuple[int, str, str], int] = {}

    def fill(org: int, year: str) -> None:
        below = children.get(org, [])
        for child in below:
            fill(child, year)
        for category in TARGETED:
            if below:
                value = sum(values[child, year, category] for child in below)
                value += rng.randint(-5, 5) if org % 3 == 0 else 0
            elif category == "total":
                value = rng.randint(40, 120)
            else:
                value = round(values[org, year, "total"] * rng.uniform(*shares[category]))
            values[org, year, category] = max(value, 0)

    root = next(org for org, row in orgs.items() if row.parent_id is None)
    for year in YEARS:
        fill(root, str(year))
    for term in TERMS:
        first, last = (int(y) for y in term.split("-"))
        for org in orgs:
            for category in TARGETED:
                values[org, term, category] = sum(values.get((org, str(y), category), 0) for y in range(first, last))
    now = datetime.now(UTC)
    conn.execute(insert(_tg), [{"org_id": org, "period": period, "category": category, "value": value, "set_by": None,
                                "set_by_name": "Ban Tổ chức (bench)", "set_at": now, "note": None}
                               for (org, period, category), value in values.items()])


def _memberships(conn: Connection, orgs: dict[int, Any]) -> None:
    """Start-of-year membership counts for YEARS: a branch's members list, growing 2 % a year around 2022,
    summed up the tree; every tenth branch has none (the report then counts its members list)."""
    listed: dict[int, int] = dict(conn.execute(select(_m.c.branch_id, func.count()).group_by(_m.c.branch_id)).all())
    rows = []
    for year in YEARS:
        counts: dict[int, int] = {}
        for org in reversed(list(orgs)):  # IDs grow down the tree: children before their parents
            row = orgs[org]
            own = round(listed.get(org, 0) * (1 + 0.02 * (year - 2022)))
            counts[org] = counts.get(org, 0) + own
            if row.parent_id is not None:
                counts[row.parent_id] = counts.get(row.parent_id, 0) + counts[org]
            if not (row.level_code in DOSSIER_LEVELS and org % 10 == 0):
                rows.append({"org_id": org, "year": year, "members": counts[org], "set_by": None,
                             "set_by_name": "Ban Tổ chức (bench)", "set_at": datetime.now(UTC)})
    conn.execute(insert(_mc), rows)


def _reviews(conn: Connection, rng: random.Random, branches: list[int], as_of: date) -> None:
    """Each branch's monthly sympathiser-list reviews from January 2019 to `as_of`'s month, ~88 % of the months."""
    reviewer = conn.execute(select(_u.c.id).where(_u.c.username == "chiuy")).scalar_one()
    months = [(y, m) for y in YEARS for m in range(1, 13) if (y, m) <= (as_of.year, as_of.month)]
    rows = []
    for branch in branches:
        for y, m in months:
            if rng.random() < 0.88:
                day = min(date(y, m, rng.randint(1, 28)), as_of)
                rows.append({"branch_id": branch, "period": f"{y}-{m:02d}", "reviewed_on": day, "reviewed_by": reviewer,
                             "note": None, "sympathiser_count": rng.randint(2, 40),
                             "created_at": datetime.combine(day, clock(9, 0), UTC)})
    conn.execute(insert(_r), rows)


@dataclass
class Database:
    backend: str
    url: str
    took: float  # seconds spent building; 0 when a cached one was reused


def sqlite_database(rebuild: bool) -> Database:
    url, took = cached_sqlite(OUT / f"reports_{ENTRIES}_seed{SEED}.sqlite", build, rebuild)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:  # a cached database: statistics for the indexes of migrations written since (~1 s)
            conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
    return Database("SQLite", url, took)


def built_in(url: str) -> float:
    started = time.perf_counter()
    engine = make_engine(url)
    try:
        build(engine)
    finally:
        engine.dispose()
    return time.perf_counter() - started


# -- the cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tree:
    """The organisations: parent, children, level, name, whether active."""

    parent: dict[int, int | None]
    children: dict[int, list[int]]
    level: dict[int, str]
    name: dict[int, str]
    active: dict[int, bool]

    def subtree(self, org: int) -> list[int]:
        return [org, *(o for child in self.children.get(org, []) for o in self.subtree(child))]

    def branches(self, org: int) -> list[int]:
        return [o for o in self.subtree(org) if self.level[o] in DOSSIER_LEVELS]


def read_tree(conn: Connection) -> Tree:
    tree = Tree({}, {}, {}, {}, {})
    for row in conn.execute(select(_o.c.id, _o.c.parent_id, _o.c.level_code, _o.c.name, _o.c.active).order_by(_o.c.id)):
        tree.parent[row.id], tree.level[row.id], tree.name[row.id] = row.parent_id, row.level_code, row.name
        tree.active[row.id] = bool(row.active)
        if row.parent_id is not None:
            tree.children.setdefault(row.parent_id, []).append(row.id)
    return tree


@dataclass(frozen=True)
class Scope:
    label: str
    org: int
    branches: int
    dossiers: int


@dataclass(frozen=True)
class Case:
    kind: str
    scope: Scope
    period: Period


@dataclass
class Setting:
    """What every case of a backend shares: the tree, the day, the parameters and the calendar."""

    tree: Tree
    as_of: date
    params: Params
    calendar: WorkingCalendar
    scopes: list[Scope]
    periods: list[Period]
    admissions_by_year: dict[int, int]


def setting(conn: Connection) -> Setting:
    """The scopes (the province, the first commune committee, the demo branch committee's branch) and the periods
    (the year with the most admissions up to the last act's year, and its busiest quarter)."""
    tree = read_tree(conn)
    as_of = conn.execute(select(func.max(_t.c.act_date))).scalar_one()
    as_of = as_of if isinstance(as_of, date) else date.fromisoformat(as_of)
    root = next(org for org, parent in tree.parent.items() if parent is None)
    commune = min(org for org, level in tree.level.items() if level == "commune")
    branch = conn.execute(select(_u.c.org_id).where(_u.c.username == "chiuy")).scalar_one()
    per_branch: dict[int, int] = dict(conn.execute(select(_d.c.branch_id, func.count()).group_by(_d.c.branch_id)).all())
    scopes = [Scope(label, org, len(tree.branches(org)), sum(per_branch.get(b, 0) for b in tree.branches(org)))
              for label, org in (("province", root), ("commune committee", commune), ("branch", branch))]
    year_of, month_of = extract("year", _t.c.act_date), extract("month", _t.c.act_date)
    admitted = [_t.c.to_state == ADMITTED, _t.c.from_state != _t.c.to_state]
    by_year = {int(y): n for y, n in conn.execute(select(year_of, func.count()).where(*admitted).group_by(year_of))}
    year = max((y for y in by_year if y <= as_of.year), key=lambda y: by_year[y])
    by_month = {int(m): n for m, n in conn.execute(select(month_of, func.count()).where(
        *admitted, _t.c.act_date >= date(year, 1, 1), _t.c.act_date <= date(year, 12, 31)).group_by(month_of))}
    quarter = max(range(1, 5), key=lambda q: sum(by_month.get(m, 0) for m in range(3 * q - 2, 3 * q + 1)))
    return Setting(tree, as_of, load_params(), load_calendar(), scopes, [parse_period(str(year)), parse_period(f"{year}-Q{quarter}")],
                   dict(sorted(by_year.items())))


# -- the hand-written statements and the report's figures ----------------------------------------


def _scope_cte(org: int) -> str:
    return f"WITH RECURSIVE scope(id) AS (SELECT {org} UNION ALL SELECT o.id FROM organisations o JOIN scope s ON o.parent_id = s.id)"


def _dates(statement: str, *names: str) -> Any:
    return text(statement).bindparams(*(bindparam(name, type_=Date()) for name in names))


def _rows_orgs(tree: Tree, org: int) -> list[int]:
    """The report's rows: the active organisations right below, or the organisation itself."""
    return [child for child in tree.children.get(org, []) if tree.active[child]] or [org]


def progress_by_hand(conn: Connection, s: Setting, case_: Case) -> dict[str, Any]:
    """Admissions (steps into admission_decided) per branch in the period and since 1 January, rolled up to the
    report's rows (the organisations right below) and its total."""
    period = case_.period
    rows = conn.execute(_dates(
        f"{_scope_cte(case_.scope.org)} SELECT d.branch_id, count(DISTINCT CASE WHEN t.act_date >= :start THEN t.dossier_id END), "
        "count(DISTINCT t.dossier_id) FROM transition_log t JOIN dossiers d ON d.id = t.dossier_id "
        f"WHERE t.to_state = '{ADMITTED}' AND t.from_state <> '{ADMITTED}' AND t.act_date >= :since AND t.act_date <= :end "
        "AND d.branch_id IN (SELECT id FROM scope) GROUP BY d.branch_id", "start", "since", "end"),
        {"start": period.start, "since": date(period.start.year, 1, 1), "end": period.end}).all()
    counts = {branch: (now, done) for branch, now, done in rows}

    def rolled(org: int) -> tuple[int, int]:
        pairs = [counts.get(b, (0, 0)) for b in s.tree.subtree(org)]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)

    return {"rows": [rolled(o) for o in _rows_orgs(s.tree, case_.scope.org)], "total": rolled(case_.scope.org)}


def progress_figures(report: Report) -> dict[str, Any]:
    table = report.tables[0]
    rows = [(r[3], r[4]) for r in table.rows]
    return {"rows": rows, "total": (table.total[3], table.total[4]) if table.total else rows[0]}


def _youth(dialect: str) -> str:
    """Youth on the decision day x.day: at most :youth completed months old (engine.dates.completed_months: a month
    is completed on the day add_months reaches, clamped to a shorter month's last day)."""
    if dialect == "postgresql":  # date + interval clamps to the month's last day, as add_months does
        return "x.day < c.date_of_birth + make_interval(months => :youth + 1)"
    part = "CAST(strftime('{f}', {c}) AS INTEGER)"
    on, born = "x.day", "c.date_of_birth"
    last_day = part.format(f="%d", c=f"date({on}, 'start of month', '+1 month', '-1 day')")
    return (f"({part.format(f='%Y', c=on)} - {part.format(f='%Y', c=born)}) * 12 + {part.format(f='%m', c=on)} - "
            f"{part.format(f='%m', c=born)} - CASE WHEN {part.format(f='%d', c=on)} < {part.format(f='%d', c=born)} "
            f"AND {part.format(f='%d', c=on)} < {last_day} THEN 1 ELSE 0 END <= :youth")


def structure_by_hand(conn: Connection, s: Setting, case_: Case) -> dict[str, Any]:
    """Admissions since 1 January by source category, introducing mass organisation kind and whether in the period,
    with the women, ethnic minorities, religious followers and youth among them: the report's two columns."""
    period = case_.period
    no_religion, majority = (", ".join("'" + value.replace("'", "''") + "'" for value in values) for values in (NO_RELIGION, MAJORITY))
    groups = conn.execute(_dates(
        f"{_scope_cte(case_.scope.org)}, decided AS (SELECT t.dossier_id, min(t.act_date) AS day FROM transition_log t "
        f"JOIN dossiers d ON d.id = t.dossier_id WHERE t.to_state = '{ADMITTED}' AND t.from_state <> '{ADMITTED}' "
        "AND t.act_date >= :since AND t.act_date <= :end AND d.branch_id IN (SELECT id FROM scope) GROUP BY t.dossier_id) "
        "SELECT c.source_category, mo.kind, CASE WHEN x.day >= :start THEN 1 ELSE 0 END, count(*), "
        "sum(CASE WHEN c.gender = 'female' THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN trim(coalesce(c.ethnicity, 'Kinh')) NOT IN ({majority}) THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN trim(coalesce(c.religion, '')) NOT IN ({no_religion}) THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN {_youth(conn.dialect.name)} THEN 1 ELSE 0 END) "
        "FROM decided x JOIN dossiers d ON d.id = x.dossier_id JOIN candidates c ON c.id = d.candidate_id "
        "LEFT JOIN mass_organisations mo ON mo.id = c.introducing_mass_org_id GROUP BY 1, 2, 3", "start", "since", "end"),
        {"start": period.start, "since": date(period.start.year, 1, 1), "end": period.end,
         "youth": int(s.params.get("youth_age_max_months"))}).all()
    out: dict[str, list[int]] = {category: [0, 0] for category in TARGETED}
    for source, kind, now, admitted, *among in groups:
        for column in ((1, 0) if now else (1,)):
            keys = ["total", f"source:{source}", *([f"mass_org:{kind}"] if kind else [])]
            for key in keys:
                out.setdefault(key, [0, 0])[column] += admitted
            for key, n in zip(STRUCTURE, among, strict=True):
                out[key][column] += int(n or 0)
    return {key: tuple(value) for key, value in out.items()}


def structure_figures(report: Report) -> dict[str, Any]:
    by_label = {category_label(c).vi: c for c in CATEGORIES}
    return {by_label[r[0]]: (r[2], r[3]) for r in report.tables[0].rows}


def funnel_by_hand(conn: Connection, s: Setting, case_: Case) -> dict[str, Any]:
    """Per stage: the dossiers whose step into it is dated in the period, and those that left it in the period
    with the median days from the step into it (the latest earlier entry that changed state)."""
    stages = ", ".join(f"'{stage}'" for stage in STAGES)
    scope, period = _scope_cte(case_.scope.org), case_.period
    bounds = {"start": period.start, "end": period.end}
    arrived = dict(conn.execute(_dates(
        f"{scope} SELECT t.to_state, count(DISTINCT t.dossier_id) FROM transition_log t JOIN dossiers d ON d.id = t.dossier_id "
        f"WHERE t.to_state IN ({stages}) AND t.from_state <> t.to_state AND t.act_date >= :start AND t.act_date <= :end "
        "AND d.branch_id IN (SELECT id FROM scope) GROUP BY t.to_state", "start", "end"), bounds).all())
    entered = ("(SELECT e.act_date FROM transition_log e WHERE e.dossier_id = t.dossier_id AND e.seq < t.seq "
               "AND e.from_state <> e.to_state ORDER BY e.seq DESC LIMIT 1)")
    left = ("FROM transition_log t JOIN dossiers d ON d.id = t.dossier_id "
            f"WHERE t.from_state IN ({stages}) AND t.from_state <> t.to_state AND t.act_date >= :start AND t.act_date <= :end "
            "AND d.branch_id IN (SELECT id FROM scope)")
    if conn.dialect.name == "postgresql":
        statement = (f"{scope} SELECT t.from_state, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY t.act_date - {entered}) "
                     f"{left} GROUP BY t.from_state")
    else:
        statement = (f"{scope}, spans AS (SELECT t.from_state AS state, julianday(t.act_date) - julianday({entered}) AS days {left}), "
                     "ranked AS (SELECT state, days, row_number() OVER (PARTITION BY state ORDER BY days) AS rn, "
                     "count(*) OVER (PARTITION BY state) AS n FROM spans) "
                     "SELECT state, max(n), avg(days) FROM ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY state")
    durations = {state: (int(n), float(median)) for state, n, median in conn.execute(_dates(statement, "start", "end"), bounds)}
    return {stage: (arrived.get(stage, 0), *durations.get(stage, (0, None))) for stage in STAGES}


def funnel_figures(report: Report) -> dict[str, Any]:
    return {stage: (row[1], row[3], row[4]) for stage, row in zip(STAGES, report.tables[0].rows, strict=True)}


def _cutoffs(s: Setting) -> tuple[dict[str, date], dict[str, date]]:
    """The overdue cutoffs of the day (late) and of the day after the due-soon horizon (late by then)."""
    soon_by = s.calendar.add_working_days(s.as_of, int(s.params.get("due_soon_wd")))
    return overdue_cutoffs(s.as_of, s.params, s.calendar), overdue_cutoffs(soon_by + timedelta(days=1), s.params, s.calendar)


def deadlines_by_hand(conn: Connection, s: Setting, case_: Case) -> dict[str, Any]:
    """How many dossiers of the scope are overdue, and how many fall due within due_soon_wd working days (every
    branch under the default parameters: the bench data sets no organisation's own limits)."""
    late, then = _cutoffs(s)
    overdue = " OR ".join(f"(d.state = '{state}' AND d.state_since < :late_{state})" for state in DEADLINES)
    soon = " OR ".join(f"(d.state = '{state}' AND d.state_since >= :late_{state} AND d.state_since < :then_{state})" for state in DEADLINES)
    states = ", ".join(f"'{state}'" for state in DEADLINES)
    values = {**{f"late_{k}": v for k, v in late.items()}, **{f"then_{k}": v for k, v in then.items()}}
    row = conn.execute(_dates(
        f"{_scope_cte(case_.scope.org)} SELECT sum(CASE WHEN {overdue} THEN 1 ELSE 0 END), sum(CASE WHEN {soon} THEN 1 ELSE 0 END) "
        f"FROM dossiers d WHERE d.branch_id IN (SELECT id FROM scope) AND d.state IN ({states})", *values), values).one()
    return {"overdue": int(row[0] or 0), "due_soon": int(row[1] or 0)}


def deadlines_figures(report: Report) -> dict[str, Any]:
    return {"overdue": int(report.figures[0].value), "due_soon": int(report.figures[1].value)}


def _review_months(s: Setting, period: Period) -> list[str]:
    last = min(period.end, s.as_of)
    return [f"{y}-{m:02d}" for y in range(period.start.year, last.year + 1) for m in range(1, 13)
            if (period.start.year, period.start.month) <= (y, m) <= (last.year, last.month)]


def reviews_by_hand(conn: Connection, s: Setting, case_: Case) -> dict[str, Any]:
    """Per branch of the scope: the sympathisers now on its list, the months of the period reviewed, whether
    the last month was, and the last review ever."""
    months = _review_months(s, case_.period)
    sympathisers = ", ".join(f"'{state}'" for state in SYMPATHISER_STATES)
    levels = ", ".join(f"'{level}'" for level in sorted(DOSSIER_LEVELS))
    rows = conn.execute(text(
        f"{_scope_cte(case_.scope.org)} SELECT o.name, "
        f"(SELECT count(*) FROM dossiers d WHERE d.branch_id = o.id AND d.state IN ({sympathisers})), "
        "(SELECT count(*) FROM sympathiser_reviews r WHERE r.branch_id = o.id AND r.period >= :first AND r.period <= :last), "
        "(SELECT count(*) FROM sympathiser_reviews r WHERE r.branch_id = o.id AND r.period = :last), "
        "(SELECT max(r.reviewed_on) FROM sympathiser_reviews r WHERE r.branch_id = o.id) "
        f"FROM organisations o WHERE o.id IN (SELECT id FROM scope) AND o.level_code IN ({levels})"),
        {"first": months[0], "last": months[-1]}).all()
    return {"rows": sorted((name, n, f"{done}/{len(months)}", bool(now), str(last) if last else None) for name, n, done, now, last in rows)}


def reviews_figures(report: Report) -> dict[str, Any]:
    return {"rows": sorted((r[0], r[1], r[2], r[3], r[4].isoformat() if r[4] else None) for r in report.tables[0].rows)}


BY_HAND: dict[str, Callable[[Connection, Setting, Case], dict[str, Any]]] = {
    "progress": progress_by_hand, "structure": structure_by_hand, "funnel": funnel_by_hand,
    "deadlines": deadlines_by_hand, "reviews": reviews_by_hand,
}
FIGURES: dict[str, Callable[[Report], dict[str, Any]]] = {
    "progress": progress_figures, "structure": structure_figures, "funnel": funnel_figures,
    "deadlines": deadlines_figures, "reviews": reviews_figures,
}


def same(a: Any, b: Any) -> bool:
    """Equal, floats within 1e-9 (a median computed two ways)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9)
    return bool(a == b)


def check(case_: Case, report: Report, by_hand: dict[str, Any]) -> None:
    """The report's figures must equal the hand-written statement's: the bench stops loudly otherwise."""
    figures = FIGURES[case_.kind](report)
    if case_.kind == "structure":  # the report leaves out the sources and mass organisations with no admission and no target
        by_hand = {k: v for k, v in by_hand.items() if k in TARGETED or v[1]}
    if not same(figures, by_hand):
        raise AssertionError(f"{case_.kind}, {case_.scope.label}, {case_.period.code}: the report's figures differ from the "
                             f"hand-written statement's:\n  report:  {figures}\n  by hand: {by_hand}")


# -- the measure -------------------------------------------------------------------------------


@dataclass
class Timing:
    report: list[float] = field(default_factory=list)
    hand: list[float] = field(default_factory=list)
    headline: str = ""


def headline(case_: Case, figures: dict[str, Any]) -> str:
    """A few of the figures checked, to show what was compared."""
    if case_.kind == "progress":
        return f"admitted {figures['total'][0]:,} in period, {figures['total'][1]:,} cumulative"
    if case_.kind == "structure":
        return f"admitted {figures['total'][1]:,}, women {figures['women'][1]:,}, youth {figures['youth'][1]:,}"
    if case_.kind == "funnel":
        return f"reached sympathiser {figures['sympathiser'][0]:,}, decided {figures[ADMITTED][0]:,}"
    if case_.kind == "deadlines":
        return f"overdue {figures['overdue']:,}, due soon {figures['due_soon']:,}"
    return f"{len(figures['rows'])} branches, {sum(r[1] for r in figures['rows']):,} sympathisers"


def measure(conn: Connection, s: Setting, cases: list[Case], runs: int) -> dict[Case, Timing]:
    """One warm-up round (in which the figures are checked), then `runs` rounds, every case once a round; seconds."""
    ctx = Context(conn, s.params, s.calendar)
    if len({id(p) for p in branch_params(conn, s.params).values()}) != 1:
        raise SystemExit("an organisation sets its own limits: the hand-written deadlines statement assumes none")
    timings = {case_: Timing() for case_ in cases}
    for round_no in range(1 + runs):
        for case_ in cases:
            started = time.perf_counter()
            report = build_report(ctx, case_.kind, case_.scope.org, case_.period, s.as_of)
            took = time.perf_counter() - started
            started = time.perf_counter()
            by_hand = BY_HAND[case_.kind](conn, s, case_)
            by_hand_took = time.perf_counter() - started
            if round_no == 0:
                check(case_, report, by_hand)
                timings[case_].headline = headline(case_, by_hand)
            else:
                timings[case_].report.append(took)
                timings[case_].hand.append(by_hand_took)
    return timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def size_line(db: Database, conn: Connection) -> str:
    rows = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
            for t in ("organisations", "candidates", "dossiers", "transition_log", "targets", "membership_counts", "sympathiser_reviews")}
    if db.backend == "SQLite":
        path = Path(db.url.removeprefix("sqlite:///"))
        size = f"file {path.stat().st_size / 2**30:.2f} GiB"
    else:
        size = "tables and indexes {:.2f} GiB".format(conn.exec_driver_sql(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'").scalar_one() / 2**30)
    built = f"built in {db.took:.0f} s" if db.took else "reused (cached)"
    return ", ".join(f"{t} {n:,}" for t, n in rows.items()) + f"; {size}; {built}"


def run(db: Database, runs: int) -> float:
    """Measure one backend and print its table; returns its worst p95 in seconds."""
    engine = make_engine(db.url)
    try:
        with engine.connect() as conn:
            s = setting(conn)
            print(f"\n== {db.backend}: {size_line(db, conn)}")
            print("admissions per year (decision dates): " + ", ".join(f"{y} {n:,}" for y, n in s.admissions_by_year.items()))
            print(f"as of {s.as_of:%d/%m/%Y} (the last act's date); periods {s.periods[0].code} (the year with most admissions) "
                  f"and {s.periods[1].code} (its busiest quarter); scopes: "
                  + "; ".join(f"{sc.label} (org {sc.org}: {sc.branches} branches, {sc.dossiers:,} dossiers)" for sc in s.scopes))
            cases = [Case(kind, scope, period) for kind in KINDS for scope in s.scopes for period in s.periods]
            timings = measure(conn, s, cases, runs)
            conn.rollback()
    finally:
        engine.dispose()
    print(f"{runs} rounds after 1 warm-up (figures checked equal to the hand-written statement's in it), cases round-robin, "
          f"one connection; ms; target p95 < {TARGET_S * 1000:.0f} ms")
    print(f"{'report':10} {'scope':17} {'period':8} {'best':>7} {'p50':>7} {'p95':>7} {'max':>7} {'hand best':>9} {'hand p95':>8} "
          f"{'rep/hand':>8} {'p95/target':>10}  figures checked")
    worst, worst_case = 0.0, ""
    for case_, t in timings.items():
        ms = [v * 1000 for v in t.report]
        hand = [v * 1000 for v in t.hand]
        if p95(t.report) > worst:
            worst, worst_case = p95(t.report), f"{case_.kind}, {case_.scope.label}, {case_.period.code}"
        print(f"{case_.kind:10} {case_.scope.label:17} {case_.period.code:8} {min(ms):7.1f} {statistics.median(ms):7.1f} {p95(ms):7.1f} "
              f"{max(ms):7.1f} {min(hand):9.1f} {p95(hand):8.1f} {min(ms) / min(hand):8.2f} {p95(t.report) / TARGET_S:10.2f}  {t.headline}")
    verdict = "MET" if worst < TARGET_S else "MISSED"
    print(f"{db.backend}: target {verdict}: worst p95 is {worst * 1000:.0f} ms ({worst_case}), {worst / TARGET_S:.2f} x the "
          f"{TARGET_S:.0f} s target")
    return worst


def main() -> None:
    args = sys.argv[1:]
    pg_url = args[args.index("--pg") + 1] if "--pg" in args else os.environ.get("TEST_DATABASE_URL")
    kept = args[args.index("--pg-schema") + 1] if "--pg-schema" in args else None
    numbers = [a for a in args if a.isdigit()]
    runs = int(numbers[0]) if numbers else 10
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print("the copied dossiers keep the originals' hashes: their chains do not verify (a reports benchmark, not a verification one)")
    worst: dict[str, float] = {}
    if "--no-sqlite" not in args:
        worst["SQLite"] = run(sqlite_database("--rebuild" in args), runs)
    if pg_url and kept:
        worst["PostgreSQL"] = run(Database("PostgreSQL", schema_url(pg_url, kept), 0.0), runs)
    elif pg_url:
        with postgresql_schema(pg_url, "bench_reports", keep="--pg-keep" in args) as url:
            if "--pg-keep" in args:
                print(f"\nPostgreSQL schema kept: {url}")
            worst["PostgreSQL"] = run(Database("PostgreSQL", url, built_in(url)), runs)
    else:
        print("\n!! PostgreSQL NOT MEASURED: give --pg URL (or set TEST_DATABASE_URL)")
    missed = [name for name, seconds in worst.items() if seconds >= TARGET_S]
    verdict = "MISSED" if missed else "MET" if len(worst) == 2 else "unknown (a backend not measured)"
    print("\nverdict: target " + verdict + ": " + "; ".join(f"{name} worst p95 {seconds * 1000:.0f} ms" for name, seconds in worst.items()))


if __name__ == "__main__":
    main()
