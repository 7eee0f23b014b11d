"""Copying secrets the way KeePassXC does.

A copied secret carries the MIME hint ``x-kde-passwordManagerHint: secret`` so clipboard
managers (Klipper, GPaste, CopyQ) skip it. A countdown runs; at zero the CLIPBOARD and, where
the platform has one, the PRIMARY selection are cleared, but only if they still hold our copy:
something the user copied since is never wiped. Quitting clears too. Only a SHA-256 digest of
the copy is kept to recognise it; public keys and JWKS are copied plainly, with no countdown.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

PASSWORD_HINT = "x-kde-passwordManagerHint"  # noqa: S105 - a MIME type, not a password
DEFAULT_TIMEOUT_S = 30


def _digest(text: str) -> bytes:
    import hashlib  # here: loading OpenSSL costs start-up ~3 ms

    return hashlib.sha256(text.encode("utf-8")).digest()


class ClipboardGuard(QObject):
    """Puts text on the clipboard; clears a secret after ``timeout_s`` if it is still ours.

    Signals: ``countdown_changed(seconds_left)`` each second while a secret is held,
    ``cleared(wiped)`` when the countdown ends (``wiped`` False if the user had copied
    something else meanwhile).
    """

    countdown_changed = Signal(int)
    cleared = Signal(bool)

    def __init__(self, parent: QObject | None = None, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        super().__init__(parent)
        self.timeout_s = timeout_s
        self._digest: bytes | None = None
        self._left = 0.0
        self._tick = QTimer(self)
        self._tick.setInterval(min(1000, max(10, int(timeout_s * 1000))))
        self._tick.timeout.connect(self.on_tick_timeout)
        app = QGuiApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.clear_now)

    @property
    def holding_secret(self) -> bool:
        return self._digest is not None

    @property
    def seconds_left(self) -> int:
        return max(0, round(self._left))

    def copy_plain(self, text: str) -> None:
        """Public material: no hint, no countdown (a held secret copy is replaced, so forget it)."""
        self._stop()
        QGuiApplication.clipboard().setText(text, QClipboard.Mode.Clipboard)

    def copy_secret(self, text: str) -> None:
        clipboard = QGuiApplication.clipboard()
        modes = [QClipboard.Mode.Clipboard]
        if clipboard.supportsSelection():
            modes.append(QClipboard.Mode.Selection)
        for mode in modes:
            mime = QMimeData()
            mime.setText(text)
            mime.setData(PASSWORD_HINT, b"secret")
            clipboard.setMimeData(mime, mode)
        self._digest = _digest(text)
        self._left = self.timeout_s
        self._tick.start()
        self.countdown_changed.emit(self.seconds_left)

    def clear_now(self) -> bool:
        """Clear our copy now (quit, lock); True if something of ours was wiped."""
        if self._digest is None:
            return False
        clipboard = QGuiApplication.clipboard()
        modes = [QClipboard.Mode.Clipboard]
        if clipboard.supportsSelection():
            modes.append(QClipboard.Mode.Selection)
        wiped = False
        for mode in modes:
            if _digest(clipboard.text(mode)) == self._digest:
                clipboard.clear(mode)
                wiped = True
        self._stop()
        self.cleared.emit(wiped)
        return wiped

    def on_tick_timeout(self) -> None:
        self._left -= self._tick.interval() / 1000
        if self._left <= 0:
            self.clear_now()
        else:
            self.countdown_changed.emit(self.seconds_left)

    def _stop(self) -> None:
        self._tick.stop()
        self._digest = None
        self._left = 0
