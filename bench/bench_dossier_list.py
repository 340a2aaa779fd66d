"""Server time of the dossier list and the dashboard with 100,000 dossiers on SQLite.

Target: p95 under 100 ms a request. The database (built once, cached in bench/out/, which git
ignores) holds the demo organisation tree (4 commune committees, ~140 organisations, ~4,000
members) and 100,000 dossiers: the demo's 2,000 dossiers driven through the real workflow by
ketnap.demo.build_demo, then copied 49 times with INSERT ... SELECT, each copy onto other branches
(the branch list shifted by the copy's number) with the same states, dates and names. Copies get
candidates and dossiers only: the list and the dashboard read dossiers, candidates and
organisations, never the transition log or the facts, so the copies have none (their dossier
pages are not timed here). `ketnap demo --size 100000` gives the same shape in ~6 min; this takes
under a minute.

Then real requests go through the Flask app (test client, signed in with the password, CSRF on,
rate limiting off), for three users: `chiuy` (branch committee: one branch), `bantochuc`
(superior board: one commune committee's subtree) and `kiemtra` (auditor: the whole province).
Each page is asked round-robin (the pages side by side, so a noisy neighbour hits them all alike),
after a warm-up; time.perf_counter around client.get. Beside each page's total, the time its SQL
statements took in the same requests (engine events), and, as the baseline asked in the same
rounds, the user's password page: signed in, the same base template, no dossier read ("floor").
Run: .venv/bin/python bench/bench_dossier_list.py [requests per page, default 200] [--rebuild]
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import case, func, insert, null, select
from sqlalchemy.engine import Engine
from sqlite_build import building
from web_timing import signed_in, sql_clock

from ketnap.db.migrate import upgrade
from ketnap.db.models import Candidate, Dossier, Organisation, table_of
from ketnap.demo import build_demo
from ketnap.webui import create_app, services
from ketnap.workflows.admission import build_workflow
from ketnap.workflows.vocab import DOSSIER_LEVELS

TARGET_MS = 100.0
DOSSIERS = 100_000
ENGINE_MADE = 2_000
SEED = 2023
OUT = Path(__file__).resolve().parent / "out"
USERS = ("chiuy", "bantochuc", "kiemtra")
PAGES = ("/dossiers", "/dossiers?q=nguyen+van", "/dossiers?state=probationary&sort=since", "/dossiers?overdue=1",
         "/dossiers?page=50", "/dossiers?sort=name", "/")
FLOOR = "/account/password"  # the baseline: signed in, the same base template, no dossier read at all
WARM_UP = 10
_d, _c, _o = table_of(Dossier), table_of(Candidate), table_of(Organisation)


# -- the database ------------------------------------------------------------------------------


def build(path: Path) -> None:
    """The demo with ENGINE_MADE engine-driven dossiers, multiplied to DOSSIERS by copying."""
    with building(path) as engine:
        build_demo(engine, build_workflow(), size=ENGINE_MADE, seed=SEED, progress=lambda _m: None)
        with engine.begin() as conn:
            branches = list(conn.execute(select(_o.c.id).where(_o.c.level_code.in_(DOSSIER_LEVELS)).order_by(_o.c.id)).scalars())
            last_dossier = conn.execute(select(func.max(_d.c.id))).scalar_one()
            last_candidate = conn.execute(select(func.max(_c.c.id))).scalar_one()
            for copy in range(1, DOSSIERS // ENGINE_MADE):
                _copy(conn, copy, branches, last_dossier, last_candidate)


def _copy(conn: Any, copy: int, branches: list[int], last_dossier: int, last_candidate: int) -> None:
    """Copy number `copy` of the engine-made candidates and dossiers, each moved `copy` branches along."""
    candidate_columns = [column.name for column in _c.columns]
    shifted = {"id": _c.c.id + copy * last_candidate, "citizen_id": null()}
    conn.execute(insert(_c).from_select(candidate_columns, select(
        *(shifted.get(name, _c.c[name]) for name in candidate_columns)).where(_c.c.id <= last_candidate)))
    moved = {branch: branches[(i + copy) % len(branches)] for i, branch in enumerate(branches)}
    dossier_columns = [column.name for column in _d.columns]
    changed = {"id": _d.c.id + copy * last_dossier, "candidate_id": _d.c.candidate_id + copy * last_candidate,
               "branch_id": case(moved, value=_d.c.branch_id)}
    conn.execute(insert(_d).from_select(dossier_columns, select(
        *(changed.get(name, _d.c[name]) for name in dossier_columns)).where(_d.c.id <= last_dossier)))


def database(rebuild: bool) -> tuple[str, float]:
    """The cached database's URL (built when missing or asked) and how long building took (0: reused)."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"dossier_list_{DOSSIERS}_seed{SEED}.sqlite"
    took = 0.0
    if rebuild or not path.exists():
        path.unlink(missing_ok=True)
        started = time.perf_counter()
        build(path)
        took = time.perf_counter() - started
    url = f"sqlite:///{path}"
    upgrade(url)  # a cached database gets the migrations written since it was built (new indexes)
    return url, took


def size_line(engine: Engine, url: str) -> str:
    path = Path(url.removeprefix("sqlite:///"))
    with engine.connect() as conn:
        rows = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
                for t in ("organisations", "members", "candidates", "dossiers", "transition_log", "dossier_facts")}
    built = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return (f"database: {path.name}, {path.stat().st_size / 2**20:.0f} MiB, built {built:%Y-%m-%d}; rows: "
            + ", ".join(f"{t} {n:,}" for t, n in rows.items()))


# -- the requests ------------------------------------------------------------------------------




def measure(app: Flask, n: int) -> dict[tuple[str, str], tuple[list[float], list[float]]]:
    """Per (user, page): the request times and the SQL times of the same requests, in ms."""
    clients = {user: signed_in(app, user) for user in USERS}
    cases = [(user, page) for user in USERS for page in (*PAGES, FLOOR)]
    times: dict[tuple[str, str], tuple[list[float], list[float]]] = {key: ([], []) for key in cases}
    with app.app_context():
        engine = services().engine
    with sql_clock(engine) as spent:
        for round_no in range(WARM_UP + n):
            for user, page in cases:
                spent[0] = 0.0
                started = time.perf_counter()
                response = clients[user].get(page)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise SystemExit(f"{user} GET {page}: {response.status_code}")
                if round_no >= WARM_UP:
                    times[user, page][0].append(elapsed * 1000)
                    times[user, page][1].append(spent[0] * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def scope_sizes(app: Flask) -> dict[str, int]:
    """How many dossiers each user's list holds (the first page's total)."""
    sizes = {}
    for user in USERS:
        text = signed_in(app, user).get("/dossiers").get_data(as_text=True)
        found = re.search(r'role="status">\D*([\d.,]+)', text)
        sizes[user] = int(re.sub(r"\D", "", found.group(1))) if found else -1
    return sizes


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 200
    url, took = database("--rebuild" in sys.argv)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        engine = services().engine
    times = measure(app, n)
    sizes = scope_sizes(app)
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(size_line(engine, url) + (f"; built in {took:.0f} s" if took else "; reused"))
    print(f"{n} requests per page after {WARM_UP} warm-up rounds, pages round-robin; target p95 < {TARGET_MS:.0f} ms")
    print(f"{'user (dossiers in scope)':28} {'page':42} {'p50':>7} {'p95':>7} {'max':>7} {'p95/target':>10} {'SQL p50':>8} {'SQL/total':>9}")
    worst = 0.0
    for (user, page), (total, sql) in times.items():
        ratio = p95(total) / TARGET_MS
        if page != FLOOR:
            worst = max(worst, ratio)
        share = statistics.median(sql) / statistics.median(total)
        label = f"{page} (floor)" if page == FLOOR else page
        print(f"{f'{user} ({sizes[user]:,})':28} {label:42} {statistics.median(total):7.1f} {p95(total):7.1f} {max(total):7.1f} "
              f"{ratio:10.2f} {statistics.median(sql):8.1f} {share:9.0%}")
    engine.dispose()
    verdict = "met" if worst < 1 else "NOT met"
    print(f"verdict: target {verdict}: worst p95 is {worst:.2f} x the {TARGET_MS:.0f} ms target")


if __name__ == "__main__":
    main()
