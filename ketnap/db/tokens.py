"""Per-user API tokens: made, listed, revoked, and checked on each API request.

A token is `ktn_` followed by 43 random URL-safe characters (256 bits). Only its SHA-256 digest is
stored: a token of that entropy needs no slow password hash, and the digest alone cannot be used to
sign in, so the plain token is shown once, when it is made. A token acts as its user, with the user's
role and organisation; a revoked or expired token, or one whose user has been deactivated, is refused.
Its first 12 characters are kept to tell tokens apart in lists. A token expires after a year unless
its maker chooses another day (at most two years).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import OperationalError

from ..workflows.schemas import CONTROL
from .models import ApiToken, User, table_of
from .session import sqlite_write_refused

_k, _u = table_of(ApiToken), table_of(User)

PREFIX = "ktn_"
SHOWN = 12  # characters of a token kept in clear to tell tokens apart
NAME_MAX = 100
MAX_DAYS = 730  # a token lives at most two years
DEFAULT_DAYS = 365  # and one year unless its maker says otherwise
TOUCH_EVERY = timedelta(minutes=5)  # last_used_at is written at most this often per token


class TokenError(ValueError):
    """Bad input, per field: {"name": "...", "expires_on": "..."}."""

    def __init__(self, field_errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in field_errors.items()))
        self.field_errors = field_errors


@dataclass(frozen=True)
class NewToken:
    id: int
    token: str  # shown once


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_problems(name: str | None, expires_on: date | None, today: date) -> dict[str, str]:
    """What is wrong with a new token's name and expiry, by field."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = f"Đặt tên cho mã truy cập, tối đa {NAME_MAX} ký tự (name: 1–{NAME_MAX} characters)"
    elif CONTROL.search(name):  # a NUL would not even reach the table on PostgreSQL
        errors["name"] = "Tên không được chứa ký tự điều khiển (no control characters in the name)"
    if expires_on is not None and not today < expires_on <= today + timedelta(days=MAX_DAYS):
        errors["expires_on"] = (f"Ngày hết hạn phải sau hôm nay và trong vòng {MAX_DAYS} ngày "
                                f"(expiry: after today, within {MAX_DAYS} days)")
    return errors


def create_token(conn: Connection, user_id: int, name: str, expires_on: date | None, today: date,
                 now: datetime | None = None) -> NewToken:
    """Make a token for the user, expiring on `expires_on` (default: in DEFAULT_DAYS); TokenError names each bad
    field and nothing is written then."""
    errors = token_problems(name, expires_on, today)
    expires_on = expires_on or today + timedelta(days=DEFAULT_DAYS)
    name = (name or "").strip()
    if conn.execute(select(_u.c.id).where(_u.c.id == user_id, _u.c.active.is_(True))).first() is None:
        errors["user"] = f"Không có người dùng {user_id} đang hoạt động (no such active user)"
    if errors:
        raise TokenError(errors)
    token = PREFIX + secrets.token_urlsafe(32)
    token_id = conn.execute(_k.insert().values(
        user_id=user_id, name=name, prefix=token[:SHOWN], digest=digest(token), created_at=now or datetime.now(UTC),
        expires_on=expires_on,
    ).returning(_k.c.id)).scalar_one()
    return NewToken(int(token_id), token)


def list_tokens(conn: Connection, user_id: int | None = None) -> list[dict[str, Any]]:
    """Tokens, newest first, with their user's name (every user's when `user_id` is None)."""
    query = (select(_k.c.id, _k.c.user_id, _u.c.username, _k.c.name, _k.c.prefix, _k.c.created_at, _k.c.expires_on,
                    _k.c.last_used_at, _k.c.revoked_at)
             .join(_u, _u.c.id == _k.c.user_id).order_by(_k.c.id.desc()))
    if user_id is not None:
        query = query.where(_k.c.user_id == user_id)
    return [dict(row._mapping) for row in conn.execute(query)]


def revoke_token(conn: Connection, token_id: int, user_id: int | None = None, now: datetime | None = None) -> bool:
    """Revoke a token (only the user's own when `user_id` is given); whether a live one was revoked."""
    where = [_k.c.id == token_id, _k.c.revoked_at.is_(None)]
    if user_id is not None:
        where.append(_k.c.user_id == user_id)
    return bool(conn.execute(update(_k).where(*where).values(revoked_at=now or datetime.now(UTC))).rowcount)


def token_user(conn: Connection, token: str, today: date, now: datetime | None = None) -> Any | None:
    """The active user a live token belongs to, or None. Notes the token's use (at most every few minutes)."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = conn.execute(
        select(_k.c.id.label("token_id"), _k.c.expires_on, _k.c.last_used_at, _u)
        .join(_u, _u.c.id == _k.c.user_id)
        .where(_k.c.digest == digest(token), _k.c.revoked_at.is_(None), _u.c.active.is_(True))
    ).first()
    if row is None or (row.expires_on is not None and row.expires_on < today):
        return None
    now = now or datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        try:
            conn.execute(update(_k).where(_k.c.id == row.token_id).values(last_used_at=now))
        except OperationalError as err:  # SQLite, another connection writing: the note waits for a later request
            if not sqlite_write_refused(err):
                raise
    return row
