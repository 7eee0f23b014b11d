"""Composition root of the desktop app: services, TaskRunner, context, main window.

Start with ``jwtdesk-gui`` or ``python -m jwtdesk.gui``. Start-up reads the index only; the
keyring is first touched by a probe in the TaskRunner after the window is shown.
"""

from __future__ import annotations

import gc
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from jwtdesk.core.errors import JwtdeskError
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.icons import app_icon
from jwtdesk.gui.main_window import MainWindow
from jwtdesk.gui.tasks import TaskRunner

if TYPE_CHECKING:
    from jwtdesk.services import KeyService
    from jwtdesk.services.tokens import TokenService

ORG = "jwtdesk"
APP = "jwtdesk"

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]


def configure(app: QApplication) -> None:
    """Names QSettings uses (org/app), the desktop file and the window icon. The style and
    palette are left to the platform, so the app follows the system's light/dark scheme."""
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setApplicationDisplayName("jwtdesk")
    app.setDesktopFileName("jwtdesk")
    app.setWindowIcon(app_icon())


def make_key_service() -> KeyService:
    from jwtdesk.services import default_key_service

    return default_key_service()


def make_token_service(keys: KeyService) -> TokenService:
    from jwtdesk.services.tokens import TokenService

    return TokenService(keys)


def build_context() -> AppContext:
    """Services are made when a view first needs them, after the first paint (start-up)."""
    return AppContext(make_key_service, make_token_service, TaskRunner())


def build_window(ctx: AppContext, **options: Any) -> MainWindow:
    """The main window over ``ctx`` (options: settings, clipboard/idle/reveal timeouts)."""
    return MainWindow(ctx, **options)


def one_line(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    """A bug in one line: the exception type and where; its message is withheld (it may hold
    secret material from foreign code). A JwtdeskError's message is written for people."""
    if isinstance(exc, JwtdeskError):
        return str(exc)
    frames = traceback.extract_tb(tb)
    where = f" in {frames[-1].name} ({Path(frames[-1].filename).name}:{frames[-1].lineno})"
    return f"Unexpected error: {exc_type.__name__}{where if frames else ''}. Please report it."


def make_excepthook(show: Callable[[str], None]) -> ExceptHook:
    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        line = one_line(exc_type, exc, tb)
        # stderr gets where (file, line, function) but no message, value or source text.
        frames = "".join(
            f'  File "{f.filename}", line {f.lineno}, in {f.name}\n'
            for f in traceback.extract_tb(tb)
        )
        sys.stderr.write(f"jwtdesk: {line}\n{frames}")
        try:
            show(line)
        except Exception:  # the hook must never raise
            sys.stderr.write("jwtdesk: could not show the error in the window\n")

    return hook


def create(argv: Sequence[str] | None = None) -> tuple[QApplication, MainWindow]:
    """The app and its main window. The garbage collector is off until the window's start-up
    steps end (then they freeze what start-up made): a collection would only slow them."""
    gc.disable()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv))
    configure(app)
    window = build_window(build_context(), freeze_gc=True)
    sys.excepthook = make_excepthook(window.show_unexpected_error)
    return app, window


def quit_on_sigint(app: QApplication) -> QTimer:
    """Ctrl+C in the terminal quits cleanly (the clipboard is cleared on the way out). Python
    runs signal handlers only between bytecodes, so a timer gives it a moment now and then."""
    signal.signal(signal.SIGINT, lambda _sig, _frame: app.quit())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)
    return timer


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    if args[1:] == ["--version"]:
        from jwtdesk import __version__

        print(f"jwtdesk {__version__}")
        return 0
    if args[1:] == ["--self-check"]:  # run by `jwtdesk doctor --self-check`
        from jwtdesk.gui import selfcheck

        return selfcheck.main()
    app, window = create(argv)
    quit_on_sigint(app)
    window.show()
    code = app.exec()
    window.ctx.shutdown()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
