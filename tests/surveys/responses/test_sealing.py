"""Sealing without the app: what a key opens, and what it does not."""

from __future__ import annotations

import pytest

from consult.surveys.invitations.tokens import new_token, token_hash
from consult.surveys.responses.sealing import (
    BALLOT,
    DRAFT,
    SealError,
    ballot_key,
    draft_key,
    seal,
    unseal,
)


def test_a_sealed_value_opens_with_its_key_and_purpose():
    key = draft_key("A" * 22)
    value = {"answers": {"P01.1": 4}, "comments": {"P01": "Élan, naïve café"}}
    assert unseal(key, seal(key, value, DRAFT), DRAFT) == value


@pytest.mark.parametrize(
    "other_key, other_purpose",
    [(draft_key("B" * 22), DRAFT), (draft_key("A" * 22), BALLOT), (ballot_key("app secret"), DRAFT)],
)
def test_another_key_or_purpose_cannot_open_it(other_key, other_purpose):
    sealed = seal(draft_key("A" * 22), {"answers": {}}, DRAFT)
    with pytest.raises(SealError):
        unseal(other_key, sealed, other_purpose)


def test_an_altered_byte_is_refused():
    key = ballot_key("app secret")
    sealed = bytearray(seal(key, {"a": "0102"}, BALLOT))
    sealed[-1] ^= 1
    with pytest.raises(SealError):
        unseal(key, bytes(sealed), BALLOT)


def test_the_draft_key_is_not_the_stored_token_hash_and_each_seal_differs():
    token = new_token()
    assert draft_key(token) != token_hash(token)
    key = draft_key(token)
    assert seal(key, {"x": 1}, DRAFT) != seal(key, {"x": 1}, DRAFT)


def test_nothing_of_the_value_shows_in_the_sealed_bytes():
    sealed = seal(draft_key(new_token()), {"comments": {"P01": "a recognisable sentence"}}, DRAFT)
    assert b"recognisable" not in sealed and b"P01" not in sealed
