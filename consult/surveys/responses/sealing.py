"""Encryption at rest of what a respondent has not yet handed over for good: pending ballots and drafts.

A pending ballot is sealed with a key derived from the app's secret (configuration, never the database), so a
database reader or a backup cannot read it in the minutes before it is admitted. A draft is sealed with a key
derived from the respondent's own token, which is never stored: only the token's SHA-256 is, and that is
not the key. Without the link, nobody (administrators included) can read a draft, nor tie its content to
the invitation's e-mail address. AES-256-GCM, a random 96-bit nonce per message, the purpose bound in as
associated data so that a ballot can never be opened as a draft or the other way round. Pure module.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
BALLOT, DRAFT = b"consult ballot v1", b"consult draft v1"


class SealError(ValueError):
    """A sealed value that this key cannot open (another key, or altered bytes)."""


def derive_key(secret: str | bytes, purpose: bytes) -> bytes:
    """A 256-bit key for ``purpose``: HMAC-SHA-256 as the key-derivation function of a high-entropy secret."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, purpose, hashlib.sha256).digest()


def ballot_key(app_secret: str | bytes) -> bytes:
    return derive_key(app_secret, BALLOT)


def draft_key(token: str) -> bytes:
    """Distinct from ``tokens.token_hash`` (plain SHA-256 of the token), which is stored."""
    return derive_key(token, DRAFT)


def seal(key: bytes, value: Any, purpose: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    plain = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    return nonce + AESGCM(key).encrypt(nonce, plain, purpose)


def unseal(key: bytes, sealed: bytes, purpose: bytes) -> Any:
    nonce, body = bytes(sealed[:NONCE_BYTES]), bytes(sealed[NONCE_BYTES:])
    try:
        return json.loads(AESGCM(key).decrypt(nonce, body, purpose))
    except (InvalidTag, ValueError) as error:
        raise SealError("this value cannot be opened with this key") from error
