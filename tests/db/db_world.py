"""Test data in a real database: organisation trees, members and users, and dossiers driven by the engine.

Every world gets organisation codes of its own, so many worlds live side by side in one database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ketnap.db.models import Dossier, DossierFact, Member, Organisation, TransitionLog, User
from ketnap.db.repository import SqlUnitOfWork
from ketnap.engine.service import Actor, AdvanceResult, advance, open_dossier
from ketnap.engine.snapshot import Snapshot
from ketnap.engine.workflow import Workflow
from ketnap.workflows.journey import happy_path
from ketnap.workflows.schemas import load_candidate

TODAY = date(2026, 11, 23)
START = date(2023, 1, 5)
ALL_ROLES = frozenset({"branch_committee", "grassroots_staff", "superior_board"})
CANDIDATE = {"full_name": "Nguyễn Văn An", "date_of_birth": "2000-05-05", "gender": "male", "education": "upper_secondary"}


def add_orgs(engine: Engine, *specs: tuple[str, str, str | None]) -> dict[str, int]:
    """Organisations (key, level, parent key) in order; returns their IDs by key."""
    suffix = uuid.uuid4().hex[:8]
    ids: dict[str, int] = {}
    with Session(engine) as session:
        for key, level, parent in specs:
            org = Organisation(code=f"{key}-{suffix}", name=f"Tổ chức {key}", level_code=level,
                               parent_id=ids[parent] if parent else None)
            session.add(org)
            session.flush()
            ids[key] = org.id
        session.commit()
    return ids


def add_member(engine: Engine, branch_id: int, name: str = "Đảng viên", status: str = "official",
               official_since: date | None = date(2010, 1, 1)) -> int:
    with Session(engine) as session:
        member = Member(full_name=name, status=status, branch_id=branch_id, official_since=official_since)
        session.add(member)
        session.commit()
        return member.id


def counts(engine: Engine) -> dict[str, int]:
    """Rows in the tables a transition writes to."""
    with engine.connect() as conn:
        return {
            model.__tablename__: conn.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Dossier, DossierFact, TransitionLog)
        }


@dataclass
class World:
    engine: Engine
    wf: Workflow
    orgs: dict[str, int]
    members: dict[str, int]
    user_id: int
    actor: Actor
    steps: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.wf)

    def open(self, subject: dict[str, Any] | None = None, branch: str = "branch", actor: Actor | None = None) -> int:
        facts = self.steps[0][1]
        result = open_dossier(self.uow(), self.wf, load_candidate(subject or CANDIDATE), self.orgs[branch], facts,
                              actor or self.actor, today=TODAY)
        assert result.change is not None
        return result.change.dossier_id

    def advance(self, dossier_id: int, trigger: str, facts: dict[str, Any], actor: Actor | None = None,
                expected_version: int | None = None, today: date = TODAY) -> AdvanceResult:
        return advance(self.uow(), self.wf, dossier_id, trigger, facts, actor or self.actor, expected_version, today=today)

    def journey(self) -> Iterator[tuple[str, dict[str, Any]]]:
        yield from self.steps[1:]

    def dossier_at(self, state: str) -> int:
        """A new dossier driven along the happy path until it reaches `state`."""
        dossier_id = self.open()
        for trigger, facts in self.journey():
            if self.snapshot(dossier_id).state == state:
                break
            result = self.advance(dossier_id, trigger, facts)
            assert result.applied, [r.rule_id for r in result.failures]
        assert self.snapshot(dossier_id).state == state
        return dossier_id

    def snapshot(self, dossier_id: int) -> Snapshot:
        with self.uow() as uow:
            return uow.dossiers.snapshot(dossier_id)

    def facts(self, trigger: str) -> dict[str, Any]:
        return dict(next(facts for t, facts in self.steps if t == trigger))


def build_world(engine: Engine, wf: Workflow) -> World:
    orgs = add_orgs(engine, ("district", "district", None), ("grassroots", "grassroots_committee", "district"),
                    ("branch", "branch", "grassroots"), ("other_district", "district", None),
                    ("other_grassroots", "grassroots_committee", "other_district"), ("other_branch", "branch", "other_grassroots"))
    members = {name: add_member(engine, orgs["branch"], f"Đảng viên {name}") for name in ("helper", "first", "second")}
    with Session(engine) as session:
        user = User(username=f"chiuy-{uuid.uuid4().hex[:8]}", full_name="Trần Thị Bí Thư", role="branch_committee",
                    org_id=orgs["branch"])
        session.add(user)
        session.commit()
        user_id = user.id
    actor = Actor(user_id, "Trần Thị Bí Thư", ALL_ROLES, orgs["district"])
    steps = list(happy_path(START, members["helper"], (members["first"], members["second"]), orgs["district"],
                            "standing_committee", wf.calendar))
    return World(engine, wf, orgs, members, user_id, actor, steps)


def run_cli(url: str, *args: str) -> Any:
    """`ketnap ARGS` on the database at `url`, as the local operator (no KETNAP_USER): click's Result."""
    from click.testing import CliRunner

    from ketnap.webui.cli import main

    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": url, "KETNAP_USER": None}, catch_exceptions=False)


def query(url: str, sql: str, **params: Any) -> list[Any]:
    """The rows of a plain SQL statement on the database at `url`."""
    from sqlalchemy import text

    from ketnap.db.session import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())
    finally:
        engine.dispose()
