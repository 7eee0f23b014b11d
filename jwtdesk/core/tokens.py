"""Building and signing tokens; the claim presets of the JWT guides.

- access: exp = iat + 15 min (allowed 15-60 min), ``typ`` may be ``at+jwt`` (RFC 9068 §2.1)
- refresh: 7 days, with a ``jti`` so that one token can be revoked
- confirmation: a short-lived step-up / 2FA token: 5 min, ``jti`` and a ``purpose`` claim
- custom: no defaults beyond ``iat``

The alg always comes from the key (RFC 8725 §3.1): a ``alg`` in the user's header is dropped.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from jwtdesk.core.errors import Fix, InvalidInput
from jwtdesk.core.keysets import Purpose
from jwtdesk.core.secret import Secret

if TYPE_CHECKING:
    from jwtdesk.core.keyfile import SigningMaterial

_RELATIVE = re.compile(r"([+-]?)(\d{1,9})([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# Header members jwtdesk sets itself or never emits (RFC 7515 §4.1, RFC 8725 §3.1).
_RESERVED_HEADER = frozenset({"alg", "kid", "jku", "x5u", "jwk", "x5c", "crit", "b64"})


# A token's preset is the purpose of the keyset that signs it: one set of kinds.
Preset = Purpose


def preset_for(purpose: Purpose) -> Preset:
    """The preset a token signed by a keyset of ``purpose`` gets unless one is chosen: its
    purpose, except that a custom keyset signs access tokens (custom has no lifetime rules)."""
    return Preset.ACCESS if purpose is Purpose.CUSTOM else purpose


class PresetRules(NamedTuple):
    default_lifetime: timedelta | None
    min_lifetime: timedelta | None
    max_lifetime: timedelta | None
    jti: bool


PRESETS: dict[Preset, PresetRules] = {
    Preset.ACCESS: PresetRules(
        timedelta(minutes=15), timedelta(minutes=15), timedelta(hours=1), False
    ),
    Preset.REFRESH: PresetRules(timedelta(days=7), None, timedelta(days=7), True),
    Preset.CONFIRMATION: PresetRules(timedelta(minutes=5), None, timedelta(minutes=15), True),
    Preset.CUSTOM: PresetRules(None, None, None, False),
}


class TokenRequest(NamedTuple):
    preset: Preset | None = None  # None: the signing keyset's purpose (access for custom)
    iss: str | None = None
    sub: str | None = None
    aud: Sequence[str] = ()
    exp: str | None = None  # ISO-8601 or relative to the issue time ("+15m", "7d")
    nbf: str | None = None
    at: datetime | None = None  # the issue time (iat); default now
    claims: Mapping[str, Any] = {}
    header: Mapping[str, Any] = {}
    typ: str = "JWT"
    purpose: str | None = None  # confirmation tokens: what is being confirmed


def parse_time(text: str, base: datetime) -> datetime:
    """Absolute ISO-8601 (a zone or ``Z`` required) or relative to ``base``: ``+15m``, ``-1h``,
    ``7d`` (no sign means later)."""
    text = text.strip()
    m = _RELATIVE.fullmatch(text)
    if m:
        seconds = int(m.group(2)) * _UNIT_SECONDS[m.group(3)]
        return base + timedelta(seconds=-seconds if m.group(1) == "-" else seconds)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"cannot read the time {text[:40]!r}: write ISO-8601 with a zone "
            "(2026-05-01T12:00:00Z) or a relative time (+15m, -1h, 7d)"
        ) from None
    if value.tzinfo is None:
        raise InvalidInput(f"the time {text!r} has no zone: add Z or an offset such as +02:00")
    return value.astimezone(UTC)


def parse_duration(text: str) -> timedelta:
    """A positive duration: ``30m``, ``12h``, ``7d``, ``90s``, ``2w``."""
    m = _RELATIVE.fullmatch(text.strip())
    if not m or m.group(1) == "-" or int(m.group(2)) == 0:
        raise InvalidInput(f"cannot read the duration {text[:20]!r}: write e.g. 30m, 12h, 7d")
    return timedelta(seconds=int(m.group(2)) * _UNIT_SECONDS[m.group(3)])


def numeric_date(t: datetime) -> int:
    """RFC 7519 §2 NumericDate: seconds since the epoch (whole seconds)."""
    return int(t.timestamp())


def build_claims(req: TokenRequest, now: datetime, *, strict: bool = True) -> dict[str, Any]:
    """The payload for ``req``; refuses lifetimes outside the preset's range (``strict``, the
    CLI), or lets them through for the caller to warn about (the desktop Build view, which
    shows :func:`lifetime_problem` and the long-lifetime finding)."""
    preset = req.preset or Preset.ACCESS
    rules = PRESETS[preset]
    iat = req.at or now
    claims: dict[str, Any] = dict(req.claims)
    for name, value in (("iss", req.iss), ("sub", req.sub)):
        if value is not None:
            claims[name] = value
    if req.aud:
        claims["aud"] = req.aud[0] if len(req.aud) == 1 else list(req.aud)
    claims["iat"] = numeric_date(iat)
    exp = parse_time(req.exp, iat) if req.exp else None
    if exp is None and rules.default_lifetime is not None:
        exp = iat + rules.default_lifetime
    if exp is not None:
        if exp <= iat:
            raise InvalidInput("exp must be after the issue time")
        problem = lifetime_problem(preset, exp - iat)
        if strict and problem is not None:
            raise InvalidInput(problem, fix=Fix.CUSTOM_PRESET)
        claims["exp"] = numeric_date(exp)
    if req.nbf:
        claims["nbf"] = numeric_date(parse_time(req.nbf, iat))
    if rules.jti and "jti" not in claims:
        claims["jti"] = secrets.token_urlsafe(16)
    if preset is Preset.CONFIRMATION:
        claims["purpose"] = req.purpose or claims.get("purpose") or "confirm"
    return claims


def lifetime_problem(preset: Preset, lifetime: timedelta) -> str | None:
    """What is wrong with ``lifetime`` for ``preset`` (outside its range), or None."""
    rules = PRESETS[preset]
    low, high = rules.min_lifetime, rules.max_lifetime
    if (low is not None and lifetime < low) or (high is not None and lifetime > high):
        allowed = f"{_words(low)} to {_words(high)}" if low else f"at most {_words(high)}"
        return f"{preset.value} tokens live {allowed}; got {_words(lifetime)}"
    return None


def _words(t: timedelta | None) -> str:
    seconds = int(t.total_seconds()) if t else 0
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def build_header(req: TokenRequest, kid: str | None) -> dict[str, Any]:
    header = {k: v for k, v in req.header.items() if k not in _RESERVED_HEADER}
    header["typ"] = req.typ
    if kid is not None:
        header["kid"] = kid
    return header


def sign(
    claims: Mapping[str, Any], header: Mapping[str, Any], alg: str, key: SigningMaterial
) -> str:
    """A compact JWS signed with ``key`` under ``alg`` (PyJWT does the JWA work). An HMAC
    secret is revealed here, for this one call, and never kept."""
    import jwt

    raw: Any = key.reveal() if isinstance(key, Secret) else key
    try:
        return jwt.encode(dict(claims), raw, algorithm=alg, headers=dict(header))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"cannot sign: {type(exc).__name__} (claims must be JSON)") from None


def parse_claim(text: str) -> tuple[str, Any]:
    """``k=v`` from the command line: v is JSON if it parses (numbers, true, lists), else text."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise InvalidInput(f"a claim is written name=value; got {text[:40]!r}")
    try:
        return name, json.loads(value)
    except ValueError:
        return name, value


def parse_json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(f"{what} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} must be a JSON object")
    return value
