"""The Keys view driven as a user does (shortcuts, typing, clicks) against the in-memory
keyring (creating through the dialog also against the real Secret Service): create, rotate,
retire, delete, rename, filter; errors in the banner."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from jwtdesk.core.keysets import Purpose, State
from jwtdesk.core.secret import MASK
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.main_window import MainWindow
from jwtdesk.gui.views.keys.dialogs import (
    DeleteDialog,
    NewKeyset,
    NewKeysetDialog,
    RenameDialog,
)
from jwtdesk.gui.views.keys.view import EMPTY
from jwtdesk.gui.widgets.dialogs import ConfirmDialog
from tests.gui.keys_helpers import (
    click_row,
    focused,
    press,
    seed,
    visible_rows,
    wait_dialog,
    wait_idle,
)


def test_empty_state_says_what_to_do(window: MainWindow) -> None:
    view = window.keys_view
    assert view.pages.currentIndex() == 1
    assert view.empty.text() == EMPTY
    assert view.empty_button.isVisible()
    assert not view.key_actions.rotate_action.isEnabled()


@pytest.mark.secret_service
def test_new_keyset_dialog_creates_it_in_the_keyring(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    view = window.keys_view
    press(window, "Ctrl+N")
    dialog = wait_dialog(qtbot, view.key_actions)
    assert isinstance(dialog, NewKeysetDialog)
    QTest.keyClicks(dialog.name, "billing-api")
    QTest.keyClicks(dialog.service, "billing")
    QTest.keyClicks(dialog.environment, "prod")
    dialog.alg.setCurrentIndex(dialog.alg.findData("ES256"))
    assert dialog.ok.isEnabled()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: view.selected() == ("billing-api", None))

    ks = ctx.keys.get("billing-api")
    assert (ks.alg, ks.service, ks.environment) == ("ES256", "billing", "prod")
    assert ks.current is not None
    assert ctx.keys.vault.exists(ks.current.id)  # the secret is in the real keyring
    assert ("group", "billing · prod") in visible_rows(view)
    assert ("keyset", "billing-api") in visible_rows(view)
    assert view.details.title.text() == "billing-api"
    assert view.details.fields["Kid"].text() == ks.current.kid
    assert "BEGIN PUBLIC KEY" in view.details.pem.toPlainText()
    assert view.pages.currentIndex() == 0


def test_dialog_validates_as_you_type(window: MainWindow, qtbot: QtBot) -> None:
    press(window, "Ctrl+N")
    dialog = wait_dialog(qtbot, window.keys_view.key_actions)
    assert isinstance(dialog, NewKeysetDialog)
    assert not dialog.ok.isEnabled()  # no name yet
    QTest.keyClicks(dialog.name, "bad name!")
    assert not dialog.ok.isEnabled()
    assert "invalid keyset name" in dialog.error.text
    assert dialog.error.isVisible()
    dialog.name.clear()
    QTest.keyClicks(dialog.name, "good-name")
    assert dialog.ok.isEnabled()
    assert not dialog.error.isVisible()
    dialog.period.clear()
    QTest.keyClicks(dialog.period, "30m")
    assert not dialog.ok.isEnabled()
    assert "shorter than one hour" in dialog.error.text
    dialog.period.clear()
    QTest.keyClicks(dialog.period, "12w")
    assert dialog.ok.isEnabled()
    # Only the allowed sizes are offered; curves take none.
    dialog.alg.setCurrentIndex(dialog.alg.findData("RS256"))
    sizes = [dialog.key_size.itemData(i) for i in range(dialog.key_size.count())]
    assert sizes == [2048, 3072, 4096]
    assert dialog.key_size.currentData() == 3072
    dialog.alg.setCurrentIndex(dialog.alg.findData("HS256"))
    assert [dialog.key_size.itemData(i) for i in range(dialog.key_size.count())] == [32, 64]
    dialog.alg.setCurrentIndex(dialog.alg.findData("ES384"))
    assert not dialog.key_size.isEnabled()
    assert dialog.key_size.currentData() is None
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.keys_view.key_actions.dialog is None)


def test_duplicate_name_shows_the_error_in_the_banner(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    view = window.keys_view
    press(window, "Ctrl+N")
    dialog = wait_dialog(qtbot, view.key_actions)
    assert isinstance(dialog, NewKeysetDialog)
    QTest.keyClicks(dialog.name, "api")
    ctx.keys.create("api", "HS256")  # another process takes the name meanwhile
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(view.banner.isVisible)
    assert "already exists" in view.banner.text
    assert "choose another name" in view.banner.text
    assert window.dialog is None and view.key_actions.dialog is None  # inline, not a modal
    # The dialog also knows names that exist when it opens.
    press(window, "Ctrl+N")
    dialog = wait_dialog(qtbot, view.key_actions)
    QTest.keyClicks(dialog.name, "api")  # type: ignore[attr-defined]
    assert not dialog.ok.isEnabled()  # type: ignore[attr-defined]


def test_rotate_confirms_what_happens_to_each_key(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    view = window.keys_view
    seed(ctx, "orders", "ES256", service="shop", environment="prod")
    first = ctx.keys.get("orders").current
    assert first is not None
    click_row(qtbot, view, "orders")
    press(window, "Ctrl+R")
    dialog = wait_dialog(qtbot, view.key_actions)
    assert isinstance(dialog, ConfirmDialog)
    text = dialog.text.text()
    assert first.kid[:10] in text and "becomes <b>previous</b>" in text
    assert "retired" not in text  # no previous key yet
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    ks = ctx.keys.get("orders")
    assert ks.previous is not None and ks.previous.kid == first.kid
    assert ks.current is not None and ks.current.kid != first.kid
    second = ks.current
    # The second rotation names the key that gets retired and says its secret goes.
    press(window, "Ctrl+R")
    dialog = wait_dialog(qtbot, view.key_actions)
    text = dialog.text.text()  # type: ignore[attr-defined]
    assert first.kid[:10] in text and "retired" in text and "secret is deleted" in text
    assert second.kid[:10] in text
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    wait_idle(qtbot, ctx)
    ks = ctx.keys.get("orders")
    assert ks.version(first.kid).state is State.RETIRED
    assert not ctx.keys.vault.exists(ks.version(first.kid).id)
    view.tree.expandAll()
    parent = view.proxy.mapFromSource(view.model.find("orders"))
    states = [view.proxy.index(r, 6, parent).data() for r in range(3)]
    assert sorted(states) == ["current", "previous", "retired"]


def test_cancelling_the_confirmation_changes_nothing(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    seed(ctx, "keep", "HS256")
    before = ctx.keys.get("keep")
    click_row(qtbot, window.keys_view, "keep")
    press(window, "Ctrl+R")
    dialog = wait_dialog(qtbot, window.keys_view.key_actions)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.keys_view.key_actions.dialog is None)
    wait_idle(qtbot, ctx)
    assert ctx.keys.get("keep") == before


def test_retire_previous(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    seed(ctx, "svc", "HS256")
    ctx.keys.rotate("svc")
    previous = ctx.keys.get("svc").previous
    assert previous is not None
    view = window.keys_view
    click_row(qtbot, view, "svc")
    assert view.key_actions.retire_action.isEnabled()
    view.key_actions.retire_action.trigger()
    dialog = wait_dialog(qtbot, view.key_actions)
    assert previous.kid[:10] in dialog.text.text()  # type: ignore[attr-defined]
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    wait_idle(qtbot, ctx)
    assert ctx.keys.get("svc").version(previous.kid).state is State.RETIRED
    assert not ctx.keys.vault.exists(previous.id)
    assert not view.key_actions.retire_action.isEnabled()


def test_delete_requires_typing_the_name(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    seed(ctx, "doomed", "ES256")
    vid = ctx.keys.get("doomed").versions[0].id
    view = window.keys_view
    click_row(qtbot, view, "doomed")
    view.key_actions.delete_action.trigger()
    dialog = wait_dialog(qtbot, view.key_actions)
    assert isinstance(dialog, DeleteDialog)
    assert not dialog.ok.isEnabled()
    QTest.keyClicks(dialog.confirm, "doome")
    assert not dialog.ok.isEnabled()
    QTest.keyClick(dialog.confirm, Qt.Key.Key_Return)  # Enter does not bypass the check
    assert dialog.isVisible()
    QTest.keyClicks(dialog.confirm, "d")
    assert dialog.ok.isEnabled()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert [k.name for k in ctx.keys.keysets()] == []
    assert not ctx.keys.vault.exists(vid)
    assert visible_rows(view) == []
    assert view.pages.currentIndex() == 1  # back to the empty state


def test_rename_with_f2(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    seed(ctx, "old-name", "HS256")
    seed(ctx, "taken", "HS256")
    kid = ctx.keys.get("old-name").versions[0].kid
    view = window.keys_view
    click_row(qtbot, view, "old-name")
    press(view.tree, "F2")
    dialog = wait_dialog(qtbot, view.key_actions)
    assert isinstance(dialog, RenameDialog)
    dialog.name.clear()
    QTest.keyClicks(dialog.name, "taken")
    assert not dialog.ok.isEnabled() and "already exists" in dialog.error.text
    dialog.name.clear()
    QTest.keyClicks(dialog.name, "new-name")
    QTest.keyClick(dialog.name, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    assert sorted(k.name for k in ctx.keys.keysets()) == ["new-name", "taken"]
    assert ctx.keys.get("new-name").versions[0].kid == kid
    qtbot.waitUntil(lambda: view.selected() == ("new-name", None))
    names = [n for kind, n in visible_rows(view) if kind == "keyset"]
    assert names == ["new-name", "taken"]


def test_filter_with_ctrl_f(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    seed(ctx, "pay-prod", "HS256", service="payments", environment="prod")
    seed(ctx, "pay-stage", "HS256", service="payments", environment="staging")
    seed(ctx, "auth-prod", "ES256", service="auth", environment="prod")
    view = window.keys_view
    view.tree.setFocus()
    press(window, "Ctrl+F")
    assert focused() is view.filter
    QTest.keyClicks(view.filter, "PROD")
    names = [n for kind, n in visible_rows(view) if kind == "keyset"]
    assert names == ["auth-prod", "pay-prod"]
    kid = ctx.keys.get("pay-stage").versions[0].kid
    view.filter.clear()
    QTest.keyClicks(view.filter, kid[:12])
    assert [n for kind, n in visible_rows(view) if kind == "keyset"] == ["pay-stage"]
    click_row(qtbot, view, "pay-stage")
    view.filter.clear()
    QTest.keyClicks(view.filter, "auth")  # the selected keyset is filtered away
    assert view.details.keyset is None and view.details.secret.shown_text == MASK
    view.filter.clear()
    QTest.keyClicks(view.filter, "nothing-like-this")
    assert visible_rows(view) == []
    assert view.pages.currentIndex() == 1
    assert "No keyset matches" in view.empty.text()
    view.filter.clear()
    assert len([k for k, _ in visible_rows(view) if k == "keyset"]) == 3


def test_sorting_by_column(window: MainWindow, ctx: AppContext, qtbot: QtBot) -> None:
    for name, alg in (("b-key", "HS384"), ("a-key", "ES256"), ("c-key", "HS256")):
        seed(ctx, name, alg)
    view = window.keys_view
    header = view.tree.header()
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(2) + 5, header.height() // 2),
    )
    group = view.proxy.index(0, 0)
    algs = [view.proxy.index(r, 2, group).data() for r in range(view.proxy.rowCount(group))]
    assert algs in (sorted(algs), sorted(algs, reverse=True))
    assert algs != ["HS384", "ES256", "HS256"]


def test_esc_cancels_key_generation_and_keeps_nothing(
    window: MainWindow, ctx: AppContext, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jwtdesk.core import keys as keymod

    # The real RSA-4096 generation, held until Esc was handled: a lucky fast prime search on a
    # loaded machine once finished before the key press, and the test stored the key.
    generate, pressed = keymod.generate, threading.Event()

    def held(*args: Any, **kwargs: Any) -> Any:
        pressed.wait(10)
        return generate(*args, **kwargs)

    monkeypatch.setattr(keymod, "generate", held)
    view = window.keys_view
    request = NewKeyset("big", "RS256", 4096, "", "", Purpose.ACCESS, timedelta(days=90), "")
    view.key_actions.create_keyset(request)
    assert view.busy.isVisible() and view.busy.cancel_button.isVisible()
    assert "RS256 key (RSA 4096)" in view.busy.label.text()
    assert not view.key_actions.new_action.isEnabled()
    press(view.tree, "Esc")
    qtbot.waitUntil(lambda: not view.busy.isVisible(), timeout=1000)  # before keygen ends
    pressed.set()
    wait_idle(qtbot, ctx)
    assert ctx.keys.keysets() == ()
    assert view.key_actions.new_action.isEnabled()
    audit = ctx.keys.index.home / "audit.log"
    lines = audit.read_text().splitlines() if audit.exists() else []
    assert not any('"delete"' in line for line in lines)  # nothing was stored to undo


def test_ok_button_is_the_dialogs_accept(window: MainWindow, qtbot: QtBot) -> None:
    press(window, "Ctrl+N")
    dialog = wait_dialog(qtbot, window.keys_view.key_actions)
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    assert dialog.ok is box.button(QDialogButtonBox.StandardButton.Ok)  # type: ignore[attr-defined]
    dialog.reject()


def test_a_change_by_another_process_shows_up(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    """The CLI (another process) writes the index; the tree follows without any signal."""
    from jwtdesk.services import KeyService
    from jwtdesk.store.index import Index
    from jwtdesk.store.vault import Vault
    from tests.keyrings import MemoryKeyring

    seed(ctx, "first", "HS256")  # the index directory exists from here on
    other = KeyService(Index(ctx.keys.index.home), lambda: Vault(MemoryKeyring()))
    other.create("from-the-cli", "HS256", service="cli")
    view = window.keys_view
    qtbot.waitUntil(lambda: ("keyset", "from-the-cli") in visible_rows(view), timeout=5000)
    assert ("group", "cli") in visible_rows(view)


def test_loading_in_steps_fills_the_tree_top_down_and_ends_complete(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """Start-up fills the tree a chunk of keysets per event-loop turn, in display order."""
    from jwtdesk.gui.clipboard import ClipboardGuard
    from jwtdesk.gui.views.keys.view import KeysView

    for name, service in [("b", "pay"), ("a", "pay"), ("c", "auth"), ("d", ""), ("e", "auth")]:
        ctx.keys.create(name, "HS256", service=service)
    view = KeysView(ctx, None, ClipboardGuard(), load=False)
    qtbot.addWidget(view)
    assert view.model.rowCount() == 0
    steps = view.loading_steps(chunk=2)
    assert len(steps) == 3
    steps[0]()  # the first rows on screen: the "auth" group comes first
    assert [k.name for k in view.model.keysets] == ["c", "e"]
    steps[1]()
    assert [k.name for k in view.model.keysets] == ["c", "e", "a", "b"]
    steps[2]()
    assert sorted(k.name for k in view.model.keysets) == ["a", "b", "c", "d", "e"]
    assert view.model.keysets == ctx.keys.keysets()  # later reloads compare equal
    names = [n for kind, n in visible_rows(view) if kind == "keyset"]
    assert names == ["c", "e", "a", "b", "d"]  # groups in order, "(no service)" last
