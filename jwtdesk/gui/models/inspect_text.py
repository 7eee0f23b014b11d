"""Words for people, without Qt: check titles, what header and claim names mean, times as
UTC, local and relative ("expires in 12 min"), and links for the references of findings.
Also the times a lifetime bar draws. Used by the Inspect and Build views and their models.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, NamedTuple

from jwtdesk.core.inspect import Report, human

# fmt: off
CHECK_TITLES = {
    "structure": "Structure", "canonical": "Canonical form", "alg": "Algorithm (alg)",
    "kid": "Key id (kid → key)",
    "signature": "Signature", "iss": "Issuer (iss)", "aud": "Audience (aud)",
    "exp": "Expiry (exp)", "nbf": "Not before (nbf)", "iat": "Issued at (iat)",
    "required": "Required claims", "revoked": "Revocation (Redis)",
}
# fmt: on

# fmt: off
DESCRIPTIONS = {
    "header": {
        "alg": "Signing algorithm (RFC 7515 §4.1.1)", "typ": "Media type (RFC 7515 §4.1.9)",
        "cty": "Content type (RFC 7515 §4.1.10)", "kid": "Key id (RFC 7515 §4.1.4)",
        "jku": "JWK Set URL — never fetched (RFC 7515 §4.1.2)",
        "jwk": "Embedded key — never trusted (RFC 7515 §4.1.3)",
        "x5u": "Certificate URL — never fetched (RFC 7515 §4.1.5)",
        "x5c": "Certificate chain — never trusted (RFC 7515 §4.1.6)",
        "crit": "Critical extensions (RFC 7515 §4.1.11)",
        "enc": "Content encryption (RFC 7516 §4.1.2)",
    },
    "claims": {
        "iss": "Issuer (RFC 7519 §4.1.1)", "sub": "Subject (RFC 7519 §4.1.2)",
        "aud": "Audience (RFC 7519 §4.1.3)", "jti": "Token id (RFC 7519 §4.1.7)",
        "scope": "Scopes (RFC 8693 §4.2)", "client_id": "Client (RFC 8693 §4.3)",
        "azp": "Authorised party (OIDC Core §2)", "nonce": "Nonce (OIDC Core §2)",
    },
}
# fmt: on
TIME_CLAIMS = ("exp", "nbf", "iat", "auth_time", "updated_at")
_TIME_WORDS = {
    "exp": ("expires in {}", "expired {} ago"),
    "nbf": ("becomes valid in {}", "valid since {} ago"),
    "iat": ("issued in {} — in the future", "issued {} ago"),
}
MS_WARNING = "milliseconds?"


def utc(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def describe_time(name: str, value: float, as_of: datetime) -> str:
    """raw -> "2026-05-01 12:00:00 UTC · 14:00:00 local (+02:00) · expires in 12 min"."""
    if 1e12 <= abs(value) < 1e13:
        as_ms = utc(value / 1000)
        shown = as_ms.strftime("%Y-%m-%d %H:%M:%S UTC") if as_ms else "?"
        return f"{MS_WARNING} 13 digits: as milliseconds {shown}; a NumericDate is seconds"
    when = utc(value)
    if when is None:
        return "beyond the calendar (year 9999)"
    local = when.astimezone()
    offset = local.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if len(offset) == 5 else offset
    delta = value - as_of.timestamp()
    future, past = _TIME_WORDS.get(name, ("in {}", "{} ago"))
    relative = future.format(human(delta)) if delta > 0 else past.format(human(delta))
    # The local date only when it is not the UTC one: the column stays readable when narrow.
    day = "" if local.date() == when.date() else local.strftime("%Y-%m-%d ")
    return (
        f"{when.strftime('%Y-%m-%d %H:%M:%S')} UTC · "
        f"{day}{local.strftime('%H:%M:%S')} local ({offset}) · {relative}"
    )


_RFC = re.compile(r"RFC (\d{4})(?: §([\d.]+))?")
_CVE = re.compile(r"CVE-\d{4}-\d{4,}")


def reference_url(reference: str) -> str | None:
    """A link for a reference text: the RFC section it names first, else a CVE record."""
    m = _RFC.search(reference)
    if m:
        section = f"#section-{m.group(2).rstrip('.')}" if m.group(2) else ""
        return f"https://www.rfc-editor.org/rfc/rfc{m.group(1)}{section}"
    cve = _CVE.search(reference)
    return f"https://www.cve.org/CVERecord?id={cve.group()}" if cve else None


def clip(key: str) -> str:
    return key if len(key) <= 40 else key[:39] + "…"


def value_text(value: Any) -> str:
    if isinstance(value, dict):
        return f"{{{len(value)} member{'s' * (len(value) != 1)}}}"
    if isinstance(value, list):
        return f"[{len(value)} item{'s' * (len(value) != 1)}]"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:199] + "…"


class Lifetime(NamedTuple):
    """The times a lifetime bar draws, in seconds since the epoch (NumericDate)."""

    iat: float | None
    nbf: float | None
    exp: float | None
    at: float  # the as-of time
    leeway: float = 0.0
    live: bool = True  # the as-of time is now

    @classmethod
    def from_claims(
        cls, claims: dict[str, object] | None, at: float, leeway: float, live: bool
    ) -> Lifetime:
        def number(name: str) -> float | None:
            value = (claims or {}).get(name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                return None
            return float(value) if abs(value) < 1e12 else None  # 13 digits: ms, not drawn

        return cls(number("iat"), number("nbf"), number("exp"), at, leeway, live)

    @property
    def empty(self) -> bool:
        return self.iat is None and self.nbf is None and self.exp is None

    def summary(self) -> str:
        """The bar in words, for its tooltip and screen readers."""
        from jwtdesk.core.inspect import human

        if self.empty:
            return "No iat, nbf or exp claim: the token states no lifetime."

        def rel(t: float) -> str:
            return f"in {human(t - self.at)}" if t > self.at else f"{human(self.at - t)} ago"

        parts = []
        if self.iat is not None:
            parts.append(f"issued {rel(self.iat)}")
        if self.nbf is not None:
            parts.append(f"valid from {rel(self.nbf)}")
        parts.append(f"expires {rel(self.exp)}" if self.exp is not None else "never expires")
        when = "now" if self.live else "the as-of time"
        return f"{', '.join(parts)} (relative to {when}; leeway {self.leeway:g} s)."


def json_text(report: Report) -> str:
    """Header and payload pretty-printed; what does not decode is said so, not hidden."""
    token = report.token
    parts = []
    for title, value, raw in (
        ("Header", token.header, token.header_bytes),
        ("Payload", token.claims, token.payload_bytes),
    ):
        if value is not None:
            body = json.dumps(value, indent=2, ensure_ascii=False)
        elif token.is_jwe and title == "Payload":
            body = "(encrypted: a JWE payload is never decrypted)"
        elif raw is not None:
            body = "(not a JSON object) " + raw.decode("utf-8", "replace")[:2000]
        else:
            body = "(does not decode)"
        parts.append(f"// {title}\n{body}")
    if token.signature is not None:
        parts.append(f"// Signature: {len(token.signature)} bytes")
    return "\n\n".join(parts)
