"""Helpers shared by the Keys view tests: drive the view as a user would."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from jwtdesk.core.keysets import Purpose
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.main_window import MainWindow
from jwtdesk.gui.models.keys import Role
from jwtdesk.gui.views.keys.actions import KeyActions
from jwtdesk.gui.views.keys.view import KeysView

WAIT_MS = 20_000


def press(widget: QWidget, keys: str) -> None:
    """Type a shortcut like "Ctrl+R" or "F2" into ``widget``."""
    from PySide6.QtGui import QKeySequence

    combo = QKeySequence(keys)[0]
    top = widget.window()
    if not top.isActiveWindow():  # a closed dialog leaves no active window offscreen
        top.activateWindow()
        # A shortcut fires only in the active window; on a loaded machine the activation can
        # take more than one pass of the event loop (the Esc-cancels-keygen test was flaky).
        QTest.qWaitForWindowActive(top, 2000)
    QTest.keyClick(widget, combo.key(), combo.keyboardModifiers())


def wait_idle(qtbot: QtBot, ctx: AppContext) -> None:
    qtbot.waitUntil(lambda: not ctx.runner.busy, timeout=WAIT_MS)


def wait_dialog(qtbot: QtBot, owner: KeyActions | MainWindow) -> QDialog:
    qtbot.waitUntil(lambda: owner.dialog is not None and owner.dialog.isVisible(), timeout=5000)
    assert owner.dialog is not None
    return owner.dialog


def seed(ctx: AppContext, name: str, alg: str = "ES256", **kw: object) -> None:
    """A keyset made through the context's service: its report reaches every view."""
    ctx.keys.create(name, alg, purpose=Purpose.ACCESS, **kw)  # type: ignore[arg-type]


def visible_rows(view: KeysView) -> list[tuple[str, str]]:
    """(kind, display name) of every row the tree shows, depth first."""
    out: list[tuple[str, str]] = []

    def walk(parent: QModelIndex) -> None:
        for row in range(view.proxy.rowCount(parent)):
            index = view.proxy.index(row, 0, parent)
            out.append((index.data(Role.KIND), index.data()))
            walk(index)

    walk(QModelIndex())
    return out


def click_row(qtbot: QtBot, view: KeysView, name: str, kid: str | None = None) -> None:
    index = view.proxy.mapFromSource(view.model.find(name, kid))
    assert index.isValid(), f"{name} {kid} is not shown"
    view.tree.scrollTo(index)
    rect = view.tree.visualRect(index)
    qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.selected() == (name, kid)


def focused() -> QWidget | None:
    return QApplication.focusWidget()
