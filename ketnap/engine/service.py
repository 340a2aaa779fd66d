"""The use cases: advance() is the one way a dossier changes state; explain() says what is possible.

Both are written against the small Protocols below, implemented by ketnap.db for SQL databases and
by in-memory fakes in the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol, Self
from zoneinfo import ZoneInfo

from .audit import GENESIS, entry_hash, to_jsonable
from .errors import BadInput, Conflict, Forbidden, InvalidTransition, NotFound
from .rules import RuleResult, Status
from .snapshot import Snapshot
from .workflow import Directory, Evaluation, TransitionSpec, Workflow

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> date:
    """Today in Việt Nam: acts are dated in local time, timestamps stored in UTC."""
    return datetime.now(LOCAL_TZ).date()


@dataclass(frozen=True)
class Actor:
    """Who acts: roles and the organisation whose subtree they may see (None: everything)."""

    id: int | None
    name: str
    roles: frozenset[str]
    scope_org_id: int | None = None

    def sees(self, snapshot: Snapshot) -> bool:
        return self.scope_org_id is None or any(o.id == self.scope_org_id for o in snapshot.org_chain)


@dataclass(frozen=True)
class Change:
    """Everything one applied transition writes, in one transaction."""

    dossier_id: int
    expected_version: int
    from_state: str
    to_state: str
    trigger: str
    fact_kind: str
    act_date: date
    facts: Mapping[str, Any]
    supersede: tuple[str, ...]
    rule_results: list[dict[str, Any]]
    actor_id: int | None
    actor_name: str
    at: datetime
    seq: int
    previous_hash: str
    hash: str


class DossierRepository(Protocol):
    def snapshot(self, dossier_id: int) -> Snapshot:
        """The dossier's snapshot, or NotFound."""

    def create(self, subject: Mapping[str, Any], branch_id: int) -> int:
        """Insert the candidate and an empty dossier (state "", version 0) in the open transaction.

        open_dossier() then records the first transition (register_source) on it, so the dossier
        never exists without its first log entry. NotFound if the branch does not exist.
        """

    def record(self, change: Change) -> None:
        """Versioned UPDATE of the dossier, the facts and one log entry; Conflict if the version moved."""


class UnitOfWork(Protocol):
    @property
    def dossiers(self) -> DossierRepository: ...

    @property
    def directory(self) -> Directory: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


@dataclass
class AdvanceResult:
    applied: bool
    evaluation: Evaluation
    new_state: str | None = None
    new_version: int | None = None
    change: Change | None = None
    warnings: list[RuleResult] = field(default_factory=list)

    @property
    def failures(self) -> list[RuleResult]:
        return self.evaluation.failures


def rule_results_record(results: list[RuleResult]) -> list[dict[str, Any]]:
    """What the audit log keeps of each rule judged: ID, status and, unless it did not apply, the
    Vietnamese message and the citation."""
    return [
        {"rule_id": r.rule.id, "status": r.status.value}
        if r.status is Status.NOT_APPLICABLE
        else {"rule_id": r.rule.id, "status": r.status.value, "message": r.message("vi"), "citation": r.rule.citation}
        for r in results
    ]


def act_date_of(spec: TransitionSpec, facts: Mapping[str, Any], today: date) -> date:
    """The date of the act the facts record; BadInput when it is missing or after `today`."""
    value = facts.get(spec.date_field)
    if not isinstance(value, date):
        raise BadInput({spec.date_field: "Thiếu ngày của việc này (missing date of the act)."})
    if value > today:
        raise BadInput(
            {spec.date_field: f"Ngày {value:%d/%m/%Y} ở tương lai; việc đã làm không thể ghi ngày sau hôm nay "
             f"(a date in the future for an act already done)."}
        )
    return value


def prepare(
    workflow: Workflow,
    snapshot: Snapshot,
    trigger: str,
    raw_facts: Mapping[str, Any],
    actor: Actor,
    today: date,
    expected_version: int | None = None,
    directory: Directory | None = None,
) -> tuple[TransitionSpec, dict[str, Any], Evaluation]:
    """Validate the request and judge the rules; raises on bad input, returns the evaluation."""
    spec = workflow.transitions.get(trigger)
    if spec is None:
        raise BadInput({"trigger": f"Không có thao tác '{trigger}' (unknown trigger); có: {', '.join(workflow.transitions)}."})
    if not actor.sees(snapshot):
        raise NotFound(f"Không tìm thấy hồ sơ {snapshot.dossier_id} (dossier not found).")
    allowed_roles = spec.roles_at(snapshot.state)
    if not allowed_roles & actor.roles:
        raise Forbidden(
            f"Vai trò của {actor.name} không được thực hiện '{trigger}' ở bước này (role not allowed at this step); "
            f"cần: {', '.join(sorted(allowed_roles))}."
        )
    if expected_version is not None and expected_version != snapshot.version:
        raise Conflict(
            f"Hồ sơ {snapshot.dossier_id} đã được người khác thay đổi (phiên bản {snapshot.version}, bạn đang xem "
            f"{expected_version}); hãy tải lại (changed by someone else, reload).",
            snapshot.version,
        )
    if not workflow.can_leave(snapshot.state, trigger):
        possible = ", ".join(workflow.triggers_from(snapshot.state)) or "—"
        raise InvalidTransition(
            f"Hồ sơ đang ở trạng thái '{snapshot.state}', không thể '{trigger}' (trigger not possible from this state); "
            f"có thể: {possible}."
        )
    facts = spec.parse(raw_facts) if spec.parse else dict(raw_facts)
    if spec.resolve is not None:
        if directory is None:
            raise ValueError(f"{trigger} needs a directory to resolve the people it names")
        facts = spec.resolve(facts, snapshot, directory)
    act_date = act_date_of(spec, facts, today)
    if spec.dest is None:
        target = facts.get("target_state")
        allowed = workflow.targets(trigger, snapshot.state)
        if target not in allowed:
            raise BadInput({"target_state": f"Phải là một trong: {', '.join(allowed) or '—'} (must be an earlier state)."})
    evaluation = workflow.evaluate(snapshot, trigger, facts, act_date)
    if evaluation.pending:
        raise BadInput({name: "Bắt buộc (required)." for r in evaluation.pending for name in r.outcome.values["fields"].split(", ")})
    return spec, facts, evaluation


def advance(
    uow: UnitOfWork,
    workflow: Workflow,
    dossier_id: int,
    trigger: str,
    raw_facts: Mapping[str, Any],
    actor: Actor,
    expected_version: int | None,
    today: date | None = None,
    now: Callable[[], datetime] | None = None,
) -> AdvanceResult:
    """Check the actor, judge the guards and persist state, facts and one log entry atomically.

    Refused by a rule: nothing is written and the result lists every failing rule.
    A stale `expected_version`: Conflict, nothing written.
    """
    today = today or local_today()
    with uow:
        snapshot = uow.dossiers.snapshot(dossier_id)
        spec, facts, evaluation = prepare(workflow, snapshot, trigger, raw_facts, actor, today, expected_version, uow.directory)
        dest = workflow.fire(snapshot, evaluation)
        if dest is None:
            return AdvanceResult(False, evaluation)
        change = build_change(workflow, spec, snapshot, dest, facts, evaluation, actor, (now or _utcnow)())
        uow.dossiers.record(change)
        uow.commit()
    return AdvanceResult(True, evaluation, dest, snapshot.version + 1, change, evaluation.warnings)


def build_change(
    workflow: Workflow,
    spec: TransitionSpec,
    snapshot: Snapshot,
    dest: str,
    facts: Mapping[str, Any],
    evaluation: Evaluation,
    actor: Actor,
    at: datetime,
) -> Change:
    assert snapshot.dossier_id is not None
    at = at.astimezone(UTC)  # the hash covers the timestamp exactly as stored (UTC)
    stored_facts = to_jsonable(facts)
    results = rule_results_record(evaluation.results)
    seq = len(snapshot.history) + 1
    previous = snapshot.head_hash or GENESIS
    fields = {
        "dossier_id": snapshot.dossier_id,
        "seq": seq,
        "actor_id": actor.id,
        "actor_name": actor.name,
        "at": at.isoformat(),
        "act_date": evaluation.act_date.isoformat(),
        "from_state": snapshot.state,
        "to_state": dest,
        "trigger": spec.trigger,
        "facts": stored_facts,
        "rule_results": results,
    }
    supersede = spec.supersedes(snapshot.state, dest) if spec.supersedes else ()
    return Change(
        dossier_id=snapshot.dossier_id,
        expected_version=snapshot.version,
        from_state=snapshot.state,
        to_state=dest,
        trigger=spec.trigger,
        fact_kind=spec.kind,
        act_date=evaluation.act_date,
        facts=stored_facts,
        supersede=supersede,
        rule_results=results,
        actor_id=actor.id,
        actor_name=actor.name,
        at=at,
        seq=seq,
        previous_hash=previous,
        hash=entry_hash(previous, fields),
    )


def open_dossier(
    uow: UnitOfWork,
    workflow: Workflow,
    subject: Mapping[str, Any],
    branch_id: int,
    raw_facts: Mapping[str, Any],
    actor: Actor,
    today: date | None = None,
    now: Callable[[], datetime] | None = None,
) -> AdvanceResult:
    """Register a person as a source ("nguồn") of a branch: candidate, dossier and first log entry.

    `subject` is the validated candidate (workflows' CandidateSchema). The branch must be in the
    actor's scope and the actor's role must be allowed to register sources.
    """
    today = today or local_today()
    spec = workflow.transitions["register_source"]
    with uow:
        dossier_id = uow.dossiers.create(subject, branch_id)
        snapshot = uow.dossiers.snapshot(dossier_id)
        if not actor.sees(snapshot):
            raise NotFound(f"Không tìm thấy chi bộ {branch_id} trong phạm vi của bạn (branch not in your scope).")
        if not spec.roles & actor.roles:
            raise Forbidden(f"Vai trò của {actor.name} không được đưa quần chúng vào nguồn (role not allowed).")
        facts = spec.parse(raw_facts) if spec.parse else dict(raw_facts)
        evaluation, change = register_source_change(workflow, snapshot, facts, actor, today, (now or _utcnow)())
        uow.dossiers.record(change)
        uow.commit()
    return AdvanceResult(True, evaluation, workflow.initial, 1, change)


def register_source_change(workflow: Workflow, snapshot: Snapshot, facts: Mapping[str, Any], actor: Actor, today: date,
                           at: datetime) -> tuple[Evaluation, Change]:
    """The first change of a dossier just created (`snapshot`: state "", version 0, no history): its person
    registered as a source, judged by no rule. open_dossier() records one; the import of a file of sources
    (db.source_import) records many at once. BadInput when the date is missing or in the future."""
    spec = workflow.transitions["register_source"]
    act_date = act_date_of(spec, facts, today)
    evaluation = Evaluation(spec.trigger, snapshot.state, workflow.initial, act_date, workflow.rule_sets.for_date(act_date).code)
    return evaluation, build_change(workflow, spec, snapshot, workflow.initial, facts, evaluation, actor, at)


def explain(workflow: Workflow, snapshot: Snapshot, as_of: date) -> list[Evaluation]:
    """Each trigger leaving the current state: possible now, or the rules that fail as of `as_of`."""
    return workflow.explain(snapshot, as_of)


def _utcnow() -> datetime:
    return datetime.now(UTC)


__all__ = [
    "Actor",
    "AdvanceResult",
    "Change",
    "DossierRepository",
    "Status",
    "UnitOfWork",
    "act_date_of",
    "advance",
    "explain",
    "local_today",
    "open_dossier",
    "register_source_change",
]
