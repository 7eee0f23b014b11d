"""KeySet and KeyVersion, and the rotation state machine.

A keyset is a named set of key versions for one purpose of one service. At most one version is
``current`` (signs and verifies) and at most one ``previous`` (verifies only, so that tokens
issued before a rotation stay valid: the guides' JWT_SECRET_CURRENT / JWT_SECRET_PREVIOUS).
``retired`` versions verify nothing and stay only as a record until deleted.

Domain values are ``typing.NamedTuple``s, immutable like frozen slotted dataclasses, but free
of the ~28 ms that importing ``dataclasses`` and defining frozen slotted dataclasses costs at
start-up on CPython 3.11: `jwtdesk keys list` must start about as fast as `jwtdesk --version`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from enum import Enum
from typing import NamedTuple

from jwtdesk.core.algorithms import Algorithm, KeyType, check_size
from jwtdesk.core.algorithms import get as get_algorithm
from jwtdesk.core.errors import Conflict, InvalidInput, NotFound

NAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
DEFAULT_ROTATION = timedelta(days=90)
_PERIOD_RE = re.compile(r"(\d{1,6})([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Purpose(Enum):
    ACCESS = "access"
    REFRESH = "refresh"
    CONFIRMATION = "confirmation"
    CUSTOM = "custom"


class State(Enum):
    CURRENT = "current"
    PREVIOUS = "previous"
    RETIRED = "retired"


class KeyVersion(NamedTuple):
    id: str  # keyring username of the secret; random, so a rename touches no secret
    kid: str
    state: State
    created: datetime
    activated: datetime | None
    retired: datetime | None
    size: int | None
    public_jwk: Mapping[str, str] | None  # None for HMAC keys
    # Imported from a public key or certificate: verifies, never signs, nothing in the keyring.
    public_only: bool = False
    # Why an imported HMAC secret is weak (--allow-weak), said when it was read: no secret.
    weak: str | None = None

    @property
    def verifies(self) -> bool:
        return self.state is not State.RETIRED


class KeySet(NamedTuple):
    name: str
    service: str
    environment: str
    purpose: Purpose
    alg: str
    rotation_period: timedelta
    notes: str
    created: datetime
    versions: tuple[KeyVersion, ...]

    @property
    def algorithm(self) -> Algorithm:
        return get_algorithm(self.alg)

    @property
    def current(self) -> KeyVersion | None:
        return next((v for v in self.versions if v.state is State.CURRENT), None)

    @property
    def previous(self) -> KeyVersion | None:
        return next((v for v in self.versions if v.state is State.PREVIOUS), None)

    def version(self, kid: str) -> KeyVersion:
        for v in self.versions:
            if v.kid == kid:
                return v
        raise NotFound(f"keyset {self.name!r} has no key version with kid {kid!r}")

    def rotate_by(self) -> datetime | None:
        cur = self.current
        if cur is None or cur.activated is None:
            return None
        return cur.activated + self.rotation_period

    def rotation_due(self, now: datetime) -> bool:
        due = self.rotate_by()
        return due is not None and now >= due


def check_name(name: str, what: str = "keyset name") -> str:
    if not NAME_RE.fullmatch(name):
        raise InvalidInput(f"invalid {what} {name!r}: use 1-64 letters, digits, '-', '_' or '.'")
    return name


def check_label(value: str, what: str) -> str:
    """Service and environment labels: free text, but one short printable line."""
    if len(value) > 128 or not value.isprintable():
        raise InvalidInput(f"invalid {what}: use one printable line of at most 128 characters")
    return value


def check_free_name(name: str, existing: Collection[str]) -> str:
    """Refuse a keyset name already taken (creating, importing or renaming)."""
    if name in existing:
        raise Conflict(f"a keyset named {name!r} already exists; choose another name")
    return name


def check_new(
    name: str,
    alg: str,
    *,
    size: int | None = None,
    service: str = "",
    environment: str = "",
    existing: Collection[str] = (),
) -> Algorithm:
    """Everything a new keyset's request must satisfy before a key is generated: the name's
    rules, the algorithm, the key size for it, the labels and a free name. The one check the
    Keys dialog (as the user types) and ``jwtdesk keys new`` both run; returns the algorithm."""
    check_name(name)
    algorithm = get_algorithm(alg)
    check_size(algorithm, size)
    check_label(service, "service")
    check_label(environment, "environment")
    check_free_name(name, existing)
    return algorithm


def parse_period(text: str) -> timedelta:
    """``90d``, ``12h``, ``2w``, ``30m`` -> timedelta (at least one hour)."""
    m = _PERIOD_RE.fullmatch(text.strip())
    if not m:
        raise InvalidInput(f"invalid period {text!r}: write a number and a unit m/h/d/w, e.g. 90d")
    period = timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    if period < timedelta(hours=1):
        raise InvalidInput(f"rotation period {text!r} is shorter than one hour")
    return period


def format_period(period: timedelta) -> str:
    seconds = int(period.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def new_keyset(
    *,
    name: str,
    alg: str,
    first: KeyVersion,
    now: datetime,
    service: str = "",
    environment: str = "",
    purpose: Purpose = Purpose.CUSTOM,
    rotation_period: timedelta = DEFAULT_ROTATION,
    notes: str = "",
) -> KeySet:
    get_algorithm(alg)
    first = first._replace(state=State.CURRENT, activated=now)
    return KeySet(
        name=check_name(name),
        service=check_label(service, "service"),
        environment=check_label(environment, "environment"),
        purpose=purpose,
        alg=alg,
        rotation_period=rotation_period,
        notes=notes,
        created=now,
        versions=(first,),
    )


def rotate(ks: KeySet, new: KeyVersion, now: datetime) -> KeySet:
    """current -> previous, previous -> retired, ``new`` -> current."""
    if any(v.kid == new.kid for v in ks.versions):
        raise Conflict(f"keyset {ks.name!r} already has a key with kid {new.kid!r}")
    versions = []
    for v in ks.versions:
        if v.state is State.CURRENT:
            versions.append(v._replace(state=State.PREVIOUS))
        elif v.state is State.PREVIOUS:
            versions.append(v._replace(state=State.RETIRED, retired=now))
        else:
            versions.append(v)
    versions.append(new._replace(state=State.CURRENT, activated=now, retired=None))
    return ks._replace(versions=tuple(versions))


def retire(ks: KeySet, kid: str | None, now: datetime) -> tuple[KeySet, KeyVersion]:
    """Retire the previous version (end the grace period now), or the version ``kid``."""
    if kid is None:
        target = ks.previous
        if target is None:
            raise Conflict(f"keyset {ks.name!r} has no previous key to retire")
    else:
        target = ks.version(kid)
    if target.state is State.CURRENT:
        raise Conflict(
            f"{target.kid} is the current key of {ks.name!r}; rotate first, then retire it"
        )
    if target.state is State.RETIRED:
        raise Conflict(f"{target.kid} of {ks.name!r} is already retired")
    done = target._replace(state=State.RETIRED, retired=now)
    versions = tuple(done if v.id == target.id else v for v in ks.versions)
    return ks._replace(versions=versions), done


def remove_version(ks: KeySet, kid: str) -> tuple[KeySet, KeyVersion]:
    """Drop a retired version from the record."""
    target = ks.version(kid)
    if target.state is not State.RETIRED:
        raise Conflict(
            f"{kid} of {ks.name!r} is {target.state.value}; only retired versions can be deleted"
        )
    return ks._replace(versions=tuple(v for v in ks.versions if v.id != target.id)), target


# --- publishing public keys (JWK, JWKS) --------------------------------------------------------


def publishable(ks: KeySet) -> bool:
    """Only asymmetric keysets have a public part; an HMAC key is a shared secret."""
    return ks.algorithm.kty is not KeyType.OCT


def refuse_unpublishable(ks: KeySet, what: str = "published in a JWKS") -> None:
    if not publishable(ks):
        raise InvalidInput(
            f"{ks.name!r} is an HMAC keyset: its key is a shared secret and is never {what}"
        )


def public_jwk(ks: KeySet, v: KeyVersion) -> dict[str, str]:
    """A public JWK with ``kid``, ``alg`` and ``use`` (RFC 7517 §4)."""
    if v.public_jwk is None:
        raise InvalidInput(f"{v.kid} of {ks.name!r} has no public key")
    return {**v.public_jwk, "kid": v.kid, "alg": ks.alg, "use": "sig"}


def published_versions(ks: KeySet) -> list[KeyVersion]:
    """The versions a JWKS carries: the current and the previous one (still verifying)."""
    return [v for v in (ks.current, ks.previous) if v is not None and v.public_jwk is not None]


def jwks(keysets: Iterable[KeySet]) -> dict[str, list[dict[str, str]]]:
    """RFC 7517 §5 JWK Set of the current and previous public keys; refuses HMAC keysets."""
    keys = []
    for ks in keysets:
        refuse_unpublishable(ks)
        keys += [public_jwk(ks, v) for v in published_versions(ks)]
    return {"keys": keys}


def jwks_text(document: Mapping[str, object]) -> str:
    """The JWKS file's exact bytes as text: what the CLI prints and writes, and the GUI writes."""
    import json

    return json.dumps(document, indent=2) + "\n"
