"""What the audit searches for, from a token: its HMAC algorithm, signing input and MAC."""

from __future__ import annotations

from dataclasses import dataclass

from jwtdesk.core import jose
from jwtdesk.core.audit import Job
from jwtdesk.core.audit_rules import names_from_claims
from jwtdesk.core.errors import InvalidInput

HMAC_BITS = {"HS256": 256, "HS384": 384, "HS512": 512}


@dataclass(frozen=True, slots=True)
class TokenTarget:
    token: str  # the compact token as given, without surrounding whitespace
    alg: str
    job: Job
    names: tuple[str, ...]  # app and host names from iss/aud/sub, for the templates

    @property
    def label(self) -> str:
        """A short, non-secret name for the token: its alg and the start of its payload."""
        _, _, rest = self.token.partition(".")
        return f"{self.alg} {rest[:16]}…" if len(rest) > 16 else f"{self.alg} {rest}"


def token_target(token: str) -> TokenTarget:
    """Parse an HS256/384/512 token (RFC 7515 compact form) into what the scanner needs."""
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
    names = tuple(names_from_claims(parsed.claims or {}))
    job = Job(parsed.signing_input, bits, (parsed.signature,))
    return TokenTarget(".".join(parsed.segments), alg, job, names)


def hashcat_line(target: TokenTarget) -> str:
    """hashcat mode 16500 (JWT) takes the compact token itself."""
    return target.token


def john_line(target: TokenTarget) -> str:
    """John the Ripper's HMAC-SHA* input: ``signing_input#hex(mac)`` (as jwt2john writes)."""
    return f"{target.job.msg.decode('ascii')}#{target.job.targets[0].hex()}"
