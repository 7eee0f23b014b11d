"""Weak HMAC keys: public-key text used as a secret, and secrets from a public list.

Used by the lint rules (alg-confusion, weak-secret); kept apart for the wordlist audit.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

_PEM_PUBLIC = (b"-----BEGIN PUBLIC KEY", b"-----BEGIN RSA PUBLIC KEY", b"-----BEGIN CERTIFICATE")
_SSH_PREFIXES = (b"ssh-rsa ", b"ssh-ed25519 ", b"ecdsa-sha2-")


def looks_like_public_key(data: bytes) -> bool:
    """PEM public key or certificate, an OpenSSH public key, or a public JWK / JWKS."""
    if any(marker in data for marker in _PEM_PUBLIC):
        return True
    text = data.strip()
    if text.startswith(_SSH_PREFIXES):
        return True
    if not text.startswith(b"{") or len(text) > 1 << 20:
        return False
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return False
    keys = value.get("keys") if isinstance(value, dict) else None
    candidates = keys if isinstance(keys, list) else [value]
    return any(_public_jwk(k) for k in candidates)


def _public_jwk(value: object) -> bool:
    return (
        isinstance(value, dict)
        and "kty" in value
        and ("n" in value or "x" in value)
        and not ("d" in value or "k" in value)
    )


@functools.cache
def _weak_secrets() -> frozenset[bytes]:
    """The built-in list (wallarm/jwt-secrets, MIT), loaded once per process."""
    data = resources.files("jwtdesk.resources").joinpath("weak_secrets.txt").read_bytes()
    return frozenset(line.removesuffix(b"\r") for line in data.split(b"\n"))


def known_count() -> int:
    """How many published secrets the built-in list holds (``jwtdesk doctor --self-check``)."""
    return len(_weak_secrets())


def is_common_secret(secret: bytes) -> bool:
    """``secret`` is, byte for byte (or without one trailing newline), a published JWT secret."""
    known = _weak_secrets()
    if secret in known:
        return True
    stripped = secret.removesuffix(b"\n").removesuffix(b"\r")
    return stripped != secret and stripped in known
