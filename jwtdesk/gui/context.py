"""What every view is given: the services, the TaskRunner and the app-wide state signals.

Views take an ``AppContext`` and nothing global. Services are Qt-free; the context adds the
signals that let one view's change refresh another (a rotation in Keys refreshes Inspect's
candidate list) and the lock state that hides secrets after idle time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
        keys: KeyService,
        tokens: TokenService,
        runner: TaskRunner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.keys = keys
        self.tokens = tokens
        self.runner = runner
        self._locked = False

    @property
    def locked(self) -> bool:
        return self._locked

    def set_locked(self, locked: bool) -> None:
        if locked != self._locked:
            self._locked = locked
            self.locked_changed.emit(locked)

    def post_status(self, message: str, timeout_ms: int = 5000) -> None:
        self.status_posted.emit(message, timeout_ms)
