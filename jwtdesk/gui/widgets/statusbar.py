"""The status bar: messages, clipboard countdown, busy indicator, lock state, keyring state."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from jwtdesk.gui.keyring_status import CHECKING, KeyringStatus

BUSY_DELAY_MS = 250  # quick tasks do not flash the indicator


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keyring_status = CHECKING
        self.clipboard_label = QLabel(self)
        self.clipboard_label.setAccessibleName("Clipboard")
        self.busy_label = QLabel(self)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 12)
        self.busy_bar.setAccessibleName("Working")
        self.lock_label = QLabel(self)
        self.lock_label.setAccessibleName("Lock state")
        self.keyring_label = QLabel(self)
        self.keyring_label.setAccessibleName("Keyring")
        for widget in (
            self.clipboard_label,
            self.busy_label,
            self.busy_bar,
            self.lock_label,
            self.keyring_label,
        ):
            self.addPermanentWidget(widget)
        self._busy_delay = QTimer(self, singleShot=True, interval=BUSY_DELAY_MS)
        self._busy_delay.timeout.connect(self._show_busy)
        self.set_busy(False)
        self.set_clipboard_countdown(0)
        self.set_locked(False)
        self.set_keyring(CHECKING)

    def set_busy(self, busy: bool, label: str = "") -> None:
        if label:
            self.busy_label.setText(label + "…")
        if busy:
            self._busy_delay.start()
        else:
            self._busy_delay.stop()
            self.busy_label.hide()
            self.busy_bar.hide()

    def _show_busy(self) -> None:
        self.busy_label.show()
        self.busy_bar.show()

    def set_clipboard_countdown(self, seconds: int) -> None:
        self.clipboard_label.setVisible(seconds > 0)
        self.clipboard_label.setText(f"Clearing clipboard in {seconds} s")

    def set_locked(self, locked: bool) -> None:
        self.lock_label.setVisible(locked)
        self.lock_label.setText("Locked — secrets and tokens hidden; secret actions ask first")

    def set_keyring(self, status: KeyringStatus) -> None:
        self.keyring_status = status
        if status.state == "checking":
            self.keyring_label.setText("Keyring: checking…")
            self.keyring_label.setToolTip("")
            return
        self.keyring_label.setText(f"Keyring: {status.short_backend} · {status.state}")
        tip = status.backend + (f"\n{status.message}" if status.message else "")
        self.keyring_label.setToolTip(tip)
        self.keyring_label.setAccessibleDescription(tip)
