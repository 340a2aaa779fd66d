"""Votes and decisions: R-VOTE-BRANCH-1/2, R-VOTE-COMMITTEE-1, R-APPRAISE-1, R-DECIDE-1/2, R-CEREMONY-1/2.

Deadlines are literals counted by hand on the Vietnamese calendar:
- 60th working day after Tue 02/01/2024 is Tue 02/04/2024 (Jan 21, Feb 16 after Tết 8–14/02, March 21,
  1–2 April); the 90th is Mon 20/05/2024 (Hùng Kings 18/04 and 29/04–01/05 skipped).
- 30th working day after Wed 24/01/2024 is Wed 13/03/2024 (Tết skipped); after 25/01/2024 it is 14/03/2024.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from admission_world import World, failing, result, status, warning_ids

from ketnap.engine.rules import Status

# -- R-VOTE-BRANCH-1 / R-VOTE-BRANCH-2 ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"official_total": 15, "present": 14, "agreeing": 10}, Status.PASSED),  # exactly two thirds
        ({"official_total": 15, "present": 14, "agreeing": 9}, Status.FAILED),
        ({"official_total": 15, "present": 12, "agreeing": 9}, Status.FAILED),  # 3/4 of those present is not enough
        ({"official_total": 16, "present": 16, "agreeing": 11}, Status.PASSED),  # 2/3 of 16 is 10.67
        ({"official_total": 16, "present": 16, "agreeing": 10}, Status.FAILED),
        ({"official_total": 3, "present": 3, "agreeing": 2}, Status.PASSED),
        ({"official_total": 15, "present": 12, "exempt_absent": 3, "agreeing": 8}, Status.PASSED),  # 8 of 12
        ({"official_total": 15, "present": 12, "exempt_absent": 3, "agreeing": 7}, Status.FAILED),
        ({"official_total": 15, "present": 15, "exempt_absent": 0, "agreeing": 10}, Status.PASSED),
    ],
)
def test_branch_vote_needs_two_thirds_of_all_official_members(world: World, counts: dict[str, int], expected: Status) -> None:
    dossier = world.dossier("introduced")
    evaluation = dossier.evaluate("hold_branch_vote", **counts)
    assert status(evaluation, "R-VOTE-BRANCH-1") is expected
    assert failing(evaluation) == ({"R-VOTE-BRANCH-1"} if expected is Status.FAILED else set())


def test_branch_vote_message_names_the_threshold(world: World) -> None:
    dossier = world.dossier("introduced")
    message = result(dossier.evaluate("hold_branch_vote", official_total=15, present=14, agreeing=9), "R-VOTE-BRANCH-1").message("en")
    assert message.startswith("9/15 official members agree (60.00%)") and "10, are required" in message


def test_only_absent_exempted_members_leave_the_total(world: World) -> None:
    dossier = world.dossier("introduced")
    too_many = dossier.evaluate("hold_branch_vote", official_total=15, present=13, exempt_absent=3, agreeing=8)
    assert failing(too_many) == {"R-VOTE-BRANCH-2"}
    assert status(dossier.evaluate("hold_branch_vote", official_total=15, present=12, exempt_absent=3, agreeing=8),
                  "R-VOTE-BRANCH-2") is Status.PASSED
    assert status(dossier.evaluate("hold_branch_vote"), "R-VOTE-BRANCH-2") is Status.NOT_APPLICABLE


# -- R-VOTE-COMMITTEE-1 / R-APPRAISE-1 ---------------------------------------------------------------


@pytest.mark.parametrize(("agreeing", "expected"), [(6, Status.PASSED), (5, Status.FAILED)])
def test_grassroots_committee_vote_needs_two_thirds_of_its_members(world: World, agreeing: int, expected: Status) -> None:
    dossier = world.dossier("branch_approved")
    evaluation = dossier.evaluate("hold_grassroots_committee_vote", committee_total=9, present=7, agreeing=agreeing)
    assert status(evaluation, "R-VOTE-COMMITTEE-1") is expected


def test_a_grassroots_level_branch_skips_the_committee_vote(world: World) -> None:
    dossier = world.dossier("branch_approved", tree="district_grassroots_branch")
    committee = dossier.evaluate("hold_grassroots_committee_vote", meeting_date=date(2023, 7, 1), committee_total=9, present=9,
                                 agreeing=9)
    assert failing(committee) == {"R-VOTE-COMMITTEE-1"}
    decision = dossier.evaluate("record_admission_decision")
    assert decision.allowed
    assert result(decision, "R-VOTE-COMMITTEE-1").outcome.key == "skip"


def test_a_branch_under_a_grassroots_committee_needs_its_vote_before_the_decision(world: World) -> None:
    dossier = world.dossier("branch_approved")
    decision = dossier.evaluate("record_admission_decision")
    assert failing(decision) == {"R-VOTE-COMMITTEE-1"}
    assert result(decision, "R-VOTE-COMMITTEE-1").outcome.key == "required"
    after = world.dossier("committee_approved")
    assert status(after.evaluate("record_admission_decision"), "R-VOTE-COMMITTEE-1") is Status.NOT_APPLICABLE


def test_a_sub_committee_appraises_before_the_grassroots_committee_votes(world: World) -> None:
    dossier = world.dossier("branch_approved", tree="sub_committee")
    assert dossier.evaluate("hold_grassroots_committee_vote").allowed
    assert failing(dossier.evaluate("hold_grassroots_committee_vote", appraisal_on=None)) == {"R-APPRAISE-1"}
    plain = world.dossier("branch_approved")
    assert status(plain.evaluate("hold_grassroots_committee_vote"), "R-APPRAISE-1") is Status.NOT_APPLICABLE


# -- R-DECIDE-1 -------------------------------------------------------------------------------------

COMMUNE_ERA = date(2025, 7, 2)


@pytest.mark.parametrize(
    ("tree", "start", "state", "wrong"),
    [
        ("district", date(2023, 1, 5), "committee_approved", {"deciding_org_id": 3}),
        ("district", date(2023, 1, 5), "committee_approved", {"deciding_body": "committee"}),
        ("district_grassroots_branch", date(2023, 1, 5), "branch_approved", {"deciding_org_id": 1}),
        ("may_admit", date(2023, 1, 5), "committee_approved", {"deciding_org_id": 2, "deciding_body": "standing_committee"}),
        ("commune_grassroots_branch", COMMUNE_ERA, "branch_approved", {"deciding_org_id": 2}),
        ("commune_committee", COMMUNE_ERA, "committee_approved", {"deciding_org_id": 14, "deciding_body": "committee"}),
        ("under_province", date(2023, 1, 5), "committee_approved", {"deciding_body": "standing_committee"}),
    ],
)
def test_the_competent_body_is_read_from_the_tree(world: World, tree: str, start: date, state: str, wrong: dict[str, Any]) -> None:
    dossier = world.dossier(state, tree=tree, start=start)
    right = dossier.evaluate("record_admission_decision")
    assert status(right, "R-DECIDE-1") is Status.PASSED and right.allowed
    if start == COMMUNE_ERA:
        assert right.rule_set == "2025b"
    refused = dossier.evaluate("record_admission_decision", **wrong)
    assert failing(refused) == {"R-DECIDE-1"}
    assert result(refused, "R-DECIDE-1").outcome.key == "wrong"


@pytest.mark.parametrize(
    ("tree", "decider", "body"),
    [
        ("district", 2, "standing_committee"),
        ("may_admit", 6, "committee"),
        ("commune_grassroots_branch", 12, "standing_committee"),
        ("commune_committee", 12, "standing_committee"),
        ("under_province", 21, "standing_and_board_heads"),
    ],
)
def test_who_decides_in_each_tree_shape(world: World, tree: str, decider: int, body: str) -> None:
    start = COMMUNE_ERA if tree.startswith("commune") else date(2023, 1, 5)
    state = "branch_approved" if "grassroots_branch" in tree else "committee_approved"
    dossier = world.dossier(state, tree=tree, start=start)
    evaluation = dossier.evaluate("record_admission_decision", deciding_org_id=decider, deciding_body=body)
    assert status(evaluation, "R-DECIDE-1") is Status.PASSED


# -- R-DECIDE-2 -------------------------------------------------------------------------------------

BRANCH_RESOLUTION = date(2024, 1, 2)


def decided_after_resolution(world: World) -> Any:
    return world.dossier("committee_approved", start=date(2023, 6, 1)).with_fact("hold_branch_vote", meeting_date=BRANCH_RESOLUTION)


@pytest.mark.parametrize(
    ("decided", "extension", "expected", "key"),
    [
        (date(2024, 4, 2), None, Status.PASSED, "default"),  # the 60th working day
        (date(2024, 4, 3), None, Status.WARNING, "overdue"),  # the 61st: flagged
        (date(2024, 5, 20), "Chờ thẩm tra bổ sung", Status.PASSED, "extended"),  # the 90th with a reason
        (date(2024, 5, 21), "Chờ thẩm tra bổ sung", Status.WARNING, "overdue"),
        (date(2024, 5, 20), None, Status.WARNING, "overdue"),
    ],
)
def test_decision_within_60_working_days_across_tet(world: World, decided: date, extension: str | None, expected: Status,
                                                    key: str) -> None:
    dossier = decided_after_resolution(world)
    evaluation = dossier.evaluate("record_admission_decision", decided_on=decided, extension_reason=extension)
    assert status(evaluation, "R-DECIDE-2") is expected
    assert result(evaluation, "R-DECIDE-2").outcome.key == key
    assert evaluation.allowed  # lateness is the committee's fault, never a refusal


def test_overdue_decision_message_counts_working_days(world: World) -> None:
    dossier = decided_after_resolution(world)
    message = result(dossier.evaluate("record_admission_decision", decided_on=date(2024, 4, 3)), "R-DECIDE-2").message("en")
    assert "61 working days" in message and "02/01/2024" in message and "deadline 02/04/2024" in message


def test_an_organisation_may_block_on_an_overdue_decision(world: World) -> None:
    dossier = decided_after_resolution(world).with_settings(blocking_policies=["R-DECIDE-2"])
    assert failing(dossier.evaluate("record_admission_decision", decided_on=date(2024, 4, 3))) == {"R-DECIDE-2"}


# -- R-CEREMONY-1 / R-CEREMONY-2 ---------------------------------------------------------------------------

DECIDED = date(2024, 1, 24)


def ceremony_after_decision(world: World) -> Any:
    return world.dossier("admission_decided", start=date(2023, 6, 1)).with_fact("record_admission_decision", decided_on=DECIDED)


@pytest.mark.parametrize(
    ("facts", "expected", "key"),
    [
        ({"ceremony_on": date(2024, 3, 13)}, Status.PASSED, "default"),  # 30th working day, Tết skipped
        ({"ceremony_on": date(2024, 3, 14)}, Status.FAILED, "late"),
        ({"ceremony_on": date(2024, 3, 14), "superior_agreement_on": date(2024, 3, 14)}, Status.PASSED, "late_agreed"),
        ({"ceremony_on": date(2024, 3, 14), "superior_agreement_on": date(2024, 3, 15)}, Status.FAILED, "late"),
        ({"ceremony_on": date(2024, 3, 14), "decision_received_on": date(2024, 1, 25)}, Status.PASSED, "default"),
        ({"ceremony_on": date(2024, 3, 15), "decision_received_on": date(2024, 1, 25)}, Status.FAILED, "late"),
    ],
)
def test_ceremony_within_30_working_days_of_receiving_the_decision(world: World, facts: dict[str, Any], expected: Status,
                                                                   key: str) -> None:
    evaluation = ceremony_after_decision(world).evaluate("hold_admission_ceremony", **facts)
    assert status(evaluation, "R-CEREMONY-1") is expected
    assert result(evaluation, "R-CEREMONY-1").outcome.key == key
    assert failing(evaluation) == ({"R-CEREMONY-1"} if expected is Status.FAILED else set())


def test_the_ceremony_cannot_precede_the_decision(world: World) -> None:
    evaluation = ceremony_after_decision(world).evaluate("hold_admission_ceremony", ceremony_on=date(2024, 1, 23))
    assert failing(evaluation) == {"R-CEREMONY-2"}
    assert warning_ids(evaluation) == set()
