"""The finding catalogue: stable rule ids, severities, references, one small check per rule.

``lint`` turns a :class:`~jwtdesk.core.jose.ParsedToken` (plus what verification learnt) into
findings. Parser defects become findings with the same ids. Messages name claims and header
members but never include a secret, the signature, or more than 40 characters of any value.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from importlib import resources
from typing import Any

from jwtdesk.core.algorithms import ALGORITHMS
from jwtdesk.core.jose import ParsedToken


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


@dataclass(frozen=True, slots=True)
class LintContext:
    token: ParsedToken
    now: datetime  # the as-of time (UTC-aware)
    leeway: timedelta = timedelta(seconds=30)
    preset: str | None = None  # "access" | "refresh" | "confirmation" | "custom" | None
    thresholds: Thresholds = field(default_factory=Thresholds)
    verified_state: str | None = None  # "current" | "previous" | None
    hmac_key_looks_public: bool = False
    hmac_secret: bytes | None = None


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO
# fmt: off
CATALOGUE: tuple[Rule, ...] = (
    # Parser defects, reported by jwtdesk.core.jose with the same ids.
    Rule("malformed", _E, "The token does not decode as a compact JWS.", "RFC 7515 §7.1"),
    Rule("segment-count", _E, "A compact JWS has exactly three segments.", "RFC 7515 §7.1"),
    Rule("whitespace", _W, "The token contains whitespace, which JWS forbids.", "RFC 7515 §7.1"),
    Rule("too-large", _E, "The token is over 1 MiB and was not decoded.", "jwtdesk limit: 1 MiB"),
    Rule("jwe", _I, "An encrypted token (JWE): named, never decrypted.", "RFC 7516 §7.1"),
    Rule("padding", _W, "A segment has '=' padding, which base64url omits.", "RFC 7515 §2"),
    Rule("non-canonical-base64", _W,
         "A segment is not canonical base64url (alphabet or trailing bits).", "RFC 4648 §3.5, §5"),
    Rule("duplicate-member", _W,
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
    Rule("iat-in-future", _W, "The token says it was issued after the as-of time.",
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
)
# fmt: on
_BY_ID = {r.id: r for r in CATALOGUE}
_DATES = ("exp", "nbf", "iat")
_TYPS = frozenset({"jwt", "application/jwt", "at+jwt", "application/at+jwt"})
_AT_JWT = frozenset({"at+jwt", "application/at+jwt"})
_KID_UNSAFE = ("../", "/", "\\", "'", '"', "\0", ";", "|", "&", "$", "`", "<", ">", "%2e", "%2f")
_SENSITIVE = frozenset(
    {"password", "passwd", "pwd", "secret", "clientsecret", "ssn", "creditcard", "cardnumber"}
    | {"cvv", "pin", "privatekey", "apikey"}
)
_JSON_TYPES = {bool: "a boolean", str: "a string", list: "an array", dict: "an object"}
_JSON_TYPES[type(None)] = "null"
_NOT_ALNUM = re.compile(r"[\W_]")
_CARD = re.compile(r"\d(?:[ -]?\d){12,18}", re.ASCII)
_MAX_SENSITIVE = 20  # findings per token for sensitive-claim
_PEM_PUBLIC = (b"-----BEGIN PUBLIC KEY", b"-----BEGIN RSA PUBLIC KEY", b"-----BEGIN CERTIFICATE")
_SSH_PREFIXES = (b"ssh-rsa ", b"ssh-ed25519 ", b"ecdsa-sha2-")


def rule(id: str) -> Rule:
    """The rule called ``id`` (KeyError if there is none)."""
    return _BY_ID[id]


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


def _number(value: object) -> float | None:
    """A NumericDate as float seconds (RFC 7519 §2), or None if it is not a finite JSON number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _dates(ctx: LintContext) -> dict[str, float]:
    claims = _claims(ctx)
    return {k: n for k in _DATES if k in claims and (n := _number(claims[k])) is not None}


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    days = seconds / 86400
    return f"{days:,.0f} days" if days < 1e7 else "over 27,000 years"


def _when(timestamp: float) -> str:
    try:
        return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return f"{timestamp:g}"


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


# ---- Algorithm and keys -------------------------------------------------------------------


def _alg_none(ctx: LintContext) -> list[Finding]:
    """RFC 8725 §3.1, RFC 7518 §3.6: "none" in any spelling, or no usable alg at all."""
    header = ctx.token.header
    if header is None:
        return []
    alg = header.get("alg")
    if not isinstance(alg, str):
        what = "has no alg" if "alg" not in header else f"has an alg that is {_clip(alg)}"
        return [_finding("alg-none", f"the header {what}; nothing says how it is signed", "header")]
    if alg.strip().lower() == "none":
        message = f"alg is {_clip(alg)}: the token is unsigned and anyone can forge it"
        return [_finding("alg-none", message, "header.alg")]
    return []


def _alg_confusion(ctx: LintContext) -> list[Finding]:
    """RFC 8725 §3.1, CVE-2015-9235: an HMAC keyed with public-key text is forgeable by anyone."""
    alg = ctx.token.alg
    if alg is None or not alg.upper().startswith("HS"):
        return []
    out = []
    if ctx.hmac_key_looks_public:
        message = f"this {_clip(alg)} token was checked with a public key used as HMAC secret"
        out.append(_finding("alg-confusion", message + "; anyone can forge it", "header.alg"))
    carried = [m for m in ("jwk", "x5c") if m in _header(ctx)]
    if carried:
        message = f"an HMAC token carrying {'/'.join(carried)}: never key HMAC with that public key"
        out.append(_finding("alg-confusion", message, f"header.{carried[0]}", Severity.INFO))
    return out


def _weak_secret(ctx: LintContext) -> list[Finding]:
    """RFC 7518 §3.2: an HMAC key at least as long as the hash; RFC 8725 §3.5: not guessable."""
    secret = ctx.hmac_secret
    if secret is None:
        return []
    algorithm = ALGORITHMS.get(ctx.token.alg or "")
    name, need = ("HMAC", 32)
    if algorithm is not None and algorithm.is_symmetric and algorithm.min_size is not None:
        name, need = algorithm.name, algorithm.min_size
    out = []
    if is_common_secret(secret):
        message = "the HMAC secret is in a public list of known JWT secrets; anyone can forge"
        out.append(_finding("weak-secret", message, None))
    if len(secret) < need:
        message = f"the HMAC secret has {len(secret)} bytes; {name} needs at least {need}"
        out.append(_finding("weak-secret", message, None))
    return out


def _previous_key(ctx: LintContext) -> list[Finding]:
    if ctx.verified_state != "previous":
        return []
    message = "verified by a previous key version: the token predates the last rotation"
    return [_finding("previous-key", message, "header.kid")]


# ---- Header members -----------------------------------------------------------------------


def _member(ctx: LintContext, rule_id: str, name: str, message: str) -> list[Finding]:
    return [_finding(rule_id, message, f"header.{name}")] if name in _header(ctx) else []


def _jku(ctx: LintContext) -> list[Finding]:
    message = "the header names a JWK Set URL (jku); jwtdesk never fetches it"
    return _member(ctx, "jku-header", "jku", message + ": verify with keys you hold")


def _x5u(ctx: LintContext) -> list[Finding]:
    message = "the header names a certificate URL (x5u); jwtdesk never fetches it"
    return _member(ctx, "x5u-header", "x5u", message + ": verify with keys you hold")


def _embedded_jwk(ctx: LintContext) -> list[Finding]:
    message = "the header embeds a key (jwk); a verifier that uses it accepts any forger's key"
    return _member(ctx, "embedded-jwk", "jwk", message)


def _x5c(ctx: LintContext) -> list[Finding]:
    message = "the header carries a certificate chain (x5c); jwtdesk never trusts it"
    return _member(ctx, "x5c-header", "x5c", message)


def _kid_injection(ctx: LintContext) -> list[Finding]:
    """RFC 8725 §3.10: kid is attacker-chosen; as a path, SQL or shell text it can pick a key."""
    header = _header(ctx)
    if "kid" not in header:
        return []
    kid = header["kid"]
    if not isinstance(kid, str):
        message = f"kid is {_clip(kid)}, not a string; key lookups built on it may misbehave"
        return [_finding("kid-injection", message, "header.kid")]
    hits = [s for s in _KID_UNSAFE if s in kid.lower()]
    if not hits and kid.isprintable():
        return []
    what = ", ".join(repr(s) for s in hits[:4]) or "non-printable characters"
    message = f"kid {_clip(kid)} contains {what}: unsafe as a file path, SQL or shell text"
    return [_finding("kid-injection", message, "header.kid")]


def _typ_mismatch(ctx: LintContext) -> list[Finding]:
    """RFC 7515 §4.1.9, RFC 8725 §3.11-3.12, RFC 9068 §2.1: explicit types keep kinds apart."""
    header = _header(ctx)
    if "typ" not in header:
        return []
    typ = header["typ"]
    if not isinstance(typ, str):
        return [_finding("typ-mismatch", f"typ is {_clip(typ)}, not a string", "header.typ")]
    if typ.lower() not in _TYPS:
        message = f"typ {_clip(typ)} is not JWT or at+jwt; check the verifier expects it"
        return [_finding("typ-mismatch", message, "header.typ")]
    use = ctx.preset or _declared_use(_claims(ctx))
    if typ.lower() in _AT_JWT and use in ("refresh", "confirmation"):
        message = f"typ at+jwt marks an access token, but this is a {use} token"
        return [_finding("typ-mismatch", message, "header.typ")]
    return []


# ---- Claims -------------------------------------------------------------------------------


def _numeric_date(ctx: LintContext) -> list[Finding]:
    """RFC 7519 §2: a NumericDate is a JSON number of seconds (strings, booleans are not)."""
    claims = _claims(ctx)
    return [
        _finding("numeric-date", f"{k} is {_clip(claims[k])}, not a finite number", f"claims.{k}")
        for k in _DATES
        if k in claims and _number(claims[k]) is None
    ]


def _ms_timestamp(ctx: LintContext) -> list[Finding]:
    return [
        _finding("ms-timestamp", f"{k} has 13 digits: milliseconds, not seconds?", f"claims.{k}")
        for k, value in _dates(ctx).items()
        if 1e12 <= abs(value) < 1e13
    ]


def _expired(ctx: LintContext) -> list[Finding]:
    """RFC 7519 §4.1.4: valid only before exp (plus leeway)."""
    exp, now = _dates(ctx).get("exp"), ctx.now.timestamp()
    if exp is None or now < exp + ctx.leeway.total_seconds():
        return []
    message = f"expired {_span(now - exp)} before the as-of time (exp {_when(exp)})"
    return [_finding("expired", message, "claims.exp")]


def _not_yet_valid(ctx: LintContext) -> list[Finding]:
    """RFC 7519 §4.1.5: not valid before nbf (minus leeway)."""
    nbf, now = _dates(ctx).get("nbf"), ctx.now.timestamp()
    if nbf is None or now >= nbf - ctx.leeway.total_seconds():
        return []
    message = f"not valid for another {_span(nbf - now)} (nbf {_when(nbf)})"
    return [_finding("not-yet-valid", message, "claims.nbf")]


def _nbf_after_exp(ctx: LintContext) -> list[Finding]:
    dates = _dates(ctx)
    if "nbf" not in dates or "exp" not in dates or dates["nbf"] < dates["exp"]:
        return []
    return [_finding("nbf-after-exp", "nbf is not before exp: never valid", "claims.nbf")]


def _iat_in_future(ctx: LintContext) -> list[Finding]:
    """RFC 7519 §4.1.6: iat later than now (beyond leeway) means a skewed or forged clock."""
    iat, now = _dates(ctx).get("iat"), ctx.now.timestamp()
    if iat is None or iat <= now + ctx.leeway.total_seconds():
        return []
    message = f"issued {_span(iat - now)} after the as-of time (iat {_when(iat)})"
    return [_finding("iat-in-future", message, "claims.iat")]


def _required(ctx: LintContext, rule_id: str, name: str, message: str) -> list[Finding]:
    claims = ctx.token.claims
    return [] if claims is None or name in claims else [_finding(rule_id, message, "claims")]


def _no_exp(ctx: LintContext) -> list[Finding]:
    return _required(ctx, "no-exp", "exp", "no exp: the token is valid forever unless revoked")


def _missing_iss(ctx: LintContext) -> list[Finding]:
    return _required(ctx, "missing-iss", "iss", "no iss: a verifier cannot check the issuer")


def _missing_aud(ctx: LintContext) -> list[Finding]:
    message = "no aud: every service that trusts this issuer accepts the token"
    return _required(ctx, "missing-aud", "aud", message)


def _missing_jti(ctx: LintContext) -> list[Finding]:
    preset = effective_preset(ctx)
    if preset not in ("refresh", "confirmation"):
        return []
    message = f"a {preset} token without jti cannot be revoked or used once only"
    return _required(ctx, "missing-jti", "jti", message)


def _threshold(ctx: LintContext, preset: str | None) -> timedelta | None:
    by_preset = {
        "access": ctx.thresholds.access,
        "refresh": ctx.thresholds.refresh,
        "confirmation": ctx.thresholds.confirmation,
        "custom": ctx.thresholds.custom,
    }
    if preset in by_preset:
        return by_preset[preset]
    # Unknown kind: the custom threshold if set, else the most lenient (refresh).
    return ctx.thresholds.custom or ctx.thresholds.refresh


def _long_lifetime(ctx: LintContext) -> list[Finding]:
    """exp - iat (or exp - now without iat) against the threshold for the token's kind."""
    dates = _dates(ctx)
    preset = effective_preset(ctx)
    limit = _threshold(ctx, preset)
    if "exp" not in dates or limit is None:
        return []
    lifetime = dates["exp"] - dates.get("iat", ctx.now.timestamp())
    if lifetime <= limit.total_seconds():
        return []
    kind = f"the {preset} threshold" if preset else "the longest threshold (kind unknown)"
    message = f"lives {_span(lifetime)}, beyond {kind} of {_span(limit.total_seconds())}"
    return [_finding("long-lifetime", message, "claims.exp")]


def _luhn(text: str) -> bool:
    """A payment card number: 13-19 digits (spaces or dashes allowed) passing the Luhn check."""
    if len(text) > 40 or not _CARD.fullmatch(text):
        return False
    digits = [int(c) for c in reversed(text) if c.isdigit()]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits))
    return total % 10 == 0 and len(set(digits)) > 1


def _walk(node: object, path: str, depth: int = 0) -> Iterator[tuple[str, str | None, object]]:
    """(path, member name or None, value) for every value under ``node``, bounded in depth."""
    if depth > 64:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key if len(key) <= 40 else key[:39] + '…'}"
            yield child, key, value
            yield from _walk(value, child, depth + 1)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield f"{path}[{index}]", None, value
            yield from _walk(value, f"{path}[{index}]", depth + 1)


def _sensitive_claim(ctx: LintContext) -> list[Finding]:
    """RFC 7519 §12: the payload is only base64url-encoded; anyone holding the token reads it."""
    out: list[Finding] = []
    for path, key, value in _walk(ctx.token.claims, "claims"):
        if key is not None and _NOT_ALNUM.sub("", key).lower() in _SENSITIVE:
            message = f"{_clip(key)} is readable by anyone holding the token (not encrypted)"
            out.append(_finding("sensitive-claim", message, path))
        elif isinstance(value, str) and _luhn(value):
            message = "a value looks like a payment card number, readable by anyone holding it"
            out.append(_finding("sensitive-claim", message, path))
        if len(out) >= _MAX_SENSITIVE:
            break
    return out


def _duplicate_member(ctx: LintContext) -> list[Finding]:
    """RFC 7515 §4, RFC 7519 §4: one name, one value; readers that differ can be played off."""
    return [
        _finding("duplicate-member", f"{_clip(path)} appears more than once", location)
        for path in ctx.token.duplicate_members
        for location in [path.replace("payload", "claims", 1)]
    ]


# fmt: off
_CHECKS: tuple[Callable[[LintContext], list[Finding]], ...] = (
    _alg_none, _alg_confusion, _weak_secret, _previous_key,
    _jku, _x5u, _embedded_jwk, _x5c, _kid_injection, _typ_mismatch, _duplicate_member,
    _numeric_date, _ms_timestamp, _expired, _not_yet_valid, _nbf_after_exp, _iat_in_future,
    _no_exp, _long_lifetime, _missing_iss, _missing_aud, _missing_jti, _sensitive_claim,
)
# fmt: on
# Where a parser defect points: by rule id first, else by segment.
_SEGMENT_LOCATION = {
    "crit-unknown": "header.crit",
    "header": "header",
    "payload": "claims",
    "signature": "signature",
}


def lint(ctx: LintContext) -> list[Finding]:
    """Parser defects as findings, then every rule; errors first, then warnings, then info."""
    findings = [
        _finding(
            d.id, d.message, _SEGMENT_LOCATION.get(d.id, _SEGMENT_LOCATION.get(d.segment or ""))
        )
        for d in ctx.token.defects
        if d.id != "duplicate-member"  # reported with its member path by _duplicate_member
    ]
    for check in _CHECKS:
        findings.extend(check(ctx))
    return sorted(findings, key=lambda f: _RANK[f.severity])


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


def is_common_secret(secret: bytes) -> bool:
    """``secret`` is, byte for byte (or without one trailing newline), a published JWT secret."""
    known = _weak_secrets()
    if secret in known:
        return True
    stripped = secret.removesuffix(b"\n").removesuffix(b"\r")
    return stripped != secret and stripped in known
