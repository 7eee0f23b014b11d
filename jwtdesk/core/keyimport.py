"""Reading keys to import: PEM (PKCS#1, PKCS#8, SEC1, SubjectPublicKeyInfo, encrypted PKCS#8),
DER, JWK and JWKS (oct, RSA, EC, OKP), X.509 certificates (public key only) and env files.

Each key is then bound to one JWS algorithm and checked (:func:`check`): an HMAC secret
shorter than the hash (RFC 7518 §3.2) or on the common-secret list is refused unless the user
allows weak keys; RSA below 2048 bits is refused; a key whose type or curve does not fit the
algorithm is refused; a public key offered as an HMAC secret is refused (RFC 8725 §3.1).
Messages name the file, the JWK position or the variable, never key material.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from jwtdesk.core import keys as keymod
from jwtdesk.core.algorithms import ALGORITHMS, Algorithm, KeyType
from jwtdesk.core.algorithms import get as get_algorithm
from jwtdesk.core.errors import Fix, InvalidInput
from jwtdesk.core.secret import Secret

Passphrase = Callable[[str], bytes]  # label -> passphrase; asked only for encrypted keys

_DEFAULT_ALG = {KeyType.RSA: "RS256", KeyType.OKP: "EdDSA", KeyType.OCT: "HS256"}
_EC_ALG = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
_CONFUSION = (
    "{label}: this is a public key, not an {alg} secret; using public key text as an HMAC key "
    "is the algorithm-confusion attack (RFC 8725 §2.1, CVE-2015-9235). Import it without an "
    "HS* --alg: it becomes a verify-only keyset"
)


class Imported(NamedTuple):
    """One key read from a file: a private key, a public key or an HMAC secret."""

    label: str
    private: keymod.PrivateKey | None = None
    public: keymod.PublicKey | None = None
    secret: bytes | None = None
    kid: str | None = None  # from a JWK
    alg: str | None = None  # from a JWK

    @property
    def kty(self) -> KeyType:
        key = self.private or self.public
        if key is None:
            return KeyType.OCT
        if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
            return KeyType.RSA
        if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
            return KeyType.EC
        return KeyType.OKP

    def __repr__(self) -> str:  # never the key material
        kind = "private" if self.private else "public" if self.public else "secret"
        return f"Imported({self.label!r}, {kind}, kid={self.kid!r}, alg={self.alg!r})"


class Checked(NamedTuple):
    """A key bound to its algorithm, ready to store. ``secret`` is None for public-only keys."""

    label: str
    alg: str
    secret: Secret | None
    public_jwk: Mapping[str, str] | None
    size: int | None
    kid: str
    weak: str | None  # why an allowed weak HMAC secret is weak
    note: str | None = None  # something the user should know, e.g. a JWK kid that was replaced

    def __repr__(self) -> str:  # never the key material, not even the public members
        kind = "public only" if self.secret is None else "with secret"
        return f"Checked({self.label!r}, {self.alg}, {kind}, kid={self.kid!r}, weak={self.weak!r})"


def read(data: bytes, label: str, passphrase: Passphrase | None = None) -> list[Imported]:
    """Every key in a key file (not an env file: see :func:`from_env`)."""
    text = data.strip()
    if not text:
        raise InvalidInput(f"{label} is empty")
    if text.startswith(b"{"):
        return _json(text, label)
    if text.startswith(b"-----BEGIN"):
        return [_pem(text, label, passphrase)]
    return [_der(data, label)]


def from_env(
    values: Mapping[str, str],
    variables: Sequence[str],
    passphrase: Passphrase | None = None,
    source: str | None = None,
) -> list[Imported]:
    """The keys in the chosen variables of an env file: PEM, JWK or an HMAC secret's text.
    ``NAME_B64`` variables (jwtdesk's ``--multiline base64``) are decoded first; they may also
    hold a DER key. ``source`` (the file) is named in labels and messages."""
    where = f" of {source}" if source else ""
    names = _name_list(values)
    if not variables:
        raise InvalidInput(
            f"pick the variables{where} to import with --var (the file has: {names})"
        )
    out: list[Imported] = []
    for var in variables:
        if var not in values:
            raise InvalidInput(f"{source or 'the env file'}: no variable {var} (it has: {names})")
        out += _variable(values[var], f"variable {var}{where}", var.endswith("_B64"), passphrase)
    return out


def _name_list(values: Mapping[str, str], most: int = 30) -> str:
    """The variable names (never the values) for a message: printable ones, at most ``most``."""
    shown = sorted(n for n in values if n.isprintable() and len(n) <= 100)
    rest = len(values) - len(shown[:most])
    text = ", ".join(shown[:most]) or "no variables"
    return text + (f" and {rest} more" if rest else "")


def _variable(value: str, label: str, b64: bool, passphrase: Passphrase | None) -> list[Imported]:
    raw = value.encode("utf-8")
    if b64:
        try:
            raw = base64.b64decode(b"".join(raw.split()), validate=True)
        except binascii.Error:
            raise InvalidInput(f"{label} is not valid base64") from None
    stripped = raw.strip()
    if not raw:
        raise InvalidInput(f"{label} is empty")
    if stripped.startswith((b"-----BEGIN", b"{")):
        return read(stripped, label, passphrase)
    if b64:
        key = _load_der(raw)  # a DER key; an HMAC secret never parses as one
        if key is not None:
            return [_split(key, label)]
    return [Imported(label, secret=raw)]


def check(item: Imported, alg: str | None, allow_weak: bool = False) -> Checked:
    """Bind ``item`` to an algorithm (``alg``, else the JWK's, else the key type's default)
    and refuse what must not be stored."""
    algorithm = _algorithm(item, alg)
    if item.secret is not None:
        return _check_secret(item, algorithm, allow_weak)
    key = item.private or item.public
    assert key is not None  # noqa: S101 - an Imported holds one of the three
    if algorithm.kty is KeyType.OCT and item.private is None:
        raise InvalidInput(_CONFUSION.format(label=item.label, alg=algorithm.name))
    try:
        keymod.check_family(algorithm, key)
    except InvalidInput:
        raise InvalidInput(
            f"{item.label}: {_describe(key)} cannot be used with {algorithm.name}; it needs "
            f"{keymod.describe(algorithm)}"
        ) from None
    public = item.private.public_key() if item.private is not None else item.public
    assert public is not None  # noqa: S101
    jwk = keymod.public_jwk(public)
    size = public.key_size if isinstance(public, rsa.RSAPublicKey) else None
    secret = None
    if item.private is not None:
        secret = Secret(
            item.private.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    kid = keymod.thumbprint(jwk)
    return Checked(item.label, algorithm.name, secret, jwk, size, kid, None, _note(item, kid))


def _note(item: Imported, kid: str) -> str | None:
    """jwtdesk names every key by its RFC 7638 thumbprint; a JWK's own kid is not kept."""
    if item.kid is None or item.kid == kid:
        return None
    shown = repr(item.kid[:40]) + ("..." if len(item.kid) > 40 else "")
    return (
        f"{item.label}: the JWK's kid {shown} is replaced by its RFC 7638 thumbprint {kid}; "
        "tokens whose header carries the old kid will not select this key"
    )


def _algorithm(item: Imported, alg: str | None) -> Algorithm:
    if alg is not None and item.alg is not None and alg != item.alg:
        raise InvalidInput(
            f"{item.label}: the JWK says alg {item.alg}, but {alg} was asked for; a key is "
            "used with one algorithm only (RFC 8725 §3.1)"
        )
    name = alg or item.alg
    if name is None:
        if item.kty is KeyType.EC:
            key = item.private or item.public
            name = _EC_ALG.get(key.curve.name, "ES256")  # type: ignore[union-attr]
        else:
            name = _DEFAULT_ALG[item.kty]
    return get_algorithm(name)


def _check_secret(item: Imported, algorithm: Algorithm, allow_weak: bool) -> Checked:
    from jwtdesk.core.weak import is_common_secret, looks_like_public_key

    secret = item.secret or b""
    if algorithm.kty is not KeyType.OCT:
        raise InvalidInput(
            f"{item.label}: an HMAC secret cannot be used with {algorithm.name}", fix=Fix.HMAC_ALG
        )
    if looks_like_public_key(secret):
        raise InvalidInput(_CONFUSION.format(label=item.label, alg=algorithm.name))
    weak = None
    minimum = algorithm.min_size or 32
    if len(secret) < minimum:
        weak = f"{len(secret)} bytes, below the {minimum} bytes {algorithm.name} needs"
    elif is_common_secret(secret):
        weak = "it is on the built-in list of published JWT secrets"
    if weak is not None and not allow_weak:
        raise InvalidInput(f"{item.label}: weak HMAC secret ({weak})", fix=Fix.ALLOW_WEAK)
    kid = keymod.thumbprint({"kty": "oct", "k": keymod.b64url(secret)})
    return Checked(
        item.label, algorithm.name, Secret(secret), None, len(secret), kid, weak, _note(item, kid)
    )


def _describe(key: object) -> str:
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return f"an RSA-{key.key_size} key"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return f"an EC {key.curve.name} key"
    return "an Ed25519 key"


def _usable(key: object, label: str) -> Any:
    ok = (
        rsa.RSAPrivateKey,
        rsa.RSAPublicKey,
        ec.EllipticCurvePrivateKey,
        ec.EllipticCurvePublicKey,
        ed25519.Ed25519PrivateKey,
        ed25519.Ed25519PublicKey,
    )
    if not isinstance(key, ok):
        raise InvalidInput(f"{label}: this key type is not used by JWS (RSA, EC, Ed25519)")
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey) and key.key_size < 2048:
        raise InvalidInput(
            f"{label}: RSA-{key.key_size} is refused; RSA keys need at least 2048 bits "
            "(RFC 7518 §3.3)"
        )
    return key


def _split(raw: object, label: str, **extra: Any) -> Imported:
    key = _usable(raw, label)
    private = isinstance(
        key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    )
    if private:
        return Imported(label, private=key, **extra)
    return Imported(label, public=key, **extra)


def _pem(text: bytes, label: str, passphrase: Passphrase | None) -> Imported:
    first = text.split(b"\n", 1)[0]
    try:
        if b"CERTIFICATE" in first:
            return _split(x509.load_pem_x509_certificate(text).public_key(), label)
        if b"PRIVATE KEY" in first:
            password = None
            if _encrypted(text):
                if passphrase is None:
                    raise InvalidInput(f"{label}: an encrypted private key; give its passphrase")
                password = passphrase(label)
            return _split(serialization.load_pem_private_key(text, password=password), label)
        return _split(serialization.load_pem_public_key(text), label)
    except (ValueError, TypeError):
        if _encrypted(text) and b"PRIVATE KEY" in first:
            raise InvalidInput(
                f"{label}: the passphrase does not decrypt this key (or the file is damaged)"
            ) from None
        raise InvalidInput(
            f"{label}: the PEM block cannot be read as a key or certificate"
        ) from None
    except x509.UnsupportedGeneralNameType:  # pragma: no cover - exotic certificates
        raise InvalidInput(f"{label}: the certificate cannot be read") from None


def _encrypted(text: bytes) -> bool:
    """PKCS#8 ``ENCRYPTED PRIVATE KEY`` or a traditional OpenSSL ``Proc-Type: 4,ENCRYPTED``."""
    first = text.split(b"\n", 1)[0]
    return b"ENCRYPTED" in first or b"Proc-Type: 4,ENCRYPTED" in text


def _load_der(data: bytes) -> Any | None:
    loaders: tuple[Callable[[bytes], Any], ...] = (
        lambda d: serialization.load_der_private_key(d, password=None),
        serialization.load_der_public_key,
        lambda d: x509.load_der_x509_certificate(d).public_key(),
    )
    for loader in loaders:
        try:
            return loader(data)
        except (ValueError, TypeError):
            continue
    return None


def _der(data: bytes, label: str) -> Imported:
    key = _load_der(data)
    if key is None:
        raise InvalidInput(
            f"{label}: not a key file (PEM, DER, JWK, JWKS or X.509 certificate); for an HMAC "
            "secret, import an env file with --var or a JWK with kty oct"
        )
    return _split(key, label)


def _json(text: bytes, label: str) -> list[Imported]:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        raise InvalidInput(f"{label}: not valid JSON") from None
    if isinstance(doc, dict) and isinstance(doc.get("keys"), list):
        out = [_jwk(k, f"{label}#{n}") for n, k in enumerate(doc["keys"])]
        if not out:
            raise InvalidInput(f"{label}: the JWKS holds no key")
        return out
    if isinstance(doc, dict) and "kty" in doc:
        return [_jwk(doc, label)]
    raise InvalidInput(f"{label}: JSON, but neither a JWK nor a JWKS")


def _jwk(jwk: object, label: str) -> Imported:
    from jwtdesk.core.keyfile import _for_signatures, _private_pem_from_jwk

    if not isinstance(jwk, dict):
        raise InvalidInput(f"{label}: not a JWK object")
    if not _for_signatures(jwk):
        raise InvalidInput(f"{label}: the JWK's use or key_ops is not for signatures")
    kid = jwk.get("kid") if isinstance(jwk.get("kid"), str) else None
    alg = jwk.get("alg") if isinstance(jwk.get("alg"), str) else None
    if alg is not None and alg not in ALGORITHMS:
        raise InvalidInput(f"{label}: the JWK is for {alg!r}, not a JWS algorithm jwtdesk uses")
    if jwk.get("kty") not in ("oct", "RSA", "EC", "OKP"):
        raise InvalidInput(f"{label}: the JWK's kty is not one JWS uses (oct, RSA, EC, OKP)")
    if jwk.get("kty") == "oct":
        try:
            secret = keymod.b64url_decode(str(jwk["k"]))
        except (KeyError, ValueError):
            raise InvalidInput(f"{label}: an oct JWK needs a base64url 'k'") from None
        if not secret:
            raise InvalidInput(f"{label}: the oct JWK's 'k' is empty")
        return Imported(label, secret=secret, kid=kid, alg=alg)
    if "d" in jwk:
        pem = _private_pem_from_jwk(jwk, label)
        item = _split(
            serialization.load_pem_private_key(pem, password=None), label, kid=kid, alg=alg
        )
        assert item.private is not None  # noqa: S101 - the JWK has "d"
        if not _members_match(jwk, keymod.public_jwk(item.private.public_key())):
            raise InvalidInput(f"{label}: the JWK's public members do not match its private key")
        return item
    public = {k: str(v) for k, v in jwk.items() if k in ("kty", "n", "e", "crv", "x", "y")}
    try:
        key = keymod.public_key_from_jwk(public)
    except InvalidInput:
        raise InvalidInput(f"{label}: not a usable public JWK (RSA, EC or Ed25519)") from None
    return _split(key, label, kid=kid, alg=alg)


def _members_match(jwk: Mapping[str, Any], derived: Mapping[str, str]) -> bool:
    """The public members a private JWK states (n, e, x, y, crv) are those of its key."""
    for name, value in derived.items():
        given = jwk.get(name)
        if given is None or name in ("kty", "crv"):
            if given is not None and given != value:
                return False
            continue
        try:
            stated = int.from_bytes(keymod.b64url_decode(str(given)), "big")
        except ValueError:
            return False
        if stated != int.from_bytes(keymod.b64url_decode(value), "big"):
            return False
    return True
