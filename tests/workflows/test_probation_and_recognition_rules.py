"""Probation and recognition: R-PROBATION-1/2, R-RECOGNISE-1/2/4/5, R-STRIKE-1, R-PARTY-AGE-1.

Ceremony on Thu 29/02/2024: probation ends on 28/02/2025 (R-CALC-MONTHS, no 29/02 in 2025). The 30th
working day after Fri 28/02/2025 is Mon 14/04/2025 (March 21, April 1–4, Hùng Kings Mon 07/04 skipped,
8–11 and 14 April).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from admission_world import World, failing, result, status, warning_ids

from ketnap.engine.rules import Status

CEREMONY = date(2024, 2, 29)
END = date(2025, 2, 28)


def on_probation(world: World) -> Any:
    return world.dossier("probationary", start=date(2022, 9, 1)).with_fact("hold_admission_ceremony", ceremony_on=CEREMONY)


def vote(day: date) -> dict[str, Any]:
    return {"meeting_date": day, "new_member_course_on": date(2024, 6, 1), "self_review_on": day, "helper_review_on": day,
            "comments_on": day}


@pytest.mark.parametrize(
    ("day", "probation", "timing"),
    [
        (END, Status.PASSED, Status.PASSED),  # ceremony + 12 months
        (date(2025, 2, 27), Status.FAILED, Status.FAILED),  # one day early
        (date(2025, 4, 14), Status.PASSED, Status.PASSED),  # the 30th working day after the end
        (date(2025, 4, 15), Status.PASSED, Status.WARNING),  # late: flagged, not refused
    ],
)
def test_recognition_vote_after_12_months_of_probation(world: World, day: date, probation: Status, timing: Status) -> None:
    evaluation = on_probation(world).evaluate("hold_recognition_vote", **vote(day))
    assert status(evaluation, "R-PROBATION-1") is probation
    assert status(evaluation, "R-RECOGNISE-1") is timing
    assert evaluation.allowed is (probation is Status.PASSED)
    if timing is Status.WARNING:
        assert warning_ids(evaluation) == {"R-RECOGNISE-1"}
        assert "deadline 14/04/2025" in result(evaluation, "R-RECOGNISE-1").message("en")


def test_probation_needs_an_official_helper_and_its_records(world: World) -> None:
    dossier = on_probation(world)
    no_helper = dossier.evaluate("hold_recognition_vote", **vote(END), probation_helper_id=None)
    assert failing(no_helper) == {"R-PROBATION-1"}
    assert result(no_helper, "R-PROBATION-1").outcome.key == "helper"
    no_review = dossier.evaluate("hold_recognition_vote", **{**vote(END), "self_review_on": None})
    assert failing(no_review) == {"R-PROBATION-2"}
    late_review = dossier.evaluate("hold_recognition_vote", **{**vote(END), "self_review_on": date(2025, 3, 1)})
    assert failing(late_review) == {"R-PROBATION-2"}


@pytest.mark.parametrize(("agreeing", "expected"), [(10, Status.PASSED), (9, Status.FAILED)])
def test_recognition_vote_needs_two_thirds_like_admission(world: World, agreeing: int, expected: Status) -> None:
    evaluation = on_probation(world).evaluate("hold_recognition_vote", **vote(END), official_total=15, present=15, agreeing=agreeing)
    assert status(evaluation, "R-RECOGNISE-2") is expected


# -- the recognition decision -------------------------------------------------------------------------


def proposed(world: World) -> Any:
    return world.dossier("recognition_proposed", start=date(2022, 9, 1)).with_fact("hold_admission_ceremony", ceremony_on=CEREMONY)


@pytest.mark.parametrize(
    ("official_from", "expected"),
    [(None, Status.PASSED), (END, Status.PASSED), (date(2025, 3, 1), Status.FAILED), (date(2025, 2, 27), Status.FAILED)],
)
def test_official_from_the_end_of_probation(world: World, official_from: date | None, expected: Status) -> None:
    evaluation = proposed(world).evaluate("record_recognition_decision", official_from=official_from)
    assert status(evaluation, "R-RECOGNISE-4") is expected
    assert failing(evaluation) == ({"R-RECOGNISE-4"} if expected is Status.FAILED else set())
    assert "28/02/2025" in result(evaluation, "R-RECOGNISE-4").message("en")


@pytest.mark.parametrize(
    ("decided", "extension", "expected"),
    [
        (date(2025, 4, 14), None, Status.PASSED),  # 30th working day after a resolution of 28/02/2025
        (date(2025, 4, 15), None, Status.WARNING),
        (date(2025, 4, 15), "Chờ ý kiến cấp trên", Status.PASSED),
    ],
)
def test_recognition_decision_within_30_working_days(world: World, decided: date, extension: str | None, expected: Status) -> None:
    dossier = proposed(world).with_fact("hold_recognition_vote", meeting_date=END)
    evaluation = dossier.evaluate("record_recognition_decision", decided_on=decided, extension_reason=extension)
    assert status(evaluation, "R-RECOGNISE-3") is expected
    assert evaluation.allowed


def test_the_grassroots_committee_agrees_to_recognition(world: World) -> None:
    dossier = proposed(world)
    assert failing(dossier.evaluate("record_recognition_decision", committee_total=9, committee_agreeing=5)) == {"R-RECOGNISE-2"}
    assert failing(dossier.evaluate("record_recognition_decision", committee_total=None)) == {"R-RECOGNISE-2"}
    assert dossier.evaluate("record_recognition_decision", committee_total=9, committee_agreeing=6).allowed


def test_party_age_counts_from_the_admission_decision(world: World) -> None:
    dossier = proposed(world)
    decided = dossier.snapshot.facts["record_admission_decision"]["decided_on"]
    assert dossier.evaluate("record_recognition_decision", party_age_from=decided).allowed
    assert failing(dossier.evaluate("record_recognition_decision", party_age_from=CEREMONY)) == {"R-PARTY-AGE-1"}


# -- R-RECOGNISE-5 / R-STRIKE-1 -------------------------------------------------------------------------


def inconclusive(day: date, agreeing: int = 9, strike: int = 4) -> dict[str, Any]:
    return {"meeting_date": day, "official_total": 15, "present": 15, "agreeing": agreeing, "agreeing_strike_off": strike}


@pytest.mark.parametrize(
    ("agreeing", "strike", "expected"),
    [(9, 4, Status.PASSED), (10, 4, Status.FAILED), (4, 10, Status.FAILED), (9, 9, Status.PASSED)],
)
def test_an_inconclusive_vote_reaches_two_thirds_neither_way(world: World, agreeing: int, strike: int, expected: Status) -> None:
    evaluation = on_probation(world).evaluate("record_inconclusive_vote", **inconclusive(END, agreeing, strike))
    assert status(evaluation, "R-RECOGNISE-5") is expected


def strike(dossier: Any, **facts: Any) -> dict[str, Any]:
    return {"decision_no": "12-QĐ/XT", "deciding_org_id": dossier.tree.decider_id, "deciding_body": dossier.tree.decider_body,
            **facts}


def test_after_three_inconclusive_votes_the_competent_committee_decides(world: World) -> None:
    dossier = on_probation(world)
    for n, day in enumerate((date(2025, 3, 3), date(2025, 3, 10)), start=1):
        assert dossier.advance("record_inconclusive_vote", **inconclusive(day)).applied
        assert dossier.snapshot.state == "probationary" and dossier.snapshot.count("record_inconclusive_vote") == n
    early = dossier.evaluate("record_recognition_decision", decided_on=date(2025, 3, 20))
    assert failing(early) == {"R-RECOGNISE-5"}
    assert result(early, "R-RECOGNISE-5").outcome.key == "too_few"
    assert failing(dossier.evaluate("strike_off", **strike(dossier, decided_on=date(2025, 3, 20)))) == {"R-STRIKE-1", "R-RECOGNISE-5"}
    assert dossier.advance("record_inconclusive_vote", **inconclusive(date(2025, 3, 17))).applied
    assert dossier.evaluate("record_recognition_decision", decided_on=date(2025, 3, 20)).allowed
    assert dossier.evaluate("strike_off", **strike(dossier, decided_on=date(2025, 3, 20))).allowed


def test_strike_off_on_the_branch_proposal(world: World) -> None:
    dossier = on_probation(world)
    assert dossier.evaluate("strike_off", **strike(dossier, decided_on=date(2025, 3, 20), branch_proposal_on=date(2025, 3, 20))).allowed
    assert "R-STRIKE-1" in failing(dossier.evaluate("strike_off", **strike(dossier, decided_on=date(2025, 3, 20),
                                                                 branch_proposal_on=date(2025, 3, 21))))
