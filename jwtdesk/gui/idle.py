"""Auto-lock after idle time.

An event filter on each of the app's top-level windows (QWindow: the main window, and every
dialog once it has the focus) notes the time of the last user input (keys, mouse buttons,
wheel, touch); a coarse timer compares it with the timeout. Input reaches a QWindow before
the widget it is for, so the windows see all of it. Restarting a timer on every mouse move
would cost more than reading a clock. An open dialog does not hold the lock off: the filter
sees no input from it while the user is away.

Not an application-wide filter: that would call Python for every event of every object
(paints, layouts, timers), and the first event for an object of a class PySide has not loaded
makes PySide load every class of its module (50-100 ms at once, measured in bench_gui).
:meth:`IdleLock.start` is called by the main window after its first paint.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication, QWindow

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
        self._check.timeout.connect(self.on_check_timeout)
        self.set_timeout(timeout_ms)
        self._watching = False

    def set_timeout(self, timeout_ms: int) -> None:
        """Lock after ``timeout_ms`` without input from now on (Preferences change it)."""
        self.timeout_ms = timeout_ms
        # Check a few times per timeout, at least every 5 s, so the lock is at most ~5 s late.
        self._check.setInterval(max(10, min(5000, timeout_ms // 4)))

    def start(self) -> None:
        """Watch the app's windows' input and start the clock (idempotent)."""
        self._last = time.monotonic()
        app = QGuiApplication.instance()
        if not self._watching and isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self.watch)
            for window in QGuiApplication.topLevelWindows():
                self.watch(window)
            self._watching = True
        self._check.start()

    def watch(self, window: QWindow | None) -> None:
        """Watch ``window``'s input (Qt installs a filter once however often it is asked)."""
        if window is not None:
            window.installEventFilter(self)

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
        app = QGuiApplication.instance()
        if self._watching and isinstance(app, QGuiApplication):
            app.focusWindowChanged.disconnect(self.watch)
            for window in QGuiApplication.topLevelWindows():
                window.removeEventFilter(self)
            self._watching = False
