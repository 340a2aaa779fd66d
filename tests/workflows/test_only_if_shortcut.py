"""The `only_if` shortcut (skip a rule whose subject flag is off) must agree with the rule itself."""

from __future__ import annotations

from datetime import date

import pytest

from ketnap.engine.rules import Status
from ketnap.engine.snapshot import OrgNode, Snapshot
from ketnap.workflows.admission import build_workflow
from ketnap.workflows.rules import CATALOGUE

WF = build_workflow()
SHORTCUT_RULES = [rule for rule in CATALOGUE if rule.only_if]


def test_some_rules_use_the_shortcut() -> None:
    assert {r.id for r in SHORTCUT_RULES} >= {"R-READMIT-1", "R-OTHERPARTY-1"}


@pytest.mark.parametrize("rule", SHORTCUT_RULES, ids=lambda r: r.id)
def test_rule_function_is_not_applicable_when_its_flag_is_off(rule) -> None:  # type: ignore[no-untyped-def]
    subject = {"date_of_birth": date(2000, 1, 1), "education": "university", rule.only_if: None}
    snapshot = Snapshot(1, "introduced", 1, subject, {}, (), (OrgNode(3, "Chi bộ", "branch"), OrgNode(2, "Đảng bộ", "grassroots_committee")))
    trigger = next(t for t in WF.transitions.values() if rule.id in t.rules)
    ctx = WF.context(snapshot, trigger, {"meeting_date": date(2024, 1, 1), "tasks": []}, date(2024, 1, 1))
    assert rule.func is not None
    assert rule.func(ctx).applicable is False
    evaluation = WF.evaluate(snapshot, trigger.trigger, {"meeting_date": date(2024, 1, 1), "tasks": []}, date(2024, 1, 1))
    (result,) = [r for r in evaluation.results if r.rule_id == rule.id]
    assert result.status is Status.NOT_APPLICABLE
