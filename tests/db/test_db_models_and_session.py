"""The models' own behaviour (NFC text, UTC timestamps, optimistic locking) and the engine configuration."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from db_world import World
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ketnap.db.models import Dossier, Organisation
from ketnap.db.session import DEFAULT_URL, database_url, make_engine

pytestmark = pytest.mark.db


def test_text_is_stored_nfc_through_the_orm_and_timestamps_come_back_utc(world: World) -> None:
    plus7 = timezone(timedelta(hours=7))
    dossier_id = world.open()
    with Session(world.engine) as session:
        org = session.get(Organisation, world.orgs["branch"])
        assert org is not None
        org.name = unicodedata.normalize("NFD", "Chi bộ thôn Đông Yên")
        dossier = session.get(Dossier, dossier_id)
        assert dossier is not None
        dossier.updated_at = datetime(2026, 1, 1, 8, 0, tzinfo=plus7)
        session.commit()
    with world.engine.connect() as conn:
        assert conn.execute(select(Organisation.name).where(Organisation.id == world.orgs["branch"])).scalar_one() == "Chi bộ thôn Đông Yên"
        stored = conn.execute(select(Dossier.updated_at).where(Dossier.id == dossier_id)).scalar_one()
    assert stored == datetime(2026, 1, 1, 1, 0, tzinfo=UTC) and stored.utcoffset() == timedelta(0)


def test_orm_updates_are_refused_when_the_version_moved(world: World) -> None:
    dossier_id = world.open()
    with Session(world.engine, expire_on_commit=False) as session:
        dossier = session.get(Dossier, dossier_id)
        assert dossier is not None
        session.commit()
        with world.engine.begin() as conn:
            conn.execute(update(Dossier).where(Dossier.id == dossier_id).values(version=Dossier.version + 1))
        dossier.state = "withdrawn"
        with pytest.raises(StaleDataError):
            session.commit()


def test_database_url_comes_from_the_environment_or_instance_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert database_url({"DATABASE_URL": "postgresql+psycopg://x/y"}) == "postgresql+psycopg://x/y"
    assert not (tmp_path / "instance").exists()
    assert database_url({}) == DEFAULT_URL == "sqlite:///instance/ketnap.sqlite"
    assert (tmp_path / "instance").is_dir()


def test_sqlite_engines_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'k.sqlite'}")
    try:
        with engine.connect() as conn:
            pragmas = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in
                       ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}
    finally:
        engine.dispose()
    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1, "busy_timeout": 5000}
