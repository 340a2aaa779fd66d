"""A browser-like test client for the web UI tests: signs in and sends the CSRF token like a form would."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ketnap.demo import DEMO_PASSWORD

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


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
