"""An in-memory implementation of the repository Protocols, for tests, features and benchmarks.

It keeps the same contract as the SQL one: a versioned update that raises Conflict when the
version moved, nothing visible before commit, and the audit chain computed the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import Conflict, NotFound
from .service import Change
from .snapshot import HistoryEntry, OrgNode, Snapshot


@dataclass
class MemoryStore:
    """The committed data: dossiers by ID, members by ID, organisations by ID."""

    dossiers: dict[int, Snapshot] = field(default_factory=dict)
    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    orgs: dict[int, tuple[OrgNode, int | None]] = field(default_factory=dict)
    log: list[Change] = field(default_factory=list)
    decoders: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = field(default_factory=dict)
    first_dossier_id: int = 1  # IDs handed out by create() start here (bulk loaders set it to the database's next ID)

    def chain(self, org_id: int) -> tuple[OrgNode, ...]:
        nodes = []
        current: int | None = org_id
        while current is not None:
            node, parent = self.orgs[current]
            nodes.append(node)
            current = parent
        return tuple(nodes)

    def add_dossier(self, dossier_id: int, branch_id: int, subject: Mapping[str, Any], state: str = "source",
                    facts: Mapping[str, Mapping[str, Any]] | None = None, settings: Mapping[str, Any] | None = None) -> Snapshot:
        snapshot = Snapshot(dossier_id, state, 1, dict(subject), dict(facts or {}), (), self.chain(branch_id), dict(settings or {}))
        self.dossiers[dossier_id] = snapshot
        return snapshot


class MemoryDossiers:
    def __init__(self, uow: MemoryUnitOfWork):
        self._uow = uow

    def snapshot(self, dossier_id: int) -> Snapshot:
        snap = self._uow.pending.get(dossier_id) or self._uow.store.dossiers.get(dossier_id)
        if snap is None:
            raise NotFound(f"Không tìm thấy hồ sơ {dossier_id} (dossier not found).")
        return snap

    def create(self, subject: Mapping[str, Any], branch_id: int) -> int:
        if branch_id not in self._uow.store.orgs:
            raise NotFound(f"Không có chi bộ {branch_id} (no such branch).")
        dossier_id = max([*self._uow.store.dossiers, *self._uow.pending, self._uow.store.first_dossier_id - 1]) + 1
        self._uow.pending[dossier_id] = Snapshot(dossier_id, "", 0, dict(subject), {}, (), self._uow.store.chain(branch_id))
        return dossier_id

    def record(self, change: Change) -> None:
        current = self.snapshot(change.dossier_id)
        if current.version != change.expected_version:
            raise Conflict(f"Hồ sơ {change.dossier_id} đã thay đổi (changed by someone else, reload).", current.version)
        decode = self._uow.store.decoders.get(change.fact_kind)
        typed = decode(change.facts) if decode else dict(change.facts)
        facts = {k: v for k, v in current.facts.items() if k not in change.supersede}
        facts[change.fact_kind] = typed
        entry = HistoryEntry(change.seq, change.trigger, change.from_state, change.to_state, change.act_date, typed)
        self._uow.pending[change.dossier_id] = replace(
            current, state=change.to_state, version=current.version + 1, facts=facts,
            history=(*current.history, entry), head_hash=change.hash,
        )
        self._uow.pending_log.append(change)


class MemoryDirectory:
    def __init__(self, store: MemoryStore):
        self._store = store

    def member(self, member_id: int) -> Mapping[str, Any] | None:
        return self._store.members.get(member_id)


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore):
        self.store = store
        self.pending: dict[int, Snapshot] = {}
        self.pending_log: list[Change] = []
        self.dossiers = MemoryDossiers(self)
        self.directory = MemoryDirectory(store)

    def __enter__(self) -> MemoryUnitOfWork:
        self.pending, self.pending_log = {}, []
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()

    def commit(self) -> None:
        self.store.dossiers.update(self.pending)
        self.store.log.extend(self.pending_log)
        self.pending, self.pending_log = {}, []

    def rollback(self) -> None:
        self.pending, self.pending_log = {}, []
