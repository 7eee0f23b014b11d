"""Checks of stored secrets without a wordlist: entropy from alphabet and length, published
secrets, and equal secrets found through keyed hashes."""

from __future__ import annotations

import base64
import os

import pytest

from jwtdesk.core.secret_checks import MIN_BITS, alphabet_of, shared_groups, strength


@pytest.mark.parametrize(
    ("secret", "alphabet", "low"),
    [
        (b"123456", "digits", True),
        (b"deadbeef" * 8, "hex", False),  # 64 hex digits: 256 bits
        (b"deadbeef" * 7, "hex", True),
        (b"mysecret", "lowercase", True),
        (b"myapp-secret-2024", "base64url", True),
        (b"My app secret!", "printable ASCII", True),
        (b"-_" + base64.b64encode(bytes(range(31))).rstrip(b"=")[:41], "base64url", False),
        (b"-_" + base64.b64encode(bytes(range(15))).rstrip(b"="), "base64url", True),
        (os.urandom(32).replace(b"\x00", b"\x01") + b"\xff", "bytes", False),
        (b"", "digits", True),
    ],
)
def test_strength(secret: bytes, alphabet: str, low: bool) -> None:
    s = strength(secret)
    assert alphabet_of(secret)[0] == alphabet == s.alphabet
    assert s.low is low and (s.bits < MIN_BITS) is low


def test_published_secret_is_flagged() -> None:
    assert strength(b"your-256-bit-secret").common
    assert not strength(os.urandom(64)).common


def test_shared_groups_by_keyed_hash() -> None:
    a, b = os.urandom(64), os.urandom(64)
    groups = shared_groups([("one", a), ("two", b), ("three", a), ("one", a), ("four", b)])
    assert sorted(groups) == [("four", "two"), ("one", "three")]
    assert shared_groups([("x", a), ("x", a), ("y", b)]) == []  # one keyset's versions
