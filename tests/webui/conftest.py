"""Web UI fixtures: a demo district in a database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
the Flask app over it, and a browser-like client that signs in and sends the CSRF token like a form would.

The demo database is built once per backend and shared: a test that changes dossiers adds its own
candidate first (`client.add_source`) so tests do not depend on each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from api_world import ApiClient, make_token
from flask import Flask
from sqlalchemy import select
from web_world import Browser

from ketnap.db.migrate import upgrade
from ketnap.db.models import User, table_of
from ketnap.demo import build_demo
from ketnap.webui import create_app, services


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


@pytest.fixture()
def api(app: Flask) -> Callable[..., ApiClient]:
    """api('chiuy') -> an API client with a fresh token of that demo user."""

    def client(username: str, lang: str | None = None) -> ApiClient:
        return ApiClient(app, make_token(services_of(app).engine, username)[1], lang)

    return client
