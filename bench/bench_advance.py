"""Advance throughput on SQLite (WAL): engine.service.advance + SqlUnitOfWork against raw Core writes.

Target: 1,000 guarded advances a second. On a temporary SQLite WAL database, N dossiers (default
2,000) are driven through the real workflow to 'introduced'. Then, in the same run and on the same
database, we time:

  (a) advance(hold_branch_vote) for each dossier: snapshot, every guard judged, hash, versioned
      write, one transaction per advance. Half the dossiers with the decoded-facts cache as the
      process left it ("warm"), half with it emptied before each advance ("cold", a fresh process);
  (b) raw SQLAlchemy Core: per dossier one transaction doing only the writes (the same versioned
      UPDATE, log INSERT and fact INSERT, with the same payload), nothing read or judged;
  (c) for scale, the engine alone: the same advances on the in-memory repository, from snapshots
      read out of the database (no SQL at all).

and print the rates, the ratios, the machine and the date.
Run: .venv/bin/python bench/bench_advance.py [N]
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Engine

from ketnap.db.migrate import upgrade
from ketnap.db.models import Dossier, DossierFact, Member, Organisation, TransitionLog, User
from ketnap.db.repository import SqlUnitOfWork, decoding_for
from ketnap.db.session import make_engine
from ketnap.engine.memory import MemoryStore, MemoryUnitOfWork
from ketnap.engine.service import Actor, Change, advance, open_dossier
from ketnap.engine.workflow import Workflow
from ketnap.workflows.admission import build_workflow, decoders
from ketnap.workflows.journey import happy_path
from ketnap.workflows.schemas import load_candidate

TARGET_PER_SECOND = 1_000
TODAY = date(2026, 11, 23)
ACTOR = Actor(1, "Bench", frozenset({"branch_committee", "grassroots_staff", "superior_board"}), None)


def setup(engine: Engine, workflow: Workflow, n: int) -> tuple[list[int], dict[str, Any]]:
    """N dossiers in state 'introduced', driven there through the engine; returns their IDs and the vote facts."""
    with engine.begin() as conn:
        conn.execute(insert(Organisation.__table__), [
            {"id": 1, "code": "HU-BS", "name": "Huyện ủy Bình Sơn", "level_code": "district"},
            {"id": 2, "code": "DU-BC", "name": "Đảng ủy xã Bình Châu", "level_code": "grassroots_committee", "parent_id": 1},
            {"id": 3, "code": "CB-AD", "name": "Chi bộ thôn An Điềm", "level_code": "branch", "parent_id": 2},
        ])
        conn.execute(insert(Member.__table__), [
            {"id": i, "full_name": f"Đảng viên {i}", "status": "official", "branch_id": 3, "official_since": date(2010, 1, 1)}
            for i in (10, 11, 12)
        ])
        conn.execute(insert(User.__table__), [{"id": 1, "username": "bench", "full_name": "Bench", "role": "branch_committee"}])
    steps = list(happy_path(date(2023, 1, 5), 10, (11, 12), 1, "standing_committee", workflow.calendar))
    until = [trigger for trigger, _ in steps].index("hold_branch_vote")
    subject = load_candidate({"full_name": "Nguyễn Văn A", "date_of_birth": "2000-05-05", "gender": "male", "education": "upper_secondary"})
    ids = []
    for _ in range(n):
        result = open_dossier(SqlUnitOfWork(engine, workflow), workflow, subject, 3, steps[0][1], ACTOR, today=TODAY)
        assert result.change is not None
        dossier_id = result.change.dossier_id
        for trigger, facts in steps[1:until]:
            if not advance(SqlUnitOfWork(engine, workflow), workflow, dossier_id, trigger, facts, ACTOR, None, today=TODAY).applied:
                raise SystemExit(f"setup: {trigger} refused on dossier {dossier_id}")
        ids.append(dossier_id)
    return ids, steps[until][1]


def time_advances(engine: Engine, workflow: Workflow, ids: list[int], vote: dict[str, Any], cold: bool = False) -> tuple[float, Change]:
    cache = decoding_for(workflow).cache
    last = None
    started = time.perf_counter()
    for dossier_id in ids:
        if cold:
            cache.clear()
        result = advance(SqlUnitOfWork(engine, workflow), workflow, dossier_id, "hold_branch_vote", vote, ACTOR, None, today=TODAY)
        if not result.applied:
            raise SystemExit(f"hold_branch_vote refused on dossier {dossier_id}: {[r.rule_id for r in result.failures]}")
        last = result.change
    elapsed = time.perf_counter() - started
    assert last is not None
    return len(ids) / elapsed, last


def time_raw_core(engine: Engine, ids: list[int], sample: Change) -> float:
    """The writes alone, as plain Core: one transaction per dossier, versioned UPDATE + log INSERT + fact INSERT."""
    d, t, f = Dossier.__table__, TransitionLog.__table__, DossierFact.__table__
    bump = (
        update(d)
        .where(d.c.id == bindparam("b_id"), d.c.version == bindparam("b_version"))
        .values(state=bindparam("b_state"), version=d.c.version + 1, state_since=bindparam("b_date"), updated_at=bindparam("b_at"),
                head_hash=bindparam("b_hash"), log_count=d.c.log_count + 1)
    )
    log = insert(t).returning(t.c.id)
    fact = insert(f)
    with engine.connect() as conn:
        versions = {row.id: row.version for row in conn.execute(select(d.c.id, d.c.version).where(d.c.id.in_(ids)))}
    started = time.perf_counter()
    for dossier_id in ids:
        with engine.begin() as conn:
            now = datetime.now(UTC)
            version = versions[dossier_id]
            params = {"b_id": dossier_id, "b_version": version, "b_state": sample.to_state, "b_date": sample.act_date, "b_at": now,
                      "b_hash": sample.hash}
            if conn.execute(bump, params).rowcount != 1:
                raise SystemExit(f"raw: version moved on dossier {dossier_id}")
            log_id = conn.execute(log, {
                "dossier_id": dossier_id, "seq": version + 1, "actor_id": 1, "actor_name": "Bench", "at": now,
                "act_date": sample.act_date, "from_state": sample.from_state, "to_state": sample.to_state, "trigger": sample.trigger,
                "facts": sample.facts, "rule_results": sample.rule_results, "prev_hash": sample.previous_hash, "hash": sample.hash,
            }).scalar_one()
            conn.execute(fact, {"dossier_id": dossier_id, "kind": sample.fact_kind, "act_date": sample.act_date, "data": sample.facts,
                                "log_entry_id": log_id, "superseded": False})
    return len(ids) / (time.perf_counter() - started)


def time_engine_alone(engine: Engine, workflow: Workflow, ids: list[int], vote: dict[str, Any]) -> float:
    """The same advance on the in-memory repository, from the dossiers' snapshots as read from the database."""
    store = MemoryStore(decoders=decoders(workflow))
    with SqlUnitOfWork(engine, workflow) as uow:
        store.dossiers.update({dossier_id: uow.dossiers.snapshot(dossier_id) for dossier_id in ids})
        store.members.update({m: dict(uow.directory.member(m) or {}) for m in (10, 11, 12)})
    started = time.perf_counter()
    for dossier_id in ids:
        if not advance(MemoryUnitOfWork(store), workflow, dossier_id, "hold_branch_vote", vote, ACTOR, None, today=TODAY).applied:
            raise SystemExit(f"in memory: hold_branch_vote refused on dossier {dossier_id}")
    return len(ids) / (time.perf_counter() - started)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    workflow = build_workflow()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        upgrade(url)
        engine = make_engine(url)
        started = time.perf_counter()
        ids, vote = setup(engine, workflow, n)
        setup_seconds = time.perf_counter() - started
        half = len(ids) // 2
        alone = time_engine_alone(engine, workflow, ids, vote)
        warm, sample = time_advances(engine, workflow, ids[:half], vote)
        cold, _ = time_advances(engine, workflow, ids[half:], vote, cold=True)
        raw = time_raw_core(engine, ids, sample)
        engine.dispose()
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"setup: {n} dossiers driven to 'introduced' ({n * 8} advances + {n} opens) in {setup_seconds:.1f} s")
    print(f"advance(hold_branch_vote) + SqlUnitOfWork, warm cache:  {warm:8.0f} /s   (target {TARGET_PER_SECOND} /s: "
          f"{'met' if warm >= TARGET_PER_SECOND else 'NOT met'})")
    print(f"advance(hold_branch_vote) + SqlUnitOfWork, cold cache:  {cold:8.0f} /s")
    print(f"raw Core writes only (UPDATE + 2 INSERT, 1 tx each):   {raw:8.0f} /s   ratio raw / advance (warm): {raw / warm:5.2f}x")
    print(f"engine alone, in-memory repository:                    {alone:8.0f} /s   ratio alone / advance (warm): {alone / warm:5.2f}x")


if __name__ == "__main__":
    main()
