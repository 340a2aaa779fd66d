"""The advance() and open_dossier() use cases on the in-memory repository (ketnap.engine.service)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from service_world import TODAY, Runner

from ketnap.engine.audit import GENESIS, entry_hash, stored_fields
from ketnap.engine.errors import BadInput, Conflict, Forbidden, InvalidTransition, NotFound
from ketnap.engine.memory import MemoryStore, MemoryUnitOfWork
from ketnap.engine.rules import Status
from ketnap.engine.service import Actor, explain, open_dossier
from ketnap.engine.workflow import Workflow


def fixed_now() -> datetime:
    return datetime(2025, 12, 31, 3, 0, tzinfo=UTC)


def open_one(wf: Workflow, store: MemoryStore, subject: dict[str, Any], actor: Actor, branch_id: int = 4) -> int:
    result = open_dossier(MemoryUnitOfWork(store), wf, subject, branch_id, {"registered_on": "2023-01-05"}, actor,
                          today=TODAY, now=fixed_now)
    assert result.change is not None
    return result.change.dossier_id


def frozen(store: MemoryStore) -> tuple[dict[int, Any], int]:
    return dict(store.dossiers), len(store.log)


def assert_unchanged(store: MemoryStore, before: tuple[dict[int, Any], int]) -> None:
    dossiers, log_length = before
    assert len(store.log) == log_length
    assert store.dossiers.keys() == dossiers.keys()
    for key, snapshot in dossiers.items():
        assert store.dossiers[key] is snapshot


# -- open_dossier --------------------------------------------------------------------------------


def test_open_dossier_writes_the_dossier_and_its_first_log_entry(wf: Workflow, store: MemoryStore, subject: dict[str, Any],
                                                                 actor: Actor) -> None:
    dossier_id = open_one(wf, store, subject, actor)
    snapshot = store.dossiers[dossier_id]
    assert (snapshot.state, snapshot.version, len(snapshot.history)) == ("source", 1, 1)
    (change,) = store.log
    assert (change.from_state, change.to_state, change.trigger, change.seq) == ("", "source", "register_source", 1)
    assert change.previous_hash == GENESIS
    assert snapshot.head_hash == change.hash
    assert snapshot.facts["register_source"]["registered_on"] == date(2023, 1, 5)


def test_open_dossier_outside_the_actors_scope_is_not_found(wf: Workflow, store: MemoryStore, subject: dict[str, Any]) -> None:
    other = Actor(2, "Xã khác", frozenset({"branch_committee"}), scope_org_id=6)
    with pytest.raises(NotFound):
        open_one(wf, store, subject, other, branch_id=4)
    assert store.dossiers == {} and store.log == []


def test_open_dossier_with_a_role_not_allowed_is_forbidden(wf: Workflow, store: MemoryStore, subject: dict[str, Any]) -> None:
    auditor = Actor(3, "Kiểm tra", frozenset({"auditor"}), scope_org_id=None)
    with pytest.raises(Forbidden):
        open_one(wf, store, subject, auditor)
    assert store.dossiers == {} and store.log == []


def test_open_dossier_in_an_unknown_branch_is_not_found(wf: Workflow, store: MemoryStore, subject: dict[str, Any],
                                                        actor: Actor) -> None:
    with pytest.raises(NotFound):
        open_one(wf, store, subject, actor, branch_id=99)


def test_open_dossier_with_a_future_date_is_bad_input(wf: Workflow, store: MemoryStore, subject: dict[str, Any],
                                                      actor: Actor) -> None:
    with pytest.raises(BadInput) as err:
        open_dossier(MemoryUnitOfWork(store), wf, subject, 4, {"registered_on": "2026-01-01"}, actor, today=TODAY)
    assert list(err.value.field_errors) == ["registered_on"]
    assert store.dossiers == {}


# -- advance: applied and refused ------------------------------------------------------------------


def test_an_applied_step_writes_one_log_entry_and_bumps_the_version(wf: Workflow, store: MemoryStore, subject: dict[str, Any],
                                                                     runner: Runner, steps: dict[str, Any]) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    before = store.dossiers[dossier_id]
    result = runner.advance(dossier_id, "admit_to_sympathiser_list", steps["admit_to_sympathiser_list"], expected_version=1)
    assert result.applied and result.new_state == "sympathiser" and result.new_version == 2
    after = store.dossiers[dossier_id]
    assert (after.state, after.version) == ("sympathiser", 2)
    assert len(store.log) == 2
    change = store.log[-1]
    assert change.previous_hash == before.head_hash and after.head_hash == change.hash
    assert change.seq == 2 and change.expected_version == 1
    assert [r["rule_id"] for r in change.rule_results] == ["R-HELP-1"]
    assert after.facts["admit_to_sympathiser_list"]["helper_member_id"] == 10


def test_a_refused_step_writes_nothing_and_lists_every_failing_rule(wf: Workflow, store: MemoryStore, subject: dict[str, Any],
                                                                     runner: Runner, steps: dict[str, Any]) -> None:
    young = {**subject, "date_of_birth": date(2010, 1, 1)}
    dossier_id = open_one(wf, store, young, runner.actor)
    runner.until(dossier_id, "introduced")
    before = frozen(store)
    vote = {**steps["hold_branch_vote"], "agreeing": 9, "present": 14}
    result = runner.advance(dossier_id, "hold_branch_vote", vote)
    assert not result.applied and result.change is None and result.new_state is None
    assert {r.rule_id for r in result.failures} == {"R-AGE-1", "R-VOTE-BRANCH-1"}
    assert_unchanged(store, before)


def test_a_stale_version_is_a_conflict(wf: Workflow, store: MemoryStore, subject: dict[str, Any], runner: Runner,
                                       steps: dict[str, Any]) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    runner.advance(dossier_id, "admit_to_sympathiser_list", steps["admit_to_sympathiser_list"], expected_version=1)
    before = frozen(store)
    with pytest.raises(Conflict) as err:
        runner.advance(dossier_id, "nominate_for_training", steps["nominate_for_training"], expected_version=1)
    assert err.value.current_version == 2
    assert_unchanged(store, before)


def test_the_repository_refuses_a_change_whose_version_moved(wf: Workflow, store: MemoryStore, subject: dict[str, Any],
                                                             runner: Runner, steps: dict[str, Any]) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    runner.advance(dossier_id, "admit_to_sympathiser_list", steps["admit_to_sympathiser_list"])
    stale = replace(store.log[-1], expected_version=1)
    uow = MemoryUnitOfWork(store)
    with uow, pytest.raises(Conflict):
        uow.dossiers.record(stale)
    assert store.dossiers[dossier_id].version == 2


def test_an_actor_of_another_organisation_gets_not_found(wf: Workflow, store: MemoryStore, subject: dict[str, Any],
                                                          runner: Runner, steps: dict[str, Any]) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    before = frozen(store)
    other = Actor(2, "Chi ủy xã khác", frozenset({"branch_committee"}), scope_org_id=6)
    with pytest.raises(NotFound):
        runner.advance(dossier_id, "admit_to_sympathiser_list", steps["admit_to_sympathiser_list"], actor=other)
    assert_unchanged(store, before)


def test_an_unknown_dossier_is_not_found(runner: Runner, steps: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        runner.advance(404, "admit_to_sympathiser_list", steps["admit_to_sympathiser_list"])


def test_a_role_not_allowed_is_forbidden(wf: Workflow, store: MemoryStore, subject: dict[str, Any], runner: Runner,
                                         steps: dict[str, Any]) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    runner.until(dossier_id, "branch_approved")
    before = frozen(store)
    branch_only = Actor(5, "Chi ủy", frozenset({"branch_committee"}), scope_org_id=4)
    with pytest.raises(Forbidden):
        runner.advance(dossier_id, "hold_grassroots_committee_vote", steps["hold_grassroots_committee_vote"], actor=branch_only)
    assert_unchanged(store, before)


def test_after_its_vote_the_branch_may_no_longer_withdraw_or_reject_but_the_committee_may(
        wf: Workflow, store: MemoryStore, subject: dict[str, Any], runner: Runner) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    runner.until(dossier_id, "committee_approved")
    before = frozen(store)
    branch_only = Actor(5, "Chi ủy", frozenset({"branch_committee"}), scope_org_id=4)
    withdraw = {"withdrawn_on": "2024-06-03", "requested_by": "branch", "reason": "Chuyển công tác"}
    with pytest.raises(Forbidden):
        runner.advance(dossier_id, "withdraw", withdraw, actor=branch_only)
    with pytest.raises(Forbidden):
        runner.advance(dossier_id, "reject", {"rejected_on": "2024-06-03", "ground": "refusing_decision", "minutes_no": "1"},
                       actor=branch_only)
    assert_unchanged(store, before)
    committee = Actor(6, "Đảng ủy", frozenset({"grassroots_staff"}), scope_org_id=4)
    assert runner.advance(dossier_id, "withdraw", withdraw, actor=committee).new_state == "withdrawn"


def test_before_its_vote_the_branch_withdraws_and_the_superior_board_may_not(
        wf: Workflow, store: MemoryStore, subject: dict[str, Any], runner: Runner) -> None:
    assert wf.transitions["withdraw"].roles_at("source") == frozenset({"branch_committee", "grassroots_staff"})
    assert wf.transitions["withdraw"].roles_at("branch_approved") == frozenset({"grassroots_staff", "superior_board"})
    dossier_id = open_one(wf, store, subject, runner.actor)
    board = Actor(7, "Ban tổ chức", frozenset({"superior_board"}), scope_org_id=None)
    with pytest.raises(Forbidden):
        runner.advance(dossier_id, "withdraw", {"withdrawn_on": "2023-03-01", "requested_by": "branch", "reason": "Không còn nguyện vọng"},
                       actor=board)


def test_an_unknown_trigger_is_bad_input_naming_trigger(wf: Workflow, store: MemoryStore, subject: dict[str, Any],
                                                         runner: Runner) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    with pytest.raises(BadInput) as err:
        runner.advance(dossier_id, "admit_directly", {"decided_on": "2023-02-01"})
    assert list(err.value.field_errors) == ["trigger"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"agreeing": None}, "agreeing"),
        ({"official_total": "mười lăm"}, "official_total"),
        ({"meeting_date": "31/02/2024"}, "meeting_date"),
        ({"agreeing": 16}, "agreeing"),  # more than present
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_missing_or_wrong_fact_is_bad_input_naming_the_field(wf: Workflow, store: MemoryStore, subject: dict[str, Any],
                                                               runner: Runner, steps: dict[str, Any], change: dict[str, Any],
                                                               field: str) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    runner.until(dossier_id, "introduced")
    before = frozen(store)
    facts = {**steps["hold_branch_vote"], **change}
    facts = {k: v for k, v in facts.items() if v is not None}
    with pytest.raises(BadInput) as err:
        runner.advance(dossier_id, "hold_branch_vote", facts)
    assert field in err.value.field_errors
    assert_unchanged(store, before)


@pytest.mark.parametrize(
    ("introducers", "field"),
    [
        ([{"member_id": "mười một", "together_since": "2020-01-01"}, {"member_id": 12}], "introducers[0].member_id"),
        ([{"member_id": 11}, {"together_since": "2020-01-01"}], "introducers[1].member_id"),
        ([{"member_id": 11}, {"member_id": 12, "together_since": "hôm qua"}], "introducers[1].together_since"),
        ([{"member_id": 11}, {"member_id": 999}], "introducers[1].member_id"),  # not in the member register
    ],
)
def test_nested_fact_errors_name_the_nested_field(wf: Workflow, store: MemoryStore, subject: dict[str, Any], runner: Runner,
                                                  steps: dict[str, Any], introducers: list[dict[str, Any]], field: str) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    runner.until(dossier_id, "verified")
    before = frozen(store)
    with pytest.raises(BadInput) as err:
        runner.advance(dossier_id, "record_introductions", {**steps["record_introductions"], "introducers": introducers})
    assert field in err.value.field_errors
    assert_unchanged(store, before)


def test_a_future_act_date_is_bad_input(wf: Workflow, store: MemoryStore, subject: dict[str, Any], runner: Runner,
                                        steps: dict[str, Any]) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    before = frozen(store)
    with pytest.raises(BadInput) as err:
        runner.advance(dossier_id, "admit_to_sympathiser_list", {**steps["admit_to_sympathiser_list"], "decided_on": "2026-01-01"})
    assert list(err.value.field_errors) == ["decided_on"]
    assert_unchanged(store, before)
    result = runner.advance(dossier_id, "admit_to_sympathiser_list", {**steps["admit_to_sympathiser_list"], "decided_on": "2025-12-31"})
    assert result.applied  # today itself is allowed


def test_a_trigger_from_the_wrong_state_is_an_invalid_transition(wf: Workflow, store: MemoryStore, subject: dict[str, Any],
                                                                 runner: Runner, steps: dict[str, Any]) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    before = frozen(store)
    with pytest.raises(InvalidTransition):
        runner.advance(dossier_id, "hold_branch_vote", steps["hold_branch_vote"])
    assert_unchanged(store, before)


# -- return for rework ---------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["introduced", "branch_approved", "official", "withdrawn", "source", None])
def test_return_for_rework_needs_an_earlier_target(wf: Workflow, store: MemoryStore, subject: dict[str, Any], runner: Runner,
                                                   target: str | None) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    runner.until(dossier_id, "introduced")
    before = frozen(store)
    facts = {"returned_on": "2023-07-01", "reason": "Thiếu nhận xét nơi cư trú"}
    if target is not None:
        facts["target_state"] = target
    with pytest.raises(BadInput) as err:
        runner.advance(dossier_id, "return_for_rework", facts)
    assert list(err.value.field_errors) == ["target_state"]
    assert_unchanged(store, before)


def test_return_for_rework_supersedes_the_later_facts(wf: Workflow, store: MemoryStore, subject: dict[str, Any], runner: Runner,
                                                      steps: dict[str, Any]) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    runner.until(dossier_id, "introduced")
    result = runner.advance(dossier_id, "return_for_rework",
                            {"returned_on": "2023-07-01", "target_state": "applied", "reason": "Lý lịch khai thiếu"})
    assert result.applied and result.new_state == "applied"
    snapshot = store.dossiers[dossier_id]
    assert snapshot.state == "applied"
    for gone in ("declare_biography", "start_verification", "conclude_verification", "record_introductions"):
        assert gone not in snapshot.facts
    for kept in ("register_source", "admit_to_sympathiser_list", "nominate_for_training", "record_training_certificate",
                 "submit_application", "return_for_rework"):
        assert kept in snapshot.facts
    assert snapshot.count("declare_biography") == 1  # history keeps the superseded act
    redeclared = runner.advance(dossier_id, "declare_biography", {**steps["declare_biography"], "declared_on": "2023-07-03"})
    assert redeclared.applied
    (bio,) = [r for r in redeclared.evaluation.results if r.rule_id == "R-BIO-1"]
    assert bio.status is Status.WARNING and bio.outcome.key == "redeclared"


# -- the audit chain over a whole run ------------------------------------------------------------


def test_every_log_entry_chains_to_the_previous_one(wf: Workflow, store: MemoryStore, subject: dict[str, Any],
                                                    runner: Runner) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    runner.until(dossier_id, "official")
    previous = GENESIS
    for seq, change in enumerate(store.log, start=1):
        assert change.seq == seq
        assert change.previous_hash == previous
        assert change.hash == entry_hash(previous, stored_fields(vars(change)))
        previous = change.hash
    assert store.dossiers[dossier_id].head_hash == previous
    assert store.dossiers[dossier_id].version == len(store.log) == 15


def test_explain_lists_the_triggers_leaving_the_state(wf: Workflow, store: MemoryStore, subject: dict[str, Any],
                                                      runner: Runner) -> None:
    dossier_id = open_one(wf, store, subject, runner.actor)
    runner.until(dossier_id, "introduced")
    evaluations = explain(wf, store.dossiers[dossier_id], date(2023, 7, 1))
    assert [e.trigger for e in evaluations] == ["hold_branch_vote", "return_for_rework", "withdraw", "reject"]
    (vote,) = [e for e in evaluations if e.trigger == "hold_branch_vote"]
    assert {r.rule_id for r in vote.pending} == {"R-VOTE-BRANCH-1", "R-VOTE-BRANCH-2"}
    assert vote.failures == []
