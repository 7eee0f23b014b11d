"""The Keys view: a filterable tree of keysets and versions (left), their details (right).

Passive in the DESIGN.md sense: it renders :class:`KeysModel` and turns user intents into
KeyService calls run in the TaskRunner; every keyring-touching call goes there. Errors land in
the banner above the content with the service's message (what is wrong and the fix).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileSystemWatcher, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.core.errors import JwtdeskError
from jwtdesk.core.keysets import KeySet, KeyVersion
from jwtdesk.gui.clipboard import ClipboardGuard
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.icons import icon
from jwtdesk.gui.models.keys import Column, KeysFilterProxy, KeysModel, Role
from jwtdesk.gui.views.keys.actions import KeyActions
from jwtdesk.gui.views.keys.details import KeyDetails
from jwtdesk.gui.widgets.badge import BadgeDelegate
from jwtdesk.gui.widgets.banner import Banner
from jwtdesk.gui.widgets.busy import BusyBar
from jwtdesk.gui.widgets.secret_field import DEFAULT_REVEAL_MS

if TYPE_CHECKING:
    pass

EMPTY = "No keysets yet — New keyset (Ctrl+N)"
# Typical widest content per column: widths follow the font, never fixed pixels.
COLUMN_SAMPLES = (
    "billing-refresh-prod",
    "ZzlDvXWzf8…",
    "PS512",
    "RSA 4096",
    "2026-11-24 · 400 d",
    "2027-02-22",
    "rotation due soon",  # the widest state badge
)


class KeysView(QWidget):
    activation_requested = Signal()  # an action of this view was triggered from elsewhere
    keyset_selected = Signal(str)  # "" when nothing is selected

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        clipboard: ClipboardGuard | None = None,
        reveal_timeout_ms: int = DEFAULT_REVEAL_MS,
        *,
        load: bool = True,  # False: empty until reload() (the main window's start-up steps)
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.clipboard = clipboard or ClipboardGuard(self)
        self.model = KeysModel(self)
        self.proxy = KeysFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.rowsInserted.connect(self.on_proxy_rows_inserted)
        self.key_actions = KeyActions(self)
        self._skip_reloads = False
        self._build(reveal_timeout_ms)
        ctx.keysets_changed.connect(self.on_ctx_keysets_changed)
        self._clock = QTimer(self)
        self._clock.setInterval(60_000)
        self._clock.timeout.connect(self.model.refresh_times)
        self._clock.start()
        self._watcher = QFileSystemWatcher(self)
        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self.on_ctx_keysets_changed)
        self._watcher.directoryChanged.connect(self._debounce.start)
        if load:
            self.reload()

    # --- construction ------------------------------------------------------------------------

    def _make_toolbar(self) -> None:
        self.toolbar = QToolBar("Keys", self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in self.key_actions.for_menu[:-1]:
            self.toolbar.addAction(action)
        # The busy bar shares the filter's row: showing it moves no content (no full repaint).
        self.busy = BusyBar(self)
        self.busy.cancel_requested.connect(self.key_actions.on_busy_cancel_requested)

    def _make_empty_page(self) -> QWidget:
        self.empty = QLabel(EMPTY, self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty_button = QPushButton(icon("new"), "New keyset…", self)
        self.empty_button.clicked.connect(self.key_actions.new_action.trigger)
        page = QWidget(self)
        box = QVBoxLayout(page)
        box.addStretch(1)
        box.addWidget(self.empty)
        box.addWidget(self.empty_button, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addStretch(2)
        return page

    def _build(self, reveal_timeout_ms: int) -> None:
        self._make_toolbar()
        self.banner = Banner(self)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter by name, service, environment, alg or kid (Ctrl+F)")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Filter keysets")
        self.filter.textChanged.connect(self.on_filter_text_changed)
        self.tree = self._make_tree()
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.tree)
        self.pages.addWidget(self._make_empty_page())
        left = QWidget(self)
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.filter, 1)
        row.addWidget(self.busy, 2)
        left_box.addLayout(row)
        left_box.addWidget(self.pages, 1)
        self.details = KeyDetails(self.ctx, self.clipboard, self, reveal_timeout_ms)
        self.details.due_soon_of = lambda: self.model.due_soon
        self.details.error_raised.connect(self.banner.show_error)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        # The tree gets the width of its columns, the details the rest (until the user drags).
        columns = sum(self.tree.header().sectionSize(c) for c in range(len(COLUMN_SAMPLES)))
        self.splitter.setSizes([columns, columns * 2 // 3])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        QWidget.setTabOrder(self.filter, self.tree)
        QWidget.setTabOrder(self.tree, self.details)

    def _make_tree(self) -> QTreeView:
        tree = QTreeView(self)
        tree.setModel(self.proxy)
        tree.setAccessibleName("Keysets")
        # The model is already in name order: no proxy sort until a header is clicked.
        tree.header().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        tree.setSortingEnabled(True)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        tree.setAllColumnsShowFocus(True)
        tree.setItemDelegateForColumn(Column.STATE, BadgeDelegate(Role.STATE, tree))
        header = tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        metrics, pad = self.fontMetrics(), self.fontMetrics().height()
        for col, sample in enumerate(COLUMN_SAMPLES):
            header.resizeSection(col, metrics.horizontalAdvance(sample) + pad)
        header.resizeSection(0, header.sectionSize(0) + tree.indentation() * 2)
        state = header.sectionSize(Column.STATE)
        header.resizeSection(Column.STATE, state + pad // 2)  # the badge's rounded ends
        tree.selectionModel().currentChanged.connect(self.on_tree_current_changed)
        return tree

    # --- model and selection ----------------------------------------------------------------

    def loading_steps(self, chunk: int = 40) -> list[Callable[[], None]]:
        """Fill the tree in steps of ``chunk`` keysets, in display order, so that no step of
        the start-up takes long: the first fills the screen, the others add rows below it.
        Each step is a plain :meth:`reload` of more keysets (in place after the first)."""
        try:
            keysets = self.ctx.keys.keysets()
        except JwtdeskError as exc:
            self.banner.show_error(str(exc))
            return []
        ordered = tuple(KeysModel.display_order(keysets))
        heads = [ordered[:n] for n in range(chunk, len(ordered), chunk)]
        return [*(partial(self.reload, head) for head in heads), partial(self.reload, keysets)]

    def reload(self, keysets: tuple[KeySet, ...] | None = None) -> None:
        """Show ``keysets`` or re-read the index (no keyring read); keep the selection and the
        expanded keysets."""
        if keysets is None:
            try:
                keysets = self.ctx.keys.keysets()
            except JwtdeskError as exc:
                self.banner.show_error(str(exc))
                return
        home = self.ctx.keys.index_dir()
        if str(home) not in self._watcher.directories() and home.is_dir():
            self._watcher.addPath(str(home))
        if keysets == self.model.keysets and self.model.rowCount() > 0:
            return
        name, kid = self.selected()
        expanded = self._expanded() if self.model.needs_reset(keysets) else []
        if self.model.set_keysets(keysets):  # a reset: expand as before
            self._expand_groups()
            for shown in expanded:
                self.tree.expand(self.proxy.mapFromSource(self.model.find(shown)))
        if self.selected() != (name, kid) and self.model.find(name, kid).isValid():
            self.select(name, kid)  # after a reset; rows updated in place keep their place
        self._update_empty()
        ks, version = self.target()
        if ks != self.details.keyset or (version and version != self.details.version):
            self.details.show_keyset(ks, version)  # updated in place: same row, new facts
        self.key_actions.update_enabled()

    def on_ctx_keysets_changed(self) -> None:
        if not self._skip_reloads:
            self.reload()  # equal contents change nothing on screen

    @contextlib.contextmanager
    def reloads_skipped(self) -> Iterator[None]:
        """While announcing a change this view has already shown (no second index read)."""
        self._skip_reloads = True
        try:
            yield
        finally:
            self._skip_reloads = False

    def _expand_groups(self) -> None:
        for row in range(self.proxy.rowCount()):
            self.tree.expand(self.proxy.index(row, 0))

    def on_proxy_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if not parent.isValid():  # a new service/environment group: open it
            for row in range(first, last + 1):
                self.tree.expand(self.proxy.index(row, 0))

    def _expanded(self) -> list[str]:
        """Names of the keysets whose versions are shown (one pass over the shown rows)."""
        out = []
        for g in range(self.proxy.rowCount()):
            group = self.proxy.index(g, 0)
            for r in range(self.proxy.rowCount(group)):
                row = self.proxy.index(r, 0, group)
                if self.tree.isExpanded(row):
                    out.append(str(row.data(Role.KEYSET)))
        return out

    def _update_empty(self) -> None:
        if not self.model.keysets:
            self.empty.setText(EMPTY)
            self.empty_button.show()
        else:
            self.empty.setText(f"No keyset matches “{self.filter.text()}” — clear the filter.")
            self.empty_button.hide()
        self.pages.setCurrentIndex(0 if self.proxy.rowCount() else 1)

    def selected(self) -> tuple[str, str | None]:
        """(keyset name, kid of a selected version row or None); ("", None) if nothing."""
        index = self.tree.currentIndex()
        if not index.isValid():
            return "", None
        name = index.data(Role.KEYSET) or ""
        kid = index.data(Role.KID) if index.data(Role.KIND) == "version" else None
        return name, kid

    def select(self, name: str, kid: str | None = None) -> None:
        index = self.proxy.mapFromSource(self.model.find(name, kid)) if name else QModelIndex()
        if index.isValid():
            self.tree.scrollTo(index)
        self.tree.setCurrentIndex(index)
        if not index.isValid():
            self.on_tree_current_changed(index, QModelIndex())

    def target(self) -> tuple[KeySet | None, KeyVersion | None]:
        name, kid = self.selected()
        ks = next((k for k in self.model.keysets if k.name == name), None)
        if ks is None or kid is None:
            return ks, None
        return ks, next((v for v in ks.versions if v.kid == kid), None)

    def on_tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        ks, version = self.target()
        self.details.show_keyset(ks, version)
        self.key_actions.update_enabled()
        self.keyset_selected.emit(ks.name if ks else "")

    def on_filter_text_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._expand_groups()
        self._update_empty()
        shown = self.target()[0]
        if shown is None or shown != self.details.keyset:  # filtered away: drop it
            self.on_tree_current_changed(self.tree.currentIndex(), QModelIndex())

    def on_filter_triggered(self) -> None:
        self.activation_requested.emit()
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()
