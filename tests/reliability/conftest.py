"""Reliability fixtures: a new migrated database for each test (SQLite, and PostgreSQL when TEST_DATABASE_URL
is set; see tests/conftest.py), since these tests race, kill and restart whole processes on it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ketnap.db.migrate import upgrade
from ketnap.engine.workflow import Workflow
from ketnap.workflows.admission import build_workflow


@pytest.fixture()
def url(fresh_database: Callable[[], str]) -> str:
    made = fresh_database()
    upgrade(made)
    return made


@pytest.fixture(scope="session")
def wf() -> Workflow:
    return build_workflow()
