"""The JWA table (RFC 7518 §3.1, RFC 8037 §3.1): one source of truth for every algorithm.

Each algorithm is bound to one key family (RFC 8725 §3.1): a key generated or imported for one
family is never used with an algorithm of another, and ``none`` is not in the table at all.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from jwtdesk.core.errors import InvalidInput


class KeyType(Enum):
    """JWK ``kty`` values (RFC 7518 §6.1, RFC 8037 §2)."""

    OCT = "oct"
    RSA = "RSA"
    EC = "EC"
    OKP = "OKP"


class Algorithm(NamedTuple):
    name: str
    kty: KeyType
    hash_bits: int
    family: str  # "HS", "RS", "PS", "ES", "EdDSA"
    # Smallest key jwtdesk accepts: bytes for HMAC (RFC 7518 §3.2: at least the hash size),
    # bits for RSA (RFC 7518 §3.3: 2048), None where the curve fixes the size.
    min_size: int | None
    default_size: int | None
    sizes: tuple[int, ...]  # the sizes jwtdesk offers to generate
    curve: str | None  # JWK "crv" for EC / OKP

    @property
    def is_symmetric(self) -> bool:
        return self.kty is KeyType.OCT

    def size_label(self, size: int | None) -> str:
        if self.kty is KeyType.OCT:
            return f"{(size or 0) * 8} bits"
        if self.kty is KeyType.RSA:
            return f"RSA {size}"
        return self.curve or ""


_RSA_SIZES = (2048, 3072, 4096)


def _hs(bits: int) -> Algorithm:
    # 64 random bytes by default, never fewer than the hash output.
    return Algorithm(f"HS{bits}", KeyType.OCT, bits, "HS", bits // 8, 64, (bits // 8, 64), None)


def _rsa(family: str, bits: int) -> Algorithm:
    return Algorithm(f"{family}{bits}", KeyType.RSA, bits, family, 2048, 3072, _RSA_SIZES, None)


def _ec(bits: int, curve: str) -> Algorithm:
    return Algorithm(f"ES{bits}", KeyType.EC, bits, "ES", None, None, (), curve)


_ALL = (
    _hs(256),
    _hs(384),
    _hs(512),
    _rsa("RS", 256),
    _rsa("RS", 384),
    _rsa("RS", 512),
    _rsa("PS", 256),
    _rsa("PS", 384),
    _rsa("PS", 512),
    _ec(256, "P-256"),
    _ec(384, "P-384"),
    _ec(512, "P-521"),
    Algorithm("EdDSA", KeyType.OKP, 512, "EdDSA", None, None, (), "Ed25519"),
)

ALGORITHMS: dict[str, Algorithm] = {a.name: a for a in _ALL}
NAMES: tuple[str, ...] = tuple(ALGORITHMS)


def get(name: str) -> Algorithm:
    """The algorithm called exactly ``name`` (case-sensitive, as RFC 7515 §4.1.1 requires)."""
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise InvalidInput(
            f"unknown algorithm {name!r}; choose one of {', '.join(NAMES)}"
        ) from None


def check_size(alg: Algorithm, size: int | None) -> int | None:
    """The key size to generate for ``alg``: ``size`` if acceptable, else the default."""
    if alg.kty in (KeyType.EC, KeyType.OKP):
        if size is not None:
            raise InvalidInput(f"{alg.name} uses the {alg.curve} curve; it takes no key size")
        return None
    chosen = alg.default_size if size is None else size
    if chosen is None or alg.min_size is None:  # pragma: no cover - table invariant
        raise InvalidInput(f"{alg.name} has no size table")
    if alg.kty is KeyType.OCT:
        if chosen < alg.min_size:
            raise InvalidInput(
                f"{alg.name} needs a secret of at least {alg.min_size} bytes "
                f"({alg.min_size * 8} bits, the hash size); got {chosen}"
            )
        if chosen > 1024:
            raise InvalidInput(f"a {alg.name} secret of {chosen} bytes is too large (max 1024)")
        return chosen
    if chosen < alg.min_size:
        raise InvalidInput(
            f"RSA keys below {alg.min_size} bits are refused (RFC 7518 §3.3); got {chosen}"
        )
    if chosen not in alg.sizes:
        offered = ", ".join(str(s) for s in alg.sizes)
        raise InvalidInput(f"RSA key size must be one of {offered}; got {chosen}")
    return chosen
