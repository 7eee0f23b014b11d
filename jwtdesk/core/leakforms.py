"""The forms a stored secret can take in a file, as search needles (for the leak scan).

A secret leaks in many spellings: as it is, in hex, in base64 or base64url (alone, or inside a
larger base64 blob at any of the three byte offsets), as a PEM body wrapped over lines, as a
private JWK's members, escaped inside JSON or an env file. Each spelling is searched by its
first 32 characters (and, when longer than 64, also by 32 characters from its middle): a
spelling wrapped at any width of 32 or more keeps those pieces whole on their lines, so any
line separator (LF, CRLF, a JSON ``\\n``) does not matter, and a copy cut short is still
found. 32 base64 characters of a random key carry 192 bits: finding them is the key leaking,
not a coincidence. Fewer, shorter needles keep the automaton small (it runs as a DFA: its
tables must stay in cache to scan at hundreds of MB/s).

Needles live in memory only; nothing here writes anything anywhere.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

PIECE = 32  # the length of a needle cut from a longer form
WHOLE_MAX = 64  # forms longer than this get a second needle from their middle
MIN_RAW = 8  # a stored secret shorter than this is not searched as it is (too many hits)
MIN_ENCODED = 16  # nor an encoded form shorter than this
_B64_TEXT = re.compile(rb"[A-Za-z0-9+/_-]{22,}={0,2}")


def _b64_part(data: bytes, offset: int, urlsafe: bool) -> bytes:
    """The base64 characters fixed by ``data`` alone when it starts ``offset`` (0-2) bytes into
    a 3-byte group of a larger encoding: no padding, no group shared with other bytes."""
    enc = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    total = offset + len(data)
    text = enc(b"\0" * offset + data)[: 4 * (total // 3)]
    return text[4:] if offset else text


def _decoded(secret: bytes) -> bytes | None:
    """The bytes a secret written as base64/base64url text stands for (16 bytes or more)."""
    if not _B64_TEXT.fullmatch(secret):
        return None
    text = secret.rstrip(b"=")
    try:
        if b"-" in text or b"_" in text:
            raw = base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))
        else:
            raw = base64.b64decode(text + b"=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) >= 16 else None


def _encodings(data: bytes, b64_form: str) -> Iterator[tuple[str, bytes]]:
    hexed = data.hex().encode("ascii")
    yield "hex", hexed
    yield "hex", hexed.upper()
    for offset in (0, 1, 2):
        yield b64_form, _b64_part(data, offset, urlsafe=False)
        yield "base64url", _b64_part(data, offset, urlsafe=True)


def _escapes(secret: bytes) -> Iterator[tuple[str, bytes]]:
    """JSON and env-file spellings of a text secret (only those that differ from it)."""
    try:
        text = secret.decode("utf-8")
    except UnicodeDecodeError:
        return
    as_json = json.dumps(text)[1:-1]
    yield "json", as_json.encode("utf-8")
    yield "json", as_json.replace("/", "\\/").encode("utf-8")
    yield "json", json.dumps(text, ensure_ascii=False)[1:-1].encode("utf-8")
    dq = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    yield "env", dq.encode("utf-8")
    yield "env", dq.replace("$", "\\$").replace("`", "\\`").encode("utf-8")
    yield "env", text.replace("'", "'\\''").encode("utf-8")


def secret_forms(
    secret: bytes, *, private_der: tuple[bytes, ...] = (), jwk_members: tuple[str, ...] = ()
) -> list[tuple[str, bytes]]:
    """Every (form, text) of one stored secret, whole (not yet cut into pieces).

    ``secret`` is what the keyring holds: an HMAC key's bytes, or a private key's PKCS#8 DER.
    For a private key, ``private_der`` adds its other DER encodings (PKCS#1, SEC1) and
    ``jwk_members`` its private JWK members as base64url text.
    """
    forms: list[tuple[str, bytes]] = []
    is_der = bool(private_der) or bool(jwk_members)
    if len(secret) >= MIN_RAW:
        forms.append(("raw", secret))
    for der in (secret, *private_der) if is_der else ():
        forms.extend(_encodings(der, "pem"))
    if not is_der:
        forms.extend(_encodings(secret, "base64"))
        decoded = _decoded(secret)
        if decoded is not None:
            forms.extend(_encodings(decoded, "base64"))
        forms.extend(_escapes(secret))
    for member in jwk_members:
        forms.append(("jwk", member.encode("ascii")))
    return forms


def needles(
    forms: list[tuple[str, bytes]], public: tuple[bytes, ...] = ()
) -> list[tuple[str, bytes]]:
    """The (form, needle) pairs to search for (see the module's docstring); a needle with a
    '/' also in its JSON spelling ``\\/``. Duplicates keep their first form. A needle found
    inside one of the ``public`` texts is skipped for the next piece: a piece of a private
    key's DER holding only its public key or ASN.1 framing would flag every public key file.
    An escaped form is searched from just before its first escape, so it is told apart."""
    seen: set[bytes] = set()
    out: list[tuple[str, bytes]] = []
    raw = next((text for form, text in forms if form == "raw"), b"")

    def public_only(needle: bytes) -> bool:
        return any(needle in text for text in public)

    def add(form: str, needle: bytes) -> None:
        seen.add(needle)
        out.append((form, needle))
        if form != "raw" and b"/" in needle:
            escaped = needle.replace(b"/", b"\\/")
            if escaped not in seen:
                seen.add(escaped)
                out.append(("json", escaped))

    for form, text in forms:
        if len(text) < (MIN_RAW if form == "raw" else MIN_ENCODED):
            continue
        if len(text) <= PIECE:
            if text not in seen and not public_only(text):
                add(form, text)
            continue
        for group in _starts(text, raw if form in ("json", "env") else b""):
            # The first piece not made of public material; if another form already has that
            # piece, the two spell the same text there and one needle serves both.
            needle = next(
                (text[i : i + PIECE] for i in group if not public_only(text[i : i + PIECE])), None
            )
            if needle is not None and needle not in seen:
                add(form, needle)
    return out


def _starts(text: bytes, raw: bytes) -> list[list[int]]:
    """Where needles of ``text`` may start: from its beginning, and (past WHOLE_MAX) from its
    middle, at multiples of PIECE; an escaped form from just before where it leaves ``raw``."""
    last = len(text) - PIECE
    if raw:
        differ = next((i for i, (a, b) in enumerate(zip(text, raw, strict=False)) if a != b), 0)
        return [[max(0, min(differ - 8, last))]]
    aligned = list(range(0, last + 1, PIECE))
    if len(text) <= WHOLE_MAX:
        return [aligned]
    middle = (len(text) // 2) // PIECE * PIECE
    return [[i for i in aligned if i < middle], [i for i in aligned if i >= middle]]


def private_key_forms(pkcs8_der: bytes) -> tuple[list[tuple[str, bytes]], tuple[bytes, ...]]:
    """The forms of a stored private key (its PKCS#8 and traditional DER, its private JWK
    members), and the public texts its needles must avoid: every spelling of its public key,
    and of a throwaway key of the same kind (what two keys share is framing, not secret)."""
    key = _load(pkcs8_der)
    if key is None:  # not a key cryptography reads: search its bytes as they are
        return secret_forms(pkcs8_der, private_der=(pkcs8_der,)), ()
    members = tuple(_b64url(m) for m in _private_members(key))
    forms = secret_forms(pkcs8_der, private_der=_traditional(key), jwk_members=members)
    public: list[bytes] = []
    for data in (*_public_parts(key), *_decoy(key)):
        public.append(data)
        public.extend(text for _, text in _encodings(data, "pem"))
    return forms, tuple(public)


def _load(der: bytes) -> PrivateKey | None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    try:
        # Only spellings are derived from the key, nothing is signed: the RSA consistency
        # check (~0.1-0.5 s per key here) is not needed.
        key = serialization.load_der_private_key(
            der, password=None, unsafe_skip_rsa_key_validation=True
        )
    except (ValueError, TypeError):
        return None
    if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
        return key
    return None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _uint(value: int, length: int | None = None) -> bytes:
    return value.to_bytes(length or max(1, (value.bit_length() + 7) // 8), "big")


def _private_members(key: PrivateKey) -> list[bytes]:
    """The values of the private JWK members (RFC 7518 §6.3.2, §6.2.2, RFC 8037 §2)."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if isinstance(key, rsa.RSAPrivateKey):
        n = key.private_numbers()
        return [_uint(v) for v in (n.d, n.p, n.q, n.dmp1, n.dmq1, n.iqmp)]
    if isinstance(key, ec.EllipticCurvePrivateKey):
        size = (key.curve.key_size + 7) // 8
        return [_uint(key.private_numbers().private_value, size)]
    return [key.private_bytes_raw()]


def _traditional(key: PrivateKey) -> tuple[bytes, ...]:
    """The PKCS#1 (RSA) or SEC1 (EC) DER: the body of a ``BEGIN RSA/EC PRIVATE KEY`` PEM.
    Ed25519 has none."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    if isinstance(key, ed25519.Ed25519PrivateKey):
        return ()
    return (
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ),
    )


def _public_parts(key: PrivateKey) -> list[bytes]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    pub = key.public_key()
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    parts = [pub.public_bytes(serialization.Encoding.DER, spki)]
    if isinstance(pub, rsa.RSAPublicKey):
        parts.append(_uint(pub.public_numbers().n))
        parts.append(pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1))
    elif isinstance(pub, ec.EllipticCurvePublicKey):
        point = serialization.PublicFormat.UncompressedPoint
        parts.append(pub.public_bytes(serialization.Encoding.X962, point))
    else:
        parts.append(pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    return parts


def _decoy(key: PrivateKey) -> tuple[bytes, ...]:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if isinstance(key, rsa.RSAPrivateKey):
        return _decoy_of("RSA", key.key_size)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return _decoy_of(key.curve.name, 0)
    return _decoy_of("Ed25519", 0)


@functools.cache
def _decoy_of(kind: str, size: int) -> tuple[bytes, ...]:
    """The DER spellings of one throwaway key per kind and size per process (an RSA key takes
    a while to make; only its framing matters: it signs nothing and is never stored)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    other: PrivateKey
    if kind == "RSA":
        other = rsa.generate_private_key(65537, size)
    elif kind == "Ed25519":
        other = ed25519.Ed25519PrivateKey.generate()
    else:
        curves: dict[str, type[ec.EllipticCurve]] = {
            "secp256r1": ec.SECP256R1,
            "secp384r1": ec.SECP384R1,
            "secp521r1": ec.SECP521R1,
        }
        other = ec.generate_private_key(curves[kind]())
    pkcs8 = other.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return (pkcs8, *_traditional(other), *_public_parts(other))


def traditional_der(pkcs8_der: bytes) -> tuple[bytes, ...]:
    """The PKCS#1 (RSA) or SEC1 (EC) DER of a stored PKCS#8 key (empty for Ed25519)."""
    key = _load(pkcs8_der)
    return _traditional(key) if key is not None else ()
