"""`ketnap tokens create|list|revoke` on a migrated database (SQLite and PostgreSQL): shown once, stored as a digest."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from db_world import query
from db_world import run_cli as run

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def demo(fresh_database: Callable[[], str]) -> str:
    url = fresh_database()
    for args in (["init-db"], ["demo", "--size", "20", "--seed", "3"]):
        result = run(url, *args)
        assert result.exit_code == 0, result.output
    return url


def test_create_prints_the_token_once_and_stores_its_digest(demo: str) -> None:
    result = run(demo, "tokens", "create", "--user", "chiuy", "--name", "Đồng bộ dữ liệu", "--expires", "31/12/2027")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("ktn_") and len(token) > 40
    (row,) = query(demo, "SELECT t.digest, t.prefix, t.expires_on, u.username FROM api_tokens t JOIN users u ON u.id = t.user_id "
                         "WHERE t.digest = :d", d=hashlib.sha256(token.encode()).hexdigest())
    assert row.username == "chiuy" and token.startswith(row.prefix) and str(row.expires_on) == "2027-12-31"
    listing = run(demo, "tokens", "list", "--user", "chiuy")
    assert row.prefix in listing.output and token not in listing.output and "Đồng bộ dữ liệu" in listing.output


def test_bad_input_names_the_option_and_writes_nothing(demo: str) -> None:
    before = query(demo, "SELECT count(*) FROM api_tokens")[0][0]
    for args, option in ((["--user", "nobody", "--name", "x"], "--user"), (["--user", "chiuy", "--name", "   "], "--name"),
                         (["--user", "chiuy", "--name", "x", "--expires", "01/01/2001"], "--expires"),
                         (["--user", "chiuy", "--name", "x", "--expires", "31/02/2030"], "--expires")):
        result = run(demo, "tokens", "create", *args)
        assert result.exit_code == 2 and option in result.output, (args, result.output)
    assert query(demo, "SELECT count(*) FROM api_tokens")[0][0] == before


def test_revoke_then_the_token_is_listed_revoked_and_cannot_be_revoked_again(demo: str) -> None:
    token = run(demo, "tokens", "create", "--user", "danguy", "--name", "tạm").stdout.strip()
    (token_id,) = query(demo, "SELECT id FROM api_tokens WHERE digest = :d", d=hashlib.sha256(token.encode()).hexdigest())[0]
    assert run(demo, "tokens", "revoke", str(token_id)).exit_code == 0
    assert query(demo, "SELECT revoked_at IS NOT NULL FROM api_tokens WHERE id = :i", i=token_id)[0][0]
    assert "thu hồi" in run(demo, "tokens", "list", "--user", "danguy").output
    again = run(demo, "tokens", "revoke", str(token_id))
    assert again.exit_code == 2 and "TOKEN_ID" in again.output
    actions = [r[0] for r in query(demo, "SELECT action FROM access_log WHERE action LIKE '%api_token' ORDER BY id")]
    assert actions.count("revoke_api_token") == 1 and "create_api_token" in actions
