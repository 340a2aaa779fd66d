"""Prepared statements read and write exactly what Connection.execute would, on each database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from db_world import World
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from ketnap.db.models import Dossier, DossierFact, Organisation, TransitionLog
from ketnap.db.prepared import Prepared

pytestmark = pytest.mark.db

_t = TransitionLog.__table__


def test_rows_equal_what_core_returns(world: World) -> None:
    dossier_id = world.dossier_at("trained")
    statement = select(_t.c.seq, _t.c.at, _t.c.act_date, _t.c.facts, _t.c.rule_results).where(_t.c.dossier_id == bindparam("d"))
    with world.engine.connect() as conn:
        expected = [dict(row._mapping) for row in conn.execute(statement, {"d": dossier_id})]
        assert Prepared(statement).rows(conn, {"d": dossier_id}) == expected
    assert isinstance(expected[0]["act_date"], date) and expected[0]["at"].tzinfo is not None


def test_writes_read_back_through_core(world: World) -> None:
    d = Dossier.__table__
    at = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    dossier_id = world.open()
    bump = Prepared(update(d).where(d.c.id == bindparam("i")).values(updated_at=bindparam("at"), state_since=bindparam("day")))
    with world.engine.begin() as conn:
        assert bump.rowcount(conn, {"i": dossier_id, "at": at, "day": date(2025, 12, 31)}) == 1
    with world.engine.connect() as conn:
        assert conn.execute(select(d.c.updated_at, d.c.state_since).where(d.c.id == dossier_id)).one() == (at, date(2025, 12, 31))


def test_driver_errors_arrive_as_sqlalchemy_errors(world: World) -> None:
    statement = Prepared(insert(DossierFact.__table__).values(dossier_id=bindparam("d"), kind="x", act_date=date(2025, 1, 1), data={},
                                                              log_entry_id=10**9, superseded=False))
    with pytest.raises(IntegrityError), world.engine.begin() as conn:
        statement.rowcount(conn, {"d": world.open()})


def test_refuses_what_it_cannot_do_faithfully(world: World) -> None:
    o = Organisation.__table__
    with world.engine.connect() as conn:
        with pytest.raises(ValueError, match="expanding"):
            Prepared(select(o.c.id).where(o.c.id.in_(bindparam("ids", expanding=True)))).rows(conn, {"ids": [1]})
        with pytest.raises(ValueError, match="defaults"):
            Prepared(insert(o).values(code="x", name="x", level_code="branch")).rowcount(conn, {})
        with pytest.raises(KeyError):
            Prepared(select(o.c.id).where(o.c.id == bindparam("i"))).rows(conn, {})


def test_many_rows_get_the_parameters_each_would_get_alone(world: World) -> None:
    """parameters_many() keeps each column's processed values, per type: True and 1 stay different JSON."""
    f = DossierFact.__table__
    statement = Prepared(insert(f).values({c.name: bindparam(c.name, type_=c.type) for c in f.columns if c.name != "id"}))
    day, entry = date(2026, 3, 1), {"dossier_id": 1, "kind": "k", "act_date": date(2026, 3, 1), "log_entry_id": 1, "superseded": False}
    rows = [{**entry, "data": value, "act_date": day} for value in (True, 1, "1", {"a": 1}, True, [1], 1.0)]

    def plain(parameters: Any) -> Any:  # psycopg's Jsonb wrappers compare by identity: compare what they wrap
        values = parameters.values() if isinstance(parameters, dict) else parameters
        return [(type(v).__name__, v.obj) if type(v).__name__ == "Jsonb" else (type(v).__name__, v) for v in values]

    with world.engine.connect() as conn:
        compiled = statement._for(conn.dialect)
        assert [plain(p) for p in statement.parameters_many(conn.dialect, rows)] == [plain(compiled.parameters(row)) for row in rows]
