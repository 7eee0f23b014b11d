"""The Preferences dialog (File → Preferences…, Ctrl+,): see :mod:`jwtdesk.gui.preferences`."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.gui.preferences import DUE_SOON_RANGE, IDLE_RANGE, Preferences


def _spin(bounds: tuple[int, int], value: int, suffix: str, name: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(*bounds)
    spin.setValue(value)
    spin.setSuffix(suffix)
    spin.setAccessibleName(name)
    return spin


class PreferencesDialog(QDialog):
    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.idle = _spin(IDLE_RANGE, prefs.idle_minutes, " min", "Lock after idle minutes")
        self.due_soon = _spin(
            DUE_SOON_RANGE, prefs.due_soon_days, " days", "Rotation due soon, days ahead"
        )
        self.due_soon.setSpecialValueText("never")
        form = QFormLayout()
        form.addRow("&Lock after no input for:", self.idle)
        form.addRow("Flag &rotation due soon within:", self.due_soon)
        note = QLabel(
            "Locking hides every secret and token; secret actions ask before they run. "
            "Settings hold these numbers only, never a token or a secret.",
            self,
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.idle.setFocus()
        self.idle.selectAll()

    def value(self) -> Preferences:
        return Preferences(self.idle.value(), self.due_soon.value())
