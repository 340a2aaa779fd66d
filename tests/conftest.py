"""Fixtures shared by every test folder: the database backends (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set) and a factory of fresh, empty databases on them.

SQLite databases are files in pytest's temporary directory. On PostgreSQL each database is a schema
of its own (`ketnap_test_<random>`, reached through the connection's search_path), dropped at the
end of the session, so concurrent test runs against the same server do not see each other.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest

# A cheap Argon2 for the test run (the demo hashes its users' passwords); production keeps the defaults.
os.environ.setdefault("KETNAP_FAST_HASH", "1")
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url

PG_ENV = "TEST_DATABASE_URL"
PG_SKIP_REASON = (
    f"!!! PostgreSQL NOT TESTED: {PG_ENV} is not set. Set it (e.g. {PG_ENV}=postgresql+psycopg://postgres@127.0.0.1:5432/test) "
    "to run the database tests on PostgreSQL as well as SQLite !!!"
)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not os.environ.get(PG_ENV):
        terminalreporter.write_line(PG_SKIP_REASON, red=True, bold=True)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not os.environ.get(PG_ENV):
        pytest.skip(PG_SKIP_REASON)
    return str(request.param)


@pytest.fixture(scope="session")
def fresh_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """A factory of empty databases (URLs); the PostgreSQL schemas it creates are dropped afterwards."""
    schemas: list[str] = []
    admin: Engine | None = create_engine(os.environ[PG_ENV]) if backend == "postgresql" else None

    def make() -> str:
        if admin is None:
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'ketnap.sqlite'}"
        schema = f"ketnap_test_{uuid.uuid4().hex[:12]}"
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        schemas.append(schema)
        url = make_url(os.environ[PG_ENV]).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.begin() as conn:
            for schema in schemas:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
