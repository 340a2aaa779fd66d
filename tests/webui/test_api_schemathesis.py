"""Schemathesis against the app's own OpenAPI document: no 5xx, and every answer as the document says.

Runs on a demo district of its own (the random requests add dossiers and targets), as the grassroots
staff, whose role may take most steps. Half the generated dossier IDs are replaced by real ones and,
for steps, half the generated If-Match values by the dossier's true ETag, so that the random facts reach
the rules and the database rather than stopping at 404 or 412. KETNAP_FUZZ_EXAMPLES sets the number
of examples per operation (default 25).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from api_world import make_token
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ketnap.db.migrate import upgrade
from ketnap.demo import build_demo
from ketnap.webui import create_app, services

pytestmark = pytest.mark.db
EXAMPLES = int(os.environ.get("KETNAP_FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_app(fresh_database: Any) -> Iterator[Flask]:
    url = fresh_database()
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "fuzz", "RATELIMIT_ENABLED": False})
    with app.app_context():
        build_demo(services().engine, services().workflow, size=60, seed=5, progress=lambda _m: None)
    yield app
    with app.app_context():
        services().engine.dispose()


@pytest.fixture(scope="module")
def fuzz_world(fuzz_app: Flask) -> dict[str, Any]:
    with fuzz_app.app_context():
        token = make_token(services().engine, "danguy")[1]
    listed = fuzz_app.test_client().get("/api/v1/dossiers?per_page=200", headers={"Authorization": f"Bearer {token}"}).get_json()
    ids = [d["id"] for d in listed["items"]]
    assert ids, "the fuzzing user's scope holds no dossier"
    return {"ids": ids, "token": token}


def _aim(case: Any, world: dict[str, Any], app: Flask) -> None:
    """Point half the cases at real dossiers, and half the steps at the dossier's current version."""
    params = case.path_parameters or {}
    generated = params.get("dossier_id")
    if isinstance(generated, int) and generated % 2 == 0 and world["ids"]:
        params["dossier_id"] = world["ids"][generated % len(world["ids"])]
        if "/transitions/" in case.path and len(str((case.headers or {}).get("If-Match", ""))) % 2 == 0:
            current = app.test_client().get(f"/api/v1/dossiers/{params['dossier_id']}",
                                            headers={"Authorization": f"Bearer {world['token']}"})
            if current.status_code == 200:
                case.headers = {**(case.headers or {}), "If-Match": current.headers["ETag"]}


def test_api_answers_as_its_openapi_document_says(fuzz_world: dict[str, Any], fuzz_app: Flask) -> None:
    """Every operation of the document, EXAMPLES generated cases each (schemathesis' strategies driven by Hypothesis
    here, as its pytest plugin's lazy fixtures do not run under pytest 9)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    document = fuzz_app.test_client().get("/api/v1/openapi.json").get_json()
    assert len(operations) == sum(len(set(item) & {"get", "post", "put", "delete"}) for item in document["paths"].values()) > 30
    calls: dict[str, int] = {}

    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            _aim(case, fuzz_world, fuzz_app)
            response = case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_world['token']}"}, checks=CHECKS)
            calls[str(response.status_code)] = calls.get(str(response.status_code), 0) + 1

        check()
    print(f"schemathesis: {sum(calls.values())} requests over {len(operations)} operations, by status: {dict(sorted(calls.items()))}")
    assert calls.get("200", 0) > 0 and calls.get("422", 0) > 0
