"""Preferences (File → Preferences…): the idle-lock timeout and the "rotation due soon"
threshold, kept in QSettings. Only these numbers are stored: never a token, never a secret.

The main window reads them before its first paint, so this module imports no widget class
(each costs PySide a lazy load); the dialog is in :mod:`jwtdesk.gui.preferences_dialog`.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QSettings

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
