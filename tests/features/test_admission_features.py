"""Step definitions for features/*.feature: a small vocabulary over the in-memory engine.

Given: the organisation tree, members, a candidate, the organisation's switches, and a dossier
brought to a state the usual way (ketnap.workflows.journey) with named facts changed on the way.
When: a step (trigger) taken with the usual facts of that step, changed by a table or inline values.
Then: applied or refused and by which rules, each rule's status and message, the dossier's state,
and that a refused step wrote nothing. The world is in bdd_world.py, the tag check in conftest.py.
"""

from __future__ import annotations

import re
from typing import Any

from bdd_world import World, describe, nfc, parse_date
from pytest_bdd import given, parsers, scenarios, then, when

from ketnap.engine.audit import GENESIS
from ketnap.engine.rules import Status
from ketnap.engine.service import AdvanceResult
from ketnap.workflows.admission import state_label

scenarios(".")

RULE = r"(?P<rule>R-[A-Z0-9-]+)"
DATE = r"(?P<day>\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})"


def rows(datatable: list[list[str]], header: tuple[str, ...] = ("fact", "value")) -> list[list[str]]:
    """The table's rows without its header row (when the first row is the header)."""
    if datatable and [c.strip().lower() for c in datatable[0]] == list(header):
        return datatable[1:]
    return datatable


def records(datatable: list[list[str]]) -> list[dict[str, str]]:
    """A table with a header row as dicts keyed by the header's words."""
    head = [c.strip().lower() for c in datatable[0]]
    return [dict(zip(head, (c.strip() for c in row), strict=True)) for row in datatable[1:]]


def rule_list(text: str) -> list[str]:
    return [r for r in re.split(r",\s*|\s+and\s+", text.strip()) if r]


# -- Given ---------------------------------------------------------------------------------------------


@given("the organisations:")
def organisations(world: World, datatable: list[list[str]]) -> None:
    for org in records(datatable):
        world.add_org(nfc(org["organisation"]), org["level"], nfc(org["under"]) or None, org.get("may admit", "").lower() == "yes")


@given(parsers.parse('the members of "{branch}":'))
def members(world: World, branch: str, datatable: list[list[str]]) -> None:
    for member in records(datatable):
        since = member.get("since", "")
        world.add_member(member["member"], nfc(branch), member["status"], parse_date(since) if since else None)


@given(parsers.parse('the dossier is kept by "{branch}"'))
def dossier_branch(world: World, branch: str) -> None:
    world.branch = nfc(branch)


@given(parsers.re(r'a candidate "(?P<name>[^"]+)" born on ' + DATE))
def candidate(world: World, name: str, day: str) -> None:
    world.candidate = {"full_name": nfc(name), "date_of_birth": parse_date(day).isoformat(), "gender": "male",
                       "education": "upper_secondary"}


@given("the candidate's record says:")
def candidate_record(world: World, datatable: list[list[str]]) -> None:
    for name, value in world.facts_from_table(rows(datatable)).items():
        if "." in name:
            outer, inner = name.split(".", 1)
            world.candidate.setdefault(outer, {})[inner] = value
        else:
            world.candidate[name] = value


@given("the candidate declares these relatives:")
def relatives(world: World, datatable: list[list[str]]) -> None:
    world.relatives = [
        {"relation": r["relation"], "full_name": nfc(r["name"]), "lives_abroad": r.get("lives abroad", "").lower() == "yes"}
        for r in records(datatable)
    ]


@given(parsers.parse('the organisation sets "{param}" to {value}'))
def organisation_param(world: World, param: str, value: str) -> None:
    world.settings.setdefault("params", {})[param] = world.value(param, value)


@given(parsers.re(r"the organisation makes " + RULE + " blocking"))
def organisation_blocks(world: World, rule: str) -> None:
    world.settings.setdefault("blocking_policies", []).append(rule)


@given(parsers.parse('on the usual way, "{trigger}" recorded:'))
def usual_way_changes(world: World, trigger: str, datatable: list[list[str]]) -> None:
    assert world.dossier_id is None, "changes to the usual way go before 'the dossier has reached ...'"
    world.overrides.setdefault(trigger, {}).update(world.facts_from_table(rows(datatable)))


@given(parsers.re(r'the dossier has reached "(?P<state>[a-z_]+)" on ' + DATE + " the usual way"))
def reached(world: World, state: str, day: str) -> None:
    world.reach(state, parse_date(day))


@given(parsers.re(r'"(?P<trigger>[a-z_]+)" was recorded on ' + DATE + " with:"))
def was_recorded_with(world: World, trigger: str, day: str, datatable: list[list[str]]) -> None:
    world.happened(trigger, {_date_field(world, trigger): parse_date(day).isoformat(), **world.facts_from_table(rows(datatable))})


@given(parsers.re(r'"(?P<trigger>[a-z_]+)" was recorded on ' + DATE))
def was_recorded_on(world: World, trigger: str, day: str) -> None:
    world.happened(trigger, {_date_field(world, trigger): parse_date(day).isoformat()})


def _date_field(world: World, trigger: str) -> str:
    return world.workflow.transitions[trigger].date_field


# -- When ----------------------------------------------------------------------------------------------


@when(parsers.re(r"the source is registered on " + DATE))
def register(world: World, day: str) -> None:
    world.register(parse_date(day))


@when("the usual steps are taken in turn:")
def usual_steps(world: World, datatable: list[list[str]]) -> None:
    """Each row: the step, its date and the state it must reach; the facts are the usual ones moved to that date."""
    for row in records(datatable):
        trigger, day = row["step"], parse_date(row["on"])
        if trigger == "register_source":
            world.register(day)
        else:
            world.take(trigger, {_date_field(world, trigger): day.isoformat()})
        assert world.last.applied and world.snapshot.state == row["reaches"], f"{trigger}: {describe(world.last)}"


@when(parsers.re(r'"(?P<trigger>[a-z_]+)" is recorded on ' + DATE + " with:"))
def recorded_on_with(world: World, trigger: str, day: str, datatable: list[list[str]]) -> None:
    world.take(trigger, {_date_field(world, trigger): parse_date(day).isoformat(), **world.facts_from_table(rows(datatable))})


@when(parsers.re(r'"(?P<trigger>[a-z_]+)" is recorded on ' + DATE))
def recorded_on(world: World, trigger: str, day: str) -> None:
    world.take(trigger, {_date_field(world, trigger): parse_date(day).isoformat()})


@when(parsers.re(r'"(?P<trigger>[a-z_]+)" is recorded with:'))
def recorded_with(world: World, trigger: str, datatable: list[list[str]]) -> None:
    world.take(trigger, world.facts_from_table(rows(datatable)))


@when(parsers.re(r"verification starts on " + DATE + " with requests about:"))
def verification_requests(world: World, day: str, datatable: list[list[str]]) -> None:
    started = parse_date(day).isoformat()
    tasks = []
    for row in records(datatable):
        task: dict[str, Any] = {"subject": row["about"], "requested_on": started}
        if row.get("channel"):
            task["channel"] = row["channel"]
        if row.get("abroad", "").lower() == "yes":
            task["abroad"] = True
        tasks.append(task)
    world.take("start_verification", {"started_on": started, "tasks": tasks})


@when(parsers.re(r"verification is concluded on " + DATE + " with answers:"))
def verification_answers(world: World, day: str, datatable: list[list[str]]) -> None:
    answers = [
        {"subject": row["about"], "answered_on": parse_date(row["answered on"]).isoformat(),
         "aspects": [a.strip() for a in row["aspects"].split(",") if a.strip()]}
        for row in records(datatable)
    ]
    world.take("conclude_verification", {"concluded_on": parse_date(day).isoformat(), "answers": answers})


@when(
    parsers.re(
        r"the branch meeting of " + DATE + r" votes on (?P<what>admission|recognition): (?P<total>\d+) official members, "
        r"(?P<present>\d+) present, (?P<agreeing>\d+) agreeing"
    )
)
def branch_vote(world: World, day: str, what: str, total: str, present: str, agreeing: str) -> None:
    trigger = "hold_branch_vote" if what == "admission" else "hold_recognition_vote"
    world.take(trigger, {"meeting_date": parse_date(day).isoformat(), "official_total": int(total), "present": int(present),
                         "agreeing": int(agreeing)})


@when(
    parsers.re(
        r"the grassroots committee meeting of " + DATE + r" votes: (?P<total>\d+) members, (?P<present>\d+) present, "
        r"(?P<agreeing>\d+) agreeing"
    )
)
def committee_vote(world: World, day: str, total: str, present: str, agreeing: str) -> None:
    world.take("hold_grassroots_committee_vote", {"meeting_date": parse_date(day).isoformat(), "committee_total": int(total),
                                                  "present": int(present), "agreeing": int(agreeing)})


UNIONS = {"Youth Union": "youth_union", "trade union": "trade_union"}


@when(
    parsers.re(
        r"the introductions are recorded on " + DATE + r"(?:, where an? (?P<exists>Youth Union|trade union) exists,)?"
        r"(?: through the (?P<route>Youth Union|trade union), its resolution dated (?P<resolution>\d{1,2}/\d{1,2}/\d{4}),)? by:"
    )
)
def introductions(world: World, day: str, exists: str | None, route: str | None, resolution: str | None,
                  datatable: list[list[str]]) -> None:
    """Introducers from a table (introducer, together since, same unit, replacement, reason), by the members' route
    unless a union route is named; "where a Youth Union exists" records that the organisation has one."""
    introducers = []
    for row in records(datatable):
        intro: dict[str, Any] = {"member_id": world.member_id(row["introducer"])}
        if row.get("together since"):
            intro["together_since"] = parse_date(row["together since"]).isoformat()
        if row.get("same unit"):
            intro["same_unit"] = row["same unit"].lower() == "yes"
        if row.get("replacement", "").lower() == "yes":
            intro["replacement"] = True
        if row.get("reason"):
            intro["replaces_reason"] = row["reason"]
        introducers.append(intro)
    facts: dict[str, Any] = {"introduced_on": parse_date(day).isoformat(), "introducers": introducers}
    for union in (exists, route):
        if union:
            facts[f"{UNIONS[union]}_exists"] = True
    if route:
        facts["route"] = UNIONS[route]
        facts["union_resolution_on"] = parse_date(resolution or day).isoformat()
    world.take("record_introductions", facts)


# -- Then ----------------------------------------------------------------------------------------------


@then("the step is applied")
def applied(world: World) -> None:
    assert world.last.applied, f"refused: {describe(world.last)}"


@then("the step is refused")
def refused(world: World) -> None:
    assert not world.last.applied, f"applied: {describe(world.last)}"


@then(parsers.re(r"the step is refused by " + RULE))
def refused_by(world: World, rule: str) -> None:
    assert not world.last.applied, f"applied: {describe(world.last)}"
    failing = [r.rule_id for r in world.last.failures]
    assert rule in failing, f"{rule} is not among the failing rules {failing}:\n{describe(world.last)}"


@then(parsers.re(r"the step is refused by exactly (?P<rules>R-[A-Z0-9-]+(?:(?:, | and )R-[A-Z0-9-]+)*)"))
def refused_by_exactly(world: World, rules: str) -> None:
    assert not world.last.applied, f"applied: {describe(world.last)}"
    assert sorted(r.rule_id for r in world.last.failures) == sorted(rule_list(rules)), describe(world.last)


@then(parsers.re(r"rule " + RULE + r" (?P<status>passes|warns|fails|does not apply)"))
def rule_status(world: World, rule: str, status: str) -> None:
    wanted = {"passes": Status.PASSED, "warns": Status.WARNING, "fails": Status.FAILED, "does not apply": Status.NOT_APPLICABLE}[status]
    actual = world.result_of(rule).status
    assert actual is wanted, f"{rule} is {actual.value}, not {wanted.value}:\n{describe(world.last)}"


@then(parsers.re(r"the step is applied with a warning from " + RULE))
def applied_with_warning(world: World, rule: str) -> None:
    applied(world)
    assert rule in [r.rule_id for r in world.last.warnings], describe(world.last)


@then("no rule warns")
def no_warnings(world: World) -> None:
    assert not world.last.evaluation.warnings, describe(world.last)


@then("no step was refused and no rule warned on the way")
def clean_way(world: World) -> None:
    for trigger, result in world.results:
        assert isinstance(result, AdvanceResult) and result.applied and not result.evaluation.warnings, f"{trigger}: {describe(result)}"


@then(parsers.re(r'the message of ' + RULE + r' says "(?P<text>[^"]+)"'))
def message_says(world: World, rule: str, text: str) -> None:
    result = world.result_of(rule)
    messages = (result.message("vi"), result.message("en"))
    assert any(nfc(text) in m for m in messages), f"{text!r} not in {messages}"


@then(parsers.re(r'the dossier is in state "(?P<state>[a-z_]+)"(?: \("(?P<label>[^"]+)"\))?'))
def in_state(world: World, state: str, label: str | None) -> None:
    assert world.snapshot.state == state, f"state is {world.snapshot.state}"
    if label:
        assert nfc(label) == state_label(state), f"{state} is called {state_label(state)!r}"


@then("nothing was written")
def nothing_written(world: World) -> None:
    assert world.before is not None
    log_size, snapshot = world.before
    assert len(world.store.log) == log_size, "the transition log grew"
    assert world.snapshot == snapshot, "the dossier changed"


@then(parsers.re(r"the step cannot be taken: (?P<error>.+)"))
def not_taken(world: World, error: str) -> None:
    trigger, result = world.results[-1]
    assert not isinstance(result, AdvanceResult), f"{trigger} was judged: {describe(result)}"
    assert nfc(error) in str(result), f"{error!r} not in {result}"


@then(parsers.re(r"the transition log holds (?P<n>\d+) entries, each chained to the one before"))
def log_chained(world: World, n: str) -> None:
    entries = [c for c in world.store.log if c.dossier_id == world.dossier_id]
    assert len(entries) == int(n), [c.trigger for c in entries]
    previous = GENESIS
    for change in entries:
        assert change.previous_hash == previous, f"chain broken at {change.seq} {change.trigger}"
        previous = change.hash
    assert world.snapshot.head_hash == previous
