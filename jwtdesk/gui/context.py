"""What every view is given: the services, the TaskRunner and the app-wide state signals.

Views take an ``AppContext`` and nothing global. Services are Qt-free; the context adds the
signals that let one view's change refresh another (a rotation in Keys refreshes Inspect's
candidate list) and the lock state that hides secrets after idle time.

The app gives the context functions instead of services: the services (and the modules
behind them) are made when a view first asks for them, after the window's first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, Signal

from jwtdesk.gui.tasks import TaskRunner

if TYPE_CHECKING:
    from jwtdesk.services import KeyService
    from jwtdesk.services.tokens import TokenService


class AppContext(QObject):
    keysets_changed = Signal()  # emitted after any create/rotate/retire/delete/rename/import
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

    @property
    def keys(self) -> KeyService:
        if self._keys is None and self._make_keys is not None:
            self._keys = self._make_keys()
        return cast("KeyService", self._keys)  # one of the two is always given

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
