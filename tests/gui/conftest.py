"""GUI fixtures: QSettings in a temp dir (a developer's settings are never touched), an
AppContext over the real Secret Service, and the main window with short, injected timeouts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
def ctx(real_service: KeyService, qtbot: QtBot) -> Iterator[AppContext]:
    context = make_ctx(real_service)
    yield context
    context.runner.shutdown()


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
