"""Invitation tokens: 128 random bits, shown once, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 16
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> bytes:
    """A fast hash is enough: 128 random bits cannot be guessed, so no slow key derivation is needed."""
    return hashlib.sha256(token.encode("ascii")).digest()


def looks_like_token(token: str) -> bool:
    return bool(TOKEN_PATTERN.match(token))
