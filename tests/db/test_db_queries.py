"""The CLI's read queries: scoped to an organisation's subtree, in a stable order."""

from __future__ import annotations

import pytest
from db_world import World, add_member

from ketnap.db import queries
from ketnap.db.dossier_list import count_by_state

pytestmark = pytest.mark.db


def test_dossiers_are_counted_within_the_subtree(world: World) -> None:
    world.dossier_at("sympathiser")
    world.open()
    world.open(branch="other_branch", actor=world.actor.__class__(None, "cli", world.actor.roles, None))
    with world.engine.connect() as conn:
        assert count_by_state(conn, world.orgs["district"]) == {"sympathiser": 1, "source": 1}
        assert count_by_state(conn, world.orgs["other_branch"]) == {"source": 1}


def test_history_lists_the_log_in_order(world: World) -> None:
    dossier_id = world.dossier_at("training_nominated")
    with world.engine.connect() as conn:
        rows = queries.history(conn, dossier_id)
        assert queries.history(conn, 10**9) == []
    assert [(r["seq"], r["trigger"]) for r in rows] == [(1, "register_source"), (2, "admit_to_sympathiser_list"),
                                                        (3, "nominate_for_training")]
    assert rows[1]["prev_hash"] == rows[0]["hash"]


def test_org_tree_puts_parents_before_children_with_depths(world: World) -> None:
    with world.engine.connect() as conn:
        tree = [row for row in queries.org_tree(conn) if row["id"] in world.orgs.values()]
    by_id = {row["id"]: row for row in tree}
    assert by_id[world.orgs["district"]]["depth"] == 0
    assert by_id[world.orgs["branch"]]["depth"] == 2
    positions = [row["id"] for row in tree]
    assert positions.index(world.orgs["district"]) < positions.index(world.orgs["grassroots"]) < positions.index(world.orgs["branch"])
    assert positions.index(world.orgs["branch"]) < positions.index(world.orgs["other_district"])


def test_members_and_users_of_an_organisation(world: World) -> None:
    elsewhere = add_member(world.engine, world.orgs["other_branch"], "Đỗ Văn Xa", status="probationary", official_since=None)
    with world.engine.connect() as conn:
        mine = queries.members(conn, world.orgs["district"])
        assert sorted(m["id"] for m in mine) == sorted(world.members.values())
        assert [m["id"] for m in queries.members(conn, world.orgs["other_district"], status="probationary")] == [elsewhere]
        user = next(u for u in queries.users(conn) if u["id"] == world.user_id)
        assert "password_hash" not in user
        assert queries.user_by_name(conn, user["username"]) == user
        assert queries.user_by_name(conn, "không-có-ai") is None
