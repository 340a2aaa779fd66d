"""What the benchmarks that cache a SQLite database in bench/out/ share: building it safely."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine

from ketnap.db.migrate import upgrade
from ketnap.db.session import make_engine


@contextmanager
def building(path: Path) -> Iterator[Engine]:
    """A migrated SQLite database written as `path`.partial and moved to `path` only when the block
    ends without error, so an interrupted build never leaves a half-built cache a later run would trust."""
    partial = path.with_suffix(".partial")
    for leftover in (path, partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite:///{partial}"
    upgrade(url)
    engine = make_engine(url)
    try:
        yield engine
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    partial.rename(path)
