"""The in-memory world of the service tests: a Runner that advances a dossier along the journey."""

from __future__ import annotations

from datetime import date
from typing import Any

from ketnap.engine.memory import MemoryStore, MemoryUnitOfWork
from ketnap.engine.service import Actor, advance
from ketnap.engine.workflow import Workflow

TODAY = date(2025, 12, 31)
START = date(2023, 1, 5)
ALL_ROLES = frozenset({"branch_committee", "grassroots_staff", "superior_board"})


class Runner:
    """Advances one dossier along the journey through the real advance() use case."""

    def __init__(self, wf: Workflow, store: MemoryStore, actor: Actor, journey: list[tuple[str, dict[str, Any]]]):
        self.wf, self.store, self.actor, self.journey = wf, store, actor, journey

    def advance(self, dossier_id: int, trigger: str, facts: dict[str, Any], actor: Actor | None = None,
                expected_version: int | None = None) -> Any:
        return advance(MemoryUnitOfWork(self.store), self.wf, dossier_id, trigger, facts, actor or self.actor,
                       expected_version, today=TODAY)

    def until(self, dossier_id: int, state: str) -> None:
        for trigger, facts in self.journey:
            if self.store.dossiers[dossier_id].state == state:
                return
            if trigger == "register_source":
                continue
            result = self.advance(dossier_id, trigger, facts)
            assert result.applied, [r.as_dict("en") for r in result.failures]
        assert self.store.dossiers[dossier_id].state == state
