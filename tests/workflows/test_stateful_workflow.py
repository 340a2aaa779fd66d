"""A stateful test of the admission workflow: random sequences of triggers and facts through advance().

Hypothesis drives dossiers of several organisation trees through the real use cases (open_dossier,
advance) on the in-memory store. Every trigger may be fired on any dossier, not only the ones its state
offers, with the facts the happy path would record for that step, those facts with one thing changed
(a date moved across a rule's boundary, a member swapped for another, unknown or probationary one, a
field dropped, a value of the wrong type), or junk; by actors of any roles and scope, on any day, with
a right, stale or absent version. After every step:

- each dossier's state is one of the workflow's, and every entry of its history is an edge of the
  graph (the entry before it ends where it starts, the last one where the dossier is);
- its history has exactly one entry per applied transition, and its version counts them;
- no applied transition was recorded with a failing (or unjudged) rule;
- a refused or erroring attempt left everything exactly as it was;
- the audit chain of every dossier verifies, as the auditors' `verify` checks it.

The engine may refuse with its own errors (engine.errors.KetnapError); any other exception fails the
test. KETNAP_STATEFUL_EXAMPLES sets the number of sequences (default 60, of up to 30 steps each).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from admission_world import CAL, FORWARD, ORGS, TODAY, TREES, WF, Tree, subject
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, multiple, rule, run_state_machine_as_test

from ketnap.engine.audit import DossierHead, check_dossier, value_payload
from ketnap.engine.dates import add_months
from ketnap.engine.errors import KetnapError
from ketnap.engine.memory import MemoryDirectory, MemoryStore, MemoryUnitOfWork
from ketnap.engine.rules import Status
from ketnap.engine.service import Actor, Change, advance, open_dossier, prepare
from ketnap.engine.snapshot import OrgNode
from ketnap.workflows.admission import decoders
from ketnap.workflows.journey import happy_path

EXAMPLES = int(os.environ.get("KETNAP_STATEFUL_EXAMPLES", "60"))
STEPS = 30
ROLES = ("branch_committee", "grassroots_staff", "superior_board", "auditor", "admin")
OFFICERS = frozenset(ROLES[:3])
TRIGGERS = sorted(WF.transitions)
ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")
PEOPLE = ("helper_member_id", "member_id", "probation_helper_id")
NOT_IDS = (0, -1, 2**31, 2**63, "12", "mười", None, 1.5, True)
WRONG = (None, "", " ", "x", "31/02/2024", "2024-13-45", 0, -1, 10**12, 1.5, True, [], {}, [{"x": 1}], "<script>", "\x00")
STATS: Counter[str] = Counter()

# The organisation trees of admission_world, with a start of the journey that takes each through the whole procedure.
TREE_STARTS = {"district": date(2023, 1, 5), "sub_committee": date(2023, 1, 5), "district_grassroots_branch": date(2023, 1, 5),
               "under_province": date(2023, 1, 5), "may_admit": date(2023, 1, 5), "commune_committee": date(2025, 7, 7),
               "commune_grassroots_branch": date(2025, 7, 7)}
OFFICER = Actor(2, "Cán bộ", OFFICERS)
FOREIGN_ORG = 99  # an organisation outside every tree: an actor scoped to it sees no dossier


@dataclass
class Members:
    """The people a tree's journeys name: the helper, two introducers, a probationary member, one of another branch."""

    helper: int
    introducers: tuple[int, int]
    probationary: int
    elsewhere: int


@dataclass
class Case:
    """One dossier as the model knows it: its tree, the journey's facts by trigger and its applied transitions."""

    tree_key: str
    steps: dict[str, dict[str, Any]]
    applied: int

    @property
    def tree(self) -> Tree:
        return TREES[self.tree_key]


# -- facts -------------------------------------------------------------------------------------------


def other_way_out(trigger: str, day: date, target: str, tree: Tree) -> dict[str, Any]:
    """Good facts for the steps off the happy path (withdraw, reject, …), dated `day`."""
    on = day.isoformat()
    return {
        "return_for_rework": {"returned_on": on, "target_state": target, "reason": "Bổ sung hồ sơ"},
        "withdraw": {"withdrawn_on": on, "requested_by": "candidate", "reason": "Chuyển công tác"},
        "reject": {"rejected_on": on, "ground": "failed_branch_vote", "minutes_no": "07-BB/CB"},
        "reopen": {"reopened_on": on, "reason": "Xem xét lại"},
        "record_inconclusive_vote": {"meeting_date": on, "official_total": 15, "present": 15, "agreeing": 9, "agreeing_strike_off": 4},
        "strike_off": {"decided_on": on, "decision_no": "3-QĐ/HU", "deciding_org_id": tree.decider_id,
                       "deciding_body": tree.decider_body, "branch_proposal_on": on},
    }.get(trigger, {})


def paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every leaf of a JSON-like value with its path (keys and list indexes)."""
    if isinstance(value, dict):
        return [leaf for key, inner in value.items() for leaf in paths(inner, (*path, key))]
    if isinstance(value, list):
        return [leaf for i, inner in enumerate(value) for leaf in paths(inner, (*path, i))]
    return [(path, value)]


def replaced(value: Any, path: tuple[Any, ...], new: Any, drop: bool = False) -> Any:
    """A copy of `value` with the leaf at `path` set to `new` (or removed)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        out = dict(value)
        if drop and not rest:
            out.pop(head, None)
        else:
            out[head] = replaced(value[head], rest, new, drop)
        return out
    items = list(value)
    if drop and not rest:
        del items[head]
    else:
        items[head] = replaced(items[head], rest, new, drop)
    return items


@st.composite
def mutated(draw: st.DrawFn, facts: dict[str, Any], members: Members) -> dict[str, Any]:
    """Good facts with one thing changed: a date moved, a member swapped, a number changed, a field dropped, a value
    of the wrong type."""
    leaves = paths(facts)
    if not leaves:
        return facts
    dates = [(p, v) for p, v in leaves if isinstance(v, str) and ISO_DATE.fullmatch(v)]
    people = [(p, v) for p, v in leaves if p and p[-1] in PEOPLE]
    numbers = [(p, v) for p, v in leaves if type(v) is int and (p, v) not in people]
    how = draw(st.sampled_from(["move", "move", "move", "swap", "count", "drop", "wrong"]), label="how")
    if how == "move" and dates:
        path, value = draw(st.sampled_from(dates), label="date")
        shift = draw(st.sampled_from([-1, 1, -2, 2, -7, 7, -30, 30, -31, 31, -365, 365, -366, 366]) | st.integers(-2000, 2000), label="days")
        moved = date.fromisoformat(value) + timedelta(days=shift)
        return replaced(facts, path, draw(st.sampled_from([moved.isoformat(), f"{moved:%d/%m/%Y}"]), label="written"))
    if how == "swap" and people:
        path, _value = draw(st.sampled_from(people), label="person")
        other = draw(st.sampled_from([members.helper, *members.introducers, members.probationary, members.elsewhere, 99_999]) |
                     st.sampled_from(NOT_IDS), label="member")
        return replaced(facts, path, other)
    if how == "count" and numbers:
        path, value = draw(st.sampled_from(numbers), label="number")
        return replaced(facts, path, value + draw(st.integers(-10, 10) | st.sampled_from([2**31, -(10**6)]), label="by"))
    path, _value = draw(st.sampled_from(leaves), label="leaf")
    if how == "drop":
        return replaced(facts, path, None, drop=True)
    return replaced(facts, path, draw(st.sampled_from(WRONG), label="wrong"))


json_leaf = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=12) | st.sampled_from(WRONG[:-4])
junk = st.dictionaries(
    st.sampled_from(["decided_on", "meeting_date", "helper_member_id", "introducers", "target_state", "reason", "x"]) | st.text(max_size=8),
    st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                 max_leaves=6),
    max_size=5,
)


# -- the machine -------------------------------------------------------------------------------------


def chain_entries(log: list[Change]) -> list[tuple[Any, ...]]:
    """The log entries as verification reads them (engine.audit.ENTRY_COLUMNS), timestamps as hashed."""
    return [(i, c.dossier_id, c.seq, c.actor_id, c.actor_name, c.at.isoformat(), c.act_date.isoformat(), c.from_state, c.to_state,
             c.trigger, c.facts, c.rule_results, c.previous_hash, c.hash) for i, c in enumerate(log, 1)]


class AdmissionMachine(RuleBasedStateMachine):
    dossiers = Bundle("dossiers")

    def __init__(self) -> None:
        super().__init__()
        self.store = MemoryStore(decoders=decoders(WF))
        for org_id, name, level, parent, may_admit in ORGS:
            self.store.orgs[org_id] = (OrgNode(org_id, name, level, may_admit=may_admit), parent)
        self.store.orgs[FOREIGN_ORG] = (OrgNode(FOREIGN_ORG, "Tỉnh ủy khác", "province"), None)
        self.next_member = 100
        self.members = {key: self._members(tree) for key, tree in TREES.items() if key in TREE_STARTS}
        self.cases: dict[int, Case] = {}
        self.kind = "journey"  # the kind of facts of the next attempt, for the figures
        STATS["sequences"] += 1

    def _member(self, tree: Tree, status: str = "official", branch_id: int | None = None) -> int:
        self.next_member += 1
        self.store.members[self.next_member] = {
            "id": self.next_member, "full_name": f"Đảng viên {self.next_member}", "status": status,
            "branch_id": branch_id or tree.branch_id, "grassroots_org_id": tree.grassroots_id,
            "official_since": "2010-01-01" if status == "official" else None,
        }
        return self.next_member

    def _members(self, tree: Tree) -> Members:
        elsewhere = next(t for t in TREES.values() if t.branch_id != tree.branch_id)
        return Members(self._member(tree), (self._member(tree), self._member(tree)), self._member(tree, "probationary"),
                       self._member(elsewhere, branch_id=elsewhere.branch_id))

    # -- drawing an actor, a day, facts

    @staticmethod
    def _actor(data: st.DataObject, tree: Tree) -> Actor:
        roles = data.draw(st.sampled_from([OFFICERS, frozenset({"branch_committee"}), frozenset({"grassroots_staff"})])
                          | st.frozensets(st.sampled_from(ROLES)), label="roles")
        scope = data.draw(st.sampled_from([None, tree.branch_id, tree.grassroots_id, tree.decider_id, FOREIGN_ORG]), label="scope")
        return Actor(data.draw(st.none() | st.integers(1, 50), label="actor_id"), data.draw(st.sampled_from(["Cán bộ", "Kiểm tra <b>"])),
                     roles, scope)

    @staticmethod
    def _today(data: st.DataObject) -> date:
        if data.draw(st.sampled_from([True, True, False]), label="today"):
            return TODAY
        return data.draw(st.dates(date(2022, 6, 1), date(2027, 12, 31)), label="day")

    def _last_day(self, dossier_id: int) -> date:
        history = self.store.dossiers[dossier_id].history
        return max(entry.act_date for entry in history)

    def _facts(self, data: st.DataObject, dossier_id: int, trigger: str) -> dict[str, Any]:
        case = self.cases[dossier_id]
        day = self._last_day(dossier_id) + timedelta(days=data.draw(st.integers(0, 400), label="after"))
        target = data.draw(st.sampled_from(list(WF.states)), label="target")
        good = case.steps.get(trigger) or other_way_out(trigger, day, target, case.tree)
        kind = data.draw(st.sampled_from(["good", "mutated", "mutated", "mutated", "junk"]), label="facts")
        self.kind = kind
        if kind == "good":
            return good
        if kind == "mutated":
            return data.draw(mutated(good, self.members[case.tree_key]), label="mutated")
        return data.draw(junk, label="junk")

    # -- rules

    @rule(target=dossiers, data=st.data())
    def open_a_dossier(self, data: st.DataObject) -> Any:
        STATS["steps"] += 1
        key = data.draw(st.sampled_from(sorted(TREE_STARTS)), label="tree")
        tree, members = TREES[key], self.members[key]
        start = TREE_STARTS[key] + timedelta(days=data.draw(st.integers(0, 60), label="start"))
        journey = happy_path(start, members.helper, members.introducers, tree.decider_id, tree.decider_body, CAL,
                             grassroots_branch=tree.grassroots_branch, sub_committee=tree.sub_committee)
        steps = dict(journey)
        meeting = date.fromisoformat(steps["hold_branch_vote"]["meeting_date"])
        born = data.draw(st.sampled_from([date(1995, 5, 5)])  # a candidate the rules accept
                         | st.sampled_from([18, 30, 60, 61]).flatmap(  # around an age limit at the branch meeting (R-AGE-*, R-INTRO-3)
                             lambda years: st.integers(-40, 40).map(lambda days: add_months(meeting, -12 * years) + timedelta(days=days)))
                         | st.dates(date(1950, 1, 1), start - timedelta(days=365 * 15)), label="born")
        person = subject(date_of_birth=born.isoformat())
        registered = steps["register_source"] if data.draw(st.sampled_from([True, True, True, False]), label="good") else \
            data.draw(junk, label="registered")
        actor = OFFICER if data.draw(st.sampled_from([True, True, True, False]), label="officer") else self._actor(data, tree)
        before = dict(self.store.dossiers), len(self.store.log)
        try:
            opened = open_dossier(MemoryUnitOfWork(self.store), WF, person, tree.branch_id, registered, actor, today=self._today(data))
        except KetnapError as err:
            STATS[f"open_refused_{type(err).__name__}"] += 1
            assert (dict(self.store.dossiers), len(self.store.log)) == before
            return multiple()
        assert opened.change is not None
        STATS["opened"] += 1
        dossier_id = opened.change.dossier_id
        assert dossier_id not in before[0] and len(self.store.log) == before[1] + 1
        self.cases[dossier_id] = Case(key, steps, 1)
        return dossier_id

    @rule(dossier_id=dossiers, data=st.data())
    def fire_any_trigger(self, dossier_id: int, data: st.DataObject) -> None:
        """Any trigger, any facts, by anyone, on any day, with any version."""
        case = self.cases[dossier_id]
        trigger = data.draw(st.sampled_from(TRIGGERS), label="trigger")
        actor = OFFICER if data.draw(st.sampled_from([True, True, False]), label="officer") else self._actor(data, case.tree)
        version = self.store.dossiers[dossier_id].version
        self._fire(dossier_id, trigger, self._facts(data, dossier_id, trigger), actor, self._today(data),
                   data.draw(st.sampled_from([None, None, None, version, version - 1, version + 1]), label="version"))

    @rule(dossier_id=dossiers, data=st.data())
    def fire_an_offered_trigger(self, dossier_id: int, data: st.DataObject) -> None:
        """A trigger the state offers (mostly the next step), any facts, by an officer."""
        state = self.store.dossiers[dossier_id].state
        offered = WF.triggers_from(state)
        if offered:
            trigger = data.draw(st.sampled_from([FORWARD[state]] * 3 + offered if state in FORWARD else offered), label="trigger")
            self._fire(dossier_id, trigger, self._facts(data, dossier_id, trigger), OFFICER, TODAY, None)

    @rule(dossier_id=dossiers, steps=st.integers(1, len(FORWARD)))
    def go_ahead_on_the_happy_path(self, dossier_id: int, steps: int) -> None:
        """Up to `steps` next steps with the journey's facts: takes dossiers deep into the procedure."""
        for _ in range(steps):
            snap = self.store.dossiers[dossier_id]
            trigger = FORWARD.get(snap.state)
            if trigger is None or trigger not in self.cases[dossier_id].steps:
                return
            if not self._fire(dossier_id, trigger, self.cases[dossier_id].steps[trigger], OFFICER, TODAY, snap.version):
                return

    @rule(dossier_id=consumes(dossiers))
    def leave_a_dossier_alone(self, dossier_id: int) -> None:
        """Later steps go to the other dossiers (it stays in the store and in every invariant)."""

    def _fire(self, dossier_id: int, trigger: str, facts: dict[str, Any], actor: Actor, today: date, version: int | None) -> bool:
        """One attempt through advance(), checked: applied as the graph allows, or nothing changed. Whether it applied."""
        STATS["steps"] += 1
        case = self.cases[dossier_id]
        before = self.store.dossiers[dossier_id]
        everything, log_length = dict(self.store.dossiers), len(self.store.log)
        kind, self.kind = self.kind, "journey"
        try:
            result = advance(MemoryUnitOfWork(self.store), WF, dossier_id, trigger, facts, actor, version, today=today)
        except KetnapError as err:
            STATS[f"error_{type(err).__name__}"] += 1
            STATS[f"{kind} facts: {type(err).__name__}"] += 1
            result = None
        if result is None or not result.applied:
            if result is not None:
                STATS["refused_by_rules"] += 1
                STATS[f"{kind} facts: refused by rules"] += 1
                assert result.failures, "refused without a failing rule"
            assert self.store.dossiers == everything and self.store.dossiers[dossier_id] is before
            assert len(self.store.log) == log_length
            return False
        STATS["applied"] += 1
        STATS[f"{kind} facts: applied"] += 1
        STATS[f"applied_{trigger}"] += 1
        case.applied += 1
        after = self.store.dossiers[dossier_id]
        assert not result.evaluation.failures and result.new_state == after.state
        assert (after.version, len(after.history), len(self.store.log)) == (before.version + 1, len(before.history) + 1, log_length + 1)
        assert after.history[:-1] == before.history
        assert {k: v for k, v in self.store.dossiers.items() if k != dossier_id} == \
            {k: v for k, v in everything.items() if k != dossier_id}
        # judged again from the state before, the same act passes every rule and leads to the same state
        _spec, _facts, again = prepare(WF, before, trigger, facts, actor, today, None, MemoryDirectory(self.store))
        assert not again.failures and again.dest == after.state
        return True

    # -- invariants

    @invariant()
    def every_dossier_stays_in_the_graph(self) -> None:
        for dossier_id, snap in self.store.dossiers.items():
            assert snap.state in WF.states
            previous = ""
            for entry in snap.history:
                assert entry.from_state == previous, (dossier_id, entry)
                if entry.seq == 1:
                    assert (entry.trigger, entry.from_state, entry.to_state) == ("register_source", "", WF.initial)
                else:
                    assert WF.can_leave(entry.from_state, entry.trigger), (dossier_id, entry)
                    assert entry.to_state in WF.targets(entry.trigger, entry.from_state), (dossier_id, entry)
                previous = entry.to_state
            assert snap.state == previous

    @invariant()
    def one_entry_per_applied_transition(self) -> None:
        by_dossier = Counter(change.dossier_id for change in self.store.log)
        assert set(by_dossier) == set(self.store.dossiers) == set(self.cases)
        for dossier_id, snap in self.store.dossiers.items():
            applied = self.cases[dossier_id].applied
            assert len(snap.history) == snap.version == by_dossier[dossier_id] == applied
            assert [e.seq for e in snap.history] == list(range(1, applied + 1))

    @invariant()
    def no_transition_passed_a_failing_rule(self) -> None:
        judged = {Status.PASSED.value, Status.WARNING.value, Status.NOT_APPLICABLE.value}
        for change in self.store.log:
            assert all(r["status"] in judged for r in change.rule_results), (change.trigger, change.rule_results)

    @invariant()
    def the_chain_verifies(self) -> None:
        entries = chain_entries(self.store.log)
        for dossier_id, snap in self.store.dossiers.items():
            own = [e for e in entries if e[1] == dossier_id]
            head = DossierHead(snap.state, snap.version, len(snap.history), snap.head_hash)
            verdict = check_dossier(dossier_id, head, own, value_payload)
            assert verdict.ok, verdict.first_break


def test_random_sequences_of_triggers_and_facts_keep_the_workflow_sound() -> None:
    STATS.clear()
    run_state_machine_as_test(AdmissionMachine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    attempts = STATS["applied"] + STATS["refused_by_rules"] + sum(n for k, n in STATS.items() if k.startswith("error_"))
    print(f"stateful workflow: {STATS['sequences']} sequences of {STATS['steps']} steps, {STATS['opened']} dossiers opened, {attempts} attempts: "
          f"{STATS['applied']} applied, {STATS['refused_by_rules']} refused by rules, "
          f"{attempts - STATS['applied'] - STATS['refused_by_rules']} refused with an error; {dict(sorted(STATS.items()))}")
    assert STATS["applied"] > 0 and STATS["refused_by_rules"] > 0 and STATS["error_BadInput"] > 0
