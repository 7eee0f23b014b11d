"""The finding catalogue: stable rule ids, severities, references, one small check per rule.

``lint`` turns a :class:`~jwtdesk.core.jose.ParsedToken` (plus what verification learnt) into
findings. Parser defects become findings with the same ids. Messages name claims and header
members but never include a secret, the signature, or more than 40 characters of any value.

This module holds the algorithm, key and header rules and runs every check. The shared types
and the catalogue are in :mod:`jwtdesk.core.lint_types`, the claim and time rules in
:mod:`jwtdesk.core.lint_claims`, the weak-key checks in :mod:`jwtdesk.core.weak`; the public
names of all three are re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable

from jwtdesk.core.algorithms import ALGORITHMS
from jwtdesk.core.lint_claims import (
    _expired,
    _iat_in_future,
    _long_lifetime,
    _missing_aud,
    _missing_iss,
    _missing_jti,
    _ms_timestamp,
    _nbf_after_exp,
    _no_exp,
    _not_yet_valid,
    _numeric_date,
    _sensitive_claim,
)
from jwtdesk.core.lint_types import (
    _AT_JWT,
    _BY_ID,
    _RANK,
    CATALOGUE,
    Finding,
    LintContext,
    Rule,
    Severity,
    Thresholds,
    _claims,
    _clip,
    _declared_use,
    _finding,
    _header,
    effective_preset,
)
from jwtdesk.core.weak import is_common_secret, looks_like_public_key

__all__ = [
    "CATALOGUE",
    "Finding",
    "LintContext",
    "Rule",
    "Severity",
    "Thresholds",
    "effective_preset",
    "is_common_secret",
    "lint",
    "looks_like_public_key",
    "rule",
]

_TYPS = frozenset({"jwt", "application/jwt", "at+jwt", "application/at+jwt"})
_KID_UNSAFE = ("../", "/", "\\", "'", '"', "\0", ";", "|", "&", "$", "`", "<", ">", "%2e", "%2f")


def rule(id: str) -> Rule:
    """The rule called ``id`` (KeyError if there is none)."""
    return _BY_ID[id]


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
    if ctx.hmac_secret is None:
        return []
    secret = ctx.hmac_secret.reveal()  # for this rule only; the context keeps the Secret
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


def _retired_key(ctx: LintContext) -> list[Finding]:
    if ctx.retired_key is None:
        return []
    message = f"the kid names the {ctx.retired_key}: sign a new token with the current key"
    return [_finding("retired-key", message, "header.kid")]


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


def _duplicate_member(ctx: LintContext) -> list[Finding]:
    """RFC 7515 §4, RFC 7519 §4: one name, one value; readers that differ can be played off."""
    return [
        _finding("duplicate-member", f"{_clip(path)} appears more than once", location)
        for path in ctx.token.duplicate_members
        for location in [path.replace("payload", "claims", 1)]
    ]


# fmt: off
_CHECKS: tuple[Callable[[LintContext], list[Finding]], ...] = (
    _alg_none, _alg_confusion, _weak_secret, _previous_key, _retired_key,
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
