"""Candidate verification keys from files: PEM, JWK, JWKS, X.509 certificates, SSH public keys,
and raw HMAC secrets. Each candidate is bound to its key family (RFC 8725 §3.1): a public key
is never turned into an HMAC secret, whatever the token's header asks for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from jwtdesk.core.algorithms import ALGORITHMS, KeyType
from jwtdesk.core.errors import Fix, InvalidInput
from jwtdesk.core.secret import Secret

if TYPE_CHECKING:
    from jwtdesk.core.keys import PrivateKey, PublicKey

# What signs and what verifies: an HMAC key stays a Secret until the MAC is computed (core.tokens
# sign, core.inspect verify, the lint weak-secret rule, the audit); the rest are key objects.
SigningMaterial: TypeAlias = "Secret | PrivateKey"
VerifyingKey: TypeAlias = "Secret | PublicKey"

_CURVE_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}


class Candidate(NamedTuple):
    """One key that may verify a token. ``key`` is a Secret (HMAC) or a public key object."""

    label: str
    kty: KeyType
    key: VerifyingKey
    kid: str | None = None
    alg: str | None = None  # the one alg this key may be used with, when known
    curve: str | None = None
    keyset: str | None = None
    state: str | None = None  # "current" | "previous" for stored keys
    source: str = "key_file"  # "keyset" | "key_file" | "secret"


def from_public_key(key: Any, label: str, **extra: Any) -> Candidate:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise InvalidInput(f"{label}: RSA keys below 2048 bits are refused (RFC 7518 §3.3)")
        return Candidate(label, KeyType.RSA, key, **extra)
    if isinstance(key, ec.EllipticCurvePublicKey):
        curve = _CURVE_NAMES.get(key.curve.name)
        if curve is None:
            raise InvalidInput(f"{label}: the curve {key.curve.name} is not used by JWS")
        return Candidate(label, KeyType.EC, key, curve=curve, **extra)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return Candidate(label, KeyType.OKP, key, curve="Ed25519", **extra)
    raise InvalidInput(f"{label}: this key type is not used by JWS (RSA, EC, Ed25519 expected)")


def load(data: bytes, label: str) -> list[Candidate]:
    """Every verification key in a key file."""
    text = data.strip()
    if text.startswith(b"{"):
        return _json_keys(text, label)
    if text.startswith(b"-----BEGIN"):
        return [_pem(text, label)]
    if text.startswith((b"ssh-rsa ", b"ssh-ed25519 ", b"ecdsa-sha2-")):
        from cryptography.hazmat.primitives.serialization import load_ssh_public_key

        try:
            return [from_public_key(load_ssh_public_key(text), label)]
        except (ValueError, TypeError):
            raise InvalidInput(f"{label}: not a readable SSH public key") from None
    return [_der(data, label)]


def _pem(text: bytes, label: str) -> Candidate:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        if b"CERTIFICATE" in text.split(b"\n", 1)[0]:
            return from_public_key(x509.load_pem_x509_certificate(text).public_key(), label)
        if b"PRIVATE KEY" in text.split(b"\n", 1)[0]:
            if b"ENCRYPTED" in text:
                raise InvalidInput(f"{label}: an encrypted private key; give its public key")
            private = serialization.load_pem_private_key(text, password=None)
            return from_public_key(private.public_key(), label)
        return from_public_key(serialization.load_pem_public_key(text), label)
    except (ValueError, TypeError):
        raise InvalidInput(
            f"{label}: the PEM block cannot be read as a key or certificate"
        ) from None


def _der(data: bytes, label: str) -> Candidate:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    for loader in (x509.load_der_x509_certificate, serialization.load_der_public_key):
        try:
            loaded = loader(data)
        except (ValueError, TypeError):
            continue
        key = loaded.public_key() if isinstance(loaded, x509.Certificate) else loaded
        return from_public_key(key, label)
    raise InvalidInput(
        f"{label}: not a key file (PEM, JWK, JWKS, X.509 certificate or SSH public key)",
        fix=Fix.GIVE_HMAC_KEY,
    )


def _json_keys(text: bytes, label: str) -> list[Candidate]:
    try:
        doc = json.loads(text)
    except ValueError:
        raise InvalidInput(f"{label}: not valid JSON") from None
    if isinstance(doc, dict) and isinstance(doc.get("keys"), list):
        out = []
        for n, jwk in enumerate(doc["keys"]):
            if isinstance(jwk, dict) and _for_signatures(jwk):
                out.append(from_jwk(jwk, f"{label}#{n}"))
        if not out:
            raise InvalidInput(f"{label}: the JWKS holds no signature key")
        return out
    if isinstance(doc, dict) and "kty" in doc:
        return [from_jwk(doc, label)]
    raise InvalidInput(f"{label}: JSON, but neither a JWK nor a JWKS")


def _for_signatures(jwk: Mapping[str, Any]) -> bool:
    """RFC 7517 §4.2-4.3: a key whose use is not "sig", or whose key_ops name neither sign nor
    verify, is not a signature key."""
    ops = jwk.get("key_ops")
    if ops is not None and not (isinstance(ops, list) and {"sign", "verify"} & set(map(str, ops))):
        return False
    use: object = jwk.get("use", "sig")
    return use == "sig"


def from_jwk(jwk: Mapping[str, Any], label: str) -> Candidate:
    """A JWK (RFC 7517); only its public members are used for asymmetric keys."""
    from jwtdesk.core.keys import b64url_decode, public_key_from_jwk

    if not _for_signatures(jwk):
        raise InvalidInput(f"{label}: the JWK's use or key_ops is not for signatures")
    kid = jwk.get("kid") if isinstance(jwk.get("kid"), str) else None
    alg = jwk.get("alg") if isinstance(jwk.get("alg"), str) else None
    if alg is not None and alg not in ALGORITHMS:
        raise InvalidInput(f"{label}: the JWK is for {alg!r}, not a JWS algorithm jwtdesk uses")
    if jwk.get("kty") == "oct":
        try:
            secret = b64url_decode(str(jwk["k"]))
        except (KeyError, ValueError):
            raise InvalidInput(f"{label}: an oct JWK needs a base64url 'k'") from None
        if not secret:
            raise InvalidInput(f"{label}: the oct JWK's 'k' is empty")
        return Candidate(label, KeyType.OCT, Secret(secret), kid=kid, alg=alg, source="key_file")
    public = {k: str(v) for k, v in jwk.items() if k in ("kty", "n", "e", "crv", "x", "y")}
    return from_public_key(public_key_from_jwk(public), label, kid=kid, alg=alg)


def secret(data: bytes, label: str) -> Candidate:
    """A raw HMAC secret (one trailing newline removed, as editors add one)."""
    if data.endswith(b"\r\n"):
        data = data[:-2]
    elif data.endswith(b"\n"):
        data = data[:-1]
    if not data:
        raise InvalidInput(f"{label}: the secret file is empty")
    return Candidate(label, KeyType.OCT, Secret(data), source="secret")


class SigningKey(NamedTuple):
    """A private key (or HMAC secret) from a file, for `token build --key-file`."""

    alg: str
    key: SigningMaterial  # a Secret for HMAC, a private key object otherwise
    kid: str | None


def load_signing(data: bytes, label: str, alg: str | None) -> SigningKey:
    """A PEM private key (PKCS#8, PKCS#1, SEC1) or a private / oct JWK; bound to ``alg``."""
    from jwtdesk.core.algorithms import get
    from jwtdesk.core.keys import b64url_decode, check_family, public_jwk, thumbprint

    text = data.strip()
    kid: str | None = None
    if text.startswith(b"{"):
        try:
            jwk = json.loads(text)
        except ValueError:
            raise InvalidInput(f"{label}: not valid JSON") from None
        if not isinstance(jwk, dict):
            raise InvalidInput(f"{label}: not a JWK")
        kid = jwk.get("kid") if isinstance(jwk.get("kid"), str) else None
        alg = alg or (jwk.get("alg") if isinstance(jwk.get("alg"), str) else None)
        if alg is None:
            raise InvalidInput(f"{label}: the JWK names no alg", fix=Fix.NAME_ALG)
        algorithm = get(alg)
        if jwk.get("kty") == "oct":
            secret = b64url_decode(str(jwk.get("k", "")))
            if algorithm.kty is not KeyType.OCT or len(secret) < (algorithm.min_size or 0):
                raise InvalidInput(f"{label}: not {algorithm.name}-sized HMAC key material")
            return SigningKey(alg, Secret(secret), kid)
        text = _private_pem_from_jwk(jwk, label)
    if alg is None:
        raise InvalidInput(f"{label}: a PEM private key does not name its alg", fix=Fix.NAME_ALG)
    algorithm = get(alg)
    from cryptography.hazmat.primitives import serialization

    if b"ENCRYPTED" in text:
        raise InvalidInput(f"{label}: an encrypted private key; decrypt it or import it first")
    try:
        private = serialization.load_pem_private_key(text, password=None)
    except (ValueError, TypeError):
        raise InvalidInput(f"{label}: not a readable private key (PEM or JWK expected)") from None
    check_family(algorithm, private)  # type: ignore[arg-type]
    return SigningKey(alg, private, kid or thumbprint(public_jwk(private.public_key())))  # type: ignore[arg-type]


def _private_pem_from_jwk(jwk: Mapping[str, Any], label: str) -> bytes:
    """Private RSA / EC / Ed25519 JWK members -> PKCS#8 PEM (via cryptography)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    from jwtdesk.core.keys import b64url_decode

    def num(name: str) -> int:
        return int.from_bytes(b64url_decode(str(jwk[name])), "big")

    mismatch = False
    try:
        private: Any
        if jwk.get("kty") == "RSA":
            public = rsa.RSAPublicNumbers(num("e"), num("n"))
            p, q, d = num("p"), num("q"), num("d")
            private = rsa.RSAPrivateNumbers(
                p, q, d, num("dp"), num("dq"), num("qi"), public
            ).private_key()
        elif jwk.get("kty") == "EC":
            curves = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}
            private = ec.derive_private_key(num("d"), curves[jwk["crv"]])
            point = private.public_key().public_numbers()
            given = (num("x"), num("y")) if "x" in jwk or "y" in jwk else (point.x, point.y)
            mismatch = given != (point.x, point.y)
        elif jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            private = ed25519.Ed25519PrivateKey.from_private_bytes(b64url_decode(str(jwk["d"])))
            raw = private.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
            mismatch = "x" in jwk and b64url_decode(str(jwk["x"])) != raw
        else:
            raise KeyError("kty")
    except (KeyError, ValueError, TypeError):
        raise InvalidInput(f"{label}: not a private JWK (RSA, EC or Ed25519 with 'd')") from None
    if jwk.get("kty") != "RSA" and mismatch:  # RSA numbers are checked by private_key()
        raise InvalidInput(f"{label}: the JWK's public members do not match its private key")
    pem: bytes = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem
