"""The claim and time rules of the catalogue (RFC 7519 §2, §4.1, §12).

Each check takes a :class:`~jwtdesk.core.lint_types.LintContext` and returns findings;
:func:`jwtdesk.core.lint.lint` runs them after the algorithm and header rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from jwtdesk.core.lint_types import (
    Finding,
    LintContext,
    _claims,
    _clip,
    _finding,
    _number,
    effective_preset,
)

_DATES = ("exp", "nbf", "iat")
_SENSITIVE = frozenset(
    {"password", "passwd", "pwd", "secret", "clientsecret", "ssn", "creditcard", "cardnumber"}
    | {"cvv", "pin", "privatekey", "apikey"}
)
_NOT_ALNUM = re.compile(r"[\W_]")
_CARD = re.compile(r"\d(?:[ -]?\d){12,18}", re.ASCII)
_MAX_SENSITIVE = 20  # findings per token for sensitive-claim


def _dates(ctx: LintContext) -> dict[str, float]:
    return ctx.dates


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


def _walk(
    node: object, path: tuple[str | int, ...] = (), depth: int = 0
) -> Iterator[tuple[tuple[str | int, ...], str | None, object]]:
    """(path, member name or None, value) for every value under ``node``, bounded in depth.
    Paths stay tuples until a finding needs one as text: this runs on every keystroke."""
    if depth > 64:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            child = (*path, key)
            yield child, key, value
            if isinstance(value, dict | list):
                yield from _walk(value, child, depth + 1)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            child = (*path, index)
            yield child, None, value
            if isinstance(value, dict | list):
                yield from _walk(value, child, depth + 1)


def _path_text(path: tuple[str | int, ...]) -> str:
    out = "claims"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += "." + (part if len(part) <= 40 else part[:39] + "…")
    return out


def _sensitive_name(key: str) -> bool:
    norm = key.lower()
    if not norm.isalnum():
        norm = _NOT_ALNUM.sub("", norm)
    return norm in _SENSITIVE


def _sensitive_claim(ctx: LintContext) -> list[Finding]:
    """RFC 7519 §12: the payload is only base64url-encoded; anyone holding the token reads it."""
    out: list[Finding] = []
    for path, key, value in _walk(ctx.token.claims):
        if key is not None and _sensitive_name(key):
            message = f"{_clip(key)} is readable by anyone holding the token (not encrypted)"
            out.append(_finding("sensitive-claim", message, _path_text(path)))
        elif isinstance(value, str) and 13 <= len(value) <= 40 and _luhn(value):
            message = "a value looks like a payment card number, readable by anyone holding it"
            out.append(_finding("sensitive-claim", message, _path_text(path)))
        if len(out) >= _MAX_SENSITIVE:
            break
    return out
