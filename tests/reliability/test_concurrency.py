"""Eight processes advance the same dossiers at once, on SQLite and on PostgreSQL: no lost update, no
transition applied twice, every chain valid, every dossier's state its last log entry's.

The data: one branch with real members (reliability_world.build_branch) and N dossiers opened through the
engine (state 'source'), all on the same happy path. The race: PROCESSES processes, each with its own
engine, wait at a barrier, then walk every dossier not yet at TARGET ('introduced', eight steps on), each in
its own random order, round after round: read the dossier's state and version, then call
engine.service.advance with expected_version = that version and the step that leaves that state. Most
visits win; a visit that loses (another process moved the dossier between the read and the write, or while
advance() read it) gets Conflict and writes nothing; so would InvalidTransition. On SQLite a write that
still finds the database locked after the busy timeout ("database is locked") is a refused attempt that
wrote nothing: counted, and retried in a later round. The last rounds, when few dossiers are left, are
where the processes pile onto the same dossiers.

Afterwards: `audit_log.verify` passes and every dossier is whole (reliability_world.whole: its chain checked
by check_dossier, state = last entry's to_state, version = log count = entries, one facts copy and one
stage step per entry); the log entries written during the race are exactly the advances the processes
report applied, each at seq = version read + 1 and each (dossier, seq) once: none lost, none applied twice;
every dossier is at TARGET and the advances applied are the steps taken, N x 8.

Size: N = KETNAP_RACE_DOSSIERS, default 500. The issue asks for 1,000: KETNAP_RACE_DOSSIERS=1000 runs that; on this
2-CPU machine, shared with other jobs, it took ~40 s on SQLite (opening 7 s, race 30 s) and ~85 s on PostgreSQL
(opening 20 s, race 58 s), above the minute a test of `make test` may take, so the default is half. A one-line
summary is printed whether or not pytest captures output: processes x dossiers, advances applied, races lost,
lock retries, seconds.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import random
import threading
import time
import traceback
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from reliability_world import TARGET, TODAY, Branch, Path, build_branch, log_counts, open_dossiers, steps_to, whole, written_since
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from ketnap.db.audit_log import verify
from ketnap.db.models import ApiToken, Dossier, Organisation, table_of
from ketnap.db.repository import SqlUnitOfWork
from ketnap.db.session import make_engine
from ketnap.db.tokens import create_token, token_user
from ketnap.engine.errors import Conflict, InvalidTransition
from ketnap.engine.service import Actor, advance
from ketnap.engine.workflow import Workflow
from ketnap.workflows.admission import build_workflow

pytestmark = pytest.mark.db
PROCESSES = 8
DOSSIERS = int(os.environ.get("KETNAP_RACE_DOSSIERS", "500"))
MAX_ROUNDS = 200  # far more than a race needs: a process still going then is stuck, and says so
RESULT_TIMEOUT = 900  # seconds the test waits for the processes' reports
_d, _o, _k = table_of(Dossier), table_of(Organisation), table_of(ApiToken)


@dataclass
class Tally:
    """What one process did."""

    applied: list[tuple[int, int, str, int]] = field(default_factory=list)  # (dossier, version read, trigger, seq written)
    conflicts: int = 0
    wrong_state: int = 0
    locked: int = 0
    refused: list[str] = field(default_factory=list)  # a step refused by the rules: the path is wrong
    rounds: int = 0
    started: float = 0.0
    finished: float = 0.0
    error: str | None = None


def is_locked(err: OperationalError) -> bool:
    """SQLite's "database is locked": still locked after the busy timeout (SQLITE_BUSY), nothing written."""
    return getattr(err.orig, "sqlite_errorcode", None) == 5 or "database is locked" in str(err.orig)


def race(url: str, dossiers: list[int], path: Path, actor: Actor, seed: int, start: Any, reports: Any) -> None:
    """One racing process: its own engine and workflow, its own random order; puts its Tally in `reports`."""
    tally = Tally()
    try:
        engine = make_engine(url)
        workflow = build_workflow()
        start.wait(300)
        tally.started = time.monotonic()
        run_rounds(engine, workflow, dossiers, path, actor, random.Random(seed), tally)
        tally.finished = time.monotonic()
        engine.dispose()
    except BaseException:
        tally.error = traceback.format_exc()
    reports.put(tally)


def run_rounds(engine: Engine, workflow: Workflow, dossiers: list[int], path: Path, actor: Actor, rng: random.Random,
               tally: Tally) -> None:
    todo = list(dossiers)
    while todo:
        tally.rounds += 1
        if tally.rounds > MAX_ROUNDS:
            raise RuntimeError(f"{len(todo)} dossiers still short of {TARGET} after {MAX_ROUNDS} rounds")
        with engine.connect() as conn:
            states = dict(conn.execute(select(_d.c.id, _d.c.state).where(_d.c.id.in_(todo))).tuples().all())
        todo = [d for d in todo if states[d] != TARGET]
        rng.shuffle(todo)
        for dossier_id in todo:
            attempt(engine, workflow, dossier_id, path, actor, tally)


def attempt(engine: Engine, workflow: Workflow, dossier_id: int, path: Path, actor: Actor, tally: Tally) -> None:
    """Read the dossier, then take its next step at the version read; every outcome counted."""
    try:
        with engine.connect() as conn:
            state, version = conn.execute(select(_d.c.state, _d.c.version).where(_d.c.id == dossier_id)).one()
        if state == TARGET:
            return
        trigger, facts = path[state]
        result = advance(SqlUnitOfWork(engine, workflow), workflow, dossier_id, trigger, facts, actor, version, today=TODAY)
    except Conflict:
        tally.conflicts += 1
        return
    except InvalidTransition:
        tally.wrong_state += 1
        return
    except OperationalError as err:
        if not is_locked(err):
            raise
        tally.locked += 1
        return
    if not result.applied or result.change is None:
        tally.refused.append(f"{trigger} on dossier {dossier_id} at v{version}: {[r.rule_id for r in result.failures]}")
        return
    tally.applied.append((dossier_id, version, trigger, result.change.seq))


def run_race(url: str, dossiers: list[int], branch: Branch) -> list[Tally]:
    """PROCESSES racing processes started together; their tallies."""
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    start = context.Barrier(PROCESSES)
    reports = context.Queue()
    processes = [context.Process(target=race, args=(url, dossiers, branch.path, branch.actor, seed, start, reports), daemon=True)
                 for seed in range(PROCESSES)]
    for process in processes:
        process.start()
    tallies: list[Tally] = []
    deadline = time.monotonic() + RESULT_TIMEOUT
    try:
        while len(tallies) < PROCESSES:
            try:
                tallies.append(reports.get(timeout=5))
            except queue.Empty:
                dead = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
                if dead or time.monotonic() > deadline:
                    pytest.fail(f"racing processes died ({dead}) or took over {RESULT_TIMEOUT} s; {len(tallies)} reported")
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
    return tallies


def test_eight_processes_racing_on_the_same_dossiers_lose_no_update_and_apply_none_twice(
        url: str, wf: Workflow, backend: str, record_property: Callable[[str, object], None],
        capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_engine(url)
    branch = build_branch(engine, wf)
    began = time.perf_counter()
    dossiers = open_dossiers(engine, wf, branch, DOSSIERS)
    opened = time.perf_counter() - began
    before = log_counts(engine)
    engine.dispose()  # the racing processes (forked) must not share its connections

    tallies = run_race(url, dossiers, branch)

    errors = [t.error for t in tallies if t.error]
    assert not errors, errors[0]
    refused = [r for t in tallies for r in t.refused]
    assert not refused, refused[:5]
    applied = [a for t in tallies for a in t.applied]
    report = verify(engine)
    assert report.ok, report.breaks[:5]
    problems, rows = whole(engine)
    assert not problems, problems[:10]

    twice = [key for key, n in Counter((d, v) for d, v, _t, _s in applied).items() if n > 1]
    assert not twice, f"applied twice at the same version: {twice[:10]}"
    assert all(seq == version + 1 for _d, version, _t, seq in applied)
    reported: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for dossier_id, version, trigger, _seq in applied:
        reported[dossier_id].append((version + 1, trigger))
    written = written_since(engine, before)
    mismatched = [d for d in set(reported) | set(written) if sorted(reported.get(d, [])) != written.get(d, [])]
    assert not mismatched, [(d, sorted(reported.get(d, [])), written.get(d, [])) for d in mismatched[:5]]
    with engine.connect() as conn:
        states = Counter(conn.execute(select(_d.c.state).where(_d.c.id.in_(dossiers))).scalars())
    assert states == {TARGET: len(dossiers)}
    assert len(applied) == sum(steps_to(branch.path, "source", TARGET) for _ in dossiers)
    engine.dispose()

    seconds = max(t.finished for t in tallies) - min(t.started for t in tallies)
    conflicts, wrong, locked = (sum(t.conflicts for t in tallies), sum(t.wrong_state for t in tallies), sum(t.locked for t in tallies))
    summary = (f"race [{backend}]: {PROCESSES} processes x {len(dossiers):,} dossiers -> {len(applied):,} advances applied, "
               f"{conflicts + wrong:,} races lost ({conflicts:,} Conflict, {wrong:,} InvalidTransition), "
               f"{locked:,} 'database is locked' retries, rounds per process {min(t.rounds for t in tallies)}-"
               f"{max(t.rounds for t in tallies)}; race {seconds:.1f} s (opening {len(dossiers):,} dossiers {opened:.1f} s); "
               f"audit verify ok, {report.entries:,} entries, {rows:,} rows checked")
    for name, value in (("processes", PROCESSES), ("dossiers", len(dossiers)), ("applied", len(applied)),
                        ("races_lost", conflicts + wrong), ("locked_retries", locked), ("seconds", round(seconds, 1))):
        record_property(name, value)
    with capsys.disabled():
        print("\n" + summary)


# -- one writer meets another ----------------------------------------------------------------------------------
# On SQLite a transaction that has read may not start writing while another connection writes: it is refused at
# once ("database is locked"), without waiting the busy timeout, or once the other has committed (BUSY_SNAPSHOT),
# whatever that one wrote. advance() and open_dossier() read before they write, so there they must begin their
# write again (which waits for the lock), the versioned UPDATE still refusing a dossier that moved meanwhile.

HOLD = 1.0  # seconds the other writer keeps its transaction open


@contextmanager
def another_writer(engine: Engine, hold: float = HOLD) -> Iterator[None]:
    """Another connection writing (a row no dossier depends on) while the block runs, committing after `hold` s."""
    with engine.begin() as conn:
        org = conn.execute(insert(_o).values(code=f"X-{uuid.uuid4().hex[:8]}", name="Tổ chức khác", level_code="district")
                           .returning(_o.c.id)).scalar_one()
    writing, done = threading.Event(), threading.Event()

    def write() -> None:
        with engine.begin() as conn:
            conn.execute(update(_o).where(_o.c.id == org).values(name="Tổ chức khác nữa"))
            writing.set()
            done.wait(hold)

    thread = threading.Thread(target=write)
    thread.start()
    assert writing.wait(30)
    try:
        yield
    finally:
        done.set()
        thread.join()


def test_an_advance_waits_for_another_writer_instead_of_failing(url: str, wf: Workflow) -> None:
    engine = make_engine(url)
    branch = build_branch(engine, wf)
    [dossier_id] = open_dossiers(engine, wf, branch, 1)
    trigger, facts = branch.path["source"]
    with another_writer(engine):
        result = advance(SqlUnitOfWork(engine, wf), wf, dossier_id, trigger, facts, branch.actor, 1, today=TODAY)
    assert result.applied and result.new_version == 2
    assert not whole(engine)[0]
    engine.dispose()


def test_opening_a_dossier_waits_for_another_writer_instead_of_failing(url: str, wf: Workflow) -> None:
    engine = make_engine(url)
    branch = build_branch(engine, wf)
    with another_writer(engine):
        [dossier_id] = open_dossiers(engine, wf, branch, 1)
    with engine.connect() as conn:
        assert conn.execute(select(_d.c.state, _d.c.version).where(_d.c.id == dossier_id)).one() == ("source", 1)
    assert not whole(engine)[0]
    engine.dispose()


def test_an_advance_is_not_refused_because_another_dossier_changed_meanwhile(url: str, wf: Workflow) -> None:
    """Between advance()'s reads and its write another dossier moves: this one has not, so its step is taken."""
    engine = make_engine(url)
    branch = build_branch(engine, wf)
    mine, other = open_dossiers(engine, wf, branch, 2)
    trigger, facts = branch.path["source"]

    def now_after_another_step() -> datetime:
        assert advance(SqlUnitOfWork(engine, wf), wf, other, trigger, facts, branch.actor, 1, today=TODAY).applied
        return datetime.now(UTC)

    result = advance(SqlUnitOfWork(engine, wf), wf, mine, trigger, facts, branch.actor, 1, today=TODAY, now=now_after_another_step)
    assert result.applied and result.new_version == 2
    assert not whole(engine)[0]
    engine.dispose()


def test_an_advance_is_still_refused_when_its_own_dossier_moved_meanwhile(url: str, wf: Workflow) -> None:
    """The same race on the same dossier: the first step wins, the second gets Conflict and writes nothing."""
    engine = make_engine(url)
    branch = build_branch(engine, wf)
    [dossier_id] = open_dossiers(engine, wf, branch, 1)
    trigger, facts = branch.path["source"]

    def now_after_the_same_step() -> datetime:
        assert advance(SqlUnitOfWork(engine, wf), wf, dossier_id, trigger, facts, branch.actor, 1, today=TODAY).applied
        return datetime.now(UTC)

    with pytest.raises(Conflict):
        advance(SqlUnitOfWork(engine, wf), wf, dossier_id, trigger, facts, branch.actor, 1, today=TODAY, now=now_after_the_same_step)
    with engine.connect() as conn:
        assert conn.execute(select(_d.c.version, _d.c.log_count).where(_d.c.id == dossier_id)).one() == (2, 2)
    assert not whole(engine)[0]
    engine.dispose()


def test_a_token_used_while_another_connection_writes_still_signs_in(url: str, wf: Workflow) -> None:
    """The note of a token's use is written after reading it: while another connection writes, SQLite refuses that
    write at once; the request is still signed in (the note waits for a later request), not answered 500."""
    engine = make_engine(url)
    branch = build_branch(engine, wf)
    with engine.begin() as conn:
        token = create_token(conn, branch.user_id, "race", None, TODAY).token
    with another_writer(engine), engine.connect() as conn:
        row = token_user(conn, token, TODAY)
        conn.commit()
    assert row is not None and row.id == branch.user_id
    with engine.connect() as conn:
        assert token_user(conn, token, TODAY) is not None
        conn.commit()
    with engine.connect() as conn:
        assert conn.execute(select(_k.c.last_used_at)).scalar_one() is not None
    engine.dispose()
