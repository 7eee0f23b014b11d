"""Candidate keys for Inspect: stored keysets read from the keyring in the TaskRunner, cached,
and key files read there too. Nothing here runs per keystroke except dictionary look-ups.

Only keysets that can verify the token are read: the token's alg must be the keyset's, and when
the token names a kid, a current or previous version must carry it (RFC 8725 §3.1; the index
says so without a keyring read). The cache is dropped when keysets change or the app locks;
after a failed read nothing is retried until the selection changes or the user asks again.
"""

from __future__ import annotations

from collections.abc import Sequence

import shiboken6
from PySide6.QtCore import QObject, Signal

from jwtdesk.core.errors import JwtdeskError
from jwtdesk.core.keyfile import Candidate
from jwtdesk.core.keysets import KeySet
from jwtdesk.core.secret import Secret
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.models.error_text import for_people
from jwtdesk.gui.tasks import Task
from jwtdesk.services.changes import Change, Kind

LOCKED_NOTE = "keyring locked — Unlock to verify with stored keysets"
LOADING_NOTE = "reading the selected keysets from the keyring…"


class CandidateSource(QObject):
    """The keys Inspect verifies with; ``candidates_changed`` after every change of state."""

    candidates_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._keysets: dict[str, KeySet] | None = None  # the index, read on first need
        self._retired: tuple[object, dict[str, str]] | None = None  # (for which index, kids)
        self._selected: tuple[str, ...] | None = None  # None: all keysets
        self._cache: dict[str, list[Candidate]] = {}
        self._tasks: list[Task] = []
        self._loading: frozenset[str] = frozenset()
        self.keyset_error: str | None = None
        self._file: tuple[str, list[Candidate]] | None = None
        self._file_task: Task | None = None
        self.file_error: JwtdeskError | None = None
        self.file_loading: str | None = None
        self.file_locked: str | None = None  # a key file whose HMAC key was dropped on lock
        ctx.changed.connect(self.on_ctx_changed)
        ctx.locked_changed.connect(self.on_ctx_locked_changed)

    # -- what the view asks -----------------------------------------------------------------

    def keysets(self) -> dict[str, KeySet]:
        if self._keysets is None:
            self._keysets = {ks.name: ks for ks in self.ctx.keys.keysets()}
        return self._keysets

    def retired_kids(self) -> dict[str, str]:
        """Retired kids the index still knows (no keyring read), worked out once per index."""
        keysets = self.keysets()
        if self._retired is None or self._retired[0] is not keysets:
            from jwtdesk.core.inspect import retired_kids

            self._retired = (keysets, retired_kids(keysets.values()))
        return self._retired[1]

    def reload_index(self) -> bool:
        """Read the index again (keysets made by the CLI meanwhile); True if it changed.
        Cached keys of keysets that changed are dropped."""
        old = self._keysets
        self._keysets = None
        new = self.keysets()
        if old == new:
            return False
        for name in list(self._cache):
            if old is None or new.get(name) != old.get(name):
                del self._cache[name]
        self.candidates_changed.emit()
        return True

    def selected(self) -> tuple[str, ...]:
        names = tuple(self.keysets())
        return names if self._selected is None else tuple(n for n in self._selected if n in names)

    def select(self, names: Sequence[str] | None) -> None:
        new = None if names is None else tuple(names)
        if new != self._selected:
            self._selected = new
            self.keyset_error = None  # a new selection is worth another try
            self.candidates_changed.emit()

    def targets(self, alg: str | None, kid: object) -> list[str]:
        """The selected keysets that could verify a token with this alg and kid."""
        out = []
        for name in self.selected():
            ks = self.keysets()[name]
            if ks.alg != alg:
                continue
            kids = {v.kid for v in (ks.current, ks.previous) if v is not None}
            if isinstance(kid, str) and kid not in kids:
                continue
            if kids:
                out.append(name)
        return out

    def candidates(self) -> list[Candidate]:
        out = [c for name in self.selected() for c in self._cache.get(name, ())]
        return out + (self._file[1] if self._file else [])

    def file_candidates(self) -> list[Candidate]:
        return list(self._file[1]) if self._file else []

    def loaded_keysets(self) -> int:
        return sum(1 for name in self.selected() if name in self._cache)

    def key_file(self) -> str | None:
        return self._file[0] if self._file else self.file_locked

    def note(self, alg: str | None, kid: object) -> str | None:
        """Why stored keysets that could verify this token were not tried, if they were not."""
        wanted = [n for n in self.targets(alg, kid) if n not in self._cache]
        if not wanted:
            return None
        if self.ctx.locked:
            return LOCKED_NOTE
        if self.keyset_error is not None:
            return f"could not read the keysets: {self.keyset_error}"
        return LOADING_NOTE

    def request(self, alg: str | None, kid: object) -> None:
        """Start reading the keysets this token needs, unless cached, locked or failed."""
        if self.ctx.locked or self.keyset_error is not None:
            return
        missing = [n for n in self.targets(alg, kid) if n not in self._cache]
        if not missing or set(missing) <= self._loading:
            return
        self._loading = self._loading | frozenset(missing)
        tokens = self.ctx.tokens
        task = self.ctx.runner.run(
            lambda: (missing, tokens.keyset_candidates(missing)),
            self.on_task_done,
            lambda error: self.on_task_failed(missing, error),
            label=f"Reading {len(missing)} keyset(s) for Inspect",
        )
        self._tasks = [t for t in self._tasks if not t.finished] + [task]

    def retry(self) -> None:
        self.keyset_error = None
        self.candidates_changed.emit()

    def load_file(self, path: str) -> None:
        if self._file_task is not None:
            self._file_task.cancel()
        self.file_loading, self.file_error, self.file_locked = path, None, None
        tokens = self.ctx.tokens
        self._file_task = self.ctx.runner.run(
            lambda: tokens.file_candidates([path]),
            lambda cands: self.on_file_done(path, cands),
            self.on_file_failed,
            label="Reading a key file",
        )
        self.candidates_changed.emit()

    def clear_file(self) -> None:
        if self._file_task is not None:
            self._file_task.cancel()
        self._file, self._file_task, self.file_error, self.file_loading = None, None, None, None
        self.file_locked = None
        self.candidates_changed.emit()

    # -- slots ------------------------------------------------------------------------------

    def on_task_done(self, result: tuple[list[str], list[Candidate]]) -> None:
        if not shiboken6.isValid(self):
            return  # the view closed while the keyring was read
        names, cands = result
        for name in names:
            self._cache[name] = [c for c in cands if c.keyset == name]
        self._loading = self._loading - frozenset(names)
        self.candidates_changed.emit()

    def on_task_failed(self, names: list[str], error: JwtdeskError) -> None:
        if not shiboken6.isValid(self):
            return
        self._loading = self._loading - frozenset(names)
        self.keyset_error = for_people(error)
        self.candidates_changed.emit()

    def on_file_done(self, path: str, cands: list[Candidate]) -> None:
        if not shiboken6.isValid(self):
            return
        self._file, self.file_loading, self._file_task = (path, cands), None, None
        self.candidates_changed.emit()

    def on_file_failed(self, error: JwtdeskError) -> None:
        if not shiboken6.isValid(self):
            return
        self._file, self.file_loading, self._file_task = None, None, None
        self.file_error = error
        self.candidates_changed.emit()

    def on_ctx_changed(self, change: Change) -> None:
        if change.touches(Kind.KEYSETS):  # profiles and connections do not concern it
            self.on_ctx_keysets_changed()

    def on_ctx_keysets_changed(self) -> None:
        self._drop()
        self._keysets = None
        self.candidates_changed.emit()

    def on_ctx_locked_changed(self, locked: bool) -> None:
        if locked:
            self._drop()  # secrets leave memory on lock; reading them again needs an unlock
            self._drop_file_secret()
        elif self.file_locked is not None:
            self.load_file(self.file_locked)  # the file is still there: read it again
        self.candidates_changed.emit()

    def _drop_file_secret(self) -> None:
        """An HMAC key read from a key file is a secret like a stored one: it leaves memory on
        lock too (the path stays, and the file is read again on unlock)."""
        held = self._file is not None and any(isinstance(c.key, Secret) for c in self._file[1])
        if self._file_task is not None and self.file_loading is not None:
            self._file_task.cancel()  # a read under way could bring a secret back
            self.file_locked, self._file_task, self.file_loading = self.file_loading, None, None
            self._file = None  # the file it replaces may hold a secret too
        elif held and self._file is not None:
            self.file_locked, self._file = self._file[0], None

    def _drop(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks, self._loading, self._cache, self.keyset_error = [], frozenset(), {}, None
