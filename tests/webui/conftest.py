"""Web UI fixtures: a demo district in a database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
the Flask app over it, and a browser-like client that signs in and sends the CSRF token like a form would.

The demo database is built once per backend and shared: a test that changes dossiers adds its own
candidate first (`client.add_source`) so tests do not depend on each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from ketnap.db.migrate import upgrade
from ketnap.db.models import User, table_of
from ketnap.demo import DEMO_PASSWORD, build_demo
from ketnap.webui import create_app, services

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def demo_url(fresh_database: Callable[[], str]) -> str:
    url = fresh_database()
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def app(demo_url: str) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": demo_url, "TESTING": True, "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False})
    build_demo(services_of(app).engine, services_of(app).workflow, size=150, seed=11, progress=lambda _m: None)
    yield app
    services_of(app).engine.dispose()


def services_of(app: Flask) -> Any:
    with app.app_context():
        return services()


class Browser:
    """A test client that keeps the session's CSRF token and fills it into every POST, as the forms do."""

    def __init__(self, client: FlaskClient):
        self.client = client
        self.token: str | None = None

    def get(self, url: str, **kw: Any) -> TestResponse:
        response = self.client.get(url, **kw)
        self._remember(response)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, csrf: bool = True, **kw: Any) -> TestResponse:
        payload = dict(data or {})
        if csrf:
            if self.token is None:
                self.get("/login")
            payload.setdefault("csrf_token", self.token)
        response = self.client.post(url, data=payload, **kw)
        self._remember(response)
        return response

    def _remember(self, response: TestResponse) -> None:
        if response.mimetype == "text/html":
            found = CSRF.search(response.get_data(as_text=True))
            if found:
                self.token = found.group(1) or found.group(2)

    def login(self, username: str, password: str = DEMO_PASSWORD) -> TestResponse:
        self.get("/login")
        response = self.post("/login", {"username": username, "password": password})
        if response.status_code == 302:
            self.token = None
            self.get("/")  # signing in starts a new session, with a new CSRF token
        return response

    def add_source(self, name: str = "Nguyễn Thị Thử", born: str = "05/03/1998", **extra: Any) -> int:
        """Add a candidate through the form; returns the new dossier's ID."""
        page = self.get("/dossiers/new").get_data(as_text=True)
        branch = re.search(r'<option value="(\d+)"', page.split('id="branch_id"', 1)[1])
        assert branch, "no branch offered"
        data = {"branch_id": branch.group(1), "r-registered_on": date.today().strftime("%d/%m/%Y"), "c-full_name": name,
                "c-date_of_birth": born, "c-gender": "female", "c-education": "upper_secondary", "c-ethnicity": "Kinh",
                "c-source_category": "union_member", **extra}
        response = self.post("/dossiers/new", data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


@pytest.fixture()
def browser(app: Flask) -> Browser:
    return Browser(app.test_client())


@pytest.fixture()
def login(app: Flask) -> Callable[[str], Browser]:
    """login('chiuy') -> a Browser signed in as that demo user."""

    def sign_in(username: str) -> Browser:
        b = Browser(app.test_client())
        response = b.login(username)
        assert response.status_code == 302, f"{username} could not sign in"
        return b

    return sign_in


@pytest.fixture()
def demo_user(app: Flask) -> Callable[[str], dict[str, Any]]:
    users = table_of(User)

    def find(username: str) -> dict[str, Any]:
        with services_of(app).engine.connect() as conn:
            return dict(conn.execute(select(users).where(users.c.username == username)).one()._mapping)

    return find
