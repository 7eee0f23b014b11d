"""Auto-lock after idle time.

An application-wide event filter notes the time of the last user input (keys, mouse buttons,
wheel, touch) in any window, dialogs included; a coarse timer compares it with the timeout.
Restarting a timer on every mouse move would cost more than reading a clock. An open dialog
does not hold the lock off: the filter sees no input from it while the user is away.

The filter is installed by :meth:`IdleLock.start`, which the main window calls after its first
paint: the first event a Python filter sees for an object of a class PySide has not loaded yet
makes PySide load every class of that module (~30 ms), which start-up should not wait for.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

from jwtdesk.gui.context import AppContext

DEFAULT_IDLE_MS = 10 * 60 * 1000
_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
        QEvent.Type.ShortcutOverride,
    }
)


class IdleLock(QObject):
    """Calls ``ctx.set_locked(True)`` after ``timeout_ms`` without user input."""

    def __init__(
        self, ctx: AppContext, timeout_ms: int = DEFAULT_IDLE_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.timeout_ms = timeout_ms
        self._last = time.monotonic()
        self._check = QTimer(self)
        # Check a few times per timeout, at least every 5 s, so the lock is at most ~5 s late.
        self._check.setInterval(max(10, min(5000, timeout_ms // 4)))
        self._check.timeout.connect(self.on_check_timeout)
        self._installed = False

    def start(self) -> None:
        """Watch input app-wide and start the clock (idempotent)."""
        self._last = time.monotonic()
        app = QCoreApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._check.start()

    @property
    def running(self) -> bool:
        return self._check.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() in _INPUT:
            self._last = time.monotonic()
        return False

    def touch(self) -> None:
        """Count now as activity (used when the user unlocks)."""
        self._last = time.monotonic()

    def idle_ms(self) -> int:
        return int((time.monotonic() - self._last) * 1000)

    def on_check_timeout(self) -> None:
        if not self.ctx.locked and self.idle_ms() >= self.timeout_ms:
            self.ctx.set_locked(True)

    def stop(self) -> None:
        self._check.stop()
        app = QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False
