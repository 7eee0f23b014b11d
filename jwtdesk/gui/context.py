"""What every view is given: the services, the TaskRunner and the app-wide state signals.

Views take an ``AppContext`` and nothing global. Services are Qt-free; the context adds the
one change feed (``changed``: what changed, which names, who changed it) that every view
subscribes to, fed by the services' reports and by one index watcher for other processes (a
rotation in Keys refreshes Inspect's candidate list; a profile made by the CLI appears in
Export), and the lock state that hides secrets after idle time.

The app gives the context functions instead of services: the services (and the modules
behind them) are made when a view first asks for them, after the window's first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, Signal

from jwtdesk.gui.tasks import TaskRunner

if TYPE_CHECKING:
    from jwtdesk.gui.watcher import IndexWatcher
    from jwtdesk.services import KeyService
    from jwtdesk.services.changes import Change
    from jwtdesk.services.revocation import RevocationService
    from jwtdesk.services.tokens import TokenService


class AppContext(QObject):
    # A services.changes.Change, on the GUI thread: after every index change a service of this
    # app made (origin app) and every one the index watcher saw another process make (outside).
    changed = Signal(object)
    # The services' reports, from whichever thread made the change. Signal to signal with
    # Qt's automatic connection: delivered at once on the GUI thread, queued from a worker.
    _reported = Signal(object)
    locked_changed = Signal(bool)  # True: secrets hidden; reveal/copy/sign need the keyring again
    status_posted = Signal(str, int)  # (message, timeout ms) for the status bar

    def __init__(
        self,
        keys: KeyService | Callable[[], KeyService],
        tokens: TokenService | Callable[[KeyService], TokenService],
        runner: TaskRunner,
        parent: QObject | None = None,
    ) -> None:
        """``keys`` and ``tokens`` are the services, or functions that make them on first use
        (``tokens`` is given the key service)."""
        super().__init__(parent)
        self._keys: KeyService | None = None if callable(keys) else keys
        self._tokens: TokenService | None = None if callable(tokens) else tokens
        self._make_keys = keys if callable(keys) else None
        self._make_tokens = tokens if callable(tokens) else None
        self.runner = runner
        self._locked = False
        self._revocation: RevocationService | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.watcher: IndexWatcher | None = None
        self._reported.connect(self.changed)
        if self._keys is not None:
            self._listen(self._keys)

    @property
    def keys(self) -> KeyService:
        if self._keys is None and self._make_keys is not None:
            self._keys = self._make_keys()
            self._listen(self._keys)
        return cast("KeyService", self._keys)  # one of the two is always given

    def _listen(self, keys: KeyService) -> None:
        self._unsubscribe = keys.subscribe(self._reported.emit)

    @property
    def revocation(self) -> RevocationService:
        """The one RevocationService of the app (connections, revoke, check)."""
        if self._revocation is None:
            from jwtdesk.services.revocation import RevocationService

            self._revocation = RevocationService(self.keys)
        return self._revocation

    def watch_index(self, debounce_ms: int = 250) -> IndexWatcher:
        """Start the one watcher of the index folder (changes made by other processes)."""
        if self.watcher is None:
            from jwtdesk.gui.watcher import IndexWatcher

            self.watcher = IndexWatcher(self, debounce_ms)
            self.watcher.start()
        return self.watcher

    def announce(self, change: Change) -> None:
        """Tell every view about ``change`` (what the services and the watcher do)."""
        self.changed.emit(change)

    def shutdown(self) -> None:
        """Stop listening and watching, then the runner (the app's last step)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.watcher is not None:
            self.watcher.stop()
        self.runner.shutdown()

    @property
    def tokens(self) -> TokenService:
        if self._tokens is None and self._make_tokens is not None:
            self._tokens = self._make_tokens(self.keys)
        return cast("TokenService", self._tokens)

    @property
    def locked(self) -> bool:
        return self._locked

    def set_locked(self, locked: bool) -> None:
        if locked != self._locked:
            self._locked = locked
            self.locked_changed.emit(locked)

    def post_status(self, message: str, timeout_ms: int = 5000) -> None:
        self.status_posted.emit(message, timeout_ms)
