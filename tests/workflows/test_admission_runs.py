"""Whole runs of the admission workflow through advance(): the happy path end to end, and random
sequences of triggers that must never leave the procedure's graph nor write anything when refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from admission_world import ACTOR, CAL, FORWARD, TODAY, TREES, WF, World, subject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketnap.engine.audit import GENESIS
from ketnap.engine.errors import KetnapError
from ketnap.engine.memory import MemoryUnitOfWork
from ketnap.engine.service import advance, open_dossier
from ketnap.workflows.admission import HAPPY_PATH
from ketnap.workflows.journey import happy_path

# The procedure's graph as rules.md describes it, written out independently of admission.py.
ORDER = [name for name, _, _ in HAPPY_PATH]
BEFORE_PROBATION = ORDER[: ORDER.index("probationary")]
GRAPH: dict[str, dict[str, str]] = {
    "admit_to_sympathiser_list": {"source": "sympathiser"},
    "nominate_for_training": {"sympathiser": "training_nominated"},
    "record_training_certificate": {"sympathiser": "trained", "training_nominated": "trained"},
    "submit_application": {"trained": "applied"},
    "declare_biography": {"applied": "biography_declared"},
    "start_verification": {"biography_declared": "under_verification"},
    "conclude_verification": {"under_verification": "verified"},
    "record_introductions": {"verified": "introduced"},
    "hold_branch_vote": {"introduced": "branch_approved"},
    "hold_grassroots_committee_vote": {"branch_approved": "committee_approved"},
    "record_admission_decision": {"committee_approved": "admission_decided", "branch_approved": "admission_decided"},
    "hold_admission_ceremony": {"admission_decided": "probationary"},
    "record_inconclusive_vote": {"probationary": "probationary"},
    "hold_recognition_vote": {"probationary": "recognition_proposed"},
    "record_recognition_decision": {"recognition_proposed": "official", "probationary": "official"},
    "withdraw": {s: "withdrawn" for s in BEFORE_PROBATION},
    "reject": {s: "rejected" for s in ("introduced", "branch_approved", "committee_approved")},
    "strike_off": {s: "struck_off" for s in ("probationary", "recognition_proposed")},
    "reopen": {s: "source" for s in ("withdrawn", "rejected")},
}
REWORKABLE = ORDER[ORDER.index("biography_declared") : ORDER.index("probationary")]
ALL_STATES = [*ORDER, "withdrawn", "rejected", "struck_off"]


def allowed_destinations(state: str, trigger: str) -> set[str]:
    if trigger == "return_for_rework":
        return set(ORDER[1 : ORDER.index(state)]) if state in REWORKABLE else set()
    return {GRAPH[trigger][state]} if state in GRAPH.get(trigger, {}) else set()


# -- the happy path --------------------------------------------------------------------------------


@pytest.mark.parametrize(("tree", "advances"), [("district", 14), ("sub_committee", 14), ("district_grassroots_branch", 13),
                                                ("under_province", 14), ("may_admit", 14)])
def test_a_full_run_from_source_to_official(world: World, tree: str, advances: int) -> None:
    t = TREES[tree]
    helper = world.member(t.branch_id, t.grassroots_id)
    introducers = (world.member(t.branch_id, t.grassroots_id), world.member(t.branch_id, t.grassroots_id))
    journey = list(happy_path(date(2023, 1, 5), helper, introducers, t.decider_id, t.decider_body, CAL,
                              grassroots_branch=t.grassroots_branch, sub_committee=t.sub_committee))
    (first, registered), *rest = journey
    assert first == "register_source"
    opened = open_dossier(MemoryUnitOfWork(world.store), WF, subject(), t.branch_id, registered, ACTOR, today=TODAY)
    assert opened.change is not None
    dossier_id = opened.change.dossier_id
    states = ["source"]
    for trigger, facts in rest:
        outcome = advance(MemoryUnitOfWork(world.store), WF, dossier_id, trigger, facts, ACTOR, len(states), today=TODAY)
        assert outcome.applied, (trigger, [r.message("en") for r in outcome.failures])
        assert outcome.warnings == [], (trigger, [r.message("en") for r in outcome.warnings])
        states.append(outcome.new_state)
    assert len(rest) == advances
    expected = [s for s in ORDER if not (t.grassroots_branch and s == "committee_approved")]
    assert states == expected
    snapshot = world.store.dossiers[dossier_id]
    assert (snapshot.state, snapshot.version, len(snapshot.history)) == ("official", advances + 1, advances + 1)
    log = world.store.log
    assert len(log) == advances + 1
    assert log[0].previous_hash == GENESIS
    assert all(b.previous_hash == a.hash for a, b in zip(log, log[1:], strict=False))
    assert snapshot.head_hash == log[-1].hash


# -- random sequences ----------------------------------------------------------------------------------


def extra_facts(trigger: str, day: str, target: str) -> dict[str, Any]:
    return {
        "return_for_rework": {"returned_on": day, "target_state": target, "reason": "Bổ sung hồ sơ"},
        "withdraw": {"withdrawn_on": day, "requested_by": "candidate", "reason": "Chuyển công tác"},
        "reject": {"rejected_on": day, "ground": "failed_branch_vote", "minutes_no": "07-BB/CB"},
        "reopen": {"reopened_on": day, "reason": "Xem xét lại"},
        "record_inconclusive_vote": {"meeting_date": day, "official_total": 15, "present": 15, "agreeing": 9,
                                     "agreeing_strike_off": 4},
        "strike_off": {"decided_on": day, "decision_no": "3-QĐ/HU", "deciding_org_id": 2, "deciding_body": "standing_committee",
                       "branch_proposal_on": day},
    }.get(trigger, {})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_triggers_stay_in_the_graph_and_refusals_write_nothing(data: st.DataObject) -> None:
    world = World()
    dossier = world.dossier("source")
    dates = sorted({v for facts in dossier.steps.values() for k, v in facts.items() if k.endswith(("_on", "_date"))
                    and isinstance(v, str)})
    triggers = [t for t in WF.transitions if t != "register_source"]
    applied = 0
    for _ in range(data.draw(st.integers(min_value=1, max_value=60), label="length")):
        state = dossier.snapshot.state
        leaving = WF.triggers_from(state)
        how = data.draw(st.sampled_from(["forward", "forward", "forward", "leaving", "any"]), label="how")
        if how == "forward" and state in FORWARD:
            trigger = FORWARD[state]
        elif how in ("forward", "leaving") and leaving:
            trigger = data.draw(st.sampled_from(leaving), label="trigger")
        else:
            trigger = data.draw(st.sampled_from(triggers), label="trigger")
        facts = dossier.steps.get(trigger) or extra_facts(
            trigger, data.draw(st.sampled_from(dates), label="date"), data.draw(st.sampled_from(ALL_STATES), label="target"))
        before, log_length = dossier.snapshot, len(world.store.log)
        try:
            outcome = advance(MemoryUnitOfWork(world.store), WF, dossier.id, trigger, facts, ACTOR, before.version, today=TODAY)
        except KetnapError:
            outcome = None
        after = dossier.snapshot
        if outcome is None or not outcome.applied:
            assert after is before and len(world.store.log) == log_length
            continue
        applied += 1
        assert after.state in allowed_destinations(before.state, trigger), (before.state, trigger, after.state)
        assert after.version == before.version + 1 and len(world.store.log) == log_length + 1
        assert world.store.log[-1].previous_hash == (before.head_hash or GENESIS)
        assert after.head_hash == world.store.log[-1].hash
    assert dossier.snapshot.version == 1 + applied
