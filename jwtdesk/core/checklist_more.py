"""Checklist items beyond keys: token lifetimes and claims, revocation, exports, transport;
and ``evaluate``, the whole list in order."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from jwtdesk.core import checklist as c
from jwtdesk.core.checklist import Action, Facts, Item, Status
from jwtdesk.core.keysets import Purpose
from jwtdesk.core.profiles import Profile, Source
from jwtdesk.core.tokens import PRESETS, PresetRules

_DURATION = re.compile(r"\s*(\d{1,9})\s*([smhdw]?)\s*")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _duration(text: str) -> timedelta | None:
    """``15m``, ``900`` (seconds, as jsonwebtoken reads a number), ``7d``; None otherwise."""
    m = _DURATION.fullmatch(text)
    return timedelta(seconds=int(m[1]) * _SECONDS[m[2]]) if m else None


def _values(profiles: Sequence[Profile], var: str) -> list[tuple[str, str]]:
    return [
        (p.name, b.value)
        for p in profiles
        for b in p.bindings
        if b.var == var and b.source is Source.VALUE
    ]


def _profiles_fix(var: str, example: str) -> str:
    return f"set it in each profile: jwtdesk profiles set PROFILE {var} value:{example}"


def check_lifetime(
    profiles: Sequence[Profile], var: str, low: timedelta | None, high: timedelta
) -> Item:
    what = "Access tokens live 15-60 min" if var == "JWT_EXPIRES_IN" else "Refresh tokens <= 7 days"
    ident = "tokens-access" if var == "JWT_EXPIRES_IN" else "tokens-refresh"
    found = _values(profiles, var)
    if not found:
        return Item(
            ident,
            "tokens",
            what,
            Status.UNKNOWN,
            f"no profile sets {var}",
            _profiles_fix(var, "15m" if low else "7d"),
        )
    bad = []
    for name, value in found:
        life = _duration(value)
        if life is None or life > high or (low is not None and life < low):
            bad.append(f"{name}: {var}={value}")
    if bad:
        return Item(
            ident,
            "tokens",
            what,
            Status.FAIL,
            "; ".join(bad),
            _profiles_fix(var, "15m" if low else "7d"),
        )
    return Item(ident, "tokens", what, Status.PASS, ", ".join(f"{n}: {v}" for n, v in found))


def check_confirmation(facts: Facts, rules: PresetRules = PRESETS[Purpose.CONFIRMATION]) -> Item:
    title = "Confirmation tokens are short-lived and carry a jti"
    ident = "tokens-confirmation"
    if rules.max_lifetime is None or rules.max_lifetime > timedelta(minutes=15) or not rules.jti:
        longest = "no limit" if rules.max_lifetime is None else f"up to {rules.max_lifetime}"
        jti = "with" if rules.jti else "without"
        reason = f"the confirmation preset allows {longest}, {jti} a jti"
        return Item(ident, "tokens", title, Status.FAIL, reason, "at most 15 min, always a jti")
    if not any(ks.purpose is Purpose.CONFIRMATION for ks in facts.keysets):
        return Item(
            "tokens-confirmation",
            "tokens",
            title,
            Status.UNKNOWN,
            "no confirmation keyset: if the service sends confirmation tokens, give them "
            "their own key",
            "jwtdesk keys new NAME --alg HS256 --purpose confirmation --service SERVICE",
        )
    return Item(
        "tokens-confirmation",
        "tokens",
        title,
        Status.PASS,
        "jwtdesk's confirmation preset: 5 min by default, 15 at most, always a jti",
    )


def check_iss_aud(profiles: Sequence[Profile]) -> Item:
    title = "Issuer and audience are set in the profiles"
    if not profiles:
        return Item(
            "tokens-iss-aud",
            "tokens",
            title,
            Status.UNKNOWN,
            "no export profiles",
            "jwtdesk profiles new NAME --access KEYSET --issuer URL --audience API",
        )
    missing = []
    for p in profiles:
        have = {b.var for b in p.bindings if b.source is Source.VALUE and b.value}
        lack = [v for v in ("JWT_ISSUER", "JWT_AUDIENCE") if v not in have]
        if lack:
            missing.append(f"{p.name} lacks {' and '.join(lack)}")
    if missing:
        return Item(
            "tokens-iss-aud",
            "tokens",
            title,
            Status.FAIL,
            "; ".join(missing),
            _profiles_fix("JWT_ISSUER", "https://auth.example") + " (and JWT_AUDIENCE)",
        )
    return Item(
        "tokens-iss-aud",
        "tokens",
        title,
        Status.PASS,
        f"{len(profiles)} profile(s) set JWT_ISSUER and JWT_AUDIENCE",
    )


def check_revocation(facts: Facts) -> list[Item]:
    r = facts.revocation
    t1 = "A Redis connection is configured and reachable for revocation"
    t2 = "Revocation entries expire (SCAN sample: none without a TTL)"
    if r is None:
        why = "unknown — no Redis connection configured"
        fix = "configure the service's Redis connection in jwtdesk"
        return [
            Item("revocation-redis", "revocation", t1, Status.UNKNOWN, why, fix),
            Item("revocation-ttl", "revocation", t2, Status.UNKNOWN, why, fix),
        ]
    first = Item(
        "revocation-redis",
        "revocation",
        t1,
        Status.PASS if r.reachable else Status.FAIL,
        r.detail,
        "" if r.reachable else "start Redis or fix the connection's host, port, password",
    )
    if not r.reachable or r.sampled == 0:
        why = "Redis is not reachable" if not r.reachable else "no revocation entries to sample"
        return [first, Item("revocation-ttl", "revocation", t2, Status.UNKNOWN, why)]
    if r.without_ttl:
        second = Item(
            "revocation-ttl",
            "revocation",
            t2,
            Status.FAIL,
            f"{r.without_ttl} of {r.sampled} sampled entries never expire",
            "set each entry's TTL to the remaining lifetime of the token it revokes",
        )
    else:
        second = Item(
            "revocation-ttl",
            "revocation",
            t2,
            Status.PASS,
            f"all {r.sampled} sampled entries have a TTL",
        )
    return [first, second]


def check_exports(facts: Facts) -> Item:
    title = "Env files jwtdesk wrote: present, 0600, git-ignored, not drifted"
    if not facts.exports:
        return Item(
            "exports-files",
            "exports",
            title,
            Status.UNKNOWN,
            "jwtdesk has written no env file (that it recorded)",
            "jwtdesk export env PROFILE -o FILE",
        )
    bad = []
    for e in facts.exports:
        if not e.exists:
            bad.append(f"{e.path}: missing")
            continue
        if e.mode is not None and e.mode & 0o077:
            bad.append(f"{e.path}: mode {e.mode:04o}, not 0600")
        if e.ignored is False:
            bad.append(f"{e.path}: in a git work tree and not ignored")
        if e.drift:
            bad.append(f"{e.path}: drifted ({e.drift})")
    if bad:
        return Item(
            "exports-files",
            "exports",
            title,
            Status.FAIL,
            "; ".join(bad),
            "chmod 600 FILE; add it to .gitignore; export again: "
            "jwtdesk export env PROFILE -o FILE",
        )
    return Item(
        "exports-files", "exports", title, Status.PASS, f"{len(facts.exports)} file(s) checked"
    )


TRANSPORT = (
    (
        "transport-https",
        "Tokens travel over HTTPS only",
        "every endpoint that takes or returns a token redirects HTTP to HTTPS and sends HSTS",
    ),
    (
        "transport-cookies",
        "Cookies holding tokens are httpOnly, Secure, SameSite",
        "Set-Cookie for access/refresh tokens has HttpOnly; Secure; SameSite=Lax or Strict",
    ),
    (
        "transport-csrf",
        "Cookie-authenticated requests are protected against CSRF",
        "a CSRF token or SameSite=Strict on state-changing requests",
    ),
    (
        "transport-rate",
        "Login, refresh and confirmation endpoints are rate limited",
        "limits per IP and per account on /login, /refresh and code confirmation",
    ),
    (
        "transport-logging",
        "Tokens and keys are never logged",
        "no Authorization header, cookie, token or JWT_SECRET in access or error logs",
    ),
)


def check_transport() -> list[Item]:
    return [
        Item(
            ident,
            "transport",
            title,
            Status.UNKNOWN,
            "unknown — check yourself: jwtdesk cannot see this",
            f"look for: {what}",
        )
        for ident, title, what in TRANSPORT
    ]


def evaluate(facts: Facts) -> list[Item]:
    """Every item of the checklist, in the guides' order."""
    ks, now = facts.keysets, facts.now
    return [
        c.check_strength(ks),
        c.check_weak(ks, facts.weak),
        c.check_rotation(ks, now),
        c.check_grace(ks, now),
        c.check_shared(ks, facts.shared),
        c.check_vcs(ks, facts.last_scan),
        check_lifetime(facts.profiles, "JWT_EXPIRES_IN", c.ACCESS_MIN, c.ACCESS_MAX),
        check_lifetime(facts.profiles, "JWT_REFRESH_EXPIRES_IN", None, c.REFRESH_MAX),
        check_confirmation(facts),
        check_iss_aud(facts.profiles),
        *check_revocation(facts),
        check_exports(facts),
        *check_transport(),
    ]


def failed(items: Sequence[Item]) -> bool:
    return any(i.status is Status.FAIL for i in items)


__all__ = ["Action", "evaluate", "failed"]
