"""What the benchmarks that build a database share: a SQLite one cached in bench/out/, built safely, and a
PostgreSQL schema of their own, dropped at the end."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url

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


def cached_sqlite(path: Path, build: Callable[[Engine], None], rebuild: bool) -> tuple[str, float]:
    """The URL of the SQLite database cached as `path`, built by `build` on a migrated database (in
    `building`) when missing or when asked, then migrated to the newest revision (a cached one gets the
    migrations written since it was built); and the seconds building took (0: reused)."""
    path.parent.mkdir(exist_ok=True)
    took = 0.0
    if rebuild or not path.exists():
        started = time.perf_counter()
        with building(path) as engine:
            build(engine)
        took = time.perf_counter() - started
    url = f"sqlite:///{path}"
    upgrade(url)
    return url, took


def schema_url(server_url: str, schema: str) -> str:
    """The URL of a PostgreSQL server with `schema` first on the search path."""
    return make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@contextmanager
def postgresql_schema(server_url: str, prefix: str, keep: bool = False) -> Iterator[str]:
    """A new schema of its own on the PostgreSQL server (`prefix` and 8 random hex digits), migrated to the
    newest revision: yields the URL that works in it; the schema is dropped when the block ends (unless `keep`)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        try:
            url = schema_url(server_url, schema)
            upgrade(url)
            yield url
        finally:
            if not keep:
                with admin.begin() as conn:
                    conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        admin.dispose()
