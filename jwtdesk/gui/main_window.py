"""The main window: a navigation list (icon + label per view) beside a stack of views.

It owns the app-wide pieces views share (clipboard guard, idle lock), the menus, the status bar
and the window settings. QSettings hold geometry, splitter sizes, the tree header and the last
view: never a token, never a secret (nothing restored that should not be).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, cast

from PySide6 import QtCore
from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.gui.clipboard import DEFAULT_TIMEOUT_S, ClipboardGuard
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.icons import app_icon, icon
from jwtdesk.gui.idle import IdleLock
from jwtdesk.gui.keyring_status import KeyringStatus, probe
from jwtdesk.gui.viewlist import (
    VIEW_DEPENDENCIES,
    VIEW_MODULES,
    VIEWS,
    audit_view,
    build_view,
    checklist_view,
    export_view,
    inspect_view,
    keys_view,
    revocation_view,
)
from jwtdesk.gui.widgets.statusbar import StatusBar

if TYPE_CHECKING:
    from jwtdesk.gui.views.keys.view import KeysView
    from jwtdesk.gui.widgets.banner import Banner

# Start-up: what runs before the first paint does not touch ``QtCore.Qt``. Its first use makes
# PySide create ~100 Python enums (~20 ms); the views pay that just after the first paint.

# Views that show tokens (Audit: the tokens it checks): while locked, the lock page instead.
TOKEN_VIEWS = ("build", "inspect", "audit")
PROBE_FALLBACK_MS = 1000  # start-up steps (views, idle lock, probe) begin by then, paint or not


class MainWindow(QMainWindow):
    keyring_checked = Signal(object)  # KeyringStatus, once the post-show probe has answered

    def __init__(
        self,
        ctx: AppContext,
        settings: QSettings | None = None,
        *,
        clipboard_timeout_s: float = DEFAULT_TIMEOUT_S,
        idle_timeout_ms: int | None = None,  # None: Preferences (QSettings), 10 min by default
        reveal_timeout_ms: int | None = None,  # None: the Keys view's default (30 s)
        freeze_gc: bool = False,  # the app (create()): see end_start_up
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.settings = settings if settings is not None else QSettings()
        self.setWindowTitle("jwtdesk")
        self.setWindowIcon(app_icon())
        self.clipboard = ClipboardGuard(self, clipboard_timeout_s)
        from jwtdesk.gui import preferences

        self.prefs = preferences.load(self.settings)
        idle_ms = self.prefs.idle_ms if idle_timeout_ms is None else idle_timeout_ms
        self.idle = IdleLock(ctx, idle_ms, self)
        self.dialog: QDialog | None = None
        self.lock_page: QWidget | None = None  # made on the first lock
        self._probed = self._probe_started = False
        # Views are built when first needed: the one on screen right after the first paint
        # (the window appears without waiting for its content), Keys next (its actions fill
        # the Keys menu), the others when first shown.
        self._painted = self._starting = False
        self._freeze_gc = freeze_gc
        self.views: dict[str, QWidget] = {}
        self._factories: dict[str, Callable[[], QWidget]] = {
            "keys": partial(
                keys_view, ctx, self.clipboard, reveal_timeout_ms, lambda: not self._starting
            ),
            "build": partial(build_view, ctx, self.clipboard),
            "inspect": partial(inspect_view, ctx),
            "export": partial(export_view, ctx, self.clipboard),
            "audit": partial(audit_view, ctx, self.clipboard, reveal_timeout_ms),
            "revocation": partial(revocation_view, ctx),
            "checklist": partial(checklist_view, ctx),
        }
        self._build()
        self._make_menus()
        self._connect()
        self.restore_settings()

    # --- construction ------------------------------------------------------------------------

    def _build(self) -> None:
        self.nav = QListWidget(self)
        self.nav.setAccessibleName("Views")
        side = self.fontMetrics().height() * 3 // 2
        self.nav.setIconSize(QSize(side, side))
        self.nav.setSpacing(2)
        self.stack = QStackedWidget(self)
        for _key, label, icon_name, shortcut in VIEWS:
            item = QListWidgetItem(icon(icon_name), label)
            item.setToolTip(f"{label} ({shortcut})")
            self.nav.addItem(item)
            self.stack.addWidget(QWidget(self.stack))
        em = self.fontMetrics().averageCharWidth()
        self.nav.setMinimumWidth(em * 12)
        self._banner: Banner | None = None
        right = QWidget(self)
        self._right_box = QVBoxLayout(right)
        self._right_box.setContentsMargins(0, 0, 0, 0)
        self._right_box.addWidget(self.stack, 1)
        self.splitter = QSplitter(parent=self)  # horizontal; (self) would test for Qt.Orientation
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([em * 18, em * 150])
        self.setCentralWidget(self.splitter)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.nav.currentRowChanged.connect(self.on_nav_current_row_changed)
        self.nav.setCurrentRow(0)
        QWidget.setTabOrder(self.nav, self.stack)

    def _add(
        self, menu: str, text: str, slot: Callable[[], object], keys: str = "", icon_name: str = ""
    ) -> QAction:
        action = QAction(icon(icon_name), text, self) if icon_name else QAction(text, self)
        if keys:  # setShortcut(...) would test its argument for Qt.Key (start-up time)
            action.setShortcuts([QKeySequence.fromString(keys)])
        action.triggered.connect(slot)
        self._menus[menu].addAction(action)
        self.shortcut_actions.append(action)
        return action

    def _make_menus(self) -> None:
        bar = self.menuBar()
        titles = (("file", "&File"), ("keys", "&Keys"), ("view", "&View"), ("help", "&Help"))
        self._menus = {name: bar.addMenu(title) for name, title in titles}
        self.shortcut_actions: list[QAction] = []
        self._add("file", "&Preferences…", self.show_preferences, "Ctrl+,")
        self._add("file", "&Lock now", self.lock_now, "Ctrl+Shift+L", "lock")
        self._add("file", "&Quit", self.close, "Ctrl+Q", "quit")
        for key, label, icon_name, shortcut in VIEWS:
            self._add("view", f"&{label}", partial(self.show_view, key), shortcut, icon_name)
        self._menus["view"].addSeparator()
        self._add("view", "Focus the &token field (Inspect)", self.focus_token, "Ctrl+L")
        self._add("help", "jwtdesk &help", self.show_help, "F1", "help")
        self._add("help", "&About jwtdesk", self.show_about)

    def _connect(self) -> None:
        ctx = self.ctx
        ctx.status_posted.connect(self.on_ctx_status_posted)
        ctx.locked_changed.connect(self.on_ctx_locked_changed)
        ctx.runner.busy_changed.connect(self.on_runner_busy_changed)
        ctx.runner.task_started.connect(self.on_runner_task_started)
        self.clipboard.countdown_changed.connect(self.status.set_clipboard_countdown)
        self.clipboard.cleared.connect(self.on_clipboard_cleared)

    def _attach_keys(self, view: KeysView) -> None:
        """The Keys view's actions go to the File and Keys menus; its layout is restored."""
        actions = view.key_actions
        file_menu, first = self._menus["file"], self._menus["file"].actions()[0]
        file_menu.insertAction(first, actions.new_action)
        file_menu.insertSeparator(first)
        for action in actions.for_menu[1:]:
            self._menus["keys"].addAction(action)
        self.shortcut_actions[:0] = actions.for_menu
        view.activation_requested.connect(lambda: self.show_view("keys"))
        view.model.set_due_soon(timedelta(days=self.prefs.due_soon_days))
        restorers: list[tuple[str, Callable[[QByteArray], object]]] = [
            ("keys/splitter", view.splitter.restoreState),
            ("keys/header", view.tree.header().restoreState),
        ]
        for key, target in restorers:
            value = self.settings.value(key)
            if isinstance(value, QByteArray):
                target(value)

    # --- views -------------------------------------------------------------------------------

    @property
    def banner(self) -> Banner:
        """The window's message banner above the views, made on first use."""
        if self._banner is None:
            from jwtdesk.gui.widgets.banner import Banner

            self._banner = Banner(self)
            self._right_box.insertWidget(0, self._banner)
        return self._banner

    @property
    def current_view(self) -> str:
        row = self.nav.currentRow()
        return VIEWS[row][0] if 0 <= row < len(VIEWS) else "keys"

    def show_view(self, key: str) -> None:
        keys = [v[0] for v in VIEWS]
        if key in keys:
            self.nav.setCurrentRow(keys.index(key))

    @property
    def keys_view(self) -> KeysView:
        return cast("KeysView", self.view("keys"))

    def view(self, key: str) -> QWidget:
        """The view called ``key``, built on first use in its place in the stack."""
        existing = self.views.get(key)
        if existing is not None:
            return existing
        row = [v[0] for v in VIEWS].index(key)
        widget = self._factories[key]()
        placeholder = self.stack.widget(row)
        current = self.stack.currentWidget()
        self.stack.insertWidget(row, widget)
        if placeholder is not None:
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
        self.stack.setCurrentWidget(widget if current in (placeholder, None) else current)
        self.views[key] = widget
        if key == "keys":
            self._attach_keys(cast("KeysView", widget))
        return widget

    def on_nav_current_row_changed(self, row: int) -> None:
        if row >= 0:
            if self._painted:  # before the first paint the placeholder is shown
                self.view(VIEWS[row][0])
            self._show_current()

    def _show_current(self) -> None:
        """The current view, or the lock page in place of a view that shows tokens."""
        row = self.nav.currentRow()
        if self.ctx.locked and self.current_view in TOKEN_VIEWS:
            self.stack.setCurrentWidget(self._lock_page())
        elif row >= 0:
            self.stack.setCurrentIndex(row)

    def _lock_page(self) -> QWidget:
        if self.lock_page is None:
            from jwtdesk.gui.unlock import lock_page

            self.lock_page = lock_page(self.stack, self.unlock)
            self.stack.addWidget(self.lock_page)
        return self.lock_page

    def unlock(self) -> None:
        """The lock page's Unlock: the click is the user's answer."""
        self.ctx.set_locked(False)

    def focus_token(self) -> None:
        self.show_view("inspect")
        view = self.view("inspect")
        focus = getattr(view, "focus_token", None)
        if callable(focus):
            focus()
        else:
            view.setFocus(QtCore.Qt.FocusReason.ShortcutFocusReason)

    # --- dialogs -----------------------------------------------------------------------------

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._dialog_closed)
        dialog.open()

    def _dialog_closed(self) -> None:
        self.dialog = None

    def show_about(self) -> None:
        from jwtdesk.gui.help import AboutDialog

        self._open(AboutDialog(self.status.keyring_status.backend, self))

    def show_preferences(self) -> None:
        from jwtdesk.gui.preferences_dialog import PreferencesDialog

        dialog = PreferencesDialog(self.prefs, self)
        dialog.accepted.connect(lambda: self.apply_preferences(dialog.value()))
        self._open(dialog)

    def apply_preferences(self, prefs: object) -> None:
        """Store and apply new preferences: the idle lock's timeout, "rotation due soon"."""
        from jwtdesk.gui import preferences

        assert isinstance(prefs, preferences.Preferences)  # noqa: S101
        self.prefs = prefs
        preferences.save(self.settings, prefs)
        self.idle.set_timeout(prefs.idle_ms)
        keys = self.views.get("keys")
        if keys is not None:
            cast("KeysView", keys).model.set_due_soon(timedelta(days=prefs.due_soon_days))
        self.ctx.post_status(
            f"Preferences saved: lock after {prefs.idle_minutes} min without input", 4000
        )

    def show_help(self) -> None:
        from jwtdesk.gui.help import HelpDialog

        self._open(HelpDialog(self.shortcut_actions, self))

    # --- state -------------------------------------------------------------------------------

    def lock_now(self) -> None:
        self.ctx.set_locked(True)

    def on_ctx_locked_changed(self, locked: bool) -> None:
        self.status.set_locked(locked)
        self._show_current()
        if locked:
            self.clipboard.clear_now()
            self.ctx.post_status(
                "Locked: secrets and tokens are hidden; secret actions ask first", 5000
            )
        else:
            self.idle.touch()
            self.ctx.post_status("Unlocked", 3000)

    def on_ctx_status_posted(self, message: str, timeout_ms: int) -> None:
        self.status.showMessage(message, timeout_ms)

    def on_runner_busy_changed(self, busy: bool) -> None:
        self.status.set_busy(busy)

    def on_runner_task_started(self, label: str) -> None:
        self.status.set_busy(True, label)

    def on_clipboard_cleared(self, wiped: bool) -> None:
        self.status.set_clipboard_countdown(0)
        text = "Clipboard cleared" if wiped else "Clipboard left alone: it holds something newer"
        self.status.showMessage(text, 4000)

    def show_unexpected_error(self, line: str) -> None:
        """One line for a bug (the excepthook); never a traceback, never exception text."""
        from jwtdesk.gui.widgets.banner import Kind

        self.banner.show_message(line, Kind.ERROR)
        self.status.showMessage(line, 10000)

    # --- keyring probe, after the window is shown -------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not self._probed:
            self._probed = True
            # After the first frame is painted: a worker importing keyring and cryptography
            # holds the GIL in bursts, and the idle lock's app-wide filter makes PySide load
            # every class it has not loaded yet; either would slow the first paint down.
            # (The filter watches this window only: a child's private class would cost that.)
            self.installEventFilter(self)
            QTimer.singleShot(PROBE_FALLBACK_MS, self.on_first_paint)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Paint and watched is self:
            self.removeEventFilter(self)
            QTimer.singleShot(0, self.on_first_paint)
        return False

    def on_first_paint(self) -> None:
        """Build the content in steps, one per event-loop turn, each well under 50 ms: the
        window stays responsive (and repaints) while its first view is made."""
        if self._painted:
            return
        self._painted = self._starting = True
        first = self.current_view
        steps: list[Callable[[], object]] = [
            lambda: QtCore.Qt,  # PySide makes the Qt namespace's enums on first use (~20 ms)
            lambda: self.ctx.keys,  # the services
        ]
        # The Keys menu's actions come from the Keys view: it is built whichever view is first.
        for key in dict.fromkeys((first, "keys")):
            modules = (*VIEW_DEPENDENCIES.get(key, ()), VIEW_MODULES[key])
            steps += [partial(importlib.import_module, name) for name in modules]
            steps.append(partial(self.view, key))
        steps.append(self.end_start_up)
        self._run_steps(steps)

    def end_start_up(self) -> None:
        """The Keys view was built empty during start-up: fill it in steps of its own, then
        start the idle lock and probe the keyring."""
        self._starting = False
        keys = cast("KeysView | None", self.views.get("keys"))
        fill: list[Callable[[], object]] = []
        if keys is not None:  # built empty, unless something asked for it before the paint
            fill = [*keys.loading_steps()] if not keys.model.keysets else [keys.reload]
        steps = [*fill, self.idle.start, self._prepare_details, self.probe_keyring]
        self._run_steps([*steps, self.ctx.watch_index, self._freeze_start_up_objects])

    def _freeze_start_up_objects(self) -> None:
        """The app's start-up runs with the garbage collector off (``app.create``); at its end
        what it made (~60,000 objects: modules, Qt wrappers, enums, the views, all living as
        long as the app) is moved out of the collector's sight with ``gc.freeze``. Otherwise
        each full collection scans them all: a 30 ms stall at a random moment (bench_gui).
        From then on the collector runs on this (the GUI) thread only, on a timer (collector)."""
        if self._freeze_gc:
            import gc

            from jwtdesk.gui.collector import collect_on_gui_thread

            gc.freeze()
            self.gc_timer = collect_on_gui_thread(self)

    def _prepare_details(self) -> None:
        self.keys_view.details.prepare()

    def _run_steps(self, steps: Sequence[Callable[[], object]]) -> None:
        steps[0]()
        if len(steps) > 1:
            # 1 ms, not 0: timers already due (input, animations) run in between. With this
            # window as context, the steps stop if it is destroyed meanwhile.
            QTimer.singleShot(1, self, partial(self._run_steps, steps[1:]))

    def probe_keyring(self) -> None:
        if self._probe_started:
            return
        self._probe_started = True
        keys = self.ctx.keys
        self.ctx.runner.run(lambda: probe(keys), self.on_probe_done, label="Checking the keyring")

    def on_probe_done(self, status: KeyringStatus) -> None:
        self.status.set_keyring(status)
        if not status.ok:
            from jwtdesk.gui.widgets.banner import Kind

            self.banner.show_message(f"Keyring {status.state}: {status.message}", Kind.WARNING)
        self.keyring_checked.emit(status)

    # --- settings ----------------------------------------------------------------------------

    def restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            em = self.fontMetrics().averageCharWidth()
            self.resize(em * 170, self.fontMetrics().height() * 42)
        restorers: list[tuple[str, Callable[[QByteArray], object]]] = [
            ("window/state", self.restoreState),
            ("window/splitter", self.splitter.restoreState),
        ]
        for key, target in restorers:
            value = s.value(key)
            if isinstance(value, QByteArray):
                target(value)
        self.show_view(str(s.value("window/view", "keys")))

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/view", self.current_view)
        keys = self.views.get("keys")
        if keys is not None:  # else the stored layout stays as it was
            view = cast("KeysView", keys)
            s.setValue("keys/splitter", view.splitter.saveState())
            s.setValue("keys/header", view.tree.header().saveState())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.save_settings()
        self.idle.stop()
        super().closeEvent(event)
