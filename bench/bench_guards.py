"""Benchmark: guard evaluation against bare `transitions` firing, measured side by side in one run.

Targets (named, not timed tests):
  (a) guard evaluation: judging every rule of `hold_branch_vote` for 10,000 in-memory dossiers at
      'introduced' with varied facts — target at least 50,000 evaluations per second;
  (b) raw `transitions`: the same trigger fired on one shared Machine with no rules and no
      persistence (`machine.events[t].trigger(model)`), the floor the engine is compared with;
  (c) workflow.fire: evaluate + fire through the shared machine (guards + machine), per second.

Run: .venv/bin/python bench/bench_guards.py [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import platform
import pstats
import random
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from transitions import Machine

from ketnap.engine.memory import MemoryStore, MemoryUnitOfWork
from ketnap.engine.rules import judge
from ketnap.engine.service import Actor, advance
from ketnap.engine.snapshot import OrgNode, Snapshot
from ketnap.engine.workflow import Workflow
from ketnap.workflows.admission import build_workflow, decoders
from ketnap.workflows.journey import happy_path
from ketnap.workflows.schemas import load_candidate

N = 10_000
TARGET = 50_000
TRIGGER = "hold_branch_vote"
EDUCATION = ["lower_secondary", "upper_secondary", "vocational", "university", "primary", "lower_secondary_equivalent"]


def introduced_snapshot(wf: Workflow) -> tuple[Snapshot, dict[str, Any]]:
    """One dossier advanced through the real use case to 'introduced'; the journey's branch-vote facts."""
    store = MemoryStore(decoders=decoders(wf))
    store.orgs[1] = (OrgNode(1, "Huyện ủy", "district"), None)
    store.orgs[2] = (OrgNode(2, "Đảng ủy xã", "grassroots_committee"), 1)
    store.orgs[3] = (OrgNode(3, "Chi bộ thôn", "branch"), 2)
    for i in (10, 11, 12):
        store.members[i] = {"id": i, "full_name": f"Đảng viên {i}", "status": "official", "branch_id": 3, "grassroots_org_id": 2,
                            "official_since": "2010-01-01"}
    subject = load_candidate({"full_name": "Nguyễn Văn A", "date_of_birth": "1995-05-05", "gender": "male",
                              "education": "upper_secondary"})
    store.add_dossier(1, 3, subject)
    actor = Actor(1, "bench", frozenset({"branch_committee", "grassroots_staff", "superior_board"}))
    steps = dict(happy_path(date(2023, 1, 5), 10, (11, 12), 1, "standing_committee", wf.calendar))
    for trigger, facts in steps.items():
        if trigger == "register_source":
            continue
        if store.dossiers[1].state == "introduced":
            break
        assert advance(MemoryUnitOfWork(store), wf, 1, trigger, facts, actor, None, today=date(2026, 1, 1)).applied
    return store.dossiers[1], steps[TRIGGER]


def varied_dossiers(wf: Workflow, n: int) -> list[tuple[Snapshot, dict[str, Any], date]]:
    """n snapshots at 'introduced' with varied subjects, certificates and votes, and parsed act facts."""
    base, vote = introduced_snapshot(wf)
    parse = wf.transitions[TRIGGER].parse
    assert parse is not None
    rng = random.Random(20240205)
    out = []
    for i in range(n):
        meeting = date(2021, 1, 4) + timedelta(days=rng.randrange(0, 5 * 365))
        born = meeting - timedelta(days=rng.randrange(17 * 365, 62 * 365))
        subject = {**base.subject, "date_of_birth": born, "education": rng.choice(EDUCATION),
                   "special_area": rng.random() < 0.1, "religion": "Phật giáo" if rng.random() < 0.2 else None}
        facts = dict(base.facts)
        facts["record_training_certificate"] = {**facts["record_training_certificate"],
                                                "issued_on": meeting - timedelta(days=rng.randrange(30, 2000))}
        facts["conclude_verification"] = {**facts["conclude_verification"], "concluded_on": meeting - timedelta(days=rng.randrange(10, 500))}
        facts["record_introductions"] = {**facts["record_introductions"], "residence_comment_on": meeting - timedelta(days=5),
                                         "comments_summary_on": meeting - timedelta(days=5)}
        snapshot = replace(base, dossier_id=i + 1, subject=subject, facts=facts)
        total = rng.randrange(3, 40)
        present = rng.randrange(total // 2, total + 1)
        act = parse({**vote, "meeting_date": meeting.isoformat(), "official_total": total, "present": present,
                     "agreeing": rng.randrange(0, present + 1)})
        out.append((snapshot, act, meeting))
    return out


def best_of(rounds: int, func: Callable[[], object]) -> float:
    """The fastest of `rounds` runs, in seconds, with the garbage collector paused while timing."""
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            func()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best


class Model:
    __slots__ = ("state",)

    def __init__(self, state: str):
        self.state = state


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="profile guard evaluation and print the top functions")
    args = parser.parse_args()

    print(f"machine: {platform.platform()} | {platform.processor() or platform.machine()} | cpus={os.cpu_count()} | "
          f"python {platform.python_version()} ({platform.python_implementation()})")
    print(f"date: {datetime.now().astimezone().isoformat(timespec='seconds')}")

    wf = build_workflow()
    dossiers = varied_dossiers(wf, N)
    spec_rules = len(wf.transitions[TRIGGER].rules)

    def guards() -> None:
        for snapshot, act, day in dossiers:
            wf.evaluate(snapshot, TRIGGER, act, day)

    raw_machine = Machine(model=None, states=list(wf.states), transitions=[
        {"trigger": t.trigger, "source": s, "dest": t.dest} for t in wf.transitions.values() if t.dest for s in t.sources
    ], initial=wf.initial, auto_transitions=False, send_event=True)
    event = raw_machine.events[TRIGGER]

    def raw() -> None:
        for _ in range(N):
            event.trigger(Model("introduced"))

    def fire() -> None:
        for snapshot, act, day in dossiers:
            wf.fire(snapshot, wf.evaluate(snapshot, TRIGGER, act, day))

    guards()  # warm the calendar and holiday caches
    outcomes = [wf.evaluate(s, TRIGGER, a, d) for s, a, d in dossiers]
    allowed = sum(e.allowed for e in outcomes)
    raw_s, guard_s, fire_s = best_of(args.rounds, raw), best_of(args.rounds, guards), best_of(args.rounds, fire)
    raw_rate, guard_rate, fire_rate = N / raw_s, N / guard_s, N / fire_s

    print(f"\n{N:,} dossiers at 'introduced', trigger {TRIGGER} ({spec_rules} rules); {allowed:,} allowed, "
          f"{N - allowed:,} refused; best of {args.rounds} rounds")
    print(f"(a) guard evaluation (workflow.evaluate): {guard_rate:>12,.0f} /s  {1e6 / guard_rate:7.1f} µs each  "
          f"target {TARGET:,}/s: {'MET' if guard_rate >= TARGET else 'MISSED'}")
    print(f"(b) raw transitions (event.trigger):      {raw_rate:>12,.0f} /s  {1e6 / raw_rate:7.1f} µs each")
    print(f"(c) workflow.fire (evaluate + fire):      {fire_rate:>12,.0f} /s  {1e6 / fire_rate:7.1f} µs each")
    print(f"ratios: raw / guards = {raw_rate / guard_rate:.1f}x; raw / fire = {raw_rate / fire_rate:.1f}x; "
          f"guards / fire = {guard_rate / fire_rate:.2f}x; per rule {1e6 / guard_rate / spec_rules:.2f} µs")

    mixed_rate, mixed_evals = mixed_population(wf, args.rounds)
    print(f"(d) explain() over 10,000 dossiers in every state (the demo district's mix), every trigger leaving the state "
          f"judged ({mixed_evals / N:.1f} per dossier): {mixed_rate:>10,.0f} trigger evaluations/s  "
          f"target {TARGET:,}/s: {'MET' if mixed_rate >= TARGET else 'MISSED'}")

    if args.profile or guard_rate < TARGET:
        where_the_time_goes(wf, dossiers)
    return 0


def mixed_population(wf: Workflow, rounds: int) -> tuple[float, int]:
    """10,000 dossiers spread over the states as the demo district has them (ketnap.demo, in memory);
    explain() for each: every trigger leaving its state judged as of today (what a dashboard shows)."""
    import random

    from ketnap.demo import _plans, _run_dossier, build_members, build_tree, build_users
    from ketnap.engine.memory import MemoryStore
    from ketnap.engine.service import Actor
    from ketnap.workflows.admission import decoders

    rng = random.Random(5)
    store = MemoryStore(decoders=decoders(wf))
    tree = build_tree(rng, "commune", 1, store)
    build_members(rng, tree, 1)
    build_users(tree, 1)
    actor = Actor(2, "bench", frozenset({"branch_committee", "grassroots_staff", "superior_board"}))
    today = date(2026, 11, 23)
    for plan in _plans(rng, 1000, "commune", today):
        _run_dossier(wf, store, tree, rng, plan, actor, today)
    population = list(store.dossiers.values())
    work = [population[i % len(population)] for i in range(N)]
    evaluations = sum(len(wf.triggers_from(s.state)) for s in work)

    def explain_all() -> None:
        for snapshot in work:
            wf.explain(snapshot, today)

    explain_all()
    return evaluations / best_of(rounds, explain_all), evaluations


def where_the_time_goes(wf: Workflow, dossiers: list[tuple[Snapshot, dict[str, Any], date]]) -> None:
    """Per rule: the cost of judging it (judge + rule function) and of the rule function alone; then cProfile."""
    spec = wf.transitions[TRIGGER]
    contexts = [wf.context(s, spec, a, d) for s, a, d in dossiers]
    context_us = best_of(5, lambda: [wf.context(s, spec, a, d) for s, a, d in dossiers]) / N * 1e6
    rows = []
    for rule_id in spec.rules:
        rule = wf.catalogue[rule_id]
        func = rule.func
        assert func is not None
        judged = best_of(5, lambda: [judge(rule, c) for c in contexts]) / N * 1e6  # noqa: B023
        body = best_of(5, lambda: [func(c) for c in contexts]) / N * 1e6  # noqa: B023
        rows.append((judged, body, rule_id))
    print(f"\nwhere the time goes, per evaluation: building the RuleContext {context_us:.2f} µs; per rule (judge = rule + grading):")
    for judged, body, rule_id in sorted(rows, reverse=True):
        print(f"  {rule_id:16s} judge {judged:6.2f} µs   rule function {body:6.2f} µs   grading {judged - body:5.2f} µs")
    print(f"  total of judges {sum(r[0] for r in rows):.1f} µs, of rule functions {sum(r[1] for r in rows):.1f} µs")
    profiler = cProfile.Profile()
    profiler.enable()
    for snapshot, act, day in dossiers:
        wf.evaluate(snapshot, TRIGGER, act, day)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(15)
    print("\ncProfile of (a), by own time (profiler overhead inflates small functions):")
    print("\n".join(line for line in text.getvalue().splitlines() if line.strip()))


if __name__ == "__main__":
    sys.exit(main())
