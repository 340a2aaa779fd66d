"""Fixtures for the service tests: an in-memory store with an organisation tree and members."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from service_world import ALL_ROLES, START, Runner

from ketnap.engine.memory import MemoryStore
from ketnap.engine.service import Actor
from ketnap.engine.snapshot import OrgNode
from ketnap.engine.workflow import Workflow
from ketnap.workflows.admission import build_workflow, decoders
from ketnap.workflows.journey import happy_path
from ketnap.workflows.schemas import load_candidate


@pytest.fixture(scope="session")
def wf() -> Workflow:
    return build_workflow()


@pytest.fixture()
def store(wf: Workflow) -> MemoryStore:
    store = MemoryStore(decoders=decoders(wf))
    store.orgs[1] = (OrgNode(1, "Tỉnh ủy Quảng Ngãi", "province"), None)
    store.orgs[2] = (OrgNode(2, "Huyện ủy Bình Sơn", "district"), 1)
    store.orgs[3] = (OrgNode(3, "Đảng ủy xã Bình Châu", "grassroots_committee"), 2)
    store.orgs[4] = (OrgNode(4, "Chi bộ thôn An Điềm", "branch"), 3)
    store.orgs[6] = (OrgNode(6, "Đảng ủy xã Bình Thạnh", "grassroots_committee"), 2)
    store.orgs[7] = (OrgNode(7, "Chi bộ thôn Châu Thuận", "branch"), 6)
    for member_id in (10, 11, 12):
        store.members[member_id] = {
            "id": member_id, "full_name": f"Đảng viên {member_id}", "status": "official", "branch_id": 4,
            "grassroots_org_id": 3, "official_since": "2010-01-01",
        }
    return store


@pytest.fixture()
def subject() -> dict[str, Any]:
    return load_candidate({"full_name": "Nguyễn Văn An", "date_of_birth": "2000-05-05", "gender": "male", "education": "upper_secondary"})


@pytest.fixture()
def actor() -> Actor:
    return Actor(1, "Bí thư chi bộ", ALL_ROLES, scope_org_id=2)


@pytest.fixture()
def journey(wf: Workflow) -> list[tuple[str, dict[str, Any]]]:
    return list(happy_path(START, 10, (11, 12), 2, "standing_committee", wf.calendar))


@pytest.fixture()
def steps(journey: list[tuple[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    return dict(journey)


@pytest.fixture()
def runner(wf: Workflow, store: MemoryStore, actor: Actor, journey: list[tuple[str, dict[str, Any]]]) -> Iterator[Runner]:
    yield Runner(wf, store, actor, journey)
