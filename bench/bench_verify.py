"""Audit-chain verification speed on SQLite: ketnap.db.audit_log.verify() against raw hashlib.

Target: 200,000 entries a second, end to end (read from the database, every chain and every
dossier row checked). The database (built once, cached in bench/out/, which git ignores) holds the
demo's 2,000 dossiers driven through the real workflow by ketnap.demo.build_demo, then copies of
them (with their dossier_facts copies, which verify checks against their entries) until the log has
at least ENTRIES entries (default 500,000): copy k gives every dossier a new
ID, and since the dossier ID is hashed, each copied chain is hashed again from GENESIS with
engine.audit.entry_hash (the definition, not the verifier's fast path). So the copies carry the
real workflow's facts and rule results, at the real sizes.

In the same run, over the same entries:
  (a) verify() on the Engine as the CLI runs it (worker processes, one per CPU), and again with
      one process, and with the whole log's anchor checked too;
  (b) raw hashlib.sha256 over the very bytes verify hashes (previous hash + "\\n" + canonical JSON),
      computed beforehand and held in memory: the floor no verifier in Python can go under;
  (c) the read alone: the same statement's rows fetched and dropped.
and print the rates, the ratios, the machine and the date, and the verdict against the target.
Run: .venv/bin/python bench/bench_verify.py [ENTRIES] [--rebuild]
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlite_build import building

from ketnap.db.audit_log import Scope, anchor, read_entries, verify
from ketnap.db.migrate import upgrade
from ketnap.db.models import Dossier, DossierFact, TransitionLog, table_of
from ketnap.db.session import make_engine
from ketnap.demo import build_demo
from ketnap.engine.audit import GENESIS, entry_hash, row_payload, stored_fields
from ketnap.workflows.admission import build_workflow

TARGET_PER_SECOND = 200_000
ENTRIES = 500_000
ENGINE_MADE = 2_000
SEED = 2023
OUT = Path(__file__).resolve().parent / "out"
_d, _t, _f = table_of(Dossier), table_of(TransitionLog), table_of(DossierFact)


# -- the database ------------------------------------------------------------------------------


def build(path: Path, entries: int) -> None:
    """The demo's engine-made dossiers, copied (and hashed again) until the log has `entries` entries."""
    with building(path) as engine:
        _fill(engine, entries)


def _fill(engine: Engine, entries: int) -> None:
    build_demo(engine, build_workflow(), size=ENGINE_MADE, seed=SEED, progress=lambda _m: None)
    with engine.connect() as conn:
        dossiers = [dict(row._mapping) for row in conn.execute(select(_d).order_by(_d.c.id))]
        log = [dict(row._mapping) for row in conn.execute(select(_t).order_by(_t.c.dossier_id, _t.c.seq))]
        facts = [dict(row._mapping) for row in conn.execute(select(_f).order_by(_f.c.id))]
        next_id = conn.execute(select(func.max(_t.c.id))).scalar_one() + 1
        next_fact = conn.execute(select(func.max(_f.c.id))).scalar_one() + 1
    by_dossier: dict[int, list[dict[str, Any]]] = {}
    for row in log:
        by_dossier.setdefault(row["dossier_id"], []).append(row)
    facts_of: dict[int, list[dict[str, Any]]] = {}
    for row in facts:
        facts_of.setdefault(row["dossier_id"], []).append(row)
    span = dossiers[-1]["id"]
    copies = -(-entries // len(log)) - 1
    for copy in range(1, copies + 1):
        new_dossiers, new_log, new_facts = [], [], []
        for dossier in dossiers:
            new_id = dossier["id"] + copy * span
            previous = GENESIS
            log_ids = {}
            for row in by_dossier[dossier["id"]]:
                fields = {**stored_fields(row), "dossier_id": new_id}
                digest = entry_hash(previous, fields)
                new_log.append({**row, "id": next_id, "dossier_id": new_id, "prev_hash": previous, "hash": digest})
                log_ids[row["id"]] = next_id
                next_id += 1
                previous = digest
            for fact in facts_of.get(dossier["id"], []):  # the copies the application reads, checked by verify too
                new_facts.append({**fact, "id": next_fact, "dossier_id": new_id, "log_entry_id": log_ids[fact["log_entry_id"]]})
                next_fact += 1
            new_dossiers.append({**dossier, "id": new_id, "head_hash": previous})
        with engine.begin() as conn:
            conn.execute(insert(_d), new_dossiers)
            conn.execute(insert(_t), new_log)
            conn.execute(insert(_f), new_facts)
        print(f"  copy {copy}/{copies}", file=sys.stderr)


def database(entries: int, rebuild: bool) -> tuple[str, float]:
    """The cached database's URL (built when missing or asked) and how long building took (0: reused)."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"verify_{entries}_seed{SEED}_v3.sqlite"  # JSON stored canonical (db.session); facts copies too
    took = 0.0
    if rebuild or not path.exists():
        path.unlink(missing_ok=True)
        started = time.perf_counter()
        build(path, entries)
        took = time.perf_counter() - started
    url = f"sqlite:///{path}"
    upgrade(url)
    return url, took


# -- the measures ------------------------------------------------------------------------------


def hashed_bytes(engine: Engine) -> list[bytes]:
    """Exactly what verify() hashes, entry by entry: previous hash, a new line, the canonical JSON."""
    out = []
    with engine.connect() as conn:
        for row in read_entries(conn, Scope()):
            out.append(row[12].encode() + b"\n" + row_payload(row))
    return out


def raw_hashlib(payloads: list[bytes]) -> float:
    started = time.perf_counter()
    sha = hashlib.sha256
    for payload in payloads:
        sha(payload).hexdigest()
    return time.perf_counter() - started


def read_alone(engine: Engine) -> float:
    started = time.perf_counter()
    with engine.connect() as conn:
        for _row in read_entries(conn, Scope()):
            pass
    return time.perf_counter() - started


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    entries = int(args[0]) if args else ENTRIES
    url, took = database(entries, "--rebuild" in sys.argv)
    engine = make_engine(url)
    print(f"bench_verify — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite")
    print(f"database: {Path(url.removeprefix('sqlite:///')).name}" + (f" (built in {took:.0f} s)" if took else " (cached)"))

    verify(engine, workers=1)  # warm the page cache
    rounds = []
    for _ in range(3):
        parallel, single = verify(engine), verify(engine, workers=1)
        rounds.append((parallel, single))
    best_parallel = min((r[0] for r in rounds), key=lambda r: r.seconds)
    best_single = min((r[1] for r in rounds), key=lambda r: r.seconds)
    if not (best_parallel.ok and best_single.ok):
        raise SystemExit(f"the bench database does not verify: {best_parallel.breaks[:3] or best_single.breaks[:3]}")
    n = best_parallel.entries
    mark = anchor(engine)
    with_anchor = min((verify(engine, anchors=[mark]) for _ in range(3)), key=lambda r: r.seconds)
    payloads = hashed_bytes(engine)
    raw = min(raw_hashlib(payloads) for _ in range(3))
    read = min(read_alone(engine) for _ in range(3))
    size = sum(map(len, payloads)) / len(payloads)

    print(f"log: {n:,} entries of {best_parallel.dossiers:,} dossiers, {size:.0f} bytes hashed per entry on average\n")
    rows = [
        (f"verify(), {best_parallel.workers} worker processes", best_parallel.seconds),
        ("verify(), one process", best_single.seconds),
        (f"verify() + anchor {mark.count}:{mark.last_id}", with_anchor.seconds),
        ("raw hashlib.sha256 over the same bytes", raw),
        ("the read alone (same statement, one process)", read),
    ]
    print(f"{'':48} {'seconds':>8} {'entries/s':>12} {'× raw hashlib':>14}")
    for name, seconds in rows:
        print(f"{name:48} {seconds:8.2f} {n / seconds:12,.0f} {seconds / raw:14.1f}")
    rate = n / best_parallel.seconds
    verdict = "MET" if rate >= TARGET_PER_SECOND else "MISSED"
    print(f"\ntarget ≥ {TARGET_PER_SECOND:,} entries/s end to end: {verdict} ({rate:,.0f}/s with "
          f"{best_parallel.workers} processes; one process {n / best_single.seconds:,.0f}/s)")


if __name__ == "__main__":
    main()
