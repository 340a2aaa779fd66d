"""Memory: what holding and judging many dossiers costs, against a `transitions` Machine per dossier.

Prints bytes per dossier for (a) 10,000 in-memory snapshots judged through the one shared workflow
and (b) the same number of dossiers each given its own Machine (the cost we avoid), measured with
tracemalloc side by side in one run, and the ratio. Run: .venv/bin/python bench/bench_memory.py
"""

from __future__ import annotations

import copy
import gc
import os
import platform
import tracemalloc
from datetime import date

from transitions import Machine

from ketnap.engine.memory import MemoryStore, MemoryUnitOfWork
from ketnap.engine.service import Actor, advance
from ketnap.engine.snapshot import OrgNode
from ketnap.workflows.admission import build_workflow, decoders
from ketnap.workflows.journey import happy_path
from ketnap.workflows.schemas import load_candidate

N = 10_000
TODAY = date(2026, 11, 23)


def template_store():  # type: ignore[no-untyped-def]
    wf = build_workflow()
    store = MemoryStore(decoders=decoders(wf))
    store.orgs[1] = (OrgNode(1, "Huyện ủy", "district"), None)
    store.orgs[2] = (OrgNode(2, "Đảng bộ xã", "grassroots_committee"), 1)
    store.orgs[3] = (OrgNode(3, "Chi bộ thôn", "branch"), 2)
    for i in (10, 11, 12):
        store.members[i] = {"id": i, "full_name": f"ĐV {i}", "status": "official", "branch_id": 3, "grassroots_org_id": 2}
    subject = load_candidate({"full_name": "Nguyễn Văn A", "date_of_birth": "1998-05-05", "gender": "male", "education": "university"})
    store.add_dossier(1, 3, subject)
    actor = Actor(1, "bench", frozenset({"branch_committee", "grassroots_staff", "superior_board"}))
    for trigger, facts in happy_path(date(2023, 1, 5), 10, (11, 12), 1, "standing_committee", wf.calendar):
        if trigger == "register_source":
            continue
        if trigger == "hold_branch_vote":
            break
        advance(MemoryUnitOfWork(store), wf, 1, trigger, facts, actor, None, today=TODAY)
    return wf, store.dossiers[1]


def measure(build):  # type: ignore[no-untyped-def]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    kept = build()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    size = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    del kept
    return size / N


def main() -> None:
    wf, snap = template_store()
    vote = {"meeting_date": date(2024, 6, 3), "official_total": 15, "exempt_absent": 0, "present": 14, "agreeing": 12}

    def shared():  # type: ignore[no-untyped-def]
        from dataclasses import replace

        snaps = [replace(snap, dossier_id=i, subject=dict(snap.subject), facts=copy.deepcopy(snap.facts)) for i in range(N)]
        results = [wf.evaluate(s, "hold_branch_vote", vote, vote["meeting_date"]) for s in snaps]
        return snaps, results

    class Model:
        pass

    def per_dossier_machines():  # type: ignore[no-untyped-def]
        models = []
        for _ in range(N):
            model = Model()
            Machine(model=model, states=list(wf.states), transitions=list(wf._machine_transitions()), initial="introduced",
                    auto_transitions=False, send_event=True)
            models.append(model)
        return models

    ours = measure(shared)
    theirs = measure(per_dossier_machines)
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; date {date.today()}")
    print(f"shared workflow, snapshot + judged branch vote: {ours / 1024:8.1f} KiB per dossier")
    print(f"a transitions Machine per dossier:              {theirs / 1024:8.1f} KiB per dossier")
    print(f"ratio (Machine per dossier / ours):             {theirs / ours:8.1f}x")


if __name__ == "__main__":
    main()
