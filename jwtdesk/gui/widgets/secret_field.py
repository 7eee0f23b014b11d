"""A masked secret: a fixed ``••••••••`` whatever the length, an eye toggle and a Copy button.

The field is passive: the eye and Copy emit intents (``reveal_requested``, ``copy_requested``);
its owner reads the keyring in the TaskRunner and hands the text back with :meth:`show_text`.
A revealed value re-masks itself after ``reveal_timeout_ms``; owners also call :meth:`remask` on
selection change and on lock.
"""

from __future__ import annotations

from math import ceil

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QTextOption
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.core.secret import MASK
from jwtdesk.gui.icons import icon

DEFAULT_REVEAL_MS = 30_000
_MAX_LINES = 10


class SecretField(QWidget):
    reveal_requested = Signal()
    copy_requested = Signal()
    masked = Signal()

    def __init__(
        self, parent: QWidget | None = None, reveal_timeout_ms: int = DEFAULT_REVEAL_MS
    ) -> None:
        super().__init__(parent)
        self.reveal_timeout_ms = reveal_timeout_ms
        self._revealed = False
        self.text_view = QPlainTextEdit(self)
        self.text_view.setReadOnly(True)
        self.text_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text_view.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        self.text_view.setAccessibleName("Secret value")
        self.text_view.setUndoRedoEnabled(False)
        self.text_view.installEventFilter(self)
        self.eye = QToolButton(self)
        self.eye.setCheckable(True)
        self.eye.clicked.connect(self.on_eye_clicked)
        self.copy_button = QPushButton(icon("copy"), "Copy", self)
        self.copy_button.setAccessibleName("Copy secret")
        self.copy_button.setToolTip("Copy the secret; the clipboard is cleared after 30 s")
        self.copy_button.clicked.connect(self.copy_requested)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.remask)
        buttons = QVBoxLayout()
        buttons.addWidget(self.eye)
        buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.text_view, 1)
        row.addLayout(buttons)
        row.addWidget(self.copy_button)
        self.setAccessibleName("Secret")
        self.setFocusProxy(self.eye)
        self.remask()

    @property
    def revealed(self) -> bool:
        return self._revealed

    @property
    def shown_text(self) -> str:
        return self.text_view.toPlainText()

    def on_eye_clicked(self, checked: bool) -> None:
        if checked:
            self.eye.setEnabled(False)  # until the owner answers with show_text() or mask()
            self.reveal_requested.emit()
        else:
            self.remask()

    def show_text(self, text: str) -> None:
        """Show the secret (called by the owner after the keyring read); re-masks later."""
        self._revealed = True
        self.text_view.setPlainText(text)
        self._fit(self._visual_lines(text))
        self.eye.setEnabled(True)
        self.eye.setChecked(True)
        self.eye.setIcon(icon("eye-off"))
        self.eye.setToolTip("Hide the secret")
        self.eye.setAccessibleName("Hide secret")
        self._timer.start(self.reveal_timeout_ms)

    def remask(self) -> None:
        was = self._revealed
        self._revealed = False
        self._timer.stop()
        self.text_view.setPlainText(MASK)
        self._fit(1)
        self.eye.setEnabled(self.isEnabled())
        self.eye.setChecked(False)
        self.eye.setIcon(icon("eye"))
        self.eye.setToolTip("Reveal the secret (reads the OS keyring; hides again after 30 s)")
        self.eye.setAccessibleName("Reveal secret")
        if was:
            self.masked.emit()

    def set_copy_label(self, text: str) -> None:
        self.copy_button.setText(text)

    def _visual_lines(self, text: str) -> int:
        """Lines the text takes once wrapped at the field's width (monospace: exact)."""
        margin = self.text_view.document().documentMargin() * 2
        width = self.text_view.width() - 2 * self.text_view.frameWidth() - margin - 2
        advance = max(1, self.text_view.fontMetrics().horizontalAdvance("0"))
        per_line = max(1, int(width // advance))
        return sum(max(1, ceil(len(line) / per_line)) for line in text.split("\n"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        # The text view narrows when the Copy button's label grows: refit the revealed text.
        if watched is self.text_view and event.type() == QEvent.Type.Resize and self._revealed:
            self._fit(self._visual_lines(self.shown_text))
        return False

    def _fit(self, lines: int) -> None:
        metrics = self.text_view.fontMetrics()
        shown = min(max(lines, 1), _MAX_LINES)
        policy = Qt.ScrollBarPolicy
        fits = lines <= _MAX_LINES
        self.text_view.setVerticalScrollBarPolicy(
            policy.ScrollBarAlwaysOff if fits else policy.ScrollBarAsNeeded
        )
        margins = self.text_view.contentsMargins()
        frame = 2 * self.text_view.frameWidth() + margins.top() + margins.bottom()
        pad = int(self.text_view.document().documentMargin() * 2)
        self.text_view.setFixedHeight(metrics.lineSpacing() * shown + frame + pad)
