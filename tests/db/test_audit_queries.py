"""The auditor's queries against a real database: the rule index, both plans of the log search, anomalies.

Each test builds its own organisations (db_world), and looks only inside them: the database is shared
by the session's tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from db_world import TODAY, World
from sqlalchemy import select

from ketnap.db import audit_queries as aq
from ketnap.db import queries
from ketnap.db.models import Dossier, TransitionLog, TransitionLogFlag, TransitionLogRuleStep, table_of
from ketnap.engine.service import Actor, advance
from ketnap.workflows.deadlines import overdue_cutoffs

pytestmark = pytest.mark.db

_t, _f, _rs, _d = table_of(TransitionLog), table_of(TransitionLogFlag), table_of(TransitionLogRuleStep), table_of(Dossier)
FIRST_AT = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


def _stored(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def log_rows(world: World, dossier_ids: list[int]) -> list[dict[str, Any]]:
    with world.engine.connect() as conn:
        rows = conn.execute(select(_t).where(_t.c.dossier_id.in_(dossier_ids))).all()
    return [{**row._mapping, "rule_results": _stored(row.rule_results)} for row in rows]


def drive(world: World, dossier_id: int, until: str, actor: Actor, hours: Iterator[int], late_declaration: bool = False) -> None:
    """Along the happy path until `until`, each entry recorded an hour after the one before."""
    for trigger, facts in world.journey():
        if world.snapshot(dossier_id).state == until:
            return
        if trigger == "declare_biography" and late_declaration:  # 60 days after the application: R-SLA-1 warns
            facts = {**facts, "declared_on": (date.fromisoformat(world.facts("submit_application")["applied_on"])
                                              + timedelta(days=60)).isoformat()}
        at = FIRST_AT + timedelta(hours=next(hours))
        result = advance(world.uow(), world.wf, dossier_id, trigger, facts, actor, None, today=TODAY, now=lambda at=at: at)
        assert result.applied, [r.rule_id for r in result.failures]


@pytest.fixture()
def dossiers(world: World) -> list[int]:
    """Four dossiers of the world's branch, driven by two actors, their entries an hour apart; one declaration late."""
    hours = iter(range(1000))
    other = Actor(world.user_id, "Lê Văn Thẩm Định", world.actor.roles, world.actor.scope_org_id)
    made = []
    for target, actor in (("branch_approved", world.actor), ("trained", other), ("biography_declared", world.actor),
                          ("sympathiser", other)):
        dossier_id = world.open()
        drive(world, dossier_id, target, actor, hours, late_declaration=target == "biography_declared")
        made.append(dossier_id)
    return made


def test_the_database_keeps_the_warnings_and_the_steps_that_judge_each_rule(world: World, dossiers: list[int]) -> None:
    entries = log_rows(world, dossiers)
    warnings = {(e["id"], i, r["rule_id"], r["status"], e["at"]) for e in entries for i, r in enumerate(e["rule_results"])
                if r["status"] in ("warning", "failed")}
    judged = {(r["rule_id"], e["trigger"]) for e in entries for r in e["rule_results"] if r["status"] != "not_applicable"}
    with world.engine.connect() as conn:
        flags = {tuple(row) for row in conn.execute(
            select(_f.c.log_id, _f.c.ordinal, _f.c.rule_id, _f.c.status, _f.c.at).where(_f.c.log_id.in_([e["id"] for e in entries])))}
        steps = {tuple(row) for row in conn.execute(select(_rs.c.rule_id, _rs.c.trigger))}
        by_rule = {rule: aq.rule_steps(conn, rule) for rule in ("R-SLA-1", "R-AGE-1")}
    assert flags == warnings and {w[2] for w in warnings} == {"R-SLA-1"}
    assert len(judged) > 15 and judged <= steps
    assert by_rule == {"R-SLA-1": ("conclude_verification", "declare_biography"), "R-AGE-1": ("hold_branch_vote",)}


def _naive(entries: list[dict[str, Any]], keep: Callable[[dict[str, Any]], bool]) -> list[int]:
    chosen = [e for e in entries if keep(e)]
    return [e["id"] for e in sorted(chosen, key=lambda e: (e["at"], e["id"]), reverse=True)]


def _judged(rule_id: str, flagged: bool = False) -> Callable[[dict[str, Any]], bool]:
    statuses = ("warning", "failed") if flagged else ("passed", "warning", "failed")
    return lambda e: any(r["rule_id"] == rule_id and r["status"] in statuses for r in e["rule_results"])


def _all_pages(world: World, q: aq.LogQuery) -> list[int]:
    """Every page of the search, following `older` to the end."""
    found: list[int] = []
    with world.engine.connect() as conn:
        while True:
            page = aq.search_log(conn, q)
            found.extend(row["id"] for row in page.rows)
            if page.older is None:
                return found
            q = aq.replace(q, before=page.older)


def test_both_plans_of_the_search_find_what_a_plain_filter_finds_page_after_page(world: World, dossiers: list[int]) -> None:
    entries = log_rows(world, dossiers)
    branch = world.orgs["branch"]
    mid_start, mid_end = FIRST_AT + timedelta(hours=5), FIRST_AT + timedelta(hours=20)
    cases: list[tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
        ({}, lambda e: True),
        ({"trigger": "admit_to_sympathiser_list"}, lambda e: e["trigger"] == "admit_to_sympathiser_list"),
        ({"rule_id": "R-AGE-1"}, _judged("R-AGE-1")),
        ({"rule_id": "R-HELP-1"}, _judged("R-HELP-1")),
        ({"rule_id": "R-SLA-1"}, _judged("R-SLA-1")),
        ({"rule_id": "R-SLA-1", "flagged": True}, _judged("R-SLA-1", flagged=True)),
        ({"actors": ("Lê Văn Thẩm Định",)}, lambda e: e["actor_name"] == "Lê Văn Thẩm Định"),
        ({"start": mid_start, "end": mid_end}, lambda e: mid_start <= e["at"] < mid_end),
        ({"trigger": "nominate_for_training", "actors": ("Trần Thị Bí Thư",), "start": mid_start},
         lambda e: e["trigger"] == "nominate_for_training" and e["actor_name"] == "Trần Thị Bí Thư" and e["at"] >= mid_start),
        ({"rule_id": "R-TRAIN-1", "start": mid_start, "end": mid_end}, lambda e: _judged("R-TRAIN-1")(e) and mid_start <= e["at"] < mid_end),
        ({"rule_id": "R-SLA-1", "trigger": "declare_biography"}, lambda e: _judged("R-SLA-1")(e) and e["trigger"] == "declare_biography"),
        ({"rule_id": "R-SLA-1", "trigger": "register_source"}, lambda e: False),
    ]
    for asked, keep in cases:
        expected = _naive(entries, keep)
        for share in (0.0, 0.5):  # below SMALL_SCOPE: gathered from the dossiers; above: walked newest first
            q = aq.LogQuery(scope=aq.OrgScope((world.orgs["grassroots"], branch), share), per_page=3, **asked)
            assert _all_pages(world, q) == expected, (asked, share)
    sizes = [len(_naive(entries, keep)) for _asked, keep in cases]
    assert min(sizes[i] for i in (0, 1, 3, 6, 7)) > 3, "too few entries to page through"
    assert sizes[4:6] == [3, 1], "R-SLA-1 judged at two declarations and a verification, one declaration late"


def test_the_search_stays_inside_the_organisation(world: World, dossiers: list[int]) -> None:
    outside = world.open(branch="other_branch", actor=Actor(world.user_id, "Trần Thị Bí Thư", world.actor.roles))
    with world.engine.connect() as conn:
        scope = aq.org_scope(conn, world.orgs["other_grassroots"])
        page = aq.search_log(conn, aq.LogQuery(scope=scope))
        unknown = aq.org_scope(conn, 2**31 - 1)
        nothing = aq.search_log(conn, aq.LogQuery(scope=unknown))
    assert [row["dossier_id"] for row in page.rows] == [outside]
    assert scope.org_ids == tuple(sorted((world.orgs["other_grassroots"], world.orgs["other_branch"])))
    assert nothing.rows == []


def test_actor_names_are_read_once_each_and_matched_without_diacritics(world: World, dossiers: list[int]) -> None:
    with world.engine.connect() as conn:
        names = aq.actor_names(conn)
    assert names == sorted(set(names)) and {"Trần Thị Bí Thư", "Lê Văn Thẩm Định"} <= set(names)
    assert aq.matching_actors(names, "tran thi bi") == ("Trần Thị Bí Thư",)
    assert aq.matching_actors(names, "THẨM ĐỊNH") == ("Lê Văn Thẩm Định",)
    assert aq.matching_actors(names, "không ai tên này") == ()


def test_dates_are_local_days(world: World) -> None:
    start, end = aq.day_bounds(date(2025, 3, 1), date(2025, 3, 1))
    assert start == datetime(2025, 2, 28, 17, 0, tzinfo=UTC) and end == datetime(2025, 3, 1, 17, 0, tzinfo=UTC)


def _working_days_after(world: World, day: date, n: int) -> date:
    return world.wf.calendar.add_working_days(day, n)


def test_stage_limits_are_the_organisations_own_when_set(world: World) -> None:
    applied = world.dossier_at("applied")
    with world.engine.begin() as conn:
        queries.set_org_settings(conn, world.orgs["grassroots"], {"params": {"sla_declaration_wd": 5}})
        since = conn.execute(select(_d.c.state_since).where(_d.c.id == applied)).scalar_one()
    today = _working_days_after(world, since, 10)  # late under a 5-day limit, on time under the default 20
    with world.engine.connect() as conn:
        cutoffs = aq.branch_cutoffs(conn, today, world.wf.params, world.wf.calendar)
        ours = {world.orgs["branch"]: cutoffs[world.orgs["branch"]]}
        counts, rows = aq.late_dossiers(conn, ours, ("applied",))
        default = overdue_cutoffs(today, world.wf.params, world.wf.calendar)
        on_default = aq.late_dossiers(conn, {world.orgs["branch"]: default}, ("applied",))
    assert cutoffs[world.orgs["other_branch"]] == default
    assert cutoffs[world.orgs["branch"]]["applied"] > default["applied"]
    assert counts == {"applied": 1} and [r["id"] for r in rows] == [applied]
    assert on_default == ({}, [])


def test_reworked_and_redeclared_dossiers_are_counted_and_late_declarations_listed(world: World) -> None:
    dossier_id = world.dossier_at("biography_declared")
    declared = world.facts("declare_biography")
    day = date.fromisoformat(declared["declared_on"])
    for _round in range(3):
        day += timedelta(days=3)
        back = world.advance(dossier_id, "return_for_rework", {"returned_on": day.isoformat(), "target_state": "applied",
                                                               "reason": "Khai thiếu thông tin người thân"})
        assert back.applied, [r.rule_id for r in back.failures]
        day += timedelta(days=20)  # past the 20 working days after the application: R-SLA-1 warns
        again = world.advance(dossier_id, "declare_biography", {**declared, "declared_on": day.isoformat()})
        assert again.applied, [r.rule_id for r in again.failures]
    scope = aq.OrgScope((world.orgs["grassroots"], world.orgs["branch"]), 0.5)
    with world.engine.connect() as conn:
        returned = aq.repeated_steps(conn, scope, "return_for_rework", 2)
        redeclared = aq.repeated_steps(conn, scope, "declare_biography", 1)
        never = aq.repeated_steps(conn, scope, "return_for_rework", 3)
        late_counts, late_rows = aq.flagged_steps(conn, scope, ("R-SLA-1", "R-DECIDE-2"))
    assert returned[0] == 1 and [(r["id"], r["times"]) for r in returned[1]] == [(dossier_id, 3)]
    assert redeclared[0] == 1 and [(r["id"], r["times"]) for r in redeclared[1]] == [(dossier_id, 4)]
    assert never == (0, [])
    assert late_counts == {"R-SLA-1": 3}
    assert [(r["dossier_id"], r["trigger"], r["rule_id"]) for r in late_rows] == [(dossier_id, "declare_biography", "R-SLA-1")] * 3
