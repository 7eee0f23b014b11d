"""Crypto and resource checks for ``jwtdesk doctor --self-check`` (pure: no I/O, no keyring).

A frozen app (PyInstaller) can start and still miss a part that is only imported on use: the
OpenSSL bindings of ``cryptography``, PyJWT's algorithm modules, the built-in weak-secret
list. Each check here makes a key, signs a token and verifies it with jwtdesk's own code paths,
so a missing part shows as a failed row, not as a crash the first time a user signs.
"""

from __future__ import annotations

from dataclasses import dataclass

from jwtdesk.core.errors import JwtdeskError

# One algorithm per key family (RFC 7518 §3.2-3.5, RFC 8037 for EdDSA); RSA at 2048 bits
# keeps the check under ~0.2 s.
CRYPTO_ALGS = ("HS256", "RS256", "PS256", "ES256", "EdDSA")


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One row of the self-check: what was checked, whether it worked, and the detail."""

    name: str
    ok: bool
    detail: str


def crypto_backend() -> CheckResult:
    """The OpenSSL that ``cryptography`` is linked with (its Rust bindings load here)."""
    try:
        import cryptography
        from cryptography.hazmat.backends.openssl import backend
    except ImportError as exc:
        return CheckResult("crypto backend", False, f"cannot import cryptography: {exc.name}")
    return CheckResult(
        "crypto backend",
        True,
        f"cryptography {cryptography.__version__}, {backend.openssl_version_text()}",
    )


def sign_and_verify(alg_name: str) -> CheckResult:
    """A fresh key for ``alg_name`` signs a token that jwtdesk's inspector then verifies."""
    from datetime import UTC, datetime

    from jwtdesk.core import algorithms, keys, tokens
    from jwtdesk.core.algorithms import KeyType
    from jwtdesk.core.inspect import inspect
    from jwtdesk.core.keyfile import Candidate, SigningMaterial, VerifyingKey

    alg = algorithms.get(alg_name)
    try:
        material = keys.generate(alg, 2048 if alg.kty is KeyType.RSA else None)
        signing: SigningMaterial
        verifying: VerifyingKey
        if material.public_jwk is None:
            signing = verifying = material.secret
        else:
            signing = keys.load_private(alg, material.secret)
            verifying = keys.public_key_from_jwk(material.public_jwk)
        now = int(datetime.now(UTC).timestamp())
        claims = {"sub": "self-check", "iat": now, "exp": now + 60}
        token = tokens.sign(claims, {"kid": material.kid}, alg.name, signing)
        cand = Candidate("self-check", alg.kty, verifying, material.kid, alg.name, alg.curve)
        report = inspect(token, [cand])
    except (JwtdeskError, ImportError, ValueError, TypeError) as exc:
        return CheckResult(f"sign {alg_name}", False, f"{type(exc).__name__}: {exc}")
    if report.verified_by is None or not report.valid:
        return CheckResult(f"sign {alg_name}", False, "the signed token did not verify")
    return CheckResult(f"sign {alg_name}", True, "signed and verified")


def wordlist() -> CheckResult:
    """The built-in weak-secret list (a data file the package must ship) loads and matches."""
    from jwtdesk.core import weak

    try:
        found = weak.is_common_secret(b"secret")
        size = weak.known_count()
    except OSError as exc:
        return CheckResult("weak-secret list", False, f"cannot read it: {exc.strerror}")
    if not found or size == 0:
        return CheckResult("weak-secret list", False, "loaded, but it does not list 'secret'")
    return CheckResult("weak-secret list", True, f"{size} published secrets")


def run() -> list[CheckResult]:
    """Every pure check, in the order people read them."""
    return [crypto_backend(), *(sign_and_verify(a) for a in CRYPTO_ALGS), wordlist()]
