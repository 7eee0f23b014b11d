"""The main window: navigation, shortcuts, settings restore, About/Help, keyring status,
no keyring read before the window is shown, and the one-line excepthook."""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import QSettings, qVersion
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from jwtdesk import __version__
from jwtdesk.gui.app import build_window, make_excepthook, one_line
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.help import AboutDialog, HelpDialog
from jwtdesk.gui.main_window import MainWindow
from jwtdesk.gui.tasks import TaskRunner
from jwtdesk.services import KeyService
from jwtdesk.services.tokens import TokenService
from tests.gui.conftest import make_ctx, open_window
from tests.gui.keys_helpers import focused, press, seed, wait_dialog
from tests.keyrings import MemoryKeyring


def test_navigation_lists_the_views_with_icons(window: MainWindow, qtbot: QtBot) -> None:
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels == ["Keys", "Build", "Inspect", "Export", "Audit", "Revocation", "Checklist"]
    assert all(not window.nav.item(i).icon().isNull() for i in range(window.nav.count()))
    press(window, "Ctrl+5")
    assert window.current_view == "audit"
    press(window, "Ctrl+3")
    assert window.current_view == "inspect"
    assert window.stack.currentWidget() is window.views["inspect"]
    press(window, "Ctrl+6")
    assert window.current_view == "revocation"
    assert window.stack.currentWidget() is window.views["revocation"]
    press(window, "Ctrl+1")
    assert window.stack.currentWidget() is window.keys_view
    with qtbot.waitSignal(window.ctx.runner.task_finished, timeout=20_000):
        press(window, "Ctrl+7")  # the Checklist view evaluates in the TaskRunner
    assert window.current_view == "checklist"
    assert window.stack.currentWidget() is window.views["checklist"]


def test_ctrl_l_focuses_the_inspect_token_field(window: MainWindow) -> None:
    press(window, "Ctrl+L")
    assert window.current_view == "inspect"
    inspect = window.views["inspect"]
    widget = focused()
    if hasattr(inspect, "focus_token"):
        assert widget is not None and inspect.isAncestorOf(widget)


@pytest.mark.secret_service
def test_status_bar_shows_the_keyring_backend_and_state(window: MainWindow) -> None:
    assert window.status.keyring_label.text() == "Keyring: SecretService · unlocked"
    assert "keyring.backends.SecretService.Keyring" in window.status.keyring_label.toolTip()
    assert not window.banner.isVisible()


@pytest.mark.secret_service
def test_about_names_the_versions(window: MainWindow, qtbot: QtBot) -> None:
    about = next(a for a in window.shortcut_actions if a.text() == "&About jwtdesk")
    about.trigger()
    dialog = wait_dialog(qtbot, window)
    assert isinstance(dialog, AboutDialog)
    text = dialog.text.text()
    for expected in (
        __version__,
        qVersion(),
        PySide6.__version__,
        version("cryptography"),
        version("PyJWT"),
        "keyring.backends.SecretService.Keyring",
    ):
        assert expected in text
    dialog.reject()


def test_f1_help_lists_views_and_shortcuts(window: MainWindow, qtbot: QtBot) -> None:
    press(window, "F1")
    dialog = wait_dialog(qtbot, window)
    assert isinstance(dialog, HelpDialog)
    text = dialog.browser.toPlainText()
    for expected in ("Keys", "Inspect", "Ctrl+N", "Ctrl+R", "Ctrl+L", "Ctrl+F", "30 s"):
        assert expected in text
    dialog.reject()


def test_settings_restore_size_splitters_and_last_view(
    ctx: AppContext, qtbot: QtBot, settings: QSettings
) -> None:
    first = open_window(ctx, qtbot, settings)
    first.resize(720, 530)  # the offscreen screen is 800x600: restoreGeometry keeps it on screen
    first.splitter.setSizes([130, 560])
    first.keys_view.splitter.setSizes([350, 300])
    press(first, "Ctrl+2")  # Build: its minimum size fits the 800x600 offscreen screen
    wanted = (first.splitter.sizes(), first.keys_view.splitter.sizes())
    assert (first.width(), first.height()) == (720, 530)
    first.close()
    second = open_window(ctx, qtbot, QSettings(settings.fileName(), QSettings.Format.IniFormat))
    assert second.current_view == "build"
    assert (second.width(), second.height()) == (720, 530)
    press(second, "Ctrl+1")  # the keys splitter is laid out once its view is shown
    assert (second.splitter.sizes(), second.keys_view.splitter.sizes()) == wanted
    keys = set(QSettings(settings.fileName(), QSettings.Format.IniFormat).allKeys())
    assert keys == {
        "window/geometry",
        "window/state",
        "window/splitter",
        "window/view",
        "keys/splitter",
        "keys/header",
    }


def test_no_keyring_read_before_the_window_is_shown(
    memory_service: KeyService,
    memory_keyring: MemoryKeyring,
    qtbot: QtBot,
    settings: QSettings,
) -> None:
    memory_service.create("a", "HS256")
    memory_service.create("b", "ES256")
    memory_keyring.calls.clear()
    ctx = make_ctx(memory_service)
    window = build_window(ctx, settings=settings)
    qtbot.addWidget(window)
    assert [k.name for k in window.keys_view.model.keysets] == ["a", "b"]
    assert sum(memory_keyring.calls.values()) == 0  # listing and drawing read no secret
    window.show()
    qtbot.waitUntil(lambda: window.status.keyring_status.state != "checking", timeout=5000)
    assert memory_keyring.calls["get"] == 1  # the probe, in the runner, after show
    ctx.runner.shutdown()


def test_excepthook_shows_one_line_without_the_message(
    window: MainWindow, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = make_excepthook(window.show_unexpected_error)
    try:
        raise ValueError("hunter2-secret-value")
    except ValueError as exc:
        hook(ValueError, exc, exc.__traceback__)
    err = capsys.readouterr().err
    assert "hunter2" not in err and "hunter2" not in window.banner.text
    assert window.banner.text.startswith("Unexpected error: ValueError in ")
    assert "\n" not in window.banner.text
    assert "test_main_window.py" in err  # where it happened is kept for the bug report


def test_one_line_keeps_jwtdesk_messages() -> None:
    from jwtdesk.core.errors import KeyringUnavailable

    exc = KeyringUnavailable("the OS keyring is locked: unlock it")
    assert one_line(KeyringUnavailable, exc, None) == "the OS keyring is locked: unlock it"


def test_quit_shortcut_closes_and_saves(
    window: MainWindow, qtbot: QtBot, settings: QSettings
) -> None:
    press(window, "Ctrl+Q")
    qtbot.waitUntil(lambda: not window.isVisible())
    assert Path(settings.fileName()).exists()


def test_keys_actions_switch_to_the_keys_view(
    window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    seed(ctx, "x", "HS256")
    press(window, "Ctrl+2")
    assert window.current_view == "build"
    press(window, "Ctrl+N")
    wait_dialog(qtbot, window.keys_view.key_actions).reject()
    assert window.current_view == "keys"


def test_module_entry_point_exists() -> None:
    from jwtdesk.gui import app

    assert callable(app.main)
    assert "PySide6" in sys.modules
    assert QApplication.instance() is not None


class LockedKeyring(MemoryKeyring):
    """Answers like a Secret Service whose collection is locked."""

    def get_password(self, service: str, username: str) -> str | None:
        from keyring.errors import KeyringLocked

        raise KeyringLocked("collection is locked")


UNUSABLE = {
    "fail": ("unavailable", "install and unlock a Secret Service"),
    "locked": ("locked", "unlock it"),
}


@pytest.mark.parametrize("backend", sorted(UNUSABLE))
def test_status_bar_names_an_unusable_keyring_and_the_fix(
    home: Path, qtbot: QtBot, settings: QSettings, backend: str
) -> None:
    from keyring.backends import fail

    from jwtdesk.store.index import Index
    from jwtdesk.store.vault import Vault

    state, fix = UNUSABLE[backend]
    ring = fail.Keyring() if backend == "fail" else LockedKeyring()
    service = KeyService(Index(home), lambda: Vault(ring))
    ctx = make_ctx(service)
    window = open_window(ctx, qtbot, settings)
    assert window.status.keyring_status.state == state
    assert window.status.keyring_label.text().endswith(f"· {state}")
    assert fix in window.status.keyring_label.toolTip()
    assert window.banner.isVisible() and fix in window.banner.text
    ctx.runner.shutdown()


def test_the_window_appears_before_its_views_are_built(
    memory_service: KeyService, memory_keyring: MemoryKeyring, qtbot: QtBot, settings: QSettings
) -> None:
    """Start-up: the frame (navigation, menus, status bar) first; after its first paint the
    current view is built and filled in steps; then the idle lock and the keyring probe."""
    memory_service.create("a", "HS256")
    memory_keyring.calls.clear()
    made: list[str] = []

    def make_keys() -> KeyService:
        made.append("keys")
        return memory_service

    ctx = AppContext(make_keys, TokenService, TaskRunner())
    window = build_window(ctx, settings=settings)
    qtbot.addWidget(window)
    assert window.views == {} and made == [] and not window.idle.running
    file_menu = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "&New keyset…" not in file_menu  # the Keys view's actions come with the view
    window.show()
    qtbot.waitUntil(lambda: window.status.keyring_status.state != "checking", timeout=5000)
    assert made == ["keys"] and set(window.views) == {"keys"}
    assert [k.name for k in window.keys_view.model.keysets] == ["a"]
    assert window.idle.running
    file_menu = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert file_menu[0] == "&New keyset…"
    assert sum(memory_keyring.calls.values()) == 1  # the probe's one read, after show
    qtbot.waitUntil(lambda: window.keys_view.details._built, timeout=5000)  # then, idle
    ctx.runner.shutdown()


def test_last_view_first_and_the_keys_menu_still_filled(
    ctx: AppContext, qtbot: QtBot, settings: QSettings
) -> None:
    settings.setValue("window/view", "inspect")
    window = open_window(ctx, qtbot, settings)
    assert window.current_view == "inspect"
    assert window.stack.currentWidget() is window.views["inspect"]
    assert "keys" in window.views  # built too: its actions are in the menus
    seed(ctx, "hmac", "HS256")
    press(window, "Ctrl+N")  # New keyset switches to Keys and opens the dialog
    dialog = wait_dialog(qtbot, window.keys_view.key_actions)
    assert window.current_view == "keys"
    dialog.reject()


def test_the_context_makes_its_services_on_first_use(memory_service: KeyService) -> None:
    calls: list[str] = []

    def make_keys() -> KeyService:
        calls.append("keys")
        return memory_service

    def make_tokens(keys: KeyService) -> TokenService:
        calls.append("tokens")
        assert keys is memory_service
        return TokenService(keys)

    runner = TaskRunner()
    ctx = AppContext(make_keys, make_tokens, runner)
    assert calls == []
    assert ctx.tokens is ctx.tokens  # made once, after the key service it is given
    assert ctx.keys is memory_service and calls == ["keys", "tokens"]
    runner.shutdown()


def test_a_keys_view_asked_for_before_the_paint_is_not_filled_again(
    memory_service: KeyService, qtbot: QtBot, settings: QSettings
) -> None:
    for name in ("a", "b", "c"):
        memory_service.create(name, "HS256")
    ctx = make_ctx(memory_service)
    window = build_window(ctx, settings=settings)
    qtbot.addWidget(window)
    view = window.keys_view  # built (and filled) at once, before the window is shown
    assert [k.name for k in view.model.keysets] == ["a", "b", "c"]
    removed: list[int] = []
    view.model.rowsRemoved.connect(lambda *_: removed.append(1))
    window.show()
    qtbot.waitUntil(lambda: window.status.keyring_status.state != "checking", timeout=5000)
    assert removed == [] and [k.name for k in view.model.keysets] == ["a", "b", "c"]
    ctx.runner.shutdown()


def test_the_app_starts_with_the_collector_off_then_freezes_what_start_up_made(
    home: Path, qtbot: QtBot
) -> None:
    """Start-up runs without the collector; then what it made is frozen, and from then on
    the collector runs on a timer on the GUI thread, never automatically (a worker thread
    collecting a cycle that holds a Qt object crashes Qt)."""
    import gc

    from jwtdesk.gui.app import create
    from jwtdesk.gui.collector import INTERVAL_MS

    hook = sys.excepthook
    try:
        _app, window = create(["jwtdesk"])
        qtbot.addWidget(window)
        assert not gc.isenabled()  # a collection would only slow start-up down
        window.show()
        qtbot.waitUntil(lambda: hasattr(window, "gc_timer"), timeout=10_000)  # the last step
        assert gc.get_freeze_count() > 10_000  # modules, wrappers, views: out of its sight
        assert not gc.isenabled()  # no automatic collection, on any thread
        assert window.gc_timer.isActive() and window.gc_timer.interval() == INTERVAL_MS
        assert window.gc_timer.thread() is window.thread()  # collects on the GUI thread
        assert "keys" in window.views
        window.ctx.shutdown()
    finally:
        gc.unfreeze()
        sys.excepthook = hook
