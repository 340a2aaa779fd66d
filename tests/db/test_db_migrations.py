"""Migrations create exactly the models' schema, seed the organisation levels and protect the log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from db_world import World
from sqlalchemy import inspect, select, text, update
from sqlalchemy.exc import DBAPIError

from ketnap.db.migrate import current, head, seed_levels, upgrade
from ketnap.db.models import DATABASE_ONLY_INDEXES, OrgLevel, TransitionLog, metadata
from ketnap.db.session import make_engine
from ketnap.workflows.vocab import ORG_LEVELS

pytestmark = pytest.mark.db


def test_upgrade_from_empty_creates_exactly_the_models_schema(fresh_database: Callable[[], str]) -> None:
    url = fresh_database()
    assert current(url) is None
    upgrade(url)
    assert current(url) == head() == "0012"
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _not_database_only})
            assert compare_metadata(context, metadata) == []
            indexes = {ix["name"] for ix in inspect(conn).get_indexes("candidates")}
            assert ("ix_candidates_search_name_trgm" in indexes) == (conn.dialect.name == "postgresql")
    finally:
        engine.dispose()


def _not_database_only(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (type_ == "index" and name in DATABASE_ONLY_INDEXES)


def test_a_name_search_on_postgresql_uses_the_trigram_index(fresh_database: Callable[[], str]) -> None:
    url = fresh_database()
    if not url.startswith("postgresql"):
        pytest.skip("the trigram index is PostgreSQL's (migration 0012); SQLite scans its folded names")
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # an empty table: ask whether the index can answer
            plan = "\n".join(r[0] for r in conn.exec_driver_sql(
                "EXPLAIN SELECT id FROM candidates WHERE search_name LIKE '%%' || %(key)s || '%%' ESCAPE '/'", {"key": "nguyen van"}))
        assert "ix_candidates_search_name_trgm" in plan, plan
    finally:
        engine.dispose()


def test_levels_are_seeded_and_reseeding_corrects_without_duplicating(fresh_database: Callable[[], str]) -> None:
    url = fresh_database()
    upgrade(url)
    upgrade(url)
    engine = make_engine(url)
    levels = OrgLevel.__table__
    try:
        with engine.begin() as conn:
            rows = {r.code: (r.name_vi, r.rank) for r in conn.execute(select(levels))}
            assert rows == ORG_LEVELS
            conn.execute(update(levels).where(levels.c.code == "branch").values(name_vi="sai", rank=99))
            seed_levels(conn)
            assert conn.execute(select(levels.c.name_vi, levels.c.rank).where(levels.c.code == "branch")).one() == ORG_LEVELS["branch"]
            assert len(conn.execute(select(levels.c.code)).scalars().all()) == len(ORG_LEVELS)
    finally:
        engine.dispose()


@pytest.mark.parametrize("statement", ["UPDATE transition_log SET actor_name = 'x' WHERE dossier_id = :id",
                                       "DELETE FROM transition_log WHERE dossier_id = :id"])
def test_transition_log_refuses_update_and_delete(world: World, statement: str) -> None:
    dossier_id = world.open()
    with pytest.raises(DBAPIError, match="append-only"), world.engine.begin() as conn:
        conn.execute(text(statement), {"id": dossier_id})
    with world.engine.connect() as conn:
        names = conn.execute(select(TransitionLog.actor_name).where(TransitionLog.dossier_id == dossier_id)).scalars().all()
    assert names == ["Trần Thị Bí Thư"]
