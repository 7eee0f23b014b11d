"""Asking before a secret action while the app is locked.

A lock (idle time, or File → Lock now) hides every secret and token; an action that needs the
keyring again (reveal, copy a secret, create, rotate, retire, delete, rename, write or copy an
export) does not just run: it asks first. Unlocking is then checked against the keyring by
the action itself (a locked OS keyring fails it, with its message in the view's banner).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from jwtdesk.gui.context import AppContext
from jwtdesk.gui.widgets.dialogs import ConfirmDialog


class UnlockDialog(ConfirmDialog):
    """ "jwtdesk is locked — unlock to rotate api?" with Unlock (default) and Cancel."""

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        html = f"<p>jwtdesk is locked: secrets and tokens are hidden.</p><p>Unlock to {what}?</p>"
        super().__init__("jwtdesk is locked", html, "&Unlock", "unlock", parent)
        self.setAccessibleName("Unlock jwtdesk")


def when_unlocked(
    ctx: AppContext,
    parent: QWidget,
    what: str,
    action: Callable[[], None],
    *,
    unlock_first: bool = True,
    cancelled: Callable[[], None] | None = None,
) -> UnlockDialog | None:
    """Run ``action`` now if the app is unlocked; else ask, and run it once the user says so.

    ``unlock_first``: unlock before running it; False when the action unlocks itself once the
    keyring has answered (Reveal and Copy re-check the keyring first). Returns the dialog
    asked, if any (it deletes itself when closed)."""
    if not ctx.locked:
        action()
        return None
    dialog = UnlockDialog(what, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        if unlock_first:
            ctx.set_locked(False)
        action()

    dialog.accepted.connect(accepted)
    if cancelled is not None:
        dialog.rejected.connect(cancelled)
    dialog.open()
    return dialog


def lock_page(parent: QWidget, unlock: Callable[[], None]) -> QWidget:
    """What the window shows in place of a view holding tokens while the app is locked."""
    from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout

    from jwtdesk.gui.icons import icon

    page = QWidget(parent)
    page.setAccessibleName("Locked")
    text = QLabel(
        "<h3>jwtdesk is locked</h3><p>Tokens and secrets are hidden until you unlock.</p>",
        page,
    )
    text.setAlignment(Qt.AlignmentFlag.AlignCenter)
    text.setWordWrap(True)
    button = QPushButton(icon("unlock"), "&Unlock", page)
    button.setObjectName("unlock_button")
    button.clicked.connect(unlock)
    layout = QVBoxLayout(page)
    layout.addStretch(1)
    layout.addWidget(text)
    layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
    layout.addStretch(2)
    return page
