"""The attacker with write access to the database: verify() names exactly the entry or dossier touched.

Each attack runs in one transaction on one connection: the append-only triggers are dropped
(SQLite) or disabled (PostgreSQL) in it, the log is tampered with by plain SQL, verify() reads the
tampered log on that same connection, and everything is rolled back at the end (the triggers
too), so the session's shared database stays clean. verify() is scoped to the world's district,
so other tests' dossiers in the shared database do not count.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from db_world import World
from sqlalchemy import Connection, Text, cast, delete, func, select, text, update

from ketnap.db import audit_log
from ketnap.db.audit_log import anchor, verify, verify_dossier
from ketnap.db.models import Dossier, DossierFact, TransitionLog, table_of
from ketnap.engine.audit import GENESIS, canonical_json, entry_hash, stored_fields

pytestmark = pytest.mark.db
_t, _d, _f = table_of(TransitionLog), table_of(Dossier), table_of(DossierFact)
ENTRIES = 6


@contextmanager
def attacker(world: World) -> Iterator[Connection]:
    """A transaction with the log's append-only triggers out of the way; rolled back, triggers and all."""
    with world.engine.connect() as conn:
        transaction = conn.begin()
        try:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("DROP TRIGGER transition_log_no_update")
                conn.exec_driver_sql("DROP TRIGGER transition_log_no_delete")
            else:
                conn.exec_driver_sql("ALTER TABLE transition_log DISABLE TRIGGER transition_log_no_change")
            yield conn
        finally:
            transaction.rollback()


def dossier_with_entries(world: World, n: int = ENTRIES) -> int:
    dossier_id = world.open()
    for trigger, facts in list(world.journey())[: n - 1]:
        assert world.advance(dossier_id, trigger, facts).applied
    return dossier_id


@pytest.fixture()
def dossiers(world: World) -> tuple[int, int]:
    """Two dossiers of ENTRIES entries: the one attacked, and a neighbour that must not be named."""
    return dossier_with_entries(world), dossier_with_entries(world)


def entry(conn: Connection, dossier_id: int, seq: int) -> dict[str, Any]:
    return dict(conn.execute(select(_t).where(_t.c.dossier_id == dossier_id, _t.c.seq == seq)).one()._mapping)


def set_entry(conn: Connection, dossier_id: int, at_seq: int, **values: Any) -> None:
    conn.execute(update(_t).where(_t.c.dossier_id == dossier_id, _t.c.seq == at_seq).values(**values))


def named(conn: Connection, world: World) -> list[tuple[int | None, int | None, str]]:
    report = verify(conn, org_id=world.orgs["district"])
    assert report.dossiers == 2 and report.entries >= 2 * ENTRIES - 1
    return [(b.dossier_id, b.seq, b.kind) for b in report.breaks]


def test_clean_log_verifies(world: World, dossiers: tuple[int, int]) -> None:
    with world.engine.connect() as conn:
        report = verify(conn, org_id=world.orgs["district"])
        assert report.ok and report.breaks == []
        assert (report.dossiers, report.entries) == (2, 2 * ENTRIES)
        assert verify_dossier(conn, dossiers[0]).ok


@pytest.mark.parametrize("field", ["facts", "actor_name", "at", "to_state", "act_date", "rule_results"])
def test_a_changed_field_names_the_dossier_and_the_entry(world: World, dossiers: tuple[int, int], field: str) -> None:
    target, _neighbour = dossiers
    with attacker(world) as conn:
        old = entry(conn, target, 3)
        new = {
            "facts": {**old["facts"], "tampered": True}, "actor_name": "Kẻ Giả Mạo", "at": old["at"] + timedelta(seconds=1),
            "to_state": "admitted", "act_date": old["act_date"] - timedelta(days=1),
            "rule_results": [{"rule_id": "R-AGE-1", "status": "passed"}],
        }[field]
        set_entry(conn, target, 3, **{field: new})
        assert named(conn, world) == [(target, 3, "hash")]
        verdict = verify_dossier(conn, target)
        assert verdict.first_break is not None and (verdict.first_break.seq, verdict.first_break.kind) == (3, "hash")
        assert verdict.first_break.entry_id == old["id"]


def test_a_deleted_entry_names_its_position(world: World, dossiers: tuple[int, int]) -> None:
    target, _neighbour = dossiers
    with attacker(world) as conn:
        gone = entry(conn, target, 3)["id"]
        conn.execute(delete(_f).where(_f.c.log_entry_id == gone))
        conn.execute(delete(_t).where(_t.c.id == gone))
        assert named(conn, world) == [(target, 3, "seq")]


def test_a_deleted_last_entry_shows_against_the_dossier_row(world: World, dossiers: tuple[int, int]) -> None:
    target, _neighbour = dossiers
    with attacker(world) as conn:
        gone = entry(conn, target, ENTRIES)["id"]
        conn.execute(delete(_f).where(_f.c.log_entry_id == gone))
        conn.execute(delete(_t).where(_t.c.id == gone))
        assert named(conn, world) == [(target, ENTRIES, "count")]


def test_swapped_entries_are_named(world: World, dossiers: tuple[int, int]) -> None:
    target, _neighbour = dossiers
    with attacker(world) as conn:
        for old, new in ((2, -1), (3, 2), (-1, 3)):
            set_entry(conn, target, old, seq=new)
        assert named(conn, world) == [(target, 2, "prev_hash")]


def test_a_state_changed_without_an_entry_names_the_dossier(world: World, dossiers: tuple[int, int]) -> None:
    target, _neighbour = dossiers
    with attacker(world) as conn:
        conn.execute(update(_d).where(_d.c.id == target).values(state="official"))
        assert named(conn, world) == [(target, None, "state")]
        found = verify(conn, org_id=world.orgs["district"]).breaks[0]
        assert found.line().startswith(f"Hồ sơ {target}: trạng thái hồ sơ 'official'")


def test_a_consistently_rewritten_chain_passes_alone_but_fails_an_earlier_anchor(world: World, dossiers: tuple[int, int]) -> None:
    target, _neighbour = dossiers
    with attacker(world) as conn:
        earlier = anchor(conn)
        assert verify(conn, anchors=[earlier], org_id=world.orgs["district"]).ok
        previous = GENESIS
        for seq in range(1, ENTRIES + 1):
            row = entry(conn, target, seq)
            fields = stored_fields(row)
            if seq == 2:
                fields["actor_name"] = "Kẻ Giả Mạo"
            digest = entry_hash(previous, fields)
            set_entry(conn, target, seq, actor_name=fields["actor_name"], prev_hash=previous, hash=digest)
            previous = digest
        conn.execute(update(_d).where(_d.c.id == target).values(head_hash=previous))
        assert named(conn, world) == []
        report = verify(conn, org_id=world.orgs["district"], anchors=[earlier])
        assert not report.ok and report.breaks == []
        assert [check.ok for check in report.anchors] == [False]
        assert "viết lại" in report.anchors[0].message
        assert anchor(conn) != earlier


def test_an_anchor_taken_earlier_holds_after_new_entries(world: World, dossiers: tuple[int, int]) -> None:
    target, _neighbour = dossiers
    with world.engine.connect() as conn:
        earlier = anchor(conn)
    trigger, facts = list(world.journey())[ENTRIES - 1]
    assert world.advance(target, trigger, facts).applied
    report = verify(world.engine, org_id=world.orgs["district"], anchors=[earlier])
    assert report.ok and [c.ok for c in report.anchors] == [True]
    later = anchor(world.engine)
    assert later.count == earlier.count + 1 and later.last_id > earlier.last_id


def test_since_verifies_only_dossiers_with_recent_entries(world: World, dossiers: tuple[int, int]) -> None:
    target, neighbour = dossiers
    with attacker(world) as conn:
        recent = entry(conn, target, ENTRIES)["at"]
        conn.execute(update(_t).where(_t.c.dossier_id == neighbour).values(at=recent - timedelta(days=400)))
        conn.execute(update(_t).where(_t.c.dossier_id == target, _t.c.seq < ENTRIES).values(at=recent - timedelta(days=400)))
        report = verify(conn, org_id=world.orgs["district"], since=recent.date() - timedelta(days=1))
        assert report.dossiers == 1
        assert [(b.dossier_id, b.kind) for b in report.breaks] == [(target, "hash")]  # the whole chain is verified


def test_reading_in_small_batches_finds_the_same(world: World, dossiers: tuple[int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries and dossier rows stream in batches side by side (server-side cursors on PostgreSQL)."""
    target, _neighbour = dossiers
    monkeypatch.setattr(audit_log, "BATCH", 2)
    with attacker(world) as conn:
        set_entry(conn, target, ENTRIES - 1, actor_name="Kẻ Giả Mạo")
        assert named(conn, world) == [(target, ENTRIES - 1, "hash")]
        assert anchor(conn).count == conn.execute(select(func.count()).select_from(_t)).scalar_one()


def test_json_is_stored_in_canonical_form_and_a_reformatted_text_keeps_its_meaning(world: World, dossiers: tuple[int, int]) -> None:
    """SQLite stores facts and rule results as the canonical bytes the hash covers (verification
    there splices them in unparsed); a text rewritten with the same meaning (spaces, another key
    order, as older rows and PostgreSQL's jsonb have them) still verifies, by decoding. A text
    with another meaning is named. (jsonb keeps no formatting: on PostgreSQL only the last part.)"""
    target = dossiers[0]
    with attacker(world) as conn:
        if conn.dialect.name == "sqlite":
            texts = conn.execute(select(_t.c.seq, cast(_t.c.facts, Text), cast(_t.c.rule_results, Text))
                                 .where(_t.c.dossier_id == target).order_by(_t.c.seq)).all()
            assert all(t == canonical_json(json.loads(t)) for _seq, *pair in texts for t in pair)
            assert sum(1 for _seq, facts, _r in texts if len(json.loads(facts)) > 1) >= 2  # key order to change
            for seq, facts, results in texts:
                reordered = dict(reversed(list(json.loads(facts).items())))
                conn.execute(text("UPDATE transition_log SET facts = :facts, rule_results = :results "
                                  "WHERE dossier_id = :d AND seq = :seq"),
                             {"facts": json.dumps(reordered, indent=1), "results": json.dumps(json.loads(results)),
                              "d": target, "seq": seq})
            assert conn.execute(select(cast(_t.c.facts, Text)).where(_t.c.dossier_id == target, _t.c.seq == 2)
                                ).scalar_one() != texts[1][1]
            assert named(conn, world) == []
        set_entry(conn, target, 3, facts={**entry(conn, target, 3)["facts"], "note": "thêm vào"})
        assert named(conn, world) == [(target, 3, "hash")]


def test_a_changed_copy_of_a_steps_facts_is_named(world: World, dossiers: tuple[int, int]) -> None:
    """dossier_facts holds the copy of each step's facts that the application reads: no trigger is
    needed to change it, and verify() must see that it no longer matches its (hashed) log entry."""
    target, neighbour = dossiers
    with world.engine.connect() as conn, conn.begin():
        fact = conn.execute(select(_f.c.id, _f.c.data, _f.c.log_entry_id).where(_f.c.dossier_id == target)
                            .order_by(_f.c.id).offset(2).limit(1)).one()
        seq = conn.execute(select(_t.c.seq).where(_t.c.id == fact.log_entry_id)).scalar_one()
        conn.execute(update(_f).where(_f.c.id == fact.id).values(data={**fact.data, "note": "GIẢ MẠO"}))
        assert named(conn, world) == [(target, seq, "facts")]
        conn.execute(update(_f).where(_f.c.id == fact.id).values(data=fact.data, log_entry_id=_last_entry_id(conn, neighbour)))
        assert named(conn, world) == [(target, None, "facts")]  # a copy pointing at another dossier's entry
        conn.rollback()


def _last_entry_id(conn: Connection, dossier_id: int) -> int:
    return int(conn.execute(select(func.max(_t.c.id)).where(_t.c.dossier_id == dossier_id)).scalar_one())
