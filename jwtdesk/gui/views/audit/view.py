"""The Audit view: search wordlists for the secret of pasted HS256/384/512 tokens, or check
every stored HMAC key (wordlists, entropy, a secret shared by two keysets).

The search runs in the TaskRunner (worker processes under it); progress comes back through
queued signals a few times a second: done / total, candidates/s and the time left. Cancel
stops every worker process within a second. A found secret shows as ``••••••••`` in the table
and in the field below it until revealed with the eye; it re-masks after 30 s, on selection
change and on lock.
"""

from __future__ import annotations

import threading
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QItemSelection, Signal
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.core.audit import Progress, default_workers
from jwtdesk.core.errors import JwtdeskError
from jwtdesk.gui.clipboard import ClipboardGuard
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.models.audit import AuditResultsModel, progress_text
from jwtdesk.gui.models.error_text import for_people
from jwtdesk.gui.tasks import Task
from jwtdesk.gui.widgets.banner import Banner, Kind
from jwtdesk.gui.widgets.secret_field import DEFAULT_REVEAL_MS, SecretField
from jwtdesk.services import audit as svc
from jwtdesk.services import changes

EMPTY = (
    "Paste HS256/384/512 tokens above and press Audit tokens (Ctrl+Return), or Audit stored "
    "keys. Add wordlists of any size for more than the built-in list."
)


class AuditView(QWidget):
    audit_finished = Signal(object)  # list[Result]

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        clipboard: ClipboardGuard | None = None,
        reveal_timeout_ms: int = DEFAULT_REVEAL_MS,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.clipboard = clipboard or ClipboardGuard(self)
        self.model = AuditResultsModel()
        self.task: Task | None = None
        self._cancel = threading.Event()
        self.last_progress: Progress | None = None
        self.stale_note = ""  # the results are of stored keys that have changed since
        self._of_stored_keys = False  # the results shown are an audit of the stored keys
        self._build(reveal_timeout_ms)
        ctx.locked_changed.connect(self.on_ctx_locked_changed)
        ctx.changed.connect(self.on_ctx_changed)
        app = QApplication.instance()
        if app is not None:  # quitting mid-search stops the worker processes too
            cancel = self._cancel
            app.aboutToQuit.connect(cancel.set)
        self._set_running(False)

    # --- layout -------------------------------------------------------------------------

    def _build(self, reveal_timeout_ms: int) -> None:
        self.banner = Banner(self)
        self._build_inputs()
        self._build_actions()
        self._build_results(reveal_timeout_ms)
        self._lay_out()

    def _build_inputs(self) -> None:
        self.tokens_edit = QPlainTextEdit(self)
        self.tokens_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.tokens_edit.setPlaceholderText("Paste HS256/384/512 tokens here, one a line")
        self.tokens_edit.setAccessibleName("Tokens to audit")
        self.tokens_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.token_file_button = QPushButton("&Open token file…", self)
        self.token_file_button.setToolTip("Add the tokens of a file, one a line")
        self.token_file_button.clicked.connect(self.on_token_file_clicked)
        self.wordlists = QListWidget(self)
        self.wordlists.setAccessibleName("Wordlists")
        self.wordlists.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 8)
        self.add_button = QPushButton("Add &wordlist…", self)
        self.remove_button = QPushButton("Remove", self)
        self.add_button.clicked.connect(self.on_add_clicked)
        self.remove_button.clicked.connect(self.on_remove_clicked)
        self.builtin_check = QCheckBox("&Built-in list of published secrets", self)
        self.builtin_check.setChecked(True)
        self.rules_check = QCheckBox(
            "&Rules: case, digits, years, leetspeak, names from the token", self
        )
        self.workers_spin = QSpinBox(self)
        self.workers_spin.setRange(1, max(1, default_workers()))
        self.workers_spin.setValue(default_workers())
        self.workers_spin.setAccessibleName("Worker processes")

    def _build_actions(self) -> None:
        self.run_button = QPushButton("&Audit tokens", self)
        self.run_button.setToolTip("Search the wordlists for each token's secret (Ctrl+Return)")
        self.keys_button = QPushButton("Audit stored &keys", self)
        self.keys_button.setToolTip("Check every stored HMAC secret: wordlists, entropy, sharing")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop the search (Esc)")
        self.run_button.clicked.connect(self.on_run_clicked)
        self.keys_button.clicked.connect(self.on_keys_clicked)
        self.cancel_button.clicked.connect(self.cancel)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.on_run_clicked)
        QShortcut(QKeySequence("Esc"), self, self.cancel)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Audit progress")
        self.progress.setRange(0, 1000)
        self.progress_label = QLabel("", self)

    def _build_results(self, reveal_timeout_ms: int) -> None:
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Audit results")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self.on_table_selection_changed)
        self.empty = QLabel(EMPTY, self)
        self.empty.setWordWrap(True)
        self.secret_label = QLabel("Found secret of the selected row:", self)
        self.secret_field = SecretField(self, reveal_timeout_ms)
        self.secret_field.reveal_requested.connect(self.on_secret_reveal_requested)
        self.secret_field.copy_requested.connect(self.on_secret_copy_requested)

    def _lay_out(self) -> None:
        lists = QHBoxLayout()
        lists.addWidget(self.wordlists, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        lists.addLayout(buttons)
        options = QHBoxLayout()
        options.addWidget(self.builtin_check)
        options.addWidget(self.rules_check)
        options.addStretch(1)
        workers_label = QLabel("W&orkers", self)
        workers_label.setBuddy(self.workers_spin)
        options.addWidget(workers_label)
        options.addWidget(self.workers_spin)
        actions = QHBoxLayout()
        for button in (self.run_button, self.keys_button, self.cancel_button):
            actions.addWidget(button)
        actions.addWidget(self.progress, 1)
        tokens_label = QLabel("&Tokens", self)
        tokens_label.setBuddy(self.tokens_edit)
        tokens_row = QHBoxLayout()
        tokens_row.addWidget(tokens_label)
        tokens_row.addStretch(1)
        tokens_row.addWidget(self.token_file_button)
        box = QVBoxLayout(self)
        box.addWidget(self.banner)
        box.addLayout(tokens_row)
        box.addWidget(self.tokens_edit)
        box.addWidget(QLabel("Wordlists (streamed, any size; one candidate a line)", self))
        box.addLayout(lists)
        box.addLayout(options)
        box.addLayout(actions)
        box.addWidget(self.progress_label)
        box.addWidget(self.table, 1)
        box.addWidget(self.empty)
        box.addWidget(self.secret_label)
        box.addWidget(self.secret_field)
        self._show_secret_row(None)
        chain = (
            self.token_file_button, self.tokens_edit, self.wordlists, self.add_button,
            self.remove_button, self.builtin_check, self.rules_check, self.workers_spin,
            self.run_button, self.keys_button, self.cancel_button, self.table, self.secret_field,
        )  # fmt: skip
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)  # reading order

    # --- inputs -------------------------------------------------------------------------

    def add_wordlists(self, paths: list[str]) -> None:
        known = {self.wordlists.item(i).text() for i in range(self.wordlists.count())}
        for path in paths:
            if path and path not in known:
                self.wordlists.addItem(path)

    def on_token_file_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a file of tokens")
        if path:
            self.load_token_file(path)

    def load_token_file(self, path: str) -> Task:
        """Read the file in the TaskRunner; its tokens are added below the pasted ones."""
        return self.ctx.runner.run(
            lambda: svc.read_token_file(path),
            self.on_token_file_read,
            lambda exc: self.banner.show_error(for_people(exc)),
            "Reading tokens",
        )

    def on_token_file_read(self, tokens: list[str]) -> None:
        current = self.tokens_edit.toPlainText().rstrip("\n")
        self.tokens_edit.setPlainText("\n".join([current, *tokens] if current else tokens))
        self.ctx.post_status(f"{len(tokens)} token(s) read")

    def on_add_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Add wordlists")
        self.add_wordlists(paths)

    def on_remove_clicked(self) -> None:
        for item in self.wordlists.selectedItems():
            self.wordlists.takeItem(self.wordlists.row(item))

    def options(self) -> svc.AuditOptions:
        paths = tuple(self.wordlists.item(i).text() for i in range(self.wordlists.count()))
        return svc.AuditOptions(
            paths,
            self.rules_check.isChecked(),
            self.builtin_check.isChecked(),
            self.workers_spin.value(),
            start_method="spawn",  # the GUI has threads: never fork it
        )

    # --- running ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.task is not None

    def on_run_clicked(self) -> None:
        if self.running:
            return
        tokens = svc.token_lines(self.tokens_edit.toPlainText())
        if not tokens:
            self.banner.show_message("Paste a token first (one a line), then Audit tokens")
            return
        try:
            targets = svc.parse_tokens(tokens)
        except JwtdeskError as exc:
            self.banner.show_error(for_people(exc))
            return
        options = self.options()
        self._start(
            lambda report: svc.audit_tokens(targets, options, self._reporter(report), self._cancel),
            "Auditing tokens",
        )
        self._of_stored_keys, self.stale_note = False, ""

    def on_keys_clicked(self) -> None:
        if self.running:
            return
        keys, options = self.ctx.keys, self.options()
        self._start(
            lambda report: svc.audit_keys(keys, options, self._reporter(report), self._cancel),
            "Auditing stored keys",
        )
        self._of_stored_keys, self.stale_note = True, ""

    def on_ctx_changed(self, change: changes.Change) -> None:
        """Results of a stored-keys audit say which keysets changed since (a rotated key is
        not the audited one); running again is the user's choice (it may take minutes)."""
        if self._of_stored_keys and change.touches(changes.Kind.KEYSETS):
            names = ", ".join(sorted(change.keysets))
            self.stale_note = (
                f"Keysets changed since this audit ({names}): "
                "Audit stored keys again for their current secrets"
            )
            self.banner.show_message(self.stale_note, Kind.INFO)

    @staticmethod
    def _reporter(report: Any) -> svc.OnProgress:
        return lambda label, p: report((label, p))

    def _start(self, fn: Any, label: str) -> None:
        self.banner.hide()
        self._cancel.clear()
        self.model.set_results([])
        self._show_secret_row(None)
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress_label.setText(f"{label}: starting the worker processes…")
        self._set_running(True)
        self.task = self.ctx.runner.run_with_progress(
            fn, self.on_audit_done, self.on_audit_progress, self.on_audit_error, label
        )

    def cancel(self) -> None:
        if self.running:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText("Cancelling: stopping the worker processes…")

    def on_audit_progress(self, payload: tuple[str, Progress]) -> None:
        label, p = payload
        self.last_progress = p
        fraction = p.fraction
        if fraction is None:
            self.progress.setRange(0, 0)  # total unknown (a pipe): busy
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(fraction * 1000))
        self.progress_label.setText(progress_text(label, p))

    def on_audit_done(self, results: list[svc.Result]) -> None:
        self.task = None
        self._set_running(False)
        self.model.set_results(results)
        self.progress.setRange(0, 1000)
        found = sum(r.found for r in results)
        flagged = sum(r.flagged for r in results)
        cancelled = any(r.cancelled for r in results) or self._cancel.is_set()
        if cancelled:
            self.progress_label.setText("Cancelled: every worker process has stopped")
        else:
            self.progress.setValue(1000)
            self.progress_label.setText(
                f"Done: {found} secret(s) found, {flagged} of {len(results)} flagged"
            )
        if found or flagged:
            self.banner.show_message(
                "Guessable secrets were found: rotate those keys (Keys view, Ctrl+R) and "
                "replace the secret everywhere it is deployed",
                Kind.WARNING,
            )
        self.empty.setVisible(not results)
        if results:
            self.table.selectRow(next((i for i, r in enumerate(results) if r.found), 0))
        self.audit_finished.emit(results)

    def on_audit_error(self, exc: JwtdeskError) -> None:
        self.task = None
        self._set_running(False)
        self.progress_label.setText("")
        self.banner.show_error(for_people(exc))

    def _set_running(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        inputs: tuple[QWidget, ...] = (
            self.run_button, self.keys_button, self.tokens_edit, self.token_file_button,
            self.wordlists, self.add_button,
            self.remove_button, self.builtin_check, self.rules_check, self.workers_spin,
        )  # fmt: skip
        for widget in inputs:
            widget.setEnabled(not running)
        self.empty.setVisible(not running and not self.model.results)

    # --- the found secret ---------------------------------------------------------------

    def selected(self) -> svc.Result | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.result(rows[0].row()) if rows else None

    def on_table_selection_changed(self, *_: QItemSelection) -> None:
        self._show_secret_row(self.selected())

    def _show_secret_row(self, result: svc.Result | None) -> None:
        self.secret_field.remask()
        shown = result is not None and result.found and result.secret is not None
        self.secret_label.setVisible(shown)
        self.secret_field.setVisible(shown)

    def on_secret_reveal_requested(self) -> None:
        result = self.selected()
        if result is None or result.secret is None or self.ctx.locked:
            self.secret_field.remask()
            return
        self.secret_field.show_text(result.secret.reveal().decode("utf-8", "replace"))

    def on_secret_copy_requested(self) -> None:
        result = self.selected()
        if result is not None and result.secret is not None and not self.ctx.locked:
            self.clipboard.copy_secret(result.secret.reveal().decode("utf-8", "replace"))
            self.ctx.post_status("Copied — clears in 30 s")

    def on_ctx_locked_changed(self, locked: bool) -> None:
        if locked:
            self.secret_field.remask()


__all__ = ["AuditView"]
