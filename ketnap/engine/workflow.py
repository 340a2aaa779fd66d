"""A dossier workflow: states and guarded transitions on one shared `transitions.Machine`.

The definition is built once per workflow and serves every dossier. A dossier is never attached to
the machine: firing uses a throw-away token carrying the state, through the machine's event objects
(`machine.events[trigger].trigger(token)`, pinned by tests/engine/test_transitions_contract.py),
so nothing accumulates in the machine however many dossiers pass through it.

Guards are the rules named by each transition. All of them are judged (not only up to the first
failure) so a refused step lists every reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from transitions import Machine, MachineError

from .calendar import WorkingCalendar
from .rules import Message, RuleCatalogue, RuleResult, RuleSets, Status, judge
from .snapshot import NOT_YET_GIVEN, Params, RuleContext, Snapshot

FactParser = Callable[[Mapping[str, Any]], dict[str, Any]]


class Directory(Protocol):
    """Read access to the people the facts name (members), for resolving IDs at the time of the act."""

    def member(self, member_id: int) -> Mapping[str, Any] | None: ...


Resolver = Callable[[dict[str, Any], Snapshot, Directory], dict[str, Any]]


@dataclass(frozen=True)
class TransitionSpec:
    """One trigger: where it may start, where it leads, what guards it and who may fire it.

    `dest` None means the destination is named by the act itself (fact `target_state`) among
    `targets(source)`: return for rework.
    """

    trigger: str
    sources: tuple[str, ...]
    dest: str | None
    label: Message
    roles: frozenset[str]
    rules: tuple[str, ...] = ()
    date_field: str = "act_date"
    fact_kind: str = ""
    parse: FactParser | None = None
    resolve: Resolver | None = None
    targets: Callable[[str], tuple[str, ...]] | None = None
    supersedes: Callable[[str, str], tuple[str, ...]] | None = None
    form: str = ""
    roles_from: Callable[[str], frozenset[str]] | None = None

    @property
    def kind(self) -> str:
        return self.fact_kind or self.trigger

    def roles_at(self, state: str) -> frozenset[str]:
        """Who may fire the trigger from `state`: `roles`, unless the step's roles depend on how far the dossier is."""
        return self.roles_from(state) if self.roles_from is not None else self.roles


@dataclass(frozen=True)
class StateSpec:
    name: str
    label: Message
    terminal: bool = False


@dataclass
class Evaluation:
    """The judgement of one act on one dossier: every rule's result and where it would lead."""

    trigger: str
    source: str
    dest: str | None
    act_date: date
    rule_set: str
    results: list[RuleResult] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.dest is not None and not any(r.status is Status.FAILED for r in self.results)

    @property
    def failures(self) -> list[RuleResult]:
        return [r for r in self.results if r.status is Status.FAILED]

    @property
    def warnings(self) -> list[RuleResult]:
        return [r for r in self.results if r.status is Status.WARNING]

    @property
    def pending(self) -> list[RuleResult]:
        return [r for r in self.results if r.status is Status.PENDING]


class _Token:
    """Stands in for a dossier while the machine fires; discarded afterwards."""

    __slots__ = ("state", "ctx", "evaluation", "target")

    def __init__(self, state: str, ctx: RuleContext | None, evaluation: Evaluation | None, target: str | None):
        self.state = state
        self.ctx = ctx
        self.evaluation = evaluation
        self.target = target


class Workflow:
    """A workflow definition: built once, shared by every dossier."""

    def __init__(
        self,
        name: str,
        states: Iterable[StateSpec],
        transitions: Iterable[TransitionSpec],
        catalogue: RuleCatalogue,
        rule_sets: RuleSets,
        params: Params,
        initial: str,
        calendar: WorkingCalendar | None = None,
    ):
        self.name = name
        self.states = {s.name: s for s in states}
        self.transitions = {t.trigger: t for t in transitions}
        self.catalogue = catalogue
        self.rule_sets = rule_sets
        self.params = params
        self.initial = initial
        self.calendar = calendar or WorkingCalendar()
        self._check_definition()
        self._param_tables = {code: params.table(code) for code in rule_sets.codes}
        self._rules = {
            (spec.trigger, code): tuple(catalogue[r] for r in spec.rules if catalogue[r].applies_in(code))
            for spec in self.transitions.values()
            for code in rule_sets.codes
        }
        self.machine = Machine(
            model=None,
            states=list(self.states),
            transitions=list(self._machine_transitions()),
            initial=initial,
            auto_transitions=False,
            send_event=True,
            model_attribute="state",
        )

    def _check_definition(self) -> None:
        for spec in self.transitions.values():
            for state in (*spec.sources, *( [spec.dest] if spec.dest else [])):
                if state not in self.states:
                    raise ValueError(f"{spec.trigger}: unknown state {state}")
            for rule_id in spec.rules:
                if rule_id not in self.catalogue or not self.catalogue[rule_id].enforced:
                    raise ValueError(f"{spec.trigger}: {rule_id} is not an enforced rule")

    def _machine_transitions(self) -> Iterable[dict[str, Any]]:
        for spec in self.transitions.values():
            for source in spec.sources:
                dests = [spec.dest] if spec.dest else list(spec.targets(source) if spec.targets else [])
                for dest in dests:
                    conditions: list[Callable[[Any], bool]] = [self._guard]
                    if spec.dest is None:
                        conditions.insert(0, _target_is(dest))
                    yield {"trigger": spec.trigger, "source": source, "dest": dest, "conditions": conditions}

    @staticmethod
    def _guard(event: Any) -> bool:
        token: _Token = event.model
        return token.evaluation is not None and not token.evaluation.failures

    # -- questions about the graph -------------------------------------------------------------

    def triggers_from(self, state: str) -> list[str]:
        """Triggers that leave `state`, in definition order."""
        return [t for t in self.transitions if state in self.transitions[t].sources]

    def targets(self, trigger: str, source: str) -> tuple[str, ...]:
        spec = self.transitions[trigger]
        if spec.dest:
            return (spec.dest,)
        return spec.targets(source) if spec.targets else ()

    # -- judging -------------------------------------------------------------------------------

    def context(self, snapshot: Snapshot, spec: TransitionSpec, act: Mapping[str, Any], act_date: date) -> RuleContext:
        rule_set = self.rule_sets.for_date(act_date).code
        values = self._param_tables[rule_set]
        overrides = snapshot.settings.get("params")
        if overrides:
            values = {**values, **{k: v for k, v in overrides.items() if v is not None}}
        return RuleContext(
            snapshot=snapshot,
            trigger=spec.trigger,
            fact_kind=spec.kind,
            act=act,
            act_date=act_date,
            rule_set=rule_set,
            params=self.params,
            calendar=self.calendar,
            values=values,
        )

    def evaluate(self, snapshot: Snapshot, trigger: str, act: Mapping[str, Any], act_date: date) -> Evaluation:
        """Judge every rule of `trigger` for this dossier as of `act_date`; does not fire."""
        spec = self.transitions[trigger]
        ctx = self.context(snapshot, spec, act, act_date)
        policies = snapshot.settings.get("blocking_policies")
        blocking = frozenset(policies) if policies else frozenset()
        subject = snapshot.subject
        results = [
            rule.not_applicable if rule.only_if and not subject.get(rule.only_if) else judge(rule, ctx, blocking)
            for rule in self._rules[trigger, ctx.rule_set]
        ]
        dest = spec.dest
        if dest is None:
            target = act.get("target_state") if act is not NOT_YET_GIVEN else None
            dest = target if target in self.targets(trigger, snapshot.state) else None
        return Evaluation(trigger, snapshot.state, dest, act_date, ctx.rule_set, results)

    def fire(self, snapshot: Snapshot, evaluation: Evaluation) -> str | None:
        """Fire the trigger on the shared machine: the new state, or None when a guard refuses.

        Raises MachineError when the trigger does not leave the dossier's state.
        """
        token = _Token(snapshot.state, None, evaluation, evaluation.dest)
        if not self.machine.events[evaluation.trigger].trigger(token):
            return None
        return token.state

    def explain(self, snapshot: Snapshot, as_of: date) -> list[Evaluation]:
        """Every trigger leaving the current state judged as of `as_of` with no new facts.

        Rules that need the act's own facts come back PENDING; a trigger is possible now when no
        rule failed.
        """
        return [self.evaluate(snapshot, trigger, NOT_YET_GIVEN, as_of) for trigger in self.triggers_from(snapshot.state)]

    def can_leave(self, state: str, trigger: str) -> bool:
        return state in self.transitions[trigger].sources if trigger in self.transitions else False


def _target_is(dest: str) -> Callable[[Any], bool]:
    def condition(event: Any) -> bool:
        return bool(event.model.target == dest)

    condition.__name__ = f"target_is_{dest}"
    return condition


__all__ = ["Evaluation", "MachineError", "StateSpec", "TransitionSpec", "Workflow"]
