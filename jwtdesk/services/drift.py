"""``jwtdesk export check FILE``: compare an env file or a JWKS with what jwtdesk holds.

No secret is read or printed. Every key jwtdesk stores has a kid that is its RFC 7638
thumbprint (of the oct JWK for HMAC keys, of the public JWK otherwise), and retired versions
keep their kid in the index, so the thumbprint of each value in the file says which key it
is: the current or previous key of a keyset, a retired (stale) one, or none (unknown).
With a profile, each expected variable is also checked for presence and for the right key.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from jwtdesk.core import envfile
from jwtdesk.core.errors import InvalidInput
from jwtdesk.core.keysets import KeySet, KeyVersion, State, publishable
from jwtdesk.core.profiles import Binding, Profile, Source
from jwtdesk.store.index import IndexState

# statuses
MATCH = "match"  # the value is what the profile (or the keyset) holds now
STALE = "stale"  # a key jwtdesk retired or rotated away from, or a value that changed
UNKNOWN = "unknown"  # no key jwtdesk holds, and no profile variable
MISSING = "missing"  # the profile (or JWKS) expects it, the file lacks it
EXTRA = "extra"  # the profile has no previous key now: the variable should be removed


class DriftRow(NamedTuple):
    name: str  # variable, or kid for JWKS entries
    status: str
    keyset: str | None = None
    kid: str | None = None
    state: str | None = None  # current / previous / retired, of the key found
    detail: str = ""


class DriftReport(NamedTuple):
    path: str
    kind: str  # "env" | "jwks"
    profile: str | None
    rows: tuple[DriftRow, ...]

    @property
    def clean(self) -> bool:
        return all(r.status == MATCH for r in self.rows)


def _kids(state: IndexState) -> dict[str, tuple[KeySet, KeyVersion]]:
    return {v.kid: (ks, v) for ks in state.keysets for v in ks.versions}


def fingerprint(value: bytes) -> str | None:
    """The RFC 7638 thumbprint of a key value: PEM/JWK -> public key; else an HMAC secret."""
    from jwtdesk.core import keyimport, keys

    text = value.strip()
    if text.startswith((b"-----BEGIN", b"{")):
        try:
            items = keyimport.read(text, "value")
        except InvalidInput:
            return None
        if len(items) != 1:
            return None
        item = items[0]
        if item.secret is not None:
            return keys.thumbprint({"kty": "oct", "k": keys.b64url(item.secret)})
        public = item.private.public_key() if item.private is not None else item.public
        assert public is not None  # noqa: S101
        return keys.thumbprint(keys.public_jwk(public))
    if not value:
        return None
    return keys.thumbprint({"kty": "oct", "k": keys.b64url(value)})


def check_env(
    text: str, path: str, state: IndexState, profile: Profile | None, fmt: envfile.Format | None
) -> DriftReport:
    values = envfile.parse(text, fmt)
    kids = _kids(state)
    expected = {b.var: b for b in profile.bindings} if profile else {}
    rows = []
    for var, value in values.items():
        raw = _decoded(var, value)
        found = kids.get(fingerprint(raw) or "")
        binding = expected.get(var)
        if binding is not None and binding.source is Source.VALUE:
            status = MATCH if value == binding.value else STALE
            rows.append(DriftRow(var, status, detail="" if status == MATCH else "value differs"))
        elif binding is not None:
            rows.append(_against_binding(var, binding, found, state, value))
        elif found is not None:
            ks, v = found
            status = STALE if v.state is State.RETIRED else MATCH
            note = "not in the profile" if profile else ""
            rows.append(DriftRow(var, status, ks.name, v.kid, v.state.value, note))
        else:
            rows.append(DriftRow(var, UNKNOWN, detail="not a key or value jwtdesk knows"))
    for var, b in expected.items():
        if var in values:
            continue
        owner = state.get(b.keyset) if b.keyset and state.has(b.keyset) else None
        if b.source.optional and (owner is None or owner.previous is None):
            continue  # rightly absent: no previous key
        rows.append(DriftRow(var, MISSING, b.keyset or None, detail=f"expected {b.describe()}"))
    return DriftReport(path, "env", profile.name if profile else None, tuple(rows))


def _decoded(var: str, value: str) -> bytes:
    raw = value.encode("utf-8")
    if var.endswith("_B64"):
        try:
            return base64.b64decode(raw, validate=True)
        except binascii.Error:
            return raw
    return raw


def _against_binding(
    var: str,
    binding: Binding,
    found: tuple[KeySet, KeyVersion] | None,
    state: IndexState,
    value: str,
) -> DriftRow:
    source, keyset = binding.source, binding.keyset
    if not state.has(keyset):
        return DriftRow(var, UNKNOWN, keyset, detail=f"the profile's keyset {keyset} is gone")
    ks = state.get(keyset)
    want = ks.previous if source.optional else ks.current
    if source is Source.KID:
        ok = want is not None and value == want.kid
        return DriftRow(var, MATCH if ok else STALE, keyset, want.kid if want else None, "current")
    if source is Source.JWKS:
        return _jwks_value(var, value, keyset, state)
    if want is None:
        return DriftRow(var, EXTRA, keyset, detail=f"{keyset} has no previous key now; remove it")
    if found is not None and found[1].kid == want.kid:
        return DriftRow(var, MATCH, keyset, want.kid, want.state.value)
    if found is not None:
        fks, fv = found
        return DriftRow(
            var,
            STALE,
            fks.name,
            fv.kid,
            fv.state.value,
            f"holds the {fv.state.value} key; should be {want.state.value} kid {want.kid}",
        )
    return DriftRow(var, STALE, keyset, detail=f"not the {want.state.value} key of {keyset}")


def _jwks_value(var: str, value: str, keyset: str, state: IndexState) -> DriftRow:
    """A variable holding a JWKS: it must publish the keyset's current and previous public keys
    and no retired one. A JWKS without the new current key is drift: the services reading it
    reject every token signed since the rotation."""
    try:
        doc = json.loads(value)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        return DriftRow(var, STALE, keyset, detail="not a JWKS document; export again")
    try:
        rows = check_jwks(doc, var, state, [keyset]).rows
    except InvalidInput:
        return DriftRow(var, STALE, keyset, detail="not a JWKS (no 'keys' list); export again")
    problems = [r for r in rows if r.status != MATCH]
    if not problems:
        return DriftRow(var, MATCH, keyset, detail=f"publishes the live keys of {keyset}")
    first = problems[0]
    what = {
        MISSING: f"lacks the {first.state} key (kid {first.kid})",
        STALE: f"still publishes the retired kid {first.kid}",
    }.get(first.status, "holds a key no keyset has")
    more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    return DriftRow(var, STALE, keyset, first.kid, first.state, f"{what}{more}; export again")


def check_jwks(
    doc: Mapping[str, object], path: str, state: IndexState, names: Sequence[str]
) -> DriftReport:
    from jwtdesk.core import keys

    keys_list = doc.get("keys")
    if not isinstance(keys_list, list):
        raise InvalidInput(f"{path}: not a JWKS (no 'keys' list)")
    kids = _kids(state)
    rows = []
    seen: set[str] = set()
    touched: set[str] = set(names)
    for n, jwk in enumerate(keys_list):
        label = str(jwk.get("kid", f"#{n}")) if isinstance(jwk, dict) else f"#{n}"
        try:
            public = {
                k: str(v) for k, v in dict(jwk).items() if k in ("kty", "n", "e", "crv", "x", "y")
            }
            thumb = keys.thumbprint(public)
        except (InvalidInput, KeyError, TypeError, ValueError):
            rows.append(DriftRow(label, UNKNOWN, detail="not a public key jwtdesk can read"))
            continue
        found = kids.get(thumb)
        if found is None:
            rows.append(DriftRow(label, UNKNOWN, detail="no keyset holds this key"))
            continue
        ks, v = found
        seen.add(v.kid)
        touched.add(ks.name)
        status = STALE if v.state is State.RETIRED else MATCH
        note = "retired: remove it" if status == STALE else ""
        rows.append(DriftRow(label, status, ks.name, v.kid, v.state.value, note))
    for name in sorted(touched):
        if not state.has(name) or not publishable(state.get(name)):
            continue  # HMAC keys are never published
        for live in (state.get(name).current, state.get(name).previous):
            if live is not None and live.kid not in seen:
                rows.append(
                    DriftRow(live.kid, MISSING, name, live.kid, live.state.value, "not published")
                )
    if not rows:
        rows.append(DriftRow("(no keys)", MISSING, detail="the JWKS publishes no key"))
    return DriftReport(path, "jwks", None, tuple(rows))


def check_text(
    text: str, path: str, state: IndexState, profile: Profile | None, fmt: envfile.Format | None
) -> DriftReport:
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            doc = json.loads(stripped)
        except ValueError:
            doc = None
        if isinstance(doc, dict) and "keys" in doc:
            names = profile.keysets() if profile else []
            return check_jwks(doc, path, state, names)
    return check_env(text, path, state, profile, fmt)
