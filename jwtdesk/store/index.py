"""Non-secret metadata: one schema-versioned JSON file, written atomically, 0600, locked.

Writers hold a cross-process file lock (``index.lock``) for the whole read-modify-write, so two
processes rotating the same keyset serialise instead of losing a version. Readers need no lock:
the file is only ever replaced whole (temp file + fsync + rename).

``pending`` records secrets whose keyring write or delete may not have finished: a create is
marked pending before its secret is written and unmarked when its index entry lands; a delete
is marked in the same write that drops the entry. ``jwtdesk doctor`` uses it to find orphans.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from jwtdesk.core.connections import Connection
from jwtdesk.core.errors import Conflict, JwtdeskError, NotFound, StoreCorrupt
from jwtdesk.core.keysets import KeySet, KeyVersion, Purpose, State
from jwtdesk.core.profiles import Binding, Profile, Source
from jwtdesk.store.paths import home_dir as home_dir  # noqa: PLC0414 (re-export)

SCHEMA = 1
INDEX_NAME = "index.json"
LOCK_TIMEOUT_S = 30.0


class Pending(NamedTuple):
    id: str
    op: str  # "create" | "delete"
    keyset: str
    since: datetime


class IndexState(NamedTuple):
    keysets: tuple[KeySet, ...] = ()
    pending: tuple[Pending, ...] = ()
    profiles: tuple[Profile, ...] = ()
    # Redis connections (issue 14). An index written before them has none; an older jwtdesk
    # reading a newer index ignores the member, so the schema number stays 1.
    connections: tuple[Connection, ...] = ()

    def get(self, name: str) -> KeySet:
        for ks in self.keysets:
            if ks.name == name:
                return ks
        raise NotFound(f"no keyset named {name!r}; `jwtdesk keys list` shows the keysets")

    def has(self, name: str) -> bool:
        return any(ks.name == name for ks in self.keysets)

    def put(self, ks: KeySet) -> IndexState:
        others = tuple(k for k in self.keysets if k.name != ks.name)
        return self._replace(keysets=tuple(sorted((*others, ks), key=lambda k: k.name)))

    def drop(self, name: str) -> IndexState:
        return self._replace(keysets=tuple(k for k in self.keysets if k.name != name))

    def mark(self, *items: Pending) -> IndexState:
        return self._replace(pending=(*self.pending, *items))

    def unmark(self, *ids: str) -> IndexState:
        return self._replace(pending=tuple(p for p in self.pending if p.id not in ids))

    def all_ids(self) -> set[str]:
        return {v.id for ks in self.keysets for v in ks.versions}

    def profile(self, name: str) -> Profile:
        for p in self.profiles:
            if p.name == name:
                return p
        raise NotFound(f"no profile named {name!r}; `jwtdesk profiles list` shows the profiles")

    def put_profile(self, profile: Profile) -> IndexState:
        others = tuple(p for p in self.profiles if p.name != profile.name)
        return self._replace(profiles=tuple(sorted((*others, profile), key=lambda p: p.name)))

    def drop_profile(self, name: str) -> IndexState:
        self.profile(name)
        return self._replace(profiles=tuple(p for p in self.profiles if p.name != name))

    def connection(self, name: str) -> Connection:
        for c in self.connections:
            if c.name == name:
                return c
        raise NotFound(f"no Redis connection named {name!r}; `jwtdesk connections list` shows them")

    def has_connection(self, name: str) -> bool:
        return any(c.name == name for c in self.connections)

    def put_connection(self, conn: Connection) -> IndexState:
        others = tuple(c for c in self.connections if c.name != conn.name)
        return self._replace(connections=tuple(sorted((*others, conn), key=lambda c: c.name)))

    def drop_connection(self, name: str) -> IndexState:
        self.connection(name)
        return self._replace(connections=tuple(c for c in self.connections if c.name != name))


class Index:
    def __init__(self, home: Path | None = None) -> None:
        self.home = home if home is not None else home_dir()
        self.path = self.home / INDEX_NAME
        self.lock_path = self.home / "index.lock"

    def load(self) -> IndexState:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return IndexState()
        except OSError as exc:
            raise StoreCorrupt(f"cannot read the index {self.path}: {exc.strerror}") from None
        return decode(raw, self.path)

    @contextlib.contextmanager
    def locked(self) -> Iterator[IndexState]:
        """Hold the writer lock; yields the state as it is on disk now."""
        from filelock import FileLock, Timeout

        self._ensure_home()
        lock = FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT_S, mode=0o600)
        try:
            lock.acquire()
        except Timeout:
            raise Conflict(
                f"another jwtdesk process has held {self.lock_path} for {LOCK_TIMEOUT_S:.0f} s; "
                "wait for it to finish and try again"
            ) from None
        try:
            yield self.load()
        finally:
            lock.release()

    def write(self, state: IndexState) -> None:
        """Replace the index atomically. Call only inside :meth:`locked`."""
        atomic_write(self.path, encode(state))

    def temp_files(self) -> list[Path]:
        """Temp files left by a writer that died before its rename."""
        return sorted(self.home.glob(f".{INDEX_NAME}.*.tmp"))

    def _ensure_home(self) -> None:
        try:
            self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise JwtdeskError(f"cannot create {self.home}: {exc.strerror}") from None


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` via a temp file in the same directory, fsync, rename."""
    import tempfile  # deferred: only writers pay for it

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# --- JSON mapping -------------------------------------------------------------------------


def _t(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _req_t(value: Any) -> datetime:
    parsed = _parse_t(value)
    if parsed is None:
        raise ValueError("missing time")
    return parsed


def _parse_t(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("naive time")
    return parsed


def _version_json(v: KeyVersion) -> dict[str, Any]:
    return (
        {
            "id": v.id,
            "kid": v.kid,
            "state": v.state.value,
            "created": _t(v.created),
            "activated": _t(v.activated),
            "retired": _t(v.retired),
            "size": v.size,
            "public_jwk": dict(v.public_jwk) if v.public_jwk is not None else None,
        }
        | ({"public_only": True} if v.public_only else {})
        | ({"weak": v.weak} if v.weak else {})
    )


def _keyset_json(ks: KeySet) -> dict[str, Any]:
    return {
        "name": ks.name,
        "service": ks.service,
        "environment": ks.environment,
        "purpose": ks.purpose.value,
        "alg": ks.alg,
        "rotation_period_s": int(ks.rotation_period.total_seconds()),
        "notes": ks.notes,
        "created": _t(ks.created),
        "versions": [_version_json(v) for v in ks.versions],
    }


def _profile_json(p: Profile) -> dict[str, Any]:
    bindings = [
        {"var": b.var, "source": b.source.value, "keyset": b.keyset, "value": b.value}
        for b in p.bindings
    ]
    return {"name": p.name, "format": p.format, "notes": p.notes, "bindings": bindings}


def _profile(d: Mapping[str, Any]) -> Profile:
    bindings = tuple(
        Binding(
            str(b["var"]), Source(b["source"]), str(b.get("keyset", "")), str(b.get("value", ""))
        )
        for b in d["bindings"]
    )
    return Profile(
        str(d["name"]), bindings, str(d.get("format", "dotenv")), str(d.get("notes", ""))
    )


def encode(state: IndexState) -> bytes:
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "keysets": [_keyset_json(ks) for ks in state.keysets],
        "pending": [
            {"id": p.id, "op": p.op, "keyset": p.keyset, "since": _t(p.since)}
            for p in state.pending
        ],
        "profiles": [_profile_json(p) for p in state.profiles],
    }
    if state.connections:  # absent otherwise: an index without them stays byte for byte
        doc["connections"] = [c.to_json() for c in state.connections]
    # Compact: the index is read on every `keys list`, and jq formats it for people.
    return (json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


_STATES = {s.value: s for s in State}


def _jwk(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError("public_jwk must be an object of strings")
    return value


def _version(d: Mapping[str, Any]) -> KeyVersion:
    jwk = d.get("public_jwk")
    return KeyVersion(
        id=str(d["id"]),
        kid=str(d["kid"]),
        state=_STATES[d["state"]],
        created=_req_t(d["created"]),
        activated=_parse_t(d.get("activated")),
        retired=_parse_t(d.get("retired")),
        size=d.get("size"),
        public_jwk=_jwk(jwk),
        public_only=d.get("public_only") is True,
        weak=str(d["weak"])[:200] if d.get("weak") else None,
    )


def _keyset(d: Mapping[str, Any]) -> KeySet:
    return KeySet(
        name=str(d["name"]),
        service=str(d.get("service", "")),
        environment=str(d.get("environment", "")),
        purpose=Purpose(d.get("purpose", "custom")),
        alg=str(d["alg"]),
        rotation_period=timedelta(seconds=int(d["rotation_period_s"])),
        notes=str(d.get("notes", "")),
        created=_req_t(d["created"]),
        versions=tuple(_version(v) for v in d["versions"]),
    )


def decode(raw: bytes, path: Path) -> IndexState:
    fix = f"move {path} aside and restore a backup; jwtdesk will not overwrite it"
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreCorrupt(
            f"the index {path} is not valid JSON ({exc.__class__.__name__}); {fix}"
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("schema"), int):
        raise StoreCorrupt(f"the index {path} has no schema version; {fix}")
    if doc["schema"] > SCHEMA:
        raise StoreCorrupt(
            f"the index {path} was written by a newer jwtdesk (schema {doc['schema']}); upgrade"
        )
    try:
        keysets = tuple(_keyset(k) for k in doc.get("keysets", []))
        pending = tuple(
            Pending(str(p["id"]), str(p["op"]), str(p["keyset"]), _req_t(p["since"]))
            for p in doc.get("pending", [])
        )
        profiles = tuple(_profile(p) for p in doc.get("profiles", []))
        connections = tuple(Connection.from_json(c) for c in doc.get("connections", []))
    except (KeyError, TypeError, ValueError, AttributeError, JwtdeskError) as exc:
        raise StoreCorrupt(
            f"the index {path} has a malformed entry ({exc.__class__.__name__}); {fix}"
        ) from None
    return IndexState(keysets, pending, profiles, connections)
