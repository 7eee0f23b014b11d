"""Key use cases shared by the CLI and the GUI. Every state change follows the crash order of
DESIGN.md: create = (mark pending) -> secret -> index; delete = index -> secret -> (unmark).
A crash at any point leaves at worst an orphan secret that ``doctor`` finds, never an index
entry without its secret.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from jwtdesk.core import keysets as ks_mod
from jwtdesk.core import profiles
from jwtdesk.core.algorithms import KeyType
from jwtdesk.core.errors import Cancelled, Conflict, JwtdeskError
from jwtdesk.core.keysets import DEFAULT_ROTATION, KeySet, KeyVersion, Purpose, State
from jwtdesk.core.secret import Secret
from jwtdesk.services.changes import Change, ChangeFeed, reports_change
from jwtdesk.store.auditlog import AuditEntry, AuditLog
from jwtdesk.store.index import Index, IndexState, Pending

if TYPE_CHECKING:
    from jwtdesk.core.keyfile import SigningMaterial, VerifyingKey
    from jwtdesk.core.keys import KeyMaterial
    from jwtdesk.store.vault import Vault


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_version_id() -> str:
    import secrets  # deferred: listing never makes an id

    return "kv-" + secrets.token_hex(12)


class Finding(NamedTuple):
    kind: str  # "orphan-secret" | "missing-secret" | "stale-pending" | "temp-file"
    detail: str
    repaired: bool = False


class DoctorReport(NamedTuple):
    backend: str
    backend_state: str  # "ok" or the reason it is unusable
    index_path: Path
    keysets: int
    versions: int
    findings: tuple[Finding, ...]

    @property
    def healthy(self) -> bool:
        return self.backend_state == "ok" and all(f.repaired for f in self.findings)


class KeyService:
    def __init__(
        self,
        index: Index,
        vault: Callable[[], Vault],
        audit: AuditLog | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.index = index
        self._vault_factory = vault
        self._vault: Vault | None = None
        self.audit = audit if audit is not None else AuditLog(index.home)
        self.clock = clock
        # Every index-writing method of this and the services built on it reports here.
        self.changes = ChangeFeed(index)

    @property
    def vault(self) -> Vault:
        # Built on first use: listing and showing never touch the keyring.
        if self._vault is None:
            self._vault = self._vault_factory()
        return self._vault

    # --- reading (no keyring access) ------------------------------------------------------

    def keysets(self) -> tuple[KeySet, ...]:
        return self.index.load().keysets

    def get(self, name: str) -> KeySet:
        return self.index.load().get(name)

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        """Call ``listener`` with every change the services sharing this index report (the
        GUI's change feed); the result unsubscribes it."""
        return self.changes.subscribe(listener)

    def settled_state(self) -> IndexState | None:
        """The index as no change of this process is writing it, or None when one was under
        way while it was read (a watcher then looks again, after that change's report)."""
        before = self.changes.epoch()
        state = self.index.load()
        after = self.changes.epoch()
        return state if before is not None and before == after else None

    def index_state(self) -> IndexState:
        """The whole index (keysets, profiles, connections): what a change feed compares."""
        return self.index.load()

    def index_dir(self) -> Path:
        """The folder whose index file other processes replace (a GUI watches it)."""
        return self.index.home

    def names(self) -> list[str]:
        return _names(self.index.load())

    # --- the keyring ----------------------------------------------------------------------

    def keyring_backend(self) -> str:
        """The keyring backend's qualified name (builds the vault; reads no secret)."""
        return self.vault.backend_name

    def check_keyring(self) -> None:
        """Probe the keyring (one read of a name that never exists): unlocks it or fails."""
        self.vault.check()

    # --- changing -------------------------------------------------------------------------

    @reports_change
    def create(
        self,
        name: str,
        alg: str,
        *,
        size: int | None = None,
        service: str = "",
        environment: str = "",
        purpose: Purpose = Purpose.CUSTOM,
        rotation_period: timedelta = DEFAULT_ROTATION,
        notes: str = "",
        cancelled: Callable[[], bool] | None = None,
    ) -> KeySet:
        """A new keyset with a fresh key. ``cancelled`` is asked once the key is generated
        (RSA-4096 takes seconds and cannot be interrupted): if it says so, nothing is stored
        and :class:`Cancelled` is raised."""
        algorithm = ks_mod.check_new(
            name,
            alg,
            size=size,
            service=service,
            environment=environment,
            existing=self.names(),
        )
        with self._audited("create", name) as note:
            self.vault.check()
            from jwtdesk.core import keys as keymod  # deferred: cryptography costs ~30 ms

            material = keymod.generate(algorithm, size)
            if cancelled is not None and cancelled():
                raise Cancelled(f"creating {name} was cancelled; nothing was stored")
            now = self.clock()
            version = self._version(material, now)
            with self.index.locked() as state:
                ks_mod.check_free_name(name, _names(state))  # another process may have made it
                keyset = ks_mod.new_keyset(
                    name=name,
                    alg=alg,
                    first=version,
                    now=now,
                    service=service,
                    environment=environment,
                    purpose=purpose,
                    rotation_period=rotation_period,
                    notes=notes,
                )
                self._store_new(state, keyset, version, material.secret)
            note(version.kid)
            return keyset

    @reports_change
    def rotate(self, name: str) -> KeySet:
        keyset = self.get(name)
        with self._audited("rotate", name) as note:
            self.vault.check()
            from jwtdesk.core import keys as keymod  # deferred: cryptography costs ~30 ms

            material = keymod.generate(keyset.algorithm, _rotation_size(keyset))
            now = self.clock()
            version = self._version(material, now)
            with self.index.locked() as state:
                fresh = state.get(name)  # another process may have rotated meanwhile
                rotated = ks_mod.rotate(fresh, version, now)
                newly_retired = [
                    v
                    for v in rotated.versions
                    if v.state is State.RETIRED
                    and fresh.version(v.kid).state is not State.RETIRED
                    and not v.public_only
                ]
                self._store_new(state, rotated, version, material.secret)
            # Retired keys verify nothing; their secrets leave the keyring (index first).
            self._forget(rotated.name, [v.id for v in newly_retired])
            note(version.kid)
            return rotated

    @reports_change
    def retire(self, name: str, kid: str | None = None) -> KeyVersion:
        with self._audited("retire", name) as note:
            with self.index.locked() as state:
                keyset, done = ks_mod.retire(state.get(name), kid, self.clock())
                ids = [] if done.public_only else [done.id]
                self._write_forgetting(state.put(keyset), name, ids)
            note(done.kid)
            self._finish_forget(ids)
            return done

    @reports_change
    def delete(self, name: str, kid: str | None = None) -> None:
        with self._audited("delete", name) as note:
            with self.index.locked() as state:
                keyset = state.get(name)
                if kid is None:
                    gone = list(keyset.versions)
                    after = state.drop(name)
                else:
                    keyset, removed = ks_mod.remove_version(keyset, kid)
                    gone = [removed]
                    after = state.put(keyset)
                    note(kid)
                # Retired and public-only versions have no secret to delete.
                ids = [v.id for v in gone if v.state is not State.RETIRED and not v.public_only]
                self._write_forgetting(after, name, ids)
            self._finish_forget(ids)

    @reports_change
    def rename(self, old: str, new: str) -> KeySet:
        ks_mod.check_name(new, "new keyset name")
        with self._audited("rename", old), self.index.locked() as state:
            keyset = state.get(old)
            ks_mod.check_free_name(new, _names(state))
            renamed = keyset._replace(name=new)
            after = state.drop(old).put(renamed)
            after = after._replace(
                profiles=tuple(profiles.renamed_keyset(p, old, new) for p in after.profiles)
            )
            self.index.write(after)
            return renamed

    # --- secrets --------------------------------------------------------------------------

    def secret(
        self, name: str, kid: str | None = None, action: str = "reveal"
    ) -> tuple[KeyVersion, Secret]:
        """The secret of the current version (or ``kid``), for an explicit reveal or export;
        ``action`` names it in the audit log."""
        keyset = self.get(name)
        version = keyset.version(kid) if kid else keyset.current
        if version is None or version.state is State.RETIRED:
            raise Conflict(f"{name!r} has no usable key {kid or ''} (retired keys keep no secret)")
        _needs_secret(keyset, version)
        with self._audited(action, name) as note:
            note(version.kid)
            return version, self.vault.get(version.id)

    def reveal(
        self, name: str, kid: str | None = None, *, recheck: bool = False, action: str = "reveal"
    ) -> tuple[KeyVersion, Secret]:
        """A secret as a person reads it, for Reveal / Copy, ``keys show --reveal`` and env
        files: the HMAC key's bytes, or the private key as PKCS#8 PEM; audited as ``action``.
        ``recheck``: probe the keyring first (after an idle lock it fails while locked)."""
        if recheck:
            self.check_keyring()
        keyset = self.get(name)
        version, secret = self.secret(name, kid, action=action)
        if keyset.algorithm.kty is KeyType.OCT:
            return version, secret
        from jwtdesk.core.keys import private_pem  # deferred: cryptography costs ~30 ms

        return version, private_pem(secret)

    def verification_keys(self, name: str | KeySet) -> list[tuple[KeyVersion, VerifyingKey]]:
        """Keys that may verify tokens of a keyset: its current and its previous version.
        HMAC secrets come from the keyring and stay :class:`Secret` (revealed only by the
        code that computes the MAC); public keys come from the index."""
        keyset = self.get(name) if isinstance(name, str) else name
        algorithm = keyset.algorithm
        from jwtdesk.core import keys as keymod

        out: list[tuple[KeyVersion, VerifyingKey]] = []
        for version in (keyset.current, keyset.previous):
            if version is None:
                continue
            if algorithm.kty is not KeyType.OCT and version.public_jwk is not None:
                # Verifying needs only the public key, which the index holds: no keyring
                # read, and no parse of a private key (an RSA-4096 load validates the key
                # for ~100 ms holding the GIL, which would stall the GUI).
                public = keymod.public_key_from_jwk(version.public_jwk)
                keymod.check_family(algorithm, public)
                out.append((version, public))
                continue
            secret = self.vault.get(version.id)
            if algorithm.kty is KeyType.OCT:
                out.append((version, secret))
            else:
                out.append((version, keymod.load_private(algorithm, secret).public_key()))
        return out

    def signing_key(
        self, name: str | KeySet, kid: str | None = None
    ) -> tuple[KeyVersion, SigningMaterial]:
        """The private key (or HMAC :class:`Secret`) of the current version, or of ``kid``;
        retired versions never sign."""
        keyset = self.get(name) if isinstance(name, str) else name
        version = keyset.version(kid) if kid else keyset.current
        if version is None:
            raise Conflict(f"{keyset.name!r} has no current key; rotate it to make one")
        if version.state is State.RETIRED:
            raise Conflict(f"{version.kid} of {keyset.name!r} is retired; retired keys never sign")
        _needs_secret(keyset, version)
        secret = self.vault.get(version.id)
        if keyset.algorithm.kty is KeyType.OCT:
            return version, secret
        from jwtdesk.core import keys as keymod

        return version, keymod.load_private(keyset.algorithm, secret)

    # --- doctor ---------------------------------------------------------------------------

    def doctor(self, repair: bool = False) -> DoctorReport:
        from jwtdesk.services.doctor import run_doctor

        return run_doctor(self, repair)

    # --- internals ------------------------------------------------------------------------

    def _version(self, material: KeyMaterial, now: datetime) -> KeyVersion:
        return KeyVersion(
            id=new_version_id(),
            kid=material.kid,
            state=State.CURRENT,
            created=now,
            activated=now,
            retired=None,
            size=material.size,
            public_jwk=material.public_jwk,
        )

    def _store_new(
        self, state: IndexState, keyset: KeySet, version: KeyVersion, secret: Secret | None
    ) -> None:
        self._store_versions(state, keyset, [(version, secret)])

    def _store_versions(
        self,
        state: IndexState,
        keyset: KeySet,
        new: Sequence[tuple[KeyVersion, Secret | None]],
    ) -> None:
        """Crash order for new secrets: mark pending, write the secrets, then the entry.
        A ``None`` secret is a public-only version: nothing goes to the keyring."""
        stored = [(v, s) for v, s in new if s is not None]
        now = self.clock()
        marked = state.mark(*(Pending(v.id, "create", keyset.name, now) for v, _ in stored))
        if stored:
            self.index.write(marked)
        written: list[str] = []
        try:
            for version, secret in stored:
                self.vault.put(version.id, secret)
                written.append(version.id)
        except BaseException:
            for vid in written:  # best effort; doctor finds what is left
                with contextlib.suppress(JwtdeskError):
                    self.vault.delete(vid)
            self.index.write(state)  # put the index back as it was
            raise
        self.index.write(marked.unmark(*(v.id for v, _ in stored)).put(keyset))

    def _write_forgetting(self, state: IndexState, keyset: str, ids: Iterable[str]) -> None:
        now = self.clock()
        self.index.write(state.mark(*(Pending(i, "delete", keyset, now) for i in ids)))

    def _forget(self, keyset: str, ids: list[str]) -> None:
        if not ids:
            return
        with self.index.locked() as state:
            self._write_forgetting(state, keyset, ids)
        self._finish_forget(ids)

    def _finish_forget(self, ids: list[str]) -> None:
        for vid in ids:
            self.vault.delete(vid)
        with self.index.locked() as state:
            self.index.write(state.unmark(*ids))

    def _audited(self, action: str, keyset: str | None) -> _Audit:
        return _Audit(self, action, keyset)


def _names(state: IndexState) -> list[str]:
    return [ks.name for ks in state.keysets]


def _rotation_size(keyset: KeySet) -> int | None:
    """The current key's size when jwtdesk would generate it; else the default (an imported
    weak, odd or huge key is replaced by a standard one: rotating is the fix for it)."""
    size = keyset.current.size if keyset.current else None
    if size is None or size not in keyset.algorithm.sizes:
        return None
    return size


def _needs_secret(keyset: KeySet, version: KeyVersion) -> None:
    if version.public_only:
        raise Conflict(
            f"{version.kid} of {keyset.name!r} is a public key only (imported); it verifies "
            "but cannot sign or be exported as a secret. Import its private key, or rotate"
        )


class _Audit:
    """Context manager: one audit line per action, with its outcome, whatever happens."""

    def __init__(self, service: KeyService, action: str, keyset: str | None) -> None:
        self.service, self.action, self.keyset = service, action, keyset
        self.kid: str | None = None

    def __enter__(self) -> Callable[[str], None]:
        def note(kid: str) -> None:
            self.kid = kid

        return note

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        if exc_type is None:
            outcome = "ok"
        elif issubclass(exc_type, JwtdeskError):
            outcome = exc_type.__name__
        else:
            outcome = "error"
        try:
            self.service.audit.append(
                AuditEntry(self.service.clock(), self.action, self.keyset, self.kid, outcome)
            )
        except JwtdeskError:
            if exc_type is None:
                raise  # a failing audit log is reported, unless another error already is
