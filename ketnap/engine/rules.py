"""Rules: named guards with a stable ID, a citation, an effective period and messages.

A rule is a small pure function of a read-only `RuleContext` (the dossier's facts, the facts of
the act being recorded, the date "as of" which the act is judged, the rule set in force on that
date and the configured parameters). It returns an `Outcome`; the engine turns the outcome into a
`RuleResult` with a status (passed / warning / failed / not applicable) and a message in Vietnamese
and English filled in from the outcome's values. Messages are formatted only when asked for, so
evaluating thousands of dossiers costs no string work.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any, NamedTuple

from .dates import fmt_date
from .snapshot import MissingFact


class Confidence(enum.StrEnum):
    """How sure we are of the rule's reading (rules.md): shown by `ketnap rules`."""

    VERIFIED = "verified"
    RECALLED = "recalled"
    CONVENTION = "convention"
    POLICY = "policy"


class Kind(enum.StrEnum):
    """What a catalogue entry does.

    GUARD blocks the transition it guards when it fails; WARNING reports but never blocks unless
    an organisation switches it to blocking; CONVENTION is a counting convention the guards use;
    PRACTICE is a reporting practice asked for by the seeds (targets, rates, reviews).
    """

    GUARD = "guard"
    WARNING = "warning"
    CONVENTION = "convention"
    PRACTICE = "practice"


class Status(enum.StrEnum):
    PASSED = "passed"
    WARNING = "warning"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"
    PENDING = "pending"  # needs facts the act has not supplied yet (explain() before the act)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A set of regulations in force over a period (rules.md, "Regulations and when they apply")."""

    code: str
    start: date | None
    end: date | None
    documents: str

    def in_force(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


class RuleSets:
    """The ordered, non-overlapping rule sets; adding a future set is adding one entry."""

    def __init__(self, sets: Iterable[RuleSet]):
        self.sets = tuple(sorted(sets, key=lambda s: s.start or date.min))
        for a, b in zip(self.sets, self.sets[1:], strict=False):
            if a.end is None or b.start is None or (b.start - a.end).days != 1:
                raise ValueError(f"rule sets {a.code} and {b.code} must be contiguous")
        self.codes = tuple(s.code for s in self.sets)

    def for_date(self, day: date) -> RuleSet:
        for rule_set in self.sets:
            if rule_set.in_force(day):
                return rule_set
        raise LookupError(f"no rule set in force on {day}")  # unreachable with open-ended ends

    def get(self, code: str) -> RuleSet:
        for rule_set in self.sets:
            if rule_set.code == code:
                return rule_set
        raise KeyError(code)


class Outcome(NamedTuple):
    """What a rule function returns: passed or not, the message variant and its values.

    Values are raw (dates stay dates) and are formatted only when a message is asked for.
    A NamedTuple because thousands are made per second when many dossiers are judged.
    """

    passed: bool
    key: str = "default"
    values: Mapping[str, Any] = MappingProxyType({})
    applicable: bool = True
    flag: bool = False  # passed, but with a policy flag: a warning, or a failure where the organisation blocks on it


NOT_APPLICABLE = Outcome(True, "na", MappingProxyType({}), False)


def ok(key: str = "default", /, **values: Any) -> Outcome:
    return Outcome(True, key, values)


def fail(key: str = "default", /, **values: Any) -> Outcome:
    return Outcome(False, key, values)


def check(passed: bool, key: str = "default", /, **values: Any) -> Outcome:
    return Outcome(passed, key, values)


@dataclass(frozen=True, slots=True)
class Message:
    vi: str
    en: str


PENDING_MESSAGE = Message(
    "Chưa xét được: cần nhập {fields}.",
    "Cannot be judged yet: {fields} must be given.",
)

_NA_RESULTS: dict[str, RuleResult] = {}

NA_MESSAGE = Message("Không áp dụng cho hồ sơ này.", "Does not apply to this dossier.")


@dataclass(frozen=True)
class Rule:
    """One catalogue entry of rules.md, with the function that decides it (guards and warnings)."""

    id: str
    title: Message
    citation: str
    confidence: Confidence
    kind: Kind
    messages: Mapping[str, Message]
    func: Callable[[Any], Outcome] | None = None
    sets: frozenset[str] | None = None  # None: every rule set
    condition: str = ""  # the exact condition in plain English, for docs/rules.md
    configurable: tuple[str, ...] = ()  # parameter names this rule reads
    only_if: str = ""  # a subject field that must be truthy for the rule to apply (a shortcut; the function checks too)

    @property
    def not_applicable(self) -> RuleResult:
        """The result when `only_if` rules the rule out, made once."""
        cached = _NA_RESULTS.get(self.id)
        if cached is None:
            cached = _NA_RESULTS[self.id] = RuleResult(self, Status.NOT_APPLICABLE, NOT_APPLICABLE)
        return cached

    def applies_in(self, rule_set: str) -> bool:
        return self.sets is None or rule_set in self.sets

    @property
    def enforced(self) -> bool:
        return self.kind in (Kind.GUARD, Kind.WARNING)


class RuleResult(NamedTuple):
    """The judgement of one rule on one act; formats its message only on demand."""

    rule: Rule
    status: Status
    outcome: Outcome

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def blocking(self) -> bool:
        return self.status is Status.FAILED

    def message(self, lang: str = "vi") -> str:
        if self.status is Status.PENDING:
            template = PENDING_MESSAGE
        elif self.status is Status.NOT_APPLICABLE and "na" not in self.rule.messages:
            template = NA_MESSAGE
        else:
            template = self.rule.messages.get(self.outcome.key) or self.rule.messages["default"]
        text = template.vi if lang == "vi" else template.en
        return text.format(**{k: fmt_date(v) if isinstance(v, date) else v for k, v in self.outcome.values.items()})

    def as_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "rule_id": self.rule.id,
            "status": self.status.value,
            "message": self.message(lang),
            "message_en": self.message("en"),
            "citation": self.rule.citation,
            "confidence": self.rule.confidence.value,
        }


class RuleCatalogue:
    """Every rule by ID; the one registry code, docs and feature-coverage checks read."""

    def __init__(self, rules: Iterable[Rule]):
        self._rules: dict[str, Rule] = {}
        for rule in rules:
            if rule.id in self._rules:
                raise ValueError(f"duplicate rule ID {rule.id}")
            if rule.enforced and rule.func is None:
                raise ValueError(f"rule {rule.id} is enforced but has no function")
            if "default" not in rule.messages:
                raise ValueError(f"rule {rule.id} has no default message")
            self._rules[rule.id] = rule

    def __getitem__(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def __iter__(self):
        return iter(self._rules.values())

    def ids(self) -> list[str]:
        return list(self._rules)


_PASSED, _FAILED, _WARNING, _NA, _PENDING = (
    Status.PASSED, Status.FAILED, Status.WARNING, Status.NOT_APPLICABLE, Status.PENDING,
)


def judge(rule: Rule, ctx: Any, blocking_policies: frozenset[str] = frozenset()) -> RuleResult:
    """Evaluate one rule in a context and grade the outcome by the rule's kind."""
    try:
        outcome = rule.func(ctx)  # type: ignore[misc]
    except MissingFact as missing:
        return RuleResult(rule, _PENDING, Outcome(False, "pending", {"fields": ", ".join(missing.names)}))
    if outcome.passed and not outcome.flag:
        return RuleResult(rule, _PASSED if outcome.applicable else _NA, outcome)
    if not outcome.applicable:
        status = Status.NOT_APPLICABLE
    elif outcome.passed:
        status = Status.FAILED if rule.id in blocking_policies else Status.WARNING
    elif rule.kind is Kind.GUARD or rule.id in blocking_policies:
        status = Status.FAILED
    else:
        status = Status.WARNING
    return RuleResult(rule, status, outcome)
