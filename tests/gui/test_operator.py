"""What an on-call operator does in the desktop app (issue 19): rotate, build, inspect an old
token, export, check drift, lock. Real QApplication (offscreen), the in-memory keyring."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from jwtdesk.core.keysets import Purpose
from jwtdesk.gui.clipboard import ClipboardGuard
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.main_window import MainWindow
from jwtdesk.gui.models.keys import Role
from jwtdesk.gui.preferences import DUE_SOON_KEY, IDLE_KEY, Preferences
from jwtdesk.gui.preferences_dialog import PreferencesDialog
from jwtdesk.gui.unlock import UnlockDialog
from jwtdesk.gui.views.export.view import ExportView
from jwtdesk.gui.views.inspect.view import InspectView
from jwtdesk.gui.views.keys.dialogs import NewKeysetDialog, RenameDialog
from jwtdesk.services.importing import ImportOptions, import_file
from tests.gui.conftest import open_window
from tests.gui.keys_helpers import click_row, press, seed, wait_dialog, wait_idle


def unlock_dialog(qtbot: QtBot) -> UnlockDialog:
    found: list[UnlockDialog] = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, UnlockDialog)]
        return any(w.isVisible() for w in found)

    qtbot.waitUntil(shown, timeout=5000)
    return next(w for w in found if w.isVisible())


def drift_rows(view: ExportView) -> dict[str, str]:
    m = view.drift_model
    return {m.data(m.index(r, 0)): m.data(m.index(r, 1)) for r in range(m.rowCount())}


# --- Export: drift never goes stale ----------------------------------------------------------


@pytest.fixture
def export(ctx: AppContext, qtbot: QtBot) -> ExportView:
    ctx.keys.create("api", "HS256")
    ctx.keys.create("sig", "ES256")
    view = ExportView(ctx, None, ClipboardGuard(None, 0.5))
    qtbot.addWidget(view)
    view.show()
    view.export.create_profile("prod", access="api")
    view.export.create_profile("edge", access="sig")
    view.reload()
    return view


def test_a_rotation_rechecks_the_deployed_file(
    export: ExportView, ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    export.select_profile("prod")
    target = tmp_path / "prod.env"
    with qtbot.waitSignal(export.file_written, timeout=10_000):
        export.write_to(target)
    assert not export.recheck_button.isEnabled()  # nothing checked yet
    with qtbot.waitSignal(export.drift_checked, timeout=10_000) as clean:
        export.check_file(str(target))
    assert clean.args == [True] and "in sync" in export.verdict.text()
    assert drift_rows(export)["JWT_SECRET_CURRENT"] == "match"
    # A rotation in the Keys view announces itself: the verdict is worked out again at once.
    with qtbot.waitSignal(export.drift_checked, timeout=10_000) as clean:
        ctx.keys.rotate("api")  # reported by the service: the feed tells the view
        assert "checking again" in export.verdict.text()  # never the stale "in sync"
    assert clean.args == [False] and "DRIFT" in export.verdict.text()
    assert drift_rows(export)["JWT_SECRET_CURRENT"] == "stale"
    # Another profile: the same file, checked against it.
    with qtbot.waitSignal(export.drift_checked, timeout=10_000):
        export.select_profile("edge")
    assert "(profile edge)" in export.verdict.text()
    # And by hand: Re-check.
    export.select_profile("prod")
    qtbot.waitUntil(lambda: not ctx.runner.busy, timeout=10_000)
    with qtbot.waitSignal(export.drift_checked, timeout=10_000) as clean:
        qtbot.mouseClick(export.recheck_button, Qt.MouseButton.LeftButton)
    assert clean.args == [False] and "(profile prod)" in export.verdict.text()
    wait_idle(qtbot, ctx)


def test_a_jwks_without_the_new_current_key_is_drift_in_the_view(
    export: ExportView, ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    export.select_profile("edge")
    jwks = tmp_path / "jwks.json"
    with qtbot.waitSignal(export.file_written, timeout=10_000):
        export.write_jwks_to(jwks)
    with qtbot.waitSignal(export.drift_checked, timeout=10_000) as clean:
        export.check_file(str(jwks))
    assert clean.args == [True]
    with qtbot.waitSignal(export.drift_checked, timeout=10_000) as clean:
        ctx.keys.rotate("sig")
    new = ctx.keys.get("sig").current.kid  # type: ignore[union-attr]
    assert clean.args == [False] and "DRIFT" in export.verdict.text()
    assert drift_rows(export)[new] == "missing"
    wait_idle(qtbot, ctx)


# --- Inspect: a token of a retired key ---------------------------------------------------------


def test_a_token_signed_by_a_retired_key_says_so(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    ctx.keys.create("api", "HS256", purpose=Purpose.ACCESS)
    from jwtdesk.core.tokens import TokenRequest

    token = ctx.tokens.build("api", TokenRequest(sub="alice"))
    ctx.keys.rotate("api")
    ctx.keys.rotate("api")  # the key that signed it is retired now
    window.show_view("inspect")
    view = window.view("inspect")
    assert isinstance(view, InspectView)
    view.set_token(token)
    checks = {c.name: c for c in view.checks_model.checks()}
    assert checks["kid"].status == "failed" and "retired key of keyset api" in checks["kid"].reason
    assert checks["signature"].status != "passed"
    errors = [f for f in view.findings_model.findings() if f.severity.value == "error"]
    assert [f.id for f in errors] == ["retired-key"]
    assert view.verdict.state == "invalid" and "retired key of keyset api" in view.verdict.plain
    wait_idle(qtbot, ctx)


# --- The lock is firm ----------------------------------------------------------------------------


def test_lock_covers_tokens_and_secret_actions_ask_first(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    seed(ctx, "api", "HS256")
    window.show_view("build")
    build = window.view("build")
    qtbot.waitUntil(lambda: build.token() != "", timeout=10_000)  # type: ignore[attr-defined]
    window.show_view("inspect")
    inspect = window.view("inspect")
    inspect.set_token(build.token())  # type: ignore[attr-defined]
    press(window, "Ctrl+Shift+L")
    assert ctx.locked
    # Inspect and Build hold tokens: the window shows the lock page in their place.
    assert window.stack.currentWidget() is window.lock_page and not inspect.isVisible()
    window.show_view("build")
    assert window.stack.currentWidget() is window.lock_page and not build.isVisible()
    window.show_view("audit")  # the tokens it checks are hidden too
    assert window.stack.currentWidget() is window.lock_page
    assert build.token() == ""  # type: ignore[attr-defined]
    # Rotate (Ctrl+R) does not just run: it asks first; Cancel leaves everything as it was.
    window.show_view("keys")
    click_row(qtbot, window.keys_view, "api")
    kid = ctx.keys.get("api").current.kid  # type: ignore[union-attr]
    press(window.keys_view.tree, "Ctrl+R")
    dialog = unlock_dialog(qtbot)
    assert "Unlock to rotate api?" in dialog.text.text()
    dialog.reject()
    assert ctx.locked and ctx.keys.get("api").current.kid == kid  # type: ignore[union-attr]
    press(window.keys_view.tree, "Ctrl+R")
    qtbot.mouseClick(unlock_dialog(qtbot).ok, Qt.MouseButton.LeftButton)
    assert not ctx.locked
    confirm = wait_dialog(qtbot, window.keys_view.key_actions)  # then the rotation's own question
    assert confirm.windowTitle() == "Rotate api"
    confirm.reject()
    # Unlocked: the views are back.
    window.show_view("inspect")
    assert window.stack.currentWidget() is inspect
    # The lock page's Unlock button unlocks too.
    window.lock_now()
    assert window.lock_page is not None
    unlock = window.lock_page.findChild(QPushButton, "unlock_button")
    qtbot.mouseClick(unlock, Qt.MouseButton.LeftButton)
    assert not ctx.locked and window.stack.currentWidget() is inspect
    wait_idle(qtbot, ctx)


def test_copied_token_is_cleared_on_lock(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    seed(ctx, "api", "ES256")
    window.show_view("build")
    build = window.view("build")
    token = build.token
    qtbot.waitUntil(lambda: token() != "", timeout=10_000)  # type: ignore[operator]
    qtbot.mouseClick(build.copy_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert QGuiApplication.clipboard().text() == token()  # type: ignore[operator]
    assert window.status.clipboard_label.text().startswith("Clearing clipboard in ")
    window.lock_now()
    assert QGuiApplication.clipboard().text() == ""
    # Quitting clears it too (the guard listens to aboutToQuit).
    window.unlock()
    qtbot.waitUntil(lambda: token() != "", timeout=10_000)  # type: ignore[operator]
    qtbot.mouseClick(build.copy_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert QGuiApplication.clipboard().text() == token() != ""  # type: ignore[operator]
    app = QApplication.instance()
    assert app is not None
    app.aboutToQuit.emit()
    assert QGuiApplication.clipboard().text() == ""


def test_preferences_set_the_idle_lock_and_the_due_soon_threshold(
    ctx: AppContext, qtbot: QtBot, settings: QSettings
) -> None:
    settings.setValue(IDLE_KEY, 3)
    window = MainWindow(ctx, settings=settings)  # no timeout given: Preferences decide
    qtbot.addWidget(window)
    assert window.idle.timeout_ms == 3 * 60_000
    window.show()
    qtbot.waitExposed(window)
    press(window, "Ctrl+,")
    dialog = wait_dialog(qtbot, window)
    assert isinstance(dialog, PreferencesDialog)
    assert dialog.idle.value() == 3
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.idle, timeout=5000)
    dialog.idle.setValue(25)
    dialog.due_soon.setValue(30)
    dialog.accept()
    assert window.idle.timeout_ms == 25 * 60_000
    assert int(settings.value(IDLE_KEY)) == 25 and int(settings.value(DUE_SOON_KEY)) == 30
    keys = set(settings.allKeys())
    assert keys >= {IDLE_KEY, DUE_SOON_KEY}
    assert not any("token" in k or "secret" in k for k in keys)
    qtbot.waitUntil(lambda: ctx.watcher is not None, timeout=10_000)  # start-up's last steps
    wait_idle(qtbot, ctx)


# --- Keys table: weak keys, rotation due soon ---------------------------------------------------


def state_of(window: MainWindow, name: str) -> tuple[str, str, str]:
    view = window.keys_view
    index = view.model.find(name).siblingAtColumn(6)
    return (
        index.data(Qt.ItemDataRole.DisplayRole),
        index.data(Role.STATE),
        index.data(Qt.ItemDataRole.ToolTipRole) or "",
    )


def test_weak_and_due_soon_keys_are_flagged(
    window: MainWindow, ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    short = tmp_path / "legacy.env"
    short.write_text("JWT_SECRET=fourteen-bytes\n")  # 14 bytes: HS256 needs 32 (RFC 7518 §3.2)
    opts = ImportOptions(name="legacy", alg="HS256", variables=["JWT_SECRET"], allow_weak=True)
    import_file(ctx.keys, str(short), opts)
    seed(ctx, "soon", "ES256", rotation_period=timedelta(days=10))
    seed(ctx, "fine", "ES256")
    qtbot.waitUntil(lambda: window.keys_view.model.find("fine").isValid(), timeout=10_000)
    text, badge, tip = state_of(window, "legacy")
    assert (text, badge) == ("weak key", "weak") and "14-byte secret" in tip
    assert state_of(window, "soon")[:2] == ("rotation due soon", "soon")
    assert state_of(window, "fine")[:2] == ("ok", "ok")
    window.apply_preferences(Preferences(10, 5))  # flag only 5 days ahead
    assert state_of(window, "soon")[:2] == ("ok", "ok")
    window.apply_preferences(Preferences(10, 0))  # "never"
    assert state_of(window, "soon")[:2] == ("ok", "ok")
    window.apply_preferences(Preferences(10, 14))
    assert state_of(window, "soon")[:2] == ("rotation due soon", "soon")
    wait_idle(qtbot, ctx)


# --- Dialogs take typing at once ----------------------------------------------------------------


def test_typing_after_ctrl_n_and_f2_lands_in_the_name(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    seed(ctx, "api", "ES256")
    click_row(qtbot, window.keys_view, "api")
    press(window.keys_view.tree, "Ctrl+N")
    dialog = wait_dialog(qtbot, window.keys_view.key_actions)
    assert isinstance(dialog, NewKeysetDialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.name, timeout=5000)
    qtbot.keyClicks(QApplication.focusWidget(), "billing")
    assert dialog.name.text() == "billing"
    dialog.reject()
    press(window.keys_view.tree, "F2")
    dialog = wait_dialog(qtbot, window.keys_view.key_actions)
    assert isinstance(dialog, RenameDialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.name, timeout=5000)
    focused = QApplication.focusWidget()
    assert isinstance(focused, QLineEdit)
    qtbot.keyClicks(focused, "api-v2")  # the old name was selected: typing replaces it
    assert dialog.name.text() == "api-v2"
    dialog.reject()


def test_open_window_fixture_still_takes_an_explicit_idle_timeout(
    ctx: AppContext, qtbot: QtBot, settings: QSettings
) -> None:
    settings.setValue(IDLE_KEY, 3)
    window = open_window(ctx, qtbot, settings, idle_ms=1234)
    assert window.idle.timeout_ms == 1234


def test_a_dialog_finished_after_the_idle_lock_asks_first(
    ctx: AppContext, qtbot: QtBot, settings: QSettings
) -> None:
    """An open dialog does not hold the lock off; what it starts after the lock asks first."""
    window = open_window(ctx, qtbot, settings, idle_ms=300)
    press(window, "Ctrl+N")
    dialog = wait_dialog(qtbot, window.keys_view.key_actions)
    assert isinstance(dialog, NewKeysetDialog)
    qtbot.keyClicks(dialog.name, "late")
    qtbot.waitUntil(lambda: ctx.locked, timeout=5000)
    assert dialog.isVisible()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    question = unlock_dialog(qtbot)
    assert "New keyset" in question.text.text()
    assert not any(k.name == "late" for k in ctx.keys.keysets())  # nothing made yet
    qtbot.mouseClick(question.ok, Qt.MouseButton.LeftButton)
    assert not ctx.locked
    qtbot.waitUntil(lambda: any(k.name == "late" for k in ctx.keys.keysets()), timeout=20_000)
    wait_idle(qtbot, ctx)


# --- Inspect at the default size: nothing clipped ------------------------------------------------


def test_inspect_shows_every_check_row_and_the_times_unclipped(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    ctx.keys.create("api", "ES256", purpose=Purpose.ACCESS)
    from jwtdesk.core.tokens import TokenRequest

    token = ctx.tokens.build("api", TokenRequest(sub="alice", iss="https://auth.example.com"))
    ctx.keys.rotate("api")
    ctx.keys.rotate("api")  # a long reason in the kid row
    window.resize(1360, 860)  # the size `make screenshots` shows, where the operator saw it
    window.show_view("inspect")
    view = window.view("inspect")
    assert isinstance(view, InspectView)
    view.set_token(token)
    qtbot.wait(50)  # layouts settle
    table = view.checks_view
    last = table.model().rowCount() - 1
    assert last >= 8  # structure … iat
    bottom = table.rowViewportPosition(last) + table.rowHeight(last)
    assert 0 < bottom <= table.viewport().height()  # every row on screen, none cut off
    kid_row = next(
        r for r in range(last + 1) if table.model().index(r, 0).data() == "Key id (kid → key)"
    )
    reason = table.model().index(kid_row, 2)
    needed = table.fontMetrics().horizontalAdvance(str(reason.data()))
    lines = max(1, -(-needed // table.columnWidth(2)))  # ceiling
    assert table.rowHeight(kid_row) >= lines * table.fontMetrics().lineSpacing()  # wrapped, whole
    tree = view.claims_view
    model = tree.model()
    claims = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "Claims")
    parent = model.index(claims, 0)
    for row in range(model.rowCount(parent)):
        if model.index(row, 0, parent).data() in ("exp", "iat"):
            text = str(model.index(row, 2, parent).data())
            width = tree.fontMetrics().horizontalAdvance(text)
            assert width <= tree.columnWidth(2), text  # UTC, local and "in …" all shown


def test_export_copy_while_locked_asks_first_and_dialogs_take_typing(
    export: ExportView, ctx: AppContext, qtbot: QtBot
) -> None:
    from jwtdesk.gui.views.export.dialogs import NewProfileDialog

    export.select_profile("prod")
    export.variables_view.selectRow(0)  # JWT_SECRET_CURRENT
    ctx.set_locked(True)
    qtbot.mouseClick(export.copy_button, Qt.MouseButton.LeftButton)
    question = unlock_dialog(qtbot)
    assert "copy JWT_SECRET_CURRENT" in question.text.text()
    assert QGuiApplication.clipboard().text() != ctx.keys.secret("api")[1].reveal().decode()
    qtbot.mouseClick(question.ok, Qt.MouseButton.LeftButton)
    secret = ctx.keys.secret("api")[1].reveal().decode()
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == secret, timeout=10_000)
    assert not ctx.locked
    # New profile…: typing goes to its name at once.
    export.activateWindow()
    qtbot.mouseClick(export.new_button, Qt.MouseButton.LeftButton)
    dialog = export.findChild(NewProfileDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.name, timeout=5000)
    dialog.reject()
    wait_idle(qtbot, ctx)
