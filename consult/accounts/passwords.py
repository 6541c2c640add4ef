"""Password hashing with Argon2id (memory-hard). Tests use cheap parameters."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_STANDARD = PasswordHasher()
_FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
MIN_PASSWORD_LENGTH = 12


def hasher(cost: str) -> PasswordHasher:
    return _FAST if cost == "fast" else _STANDARD


def hash_password(password: str, cost: str = "standard") -> str:
    return hasher(cost).hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _STANDARD.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"at least {MIN_PASSWORD_LENGTH} characters are needed"
    if password.strip() == "" or len(set(password)) < 5:
        return "too simple: use a passphrase of several words"
    return None
