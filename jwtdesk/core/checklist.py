"""The guides' security checklist, evaluated against what jwtdesk knows: pure functions of
``Facts`` (gathered by services/checklist.py) -> ``Item`` rows, pass / fail / unknown.

A check jwtdesk cannot see is ``unknown`` with what to look for, never ``pass``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, NamedTuple, Protocol

from jwtdesk.core.algorithms import KeyType
from jwtdesk.core.keysets import KeySet, Purpose
from jwtdesk.core.profiles import Profile

MIN_HMAC_BYTES = 32  # 256 bits (RFC 7518 §3.2: a key at least as long as the hash output)
MIN_RSA_BITS = 2048  # RFC 7518 §3.3
ACCESS_MIN, ACCESS_MAX = timedelta(minutes=15), timedelta(hours=1)
REFRESH_MAX = timedelta(days=7)
# How long a previous key may keep verifying after a rotation: the longest lifetime of a token
# it may have signed (the presets' maximum); after that no valid token needs it.
GRACE = {
    Purpose.ACCESS: timedelta(hours=1),
    Purpose.REFRESH: timedelta(days=7),
    Purpose.CONFIRMATION: timedelta(minutes=15),
    Purpose.CUSTOM: timedelta(days=7),
}


class Status(Enum):
    PASS = "pass"  # noqa: S105 (a status, not a password)
    FAIL = "fail"
    UNKNOWN = "unknown"


class Action(NamedTuple):
    """Something jwtdesk can do itself: ``rotate`` / ``retire`` a keyset, ``scan``."""

    kind: str
    keyset: str = ""

    @property
    def command(self) -> str:
        if self.kind == "scan":
            return "jwtdesk scan PATH --history"
        return f"jwtdesk keys {self.kind} {self.keyset}"


class Item(NamedTuple):
    id: str
    area: str  # keys, tokens, revocation, exports, transport
    title: str
    status: Status
    reason: str
    fix: str = ""
    actions: tuple[Action, ...] = ()


class RevocationFacts(NamedTuple):
    """What a revocation probe found for a service's Redis connection."""

    reachable: bool
    detail: str  # e.g. "redis://127.0.0.1:6379/0 answered PING" (never a password)
    sampled: int = 0  # revocation entries looked at with SCAN
    without_ttl: int = 0  # of those, entries that never expire


class RevocationProbe(Protocol):
    """Given by the service layer where a Redis connection is configured for ``service``."""

    def __call__(self, service: str | None) -> RevocationFacts | None: ...


class ExportFacts(NamedTuple):
    path: str
    profile: str
    exists: bool
    mode: int | None  # permission bits, None if missing
    ignored: bool | None  # git ignores it (or it is outside any work tree); None: cannot tell
    drift: str | None  # None: clean; else what differs (variable names, never values)


class Facts(NamedTuple):
    service: str | None
    keysets: tuple[KeySet, ...]
    profiles: tuple[Profile, ...]
    weak: Mapping[str, str]  # keyset -> why its current or previous secret is weak
    shared: Sequence[tuple[str, ...]]  # groups of keysets holding one same secret
    last_scan: Mapping[str, Any] | None
    exports: Sequence[ExportFacts]
    revocation: RevocationFacts | None
    now: datetime


def shared_secrets(secrets_by_owner: Iterable[tuple[str, bytes]]) -> list[tuple[str, ...]]:
    """Groups of owners (keyset names) holding the same secret, found by comparing keyed hashes
    (HMAC-SHA256 under a random key made for this call and dropped after it): no secret is
    compared, kept or returned in the clear, and the digests mean nothing after the call."""
    run_key = secrets.token_bytes(32)
    owners: dict[bytes, set[str]] = {}
    for owner, secret in secrets_by_owner:
        digest = hmac.new(run_key, secret, hashlib.sha256).digest()
        owners.setdefault(digest, set()).add(owner)
    del run_key
    return sorted(tuple(sorted(names)) for names in owners.values() if len(names) > 1)


def _names(keysets: Iterable[KeySet]) -> str:
    return ", ".join(ks.name for ks in keysets)


def check_strength(keysets: Sequence[KeySet]) -> Item:
    weak = []
    for ks in keysets:
        cur = ks.current
        if cur is None or cur.public_only or cur.size is None:
            continue
        kty = ks.algorithm.kty
        if (kty is KeyType.OCT and cur.size < MIN_HMAC_BYTES) or (
            kty is KeyType.RSA and cur.size < MIN_RSA_BITS
        ):
            weak.append(ks)
    title = "Keys are random and at least 256 bits (RSA 2048)"
    if not keysets:
        return Item("keys-size", "keys", title, Status.UNKNOWN, "no keysets", _NEW_KEY)
    if weak:
        return Item(
            "keys-size",
            "keys",
            title,
            Status.FAIL,
            f"too short: {_names(weak)}",
            "rotate: jwtdesk generates a 512-bit HMAC key (RSA 3072) from the OS CSPRNG",
            tuple(Action("rotate", ks.name) for ks in weak),
        )
    return Item(
        "keys-size",
        "keys",
        title,
        Status.PASS,
        f"{len(keysets)} keyset(s): HMAC keys of 256 bits or more, RSA of 2048 or more",
    )


_NEW_KEY = "create one: jwtdesk keys new NAME --alg HS256 --service SERVICE --env ENV"


def check_weak(keysets: Sequence[KeySet], weak: Mapping[str, str]) -> Item:
    title = "No key is weak or on the list of published secrets"
    if not keysets:
        return Item("keys-weak", "keys", title, Status.UNKNOWN, "no keysets", _NEW_KEY)
    if weak:
        reason = "; ".join(f"{name}: {why}" for name, why in sorted(weak.items()))
        return Item(
            "keys-weak",
            "keys",
            title,
            Status.FAIL,
            reason,
            "rotate now; tokens signed with a published secret can be forged by anyone",
            tuple(Action("rotate", name) for name in sorted(weak)),
        )
    return Item("keys-weak", "keys", title, Status.PASS, "no secret is short or published")


def check_rotation(keysets: Sequence[KeySet], now: datetime) -> Item:
    title = "Keys are rotated within their policy"
    overdue = [ks for ks in keysets if ks.rotation_due(now)]
    if not keysets:
        return Item("keys-rotation", "keys", title, Status.UNKNOWN, "no keysets", _NEW_KEY)
    if overdue:
        late = ", ".join(f"{ks.name} (due {ks.rotate_by():%Y-%m-%d})" for ks in overdue)
        return Item(
            "keys-rotation",
            "keys",
            title,
            Status.FAIL,
            f"overdue: {late}",
            "rotate them; the previous key keeps verifying during the grace period",
            tuple(Action("rotate", ks.name) for ks in overdue),
        )
    return Item("keys-rotation", "keys", title, Status.PASS, "no rotation is overdue")


def check_grace(keysets: Sequence[KeySet], now: datetime) -> Item:
    title = "A previous key is kept only during its grace period"
    if not keysets:
        return Item("keys-grace", "keys", title, Status.UNKNOWN, "no keysets", _NEW_KEY)
    late = []
    for ks in keysets:
        prev, cur = ks.previous, ks.current
        if prev is None or cur is None or cur.activated is None:
            continue
        if now - cur.activated > GRACE[ks.purpose]:
            late.append(ks)
    if late:
        return Item(
            "keys-grace",
            "keys",
            title,
            Status.FAIL,
            "previous key still verifies past the longest token lifetime: " + _names(late),
            "retire the previous key: every token it signed has expired",
            tuple(Action("retire", ks.name) for ks in late),
        )
    return Item("keys-grace", "keys", title, Status.PASS, "no previous key outlived its grace")


def check_shared(keysets: Sequence[KeySet], shared: Sequence[tuple[str, ...]]) -> Item:
    title = "Different keys for different environments (no secret shared between keysets)"
    if not keysets:
        return Item("keys-shared", "keys", title, Status.UNKNOWN, "no keysets", _NEW_KEY)
    if shared:
        groups = "; ".join(" = ".join(group) for group in shared)
        return Item(
            "keys-shared",
            "keys",
            title,
            Status.FAIL,
            f"the same secret is held by: {groups}",
            "rotate all but one of each group so that each environment has its own key",
            tuple(Action("rotate", name) for group in shared for name in group[1:]),
        )
    envs = sorted({ks.environment for ks in keysets if ks.environment})
    where = f" across {', '.join(envs)}" if envs else ""
    return Item("keys-shared", "keys", title, Status.PASS, f"every keyset has its own key{where}")


def check_vcs(keysets: Sequence[KeySet], last: Mapping[str, Any] | None) -> Item:
    title = "Keys are kept out of version control (the last leak scan found none)"
    scan = Action("scan")
    if last is None:
        return Item(
            "keys-vcs",
            "keys",
            title,
            Status.UNKNOWN,
            "no leak scan has run yet",
            "scan your repositories, history included",
            (scan,),
        )
    verifying = {(ks.name, v.kid) for ks in keysets for v in ks.versions if v.verifies}
    found = last.get("leaked", [])
    # A leaked key rotated and retired since the scan verifies nothing any more.
    leaked = sorted({str(f[0]) for f in found if (f[0], f[1]) in verifying})
    when = str(last.get("time", "?"))[:16].replace("T", " ")
    paths = ", ".join(last.get("paths", [])) or "?"
    history = "with history" if last.get("history") else "files only"
    if leaked:
        return Item(
            "keys-vcs",
            "keys",
            title,
            Status.FAIL,
            f"the scan of {when} found {', '.join(leaked)} in {paths}",
            "rotate the leaked keys now (or `jwtdesk emergency SERVICE`), then purge history",
            tuple(Action("rotate", n) for n in leaked),
        )
    return Item(
        "keys-vcs",
        "keys",
        title,
        Status.PASS,
        f"the scan of {when} ({history}) of {paths} found no stored key",
        "scan again after adding repositories",
        (scan,),
    )
