"""An API test client: a token made for a demo user, sent as `Authorization: Bearer` with every request."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import Engine
from werkzeug.test import TestResponse

from ketnap.db import queries
from ketnap.db.tokens import create_token
from ketnap.engine.service import local_today

PROBLEM = "application/problem+json"


def make_token(engine: Engine, username: str, expires_on: date | None = None) -> tuple[int, str]:
    with engine.begin() as conn:
        user = queries.user_by_name(conn, username)
        assert user is not None, username
        made = create_token(conn, user["id"], f"test {username}", expires_on, local_today())
    return made.id, made.token


class ApiClient:
    def __init__(self, app: Flask, token: str | None, lang: str | None = None):
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        if lang:
            self.headers["Accept-Language"] = lang

    def _call(self, method: str, url: str, headers: dict[str, str] | None = None, **kw: Any) -> TestResponse:
        return self.client.open(url, method=method, headers={**self.headers, **(headers or {})}, **kw)

    def get(self, url: str, **kw: Any) -> TestResponse:
        return self._call("GET", url, **kw)

    def post(self, url: str, json: Any = None, **kw: Any) -> TestResponse:
        return self._call("POST", url, json=json, **kw)

    def put(self, url: str, json: Any = None, **kw: Any) -> TestResponse:
        return self._call("PUT", url, json=json, **kw)

    def delete(self, url: str, **kw: Any) -> TestResponse:
        return self._call("DELETE", url, **kw)

    def step(self, dossier_id: int, trigger: str, facts: dict[str, Any], etag: str | None = None) -> TestResponse:
        if etag is None:
            etag = self.get(f"/api/v1/dossiers/{dossier_id}").headers["ETag"]
        return self.post(f"/api/v1/dossiers/{dossier_id}/transitions/{trigger}", json=facts, headers={"If-Match": etag})

    def new_source(self, branch_id: int, name: str = "Nguyễn Thị Api", born: str = "1998-03-05", **candidate: Any) -> TestResponse:
        body = {"branch_id": branch_id,
                "candidate": {"full_name": name, "date_of_birth": born, "gender": "female", "education": "upper_secondary", **candidate},
                "facts": {"registered_on": (local_today() - timedelta(days=30)).isoformat()}}
        return self.post("/api/v1/dossiers", json=body)
