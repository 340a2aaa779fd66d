"""Eligibility at the branch meeting: age (R-AGE-1/2/3) and education (R-EDU-1/2/3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from admission_world import World, failing, result, start_for, status, subject

from ketnap.engine.rules import Status

# -- R-AGE-1 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "meeting", "expected"),
    [
        ("2006-05-06", date(2024, 5, 6), Status.PASSED),  # exactly 18 years: 216 months
        ("2006-05-07", date(2024, 5, 6), Status.FAILED),  # one day short: 215 months
        ("2008-02-29", date(2026, 2, 28), Status.PASSED),  # born 29/02: 216 months on 28/02 of a common year
        ("2008-02-29", date(2026, 2, 27), Status.FAILED),
    ],
)
def test_age_at_least_18_counted_in_completed_months(world: World, born: str, meeting: date, expected: Status) -> None:
    dossier = world.dossier("introduced", start=start_for(meeting), who=subject(date_of_birth=born))
    evaluation = dossier.evaluate("hold_branch_vote", meeting_date=meeting)
    assert status(evaluation, "R-AGE-1") is expected
    assert failing(evaluation) == ({"R-AGE-1"} if expected is Status.FAILED else set())


def test_age_message_gives_years_and_months(world: World) -> None:
    dossier = world.dossier("introduced", start=start_for(date(2024, 5, 6)), who=subject(date_of_birth="2006-05-07"))
    message = result(dossier.evaluate("hold_branch_vote", meeting_date=date(2024, 5, 6)), "R-AGE-1").message("en")
    assert "06/05/2024" in message and "17 years 11 months" in message


# -- R-AGE-2 / R-AGE-3 -----------------------------------------------------------------------------


def test_sixty_years_and_28_days_is_still_sixty(world: World) -> None:
    dossier = world.dossier("introduced", start=start_for(date(2024, 4, 7)), who=subject(date_of_birth="1964-03-10"))
    evaluation = dossier.evaluate("hold_branch_vote", meeting_date=date(2024, 4, 7))
    assert status(evaluation, "R-AGE-2") is Status.PASSED
    assert status(evaluation, "R-AGE-3") is Status.NOT_APPLICABLE
    assert evaluation.allowed


def test_sixty_years_one_month_needs_the_exception(world: World) -> None:
    dossier = world.dossier("introduced", start=start_for(date(2024, 4, 10)), who=subject(date_of_birth="1964-03-10"))
    plain = dossier.evaluate("hold_branch_vote", meeting_date=date(2024, 4, 10))
    assert failing(plain) == {"R-AGE-2", "R-AGE-3"}
    basis_only = dossier.evaluate("hold_branch_vote", meeting_date=date(2024, 4, 10), over60_basis="no_party_member")
    assert failing(basis_only) == {"R-AGE-3"}
    health_only = dossier.evaluate("hold_branch_vote", meeting_date=date(2024, 4, 10), over60_health_and_standing=True)
    assert failing(health_only) == {"R-AGE-2", "R-AGE-3"}
    both = dossier.evaluate("hold_branch_vote", meeting_date=date(2024, 4, 10), over60_basis="special_requirement",
                            over60_health_and_standing=True)
    assert both.allowed
    assert result(both, "R-AGE-2").outcome.key == "exception"
    assert status(both, "R-AGE-3") is Status.PASSED


@pytest.mark.parametrize(
    ("days_after_decision", "expected", "key"),
    [
        (-20, Status.PASSED, "agreement_ok"),  # before the decision
        (0, Status.PASSED, "agreement_ok"),  # the same day
        (1, Status.FAILED, "agreement_late"),
        (None, Status.FAILED, "agreement_missing"),
    ],
)
def test_over_60_decision_needs_the_provincial_agreement_on_or_before_it(world: World, days_after_decision: int | None,
                                                                         expected: Status, key: str) -> None:
    # Born 10/03/1962: at the journey's branch meeting (mid 2023) the candidate is 61.
    dossier = world.dossier(
        "committee_approved", who=subject(date_of_birth="1962-03-10"),
        overrides={"hold_branch_vote": {"over60_basis": "no_party_organisation", "over60_health_and_standing": True}},
    )
    decided = date.fromisoformat(dossier.steps["record_admission_decision"]["decided_on"])
    given = None if days_after_decision is None else decided + timedelta(days=days_after_decision)
    evaluation = dossier.evaluate("record_admission_decision", over60_agreement_on=given)
    assert status(evaluation, "R-AGE-3") is expected
    assert result(evaluation, "R-AGE-3").outcome.key == key
    assert failing(evaluation) == ({"R-AGE-3"} if expected is Status.FAILED else set())


def test_a_decision_for_a_candidate_under_60_needs_no_agreement(world: World) -> None:
    dossier = world.dossier("committee_approved")
    assert status(dossier.evaluate("record_admission_decision"), "R-AGE-3") is Status.NOT_APPLICABLE


# -- R-EDU-1 / R-EDU-2 / R-EDU-3 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meeting", "expected", "rule_set"),
    [
        (date(2021, 7, 29), Status.PASSED, "2016"),  # "or equivalent" accepted under QĐ 29
        (date(2021, 7, 30), Status.FAILED, "2021"),  # refused under QĐ 24
    ],
)
def test_lower_secondary_equivalent_only_under_rule_set_2016(world: World, meeting: date, expected: Status, rule_set: str) -> None:
    dossier = world.dossier("introduced", start=start_for(meeting), who=subject(education="lower_secondary_equivalent"))
    evaluation = dossier.evaluate("hold_branch_vote", meeting_date=meeting)
    assert evaluation.rule_set == rule_set
    assert status(evaluation, "R-EDU-1") is expected
    assert failing(evaluation) == ({"R-EDU-1"} if expected is Status.FAILED else set())


@pytest.mark.parametrize(
    ("education", "expected"),
    [("lower_secondary", Status.PASSED), ("university", Status.PASSED), ("primary", Status.FAILED), ("none", Status.FAILED)],
)
def test_education_outside_the_exception_areas(world: World, education: str, expected: Status) -> None:
    dossier = world.dossier("introduced", who=subject(education=education))
    evaluation = dossier.evaluate("hold_branch_vote")
    assert status(evaluation, "R-EDU-1") is expected
    assert status(evaluation, "R-EDU-2") is Status.NOT_APPLICABLE
    assert status(evaluation, "R-EDU-3") is Status.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("who", "edu2", "edu3"),
    [
        ({"education": "primary", "special_area": True}, Status.PASSED, Status.NOT_APPLICABLE),
        ({"education": "primary", "sea_fisherman": True}, Status.PASSED, Status.NOT_APPLICABLE),
        ({"education": "literate", "special_area": True}, Status.FAILED, Status.NOT_APPLICABLE),
        ({"education": "literate", "special_area": True, "community_figure": True}, Status.PASSED, Status.PASSED),
        ({"education": "none", "special_area": True, "community_figure": True}, Status.PASSED, Status.FAILED),
        ({"education": "lower_secondary", "special_area": True}, Status.NOT_APPLICABLE, Status.NOT_APPLICABLE),
    ],
)
def test_education_exceptions_in_difficult_areas(world: World, who: dict[str, object], edu2: Status, edu3: Status) -> None:
    dossier = world.dossier("introduced", who=subject(**who))
    evaluation = dossier.evaluate("hold_branch_vote")
    assert status(evaluation, "R-EDU-1") is Status.PASSED  # judged by R-EDU-2/3 instead
    assert status(evaluation, "R-EDU-2") is edu2
    assert status(evaluation, "R-EDU-3") is edu3


def test_other_special_cases_in_difficult_areas_pass_with_the_provincial_decision(world: World) -> None:
    dossier = world.dossier("introduced", who=subject(education="literate", special_area=True))
    meeting = date.fromisoformat(dossier.steps["hold_branch_vote"]["meeting_date"])
    approved = dossier.evaluate("hold_branch_vote", education_special_approval_on=meeting)
    late = dossier.evaluate("hold_branch_vote", education_special_approval_on=meeting + timedelta(days=1))
    assert status(approved, "R-EDU-2") is Status.PASSED
    assert result(approved, "R-EDU-2").outcome.key == "approved"
    assert status(late, "R-EDU-2") is Status.FAILED


def test_an_illiterate_elder_needs_the_provincial_approval_on_or_before_the_meeting(world: World) -> None:
    dossier = world.dossier("introduced", who=subject(education="none", special_area=True, community_figure=True))
    meeting = date.fromisoformat(dossier.steps["hold_branch_vote"]["meeting_date"])
    on_time = dossier.evaluate("hold_branch_vote", education_special_approval_on=meeting)
    late = dossier.evaluate("hold_branch_vote", education_special_approval_on=meeting + timedelta(days=1))
    assert status(on_time, "R-EDU-3") is Status.PASSED and on_time.allowed
    assert failing(late) == {"R-EDU-3"}


# -- special cases judged at the branch meeting: an approval or opinion dated on or before it ---------------


@pytest.mark.parametrize(
    ("who", "verification", "vote_fact", "rule_id"),
    [
        ({"religion": "Công giáo", "religious_office": True}, {}, "religious_office_approval_on", "R-RELIGION-1"),
        ({"no_branch_at_workplace": True}, {}, "nobranch_assignment_on", "R-NOBRANCH-1"),
        ({"other_party_history": True}, {"superior_opinion_on": "meeting"}, None, "R-OTHERPARTY-1"),
        ({}, {"qd58_issue": True, "superior_opinion_on": "meeting"}, None, "R-POLSTD-1"),
    ],
)
def test_special_cases_need_a_written_opinion_on_or_before_the_meeting(world: World, who: dict[str, object],
                                                                       verification: dict[str, object], vote_fact: str | None,
                                                                       rule_id: str) -> None:
    dossier = world.dossier("introduced", who=subject(**who))
    meeting = date.fromisoformat(dossier.steps["hold_branch_vote"]["meeting_date"])

    def judged(day: date | None) -> Status:
        if vote_fact is not None:
            return status(dossier.evaluate("hold_branch_vote", **{vote_fact: day}), rule_id)
        facts = {k: (day if v == "meeting" else v) for k, v in verification.items()}
        dossier.with_fact("conclude_verification", **facts)
        return status(dossier.evaluate("hold_branch_vote"), rule_id)

    assert judged(meeting) is Status.PASSED
    assert judged(meeting + timedelta(days=1)) is Status.FAILED
    assert judged(None) is Status.FAILED
