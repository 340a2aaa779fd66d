"""The demo data is stored so that its audit chain verifies, like data written by advance()."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from ketnap.db.migrate import upgrade
from ketnap.db.models import TransitionLog, table_of
from ketnap.db.session import make_engine
from ketnap.demo import build_demo
from ketnap.engine.audit import GENESIS, HASHED_FIELDS, entry_hash
from ketnap.engine.workflow import Workflow

pytestmark = pytest.mark.db


def test_demo_log_entries_verify(fresh_database: Callable[[], str], wf: Workflow) -> None:
    url = fresh_database()
    upgrade(url)
    engine = make_engine(url)
    try:
        build_demo(engine, wf, size=20, seed=7, progress=lambda _: None)
        log = table_of(TransitionLog)
        with engine.connect() as conn:
            rows = conn.execute(select(log).order_by(log.c.dossier_id, log.c.seq)).all()
    finally:
        engine.dispose()
    assert rows
    previous: dict[int, str] = {}
    for row in rows:
        fields = {name: getattr(row, name) for name in HASHED_FIELDS}
        fields["at"], fields["act_date"] = row.at.isoformat(), row.act_date.isoformat()
        assert row.prev_hash == previous.get(row.dossier_id, GENESIS)
        assert row.hash == entry_hash(row.prev_hash, fields), (row.dossier_id, row.seq)
        previous[row.dossier_id] = row.hash
