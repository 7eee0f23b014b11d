"""Shared types of the lint modules: severities, rules, findings, the context and the catalogue.

The catalogue lives here (re-exported by :mod:`jwtdesk.core.lint`) so that the rule modules
(:mod:`jwtdesk.core.lint` and :mod:`jwtdesk.core.lint_claims`) build findings from it without an
import cycle. Messages name claims and header members but never include a secret, the
signature, or more than 40 characters of any value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from jwtdesk.core.jose import ParsedToken
from jwtdesk.core.secret import Secret


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    summary: str
    reference: str


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    severity: Severity
    message: str
    reference: str
    location: str | None  # e.g. "header.alg", "claims.exp"


@dataclass(frozen=True, slots=True)
class Thresholds:
    access: timedelta = timedelta(minutes=60)
    refresh: timedelta = timedelta(days=7)
    confirmation: timedelta = timedelta(minutes=15)
    custom: timedelta | None = None


_DATE_CLAIMS = ("exp", "nbf", "iat")
_DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class LintContext:
    token: ParsedToken
    now: datetime  # the as-of time (UTC-aware)
    leeway: timedelta = timedelta(seconds=30)
    preset: str | None = None  # "access" | "refresh" | "confirmation" | "custom" | None
    thresholds: Thresholds = _DEFAULT_THRESHOLDS  # shared: frozen, and built once
    verified_state: str | None = None  # "current" | "previous" | None
    hmac_key_looks_public: bool = False
    hmac_secret: Secret | None = None  # revealed only by the weak-secret rule
    retired_key: str | None = None  # the retired key the kid names ("keyset api, retired ...")
    # exp/nbf/iat that are finite JSON numbers, computed once: six rules read them.
    dates: dict[str, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "dates", numeric_dates(self))


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO
# fmt: off
# Judged from where a token was found (a header, cookie, URL, code or HAR), not from the token.
TRANSPORT_RULES: tuple[Rule, ...] = (
    Rule("token-over-http", _E, "The token travelled over plain http://, readable on the path.",
         "RFC 6750 §5.3; RFC 8725 §3.1"),
    Rule("token-in-url", _W, "The token is in a URL, so it leaks into logs, history and Referer.",
         "RFC 6750 §2.3, §5.3; RFC 9700 §4.3.2"),
    Rule("cookie-no-httponly", _W, "The token cookie lacks HttpOnly, so scripts can read it.",
         "RFC 6265 §4.1.2.6; OWASP Session Management Cheat Sheet"),
    Rule("cookie-no-secure", _W, "The token cookie lacks Secure, so it is also sent over http.",
         "RFC 6265 §4.1.2.5"),
    Rule("cookie-no-samesite", _W,
         "The token cookie has no SameSite, or SameSite=None without Secure.",
         "draft-ietf-httpbis-rfc6265bis §4.1.2.7"),
    Rule("cookie-outlives-token", _W, "The cookie's Max-Age or Expires outlasts the token's exp.",
         "RFC 6265 §5.2.1, §5.2.2; RFC 7519 §4.1.4"),
    Rule("refresh-token-readable-by-js", _E,
         "A refresh token is readable by JavaScript (cookie without HttpOnly, or web storage).",
         "RFC 9700 §4.14; OWASP JWT Cheat Sheet: token storage"),
    Rule("token-in-web-storage", _W,
         "Code writes a token to localStorage or sessionStorage, readable by any script.",
         "OWASP HTML5 Security Cheat Sheet: Local Storage"),
    Rule("missing-hsts", _W,
         "A response sets a token cookie on a site without Strict-Transport-Security.",
         "RFC 6797 §5, §7.1"),
    Rule("token-sent-to-several-hosts", _W, "The same token was sent to more than one host.",
         "RFC 8725 §3.9; RFC 6750 §5.2"),
)
# fmt: on
TRANSPORT_RULE_IDS = frozenset(r.id for r in TRANSPORT_RULES)
# fmt: off
CATALOGUE: tuple[Rule, ...] = (
    # Parser defects, reported by jwtdesk.core.jose with the same ids.
    Rule("malformed", _E, "The token does not decode as a compact JWS.", "RFC 7515 §7.1"),
    Rule("segment-count", _E, "A compact JWS has exactly three segments.", "RFC 7515 §7.1"),
    Rule("whitespace", _E, "The token contains whitespace, which JWS forbids.", "RFC 7515 §7.1"),
    Rule("too-large", _E, "The token is over 1 MiB and was not decoded.", "jwtdesk limit: 1 MiB"),
    Rule("jwe", _I, "An encrypted token (JWE): named, never decrypted.", "RFC 7516 §7.1"),
    Rule("padding", _E, "A segment has '=' padding, which base64url omits.", "RFC 7515 §2"),
    Rule("non-canonical-base64", _E,
         "A segment is not canonical base64url (alphabet or trailing bits).", "RFC 4648 §3.5, §5"),
    Rule("duplicate-member", _E,
         "A JSON member name repeats, so readers may disagree on its value.", "RFC 7515 §4"),
    Rule("crit-unknown", _E,
         "The header marks extensions critical that jwtdesk does not know.", "RFC 7515 §4.1.11"),
    # Algorithm and keys.
    Rule("alg-none", _E, "The token is unsecured (alg none) or names no algorithm.",
         "RFC 8725 §3.1; RFC 7518 §3.6"),
    Rule("alg-confusion", _E, "An HMAC token checked with a public key can be forged by anyone.",
         "RFC 8725 §3.1; CVE-2015-9235"),
    Rule("weak-secret", _E, "The HMAC secret is shorter than the hash or publicly known.",
         "RFC 7518 §3.2; RFC 8725 §3.5"),
    Rule("retired-key", _E, "The kid names a key that was retired: it verifies nothing now.",
         "RFC 7515 §4.1.4; RFC 7517 §4.5"),
    Rule("previous-key", _I, "A key version that is no longer current verified the token.",
         "jwtdesk rotation: previous keys verify until retired"),
    # Header members.
    Rule("jku-header", _W, "The header names a JWK Set URL; jwtdesk never fetches it.",
         "RFC 7515 §4.1.2; RFC 8725 §3.10"),
    Rule("x5u-header", _W, "The header names a certificate URL; jwtdesk never fetches it.",
         "RFC 7515 §4.1.5; RFC 8725 §3.10"),
    Rule("embedded-jwk", _W, "The header embeds a key, which must never verify the token.",
         "RFC 7515 §4.1.3; CVE-2018-0114"),
    Rule("x5c-header", _W, "The header carries certificates; jwtdesk never trusts them.",
         "RFC 7515 §4.1.6"),
    Rule("kid-injection", _W, "The kid is unsafe as a file path, SQL or shell text.",
         "RFC 8725 §3.10"),
    Rule("typ-mismatch", _W, "The typ is unknown or contradicts the kind of token.",
         "RFC 8725 §3.11; RFC 9068 §2.1"),
    # Claims.
    Rule("numeric-date", _E, "exp, nbf and iat must be JSON numbers of seconds.", "RFC 7519 §2"),
    Rule("ms-timestamp", _W, "A 13-digit time looks like milliseconds.", "RFC 7519 §2"),
    Rule("expired", _E, "The token has expired at the as-of time.", "RFC 7519 §4.1.4"),
    Rule("not-yet-valid", _E, "The token is not valid yet at the as-of time.", "RFC 7519 §4.1.5"),
    Rule("nbf-after-exp", _E, "nbf is not before exp, so the token is never valid.",
         "RFC 7519 §4.1.4, §4.1.5"),
    Rule("iat-in-future", _E, "The token says it was issued after the as-of time.",
         "RFC 7519 §4.1.6"),
    Rule("no-exp", _W, "The token has no exp and never expires.", "RFC 7519 §4.1.4"),
    Rule("long-lifetime", _W, "The token lives longer than the threshold for its kind.",
         "JWT guide: access 60 min, refresh 7 days, confirmation 15 min"),
    Rule("missing-iss", _W, "The token has no iss for a verifier to check.",
         "RFC 7519 §4.1.1; RFC 8725 §3.8"),
    Rule("missing-aud", _W, "The token has no aud, so any service of the issuer accepts it.",
         "RFC 7519 §4.1.3; RFC 8725 §3.9"),
    Rule("missing-jti", _W, "A refresh or confirmation token has no jti to revoke it by.",
         "RFC 7519 §4.1.7"),
    Rule("sensitive-claim", _W, "The payload, readable by anyone, holds sensitive data.",
         "RFC 7519 §12"),
    # Transport and storage: where the token travelled (jwtdesk.core.lint_transport).
    *TRANSPORT_RULES,
)
# fmt: on
_BY_ID = {r.id: r for r in CATALOGUE}
_AT_JWT = frozenset({"at+jwt", "application/at+jwt"})
_JSON_TYPES = {bool: "a boolean", str: "a string", list: "an array", dict: "an object"}
_JSON_TYPES[type(None)] = "null"


def _finding(rule_id: str, message: str, where: str | None, sev: Severity | None = None) -> Finding:
    r = _BY_ID[rule_id]
    return Finding(r.id, sev or r.severity, message, r.reference, where)


def _clip(value: object) -> str:
    """A value for a message: strings quoted and cut to 40 characters, others by type name."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:39] + "…")
    return _JSON_TYPES.get(type(value), "a number")


def _header(ctx: LintContext) -> dict[str, Any]:
    return ctx.token.header or {}


def _claims(ctx: LintContext) -> dict[str, Any]:
    return ctx.token.claims or {}


def _declared_use(claims: dict[str, Any]) -> str | None:
    """The kind of token its claims say it is (token_use, token_type, type or purpose)."""
    for name in ("token_use", "token_type", "type", "purpose"):
        value = claims.get(name)
        if isinstance(value, str):
            low = value.lower()
            if "refresh" in low:
                return "refresh"
            if "confirm" in low or "verif" in low:
                return "confirmation"
            if low in ("access", "access_token"):
                return "access"
    return None


def effective_preset(ctx: LintContext) -> str | None:
    """ctx.preset, else "access" for typ at+jwt (RFC 9068 §2.1), else what the claims say."""
    if ctx.preset is not None:
        return ctx.preset
    typ = _header(ctx).get("typ")
    if isinstance(typ, str) and typ.lower() in _AT_JWT:
        return "access"
    return _declared_use(_claims(ctx))


def _number(value: object) -> float | None:
    """A NumericDate as float seconds (RFC 7519 §2), or None if it is not a finite JSON number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def numeric_dates(ctx: LintContext) -> dict[str, float]:
    claims = _claims(ctx)
    return {k: n for k in _DATE_CLAIMS if k in claims and (n := _number(claims[k])) is not None}
