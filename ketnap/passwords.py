"""Password hashing with Argon2id (argon2-cffi): the web log-in, the CLI and the demo users share it."""

from __future__ import annotations

import os
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Tests may ask for a cheap hasher (KETNAP_FAST_HASH=1); production keeps argon2-cffi's defaults.
_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if os.environ.get("KETNAP_FAST_HASH") else PasswordHasher()
MIN_LENGTH = 10


@cache
def _dummy() -> str:
    """A hash of a random password, verified against when the user is unknown so that both answers take
    as long; made on the first sign-in, not when every process (each CLI command) imports this module."""
    return _hasher.hash(os.urandom(16).hex())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; an unknown user (None) costs the same time and fails."""
    try:
        return _hasher.verify(stored or _dummy(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is not acceptable (Vietnamese and English), or None."""
    if len(password) < MIN_LENGTH:
        return f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự (at least {MIN_LENGTH} characters)."
    if username and username.lower() in password.lower():
        return "Mật khẩu không được chứa tên đăng nhập (must not contain the user name)."
    return None
