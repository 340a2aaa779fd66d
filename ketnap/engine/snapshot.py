"""Read-only views a rule is judged on: the dossier snapshot and the rule context.

A rule never touches the database. It receives a `RuleContext`: the dossier's snapshot (subject,
facts recorded so far, history, the organisation chain from the dossier's branch up to the root),
the facts of the act being judged, the date of that act, the rule set in force on that date and
the parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .calendar import WorkingCalendar


@dataclass(frozen=True, slots=True)
class OrgNode:
    """One organisation in the chain above a dossier; `level` is a data code, not a type."""

    id: int
    name: str
    level: str
    may_admit: bool = False
    has_committee: bool = True


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    seq: int
    trigger: str
    from_state: str
    to_state: str
    act_date: date
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything known about one dossier, as of now, read in one go by the repository."""

    dossier_id: int | None
    state: str
    version: int
    subject: Mapping[str, Any]
    facts: Mapping[str, Mapping[str, Any]]
    history: tuple[HistoryEntry, ...] = ()
    org_chain: tuple[OrgNode, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    head_hash: str = ""

    def count(self, trigger: str) -> int:
        """How many times `trigger` was applied to this dossier (superseded ones included)."""
        return sum(1 for entry in self.history if entry.trigger == trigger)


class MissingFact(Exception):
    """A rule needs a fact the act did not supply: the rule is pending, not failed."""

    def __init__(self, names: tuple[str, ...]):
        super().__init__(", ".join(names))
        self.names = names


class NotYetGiven(Mapping[str, Any]):
    """The facts of an act that has not happened yet (explain()): reading any of them makes the
    reading rule PENDING rather than failed."""

    def __getitem__(self, name: str) -> Any:
        raise MissingFact((name,))

    def get(self, name: str, default: Any = None) -> Any:
        raise MissingFact((name,))

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0


NOT_YET_GIVEN = NotYetGiven()


class Params:
    """Configured numbers: one default per name, optionally varied by rule set (data, not code)."""

    def __init__(self, values: Mapping[str, Any], by_set: Mapping[str, Mapping[str, Any]] | None = None):
        self._values = dict(values)
        self._by_set = {k: dict(v) for k, v in (by_set or {}).items()}

    def get(self, name: str, rule_set: str | None = None) -> Any:
        if rule_set is not None and name in self._by_set.get(rule_set, {}):
            return self._by_set[rule_set][name]
        return self._values[name]

    def table(self, rule_set: str) -> dict[str, Any]:
        """Every parameter as in force under `rule_set`."""
        return {**self._values, **self._by_set.get(rule_set, {})}

    def names(self) -> list[str]:
        return list(self._values)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Params:
        unknown = set(overrides) - set(self._values)
        if unknown:
            raise KeyError(f"unknown parameter(s): {', '.join(sorted(unknown))}")
        return Params({**self._values, **overrides}, self._by_set)


@dataclass(frozen=True, slots=True)
class RuleContext:
    snapshot: Snapshot
    trigger: str
    fact_kind: str
    act: Mapping[str, Any]
    act_date: date
    rule_set: str
    params: Params
    calendar: WorkingCalendar
    values: Mapping[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> Mapping[str, Any]:
        return self.snapshot.subject

    def fact(self, kind: str) -> Mapping[str, Any] | None:
        """The facts of `kind`: this act's own when it records that kind, else the recorded ones."""
        if kind == self.fact_kind:
            return self.act
        return self.snapshot.facts.get(kind)

    def need(self, source: Mapping[str, Any] | None, *names: str) -> tuple[Any, ...]:
        """The named values, or MissingFact (the rule is pending until they are supplied)."""
        if source is None:
            raise MissingFact(names)
        missing = tuple(n for n in names if source.get(n) is None)
        if missing:
            raise MissingFact(missing)
        return tuple(source[n] for n in names)

    def param(self, name: str) -> Any:
        """A configured number as in force for this act (rule set, then the organisation's override)."""
        return self.values[name]

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute a value once per judgement (e.g. the age at the branch meeting, used by several rules)."""
        cache = self.cache
        if key not in cache:
            cache[key] = compute()
        return cache[key]
