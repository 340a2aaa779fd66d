"""The branch lists read only live facts, stay inside their branch or scope, and record a month's review once."""

from __future__ import annotations

from datetime import date

import pytest
from db_world import World

from ketnap.db import branch_lists

pytestmark = pytest.mark.db


def _apply(world: World, dossier_id: int, trigger: str, facts: dict[str, object]) -> None:
    result = world.advance(dossier_id, trigger, facts)
    assert result.applied, [r.rule_id for r in result.failures]


def test_a_reopened_dossier_is_listed_once_with_its_new_helper_and_class(world: World) -> None:
    dossier_id = world.dossier_at("training_nominated")
    _apply(world, dossier_id, "withdraw", {"withdrawn_on": "2023-06-01", "requested_by": "candidate", "reason": "Chuyển nơi ở"})
    _apply(world, dossier_id, "reopen", {"reopened_on": "2024-02-01", "reason": "Trở về địa phương"})
    _apply(world, dossier_id, "admit_to_sympathiser_list", {"decided_on": "2024-03-04", "helper_member_id": world.members["first"]})

    with world.engine.connect() as conn:
        listed = branch_lists.sympathisers(conn, world.orgs["branch"])
    assert [(r["id"], r["state"], r["admitted_on"], r["helper_id"], r["helper_name"]) for r in listed] == [
        (dossier_id, "sympathiser", date(2024, 3, 4), world.members["first"], "Đảng viên first")
    ]

    _apply(world, dossier_id, "nominate_for_training", {"nominated_on": "2024-04-01", "class_name": "Lớp khóa 2"})
    with world.engine.connect() as conn:
        nominated = branch_lists.training_nominated(conn, branch_id=world.orgs["branch"])
    assert [(r["id"], r["nominated_on"], r["class_name"]) for r in nominated] == [(dossier_id, date(2024, 4, 1), "Lớp khóa 2")]


def test_training_lists_keep_to_the_branch_or_the_scope(world: World) -> None:
    here = world.dossier_at("trained")
    cert = world.facts("record_training_certificate")
    with world.engine.connect() as conn:
        in_district = branch_lists.trained(conn, org_id=world.orgs["district"])
        in_other_district = branch_lists.trained(conn, org_id=world.orgs["other_district"])
        in_branch = branch_lists.trained(conn, branch_id=world.orgs["branch"])
    assert [(r["id"], r["certificate_no"], r["issuer"], r["issued_on"]) for r in in_district] == [
        (here, cert["certificate_no"], cert["issuer"], date.fromisoformat(cert["issued_on"]))
    ]
    assert in_branch == in_district
    assert in_other_district == []


def test_a_month_is_recorded_once_and_listed_newest_first(world: World) -> None:
    branch = world.orgs["branch"]
    with world.engine.begin() as conn:
        assert branch_lists.record_review(conn, branch, "2026-10", date(2026, 10, 28), world.user_id, "Đủ", 3)
        assert not branch_lists.record_review(conn, branch, "2026-10", date(2026, 10, 30), world.user_id, "Lần hai", 4)
        assert branch_lists.record_review(conn, branch, "2026-11", date(2026, 11, 20), world.user_id, None, 4)
        assert branch_lists.record_review(conn, world.orgs["other_branch"], "2026-11", date(2026, 11, 21), world.user_id, None, 0)
    with world.engine.connect() as conn:
        rows = branch_lists.reviews(conn, branch)
    assert [(r["period"], r["reviewed_on"], r["note"], r["sympathiser_count"], r["reviewer_name"]) for r in rows] == [
        ("2026-11", date(2026, 11, 20), None, 4, "Trần Thị Bí Thư"),
        ("2026-10", date(2026, 10, 28), "Đủ", 3, "Trần Thị Bí Thư"),
    ]
