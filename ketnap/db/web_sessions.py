"""Web sessions kept on the server, so that signing out really ends one.

Flask's session is a signed cookie: valid until it expires, whatever happens on the server. At sign-in a
random session key (256 bits) goes into that cookie and its SHA-256 digest into `web_sessions`; every
request's user is looked up through a live record (`session_user`). Signing out ends the record, so the
cookie, replayed, signs nothing in; changing one's password ends the user's other sessions; a session
also ends `lifetime` after it began (the cookie's own lifetime, enforced here as well).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from .models import User, WebSession, table_of

_s, _u = table_of(WebSession), table_of(User)

TOUCH_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often per session


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start_session(conn: Connection, user_id: int, remote_addr: str | None, now: datetime | None = None) -> str:
    """A new session of the user: its key, for the cookie (only the digest is stored)."""
    key = secrets.token_urlsafe(32)
    now = now or datetime.now(UTC)
    conn.execute(insert(_s).values(digest=digest(key), user_id=user_id, created_at=now, last_seen_at=now, ended_at=None,
                                   remote_addr=(remote_addr or "")[:64] or None))
    return key


def session_user(conn: Connection, user_id: int, key: str, lifetime: timedelta, now: datetime | None = None) -> tuple[Any | None, bool]:
    """The active user of a live session with this key, or None (ended, too old, another user's, unknown); and
    whether the session's last use was written (then the caller commits)."""
    if not key or len(key) > 100:
        return None, False
    now = now or datetime.now(UTC)
    row = conn.execute(
        select(_s.c.last_seen_at, _s.c.created_at, _u)
        .join(_u, _u.c.id == _s.c.user_id)
        .where(_s.c.digest == digest(key), _s.c.user_id == user_id, _s.c.ended_at.is_(None), _u.c.active.is_(True))
    ).first()
    if row is None or row.created_at <= now - lifetime:
        return None, False
    if now - row.last_seen_at < TOUCH_EVERY:
        return row, False
    conn.execute(update(_s).where(_s.c.digest == digest(key)).values(last_seen_at=now))
    return row, True


def end_session(conn: Connection, key: str, now: datetime | None = None) -> None:
    conn.execute(update(_s).where(_s.c.digest == digest(key), _s.c.ended_at.is_(None)).values(ended_at=now or datetime.now(UTC)))


def end_other_sessions(conn: Connection, user_id: int, keep: str | None, now: datetime | None = None) -> int:
    """End every live session of the user but the one with key `keep`; how many were ended."""
    where = [_s.c.user_id == user_id, _s.c.ended_at.is_(None)]
    if keep:
        where.append(_s.c.digest != digest(keep))
    return conn.execute(update(_s).where(*where).values(ended_at=now or datetime.now(UTC))).rowcount
