"""The demo data is stored so that its audit chain verifies, like data written by advance()."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select, text

from ketnap.db.migrate import upgrade
from ketnap.db.models import TransitionLog, table_of
from ketnap.db.session import make_engine
from ketnap.demo import build_demo
from ketnap.engine.audit import GENESIS, HASHED_FIELDS, entry_hash
from ketnap.engine.workflow import Workflow

pytestmark = pytest.mark.db


@pytest.mark.parametrize("shape", ["commune", "district"])
def test_demo_log_entries_verify(fresh_database: Callable[[], str], wf: Workflow, shape: str) -> None:
    """Both tree shapes, several batches, and a second demo into a database that already has one."""
    url = fresh_database()
    upgrade(url)
    engine = make_engine(url)
    try:
        build_demo(engine, wf, size=20, seed=7, shape=shape, progress=lambda _: None, batch=7)
        build_demo(engine, wf, size=9, seed=8, shape=shape, progress=lambda _: None)
        log = table_of(TransitionLog)
        with engine.connect() as conn:
            rows = conn.execute(select(log).order_by(log.c.dossier_id, log.c.seq)).all()
            dossiers = conn.execute(text("SELECT count(*), count(DISTINCT candidate_id) FROM dossiers")).one()
            deciders = conn.execute(text(
                "SELECT DISTINCT o.level_code FROM transition_log l JOIN organisations o "
                "ON o.id = CAST(l.facts->>'deciding_org_id' AS INTEGER) WHERE l.trigger = 'record_admission_decision'"
            )).scalars().all() if engine.dialect.name == "postgresql" else None
            last_act = conn.execute(text("SELECT max(act_date) FROM transition_log")).scalar()
    finally:
        engine.dispose()
    assert rows
    assert tuple(dossiers) == (29, 29)
    if deciders is not None:
        assert set(deciders) <= ({"district", "grassroots_committee"} if shape == "district" else {"commune", "grassroots_committee"})
    if shape == "district":
        assert str(last_act) <= "2025-06-30", "district-shape acts end when districts did"
    previous: dict[int, str] = {}
    for row in rows:
        fields = {name: getattr(row, name) for name in HASHED_FIELDS}
        fields["at"], fields["act_date"] = row.at.isoformat(), row.act_date.isoformat()
        assert row.prev_hash == previous.get(row.dossier_id, GENESIS)
        assert row.hash == entry_hash(row.prev_hash, fields), (row.dossier_id, row.seq)
        previous[row.dossier_id] = row.hash
