"""What the web benchmarks share: a client signed in as a demo user, and a clock of the time spent in SQL."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
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
def sql_clock(engine: Engine) -> Iterator[list[float]]:
    """Seconds spent in SQL statements, added up in `spent[0]` while the block runs."""
    spent = [0.0]
    started: list[float] = []

    def before(*_args: Any) -> None:
        started.append(time.perf_counter())

    def after(*_args: Any) -> None:
        spent[0] += time.perf_counter() - started.pop()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield spent
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
