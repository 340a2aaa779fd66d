"""Where the database is and how to connect: the URL from the environment, engines, sessions.

SQLite is configured for many readers and one writer (WAL, synchronous=NORMAL, foreign keys on, a
5-second busy timeout) and given real transactions: the driver's own implicit BEGIN (only before
writes) is switched off and SQLAlchemy emits BEGIN when a transaction starts, so everything a unit
of work reads comes from one consistent snapshot.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..engine.audit import canonical_json

DEFAULT_URL = "sqlite:///instance/ketnap.sqlite"
SQLITE_BUSY = 5  # SQLite: the database is locked (another connection writes)
SQLITE_BUSY_SNAPSHOT = 517  # SQLite's extended code: this read transaction may not write, another one committed since


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """DATABASE_URL, or a SQLite file in instance/ under the current directory (created if needed)."""
    env = os.environ if environ is None else environ
    url = env.get("DATABASE_URL")
    if url:
        return url
    Path("instance").mkdir(exist_ok=True)
    return DEFAULT_URL


def _json_dumps(value: Any) -> str:
    """JSON columns are written in the audit chain's canonical form (sorted keys, no spaces, UTF-8 as is):
    a log entry's facts and rule results are then stored as the very bytes its hash covers, which
    lets verification splice them in unparsed (engine.audit.spliced_hash)."""
    return canonical_json(value)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGIN."""
    engine = create_engine(url, json_serializer=_json_dumps, **kwargs)
    if make_url(url).get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.connection.driver_connection.execute("BEGIN")  # type: ignore[union-attr]


def sqlite_write_refused(err: OperationalError) -> bool:
    """SQLite refused the first write of a transaction that has read: another connection is writing (SQLITE_BUSY,
    at once: SQLite does not wait the busy timeout when a reader asks to write, waiting could not help, its snapshot
    would be stale) or has committed since (SQLITE_BUSY_SNAPSHOT). Nothing was written. A transaction whose first
    statement is the write waits for the lock instead."""
    return getattr(err.orig, "sqlite_errorcode", None) in (SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """ORM sessions for the web UI and the CLI: one per request or command."""
    return sessionmaker(engine, expire_on_commit=False)
