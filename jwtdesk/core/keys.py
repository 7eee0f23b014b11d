"""Key generation and conversion: JWK (RFC 7517/7518 §6), RFC 7638 thumbprints, PEM.

Secret material leaves this module only inside a :class:`Secret`: raw bytes for HMAC keys,
unencrypted PKCS#8 DER for private keys (the OS keyring is what protects it at rest).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from jwtdesk.core.algorithms import Algorithm, KeyType, check_size
from jwtdesk.core.errors import InvalidInput
from jwtdesk.core.secret import Secret

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey: TypeAlias = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey

_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "P-256": ec.SECP256R1,
    "P-384": ec.SECP384R1,
    "P-521": ec.SECP521R1,
}
_CURVE_BYTES = {"P-256": 32, "P-384": 48, "P-521": 66}
_CURVE_BY_OPENSSL_NAME = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}

# RFC 7638 §3.2: the required members of each key type, in lexicographic order.
_THUMBPRINT_MEMBERS = {
    "oct": ("k", "kty"),
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _uint(value: int, length: int | None = None) -> str:
    size = length if length is not None else max(1, (value.bit_length() + 7) // 8)
    return b64url(value.to_bytes(size, "big"))


@dataclass(frozen=True, slots=True)
class KeyMaterial:
    """A freshly generated or imported key: the secret part and the public JWK (None for HMAC)."""

    secret: Secret
    public_jwk: Mapping[str, str] | None
    size: int | None  # bytes (HMAC) or bits (RSA); None for fixed curves
    kid: str


def generate(alg: Algorithm, size: int | None = None) -> KeyMaterial:
    """A new key for ``alg`` from the OS CSPRNG (``secrets`` / OpenSSL via cryptography)."""
    size = check_size(alg, size)
    if alg.kty is KeyType.OCT:
        # The key is the base64url text of `size` CSPRNG bytes (64 by default: 512 bits of
        # entropy), used as its ASCII bytes. Services read JWT_SECRET as a string, so the text
        # an operator copies, exports or pastes is exactly the key, byte for byte.
        key = b64url(secrets.token_bytes(size or 64)).encode("ascii")
        jwk = {"kty": "oct", "k": b64url(key)}
        return KeyMaterial(Secret(key), None, size or 64, thumbprint(jwk))
    private: PrivateKey
    if alg.kty is KeyType.RSA:
        private = rsa.generate_private_key(public_exponent=65537, key_size=size or 3072)
    elif alg.kty is KeyType.EC:
        private = ec.generate_private_key(_CURVES[alg.curve or ""]())
    else:
        private = ed25519.Ed25519PrivateKey.generate()
    return material_from_private(alg, private)


def material_from_private(alg: Algorithm, private: PrivateKey) -> KeyMaterial:
    check_family(alg, private)
    der = private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    jwk = public_jwk(private.public_key())
    size = private.key_size if isinstance(private, rsa.RSAPrivateKey) else None
    return KeyMaterial(Secret(der), jwk, size, thumbprint(jwk))


def check_family(alg: Algorithm, key: PrivateKey | PublicKey) -> None:
    """Refuse a key whose type or curve does not belong to ``alg`` (RFC 8725 §3.1)."""
    ok: bool
    if alg.kty is KeyType.RSA:
        ok = isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey) and key.key_size >= 2048
    elif alg.kty is KeyType.EC:
        ok = isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) and (
            isinstance(key.curve, _CURVES[alg.curve or ""])
        )
    elif alg.kty is KeyType.OKP:
        ok = isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey)
    else:
        ok = False
    if not ok:
        raise InvalidInput(f"this key cannot be used with {alg.name}: it needs {describe(alg)}")


def describe(alg: Algorithm) -> str:
    if alg.kty is KeyType.OCT:
        return f"an HMAC secret of at least {alg.min_size} bytes"
    if alg.kty is KeyType.RSA:
        return "an RSA key of at least 2048 bits"
    return f"an {alg.curve} key"


def load_private(alg: Algorithm, secret: Secret) -> PrivateKey:
    """The private key object for a stored PKCS#8 DER secret of an asymmetric ``alg``."""
    try:
        key = serialization.load_der_private_key(secret.reveal(), password=None)
    except (ValueError, TypeError):
        raise InvalidInput(
            f"the stored {alg.name} private key cannot be read; run `jwtdesk doctor`"
        ) from None
    if not isinstance(
        key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    ):
        raise InvalidInput(f"the stored key is not usable with {alg.name}")
    check_family(alg, key)
    return key


def private_jwk_members(alg: Algorithm, secret: Secret) -> dict[str, str]:
    """The private JWK members (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2) of a stored key."""
    key = load_private(alg, secret)
    members = public_jwk(key.public_key())
    if isinstance(key, rsa.RSAPrivateKey):
        n = key.private_numbers()
        members |= {
            "d": _uint(n.d),
            "p": _uint(n.p),
            "q": _uint(n.q),
            "dp": _uint(n.dmp1),
            "dq": _uint(n.dmq1),
            "qi": _uint(n.iqmp),
        }
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        width = _CURVE_BYTES[members["crv"]]
        members["d"] = _uint(key.private_numbers().private_value, width)
    else:
        raw = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        members["d"] = b64url(raw)
    return members


def public_jwk(key: PublicKey) -> dict[str, str]:
    """The public JWK members of ``key`` (no ``kid``/``alg``/``use``: callers add them)."""
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return {"kty": "RSA", "n": _uint(numbers.n), "e": _uint(numbers.e)}
    if isinstance(key, ec.EllipticCurvePublicKey):
        crv = _CURVE_BY_OPENSSL_NAME[key.curve.name]
        point = key.public_numbers()
        width = _CURVE_BYTES[crv]
        return {"kty": "EC", "crv": crv, "x": _uint(point.x, width), "y": _uint(point.y, width)}
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}


def public_key_from_jwk(jwk: Mapping[str, str]) -> PublicKey:
    try:
        kty = jwk["kty"]
        if kty == "RSA":
            n = int.from_bytes(b64url_decode(jwk["n"]), "big")
            e = int.from_bytes(b64url_decode(jwk["e"]), "big")
            return rsa.RSAPublicNumbers(e, n).public_key()
        if kty == "EC":
            x = int.from_bytes(b64url_decode(jwk["x"]), "big")
            y = int.from_bytes(b64url_decode(jwk["y"]), "big")
            return ec.EllipticCurvePublicNumbers(x, y, _CURVES[jwk["crv"]]()).public_key()
        if kty == "OKP" and jwk.get("crv") == "Ed25519":
            return ed25519.Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
    except (KeyError, ValueError, TypeError):
        pass
    raise InvalidInput("not a usable public JWK (RSA, EC P-256/384/521 or OKP Ed25519)")


def public_pem(jwk: Mapping[str, str]) -> str:
    """SubjectPublicKeyInfo PEM of a public JWK."""
    key = public_key_from_jwk(jwk)
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode("ascii")


def private_pem(secret: Secret) -> Secret:
    """The PKCS#8 PEM text of a stored private key, still wrapped as a Secret."""
    body = base64.encodebytes(secret.reveal()).replace(b"\n", b"")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    pem = b"-----BEGIN PRIVATE KEY-----\n" + b"\n".join(lines) + b"\n-----END PRIVATE KEY-----\n"
    return Secret(pem)


def thumbprint(jwk: Mapping[str, str]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url)."""
    members = _THUMBPRINT_MEMBERS.get(jwk.get("kty", ""))
    if members is None:
        raise InvalidInput(f"cannot compute a thumbprint for kty {jwk.get('kty')!r}")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode("utf-8")).digest())
