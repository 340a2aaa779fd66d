"""Preparation: certificate validity (R-TRAIN-2), introducers (R-INTRO-2/3/4), stage limits (R-SLA-1),
and explain() before an act."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from admission_world import WF, World, failing, result, start_for, status, subject

from ketnap.engine.rules import Status

# -- R-TRAIN-2 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "meeting", "expected"),
    [
        (date(2019, 3, 5), date(2024, 3, 5), Status.PASSED),  # last valid day = issue + 60 months
        (date(2019, 3, 4), date(2024, 3, 5), Status.FAILED),  # expired the day before the vote
        (date(2020, 2, 29), date(2025, 2, 28), Status.PASSED),  # 29/02 + 60 months = 28/02/2025
        (date(2020, 2, 29), date(2025, 3, 1), Status.FAILED),
    ],
)
def test_certificate_valid_through_issue_plus_60_months(world: World, issued: date, meeting: date, expected: Status) -> None:
    dossier = world.dossier("introduced", start=start_for(meeting)).with_fact("record_training_certificate", issued_on=issued)
    evaluation = dossier.evaluate("hold_branch_vote", meeting_date=meeting)
    assert status(evaluation, "R-TRAIN-2") is expected
    assert failing(evaluation) == ({"R-TRAIN-2"} if expected is Status.FAILED else set())


# -- R-INTRO-2 / R-INTRO-4 ---------------------------------------------------------------------------

INTRODUCED = date(2024, 3, 5)


def introducers(dossier: Any, *entries: dict[str, Any]) -> list[dict[str, Any]]:
    """The dossier's two introducers with their journey facts, the first ones changed by `entries`."""
    default = dossier.steps["record_introductions"]["introducers"]
    return [{**default[i], **(entries[i] if i < len(entries) else {})} for i in range(2)]


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("2023-03-05", Status.PASSED),  # 12 months on the introduction date
        ("2023-04-05", Status.FAILED),  # 11 months
        ("2023-03-06", Status.FAILED),  # one day short of 12 months
    ],
)
def test_introducer_together_at_least_12_months(world: World, since: str, expected: Status) -> None:
    dossier = world.dossier("verified", start=start_for(INTRODUCED))
    evaluation = dossier.evaluate("record_introductions", introduced_on=INTRODUCED,
                                  introducers=introducers(dossier, {"together_since": since}))
    assert status(evaluation, "R-INTRO-2") is expected
    assert failing(evaluation) == ({"R-INTRO-2"} if expected is Status.FAILED else set())


def test_introducer_together_12_months_from_a_month_end(world: World) -> None:
    dossier = world.dossier("verified", start=start_for(date(2024, 2, 29)))
    ok = dossier.evaluate("record_introductions", introduced_on=date(2024, 2, 29),
                          introducers=introducers(dossier, {"together_since": "2023-02-28"}))
    short = dossier.evaluate("record_introductions", introduced_on=date(2024, 2, 28),
                             introducers=introducers(dossier, {"together_since": "2023-03-01"}))
    assert status(ok, "R-INTRO-2") is Status.PASSED
    assert status(short, "R-INTRO-2") is Status.FAILED


def test_a_probationary_introducer_does_not_qualify(world: World) -> None:
    dossier = world.dossier("verified", start=start_for(INTRODUCED))
    probationary = world.member(dossier.tree.branch_id, dossier.tree.grassroots_id, status="probationary")
    evaluation = dossier.evaluate("record_introductions", introduced_on=INTRODUCED,
                                  introducers=introducers(dossier, {"member_id": probationary}))
    assert failing(evaluation) == {"R-INTRO-2"}
    assert "is not an official member" in result(evaluation, "R-INTRO-2").message("en")


def test_an_introducer_official_only_after_the_introduction_does_not_qualify(world: World) -> None:
    dossier = world.dossier("verified", start=start_for(INTRODUCED))
    recent = world.member(dossier.tree.branch_id, dossier.tree.grassroots_id, official_since="2024-03-06")
    evaluation = dossier.evaluate("record_introductions", introduced_on=INTRODUCED,
                                  introducers=introducers(dossier, {"member_id": recent}))
    assert failing(evaluation) == {"R-INTRO-2"}


@pytest.mark.parametrize(
    ("introduced", "expected"),
    [
        (date(2021, 7, 29), Status.PASSED),  # set 2016: no same-unit wording
        (date(2021, 7, 30), Status.FAILED),  # set 2021: same unit, same grassroots organisation
        (date(2024, 3, 5), Status.FAILED),
        (date(2025, 8, 5), Status.FAILED),
    ],
)
def test_introducer_of_another_grassroots_organisation(world: World, introduced: date, expected: Status) -> None:
    dossier = world.dossier("verified", start=start_for(introduced))
    elsewhere = world.member(7, 6)  # branch of another grassroots committee
    evaluation = dossier.evaluate("record_introductions", introduced_on=introduced,
                                  introducers=introducers(dossier, {"member_id": elsewhere}))
    assert status(evaluation, "R-INTRO-2") is expected


def test_introducer_not_in_the_same_unit_only_matters_from_2021(world: World) -> None:
    old = world.dossier("verified", start=start_for(date(2021, 7, 29)))
    new = world.dossier("verified", start=start_for(date(2021, 7, 30)))
    other_unit = {"same_unit": False}
    assert old.evaluate("record_introductions", introduced_on=date(2021, 7, 29),
                        introducers=introducers(old, other_unit)).allowed
    assert failing(new.evaluate("record_introductions", introduced_on=date(2021, 7, 30),
                                introducers=introducers(new, other_unit))) == {"R-INTRO-2"}


def test_a_replacement_introducer_needs_no_12_months_but_a_reason(world: World) -> None:
    dossier = world.dossier("verified", start=start_for(INTRODUCED))
    with_reason = dossier.evaluate("record_introductions", introduced_on=INTRODUCED, introducers=introducers(
        dossier, {"together_since": "2024-01-01", "replacement": True, "replaces_reason": "moved"}))
    without = dossier.evaluate("record_introductions", introduced_on=INTRODUCED, introducers=introducers(
        dossier, {"together_since": "2024-01-01", "replacement": True}))
    assert with_reason.allowed and status(with_reason, "R-INTRO-4") is Status.PASSED
    assert failing(without) == {"R-INTRO-4"}


def test_a_replacement_introducer_still_needs_the_same_unit(world: World) -> None:
    dossier = world.dossier("verified", start=start_for(INTRODUCED))
    evaluation = dossier.evaluate("record_introductions", introduced_on=INTRODUCED, introducers=introducers(
        dossier, {"together_since": "2024-01-01", "replacement": True, "replaces_reason": "moved", "same_unit": False}))
    assert failing(evaluation) == {"R-INTRO-2"}
    assert "không cùng đơn vị" in result(evaluation, "R-INTRO-2").message()


def test_two_different_introducers_are_required(world: World) -> None:
    dossier = world.dossier("verified", start=start_for(INTRODUCED))
    same = introducers(dossier)
    same[1] = {**same[0]}
    assert "R-INTRO-1" in failing(dossier.evaluate("record_introductions", introduced_on=INTRODUCED, introducers=same))
    assert "R-INTRO-1" in failing(dossier.evaluate("record_introductions", introduced_on=INTRODUCED, introducers=same[:1]))


# -- R-INTRO-3 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "route", "expected", "key"),
    [
        ("1994-03-05", "members", Status.WARNING, "need_youth_union"),  # 30 years 0 months: still youth age
        ("1994-02-05", "members", Status.PASSED, "default"),  # 30 years 1 month
        ("1994-03-05", "youth_union", Status.PASSED, "default"),
        ("1994-02-05", "youth_union", Status.WARNING, "not_youth"),
    ],
)
def test_youth_route_on_the_introduction_date_is_only_flagged(world: World, born: str, route: str, expected: Status, key: str) -> None:
    """The age that decides is the one at the branch meeting (R-CALC-AGE); at the introduction a mismatch warns."""
    dossier = world.dossier("verified", start=start_for(INTRODUCED), who=subject(date_of_birth=born, youth_union_member=True))
    facts: dict[str, Any] = {"introduced_on": INTRODUCED, "route": route, "youth_union_exists": True}
    if route == "youth_union":
        facts.update(introducers=introducers(dossier)[:1], union_resolution_on=INTRODUCED)
    evaluation = dossier.evaluate("record_introductions", **facts)
    assert status(evaluation, "R-INTRO-3") is expected
    assert result(evaluation, "R-INTRO-3").outcome.key == key
    assert failing(evaluation) == set()


@pytest.mark.parametrize(
    ("route", "meeting", "expected", "key"),
    [
        ("members", date(2024, 3, 5), Status.FAILED, "need_youth_union"),  # 30 years 0 months at the meeting
        ("members", date(2024, 4, 5), Status.PASSED, "default"),  # 30 years 1 month at the meeting
        ("youth_union", date(2024, 3, 5), Status.PASSED, "default"),
        ("youth_union", date(2024, 4, 5), Status.FAILED, "not_youth"),  # introduced at 29y11m, too old by the meeting
    ],
)
def test_youth_route_is_decided_by_the_age_at_the_branch_meeting(world: World, route: str, meeting: date, expected: Status,
                                                                  key: str) -> None:
    introduced = date(2024, 2, 20)  # 29 years 11 months for someone born 05/03/1994
    dossier = world.dossier("verified", start=start_for(introduced), who=subject(date_of_birth="1994-03-05", youth_union_member=True))
    facts: dict[str, Any] = {"introduced_on": introduced, "route": route, "youth_union_exists": True}
    if route == "youth_union":
        facts.update(introducers=introducers(dossier)[:1], union_resolution_on=introduced)
    assert dossier.advance("record_introductions", **facts).applied
    evaluation = dossier.evaluate("hold_branch_vote", meeting_date=meeting)
    assert status(evaluation, "R-INTRO-3") is expected
    assert result(evaluation, "R-INTRO-3").outcome.key == key


def test_union_route_needs_membership_a_resolution_and_one_member(world: World) -> None:
    dossier = world.dossier("verified", start=start_for(INTRODUCED), who=subject(date_of_birth="2000-01-01"))
    base = {"introduced_on": INTRODUCED, "route": "trade_union", "trade_union_exists": True,
            "introducers": introducers(dossier)[:1], "union_resolution_on": INTRODUCED}
    assert result(dossier.evaluate("record_introductions", **base), "R-INTRO-3").outcome.key == "union_incomplete"  # not a member
    member = world.dossier("verified", start=start_for(INTRODUCED), who=subject(date_of_birth="2000-01-01", trade_union_member=True))
    base["introducers"] = introducers(member)[:1]
    assert member.evaluate("record_introductions", **base).allowed
    assert status(member.evaluate("record_introductions", **{**base, "union_resolution_on": "2024-03-06"}), "R-INTRO-3") is Status.FAILED
    assert status(member.evaluate("record_introductions", **{**base, "introducers": introducers(member)}), "R-INTRO-3") is Status.FAILED


# -- R-SLA-1 -------------------------------------------------------------------------------------

APPLIED = date(2024, 1, 10)  # 20th working day after it: Wed 07/02/2024 (Tết from Thu 08/02 to Wed 14/02)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (date(2024, 2, 7), Status.PASSED),  # the 20th working day
        (date(2024, 2, 15), Status.WARNING),  # the 21st working day
        (date(2024, 2, 8), Status.WARNING),  # a Tết holiday after the 20th working day: late (R-CALC-WD)
        (date(2024, 2, 10), Status.WARNING),  # a Saturday after the 20th working day: late
    ],
)
def test_declaration_limit_in_working_days(world: World, declared: date, expected: Status) -> None:
    dossier = world.dossier("applied", start=date(2023, 9, 1)).with_fact("submit_application", applied_on=APPLIED)
    evaluation = dossier.evaluate("declare_biography", declared_on=declared)
    assert status(evaluation, "R-SLA-1") is expected
    assert evaluation.allowed  # a policy warning never blocks


def test_an_organisation_may_block_on_the_stage_limit(world: World) -> None:
    dossier = world.dossier("applied", start=date(2023, 9, 1)).with_fact("submit_application", applied_on=APPLIED)
    dossier.with_settings(blocking_policies=["R-SLA-1"])
    evaluation = dossier.evaluate("declare_biography", declared_on=date(2024, 2, 15))
    assert failing(evaluation) == {"R-SLA-1"}
    assert dossier.evaluate("declare_biography", declared_on=date(2024, 2, 7)).allowed


def test_a_second_declaration_is_flagged_and_blocks_where_switched_on(world: World) -> None:
    dossier = world.dossier("biography_declared")
    returned = dossier.advance("return_for_rework", returned_on="2023-06-01", target_state="applied", reason="Khai thiếu")
    assert returned.applied
    again = dossier.evaluate("declare_biography", declared_on=date(2023, 6, 2))
    assert status(again, "R-BIO-1") is Status.WARNING and again.allowed
    assert result(again, "R-BIO-1").outcome.key == "redeclared"
    dossier.with_settings(blocking_policies=["R-BIO-1"])
    assert failing(dossier.evaluate("declare_biography", declared_on=date(2023, 6, 2))) == {"R-BIO-1"}


# -- explain() before the act ----------------------------------------------------------------------

HAPPY_TRIGGERS = [
    "admit_to_sympathiser_list", "nominate_for_training", "record_training_certificate", "submit_application",
    "declare_biography", "start_verification", "conclude_verification", "record_introductions", "hold_branch_vote",
    "hold_grassroots_committee_vote", "record_admission_decision", "hold_admission_ceremony", "hold_recognition_vote",
    "record_recognition_decision",
]


@pytest.mark.parametrize("trigger", HAPPY_TRIGGERS)
def test_explain_does_not_refuse_a_step_for_facts_not_yet_given(world: World, trigger: str) -> None:
    """Before the act, rules that need the act's own facts are PENDING, not FAILED (workflow.explain)."""
    source = next(s for s in WF.transitions[trigger].sources)
    dossier = world.dossier(source)
    as_of = date.fromisoformat(dossier.steps[trigger][WF.transitions[trigger].date_field])
    (evaluation,) = [e for e in WF.explain(dossier.snapshot, as_of) if e.trigger == trigger]
    assert [r.rule_id for r in evaluation.failures] == []
    assert dossier.evaluate(trigger).allowed


@pytest.mark.parametrize(("declared", "blocked"), [(date(2022, 1, 17), False), (date(2022, 1, 18), True)])
def test_no_erasures_is_required_from_hd12_on(world: World, declared: date, blocked: bool) -> None:
    """HD 12-HD/BTCTW (18/01/2022) added "no erasures, no corrections"; before it a corrected biography passes."""
    dossier = world.dossier("applied", start=declared - timedelta(days=150))
    evaluation = dossier.evaluate("declare_biography", declared_on=declared, no_erasures=False)
    assert (status(evaluation, "R-BIO-1") is Status.FAILED) == blocked


def test_params_file_overrides_dates_and_numbers(tmp_path: Any) -> None:
    from ketnap.workflows.params import load_params

    path = tmp_path / "params.json"
    path.write_text('{"no_erasures_from": "2023-01-01", "certificate_valid_months": 48}', encoding="utf-8")
    params = load_params({"KETNAP_PARAMS": str(path)})
    assert params.get("no_erasures_from") == date(2023, 1, 1)
    assert params.get("certificate_valid_months") == 48
