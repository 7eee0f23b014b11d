"""Preferences (File → Preferences…): the idle-lock timeout and the "rotation due soon"
threshold, kept in QSettings. Only these numbers are stored: never a token, never a secret.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QSettings
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

IDLE_KEY = "security/idle_lock_minutes"
DUE_SOON_KEY = "keys/due_soon_days"
IDLE_RANGE = (1, 480)  # minutes
DUE_SOON_RANGE = (0, 365)  # days; 0: never flag "due soon"


class Preferences(NamedTuple):
    idle_minutes: int = 10
    due_soon_days: int = 14

    @property
    def idle_ms(self) -> int:
        return self.idle_minutes * 60_000


def _number(settings: QSettings, key: str, default: int, bounds: tuple[int, int]) -> int:
    """A stored number, or the default when absent or not a number; clamped to ``bounds``."""
    try:
        value = int(str(settings.value(key, default)))
    except ValueError:
        value = default
    return min(max(value, bounds[0]), bounds[1])


def load(settings: QSettings) -> Preferences:
    d = Preferences()
    return Preferences(
        _number(settings, IDLE_KEY, d.idle_minutes, IDLE_RANGE),
        _number(settings, DUE_SOON_KEY, d.due_soon_days, DUE_SOON_RANGE),
    )


def save(settings: QSettings, prefs: Preferences) -> None:
    settings.setValue(IDLE_KEY, prefs.idle_minutes)
    settings.setValue(DUE_SOON_KEY, prefs.due_soon_days)
    settings.sync()


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
