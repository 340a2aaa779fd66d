"""Builds admission dossiers at any state in memory, for the rule boundary tests.

A `World` holds one in-memory store with several organisation trees (district era, commune era
after 1/7/2025, a grassroots organisation directly under the province, ...). `World.dossier(...)`
runs `journey.happy_path` through the real advance() use case up to the wanted state, applying
per-trigger overrides on the way; `Dossier.evaluate(trigger, **changes)` then judges the next act
with one fact changed, exactly as advance() would (parse, resolve members, evaluate) but without
writing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from ketnap.engine.memory import MemoryDirectory, MemoryStore, MemoryUnitOfWork
from ketnap.engine.rules import RuleResult, Status
from ketnap.engine.service import Actor, AdvanceResult, advance
from ketnap.engine.snapshot import OrgNode, Snapshot
from ketnap.engine.workflow import Evaluation
from ketnap.workflows.admission import build_workflow, decoders
from ketnap.workflows.journey import happy_path
from ketnap.workflows.schemas import load_candidate

WF = build_workflow()
CAL = WF.calendar
TODAY = date(2026, 11, 23)
ACTOR = Actor(1, "Cán bộ", frozenset({"branch_committee", "grassroots_staff", "superior_board"}), None)
FORWARD = {  # the next step of the happy path, to take random runs deep into the procedure
    "source": "admit_to_sympathiser_list", "sympathiser": "nominate_for_training", "training_nominated": "record_training_certificate",
    "trained": "submit_application", "applied": "declare_biography", "biography_declared": "start_verification",
    "under_verification": "conclude_verification", "verified": "record_introductions", "introduced": "hold_branch_vote",
    "branch_approved": "hold_grassroots_committee_vote", "committee_approved": "record_admission_decision",
    "admission_decided": "hold_admission_ceremony", "probationary": "hold_recognition_vote",
    "recognition_proposed": "record_recognition_decision",
}

ORGS: list[tuple[int, str, str, int | None, bool]] = [
    # district era: branch -> grassroots committee -> district -> province
    (1, "Tỉnh ủy Quảng Ngãi", "province", None, False),
    (2, "Huyện ủy Bình Sơn", "district", 1, False),
    (3, "Đảng ủy xã Bình Châu", "grassroots_committee", 2, False),
    (4, "Chi bộ thôn An Điềm", "branch", 3, False),
    (5, "Chi bộ Trường THCS Bình Châu", "grassroots_branch", 2, False),
    (6, "Đảng ủy Công ty Dung Quất", "grassroots_committee", 2, True),
    (7, "Chi bộ Phân xưởng 1", "branch", 6, False),
    (8, "Đảng bộ bộ phận Khối sản xuất", "sub_committee", 3, False),
    (9, "Chi bộ Tổ sản xuất 2", "branch", 8, False),
    # commune era (from 1/7/2025): no district level
    (11, "Tỉnh ủy Quảng Ngãi (mới)", "province", None, False),
    (12, "Đảng ủy xã Vạn Tường", "commune", 11, False),
    (13, "Chi bộ Trường Tiểu học Vạn Tường", "grassroots_branch", 12, False),
    (14, "Đảng ủy Bệnh viện Dung Quất", "grassroots_committee", 12, False),
    (15, "Chi bộ Khoa Nội", "branch", 14, False),
    # a grassroots organisation directly under the province
    (21, "Tỉnh ủy Quảng Ngãi (khối)", "province", None, False),
    (22, "Đảng ủy Trường Đại học Phạm Văn Đồng", "grassroots_committee", 21, False),
    (23, "Chi bộ Khoa Sư phạm", "branch", 22, False),
]


@dataclass(frozen=True)
class Tree:
    """Where a dossier lives and who decides for it (R-DECIDE-1)."""

    branch_id: int
    grassroots_id: int
    decider_id: int
    decider_body: str
    grassroots_branch: bool = False
    sub_committee: bool = False


TREES = {
    "district": Tree(4, 3, 2, "standing_committee"),
    "district_grassroots_branch": Tree(5, 5, 2, "standing_committee", grassroots_branch=True),
    "may_admit": Tree(7, 6, 6, "committee"),
    "sub_committee": Tree(9, 3, 2, "standing_committee", sub_committee=True),
    "commune_grassroots_branch": Tree(13, 13, 12, "standing_committee", grassroots_branch=True),
    "commune_committee": Tree(15, 14, 12, "standing_committee"),
    "under_province": Tree(23, 22, 21, "standing_and_board_heads"),
}


def subject(**changes: Any) -> dict[str, Any]:
    raw = {"full_name": "Nguyễn Văn An", "date_of_birth": "1995-05-05", "gender": "male", "education": "upper_secondary"}
    return load_candidate({**raw, **changes})


def result(evaluation: Evaluation, rule_id: str) -> RuleResult:
    (found,) = [r for r in evaluation.results if r.rule_id == rule_id]
    return found


def status(evaluation: Evaluation, rule_id: str) -> Status:
    return result(evaluation, rule_id).status


def failing(evaluation: Evaluation) -> set[str]:
    return {r.rule_id for r in evaluation.failures}


def warning_ids(evaluation: Evaluation) -> set[str]:
    return {r.rule_id for r in evaluation.warnings}


@dataclass
class Dossier:
    world: World
    id: int
    steps: dict[str, dict[str, Any]]
    tree: Tree

    @property
    def snapshot(self) -> Snapshot:
        return self.world.store.dossiers[self.id]

    def with_fact(self, kind: str, **changes: Any) -> Dossier:
        """Change recorded facts in place (typed values), as if an earlier act had been recorded so."""
        snap = self.snapshot
        facts = {**snap.facts, kind: {**snap.facts[kind], **changes}}
        self.world.store.dossiers[self.id] = replace(snap, facts=facts)
        return self

    def with_settings(self, **settings: Any) -> Dossier:
        self.world.store.dossiers[self.id] = replace(self.snapshot, settings=settings)
        return self

    def facts(self, trigger: str, **changes: Any) -> dict[str, Any]:
        return {**self.steps.get(trigger, {}), **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in changes.items()}}

    def evaluate(self, trigger: str, **changes: Any) -> Evaluation:
        """Judge `trigger` with the journey's facts and `changes`, as advance() would, without writing."""
        snap = self.snapshot
        spec = WF.transitions[trigger]
        assert spec.parse is not None
        facts = spec.parse(self.facts(trigger, **changes))
        if spec.resolve is not None:
            facts = spec.resolve(facts, snap, MemoryDirectory(self.world.store))
        return WF.evaluate(snap, trigger, facts, facts[spec.date_field])

    def advance(self, trigger: str, **changes: Any) -> AdvanceResult:
        return advance(MemoryUnitOfWork(self.world.store), WF, self.id, trigger, self.facts(trigger, **changes), ACTOR, None,
                       today=TODAY)


@dataclass
class World:
    store: MemoryStore = field(default_factory=lambda: MemoryStore(decoders=decoders(WF)))
    next_member: int = 100

    def __post_init__(self) -> None:
        for org_id, name, level, parent, may_admit in ORGS:
            self.store.orgs[org_id] = (OrgNode(org_id, name, level, may_admit=may_admit), parent)

    def member(self, branch_id: int, grassroots_id: int, status: str = "official", official_since: str = "2010-01-01",
               name: str | None = None) -> int:
        self.next_member += 1
        member_id = self.next_member
        self.store.members[member_id] = {
            "id": member_id, "full_name": name or f"Đảng viên {member_id}", "status": status, "branch_id": branch_id,
            "grassroots_org_id": grassroots_id, "official_since": official_since,
        }
        return member_id

    def dossier(self, until: str, *, tree: str = "district", start: date = date(2023, 1, 5), who: dict[str, Any] | None = None,
                overrides: dict[str, dict[str, Any]] | None = None) -> Dossier:
        """A dossier advanced along the happy path until its state is `until`."""
        t = TREES[tree]
        helper = self.member(t.branch_id, t.grassroots_id)
        introducers = (self.member(t.branch_id, t.grassroots_id), self.member(t.branch_id, t.grassroots_id))
        journey = happy_path(start, helper, introducers, t.decider_id, t.decider_body, CAL,
                             grassroots_branch=t.grassroots_branch, sub_committee=t.sub_committee)
        steps = {trigger: {**facts, **(overrides or {}).get(trigger, {})} for trigger, facts in journey}
        dossier_id = max(self.store.dossiers, default=0) + 1
        self.store.add_dossier(dossier_id, t.branch_id, who or subject())
        dossier = Dossier(self, dossier_id, steps, t)
        for trigger in steps:
            if trigger == "register_source":
                continue
            if dossier.snapshot.state == until:
                break
            outcome = dossier.advance(trigger)
            assert outcome.applied, (trigger, [r.as_dict("en")["message_en"] for r in outcome.failures])
        assert dossier.snapshot.state == until
        return dossier


def start_for(meeting: date) -> date:
    """A journey start whose branch meeting falls a few weeks before `meeting` (then moved onto it)."""
    return meeting - timedelta(days=200)
