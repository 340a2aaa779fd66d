"""Rules and the workflow engine (ketnap.engine.rules, .workflow, .snapshot) on a small made-up workflow."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ketnap.engine.rules import (
    NOT_APPLICABLE,
    Confidence,
    Kind,
    Message,
    Outcome,
    Rule,
    RuleCatalogue,
    RuleSet,
    RuleSets,
    Status,
    check,
    judge,
)
from ketnap.engine.snapshot import Params, RuleContext, Snapshot
from ketnap.engine.workflow import StateSpec, TransitionSpec, Workflow
from ketnap.workflows.rulesets import RULE_SETS

# -- rule sets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2016, 7, 25), "2016"),
        (date(2021, 7, 29), "2016"),
        (date(2021, 7, 30), "2021"),
        (date(2025, 1, 19), "2021"),
        (date(2025, 1, 20), "2025a"),
        (date(2025, 6, 30), "2025a"),
        (date(2025, 7, 1), "2025b"),
        (date(2040, 1, 1), "2025b"),
        (date(1990, 1, 1), "2016"),
    ],
)
def test_rule_set_in_force_on_each_boundary(day: date, code: str) -> None:
    assert RULE_SETS.for_date(day).code == code


def test_rule_sets_must_be_contiguous() -> None:
    with pytest.raises(ValueError, match="contiguous"):
        RuleSets([RuleSet("a", None, date(2020, 1, 1), ""), RuleSet("b", date(2020, 1, 3), None, "")])
    with pytest.raises(ValueError, match="contiguous"):
        RuleSets([RuleSet("a", None, date(2020, 1, 5), ""), RuleSet("b", date(2020, 1, 3), None, "")])
    sets = RuleSets([RuleSet("b", date(2020, 1, 2), None, ""), RuleSet("a", None, date(2020, 1, 1), "")])
    assert sets.codes == ("a", "b")
    assert sets.get("b").start == date(2020, 1, 2)
    with pytest.raises(KeyError):
        sets.get("c")


# -- a small workflow -----------------------------------------------------------------------

MSG = {"default": Message("x={x}", "x={x}")}


def _x_at_least_one(ctx: RuleContext) -> Outcome:
    return check(ctx.act.get("x", 0) >= 1, x=ctx.act.get("x", 0))


def _y_at_least_one(ctx: RuleContext) -> Outcome:
    return check(ctx.act.get("y", 0) >= 1, x=ctx.act.get("y", 0))


def _z_policy(ctx: RuleContext) -> Outcome:
    return check(ctx.act.get("z", 0) >= 1, x=ctx.act.get("z", 0))


def _needs_w(ctx: RuleContext) -> Outcome:
    (w,) = ctx.need(ctx.act, "w")
    return check(w >= ctx.param("w_min"), x=w)


def _only_old(ctx: RuleContext) -> Outcome:
    return check(False, x=ctx.rule_set)


def _not_applicable(ctx: RuleContext) -> Outcome:
    return NOT_APPLICABLE


def _flagged(ctx: RuleContext) -> Outcome:
    return Outcome(True, "default", {"x": 1}, flag=True)


def make_rule(rule_id: str, func: Any, kind: Kind = Kind.GUARD, sets: frozenset[str] | None = None) -> Rule:
    return Rule(rule_id, Message(rule_id, rule_id), "cite", Confidence.VERIFIED, kind, MSG, func, sets)


CATALOGUE = RuleCatalogue(
    [
        make_rule("R-X", _x_at_least_one),
        make_rule("R-Y", _y_at_least_one),
        make_rule("R-Z", _z_policy, Kind.WARNING),
        make_rule("R-W", _needs_w),
        make_rule("R-OLD", _only_old, sets=frozenset({"old"})),
        make_rule("R-NA", _not_applicable),
        make_rule("R-FLAG", _flagged),
        Rule("R-CONV", Message("c", "c"), "cite", Confidence.CONVENTION, Kind.CONVENTION, MSG),
    ]
)
SETS = RuleSets([RuleSet("old", None, date(2020, 12, 31), ""), RuleSet("new", date(2021, 1, 1), None, "")])
STATES = [StateSpec("draft", Message("d", "d")), StateSpec("sent", Message("s", "s")), StateSpec("done", Message("o", "o"), True)]


def spec(trigger: str, sources: tuple[str, ...], dest: str, rules: tuple[str, ...]) -> TransitionSpec:
    return TransitionSpec(trigger, sources, dest, Message(trigger, trigger), frozenset({"clerk"}), rules)


WF = Workflow(
    "toy",
    STATES,
    [
        spec("send", ("draft",), "sent", ("R-X", "R-Y", "R-Z", "R-OLD", "R-NA", "R-FLAG")),
        spec("finish", ("sent",), "done", ("R-W", "R-X")),
    ],
    CATALOGUE,
    SETS,
    Params({"w_min": 5}, {"old": {"w_min": 1}}),
    initial="draft",
)


def snap(state: str = "draft", settings: dict[str, Any] | None = None) -> Snapshot:
    return Snapshot(1, state, 1, {}, {}, settings=settings or {})


def test_every_failing_rule_is_listed_not_only_the_first() -> None:
    evaluation = WF.evaluate(snap(), "send", {"x": 0, "y": 0, "z": 1}, date(2024, 1, 1))
    assert [r.rule_id for r in evaluation.failures] == ["R-X", "R-Y"]
    assert not evaluation.allowed
    assert WF.fire(snap(), evaluation) is None


def test_all_passing_rules_fire_the_transition() -> None:
    evaluation = WF.evaluate(snap(), "send", {"x": 1, "y": 1, "z": 1}, date(2024, 1, 1))
    assert evaluation.allowed and evaluation.dest == "sent"
    assert WF.fire(snap(), evaluation) == "sent"


def test_statuses_by_outcome() -> None:
    evaluation = WF.evaluate(snap(), "send", {"x": 1, "y": 1, "z": 1}, date(2024, 1, 1))
    statuses = {r.rule_id: r.status for r in evaluation.results}
    assert statuses == {
        "R-X": Status.PASSED,
        "R-Y": Status.PASSED,
        "R-Z": Status.PASSED,
        "R-NA": Status.NOT_APPLICABLE,
        "R-FLAG": Status.WARNING,  # passed with a policy flag
    }


def test_a_warning_kind_failure_never_blocks() -> None:
    evaluation = WF.evaluate(snap(), "send", {"x": 1, "y": 1, "z": 0}, date(2024, 1, 1))
    (z,) = [r for r in evaluation.results if r.rule_id == "R-Z"]
    assert z.status is Status.WARNING and not z.blocking
    assert evaluation.allowed
    assert "R-Z" in [r.rule_id for r in evaluation.warnings]
    assert WF.fire(snap(), evaluation) == "sent"


def test_blocking_policies_turn_a_warning_into_a_failure() -> None:
    evaluation = WF.evaluate(snap(settings={"blocking_policies": ["R-Z"]}), "send", {"x": 1, "y": 1, "z": 0}, date(2024, 1, 1))
    assert [r.rule_id for r in evaluation.failures] == ["R-Z"]
    assert not evaluation.allowed
    assert WF.fire(snap(), evaluation) is None


def test_judge_grades_by_kind() -> None:
    ctx = WF.context(snap(), WF.transitions["send"], {"z": 0}, date(2024, 1, 1))
    assert judge(CATALOGUE["R-Z"], ctx).status is Status.WARNING
    assert judge(CATALOGUE["R-Z"], ctx, frozenset({"R-Z"})).status is Status.FAILED
    assert judge(CATALOGUE["R-X"], ctx).status is Status.FAILED
    assert judge(CATALOGUE["R-X"], ctx, frozenset({"R-Z"})).status is Status.FAILED


def test_a_passed_rule_with_a_policy_flag_warns_or_blocks_where_switched_on() -> None:
    ctx = WF.context(snap(), WF.transitions["send"], {}, date(2024, 1, 1))
    assert judge(CATALOGUE["R-FLAG"], ctx).status is Status.WARNING
    assert judge(CATALOGUE["R-FLAG"], ctx, frozenset({"R-FLAG"})).status is Status.FAILED
    evaluation = WF.evaluate(snap(settings={"blocking_policies": ["R-FLAG"]}), "send", {"x": 1, "y": 1, "z": 1}, date(2024, 1, 1))
    assert [r.rule_id for r in evaluation.failures] == ["R-FLAG"]


def test_rules_of_another_rule_set_are_not_judged() -> None:
    new = WF.evaluate(snap(), "send", {"x": 1, "y": 1, "z": 1}, date(2021, 1, 1))
    old = WF.evaluate(snap(), "send", {"x": 1, "y": 1, "z": 1}, date(2020, 12, 31))
    assert (new.rule_set, old.rule_set) == ("new", "old")
    assert "R-OLD" not in [r.rule_id for r in new.results]
    assert [r.rule_id for r in old.failures] == ["R-OLD"]


def test_missing_facts_are_pending_in_explain() -> None:
    (finish,) = WF.explain(snap("sent"), date(2024, 1, 1))
    statuses = {r.rule_id: r.status for r in finish.results}
    assert statuses["R-W"] is Status.PENDING
    assert not finish.failures, "a rule reading a fact not yet given is pending, never failed"
    (pending,) = [r for r in finish.pending if r.rule_id == "R-W"]
    assert pending.outcome.values == {"fields": "w"}
    assert pending.message("en") == "Cannot be judged yet: w must be given."
    assert not pending.blocking


def test_params_vary_by_rule_set_and_by_organisation() -> None:
    def judged(day: date, settings: dict[str, Any] | None = None) -> Status:
        evaluation = WF.evaluate(snap("sent", settings), "finish", {"w": 3, "x": 1}, day)
        return next(r.status for r in evaluation.results if r.rule_id == "R-W")

    assert judged(date(2024, 1, 1)) is Status.FAILED  # w_min 5
    assert judged(date(2020, 1, 1)) is Status.PASSED  # w_min 1 in set "old"
    assert judged(date(2024, 1, 1), {"params": {"w_min": 3}}) is Status.PASSED


def test_params_overrides_must_name_known_parameters() -> None:
    params = Params({"a": 1}, {"s": {"a": 2}})
    assert params.with_overrides({"a": 3}).get("a") == 3
    assert params.with_overrides({"a": 3}).get("a", "s") == 2
    with pytest.raises(KeyError):
        params.with_overrides({"b": 1})


def test_message_is_formatted_only_on_demand() -> None:
    formatted: list[str] = []

    class Loud:
        def __format__(self, spec: str) -> str:
            formatted.append(spec)
            return "loud"

    rule = make_rule("R-LOUD", lambda ctx: Outcome(False, "default", {"x": Loud()}))
    ctx = WF.context(snap(), WF.transitions["send"], {}, date(2024, 1, 1))
    result = judge(rule, ctx)
    assert result.status is Status.FAILED
    assert formatted == []
    assert result.message("vi") == "x=loud"
    assert len(formatted) == 1
    assert result.as_dict("en")["message_en"] == "x=loud"


def test_message_falls_back_to_default_and_na_messages() -> None:
    rule = make_rule("R-K", lambda ctx: Outcome(False, "unknown_key", {"x": 4}))
    ctx = WF.context(snap(), WF.transitions["send"], {}, date(2024, 1, 1))
    assert judge(rule, ctx).message() == "x=4"
    na = judge(CATALOGUE["R-NA"], ctx)
    assert na.message("en") == "Does not apply to this dossier."


def test_catalogue_validation() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        RuleCatalogue([make_rule("R-A", _x_at_least_one), make_rule("R-A", _y_at_least_one)])
    with pytest.raises(ValueError, match="no function"):
        RuleCatalogue([make_rule("R-A", None)])
    with pytest.raises(ValueError, match="default message"):
        RuleCatalogue([Rule("R-A", Message("a", "a"), "c", Confidence.VERIFIED, Kind.GUARD, {}, _x_at_least_one)])


def test_workflow_definition_is_checked() -> None:
    with pytest.raises(ValueError, match="unknown state"):
        Workflow("bad", STATES, [spec("go", ("draft",), "nowhere", ())], CATALOGUE, SETS, Params({}), "draft")
    with pytest.raises(ValueError, match="not an enforced rule"):
        Workflow("bad", STATES, [spec("go", ("draft",), "sent", ("R-CONV",))], CATALOGUE, SETS, Params({}), "draft")
    with pytest.raises(ValueError, match="not an enforced rule"):
        Workflow("bad", STATES, [spec("go", ("draft",), "sent", ("R-NOPE",))], CATALOGUE, SETS, Params({}), "draft")


def test_graph_questions() -> None:
    assert WF.triggers_from("draft") == ["send"]
    assert WF.triggers_from("done") == []
    assert WF.can_leave("sent", "finish") and not WF.can_leave("draft", "finish") and not WF.can_leave("draft", "nope")
    assert WF.machine.models == []
