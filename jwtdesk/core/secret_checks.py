"""Checks of stored HMAC secrets that need no wordlist: entropy, publication, sharing.

Reusable on their own (the key audit uses them; so can a health check): each takes secret
bytes and returns a verdict without keeping or showing them. RFC 8725 §3.5: "human-memorizable
passwords MUST NOT be directly used as the key to a keyed-MAC JWS algorithm"; RFC 7518 §3.2
asks for a key at least as long as the hash output.
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterable
from dataclasses import dataclass

from jwtdesk.core.weak import is_common_secret

MIN_BITS = 256  # below this, the audit flags a secret as low-entropy

# The smallest alphabet a secret fits decides how much randomness each character can carry.
_ALPHABETS: tuple[tuple[str, frozenset[int]], ...] = tuple(
    (name, frozenset(chars.encode()))
    for name, chars in (
        ("digits", string.digits),
        ("hex", "0123456789abcdef"),
        ("hex", "0123456789ABCDEF"),
        ("lowercase", string.ascii_lowercase),
        ("uppercase", string.ascii_uppercase),
        ("lowercase and digits", string.ascii_lowercase + string.digits),
        ("letters", string.ascii_letters),
        ("letters and digits", string.ascii_letters + string.digits),
        ("base64url", string.ascii_letters + string.digits + "-_="),
        ("base64", string.ascii_letters + string.digits + "+/="),
        ("printable ASCII", string.printable[:95]),
    )
)


@dataclass(frozen=True, slots=True)
class Strength:
    bits: float  # length x log2(alphabet size): an upper bound on the randomness
    alphabet: str
    common: bool  # on the built-in list of published secrets

    @property
    def low(self) -> bool:
        return self.bits < MIN_BITS


def alphabet_of(secret: bytes) -> tuple[str, int]:
    """The smallest common alphabet holding every byte of ``secret``, and its size."""
    used = frozenset(secret)
    for name, chars in _ALPHABETS:
        if used <= chars:
            size = len(chars) - (1 if name.startswith("base64") else 0)  # '=' is padding
            return name, size
    return "bytes", 256


def strength(secret: bytes) -> Strength:
    """How much randomness ``secret`` can hold, judged from its alphabet and length."""
    name, size = alphabet_of(secret)
    bits = len(secret) * math.log2(size) if secret else 0.0
    return Strength(round(bits, 1), name, is_common_secret(secret))


def shared_groups(named: Iterable[tuple[str, bytes]]) -> list[tuple[str, ...]]:
    """Names whose secrets are equal, in groups of two or more distinct names (each sorted).

    The one implementation is the checklist's (issue 15): HMAC-SHA-256 under a random key
    made for the call, so no secret is kept in a dict or compared byte by byte.
    """
    from jwtdesk.core.checklist import shared_secrets

    return shared_secrets(named)
