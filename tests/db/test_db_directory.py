"""The SQL Directory: members as the rules see them, with the grassroots organisation they belong to."""

from __future__ import annotations

from datetime import date

import pytest
from db_world import add_member, add_orgs
from sqlalchemy.engine import Engine

from ketnap.db.repository import SqlUnitOfWork
from ketnap.engine.workflow import Workflow

pytestmark = pytest.mark.db


def lookup(engine: Engine, wf: Workflow, member_id: int) -> dict[str, object] | None:
    with SqlUnitOfWork(engine, wf) as uow:
        found = uow.directory.member(member_id)
        return dict(found) if found is not None else None


def test_member_of_a_branch_under_a_district_grassroots_committee(engine: Engine, wf: Workflow) -> None:
    orgs = add_orgs(engine, ("district", "district", None), ("grassroots", "grassroots_committee", "district"),
                    ("branch", "branch", "grassroots"))
    member_id = add_member(engine, orgs["branch"], "Võ Thị Hoa", official_since=date(2015, 3, 2))
    assert lookup(engine, wf, member_id) == {
        "id": member_id, "full_name": "Võ Thị Hoa", "status": "official", "branch_id": orgs["branch"],
        "grassroots_org_id": orgs["grassroots"], "official_since": date(2015, 3, 2), "exempt": False,
    }
    assert lookup(engine, wf, member_id)["exempt"] is False  # type: ignore[index]


def test_member_of_a_branch_under_a_sub_committee_in_a_commune(engine: Engine, wf: Workflow) -> None:
    orgs = add_orgs(engine, ("province", "province", None), ("commune", "commune", "province"),
                    ("grassroots", "grassroots_committee", "commune"), ("sub", "sub_committee", "grassroots"),
                    ("branch", "branch", "sub"))
    member_id = add_member(engine, orgs["branch"], status="probationary", official_since=None)
    found = lookup(engine, wf, member_id)
    assert found is not None
    assert (found["grassroots_org_id"], found["status"], found["official_since"]) == (orgs["grassroots"], "probationary", None)


def test_member_of_a_grassroots_branch_directly_under_the_superior(engine: Engine, wf: Workflow) -> None:
    orgs = add_orgs(engine, ("superior", "superior", None), ("grassroots_branch", "grassroots_branch", "superior"))
    member_id = add_member(engine, orgs["grassroots_branch"])
    found = lookup(engine, wf, member_id)
    assert found is not None and found["grassroots_org_id"] == orgs["grassroots_branch"]


def test_unknown_member_is_none(engine: Engine, wf: Workflow) -> None:
    assert lookup(engine, wf, 10**9) is None
