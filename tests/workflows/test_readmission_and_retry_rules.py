"""Re-admission of former members (R-READMIT-1/2/3) and considering again after a refusal (R-RETRY-1)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from admission_world import World, failing, result, start_for, status, subject

from ketnap.engine.rules import Status

MEETING = date(2024, 3, 5)


def former(world: World, **left: Any) -> Any:
    who = subject(former_member={"left_on": "2019-01-10", "leave_reason": "removed", **left})
    return world.dossier("introduced", start=start_for(MEETING), who=who)


@pytest.mark.parametrize(
    ("left", "expected", "key"),
    [
        ({"left_on": "2021-03-05"}, Status.PASSED, "default"),  # 36 months on the meeting date
        ({"left_on": "2021-03-06"}, Status.FAILED, "early"),
        ({"left_on": "2015-01-01", "leave_reason": "less_serious_crime", "record_cleared_on": "2019-03-05"}, Status.PASSED, "default"),
        ({"left_on": "2015-01-01", "leave_reason": "less_serious_crime", "record_cleared_on": "2019-03-06"}, Status.FAILED, "early"),
        ({"left_on": "2015-01-01", "leave_reason": "less_serious_crime"}, Status.FAILED, "record"),
        ({"left_on": "2021-03-05", "leave_reason": "population_policy"}, Status.PASSED, "default"),
    ],
)
def test_readmission_waiting_time(world: World, left: dict[str, Any], expected: Status, key: str) -> None:
    evaluation = former(world, **left).evaluate("hold_branch_vote", meeting_date=MEETING, readmission_agreement_on=MEETING)
    assert status(evaluation, "R-READMIT-1") is expected
    assert result(evaluation, "R-READMIT-1").outcome.key == key
    assert failing(evaluation) == ({"R-READMIT-1"} if expected is Status.FAILED else set())


@pytest.mark.parametrize(("agreement", "expected"), [(MEETING, Status.PASSED), (date(2024, 3, 6), Status.FAILED), (None, Status.FAILED)])
def test_readmission_needs_the_provincial_agreement_before_the_meeting(world: World, agreement: date | None,
                                                                       expected: Status) -> None:
    evaluation = former(world).evaluate("hold_branch_vote", meeting_date=MEETING, readmission_agreement_on=agreement)
    assert status(evaluation, "R-READMIT-1") is expected


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        ({"leave_reason": "abandoned"}, Status.FAILED),
        ({"leave_reason": "asked_to_leave"}, Status.FAILED),
        ({"leave_reason": "asked_to_leave", "family_hardship": True}, Status.PASSED),
        ({"leave_reason": "disunity"}, Status.FAILED),
        ({"leave_reason": "corruption"}, Status.FAILED),
        ({"leave_reason": "serious_crime"}, Status.FAILED),
        ({"leave_reason": "removed"}, Status.PASSED),
    ],
)
def test_never_readmitted_for_some_reasons_of_leaving(world: World, left: dict[str, Any], expected: Status) -> None:
    evaluation = former(world, **left).evaluate("hold_branch_vote", meeting_date=MEETING, readmission_agreement_on=MEETING)
    assert status(evaluation, "R-READMIT-2") is expected


def test_readmission_only_once(world: World) -> None:
    again = former(world, readmitted_before=True).evaluate("hold_branch_vote", meeting_date=MEETING, readmission_agreement_on=MEETING)
    assert failing(again) == {"R-READMIT-3"}
    first = former(world).evaluate("hold_branch_vote", meeting_date=MEETING, readmission_agreement_on=MEETING)
    assert status(first, "R-READMIT-3") is Status.PASSED


def test_readmission_rules_do_not_apply_to_a_first_admission(world: World) -> None:
    evaluation = world.dossier("introduced").evaluate("hold_branch_vote")
    assert {status(evaluation, r) for r in ("R-READMIT-1", "R-READMIT-2", "R-READMIT-3")} == {Status.NOT_APPLICABLE}


def test_a_readmitted_member_serves_probation_again(world: World) -> None:
    who = subject(former_member={"left_on": "2019-01-10", "leave_reason": "removed"})
    dossier = world.dossier("probationary", who=who, overrides={"hold_branch_vote": {"readmission_agreement_on": "2023-01-05"}})
    assert dossier.snapshot.state == "probationary"
    ceremony = dossier.snapshot.facts["hold_admission_ceremony"]["ceremony_on"]
    early = dossier.evaluate("hold_recognition_vote", meeting_date=ceremony)
    assert "R-PROBATION-1" in failing(early)


# -- R-RETRY-1 ---------------------------------------------------------------------------------------

REJECTED = date(2023, 8, 15)


def rejected(world: World, **settings: Any) -> Any:
    dossier = world.dossier("introduced")
    outcome = dossier.advance("reject", rejected_on=REJECTED, ground="failed_branch_vote", minutes_no="05-BB/CB")
    assert outcome.applied and dossier.snapshot.state == "rejected"
    return dossier.with_settings(**settings) if settings else dossier


def reopen(day: date) -> dict[str, Any]:
    return {"reopened_on": day, "reason": "Quần chúng tiến bộ, chi bộ xem xét lại"}


def test_no_waiting_time_by_default(world: World) -> None:
    assert status(rejected(world).evaluate("reopen", **reopen(REJECTED)), "R-RETRY-1") is Status.PASSED


@pytest.mark.parametrize(("day", "expected"), [(date(2024, 2, 14), Status.FAILED), (date(2024, 2, 15), Status.PASSED)])
def test_a_local_waiting_time_counts_in_months(world: World, day: date, expected: Status) -> None:
    dossier = rejected(world, params={"retry_wait_months": 6})
    assert status(dossier.evaluate("reopen", **reopen(day)), "R-RETRY-1") is expected


def test_reopening_needs_fresh_facts(world: World) -> None:
    dossier = rejected(world)
    assert dossier.advance("reopen", **reopen(date(2023, 9, 1))).applied
    snapshot = dossier.snapshot
    assert snapshot.state == "source"
    assert {"reject", "reopen"} <= set(snapshot.facts) <= {"register_source", "reject", "reopen"}  # every later act superseded
    again = dossier.advance("admit_to_sympathiser_list", decided_on="2023-09-15")
    assert again.applied and dossier.snapshot.state == "sympathiser"
