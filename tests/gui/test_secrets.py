"""Reveal, re-mask, copy with clipboard clearing, idle lock: secrets from the real keyring."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from jwtdesk.core.secret import MASK
from jwtdesk.gui.clipboard import PASSWORD_HINT
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.main_window import MainWindow
from jwtdesk.gui.unlock import UnlockDialog
from jwtdesk.gui.views.keys.dialogs import NewKeysetDialog
from tests.gui.conftest import open_window
from tests.gui.keys_helpers import click_row, press, seed, wait_dialog, wait_idle

pytestmark = pytest.mark.secret_service


def hmac_text(ctx: AppContext, name: str) -> str:
    return ctx.keys.secret(name)[1].reveal().decode("ascii")


def unlock_dialog(qtbot: QtBot) -> UnlockDialog:
    """The "jwtdesk is locked" question on screen."""
    found: list[UnlockDialog] = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, UnlockDialog)]
        return any(w.isVisible() for w in found)

    qtbot.waitUntil(shown, timeout=5000)
    return next(w for w in found if w.isVisible())


def reveal(qtbot: QtBot, window: MainWindow) -> None:
    field = window.keys_view.details.secret
    qtbot.mouseClick(field.eye, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: field.revealed, timeout=10_000)


def test_secret_is_masked_until_revealed_then_remasks(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    seed(ctx, "hmac", "HS256")
    secret = hmac_text(ctx, "hmac")
    click_row(qtbot, window.keys_view, "hmac")
    field = window.keys_view.details.secret
    assert field.shown_text == MASK  # a fixed mask, whatever the length
    assert not field.revealed
    reveal(qtbot, window)
    assert field.shown_text == secret
    assert field.eye.isChecked() and field.eye.accessibleName() == "Hide secret"
    # Re-masks by itself after the (injected, short) timeout.
    with qtbot.waitSignal(field.masked, timeout=5000):
        pass
    assert field.shown_text == MASK and not field.eye.isChecked()


def test_private_key_reveals_as_pem_and_remasks_on_selection_change(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    seed(ctx, "a-ec", "ES256")
    seed(ctx, "b-hmac", "HS256")
    view = window.keys_view
    click_row(qtbot, view, "a-ec")
    assert view.details.secret_label.text() == "Private key"
    reveal(qtbot, window)
    assert view.details.secret.shown_text.startswith("-----BEGIN PRIVATE KEY-----")
    click_row(qtbot, view, "b-hmac")
    assert view.details.secret.shown_text == MASK
    assert not view.details.secret.revealed


def test_eye_toggles_off(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    seed(ctx, "hmac", "HS512")
    click_row(qtbot, window.keys_view, "hmac")
    reveal(qtbot, window)
    field = window.keys_view.details.secret
    qtbot.mouseClick(field.eye, Qt.MouseButton.LeftButton)
    assert field.shown_text == MASK


def test_copy_marks_the_secret_and_clears_the_clipboard(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    seed(ctx, "hmac", "HS256")
    secret = hmac_text(ctx, "hmac")
    click_row(qtbot, window.keys_view, "hmac")
    field = window.keys_view.details.secret
    clipboard = QGuiApplication.clipboard()
    qtbot.mouseClick(field.copy_button, Qt.MouseButton.LeftButton)  # masked: reads the keyring
    qtbot.waitUntil(lambda: clipboard.text() == secret, timeout=10_000)
    mime = clipboard.mimeData(QClipboard.Mode.Clipboard)
    assert bytes(mime.data(PASSWORD_HINT).data()) == b"secret"
    assert field.copy_button.text().startswith("Copied — clears in ")
    assert window.status.clipboard_label.text().startswith("Clearing clipboard in ")
    assert field.shown_text == MASK  # copying does not reveal
    with qtbot.waitSignal(window.clipboard.cleared, timeout=5000) as blocker:
        pass
    assert blocker.args == [True]
    assert clipboard.text() == ""
    assert field.copy_button.text() == "Copy"
    assert not window.status.clipboard_label.isVisible()


def test_clipboard_left_alone_when_the_user_copied_something_else(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    seed(ctx, "hmac", "HS256")
    click_row(qtbot, window.keys_view, "hmac")
    field = window.keys_view.details.secret
    clipboard = QGuiApplication.clipboard()
    reveal(qtbot, window)
    qtbot.mouseClick(field.copy_button, Qt.MouseButton.LeftButton)  # revealed: no new read
    assert clipboard.text() == field.shown_text
    clipboard.setText("the user's own text")
    with qtbot.waitSignal(window.clipboard.cleared, timeout=5000) as blocker:
        pass
    assert blocker.args == [False]
    assert clipboard.text() == "the user's own text"


def test_public_key_copies_plainly(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    seed(ctx, "ec", "ES256")
    click_row(qtbot, window.keys_view, "ec")
    details = window.keys_view.details
    qtbot.mouseClick(details.copy_public, Qt.MouseButton.LeftButton)
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text().startswith("-----BEGIN PUBLIC KEY-----")
    assert not clipboard.mimeData().hasFormat(PASSWORD_HINT)
    assert not window.clipboard.holding_secret
    qtbot.mouseClick(details.copy_jwks, Qt.MouseButton.LeftButton)
    assert '"keys"' in clipboard.text() and '"d"' not in clipboard.text()


def test_lock_hides_the_secret_and_unlock_rechecks_the_keyring(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    seed(ctx, "hmac", "HS256")
    secret = hmac_text(ctx, "hmac")
    click_row(qtbot, window.keys_view, "hmac")
    field = window.keys_view.details.secret
    reveal(qtbot, window)
    qtbot.mouseClick(field.copy_button, Qt.MouseButton.LeftButton)
    press(window, "Ctrl+Shift+L")  # Lock now
    assert ctx.locked
    assert field.shown_text == MASK and not field.revealed
    assert QGuiApplication.clipboard().text() == ""  # the copy went with the lock
    assert window.status.lock_label.isVisible()
    # Reveal asks first (the lock is not soft); Cancel leaves it masked and locked.
    qtbot.mouseClick(field.eye, Qt.MouseButton.LeftButton)
    dialog = unlock_dialog(qtbot)
    assert "reveal the secret of hmac" in dialog.text.text()
    dialog.reject()
    assert ctx.locked and field.shown_text == MASK and not field.eye.isChecked()
    qtbot.mouseClick(field.eye, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(unlock_dialog(qtbot).ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: field.revealed, timeout=10_000)  # the keyring re-checked, unlocked
    assert field.shown_text == secret
    assert not ctx.locked
    assert not window.status.lock_label.isVisible()


def test_idle_lock_fires_with_a_dialog_open(
    ctx: AppContext, qtbot: QtBot, settings: object
) -> None:
    window = open_window(ctx, qtbot, settings, idle_ms=400)  # type: ignore[arg-type]
    seed(ctx, "hmac", "HS256")
    click_row(qtbot, window.keys_view, "hmac")
    reveal(qtbot, window)
    press(window, "Ctrl+N")
    dialog = wait_dialog(qtbot, window.keys_view.key_actions)
    assert isinstance(dialog, NewKeysetDialog)
    with qtbot.waitSignal(ctx.locked_changed, timeout=5000) as blocker:
        pass
    assert blocker.args == [True]
    assert dialog.isVisible()  # the open dialog did not prevent the lock
    assert window.keys_view.details.secret.shown_text == MASK
    wait_idle(qtbot, ctx)


def test_user_input_postpones_the_idle_lock(
    ctx: AppContext, qtbot: QtBot, settings: object
) -> None:
    window = open_window(ctx, qtbot, settings, idle_ms=600)  # type: ignore[arg-type]
    window.keys_view.filter.setFocus()
    for _ in range(8):  # to the window, as the platform delivers a key press
        qtbot.keyClick(window.windowHandle(), Qt.Key.Key_A)
        qtbot.wait(120)
    assert window.keys_view.filter.text() == "a" * 8  # the keys reached the filter box
    assert not ctx.locked  # ~1 s of typing, never 600 ms idle
    qtbot.waitUntil(lambda: ctx.locked, timeout=3000)


def test_a_missing_secret_is_reported_in_the_banner(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    seed(ctx, "hmac", "HS256")
    version = ctx.keys.get("hmac").versions[0]
    ctx.keys.vault.delete(version.id)  # gone from the keyring behind jwtdesk's back
    click_row(qtbot, window.keys_view, "hmac")
    field = window.keys_view.details.secret
    qtbot.mouseClick(field.eye, Qt.MouseButton.LeftButton)
    banner = window.keys_view.banner
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert "is not in the OS keyring" in banner.text and "jwtdesk doctor" in banner.text
    assert field.shown_text == MASK and field.eye.isEnabled() and not field.eye.isChecked()
    assert window.dialog is None  # inline, never a modal


def test_the_idle_lock_watches_input_only_once_started(ctx: AppContext, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QLineEdit

    from jwtdesk.gui.idle import IdleLock

    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    qtbot.waitExposed(field)
    lock = IdleLock(ctx, 60_000)
    lock._last -= 10  # ten seconds ago
    qtbot.keyClick(field.windowHandle(), Qt.Key.Key_A)
    assert not lock.running and lock.idle_ms() >= 10_000  # not watching yet: not counted
    lock.start()
    lock.start()  # idempotent
    assert lock.running
    lock._last -= 10
    qtbot.keyClick(field.windowHandle(), Qt.Key.Key_A)
    assert lock.idle_ms() < 5000  # the key press counted as activity
    lock.stop()
    assert not lock.running
    lock._last -= 10
    qtbot.keyClick(field.windowHandle(), Qt.Key.Key_A)
    assert lock.idle_ms() >= 10_000  # stopped: no longer watching


def test_input_in_a_dialog_counts_as_activity(
    ctx: AppContext, qtbot: QtBot, settings: object
) -> None:
    window = open_window(ctx, qtbot, settings)  # type: ignore[arg-type]
    press(window, "Ctrl+N")
    dialog = wait_dialog(qtbot, window.keys_view.key_actions)
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is dialog.windowHandle(), timeout=3000)
    window.idle._last -= 10
    qtbot.keyClick(dialog.windowHandle(), Qt.Key.Key_X)
    assert window.idle.idle_ms() < 5000  # the dialog's window is watched too
    dialog.reject()
