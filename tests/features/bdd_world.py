"""The world the feature scenarios run in: organisations, members, a candidate, a dossier, results.

A scenario builds an organisation tree, members and a candidate, brings the candidate's dossier to
a state "the usual way" (ketnap.workflows.journey.happy_path, every step applied through
engine.service.advance on the in-memory repository), then takes one or more steps and checks what
the rules said. `today` is fixed (TODAY) so no scenario depends on the clock.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ketnap.engine.errors import KetnapError
from ketnap.engine.memory import MemoryStore, MemoryUnitOfWork
from ketnap.engine.rules import RuleResult, Status
from ketnap.engine.service import Actor, AdvanceResult, advance, open_dossier
from ketnap.engine.snapshot import OrgNode, Snapshot
from ketnap.engine.workflow import Workflow
from ketnap.workflows.admission import build_workflow, decoders
from ketnap.workflows.journey import happy_path
from ketnap.workflows.rules import competent_body
from ketnap.workflows.schemas import load_candidate
from ketnap.workflows.vocab import DOSSIER_LEVELS, GRASSROOTS_LEVELS

TODAY = date(2026, 11, 23)
WORKFLOW = build_workflow()
ACTOR = Actor(1, "Bí thư chi bộ", frozenset({"branch_committee", "grassroots_staff", "superior_board"}), None)
FIXED_NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


# -- reading table cells ---------------------------------------------------------------------------


def parse_date(text: str) -> date:
    """dd/mm/yyyy or ISO."""
    text = text.strip()
    if "/" in text:
        day, month, year = (int(p) for p in text.split("/"))
        return date(year, month, day)
    return date.fromisoformat(text)


def is_date(text: str) -> bool:
    try:
        parse_date(text)
    except ValueError:
        return False
    return True


LIST_FIELDS = frozenset({"aspects"})
NAME_FIELDS = frozenset({"helper_member_id", "probation_helper_id", "member_id"})
ORG_FIELDS = frozenset({"deciding_org_id"})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass
class World:
    """One scenario's organisations, members, candidate, dossier and the results of its When steps."""

    workflow: Workflow = WORKFLOW
    store: MemoryStore = field(default_factory=lambda: MemoryStore(decoders=decoders(WORKFLOW)))
    org_ids: dict[str, int] = field(default_factory=dict)
    member_ids: dict[str, int] = field(default_factory=dict)
    candidate: dict[str, Any] = field(default_factory=dict)
    branch: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    relatives: list[dict[str, Any]] | None = None
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    dossier_id: int | None = None
    usual: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: list[tuple[str, AdvanceResult | KetnapError]] = field(default_factory=list)
    before: tuple[int, Snapshot] | None = None
    _opened: AdvanceResult | None = None
    step_failed: bool = False

    # -- organisations and people ----------------------------------------------------------------

    def add_org(self, name: str, level: str, parent: str | None, may_admit: bool = False) -> None:
        org_id = len(self.store.orgs) + 1
        parent_id = self.org_ids[parent] if parent else None
        self.store.orgs[org_id] = (OrgNode(org_id, name, level, may_admit=may_admit), parent_id)
        self.org_ids[name] = org_id

    def grassroots_of(self, org_id: int) -> int | None:
        for node in self.store.chain(org_id):
            if node.level in GRASSROOTS_LEVELS:
                return node.id
        return None

    def add_member(self, name: str, branch: str, status: str, since: date | None) -> None:
        member_id = 100 + len(self.store.members)
        branch_id = self.org_ids[branch]
        self.store.members[member_id] = {
            "id": member_id,
            "full_name": nfc(name),
            "status": status,
            "branch_id": branch_id,
            "grassroots_org_id": self.grassroots_of(branch_id),
            "official_since": since.isoformat() if since and status == "official" else None,
        }
        self.member_ids[nfc(name)] = member_id

    def member_id(self, name: str) -> int:
        try:
            return self.member_ids[nfc(name.strip().strip('"'))]
        except KeyError:
            raise AssertionError(f"no member named {name!r}; known: {', '.join(self.member_ids)}") from None

    def org_id(self, name: str) -> int:
        try:
            return self.org_ids[nfc(name.strip().strip('"'))]
        except KeyError:
            raise AssertionError(f"no organisation named {name!r}; known: {', '.join(self.org_ids)}") from None

    @property
    def branch_id(self) -> int:
        if self.branch is not None:
            return self.org_id(self.branch)
        for org_id, (node, _) in self.store.orgs.items():
            if node.level in DOSSIER_LEVELS:
                return org_id
        raise AssertionError("the organisation tree has no branch")

    def officials_of_branch(self) -> list[int]:
        branch_id = self.branch_id
        return [m["id"] for m in self.store.members.values() if m["branch_id"] == branch_id and m["status"] == "official"]

    # -- values from tables ------------------------------------------------------------------------

    def value(self, name: str, text: str) -> Any:
        """A table cell as a fact value: yes/no, empty, integers, dates (to ISO), member and organisation names."""
        text = nfc(text.strip())
        leaf = name.split(".")[-1]
        if text == "":
            return None
        if leaf in NAME_FIELDS and not text.isdigit():
            return self.member_id(text)
        if leaf in ORG_FIELDS and not text.isdigit():
            return self.org_id(text)
        if leaf in LIST_FIELDS:
            return [p.strip() for p in text.split(",") if p.strip()]
        if text.lower() in ("yes", "có", "true"):
            return True
        if text.lower() in ("no", "không", "false"):
            return False
        if text.lstrip("-").isdigit():
            return int(text)
        if is_date(text):
            return parse_date(text).isoformat()
        return text

    def facts_from_table(self, rows: list[list[str]]) -> dict[str, Any]:
        return {row[0].strip(): self.value(row[0], row[1]) for row in rows}

    # -- the dossier -------------------------------------------------------------------------------

    def journey(self, start: date) -> list[tuple[str, dict[str, Any]]]:
        """journey.happy_path for this tree: the branch's first official member helps and introduces with the
        second; the deciding body is the one the tree names (scenarios of R-DECIDE-1 name it themselves)."""
        officials = self.officials_of_branch()
        if len(officials) < 2:
            raise AssertionError("the usual way needs at least two official members in the dossier's branch")
        chain = self.store.chain(self.branch_id)
        body = competent_body(chain)
        org_id, body_code = (body[0].id, body[1]) if body else (0, "standing_committee")
        extra: dict[str, Any] = {}
        if self.relatives is not None:
            extra["relatives"] = tuple((r["relation"], r["full_name"]) for r in self.relatives)
        steps = list(
            happy_path(
                start, officials[0], (officials[0], officials[1]), org_id, body_code, self.workflow.calendar,
                grassroots_branch=chain[0].level == "grassroots_branch",
                sub_committee=any(n.level == "sub_committee" for n in chain), **extra,
            )
        )
        if self.relatives is not None:
            for trigger, facts in steps:
                if trigger == "declare_biography":
                    facts["relatives"] = [dict(r) for r in self.relatives]
        return steps

    def date_of(self, trigger: str, facts: Mapping[str, Any]) -> date:
        return date.fromisoformat(str(facts[self.workflow.transitions[trigger].date_field]))

    def path_to(self, state: str, on: date) -> list[tuple[str, dict[str, Any]]]:
        """The usual way, started so that the step entering `state` is dated `on`.

        The latest start whose step falls on or before `on` is taken, and that step is moved to `on`
        (with the facts it dates on the same day), so any date after the previous step can be reached.
        """
        for back in range(0, 2000):
            steps = self.journey(on - timedelta(days=back))
            index = next(i for i, (t, _) in enumerate(steps) if self.dest(t) == state)
            trigger, facts = steps[index]
            if self.date_of(trigger, facts) <= on:
                moved = self.merged(trigger, facts, {self.workflow.transitions[trigger].date_field: on.isoformat()})
                steps[index] = (trigger, moved)
                self.usual = dict(steps)
                return steps[: index + 1]
        raise AssertionError(f"the usual way cannot reach {state!r} on {on:%d/%m/%Y}")

    def dest(self, trigger: str) -> str | None:
        return self.workflow.transitions[trigger].dest

    def open(self, registered_on: date) -> None:
        subject = load_candidate(self.candidate)
        facts = {"registered_on": registered_on.isoformat(), **self.overrides.get("register_source", {})}
        result = open_dossier(MemoryUnitOfWork(self.store), self.workflow, subject, self.branch_id, facts, ACTOR,
                              today=TODAY, now=lambda: FIXED_NOW)
        self._opened = result
        self.dossier_id = result.change.dossier_id if result.change else None
        assert self.dossier_id is not None
        if self.settings:
            snap = self.store.dossiers[self.dossier_id]
            self.store.dossiers[self.dossier_id] = replace(snap, settings=dict(self.settings))

    def register(self, day: date) -> None:
        """A When step: register the candidate as a source of the branch (open_dossier)."""
        try:
            self.open(day)
        except KetnapError as error:
            self.results.append(("register_source", error))
            return
        assert self._opened is not None
        self.usual = dict(self.journey(day))
        self.results.append(("register_source", self._opened))

    def reach(self, state: str, on: date) -> None:
        """Bring a new dossier to `state` the usual way; every step must be applied."""
        steps = self.path_to(state, on)
        self.open(self.date_of(*steps[0]))
        for trigger, facts in steps[1:]:
            result = self._advance(trigger, self.merged(trigger, facts, self.overrides.get(trigger, {})))
            if not isinstance(result, AdvanceResult) or not result.applied:
                raise AssertionError(f"the usual way was refused at {trigger}: {describe(result)}")

    def happened(self, trigger: str, changes: Mapping[str, Any]) -> None:
        """A step that already happened (a Given): must be applied; not one of the scenario's judged steps."""
        result = self._advance(trigger, self.merged(trigger, self.usual.get(trigger, {}), changes))
        if not isinstance(result, AdvanceResult) or not result.applied:
            raise AssertionError(f"the earlier step {trigger} was refused: {describe(result)}")

    def merged(self, trigger: str, usual: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
        """The usual facts with `changes`; facts dated on the usual act date move with a new act date."""
        facts = _deep_copy(usual)
        date_field = self.workflow.transitions[trigger].date_field
        new_date = changes.get(date_field)
        if new_date is not None and facts.get(date_field) is not None:
            facts = _replace_value(facts, facts[date_field], new_date)
        for path, value in changes.items():
            _set_path(facts, path, value)
        return facts

    def _advance(self, trigger: str, facts: Mapping[str, Any]) -> AdvanceResult | KetnapError:
        assert self.dossier_id is not None
        try:
            return advance(MemoryUnitOfWork(self.store), self.workflow, self.dossier_id, trigger, facts, ACTOR, None,
                           today=TODAY, now=lambda: FIXED_NOW)
        except KetnapError as error:
            return error

    def take(self, trigger: str, changes: Mapping[str, Any]) -> None:
        """A When step: the usual facts of `trigger` with `changes`, through advance(); result kept."""
        if self.dossier_id is None:
            raise AssertionError("no dossier: start the scenario with 'the dossier has reached ...'")
        assert self.dossier_id is not None
        self.before = (len(self.store.log), self.store.dossiers[self.dossier_id])
        facts = self.merged(trigger, self.usual.get(trigger, {}), changes)
        self.results.append((trigger, self._advance(trigger, facts)))

    # -- what happened ---------------------------------------------------------------------------------

    @property
    def last(self) -> AdvanceResult:
        assert self.results, "no step was taken"
        trigger, result = self.results[-1]
        if not isinstance(result, AdvanceResult):
            raise AssertionError(f"{trigger} was not judged: {type(result).__name__}: {result}")
        return result

    def result_of(self, rule_id: str) -> RuleResult:
        for result in self.last.evaluation.results:
            if result.rule_id == rule_id:
                return result
        raise AssertionError(f"{rule_id} was not judged on {self.last.evaluation.trigger}: {describe(self.last)}")

    def judgements(self, rule_id: str) -> list[Status]:
        return [
            r.status
            for _, result in self.results if isinstance(result, AdvanceResult)
            for r in result.evaluation.results if r.rule_id == rule_id
        ]

    @property
    def snapshot(self) -> Snapshot:
        assert self.dossier_id is not None
        return self.store.dossiers[self.dossier_id]


def describe(result: AdvanceResult | KetnapError | None) -> str:
    if not isinstance(result, AdvanceResult):
        return f"{type(result).__name__}: {result}"
    lines = [f"applied={result.applied} state={result.new_state}"]
    lines += [f"  {r.rule_id} {r.status.value}: {r.message('en')}" for r in result.evaluation.results]
    return "\n".join(lines)


def _deep_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def _replace_value(value: Any, old: Any, new: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _replace_value(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_value(v, old, new) for v in value]
    return new if value == old else value


def _set_path(facts: dict[str, Any], path: str, value: Any) -> None:
    """Set `a.0.b` in nested dicts and lists; a list index one past the end appends a copy of the last item."""
    parts = path.split(".")
    target: Any = facts
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(target, list):
            index = int(part)
            if index == len(target):
                target.append(_deep_copy(target[-1]) if target and not last else None)
            if last:
                target[index] = value
            else:
                target = target[index]
        elif last:
            if value is None:
                target.pop(part, None)
            else:
                target[part] = value
        else:
            target = target.setdefault(part, [] if parts[i + 1].isdigit() else {})
