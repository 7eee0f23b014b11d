"""The Checklist view: the guides' security checklist as rows (pass / fail / unknown with the
reason and the fix, a button where jwtdesk can fix it), and the leak scan of a folder and its
git history.

Evaluating reads secrets (weak? shared?) and scanning reads files and git: both run in the
TaskRunner, never on the event loop. No secret reaches this view: items and findings carry
names, kids, paths and lines only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.core.checklist import Action, Item, Status
from jwtdesk.core.errors import JwtdeskError
from jwtdesk.core.keysets import KeySet
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.icons import icon
from jwtdesk.gui.models.error_text import for_people
from jwtdesk.gui.widgets.banner import Banner
from jwtdesk.services.changes import Change, Kind
from jwtdesk.services.revocation import evaluate_checklist
from jwtdesk.services.scan import ScanResult, scan

ALL = "All services"
_LOOK = {
    Status.PASS: ("Passed", "check", QColor(40, 150, 70)),
    Status.FAIL: ("Failed", "error", QColor(210, 50, 47)),
    Status.UNKNOWN: ("Unknown", "info", QColor(200, 130, 20)),
}
_AREAS = {
    "keys": "Keys",
    "tokens": "Tokens",
    "revocation": "Revocation",
    "exports": "Exports",
    "transport": "Transport (jwtdesk cannot see these)",
}


def _tree(parent: QWidget, name: str, headers: Sequence[str]) -> QTreeWidget:
    tree = QTreeWidget(parent)
    tree.setAccessibleName(name)
    tree.setHeaderLabels(list(headers))
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setWordWrap(False)
    tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    tree.header().setStretchLastSection(True)
    return tree


class ChecklistView(QWidget):
    checklist_evaluated = Signal(object)  # list[Item]
    scan_finished = Signal(object)  # ScanResult

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, run: bool = True) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.items: list[Item] = []
        self.scan_result: ScanResult | None = None
        self._build()
        ctx.changed.connect(self.on_ctx_changed)
        self.reload_services()
        if run:
            self.evaluate()

    # --- layout -----------------------------------------------------------------------

    def _build_top(self) -> QHBoxLayout:
        self.service_box = QComboBox(self)
        self.service_box.setAccessibleName("Service")
        self.run_button = QPushButton(icon("checklist"), "&Run checklist", self)
        self.run_button.setToolTip("Evaluate the checklist again (F5)")
        self.run_button.clicked.connect(self.evaluate)
        self._shortcut("F5", self.evaluate)
        self.scan_button = QPushButton(icon("scan"), "&Scan for leaks…", self)
        self.scan_button.setToolTip("Search a folder (and its git history) for the stored keys")
        self.scan_button.clicked.connect(self.on_scan_button_clicked)
        self.history_box = QCheckBox("Include git &history", self)
        self.history_box.setChecked(True)
        self.cancel_button = QPushButton("Cancel scan", self)
        self.cancel_button.setToolTip("Stop the leak scan (Esc)")
        self.cancel_button.clicked.connect(self.cancel_scan)
        self.cancel_button.hide()
        self._shortcut("Esc", self.cancel_scan)
        self._cancel_requested = self._scanning = False
        top = QHBoxLayout()
        label = QLabel("S&ervice:", self)
        label.setBuddy(self.service_box)
        for w in (label, self.service_box, self.run_button):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.history_box)
        top.addWidget(self.scan_button)
        top.addWidget(self.cancel_button)
        return top

    def _build_lower(self) -> QWidget:
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.tree = _tree(self, "Checklist", ["Status", "Check", "Reason"])
        self.tree.setRootIsDecorated(True)
        self.tree.currentItemChanged.connect(self.on_tree_current_item_changed)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.actions_row = QHBoxLayout()
        self.scan_summary = QLabel(self)
        self.scan_summary.setWordWrap(True)
        self.findings = _tree(
            self, "Leak scan findings", ["Where", "Keyset", "Version", "Form", "Commit", "Date"]
        )
        self.scan_actions = QHBoxLayout()
        lower = QWidget(self)
        box = QVBoxLayout(lower)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.detail)
        box.addLayout(self.actions_row)
        box.addWidget(self.scan_summary)
        box.addWidget(self.findings, 1)
        box.addLayout(self.scan_actions)
        return lower

    def _build(self) -> None:
        self.banner = Banner(self)
        top = self._build_top()
        lower = self._build_lower()
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.splitter, 1)
        self.summary.setText("Run the checklist (F5) to evaluate your keys against the guides.")
        self.scan_summary.setText(
            "No leak scan in this session: Scan for leaks… searches a folder and its git "
            "history for the stored keys."
        )
        self.findings.hide()

    def _shortcut(self, keys: str, slot: Callable[[], object]) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # this view only
        shortcut.activated.connect(slot)

    def on_ctx_changed(self, change: Change) -> None:
        """Keysets, profiles and connections are all what the checklist looks at: a checklist
        on screen is evaluated again (in the runner), the service list follows the keysets."""
        if change.touches(Kind.KEYSETS):
            self.reload_services(change.state.keysets if change.state is not None else None)
        if self.items:
            self.evaluate()

    def reload_services(self, keysets: tuple[KeySet, ...] | None = None) -> None:
        current = self.service_box.currentText()
        shown = self.ctx.keys.keysets() if keysets is None else keysets
        names = sorted({ks.service for ks in shown if ks.service})
        self.service_box.blockSignals(True)
        self.service_box.clear()
        self.service_box.addItems([ALL, *names])
        if current in names:
            self.service_box.setCurrentText(current)
        self.service_box.blockSignals(False)

    @property
    def service(self) -> str | None:
        text = self.service_box.currentText()
        return None if text in ("", ALL) else text

    # --- the checklist ----------------------------------------------------------------

    def evaluate(self) -> None:
        service = self.service
        self.run_button.setEnabled(False)
        self.summary.setText("Evaluating…")
        self.ctx.runner.run(
            lambda: evaluate_checklist(self.ctx.keys, service),
            self.on_evaluated,
            self.on_error,
            label="Evaluating the checklist",
        )

    def on_evaluated(self, items: list[Item]) -> None:
        self.run_button.setEnabled(True)
        self.banner.hide()
        self.items = items
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for item in items:
            parent = groups.get(item.area)
            if parent is None:
                parent = QTreeWidgetItem(self.tree, [_AREAS.get(item.area, item.area), "", ""])
                parent.setFirstColumnSpanned(True)
                font = parent.font(0)
                font.setBold(True)
                parent.setFont(0, font)
                groups[item.area] = parent
            text, icon_name, color = _LOOK[item.status]
            row = QTreeWidgetItem(parent, [text, item.title, item.reason])
            row.setIcon(0, icon(icon_name))
            row.setForeground(0, QBrush(color))
            row.setToolTip(2, item.reason)
            row.setData(0, Qt.ItemDataRole.UserRole, item.id)
        self.tree.expandAll()
        counts = {s: sum(1 for i in items if i.status is s) for s in Status}
        when = datetime.now().strftime("%H:%M")
        scope = self.service or "every service"
        self.summary.setText(
            f"{counts[Status.FAIL]} failed · {counts[Status.PASS]} passed · "
            f"{counts[Status.UNKNOWN]} unknown — {scope}, as of {when}. Unknown is never a pass."
        )
        first = next((i for i in items if i.status is Status.FAIL), items[0] if items else None)
        if first is not None:
            self.select(first.id)
        self.checklist_evaluated.emit(items)

    def select(self, ident: str) -> None:
        for n in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(n)
            for m in range(group.childCount() if group else 0):
                row = group.child(m) if group else None
                if row is not None and row.data(0, Qt.ItemDataRole.UserRole) == ident:
                    self.tree.setCurrentItem(row)
                    return

    def on_tree_current_item_changed(self, row: QTreeWidgetItem | None, _old: object) -> None:
        _clear(self.actions_row)
        ident = row.data(0, Qt.ItemDataRole.UserRole) if row is not None else None
        item = next((i for i in self.items if i.id == ident), None)
        if item is None:
            self.detail.setText("")
            return
        text = f"{item.title}: {item.reason}"
        if item.fix and item.status is not Status.PASS:
            text += f"\nFix: {item.fix}"
        self.detail.setText(text)
        if item.status is not Status.PASS or item.id == "keys-vcs":
            for action in item.actions:
                self._action_button(self.actions_row, action)
        self.actions_row.addStretch(1)

    def _action_button(self, row: QHBoxLayout, action: Action) -> QPushButton:
        names = {"rotate": ("Rotate", "rotate"), "retire": ("Retire previous of", "retire")}
        if action.kind == "scan":
            button = QPushButton(icon("scan"), "Scan for leaks…", self)
            button.clicked.connect(self.on_scan_button_clicked)
        else:
            verb, icon_name = names[action.kind]
            button = QPushButton(icon(icon_name), f"{verb} {action.keyset}", self)
            button.clicked.connect(lambda: self.run_action(action))
        button.setToolTip(action.command)
        row.addWidget(button)
        return button

    def run_action(self, action: Action) -> None:
        keys = self.ctx.keys
        work: Callable[[], object] = (
            (lambda: keys.rotate(action.keyset))
            if action.kind == "rotate"
            else (lambda: keys.retire(action.keyset))
        )

        def done(_result: object) -> None:
            # The change feed has told every view, this one included (it evaluates again).
            self.ctx.post_status(f"{action.command}: done")

        self.ctx.runner.run(work, done, self.on_error, label=action.command)

    def on_error(self, error: JwtdeskError) -> None:
        self.run_button.setEnabled(True)
        self.scan_button.setEnabled(True)
        if self._scanning:
            self._scanning = False
            self.cancel_button.hide()
            self.scan_summary.setText(f"Leak scan stopped: {for_people(error)}.")
        self.banner.show_error(for_people(error))

    # --- the leak scan ----------------------------------------------------------------

    def on_scan_button_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Scan a folder for leaked keys")
        if folder:
            self.start_scan([Path(folder)], self.history_box.isChecked())

    def cancel_scan(self) -> None:
        self._cancel_requested = True  # the worker stops at its next file or blob

    def start_scan(self, paths: Sequence[Path], history: bool) -> None:
        self.scan_button.setEnabled(False)
        self._cancel_requested = False
        self._scanning = True
        self.cancel_button.show()
        where = ", ".join(str(p) for p in paths)
        self.scan_summary.setText(f"Scanning {where}{' and its git history' if history else ''}…")
        self.ctx.runner.run(
            lambda: scan(
                self.ctx.keys, paths, history=history, cancelled=lambda: self._cancel_requested
            ),
            self.on_scanned,
            self.on_error,
            label="Scanning for leaked keys",
        )

    def on_scanned(self, result: ScanResult) -> None:
        self.scan_button.setEnabled(True)
        self._scanning = False
        self.cancel_button.hide()
        self.scan_result = result
        self.findings.clear()
        for f in result.findings:
            keyset = f.keyset or f"weak value of {f.name}"
            commit = (f.commit or "")[:12]
            date = (f.author_date or "")[:10]
            row = QTreeWidgetItem(
                self.findings,
                [f"{f.path}:{f.line}", keyset, f.version or "", f.form, commit, date],
            )
            row.setIcon(0, icon("error"))
        for e in result.errors:
            QTreeWidgetItem(self.findings, [e.path, "", "", "", "", e.message]).setIcon(
                0, icon("info")
            )
        self.findings.setVisible(bool(result.findings or result.errors))
        _clear(self.scan_actions)
        mb = result.bytes / 1e6
        text = (
            f"Leak scan: {len(result.findings)} finding(s), {len(result.errors)} error(s) in "
            f"{result.files} files and {result.blobs} blobs ({mb:.1f} MB, {result.seconds:.1f} s)."
        )
        if result.keysets():
            text += (
                " Rotate each leaked keyset now (or run `jwtdesk emergency SERVICE`), then "
                "purge the history."
            )
            for name in result.keysets():
                self._action_button(self.scan_actions, Action("rotate", name))
        elif not result.findings:
            text += " No stored key was found."
        self.scan_actions.addStretch(1)
        self.scan_summary.setText(text)
        self.scan_finished.emit(result)
        self.evaluate()  # "keys out of version control" follows the scan


def _clear(layout: QHBoxLayout) -> None:
    while layout.count():
        taken = layout.takeAt(0)
        widget = taken.widget() if taken is not None else None
        if widget is not None:
            widget.deleteLater()
