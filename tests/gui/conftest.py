"""GUI fixtures: QSettings in a temp dir (a developer's settings are never touched), an
AppContext over the in-memory keyring (the real Secret Service for tests marked
``secret_service``), the main window with short, injected timeouts, and the garbage collector
run on the GUI thread only (as the app does, see jwtdesk.gui.collector)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from jwtdesk.gui.app import build_window, configure
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.main_window import MainWindow
from jwtdesk.gui.tasks import TaskRunner
from jwtdesk.services import KeyService
from jwtdesk.services.tokens import TokenService

# Short timeouts so the tests can wait them out; the app's defaults are 30 s / 10 min.
CLIPBOARD_S = 0.6
REVEAL_MS = 500
IDLE_MS = 60_000


@pytest.fixture(scope="session", autouse=True)
def gui_thread_gc(qapp: QApplication) -> Iterator[None]:
    """As in the app: no automatic collection (a worker thread would destroy Qt objects
    whose last reference a cycle held: random segfaults); a collection on the GUI thread
    every 10 s of event loop, and one after each test (autouse fixture below)."""
    import gc

    from jwtdesk.gui.collector import collect_on_gui_thread

    was_enabled = gc.isenabled()
    timer = collect_on_gui_thread(qapp)
    yield
    timer.stop()
    # A clipboard still holding a test's text crashes the offscreen platform when the
    # interpreter exits (exit status -11 after every test passed; seen on main too).
    qapp.clipboard().clear()
    gc.collect()
    if was_enabled:
        gc.enable()


@pytest.fixture(autouse=True)
def collect_after_test(qapp: QApplication) -> Iterator[None]:
    import gc

    yield
    gc.collect()  # on the GUI (main) thread, with the test's widgets gone


@pytest.fixture(autouse=True)
def settings_dir(tmp_path: Path, qapp: QApplication) -> Path:
    """Every QSettings() in a test reads and writes an INI file under tmp_path."""
    path = tmp_path / "qsettings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(path / "user"))
        QSettings.setPath(fmt, QSettings.Scope.SystemScope, str(path / "system"))
    configure(qapp)
    return path


@pytest.fixture
def settings(settings_dir: Path) -> QSettings:
    return QSettings(str(settings_dir / "jwtdesk.ini"), QSettings.Format.IniFormat)


def make_ctx(service: KeyService) -> AppContext:
    return AppContext(service, TokenService(service), TaskRunner())


@pytest.fixture
def keys(request: pytest.FixtureRequest) -> KeyService:
    """The in-memory keyring by default, so the GUI tests also run where no Secret Service
    is (no D-Bus session); a test marked ``secret_service`` gets the real one (or is skipped)."""
    if request.node.get_closest_marker("secret_service") is not None:
        return cast(KeyService, request.getfixturevalue("real_service"))
    return cast(KeyService, request.getfixturevalue("memory_service"))


@pytest.fixture
def ctx(keys: KeyService, qtbot: QtBot) -> Iterator[AppContext]:
    context = make_ctx(keys)
    yield context
    context.shutdown()


def open_window(
    ctx: AppContext, qtbot: QtBot, settings: QSettings, idle_ms: int = IDLE_MS
) -> MainWindow:
    window = build_window(
        ctx,
        settings=settings,
        clipboard_timeout_s=CLIPBOARD_S,
        idle_timeout_ms=idle_ms,
        reveal_timeout_ms=REVEAL_MS,
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    # The keyring probe runs in the TaskRunner after show; let it answer first.
    qtbot.waitUntil(lambda: window.status.keyring_status.state != "checking", timeout=10_000)
    return window


@pytest.fixture
def window(ctx: AppContext, qtbot: QtBot, settings: QSettings) -> MainWindow:
    return open_window(ctx, qtbot, settings)
