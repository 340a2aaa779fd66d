"""Several stateless gunicorn workers on PostgreSQL under a bounded mixed load: throughput, latency, nothing lost.

Targets: advances through HTTP on PostgreSQL at 500 a second or more with 4 workers; the mixed load's
throughput within 2x of a static route's through the same stack (printed as a ratio); no errors; after
the run `audit verify` passes and no advance was lost or applied twice.

The data. A PostgreSQL schema of its own (dropped at the end; `--keep` keeps it): `ketnap.demo.build_demo`
(the demo district: a province, 4 commune committees, 20 grassroots organisations, 123 branches, ~4,100
members, 2,000 dossiers driven through the real workflow). Then, for every grassroots organisation, two
users of its staff (`grassroots_staff`, scoped to it: 40 users) with an API token each and a signed-in
web session, and POOL fresh dossiers per organisation opened through the engine in its branches
(`open_dossier`, state 'source'), each with its own happy path (`workflows.journey.happy_path`: three of
the branch's official members as helper and introducers, the competent body of its chain): every
dossier can take 15 more steps, from the sympathiser list to official recognition.

The server. `gunicorn --workers 4` (sync workers, the deployment guide's command) serving
`ketnap.webui:create_app()` on 127.0.0.1 with DATABASE_URL set to the schema, rate limits off, no
access log.

The load. A bounded load generator in this process: one thread per user (40), each with its own
connection per request (gunicorn's sync workers close after each response), sharing a fixed budget of
requests; when the budget is spent the phase stops. Phases, in this order:
  hello     GET /healthz (the static route: the same gunicorn, Flask app, hooks and headers, no SQL);
  mix       of every 20 requests, on average: 6 lists (the web page /dossiers with the session, or
            GET /api/v1/dossiers), 6 views (the page /dossiers/<id>, or GET /api/v1/dossiers/<id>),
            and 4 advances, each read then written: GET /api/v1/dossiers/<id> for its state and ETag,
            then POST /api/v1/dossiers/<id>/transitions/<its next step> with If-Match. The two users of
            an organisation draw from the same dossiers, so some advances race: the loser gets 412
            (stale ETag) or 409 (the step is no longer offered) and writes nothing; those are counted as
            conflicts, not errors;
  advance   every request an advance (POST), each user on its own half of the dossiers, the If-Match
            taken from the previous step's response: the write path alone;
  hello     again, so the static route is measured before and after (the ratio takes their mean).
Printed per phase and kind: requests, status codes, throughput (requests a second over the phase's
wall time), p50/p95/p99 and max latency (ms, time.perf_counter around the whole request).

The checks. Every 200 to a step is recorded (dossier, version it was read at, step). Afterwards:
`ketnap.db.audit_log.verify` must pass; for every dossier the log entries written during the run must
be exactly the accepted steps, in the same order, at seq = the version read + 1 (none missing: no lost
advance; none extra or repeated: none applied twice); every dossier's state is its last entry's
to_state and its version its log count. Any 5xx, any other status, or a failed check is an error: the
bench prints it and exits 1.

Run: .venv/bin/python bench/bench_load.py [--pg URL] [--hello N] [--mix N] [--advance N] [--pool N]
     [--workers 4] [--port 8765] [--keep]   (URL from TEST_DATABASE_URL when not given)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine, make_url
from sqlite_build import postgresql_schema

from ketnap.db.audit_log import verify
from ketnap.db.models import Dossier, Member, Organisation, TransitionLog, User, table_of
from ketnap.db.repository import SqlUnitOfWork
from ketnap.db.session import make_engine
from ketnap.db.tokens import create_token
from ketnap.demo import DEMO_PASSWORD, build_demo
from ketnap.engine.service import Actor, local_today, open_dossier
from ketnap.workflows.admission import build_workflow
from ketnap.workflows.journey import happy_path
from ketnap.workflows.rules import competent_body
from ketnap.workflows.schemas import load_candidate

ADVANCE_TARGET = 500  # advances a second, 4 workers, PostgreSQL
RATIO_TARGET = 2.0  # mixed-load throughput within 2x of the static route's
GROUPS = ("grassroots_committee", "grassroots_branch")
START = date(2024, 1, 8)  # every step of every path falls before today
_d, _o, _m, _u, _t = table_of(Dossier), table_of(Organisation), table_of(Member), table_of(User), table_of(TransitionLog)
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


# -- the data ----------------------------------------------------------------------------------


@dataclass
class LoadUser:
    username: str
    org_id: int
    token: str = ""
    cookie: str = ""
    pool: list[int] = field(default_factory=list)  # the dossiers it may advance (shared with its twin in the mix)
    own: list[int] = field(default_factory=list)  # its half of them, for the advance phase


@dataclass
class World:
    users: list[LoadUser]
    paths: dict[int, dict[str, tuple[str, dict[str, Any]]]]  # dossier -> state -> (next step, its facts)
    start_seq: dict[int, int]  # dossier -> log entries before the run
    viewable: dict[int, list[int]]  # grassroots org -> dossiers in its scope (the demo's and the fresh ones)


def prepare(engine: Engine, pool: int, seed: int = 2023) -> World:
    """The demo, two staff users per grassroots organisation with tokens, `pool` fresh dossiers each."""
    workflow = build_workflow()
    build_demo(engine, workflow, size=2000, seed=seed, progress=lambda _m: None)
    rng = random.Random(seed)
    with engine.begin() as conn:
        orgs = [dict(r._mapping) for r in conn.execute(select(_o.c.id, _o.c.parent_id, _o.c.level_code).order_by(_o.c.id))]
        template = conn.execute(select(_u.c.password_hash).where(_u.c.username == "chiuy")).scalar_one()
        first_user = int(conn.execute(select(_u.c.id).order_by(_u.c.id.desc())).first()[0]) + 1  # type: ignore[index]
        groups = [o["id"] for o in orgs if o["level_code"] in GROUPS]
        users = [LoadUser(f"tai{g}_{k}", g) for g in groups for k in (1, 2)]
        conn.execute(insert(_u), [{"id": first_user + i, "username": u.username, "full_name": f"Tải {u.username}",
                                   "role": "grassroots_staff", "org_id": u.org_id, "password_hash": template, "active": True}
                                  for i, u in enumerate(users)])
        for i, user in enumerate(users):
            user.token = create_token(conn, first_user + i, "bench_load", None, local_today()).token
    children: dict[int | None, list[int]] = defaultdict(list)
    for o in orgs:
        children[o["parent_id"]].append(o["id"])

    def subtree(org: int) -> list[int]:
        out, todo = [], [org]
        while todo:
            node = todo.pop()
            out.append(node)
            todo.extend(children[node])
        return out

    branches_of = {g: [o for o in subtree(g) if any(x["id"] == o and x["level_code"] in ("branch", "grassroots_branch") for x in orgs)]
                   for g in groups}
    actor = Actor(1, "Bench", frozenset({"branch_committee", "grassroots_staff", "superior_board"}), None)
    paths: dict[int, dict[str, tuple[str, dict[str, Any]]]] = {}
    by_group: dict[int, list[int]] = {}
    with engine.connect() as conn:
        officials = {b: [r.id for r in conn.execute(
            select(_m.c.id).where(_m.c.branch_id == b, _m.c.status == "official", _m.c.exempt.is_(False),
                                  _m.c.official_since < START - timedelta(days=800)).order_by(_m.c.id))]
            for g in groups for b in branches_of[g]}
    for g in groups:
        eligible = [b for b in branches_of[g] if len(officials[b]) >= 3]
        made = []
        for k in range(pool):
            branch = eligible[k % len(eligible)]
            helper, intro1, intro2 = rng.sample(officials[branch], 3)
            subject = load_candidate({"full_name": f"Nguyễn Văn Tải {g}-{k}", "date_of_birth": "1998-05-05", "gender": "male",
                                      "education": "upper_secondary"})
            uow = SqlUnitOfWork(engine, workflow)
            result = open_dossier(uow, workflow, subject, branch, {"registered_on": START.isoformat()}, actor, today=local_today())
            assert result.change is not None, result.failures
            dossier_id = result.change.dossier_id
            with SqlUnitOfWork(engine, workflow) as uow:
                chain = uow.dossiers.snapshot(dossier_id).org_chain
            body = competent_body(chain)
            assert body is not None
            steps = list(happy_path(START, helper, (intro1, intro2), body[0].id, body[1], workflow.calendar,
                                    grassroots_branch=chain[0].level == "grassroots_branch",
                                    sub_committee=any(n.level == "sub_committee" for n in chain)))[1:]
            paths[dossier_id] = {workflow.transitions[t].sources[0]: (t, f) for t, f in steps}
            made.append(dossier_id)
        by_group[g] = made
    for user in users:
        user.pool = by_group[user.org_id]
        half = user.username.endswith("_1")
        user.own = [d for i, d in enumerate(user.pool) if (i % 2 == 0) == half]
    with engine.connect() as conn:
        start_seq = {r.id: r.log_count for r in conn.execute(select(_d.c.id, _d.c.log_count))}
        branch_of = {r.id: r.branch_id for r in conn.execute(select(_d.c.id, _d.c.branch_id))}
    viewable = {g: [d for d, b in branch_of.items() if b in set(branches_of[g])] for g in groups}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")  # as autovacuum would have by the time users arrive: plans from statistics
    return World(users, paths, start_seq, viewable)


# -- the server --------------------------------------------------------------------------------


def serve(url: str, port: int, workers: int, instance: str) -> subprocess.Popen[bytes]:
    url = make_url(url).update_query_dict({"application_name": APP_NAME}).render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url, "KETNAP_SECRET_KEY": "bench-load-" + "x" * 40, "KETNAP_RATELIMIT": "0",
           "KETNAP_INSTANCE": instance}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "120",
                               "ketnap.webui:create_app()"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz within 60 s: " + (server.stderr.read().decode() if server.stderr else ""))


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


TICK = os.sysconf("SC_CLK_TCK")
APP_NAME = "ketnap_bench_load"  # the server's connections, so their PostgreSQL backends can be found


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds each process has used so far (Linux /proc; a process gone is left out)."""
    used = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15 of stat)
    return used


def server_pids(server: subprocess.Popen[bytes], engine: Engine) -> tuple[list[int], list[int]]:
    """The gunicorn workers' process IDs, and the PostgreSQL backends serving them."""
    with open(f"/proc/{server.pid}/task/{server.pid}/children", encoding="ascii") as fh:
        workers = [int(pid) for pid in fh.read().split()]
    with engine.connect() as conn:
        backends = [r[0] for r in conn.exec_driver_sql(f"SELECT pid FROM pg_stat_activity WHERE application_name = '{APP_NAME}'")]
    return workers, backends


def sign_in(port: int, user: LoadUser) -> None:
    """A web session for the user (the login form, CSRF and all), kept as a cookie header."""
    status, headers, page = request(port, "GET", "/login")
    found = CSRF.search(page.decode())
    assert status == 200 and found is not None
    cookie = headers.get("set-cookie", "").split(";")[0]
    form = urlencode({"username": user.username, "password": DEMO_PASSWORD, "csrf_token": found.group(1) or found.group(2)})
    status, headers, _ = request(port, "POST", "/login", form.encode(),
                                 {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    if status != 302:
        raise SystemExit(f"{user.username} could not sign in: {status}")
    user.cookie = headers["set-cookie"].split(";")[0]


# -- the load ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    status: int
    seconds: float


@dataclass
class Phase:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    wall: float = 0.0
    accepted: list[tuple[int, int, str]] = field(default_factory=list)  # (dossier, version read at, step)
    unexpected: list[str] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # seconds of CPU during the phase: app, database, client


class Budget:
    def __init__(self, n: int):
        self.left = n
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def run_phase(name: str, users: list[LoadUser], n: int, work: Callable[[LoadUser, Budget, Phase, random.Random], None]) -> Phase:
    phase, budget = Phase(name), Budget(n)
    lock = threading.Lock()

    def one(user: LoadUser, seed: int) -> None:
        local = Phase(name)
        work(user, budget, local, random.Random(seed))
        with lock:
            phase.outcomes.extend(local.outcomes)
            phase.accepted.extend(local.accepted)
            phase.unexpected.extend(local.unexpected)

    threads = [threading.Thread(target=one, args=(u, i)) for i, u in enumerate(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    phase.wall = time.perf_counter() - started
    return phase


def timed(port: int, phase: Phase, kind: str, method: str, path: str, body: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    started = time.perf_counter()
    status, got, data = request(port, method, path, body, headers)
    phase.outcomes.append(Outcome(kind, status, time.perf_counter() - started))
    return status, got, data


def make_work(port: int, world: World, mode: str) -> Callable[[LoadUser, Budget, Phase, random.Random], None]:
    def bearer(user: LoadUser) -> dict[str, str]:
        return {"Authorization": f"Bearer {user.token}", "Accept": "application/json"}

    def step(user: LoadUser, phase: Phase, dossier_id: int, state: str, version: int) -> tuple[int, str, int] | None:
        """POST the dossier's next step as read at `version`: (status, new state, new version) or None if finished."""
        nxt = world.paths[dossier_id].get(state)
        if nxt is None:
            return None
        trigger, facts = nxt
        status, headers, data = timed(port, phase, "advance", "POST", f"/api/v1/dossiers/{dossier_id}/transitions/{trigger}",
                                      json.dumps(facts).encode(),
                                      {**bearer(user), "Content-Type": "application/json", "If-Match": f'"{dossier_id}.{version}"'})
        if status == 200:
            out = json.loads(data)
            phase.accepted.append((dossier_id, version, trigger))
            return status, out["state"], out["version"]
        if status not in (409, 412):
            phase.unexpected.append(f"{trigger} on {dossier_id} at v{version}: {status} {data[:300]!r}")
        return status, state, version

    def read(user: LoadUser, phase: Phase, dossier_id: int) -> tuple[str, int] | None:
        status, _headers, data = timed(port, phase, "view (API)", "GET", f"/api/v1/dossiers/{dossier_id}", None, bearer(user))
        if status != 200:
            phase.unexpected.append(f"GET dossier {dossier_id}: {status}")
            return None
        out = json.loads(data)
        return out["state"], out["version"]

    def hello(user: LoadUser, budget: Budget, phase: Phase, rng: random.Random) -> None:
        while budget.take():
            status, _, _ = timed(port, phase, "hello", "GET", "/healthz")
            if status != 200:
                phase.unexpected.append(f"/healthz: {status}")

    def mix(user: LoadUser, budget: Budget, phase: Phase, rng: random.Random) -> None:
        scope = world.viewable[user.org_id]
        while budget.take():
            roll = rng.random()
            if roll < 0.15:
                status, _, _ = timed(port, phase, "list (page)", "GET", f"/dossiers?page={rng.randint(1, 3)}", None,
                                     {"Cookie": user.cookie})
            elif roll < 0.30:
                status, _, _ = timed(port, phase, "list (API)", "GET", f"/api/v1/dossiers?page={rng.randint(1, 3)}&per_page=50",
                                     None, bearer(user))
            elif roll < 0.45:
                status, _, _ = timed(port, phase, "view (page)", "GET", f"/dossiers/{rng.choice(scope)}", None, {"Cookie": user.cookie})
            elif roll < 0.60:
                status, _, _ = timed(port, phase, "view (API)", "GET", f"/api/v1/dossiers/{rng.choice(scope)}", None, bearer(user))
            else:  # an advance: read, then write (two requests of the budget)
                dossier_id = rng.choice(user.pool)
                now = read(user, phase, dossier_id)
                if now is None or not budget.take():
                    continue
                step(user, phase, dossier_id, *now)
                continue
            if status != 200:
                phase.unexpected.append(f"{phase.outcomes[-1].kind}: {status}")

    def advance_only(user: LoadUser, budget: Budget, phase: Phase, rng: random.Random) -> None:
        todo = list(user.own)
        rng.shuffle(todo)
        current: tuple[int, str, int] | None = None
        while True:
            if current is None:
                if not todo:
                    return
                dossier_id = todo.pop()
                with_state = read(user, Phase("setup"), dossier_id)  # not timed: the phase is the write path alone
                if with_state is None:
                    continue
                current = (dossier_id, *with_state)
            dossier_id, state, version = current
            if world.paths[dossier_id].get(state) is None:
                current = None
                continue
            if not budget.take():
                return
            done = step(user, phase, dossier_id, state, version)
            current = None if done is None or done[0] != 200 else (dossier_id, done[1], done[2])

    return {"hello": hello, "mix": mix, "advance": advance_only}[mode]


# -- the checks --------------------------------------------------------------------------------


def check(engine: Engine, world: World, accepted: list[tuple[int, int, str]]) -> list[str]:
    """Every accepted step is in the log once, where it was accepted; nothing else was written."""
    problems = []
    result = verify(engine)
    if not result.ok:
        problems.append(f"audit verify failed: {len(result.breaks)} broken dossiers, first {result.breaks[:3]}")
    print(f"audit verify: {result.entries:,} entries of {result.dossiers:,} dossiers, {'ok' if result.ok else 'BROKEN'}")
    by_dossier: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for dossier_id, version, trigger in accepted:
        by_dossier[dossier_id].append((version + 1, trigger))
    with engine.connect() as conn:
        written: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for row in conn.execute(select(_t.c.dossier_id, _t.c.seq, _t.c.trigger, _t.c.to_state).order_by(_t.c.dossier_id, _t.c.seq)):
            if row.seq > world.start_seq.get(row.dossier_id, 0):
                written[row.dossier_id].append((row.seq, row.trigger))
        last_state = {r.dossier_id: r.to_state for r in conn.execute(
            select(_t.c.dossier_id, _t.c.to_state).order_by(_t.c.dossier_id, _t.c.seq))}  # the last one wins
        for row in conn.execute(select(_d.c.id, _d.c.state, _d.c.version, _d.c.log_count)):
            if row.state != last_state.get(row.id) or row.version != row.log_count:
                problems.append(f"dossier {row.id}: state {row.state}, last entry {last_state.get(row.id)}, "
                                f"version {row.version}, log count {row.log_count}")
    for dossier_id in set(by_dossier) | set(written):
        want, got = sorted(by_dossier.get(dossier_id, [])), written.get(dossier_id, [])
        if want != got:
            problems.append(f"dossier {dossier_id}: accepted {want}, written {got}")
    return problems


# -- the report --------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def show(phase: Phase) -> float:
    n = len(phase.outcomes)
    rate = n / phase.wall if phase.wall else 0.0
    print(f"\nphase {phase.name}: {n} requests in {phase.wall:.1f} s = {rate:,.0f} requests/s; CPU a request: "
          + ", ".join(f"{who} {seconds / n * 1000:.2f} ms" for who, seconds in phase.cpu.items()))
    print(f"  {'kind':<14} {'n':>6} {'per s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  statuses")
    kinds = sorted({o.kind for o in phase.outcomes})
    for kind in kinds:
        times = [o.seconds for o in phase.outcomes if o.kind == kind]
        statuses = Counter(o.status for o in phase.outcomes if o.kind == kind)
        print(f"  {kind:<14} {len(times):>6} {len(times) / phase.wall:>7.0f} {pct(times, .5):>7.1f} {pct(times, .95):>7.1f} "
              f"{pct(times, .99):>7.1f} {max(times) * 1000:>7.1f}  " + ", ".join(f"{s}: {c}" for s, c in sorted(statuses.items())))
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--hello", type=int, default=6000)
    parser.add_argument("--mix", type=int, default=6000)
    parser.add_argument("--advance", type=int, default=3000)
    parser.add_argument("--pool", type=int, default=60, help="fresh dossiers per grassroots organisation")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    if not args.pg:
        print("NOT RUN: no PostgreSQL (set TEST_DATABASE_URL or pass --pg URL); this benchmark is about PostgreSQL")
        return
    with postgresql_schema(args.pg, "bench_load", keep=args.keep) as url, tempfile.TemporaryDirectory() as instance:
        engine = make_engine(url)
        started = time.perf_counter()
        world = prepare(engine, args.pool)
        n_dossiers = len(world.paths)
        print(f"data: the demo district + {len(world.users)} staff users and {n_dossiers} fresh dossiers "
              f"({sum(len(p) for p in world.paths.values()):,} steps available) in {time.perf_counter() - started:.0f} s")
        server = serve(url, args.port, args.workers, instance)
        phases = []
        try:
            for user in world.users:
                sign_in(args.port, user)
            print(f"server: gunicorn --workers {args.workers} (sync) on 127.0.0.1:{args.port}, PostgreSQL; "
                  f"{len(world.users)} users, one thread each")
            for name, n in (("hello", args.hello), ("mix", args.mix), ("advance", args.advance), ("hello", args.hello)):
                workers, backends = server_pids(server, engine)
                before = cpu_seconds(workers), cpu_seconds(backends), time.process_time()
                phase = run_phase(name, world.users, n, make_work(args.port, world, name))
                workers, backends = server_pids(server, engine)
                phase.cpu = {"app": sum(v - before[0].get(pid, 0.0) for pid, v in cpu_seconds(workers).items()),
                             "database": sum(v - before[1].get(pid, 0.0) for pid, v in cpu_seconds(backends).items()),
                             "client": time.process_time() - before[2]}
                phases.append(phase)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        rates = [show(p) for p in phases]
        accepted = [a for p in phases for a in p.accepted]
        unexpected = [u for p in phases for u in p.unexpected]
        statuses = Counter(o.status for p in phases for o in p.outcomes)
        problems = check(engine, world, accepted)
        engine.dispose()
        if args.keep:
            print(f"kept: {url}")
    hello_rate = statistics.mean([rates[0], rates[3]])
    advance_phase = phases[2]
    advances = sum(1 for o in advance_phase.outcomes if o.status == 200)
    advance_rate = advances / advance_phase.wall
    conflicts = sum(1 for p in phases for o in p.outcomes if o.kind == "advance" and o.status in (409, 412))
    print()
    print(f"requests: {sum(statuses.values()):,} ({', '.join(f'{s}: {c:,}' for s, c in sorted(statuses.items()))}); "
          f"advances accepted {len(accepted):,}, races lost (412/409, nothing written) {conflicts:,}")
    print(f"throughput: hello {hello_rate:,.0f}/s (mean of before {rates[0]:,.0f} and after {rates[3]:,.0f}), mix {rates[1]:,.0f}/s; "
          f"ratio hello / mix {hello_rate / rates[1]:.2f}x (target <= {RATIO_TARGET:.0f}x: "
          f"{'MET' if hello_rate / rates[1] <= RATIO_TARGET else 'NOT met'})")
    print(f"advance phase: {advance_rate:,.0f} advances/s with {args.workers} workers "
          f"(target {ADVANCE_TARGET}/s: {'MET' if advance_rate >= ADVANCE_TARGET else 'NOT met'}); "
          f"ratio hello / advance {hello_rate / advance_rate:.1f}x")
    print(f"after the run: audit verify and the lost/double check over {len(world.paths):,} dossiers: "
          + ("ok, none lost, none applied twice" if not problems else f"{len(problems)} PROBLEMS"))
    for line in (unexpected + problems)[:30]:
        print("  ", line)
    if unexpected or problems:
        print(f"verdict: ERRORS: {len(unexpected)} unexpected responses, {len(problems)} failed checks")
        raise SystemExit(1)
    print("verdict: no errors")


if __name__ == "__main__":
    main()
