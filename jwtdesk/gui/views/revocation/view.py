"""The Revocation view: the operator's console for a service's Redis revocation state.

A connection on top; below, check or revoke a token (the middleware's rules as rows, like
Inspect's checks), revoke a user, set / clear the global cut-off, and list the entries (SCAN).
The Emergency response button opens the guided flow. Every Redis call runs in the TaskRunner,
never on the GUI thread; errors show in the banner with the fix. Nothing typed here is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.core.connections import Connection
from jwtdesk.core.errors import JwtdeskError
from jwtdesk.core.revocation import Verdict
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.models.error_text import for_people
from jwtdesk.gui.models.inspect import ChecksModel
from jwtdesk.gui.tokenview import monospace_edit
from jwtdesk.gui.widgets.banner import Banner
from jwtdesk.services.changes import Change, Kind
from jwtdesk.services.revocation import Listed, Written

EMPTY = (
    "No Redis connections yet — New connection… adds one: its URL, the password (kept in the "
    "OS keyring) and the key schema your service uses."
)


def _table(model: Any, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.verticalHeader().hide()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setTabKeyNavigation(False)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return view


class RevocationView(QWidget):
    checked = Signal(object)  # Verdict
    written = Signal(object)  # Written
    listed = Signal(int)  # number of entries shown

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rev = ctx.revocation
        self.checks_model = ChecksModel(self)
        self.entries_model = QStandardItemModel(0, 4, self)
        self.entries_model.setHorizontalHeaderLabels(["Kind", "Key", "Value", "TTL (s)"])
        self.dialog: QWidget | None = None
        self._build()
        ctx.changed.connect(self.on_ctx_changed)
        self.reload()

    # --- layout -----------------------------------------------------------------------

    def _build(self) -> None:
        self.banner = Banner(self)
        self.connection_combo = QComboBox(self)
        self.connection_combo.setAccessibleName("Redis connection")
        self.connection_combo.currentTextChanged.connect(self.on_connection_combo_text_changed)
        top = QHBoxLayout()
        label = QLabel("&Connection", self)
        label.setBuddy(self.connection_combo)
        top.addWidget(label)
        top.addWidget(self.connection_combo, 1)
        self.new_button = self._button("&New connection…", self.on_new_clicked, top)
        self.test_button = self._button("&Test", self.on_test_clicked, top)
        self.delete_button = self._button("Delete", self.on_delete_clicked, top)
        self.emergency_button = self._button("&Emergency response…", self.on_emergency_clicked, top)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Connection status")
        self.empty = QLabel(EMPTY, self)
        self.empty.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._token_tab(), "&Token")
        self.tabs.addTab(self._cutoff_tab(), "&Users and global cut-off")
        self.tabs.addTab(self._entries_tab(), "E&ntries")
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.empty)
        layout.addWidget(self.tabs, 1)

    def _button(self, text: str, slot: Callable[[], None], row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    def _token_tab(self) -> QWidget:
        box = QWidget(self)
        self.token_edit = QPlainTextEdit(box)
        monospace_edit(self.token_edit)
        self.token_edit.setPlaceholderText("Paste a token to check or revoke")
        self.token_edit.setAccessibleName("Token")
        self.token_edit.setTabChangesFocus(True)
        self.token_edit.setMaximumHeight(self.fontMetrics().height() * 6)
        self.ttl_spin = QSpinBox(box)
        self.ttl_spin.setRange(0, 400 * 86400)
        self.ttl_spin.setSpecialValueText("from exp")
        self.ttl_spin.setSuffix(" s")
        self.ttl_spin.setAccessibleName("TTL for a token without exp")
        row = QHBoxLayout()
        self.check_button = self._button("C&heck", self.on_check_clicked, row)
        self.revoke_button = self._button("&Revoke token", self.on_revoke_clicked, row)
        row.addWidget(QLabel("TTL", box))
        row.addWidget(self.ttl_spin)
        row.addStretch(1)
        self.verdict = QLabel("Not checked yet.", box)
        self.verdict.setAccessibleName("Revocation verdict")
        self.checks_view = _table(self.checks_model, "Revocation checks")
        v = QVBoxLayout(box)
        v.addWidget(self.token_edit)
        v.addLayout(row)
        v.addWidget(self.verdict)
        v.addWidget(self.checks_view, 1)
        return box

    def _cutoff_tab(self) -> QWidget:
        box = QWidget(self)
        self.user_edit = QLineEdit(box)
        self.user_edit.setPlaceholderText("user id (the tokens' sub)")
        self.user_edit.setAccessibleName("User id")
        self.before_edit = QLineEdit(box)
        self.before_edit.setPlaceholderText("now (or ISO-8601 such as 2026-05-01T12:00:00Z)")
        self.before_edit.setAccessibleName("Revoke tokens issued before")
        form = QFormLayout()
        form.addRow("&User", self.user_edit)
        form.addRow("Issued &before", self.before_edit)
        row = QHBoxLayout()
        self.user_button = self._button("Revoke &user", self.on_user_clicked, row)
        row.addStretch(1)
        self.global_label = QLabel("Global cut-off: not read yet.", box)
        self.global_label.setWordWrap(True)
        grow = QHBoxLayout()
        self.global_set_button = self._button("Set global cut-off…", self.on_global_set, grow)
        self.global_clear_button = self._button("Clear it…", self.on_global_clear, grow)
        self.global_show_button = self._button("Refresh", self.on_global_show, grow)
        grow.addStretch(1)
        v = QVBoxLayout(box)
        v.addLayout(form)
        v.addLayout(row)
        v.addWidget(self.global_label)
        v.addLayout(grow)
        v.addStretch(1)
        return box

    def _entries_tab(self) -> QWidget:
        box = QWidget(self)
        row = QHBoxLayout()
        self.list_button = self._button("&List entries", self.on_list_clicked, row)
        self.count_label = QLabel("", box)
        row.addWidget(self.count_label, 1)
        self.entries_view = _table(self.entries_model, "Revocation entries")
        v = QVBoxLayout(box)
        v.addLayout(row)
        v.addWidget(self.entries_view, 1)
        return box

    # --- state ------------------------------------------------------------------------

    def on_ctx_changed(self, change: Change) -> None:
        if change.touches(Kind.CONNECTIONS):  # here, in another view, or by the CLI
            self.reload(change.state.connections if change.state is not None else None)

    def reload(self, connections: tuple[Connection, ...] | None = None) -> None:
        current = self.connection_combo.currentText()
        shown = self.rev.connections() if connections is None else connections
        names = [c.name for c in shown]
        self.connection_combo.blockSignals(True)
        self.connection_combo.clear()
        self.connection_combo.addItems(names)
        if current in names:
            self.connection_combo.setCurrentText(current)
        self.connection_combo.blockSignals(False)
        has = bool(names)
        self.empty.setVisible(not has)
        for widget in (self.tabs, self.test_button, self.delete_button):
            widget.setEnabled(has)
        self.on_connection_combo_text_changed(self.connection_combo.currentText())

    @property
    def connection(self) -> str:
        return self.connection_combo.currentText()

    def on_connection_combo_text_changed(self, name: str) -> None:
        if not name:
            self.status.setText("")
            return
        conn = self.rev.connection(name)
        kind = "Redis Cluster" if conn.cluster else f"db {conn.db}"
        service = f" — service {conn.service}" if conn.service else ""
        self.status.setText(
            f"{conn.url} ({kind}){service}; keys: {conn.schema.prefix}{conn.schema.blacklist}, "
            f"by {conn.schema.mode.value}"
        )

    def _run(self, label: str, work: Callable[[Any], Any], done: Callable[[Any], None]) -> None:
        """``work(target)`` in the TaskRunner (the password is read there too)."""
        name, rev = self.connection, self.rev
        if not name:
            self.banner.show_error("Choose a connection first (or add one: New connection…).")
            return
        self.banner.hide()
        self.ctx.runner.run(lambda: work(rev.target(name)), done, self.on_task_failed, label)

    def on_task_failed(self, exc: JwtdeskError) -> None:
        self.banner.show_error(for_people(exc))

    # --- token ------------------------------------------------------------------------

    def on_check_clicked(self) -> None:
        token, rev = self.token_edit.toPlainText(), self.rev
        self._run("Checking revocation", lambda t: rev.check(t, token), self.on_checked)

    def on_checked(self, verdict: Verdict) -> None:
        self.checks_model.set_checks(verdict.checks)
        if verdict.rule is not None:
            self.verdict.setText(f"✘ Revoked — by the {verdict.rule.value} rule")
        else:
            self.verdict.setText("✔ Not revoked — no blacklist entry or cut-off applies")
        self.checked.emit(verdict)

    def on_revoke_clicked(self) -> None:
        token, rev = self.token_edit.toPlainText(), self.rev
        ttl = self.ttl_spin.value() or None
        self._run("Revoking a token", lambda t: rev.revoke_token(t, token, ttl), self.on_written)

    def on_written(self, w: Written) -> None:
        what = f"{w.key} = {w.value}, TTL {w.ttl_s} s"
        text = f"Written: {what}" if w.changed else f"Kept a later cut-off: {what}"
        self.banner.show_info(text)
        self.ctx.post_status(text, 5000)
        self.written.emit(w)

    # --- users and global -------------------------------------------------------------

    def on_user_clicked(self) -> None:
        user, before, rev = self.user_edit.text().strip(), self.before_edit.text().strip(), self.rev
        self._run(
            "Revoking a user", lambda t: rev.revoke_user(t, user, before or None), self.on_written
        )

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.warning(
            self,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def on_global_set(self) -> None:
        before, rev = self.before_edit.text().strip() or None, self.rev
        if self._confirm(
            "Set the global cut-off?",
            f"Every token issued before {before or 'now'} becomes void on {self.connection}.",
        ):
            self._run("Setting the cut-off", lambda t: rev.set_global(t, before), self.on_written)

    def on_global_clear(self) -> None:
        if self._confirm("Clear the global cut-off?", "Tokens it voided become valid again."):
            rev = self.rev
            self._run("Clearing the cut-off", rev.clear_global, lambda _: self.on_global_show())

    def on_global_show(self) -> None:
        self._run("Reading the cut-off", self.rev.show_global, self.on_global_shown)

    def on_global_shown(self, entry: Listed) -> None:
        if entry.value is None:
            self.global_label.setText(f"Global cut-off ({entry.key}): not set.")
        else:
            self.global_label.setText(
                f"Global cut-off ({entry.key}): {entry.value}, TTL {entry.ttl_s} s."
            )

    # --- entries ----------------------------------------------------------------------

    def on_list_clicked(self) -> None:
        self._run("Listing entries", self.rev.entries, self.on_listed)

    def on_listed(self, result: tuple[list[Listed], bool]) -> None:
        entries, more = result
        self.entries_model.removeRows(0, self.entries_model.rowCount())
        for e in entries:
            value = e.value or "-"
            if e.kind != "blacklist" and value.isdigit():
                value += time.strftime(" (%Y-%m-%d %H:%M:%SZ)", time.gmtime(int(value)))
            cells = [e.kind, e.key, value, str(e.ttl_s)]
            self.entries_model.appendRow([QStandardItem(c) for c in cells])
        self.entries_view.resizeColumnsToContents()
        suffix = " (first ones; there are more)" if more else ""
        self.count_label.setText(f"{len(entries)} entries{suffix}" if entries else "No entries.")
        self.listed.emit(len(entries))

    # --- connections ------------------------------------------------------------------

    def on_test_clicked(self) -> None:
        rev = self.rev
        self._run("Testing the connection", rev.health, self.on_tested)

    def on_tested(self, health: Any) -> None:
        if health.reachable:
            masters = ", ".join(health.masters)
            self.banner.show_info(f"Reachable ({masters}); {health.detail.split('; ', 1)[1]}")
        else:
            self.banner.show_error(health.detail)

    def on_new_clicked(self) -> None:
        from jwtdesk.gui.views.revocation.dialogs import ConnectionDialog

        dialog = ConnectionDialog(self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self.create_connection(dialog))
        dialog.open()

    def create_connection(self, dialog: Any) -> None:
        conn, password, rev = dialog.connection(), dialog.password(), self.rev
        self.ctx.runner.run(
            lambda: rev.create_connection(conn, password),
            self.on_created,
            self.on_task_failed,
            "Saving the connection",
        )

    def on_created(self, conn: Any) -> None:
        self.connection_combo.setCurrentText(conn.name)  # listed by the change feed
        self.banner.show_info(f"Added {conn.name}; the password is in the OS keyring.")

    def on_delete_clicked(self) -> None:
        name = self.connection
        if name and self._confirm("Delete the connection?", f"{name} and its stored password."):
            rev = self.rev
            self.ctx.runner.run(
                lambda: rev.delete_connection(name),
                lambda _: None,  # the change feed reloads the list
                self.on_task_failed,
                "Deleting the connection",
            )

    def on_emergency_clicked(self) -> None:
        from jwtdesk.gui.views.revocation.dialogs import EmergencyDialog

        dialog = EmergencyDialog(self.ctx, self)
        self.dialog = dialog
        dialog.open()
