"""What the web benchmarks share: a client signed in as a demo user, and a clock of the time spent in SQL."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ketnap.demo import DEMO_PASSWORD

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    found = CSRF.search(client.get("/login").get_data(as_text=True))
    if found is None:
        raise SystemExit("no CSRF token on /login")
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": found.group(1) or found.group(2)})
    if response.status_code != 302:
        raise SystemExit(f"{username} could not sign in")
    return client


@contextmanager
def _each_statement(engine: Engine, done: Callable[[float, str, Any], None]) -> Iterator[None]:
    """While the block runs, `done(seconds, SQL, parameters)` after each statement of the engine."""
    started: list[float] = []

    def before(*_args: Any) -> None:
        started.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        done(time.perf_counter() - started.pop(), statement, parameters)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


@contextmanager
def caught(engine: Engine) -> Iterator[list[tuple[float, str, Any]]]:
    """The statements run while the block runs: (seconds, SQL, parameters)."""
    found: list[tuple[float, str, Any]] = []
    with _each_statement(engine, lambda seconds, sql, params: found.append((seconds, sql, params))):
        yield found


@contextmanager
def sql_clock(engine: Engine) -> Iterator[list[float]]:
    """Seconds spent in SQL statements, added up in `spent[0]` while the block runs."""
    spent = [0.0]

    def add(seconds: float, _sql: str, _params: Any) -> None:
        spent[0] += seconds

    with _each_statement(engine, add):
        yield spent
