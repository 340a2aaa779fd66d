"""Schema migrations run from code: `upgrade(url)` to the newest revision, `current(url)` to ask.

The Alembic configuration is built here, pointing inside the installed package, so no alembic.ini is
needed. After migrating, `seed_levels` brings the organisation levels in line with
workflows.vocab.ORG_LEVELS (idempotent: inserts the missing, corrects changed names and ranks).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.engine import Engine

from ..workflows.vocab import ORG_LEVELS
from .models import OrgLevel, table_of
from .session import make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's Config, in code; with `connection`, env.py migrates on it."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def _engine(url: str | Engine) -> Iterator[Engine]:
    if isinstance(url, Engine):
        yield url
        return
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def upgrade(url: str | Engine, revision: str = "head") -> None:
    """Migrate the database to `revision` and seed the organisation levels, in one transaction."""
    with _engine(url) as engine, engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
        seed_levels(conn)


def current(url: str | Engine) -> str | None:
    """The revision the database is at; None for an empty database."""
    with _engine(url) as engine, engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str | None:
    """The newest revision shipped with this package."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def seed_levels(conn: Connection) -> None:
    """Insert or correct the org_levels rows from ORG_LEVELS; running it twice changes nothing."""
    table = table_of(OrgLevel)
    existing = {row.code: (row.name_vi, row.rank) for row in conn.execute(select(table.c.code, table.c.name_vi, table.c.rank))}
    missing = [{"code": code, "name_vi": name, "rank": rank} for code, (name, rank) in ORG_LEVELS.items() if code not in existing]
    if missing:
        conn.execute(insert(table), missing)
    for code, (name, rank) in ORG_LEVELS.items():
        if code in existing and existing[code] != (name, rank):
            conn.execute(update(table).where(table.c.code == code).values(name_vi=name, rank=rank))
