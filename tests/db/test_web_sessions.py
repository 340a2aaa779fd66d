"""Web sessions kept on the server (db.web_sessions), SQLite and PostgreSQL: live until ended, too old or the user is
deactivated; only the key's digest is stored; the last use written at most every few minutes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, select, update

from ketnap.db.migrate import upgrade
from ketnap.db.models import User, WebSession, table_of
from ketnap.db.session import make_engine
from ketnap.db.web_sessions import TOUCH_EVERY, end_other_sessions, end_session, session_user, start_session

pytestmark = pytest.mark.db
_s, _u = table_of(WebSession), table_of(User)
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LIFE = timedelta(hours=8)


@pytest.fixture()
def engine(fresh_database: Callable[[], str]) -> Iterator[Engine]:
    url = fresh_database()
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(_u), [{"id": i, "username": f"u{i}", "full_name": f"User {i}", "role": "branch_committee",
                                   "password_hash": "x", "active": True} for i in (1, 2)])
    yield engine
    engine.dispose()


def test_a_session_lives_until_its_lifetime_ends_and_stores_only_a_digest(engine: Engine) -> None:
    with engine.begin() as conn:
        key = start_session(conn, 1, "10.0.0.7", now=T0)
        stored = conn.execute(select(_s)).one()
    assert stored.digest == hashlib.sha256(key.encode()).hexdigest() and key not in str(stored._mapping)
    assert stored.remote_addr == "10.0.0.7"
    with engine.begin() as conn:
        assert session_user(conn, 1, key, LIFE, now=T0 + LIFE - timedelta(seconds=1))[0].username == "u1"
        assert session_user(conn, 1, key, LIFE, now=T0 + LIFE) == (None, False)  # the lifetime's last instant is out
        assert session_user(conn, 2, key, LIFE, now=T0) == (None, False)  # another user's ID with this key
        assert session_user(conn, 1, key + "x", LIFE, now=T0) == (None, False)
        assert session_user(conn, 1, "", LIFE, now=T0) == (None, False)


def test_the_last_use_is_written_at_most_every_few_minutes(engine: Engine) -> None:
    with engine.begin() as conn:
        key = start_session(conn, 1, None, now=T0)
        assert session_user(conn, 1, key, LIFE, now=T0 + TOUCH_EVERY - timedelta(seconds=1))[1] is False
        assert session_user(conn, 1, key, LIFE, now=T0 + TOUCH_EVERY)[1] is True
        assert conn.execute(select(_s.c.last_seen_at)).scalar_one() == T0 + TOUCH_EVERY


def test_ending_and_deactivating(engine: Engine) -> None:
    with engine.begin() as conn:
        first, second, third = (start_session(conn, 1, None, now=T0) for _ in range(3))
        other = start_session(conn, 2, None, now=T0)
        end_session(conn, first, now=T0)
        assert session_user(conn, 1, first, LIFE, now=T0)[0] is None
        assert end_other_sessions(conn, 1, keep=second, now=T0) == 1  # the third; the first had ended already
        assert session_user(conn, 1, second, LIFE, now=T0)[0] is not None
        assert session_user(conn, 1, third, LIFE, now=T0)[0] is None
        assert session_user(conn, 2, other, LIFE, now=T0)[0] is not None
        conn.execute(update(_u).where(_u.c.id == 2).values(active=False))
        assert session_user(conn, 2, other, LIFE, now=T0)[0] is None
