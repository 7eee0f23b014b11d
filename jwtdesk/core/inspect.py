"""Decode, verify against candidate keys, validate claims, lint: one :class:`Report`.

Verification is written against ``cryptography`` directly so that every rule is visible here:
- the token's alg must be in the JWA table (``none`` is not) and match the key's family and
  curve, and the key's own alg when it has one (RFC 8725 §3.1);
- HMAC compares in constant time; RSA-PSS takes a salt of the hash length (RFC 7518 §3.5);
- ECDSA takes only raw r‖s of the curve's exact width, with r and s in [1, n-1]
  (RFC 7518 §3.4; CVE-2022-21449);
- ``jku``/``x5u`` are never fetched and ``jwk``/``x5c`` never used: only the caller's candidates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple

from jwtdesk.core import lint as lintmod
from jwtdesk.core.algorithms import ALGORITHMS, Algorithm, KeyType
from jwtdesk.core.jose import ParsedToken, Trimmed, parse, trim_input
from jwtdesk.core.keyfile import Candidate
from jwtdesk.core.secret import Secret

if TYPE_CHECKING:
    from jwtdesk.core.keysets import KeySet

_HASHES = {256: "SHA256", 384: "SHA384", 512: "SHA512"}
_CURVE_ORDER_BYTES = {"P-256": 32, "P-384": 48, "P-521": 66}
_TIME_CLAIMS = ("exp", "nbf", "iat")


class Expectations(NamedTuple):
    iss: str | None = None
    aud: str | None = None
    at: datetime | None = None  # the as-of time; default now
    leeway: timedelta = timedelta(seconds=30)
    preset: str | None = None
    required: tuple[str, ...] = ()
    public_key_offered_as_secret: bool = False  # a --secret-file that holds a public key
    thresholds: lintmod.Thresholds | None = None  # long-lifetime limits; None: the defaults
    # kid -> what it was ("retired key of keyset api, retired 2026-05-01"): see retired_kids
    retired: Mapping[str, str] | None = None


class Cause(Enum):
    """Why a check came out as it did, as data: front ends decide by this, never by the
    words of ``reason``."""

    KEYS_TRIED = "keys-tried"  # signature: candidate keys of the right family, none verified
    NO_KEY = "no-key"  # signature: no candidate key of the token's alg to try


class Check(NamedTuple):
    name: str  # structure, canonical, alg, kid, signature, iss, aud, exp, nbf, iat, required
    status: str  # "passed" | "failed" | "skipped"
    reason: str
    error_id: str | None = None  # the id reported in `errors` when failed
    cause: Cause | None = None


class Report(NamedTuple):
    token: ParsedToken
    valid: bool
    verified_by: Candidate | None
    checks: tuple[Check, ...]
    findings: tuple[lintmod.Finding, ...]
    as_of: datetime
    leeway: timedelta
    trimmed: Trimmed | None = None  # the whitespace taken from around the input, if any

    @property
    def errors(self) -> list[tuple[str, str]]:
        """What made the token invalid: failed checks (each spelling defect on its own), and a
        signature that was not verified (a skipped signature check is never a pass)."""
        out: list[tuple[str, str]] = []
        for c in self.checks:
            if c.name == "canonical" and c.status == "failed":
                out.extend((d.id, d.message) for d in self.token.strict_defects)
            elif c.status == "failed" or (c.name == "signature" and c.status != "passed"):
                out.append((c.error_id or c.name, c.reason))
        return out


_NO_EXPECTATIONS = Expectations()


def inspect(
    token: str | bytes, candidates: Sequence[Candidate], expect: Expectations = _NO_EXPECTATIONS
) -> Report:
    around = token[:1].isspace() or token[-1:].isspace()
    trimmed = trim_input(token) if around else None  # said in the report
    parsed = parse(trimmed.token if trimmed is not None else token)
    now = expect.at or datetime.now(UTC)
    algorithm = ALGORITHMS.get(parsed.alg or "")
    checks = [_structure(parsed), _canonical(parsed), _alg(parsed, algorithm)]
    tried = _select(parsed, algorithm, candidates)
    retired = _retired(parsed, candidates, expect.retired)
    checks.append(_retired_check(retired) if retired else _kid(parsed, tried, candidates))
    verified = None
    if algorithm is not None and parsed.well_formed:
        verified = next((c for c in tried if verify(parsed, algorithm, c)), None)
    checks.append(_signature(parsed, algorithm, tried, verified))
    claims = parsed.claims or {}
    checks += [_expected(claims, "iss", expect.iss), _expected(claims, "aud", expect.aud)]
    checks += _times(claims, now, expect.leeway)
    if expect.required:
        missing = [name for name in expect.required if name not in claims]
        status = "failed" if missing else "passed"
        why = f"missing {', '.join(missing)}" if missing else "all present"
        checks.append(Check("required", status, why, "missing-claim"))
    ctx = lintmod.LintContext(
        token=parsed,
        now=now,
        leeway=expect.leeway,
        preset=expect.preset,
        verified_state=verified.state if verified else None,
        thresholds=expect.thresholds or lintmod.Thresholds(),
        hmac_key_looks_public=expect.public_key_offered_as_secret,
        hmac_secret=verified.key if verified and isinstance(verified.key, Secret) else None,
        retired_key=retired,
    )
    findings = tuple(lintmod.lint(ctx))
    valid = all(c.status != "failed" for c in checks) and verified is not None
    return Report(parsed, valid, verified, tuple(checks), findings, now, expect.leeway, trimmed)


def retired_kids(keysets: Iterable[KeySet]) -> dict[str, str]:
    """The kids of retired versions that no keyset still verifies with, and what they were.
    The index keeps a retired version's kid, so a token signed by it can be named for what it
    is, not "no candidate key"."""
    keysets = list(keysets)
    live = {v.kid for ks in keysets for v in ks.versions if v.verifies}
    out = {}
    for ks in keysets:
        for v in ks.versions:
            if not v.verifies and v.kid not in live:
                when = f", retired {v.retired.date().isoformat()}" if v.retired else ""
                out[v.kid] = f"retired key of keyset {ks.name}{when}"
    return out


def _retired(
    parsed: ParsedToken, candidates: Sequence[Candidate], retired: Mapping[str, str] | None
) -> str | None:
    """What the token's kid was, when it names a retired key and no candidate has it."""
    kid = parsed.header.get("kid") if parsed.header else None
    if not retired or not isinstance(kid, str) or any(c.kid == kid for c in candidates):
        return None
    return retired.get(kid)


def _retired_check(what: str) -> Check:
    reason = f"the kid names the {what}: retired keys verify nothing"
    return Check("kid", "failed", reason, "retired-key")


def _structure(parsed: ParsedToken) -> Check:
    if parsed.well_formed:
        return Check("structure", "passed", "three base64url segments, header and claims decode")
    worst = next((d for d in parsed.defects if d.id in _FATAL), None)
    reason = worst.message if worst else "the token does not decode as a compact JWS"
    return Check("structure", "failed", reason, worst.id if worst else "malformed")


_FATAL = ("jwe", "too-large", "segment-count", "malformed", "crit-unknown")


def _canonical(parsed: ParsedToken) -> Check:
    """RFC 7515 §2, §7.1: one spelling per token. A padded, re-alphabeted, re-bitted or spaced
    segment decodes to the same bytes, so a denylist keyed on the token text misses it and
    strict verifiers reject it: invalid here too, though still decoded for people to read."""
    found = parsed.strict_defects
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        return Check("canonical", "failed", found[0].message + more, found[0].id)
    if parsed.header is None:
        return Check("canonical", "skipped", "nothing decoded to judge")
    return Check(
        "canonical", "passed", "one spelling: unpadded base64url, no whitespace or repeats"
    )


def _alg(parsed: ParsedToken, algorithm: Algorithm | None) -> Check:
    alg = parsed.alg
    if algorithm is not None:
        return Check("alg", "passed", f"{alg}: only {algorithm.kty.value} keys are tried")
    if parsed.header is None:
        return Check("alg", "skipped", "no header to read")
    if alg is None or alg.lower() == "none":
        return Check(
            "alg", "failed", "unsecured token (alg none or missing): never accepted", "alg-none"
        )
    return Check(
        "alg", "failed", f"{alg[:20]!r} is not a JWS algorithm jwtdesk accepts", "alg-unsupported"
    )


def _family(algorithm: Algorithm, cand: Candidate) -> bool:
    """RFC 8725 §3.1: a key is used with exactly the algorithms of its family."""
    if cand.kty is not algorithm.kty:
        return False
    if cand.alg is not None and cand.alg != algorithm.name:
        return False
    return algorithm.curve is None or cand.curve == algorithm.curve


def _select(
    parsed: ParsedToken, algorithm: Algorithm | None, candidates: Sequence[Candidate]
) -> list[Candidate]:
    """kid selects by exact match; keys without a kid (PEM files, raw secrets) stay eligible."""
    if algorithm is None:
        return []
    kid = parsed.header.get("kid") if parsed.header else None
    if not isinstance(kid, str):
        return [c for c in candidates if _family(algorithm, c)]
    # Match the kid first: with 50 versions stored this is what keeps inspect cheap.
    named = [c for c in candidates if c.kid == kid or c.kid is None]
    return sorted((c for c in named if _family(algorithm, c)), key=lambda c: c.kid is None)


def _kid(parsed: ParsedToken, tried: list[Candidate], candidates: Sequence[Candidate]) -> Check:
    kid = parsed.header.get("kid") if parsed.header else None
    if kid is None:
        return Check("kid", "skipped", f"no kid: tried {len(tried)} key(s) of the right family")
    if not isinstance(kid, str):
        return Check("kid", "failed", "kid is not a string", "kid-invalid")
    if any(c.kid == kid for c in tried):
        return Check("kid", "passed", "a candidate key has this exact kid")
    if any(c.kid == kid for c in candidates):
        return Check(
            "kid", "failed", "the key with this kid belongs to another algorithm", "alg-mismatch"
        )
    return Check(
        "kid", "skipped", f"no candidate has this kid; tried {len(tried)} key(s) without one"
    )


def _signature(
    parsed: ParsedToken, algorithm: Algorithm | None, tried: list[Candidate], by: Candidate | None
) -> Check:
    if by is not None:
        state = f", {by.state} key" if by.state else ""
        return Check("signature", "passed", f"verified by {by.label}{state}")
    if algorithm is None or not parsed.well_formed:
        return Check(
            "signature", "failed", "not checked: the token or its alg is unusable", "signature"
        )
    if not tried:
        reason = f"no candidate {algorithm.name} key to verify with"
        return Check("signature", "skipped", reason, "signature", Cause.NO_KEY)
    reason = f"none of {len(tried)} candidate key(s) verified it"
    return Check("signature", "failed", reason, "signature", Cause.KEYS_TRIED)


def verify(parsed: ParsedToken, algorithm: Algorithm, cand: Candidate) -> bool:
    data, sig = parsed.signing_input, parsed.signature
    if data is None or sig is None or not _family(algorithm, cand):
        return False
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes

    digest: Any = getattr(hashes, _HASHES[algorithm.hash_bits])()
    try:
        return _verify(algorithm, cand, data, sig, digest)
    except (InvalidSignature, ValueError, TypeError):
        return False


def _verify(algorithm: Algorithm, cand: Candidate, data: bytes, sig: bytes, digest: Any) -> bool:
    from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

    key: Any = cand.key
    if algorithm.kty is KeyType.OCT:
        import hashlib
        import hmac

        if not isinstance(key, Secret):
            return False
        # The one place a candidate HMAC key is revealed: for this MAC, never kept.
        mac = hmac.new(key.reveal(), data, getattr(hashlib, digest.name)).digest()
        return hmac.compare_digest(mac, sig)
    if algorithm.family == "RS":
        key.verify(sig, data, padding.PKCS1v15(), digest)
    elif algorithm.family == "PS":
        pss = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
        key.verify(sig, data, pss, digest)
    elif algorithm.family == "ES":
        width = _CURVE_ORDER_BYTES[algorithm.curve or ""]
        if len(sig) != 2 * width:
            return False  # DER or truncated signatures are not JWS signatures
        r, s = int.from_bytes(sig[:width], "big"), int.from_bytes(sig[width:], "big")
        if r == 0 or s == 0:
            return False  # CVE-2022-21449 ("psychic signatures")
        key.verify(utils.encode_dss_signature(r, s), data, ec.ECDSA(digest))
    else:
        key.verify(sig, data)
    return True


def _expected(claims: dict[str, Any], name: str, want: str | None) -> Check:
    if want is None:
        return Check(name, "skipped", f"no expected {name} given")
    value = claims.get(name)
    # RFC 7519 §4.1.3: aud may be a list; membership by exact string match.
    ok = want in value if name == "aud" and isinstance(value, list) else value == want
    if ok:
        return Check(name, "passed", f"{name} is {want[:60]!r}")
    shown = "missing" if value is None else repr(value)[:60]
    return Check(name, "failed", f"expected {want[:60]!r}, token has {shown}", f"{name}-mismatch")


def _times(claims: dict[str, Any], now: datetime, leeway: timedelta) -> list[Check]:
    out = []
    at, slack = now.timestamp(), leeway.total_seconds()
    for name in _TIME_CLAIMS:
        value = claims.get(name)
        if value is None:
            out.append(Check(name, "skipped", f"no {name} claim"))
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            out.append(Check(name, "failed", f"{name} is not a NumericDate number", "numeric-date"))
            continue
        out.append(_time_check(name, float(value), at, slack))
    return out


def _time_check(name: str, value: float, at: float, slack: float) -> Check:
    delta = value - at
    if name == "exp":
        if at >= value + slack:
            return Check(name, "failed", f"expired {human(-delta)} ago", "expired")
        return Check(
            name,
            "passed",
            f"expires in {human(delta)}" if delta > 0 else "expired within the leeway",
        )
    if name == "nbf":
        if at < value - slack:
            return Check(name, "failed", f"not valid for another {human(delta)}", "not-yet-valid")
        return Check(name, "passed", "valid from " + _utc(value))
    if delta > slack:
        return Check(name, "failed", f"issued {human(delta)} in the future", "iat-in-future")
    return Check(name, "passed", f"issued {human(-delta)} ago" if delta < 0 else "issued now")


def _utc(value: float) -> str:
    try:
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return str(value)


def human(seconds: float) -> str:
    """12 min, 3 h, 2 d: what people say about time left or passed."""
    s = abs(seconds)
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if s >= size:
            return f"{int(s // size)} {unit}"
    return f"{int(s)} s"
