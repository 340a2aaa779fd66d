"""Fixtures and the tag convention that keeps the feature scenarios honest.

Tag convention (checked after every scenario here, and statically by test_catalogue_coverage.py):

- a rule tag is the rule ID as written in rules.md: ``@R-AGE-1``. pytest-bdd 9 turns each tag into a
  pytest marker of the same name; hyphens are fine there. The markers are registered below, so
  ``pytest -m R-AGE-1`` selects a rule's scenarios and a misspelt tag fails under --strict-markers;
- a scenario with rule tags carries exactly one verdict tag: ``@passes`` (every judgement of each
  tagged enforced rule in the scenario's When steps passed), ``@fails`` (a judgement of each tagged
  rule failed; for a warning-kind rule a warning counts as failing, since it never blocks) or
  ``@warns`` (a judgement of each tagged rule is a warning, e.g. a guard's policy flag);
- counting conventions (R-CALC-*) may be tagged beside the guards that use them; they are never
  judged on their own, so only the enforced rules of the scenario are checked.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

if str(Path(__file__).parent) not in sys.path:  # the helpers beside this file, whatever pytest's import mode
    sys.path.insert(0, str(Path(__file__).parent))

from bdd_world import World, describe  # noqa: E402

from ketnap.engine.rules import Kind, Status
from ketnap.workflows.rules import CATALOGUE

VERDICTS = ("passes", "fails", "warns")


def pytest_configure(config: pytest.Config) -> None:
    for rule in CATALOGUE:
        config.addinivalue_line("markers", f"{rule.id}: scenario about {rule.title.en}")
    config.addinivalue_line("markers", "passes: every judgement of the tagged rules passed")
    config.addinivalue_line("markers", "fails: a judgement of each tagged rule failed (a warning-kind rule: warned)")
    config.addinivalue_line("markers", "warns: a judgement of each tagged rule is a warning")


# -- fixtures and the tag check ------------------------------------------------------------------------


@pytest.fixture
def world() -> Iterator[World]:
    yield World()


def scenario_tags(feature: Any, scenario: Any) -> set[str]:
    rule_tags = scenario.rule.tags if getattr(scenario, "rule", None) is not None else set()
    return set(scenario.tags) | set(feature.tags) | set(rule_tags)


def verdict_problems(tags: set[str], world: World) -> list[str]:
    """Where the scenario's verdict tag disagrees with what the rules actually said."""
    rules = [CATALOGUE[t] for t in sorted(tags) if t in CATALOGUE]
    enforced = [r for r in rules if r.enforced]
    verdicts = [v for v in VERDICTS if v in tags]
    if not rules:
        return ["verdict tag without a rule tag"] if verdicts else []
    if len(verdicts) != 1:
        return [f"tag the scenario with exactly one of @{', @'.join(VERDICTS)} (found {verdicts or 'none'})"]
    verdict = verdicts[0]
    problems = []
    for rule in enforced:
        statuses = world.judgements(rule.id)
        if not statuses:
            problems.append(f"{rule.id} is tagged but no When step judged it")
        elif verdict == "passes" and any(s is not Status.PASSED for s in statuses):
            problems.append(f"{rule.id} is tagged @passes but was judged {[s.value for s in statuses]}")
        elif verdict == "fails":
            wanted = {Status.FAILED, Status.WARNING} if rule.kind is Kind.WARNING else {Status.FAILED}
            if not wanted & set(statuses):
                problems.append(f"{rule.id} is tagged @fails but was judged {[s.value for s in statuses]}")
        elif verdict == "warns" and Status.WARNING not in statuses:
            problems.append(f"{rule.id} is tagged @warns but was judged {[s.value for s in statuses]}")
    return problems


def pytest_bdd_step_error(request: pytest.FixtureRequest, **kwargs: Any) -> None:
    if "world" in request.fixturenames:
        request.getfixturevalue("world").step_failed = True


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    if "world" not in request.fixturenames:
        return
    world: World = request.getfixturevalue("world")
    if world.step_failed:
        return
    problems = verdict_problems(scenario_tags(feature, scenario), world)
    if problems:
        details = "\n".join(f"{t}: {describe(r)}" for t, r in world.results)
        pytest.fail(f"scenario {scenario.name!r}: tags disagree with the outcome:\n- " + "\n- ".join(problems) + "\n" + details)
