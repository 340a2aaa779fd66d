"""Alembic environment: runs the migrations on the connection ketnap.db.migrate hands over.

Run through ketnap.db.migrate (`upgrade(url)`), which builds the Alembic Config in code; with no
connection given (the `alembic` command with `-x url=...`), one is made from that URL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ketnap.db.models import metadata
from ketnap.db.session import make_engine


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: pass a connection through ketnap.db.migrate, or -x url=...")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; use ketnap.db.migrate.upgrade(url)")
run_online()
