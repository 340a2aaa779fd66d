"""The build fails when the rules, their documentation and their scenarios drift apart.

- docs/rules.md is exactly what ketnap.workflows.docs.rules_markdown() generates;
- every enforced rule (kind guard or warning) has a scenario where it passes and one where it fails;
- every scenario tag names a rule of the catalogue or a verdict, and a scenario with rule tags
  carries exactly one verdict;
- every rule ID of the shared research catalogue (../shared/domain/rules.md, "**R-XXX**") is in the code.

Pass or fail is read from the verdict tags of conftest.py: @passes, @fails, @warns. For a warning-kind
rule a @warns scenario counts as failing (such a rule never blocks). The tags are trustworthy because
conftest.py checks, after every scenario, that each tagged rule was judged as its verdict says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_bdd.parser import FeatureParser

from ketnap.engine.rules import Kind, Rule
from ketnap.workflows.docs import REGENERATE, rules_markdown
from ketnap.workflows.rules import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ROOT / "features"
DOCS = ROOT / "docs" / "rules.md"
DOMAIN_RULES = ROOT.parent / "shared" / "domain" / "rules.md"
VERDICTS = frozenset({"passes", "fails", "warns"})
RULE_ID = re.compile(r"R-[A-Z0-9]+(?:-[A-Z0-9]+)*")


@dataclass(frozen=True)
class TaggedScenario:
    where: str
    name: str
    tags: frozenset[str]

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(t for t in self.tags if RULE_ID.fullmatch(t))

    @property
    def verdicts(self) -> frozenset[str]:
        return self.tags & VERDICTS


def feature_scenarios() -> list[TaggedScenario]:
    """Every scenario of features/ with its own tags, its feature's and its Gherkin rule's (as pytest-bdd applies them)."""
    found = []
    for path in sorted(FEATURES.glob("**/*.feature")):
        feature = FeatureParser(str(FEATURES), str(path.relative_to(FEATURES))).parse()
        for scenario in feature.scenarios.values():
            tags = set(scenario.tags) | set(feature.tags) | (set(scenario.rule.tags) if scenario.rule else set())
            for examples in scenario.examples:
                tags |= set(examples.tags)
            found.append(TaggedScenario(f"{path.name}:{scenario.line_number}", scenario.name, frozenset(tags)))
    return found


SCENARIOS = feature_scenarios()
ENFORCED = [rule for rule in CATALOGUE if rule.enforced]


def counts_as(rule: Rule, verdict: str) -> str | None:
    """'pass' or 'fail' for coverage, or None (a guard's @warns is neither)."""
    if verdict == "passes":
        return "pass"
    if verdict == "fails" or (verdict == "warns" and rule.kind is Kind.WARNING):
        return "fail"
    return None


def test_docs_rules_md_is_generated_from_the_catalogue() -> None:
    expected = rules_markdown()
    actual = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    assert actual == expected, (
        f"{DOCS.relative_to(ROOT)} is not what the rule catalogue generates. Regenerate it with `{REGENERATE}` "
        "(or: python -c \"from ketnap.workflows.docs import rules_markdown; "
        "open('docs/rules.md', 'w', encoding='utf-8').write(rules_markdown())\") and commit the result."
    )


def test_rules_markdown_is_deterministic() -> None:
    assert rules_markdown() == rules_markdown()


def test_there_are_feature_files_with_scenarios() -> None:
    assert SCENARIOS, f"no scenarios under {FEATURES}"


@pytest.mark.parametrize("rule", ENFORCED, ids=lambda r: r.id)
def test_enforced_rule_has_a_passing_and_a_failing_scenario(rule: Rule) -> None:
    seen = {
        counts_as(rule, verdict)
        for scenario in SCENARIOS if rule.id in scenario.rules
        for verdict in scenario.verdicts
    }
    fail_tags = "@fails or @warns" if rule.kind is Kind.WARNING else "@fails"
    wanted = (("pass", "passes", "@passes"), ("fail", "fails", fail_tags))
    missing = [f"no scenario where it {words} (tag @{rule.id} {tags})" for what, words, tags in wanted if what not in seen]
    assert not missing, f"{rule.id} ({rule.kind.value}) has " + " and ".join(missing)


def test_every_tag_names_a_rule_or_a_verdict() -> None:
    unknown = sorted(
        f"{s.where} {s.name!r}: @{tag}"
        for s in SCENARIOS for tag in s.tags
        if tag not in VERDICTS and tag not in CATALOGUE
    )
    assert not unknown, "tags that name no rule of the catalogue (nor @passes/@fails/@warns):\n" + "\n".join(unknown)


def test_a_scenario_with_rule_tags_has_exactly_one_verdict() -> None:
    wrong = [
        f"{s.where} {s.name!r}: rules {sorted(s.rules)}, verdicts {sorted(s.verdicts) or 'none'}"
        for s in SCENARIOS
        if (s.rules and len(s.verdicts) != 1) or (s.verdicts and not s.rules)
    ]
    assert not wrong, "each scenario with rule tags needs exactly one of @passes, @fails, @warns:\n" + "\n".join(wrong)


def test_every_rule_of_the_domain_catalogue_is_in_the_code() -> None:
    if not DOMAIN_RULES.exists():
        reason = f"{DOMAIN_RULES} not found: the shared research catalogue is not checked out beside the project"
        print(reason)
        pytest.skip(reason)
    listed = sorted(set(re.findall(r"\*\*(R-[A-Z0-9-]+)\*\*", DOMAIN_RULES.read_text(encoding="utf-8"))))
    assert listed, f"no **R-XXX** rule IDs found in {DOMAIN_RULES}"
    missing = [rule_id for rule_id in listed if rule_id not in CATALOGUE]
    assert not missing, f"rules listed in {DOMAIN_RULES} but missing from ketnap.workflows.rules.CATALOGUE: {', '.join(missing)}"
