"""What the reliability tests share: a branch with real members and fresh dossiers opened through the engine,
each dossier's next step by state (its happy path), and the checks that nothing was lost, applied twice or
half-written.

Every branch gets organisation codes and a user name of its own, so several live side by side in one database.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from ketnap.db.audit_log import verify_dossier
from ketnap.db.models import Candidate, Dossier, DossierFact, Member, Organisation, StageStep, TransitionLog, User, table_of
from ketnap.db.repository import SqlUnitOfWork
from ketnap.engine.service import Actor, open_dossier
from ketnap.engine.workflow import Workflow
from ketnap.workflows.journey import happy_path
from ketnap.workflows.schemas import load_candidate

TODAY = date(2026, 11, 23)
START = date(2023, 1, 5)
TARGET = "introduced"  # eight steps after 'source', every one a branch committee's
ROLES = frozenset({"branch_committee", "grassroots_staff", "superior_board"})
_d, _c, _t, _f = table_of(Dossier), table_of(Candidate), table_of(TransitionLog), table_of(DossierFact)
_o, _m, _u, _s = table_of(Organisation), table_of(Member), table_of(User), table_of(StageStep)

Step = tuple[str, dict[str, Any]]
Path = dict[str, Step]  # state -> (the trigger that leaves it on the happy path, its facts)


@dataclass(frozen=True)
class Branch:
    """A district -> grassroots committee -> branch tree with three official members and a branch committee user."""

    district_id: int
    branch_id: int
    branch_code: str
    user_id: int
    username: str
    actor: Actor
    path: Path


def build_branch(engine: Engine, workflow: Workflow) -> Branch:
    suffix = uuid.uuid4().hex[:8]
    with engine.begin() as conn:
        district = conn.execute(insert(_o).values(code=f"HU-{suffix}", name="Huyện ủy Bình Sơn", level_code="district")
                                .returning(_o.c.id)).scalar_one()
        grassroots = conn.execute(insert(_o).values(code=f"DU-{suffix}", name="Đảng ủy xã Bình Châu", level_code="grassroots_committee",
                                                    parent_id=district, has_committee=True).returning(_o.c.id)).scalar_one()
        branch = conn.execute(insert(_o).values(code=f"CB-{suffix}", name="Chi bộ thôn An Điềm", level_code="branch", parent_id=grassroots)
                              .returning(_o.c.id)).scalar_one()
        members = [conn.execute(insert(_m).values(full_name=f"Đảng viên {name}", status="official", branch_id=branch,
                                                  official_since=date(2010, 1, 1)).returning(_m.c.id)).scalar_one()
                   for name in ("Hướng Dẫn", "Giới Thiệu Một", "Giới Thiệu Hai")]
        username = f"chiuy-{suffix}"
        user = conn.execute(insert(_u).values(username=username, full_name="Trần Thị Bí Thư", role="branch_committee", org_id=branch)
                            .returning(_u.c.id)).scalar_one()
    steps = list(happy_path(START, members[0], (members[1], members[2]), district, "standing_committee", workflow.calendar))
    return Branch(district, branch, f"CB-{suffix}", user, username, Actor(user, "Trần Thị Bí Thư", ROLES, district),
                  path_by_state(workflow, steps))


def path_by_state(workflow: Workflow, steps: Iterable[Step]) -> Path:
    """The happy path walked from its first step: each state it passes through and the step that leaves it."""
    path: Path = {}
    state = ""
    for trigger, facts in steps:
        path[state] = (trigger, facts)
        dest = workflow.transitions[trigger].dest
        assert dest is not None, trigger
        state = dest
    return path


def steps_to(path: Path, state: str, target: str) -> int:
    """How many steps of the path lead from `state` to `target` (the path's states are in its order)."""
    states = list(path)
    return states.index(target) - states.index(state)


def open_dossiers(engine: Engine, workflow: Workflow, branch: Branch, n: int) -> list[int]:
    """`n` new dossiers of the branch, each opened through the engine (state 'source', one log entry)."""
    subject = load_candidate({"full_name": "Nguyễn Văn An", "date_of_birth": "2000-05-05", "gender": "male", "education": "upper_secondary"})
    ids = []
    for _ in range(n):
        result = open_dossier(SqlUnitOfWork(engine, workflow), workflow, subject, branch.branch_id, branch.path[""][1], branch.actor,
                              today=TODAY)
        assert result.change is not None
        ids.append(result.change.dossier_id)
    return ids


def log_counts(engine: Engine) -> dict[int, int]:
    """Every dossier's log count now."""
    with engine.connect() as conn:
        return {row.id: row.log_count for row in conn.execute(select(_d.c.id, _d.c.log_count))}


def written_since(engine: Engine, before: dict[int, int]) -> dict[int, list[tuple[int, str]]]:
    """(seq, trigger) of every log entry written after `before` (log counts by dossier), by dossier, in seq order."""
    written: dict[int, list[tuple[int, str]]] = defaultdict(list)
    with engine.connect() as conn:
        for row in conn.execute(select(_t.c.dossier_id, _t.c.seq, _t.c.trigger).order_by(_t.c.dossier_id, _t.c.seq)):
            if row.seq > before.get(row.dossier_id, 0):
                written[row.dossier_id].append((row.seq, row.trigger))
    return written


def whole(engine: Engine, chains: bool = True) -> tuple[list[str], int]:
    """Nothing half-written, row by row: every dossier's chain checked when `chains` (engine.audit.check_dossier,
    through verify_dossier, one dossier at a time: `ketnap audit verify` checks them all too); its state its last
    entry's to_state; its version and log count the number of its entries; every entry with exactly one copy of
    its facts (dossier_facts) and one stage step (the log's trigger), and every copy and step with its entry;
    every candidate with its dossier. Returns the problems and the rows checked."""
    problems: list[str] = []
    with engine.connect() as conn:
        entries = conn.execute(select(_t.c.id, _t.c.dossier_id, _t.c.seq, _t.c.to_state).order_by(_t.c.dossier_id, _t.c.seq)).all()
        dossiers = conn.execute(select(_d.c.id, _d.c.state, _d.c.version, _d.c.log_count, _d.c.candidate_id)).all()
        facts = conn.execute(select(_f.c.log_entry_id, _f.c.dossier_id)).all()
        stage_steps = conn.execute(select(_s.c.log_id, _s.c.dossier_id)).all()
        candidates = conn.execute(select(_c.c.id)).scalars().all()
        for row in dossiers if chains else ():
            verdict = verify_dossier(conn, row.id)
            if verdict.first_break is not None:
                problems.append(f"dossier {row.id}: chain broken: {verdict.first_break}")
    by_dossier: dict[int, list[Any]] = defaultdict(list)
    for entry in entries:
        by_dossier[entry.dossier_id].append(entry)
    entry_dossier = {entry.id: entry.dossier_id for entry in entries}
    for row in dossiers:
        mine = by_dossier.pop(row.id, [])
        last = mine[-1].to_state if mine else None
        if not mine or row.state != last or not row.version == row.log_count == len(mine):
            problems.append(f"dossier {row.id}: state {row.state!r}, last entry {last!r}, version {row.version}, "
                            f"log count {row.log_count}, entries {len(mine)}")
        if [e.seq for e in mine] != list(range(1, len(mine) + 1)):
            problems.append(f"dossier {row.id}: entries at seq {[e.seq for e in mine]}")
    problems.extend(f"entries of dossier {d} without its row" for d in by_dossier)
    for name, copies in (("dossier_facts", facts), ("stage_steps", stage_steps)):
        per_entry = Counter(entry_id for entry_id, _dossier in copies)
        problems.extend(f"{name}: {n} rows for log entry {entry_id}" for entry_id, n in per_entry.items() if n != 1)
        problems.extend(f"{name}: a row for log entry {entry_id} of dossier {dossier}, which is not that dossier's entry"
                        for entry_id, dossier in copies if entry_dossier.get(entry_id) != dossier)
        problems.extend(f"log entry {entry_id} without its {name} row" for entry_id in entry_dossier if entry_id not in per_entry)
    with_dossier = {row.candidate_id for row in dossiers}
    problems.extend(f"candidate {c} without a dossier" for c in candidates if c not in with_dossier)
    return problems, len(entries) + len(dossiers) + len(facts) + len(stage_steps) + len(candidates)


def count_rows(engine: Engine) -> dict[str, int]:
    """Rows of the tables a new person or a step writes to."""
    with engine.connect() as conn:
        return {table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one()) for table in (_c, _d, _t, _f)}
