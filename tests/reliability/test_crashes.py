"""kill -9 in the middle of work, repeatedly: the server, a CLI import, the demo generator. After each crash
`ketnap audit verify` (the real command, in a process of its own) passes and nothing is half-written.

The server (test_server_...): `gunicorn --workers 2` (as deployed: the venv's gunicorn, ketnap.webui:create_app())
on a fresh database, in a session of its own. Client threads post steps through the API as fast as they can
(a bearer token of the branch's committee user; read the dossier, then POST its next step with If-Match) and
now and then register a new source. After a random short delay the whole process group (master and workers)
gets SIGKILL; the server is started again and the next round begins. Every request sent is recorded before
it is sent, every 200/201 when it comes. After each restart: audit verify exits 0; every dossier is whole
(reliability_world.whole: chain, state = last entry, version = log count, one facts copy and one stage step
per entry, every candidate with its dossier); every step answered 200 is in the log where it was taken, and
every new dossier answered 201 exists (an acknowledged write is never lost); every entry written is a step
some request sent (nothing written that was not asked for); no 5xx answer.

The import (test_import_...): `ketnap import FILE` of a file of IMPORT_ROWS new people, SIGKILLed shortly after
it has begun writing (SQLite: its writer lock is held; PostgreSQL: the import's advisory lock is held). The
file's rows are written in one transaction: afterwards the people are all in or none (the four tables each
+0 or +all) and audit verify passes. At the end one file of every round's people is imported whole (exit 0):
what the killed runs wrote is matched, the rest written, every person in once.

The demo (test_demo_...): `ketnap demo --size DEMO_SIZE` writes its organisation tree, then the dossiers in
batches of 2,000, each in a transaction of its own; SIGKILLed after its first batch is in. Afterwards every
dossier is whole, audit verify passes, the database still takes new data (a branch, its members and user, a
dossier opened through the engine), and `ketnap demo --if-empty` (what `make demo` runs) exits 0.

Rounds: KETNAP_CRASHES kills of the server (default 5), KETNAP_CLI_CRASHES kills of an import (default 3: every
`ketnap` command takes 2-5 s to start on this machine) and a third as many of the demo (at least one: its first
batch alone takes ~15 s). A summary line is printed whether
or not pytest captures output.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from reliability_world import START, TARGET, Branch, build_branch, count_rows, log_counts, open_dossiers, whole, written_since
from sqlalchemy import select, text
from sqlalchemy.engine import Engine, make_url

from ketnap.db.models import Dossier, table_of
from ketnap.db.session import make_engine
from ketnap.db.source_import import IMPORT_LOCK
from ketnap.db.tokens import create_token
from ketnap.engine.service import local_today
from ketnap.engine.workflow import Workflow
from ketnap.workflows.citizen_id import make_citizen_id

pytestmark = pytest.mark.db
CRASHES = int(os.environ.get("KETNAP_CRASHES", "5"))  # kills of the server
CLI_CRASHES = int(os.environ.get("KETNAP_CLI_CRASHES", "3"))  # kills of an import (each CLI run costs seconds of start-up)
DOSSIERS = 120  # fresh dossiers the server's clients advance: 960 steps to take, more than the rounds take
CLIENTS = 4
IMPORT_ROWS = 2_000
DEMO_SIZE = 2_500  # two batches: 2,000 dossiers, then 500
BIN = Path(sys.executable).parent
_d = table_of(Dossier)


# -- processes -----------------------------------------------------------------------------------------------


def environment(url: str, **more: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "KETNAP_USER": "", **more}


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A command in a session (and process group) of its own, its output appended to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def kill(process: subprocess.Popen[bytes], then: Callable[[], None] = lambda: None) -> None:
    """SIGKILL to the whole process group (gunicorn's master and workers alike), `then()`; reaps the leader and waits
    for the rest of the group to be gone."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    then()
    process.wait(30)
    deadline = time.monotonic() + 30
    while _group_alive(process.pid) and time.monotonic() < deadline:  # the workers, reparented, die a moment later
        time.sleep(0.05)


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs (Linux /proc; a zombie waiting for its reaper does not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":  # state, ppid, pgrp
            return True
    return False


def audit_verify(url: str, log: Path) -> tuple[int, str]:
    """`ketnap audit verify` on the database: exit code and output."""
    done = subprocess.run([str(BIN / "ketnap"), "audit", "verify"], env=environment(url), capture_output=True, timeout=300)
    output = (done.stdout + done.stderr).decode(errors="replace")
    with log.open("a") as fh:
        fh.write(f"$ ketnap audit verify -> {done.returncode}\n{output}\n")
    return done.returncode, output


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def say(capsys: pytest.CaptureFixture[str], line: str) -> None:
    with capsys.disabled():
        print("\n" + line)


# -- the server ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={**(headers or {}), **({"Content-Type": "application/json"} if data else {})})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def serve(url: str, instance: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    """gunicorn --workers 2 on a free port, started (call ready() before sending it anything)."""
    port = free_port()
    env = environment(url, KETNAP_SECRET_KEY="crash-test-" + "x" * 40, KETNAP_RATELIMIT="0", KETNAP_INSTANCE=str(instance))
    return start([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--timeout", "120",
                  "ketnap.webui:create_app()"], env, log), port


def ready(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Wait until the server answers /healthz."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    kill(server)
    pytest.fail(f"gunicorn did not answer /healthz:\n{tail(log)}")


@dataclass
class Traffic:
    """What the clients sent and what was acknowledged, across rounds."""

    sent_steps: set[tuple[int, int, str]] = field(default_factory=set)  # (dossier, version read, trigger)
    acked_steps: list[tuple[int, int, str]] = field(default_factory=list)
    sent_opens: int = 0
    acked_opens: list[int] = field(default_factory=list)  # new dossiers' IDs
    conflicts: int = 0
    cut_off: int = 0  # requests whose answer never came (the server died)
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(port: int, token: str, branch: Branch, pool: list[int], traffic: Traffic, stop: threading.Event, rng: random.Random) -> None:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    while not stop.is_set():
        try:
            if rng.random() < 0.1:
                open_one(port, headers, branch, pool, traffic)
            else:
                step_one(port, headers, branch, rng.choice(pool), traffic)
        except (OSError, http.client.HTTPException):
            with traffic.lock:
                traffic.cut_off += 1
            return  # the server is gone: the round is over


def open_one(port: int, headers: dict[str, str], branch: Branch, pool: list[int], traffic: Traffic) -> None:
    body = {"branch_id": branch.branch_id, "facts": dict(branch.path[""][1]),
            "candidate": {"full_name": "Lê Thị Khởi Động", "date_of_birth": "2001-02-03", "gender": "female", "education": "upper_secondary"}}
    with traffic.lock:
        traffic.sent_opens += 1
    status, _headers, data = request(port, "POST", "/api/v1/dossiers", body, headers)
    with traffic.lock:
        if status == 201:
            dossier_id = json.loads(data)["id"]
            traffic.acked_opens.append(dossier_id)
            pool.append(dossier_id)
        else:
            traffic.server_errors.append(f"POST /dossiers: {status} {data[:300]!r}")


def step_one(port: int, headers: dict[str, str], branch: Branch, dossier_id: int, traffic: Traffic) -> None:
    status, got, data = request(port, "GET", f"/api/v1/dossiers/{dossier_id}", None, headers)
    if status != 200:
        with traffic.lock:
            traffic.server_errors.append(f"GET dossier {dossier_id}: {status} {data[:300]!r}")
        return
    now = json.loads(data)
    state, version = now["state"], now["version"]
    if state == TARGET:
        return
    trigger, facts = branch.path[state]
    with traffic.lock:
        traffic.sent_steps.add((dossier_id, version, trigger))
    status, _headers, data = request(port, "POST", f"/api/v1/dossiers/{dossier_id}/transitions/{trigger}", facts,
                                     {**headers, "If-Match": got["etag"]})
    with traffic.lock:
        if status == 200:
            traffic.acked_steps.append((dossier_id, version, trigger))
        elif status in (409, 412):
            traffic.conflicts += 1
        else:
            traffic.server_errors.append(f"{trigger} on {dossier_id} at v{version}: {status} {data[:300]!r}")


def load_then_kill(server: subprocess.Popen[bytes], port: int, token: str, branch: Branch, pool: list[int], traffic: Traffic,
                   rng: random.Random) -> float:
    """CLIENTS threads posting as fast as they can; SIGKILL to the server after a random short delay (returned)."""
    stop = threading.Event()
    threads = [threading.Thread(target=client, args=(port, token, branch, pool, traffic, stop, random.Random(rng.random())))
               for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    delay = rng.uniform(0.5, 2.5)
    time.sleep(delay)
    kill(server, then=stop.set)
    for thread in threads:
        thread.join(120)
    return delay


def check_after_crash(engine: Engine, url: str, before: dict[int, int], traffic: Traffic, log: Path,
                      server: subprocess.Popen[bytes], port: int) -> tuple[list[str], int]:
    """Everything the module's docstring promises after a restart: the problems found, and the rows checked.
    `ketnap audit verify` runs while the server restarts; the rest once it answers."""
    code, output = audit_verify(url, log)
    ready(server, port, log)
    problems = [] if code == 0 else [f"ketnap audit verify exited {code}: {output[-2000:]}"]
    found, rows = whole(engine, chains=False)
    problems.extend(found)
    written = written_since(engine, before)
    entries = {(d, seq, trigger) for d, steps in written.items() for seq, trigger in steps}
    with traffic.lock:
        acked, sent, opened = list(traffic.acked_steps), set(traffic.sent_steps), list(traffic.acked_opens)
    problems.extend(f"step {trigger} on dossier {d} at v{v} answered 200 but not in the log"
                    for d, v, trigger in acked if (d, v + 1, trigger) not in entries)
    asked = {(d, v + 1, trigger) for d, v, trigger in sent}
    problems.extend(f"log entry {seq} ({trigger}) of dossier {d} written but never asked for"
                    for d, seq, trigger in entries if seq > 1 and (d, seq, trigger) not in asked)
    with engine.connect() as conn:
        existing = set(conn.execute(select(_d.c.id)).scalars())
    problems.extend(f"dossier {d} answered 201 but not in the database" for d in opened if d not in existing)
    new = existing - set(before)
    if len(new) > traffic.sent_opens:
        problems.append(f"{len(new)} new dossiers, {traffic.sent_opens} asked for")
    return problems, rows


def test_server_killed_in_the_middle_of_steps_loses_no_acknowledged_write(
        url: str, wf: Workflow, backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_engine(url)
    branch = build_branch(engine, wf)
    with engine.begin() as conn:
        token = create_token(conn, branch.user_id, "crash test", None, local_today()).token
    pool = open_dossiers(engine, wf, branch, DOSSIERS)
    before = log_counts(engine)
    traffic, rng, log = Traffic(), random.Random(7), tmp_path / "gunicorn.log"
    began = time.perf_counter()
    survived, rows_checked, delays = 0, 0, []
    for round_no in range(CRASHES + 1):
        server, port = serve(url, tmp_path, log)  # a restart, but for the first
        try:
            problems, rows = check_after_crash(engine, url, before, traffic, log, server, port)
            rows_checked += rows
            assert not problems, f"after {round_no} crashes: {problems[:10]}"
            assert not traffic.server_errors, traffic.server_errors[:5]
            if round_no == CRASHES:
                assert request(port, "GET", "/healthz")[0] == 200
                break
            delays.append(load_then_kill(server, port, token, branch, pool, traffic, rng))
            survived += 1
        finally:
            kill(server)
    written = {(d, seq, trigger) for d, steps in written_since(engine, before).items() for seq, trigger in steps if seq > 1}
    unanswered = len(written - {(d, v + 1, trigger) for d, v, trigger in traffic.acked_steps})
    engine.dispose()
    say(capsys, f"server crashes [{backend}]: {survived} kill -9 of gunicorn (master + 2 workers) after "
                f"{', '.join(f'{d:.1f}' for d in delays)} s of load, each followed by a restart, audit verify and checks: ok; "
                f"{len(traffic.sent_steps):,} steps sent, {len(traffic.acked_steps):,} acknowledged (all in the log), "
                f"{unanswered} written whose answer the kill cut off, "
                f"{traffic.conflicts:,} races lost (409/412), {traffic.sent_opens} sources sent / {len(traffic.acked_opens)} acknowledged, "
                f"{traffic.cut_off} requests cut off by the kills, no 5xx; {rows_checked:,} rows checked; "
                f"{time.perf_counter() - began:.0f} s")


# -- a bulk import -------------------------------------------------------------------------------------------


_serials = iter(range(1, 10**6))
TITLES = ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Trình độ học vấn", "Chi bộ", "Ngày vào nguồn"]


def new_people(branch_code: str, rows: int) -> list[list[str]]:
    """`rows` rows of the template, new people of the branch (citizen IDs no other row of this run has)."""
    born = date(2001, 4, 5)
    people = []
    for _ in range(rows):
        serial = next(_serials)
        people.append([f"Trần Thị Nguồn {serial}", f"{born:%d/%m/%Y}", "Nữ", make_citizen_id(born, "female", serial, "051"),
                       "Tốt nghiệp trung học phổ thông", branch_code, f"{START:%d/%m/%Y}"])
    return people


def source_file(path: Path, people: list[list[str]]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(TITLES)
    writer.writerows(people)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@contextmanager
def writing_probe(url: str) -> Iterator[Callable[[], bool]]:
    """A function answering whether some connection is writing now: on SQLite, whether the writer lock is taken
    (a BEGIN IMMEDIATE that does not wait, rolled back at once); on PostgreSQL, whether the import's advisory
    lock is held."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(parsed.database), timeout=0, isolation_level=None)

        def sqlite_writing() -> bool:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True
            conn.execute("ROLLBACK")
            return False

        try:
            yield sqlite_writing
        finally:
            conn.close()
        return
    engine = make_engine(url)
    held = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = :key AND granted")

    def postgresql_writing() -> bool:
        with engine.connect() as c:
            return bool(c.execute(held, {"key": IMPORT_LOCK}).scalar_one())

    try:
        yield postgresql_writing
    finally:
        engine.dispose()


def import_then_kill(url: str, csv_path: Path, log: Path, rng: random.Random) -> str:
    """`ketnap import` SIGKILLed a random moment (0-0.3 s) after it began writing: 'killed writing', or 'finished first'."""
    process = start([str(BIN / "ketnap"), "import", str(csv_path)], environment(url), log)
    with writing_probe(url) as writing:
        deadline = time.monotonic() + 300
        while process.poll() is None and not writing():
            if time.monotonic() > deadline:
                kill(process)
                pytest.fail(f"the import never began writing:\n{tail(log)}")
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.3))
        finished = process.poll() is not None
        kill(process)
        if not finished and make_url(url).get_backend_name() == "postgresql":
            deadline = time.monotonic() + 60  # the server ends the dead client's transaction when it next reads from it
            while writing() and time.monotonic() < deadline:
                time.sleep(0.05)
    assert not finished or process.returncode == 0, tail(log)
    return "finished first" if finished else "killed writing"


def test_import_killed_in_the_middle_writes_all_its_rows_or_none(
        url: str, wf: Workflow, backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_engine(url)
    branch = build_branch(engine, wf)
    rng, log = random.Random(11), tmp_path / "import.log"
    outcomes: list[str] = []
    everyone: list[list[str]] = []
    began = time.perf_counter()
    rows_checked = 0
    at_start = count_rows(engine)
    for round_no in range(CLI_CRASHES):
        people = new_people(branch.branch_code, IMPORT_ROWS)
        everyone.extend(people)
        before = count_rows(engine)
        outcome = import_then_kill(url, source_file(tmp_path / f"nguon-{round_no}.csv", people), log, rng)
        after = count_rows(engine)
        added = {name: after[name] - before[name] for name in after}
        assert set(added.values()) in ({0}, {IMPORT_ROWS}), f"round {round_no} ({outcome}): half-written: {added}"
        outcomes.append(f"{outcome}, +{added['candidates']}")
        code, output = audit_verify(url, log)
        assert code == 0, output[-2000:]
        problems, rows = whole(engine, chains=False)
        rows_checked += rows
        assert not problems, problems[:10]
    # Every round's people in one file: what the killed runs did not write, the re-run does; the others are matched.
    again = subprocess.run([str(BIN / "ketnap"), "import", str(source_file(tmp_path / "nguon-all.csv", everyone))],
                           env=environment(url), capture_output=True, timeout=600)
    assert again.returncode == 0, (again.stdout + again.stderr).decode(errors="replace")[-2000:]
    assert count_rows(engine) == {name: n + len(everyone) for name, n in at_start.items()}
    code, output = audit_verify(url, log)
    assert code == 0, output[-2000:]
    problems, rows = whole(engine, chains=False)
    assert not problems, problems[:10]
    engine.dispose()
    killed = sum(1 for o in outcomes if o.startswith("killed"))
    say(capsys, f"import crashes [{backend}]: {killed} of {CLI_CRASHES} imports of {IMPORT_ROWS:,} rows kill -9'd while writing "
                f"({'; '.join(outcomes)}): all or nothing each time, audit verify ok after each; the re-run of all "
                f"{len(everyone):,} rows complete; {rows_checked + rows:,} rows checked; {time.perf_counter() - began:.0f} s")


# -- the demo generator --------------------------------------------------------------------------------------


def test_demo_killed_in_the_middle_leaves_whole_dossiers_and_a_usable_database(
        url: str, wf: Workflow, backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_engine(url)
    rng, log = random.Random(5), tmp_path / "demo.log"
    began = time.perf_counter()
    kills, rows_checked, dossiers_seen = 0, 0, []
    for _round in range(max(1, CLI_CRASHES // 3)):
        with engine.connect() as conn:
            existing = int(conn.execute(select(text("count(*)")).select_from(_d)).scalar_one())
        process = start([str(BIN / "ketnap"), "demo", "--size", str(DEMO_SIZE)], environment(url), log)
        deadline = time.monotonic() + 300
        while process.poll() is None and time.monotonic() < deadline:
            with engine.connect() as conn:
                if int(conn.execute(select(text("count(*)")).select_from(_d)).scalar_one()) > existing:
                    break
            time.sleep(0.05)
        time.sleep(rng.uniform(0, 0.5))
        finished = process.poll() is not None
        kill(process)
        assert not finished, f"the demo finished before it could be killed: raise DEMO_SIZE\n{tail(log)}"
        kills += 1
        code, output = audit_verify(url, log)
        assert code == 0, output[-2000:]
        problems, rows = whole(engine, chains=False)
        rows_checked += rows
        assert not problems, problems[:10]
        with engine.connect() as conn:
            dossiers_seen.append(int(conn.execute(select(text("count(*)")).select_from(_d)).scalar_one()) - existing)
        branch = build_branch(engine, wf)  # the database still takes new rows: organisations, members, a user...
        assert len(open_dossiers(engine, wf, branch, 1)) == 1  # ...and a dossier
    again = subprocess.run([str(BIN / "ketnap"), "demo", "--if-empty"], env=environment(url), capture_output=True, timeout=600)
    assert again.returncode == 0, (again.stdout + again.stderr).decode(errors="replace")[-2000:]
    engine.dispose()
    say(capsys, f"demo crashes [{backend}]: {kills} kill -9 of `ketnap demo --size {DEMO_SIZE:,}` after its first batch "
                f"(dossiers in when killed: {', '.join(map(str, dossiers_seen))}): every dossier whole, audit verify ok, "
                f"new rows and dossiers taken after each; {rows_checked:,} rows checked; {time.perf_counter() - began:.0f} s")
