"""Database fixtures: every test here runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.

SQLite databases are files in pytest's temporary directory. On PostgreSQL each database is a schema
of its own (`ketnap_test_<random>`, reached through the connection's search_path), dropped at the
end of the session, so concurrent test runs against the same server do not see each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from db_world import World, build_world
from sqlalchemy.engine import Engine

from ketnap.db.migrate import upgrade
from ketnap.db.session import make_engine
from ketnap.engine.workflow import Workflow
from ketnap.workflows.admission import build_workflow


@pytest.fixture(scope="session")
def db_url(fresh_database: Callable[[], str]) -> str:
    """A migrated database shared by the session's tests; each test builds its own organisations in it."""
    url = fresh_database()
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def wf() -> Workflow:
    return build_workflow()


@pytest.fixture()
def world(engine: Engine, wf: Workflow) -> World:
    """A district → grassroots committee → branch tree with three official members and a user, new for each test."""
    return build_world(engine, wf)
