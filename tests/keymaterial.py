"""Keys for import tests, made with `cryptography` alone (not with jwtdesk's own code), and
the encodings a user might bring: PEM, DER, JWK, certificates, RFC 7638 thumbprints.

RSA generation is slow, so every key is made once per test session (``functools.cache``).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

Enc = serialization.Encoding
PrivFmt = serialization.PrivateFormat
PubFmt = serialization.PublicFormat

CURVES: dict[str, tuple[type[ec.EllipticCurve], str, str, int]] = {
    # name: (curve, JWK crv, default alg, coordinate bytes)
    "P-256": (ec.SECP256R1, "P-256", "ES256", 32),
    "P-384": (ec.SECP384R1, "P-384", "ES384", 48),
    "P-521": (ec.SECP521R1, "P-521", "ES512", 66),
}


@functools.cache
def rsa_key(bits: int = 2048, n: int = 0) -> rsa.RSAPrivateKey:
    """The ``n``-th RSA key of ``bits`` bits of this session."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@functools.cache
def ec_key(curve: str, n: int = 0) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(CURVES[curve][0]())


@functools.cache
def ed_key(n: int = 0) -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _uint(value: int, width: int | None = None) -> str:
    return b64u(value.to_bytes(width or max(1, (value.bit_length() + 7) // 8), "big"))


def public_jwk(key: Any) -> dict[str, str]:
    """RFC 7517/7518/8037 public JWK members of a private or public key."""
    pub = key.public_key() if hasattr(key, "public_key") else key
    if isinstance(pub, rsa.RSAPublicKey):
        nums = pub.public_numbers()
        return {"kty": "RSA", "n": _uint(nums.n), "e": _uint(nums.e)}
    if isinstance(pub, ec.EllipticCurvePublicKey):
        crv = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}[pub.curve.name]
        width = CURVES[crv][3]
        point = pub.public_numbers()
        return {"kty": "EC", "crv": crv, "x": _uint(point.x, width), "y": _uint(point.y, width)}
    raw = pub.public_bytes(Enc.Raw, PubFmt.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64u(raw)}


def private_jwk(key: Any) -> dict[str, str]:
    jwk = public_jwk(key)
    if isinstance(key, rsa.RSAPrivateKey):
        n = key.private_numbers()
        jwk |= {
            "d": _uint(n.d),
            "p": _uint(n.p),
            "q": _uint(n.q),
            "dp": _uint(n.dmp1),
            "dq": _uint(n.dmq1),
            "qi": _uint(n.iqmp),
        }
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        jwk["d"] = _uint(key.private_numbers().private_value, CURVES[jwk["crv"]][3])
    else:
        jwk["d"] = b64u(key.private_bytes(Enc.Raw, PrivFmt.Raw, serialization.NoEncryption()))
    return jwk


def thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 §3: SHA-256 over the required members, sorted, no whitespace."""
    required = {"oct": ("k", "kty"), "RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y")}
    members = required.get(jwk["kty"], ("crv", "kty", "x"))
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return b64u(hashlib.sha256(canonical.encode()).digest())


def oct_thumbprint(secret: bytes) -> str:
    return thumbprint({"kty": "oct", "k": b64u(secret)})


def pkcs8_der(key: Any) -> bytes:
    der: bytes = key.private_bytes(Enc.DER, PrivFmt.PKCS8, serialization.NoEncryption())
    return der


def private_pem(key: Any, fmt: PrivFmt = PrivFmt.PKCS8, password: bytes | None = None) -> bytes:
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password is not None
        else serialization.NoEncryption()
    )
    pem: bytes = key.private_bytes(Enc.PEM, fmt, enc)
    return pem


def public_pem(key: Any, fmt: PubFmt = PubFmt.SubjectPublicKeyInfo) -> bytes:
    pem: bytes = key.public_key().public_bytes(Enc.PEM, fmt)
    return pem


def certificate(key: Any, encoding: Enc = Enc.PEM) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jwtdesk import test")])
    now = dt.datetime.now(dt.UTC)
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, algorithm)
    )
    return cert.public_bytes(encoding)


def material_texts(key: Any) -> list[str]:
    """Text forms of a private key's secret parts that must never be printed or shown: its
    private JWK members and a line from the middle of its PEM forms."""
    texts = [v for k, v in private_jwk(key).items() if k in ("d", "p", "q", "dp", "dq", "qi")]
    formats = [PrivFmt.PKCS8]
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        formats.append(PrivFmt.TraditionalOpenSSL)
    for fmt in formats:
        lines = private_pem(key, fmt).decode().splitlines()[1:-1]
        texts.append(lines[len(lines) // 2])
    return [t for t in texts if len(t) >= 8]
