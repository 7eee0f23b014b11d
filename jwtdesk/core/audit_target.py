"""What the audit searches for, from a token: its HMAC algorithm, signing input and MAC."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from jwtdesk.core.audit import Job
from jwtdesk.core.audit_rules import names_from_claims
from jwtdesk.core.errors import InvalidInput

HMAC_BITS = {"HS256": 256, "HS384": 384, "HS512": 512}


class TokenTarget(NamedTuple):  # not a dataclass: start-up
    token: str  # the compact token as given, without surrounding whitespace
    alg: str
    job: Job
    claims: dict[str, Any]  # the payload, for the templates' names

    @property
    def names(self) -> tuple[str, ...]:
        """App and host names from iss/aud/sub, for the templates (only --rules asks: URL
        parsing costs start-up)."""
        return tuple(names_from_claims(self.claims))

    @property
    def label(self) -> str:
        """A short, non-secret name for the token: its alg and the start of its payload."""
        _, _, rest = self.token.partition(".")
        return f"{self.alg} {rest[:16]}…" if len(rest) > 16 else f"{self.alg} {rest}"


def token_target(token: str) -> TokenTarget:
    """Parse an HS256/384/512 token (RFC 7515 compact form) into what the scanner needs."""
    quick = _quick_target(token.strip())
    return quick if quick is not None else _parsed_target(token)


def _parsed_target(token: str) -> TokenTarget:
    from jwtdesk.core import jose  # its strict parser (and dataclasses) cost start-up

    parsed = jose.parse(token.strip())
    if parsed.is_jwe:
        raise InvalidInput(
            "this is an encrypted token (JWE); only HS256/384/512 JWS can be audited"
        )
    if parsed.signing_input is None or parsed.signature is None or parsed.header is None:
        raise InvalidInput(
            "not a compact JWS (header.payload.signature in base64url); paste the whole token"
        )
    alg = parsed.header.get("alg")
    bits = HMAC_BITS.get(alg) if isinstance(alg, str) else None
    if bits is None or not isinstance(alg, str):
        raise InvalidInput(
            f"the token's alg is {alg!r}; only HS256/384/512 tokens have a secret to guess"
        )
    if len(parsed.signature) != bits // 8:
        raise InvalidInput(
            f"the signature is {len(parsed.signature)} bytes; {alg} makes {bits // 8}"
        )
    job = Job(parsed.signing_input, bits, (parsed.signature,))
    return TokenTarget(".".join(parsed.segments), alg, job, parsed.claims or {})


_CANONICAL = re.compile(r"[A-Za-z0-9_-]*")


def _quick_target(token: str) -> TokenTarget | None:
    """The usual token without ``jose``: three canonical base64url segments, JSON objects,
    an HS alg and a MAC of its length. Anything else (None) goes to ``jose.parse``, whose
    leniencies and messages stay the reference."""
    import json

    if len(token) > 1 << 20:  # jose.MAX_TOKEN_BYTES: jose reports an oversized token
        return None
    segments = token.split(".")
    if len(segments) != 3 or not all(_CANONICAL.fullmatch(s) for s in segments):
        return None
    try:
        header, claims = (json.loads(_b64(s), parse_constant=_refuse) for s in segments[:2])
        signature = _b64(segments[2])
    except (ValueError, RecursionError):  # binascii.Error and JSON errors are ValueErrors
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    alg = header.get("alg")
    bits = HMAC_BITS.get(alg) if isinstance(alg, str) else None
    if bits is None or not isinstance(alg, str) or len(signature) != bits // 8:
        return None
    job = Job(f"{segments[0]}.{segments[1]}".encode("ascii"), bits, (signature,))
    return TokenTarget(token, alg, job, claims)


def _b64(segment: str) -> bytes:
    import base64

    if len(segment) % 4 == 1:
        raise ValueError("impossible base64url length")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: as jose refuses them


def hashcat_line(target: TokenTarget) -> str:
    """hashcat mode 16500 (JWT) takes the compact token itself."""
    return target.token


def john_line(target: TokenTarget) -> str:
    """John the Ripper's HMAC-SHA* input: ``signing_input#hex(mac)`` (as jwt2john writes)."""
    return f"{target.job.msg.decode('ascii')}#{target.job.targets[0].hex()}"
