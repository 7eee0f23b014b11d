"""Inspect's optional revocation row: with a Redis connection chosen, the verdict includes
whether the token is revoked there.

The check runs in the TaskRunner (once per token and connection; a newer token cancels the
older check); until it answers the row says so and is skipped, never passed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from jwtdesk.core.errors import JwtdeskError
from jwtdesk.core.inspect import Check
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.models.error_text import for_people
from jwtdesk.gui.tasks import Task
from jwtdesk.services.changes import Change, Kind

if TYPE_CHECKING:
    from jwtdesk.core.connections import Connection

NOT_CHECKED = "Not checked"


class RevocationChecker(QObject):
    row_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.widget = QWidget(parent)
        self.combo = QComboBox(self.widget)
        label = QLabel("Re&voked? Check on", self.widget)
        label.setBuddy(self.combo)
        row = QHBoxLayout(self.widget)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label)
        row.addWidget(self.combo, 1)
        self.combo.setAccessibleName("Check revocation on")
        self.combo.setToolTip("Also check whether the token is revoked on this Redis")
        self.combo.currentTextChanged.connect(self.on_combo_text_changed)
        self._rows: dict[tuple[str, str], Check] = {}
        self._task: Task | None = None
        self._asked: tuple[str, str] | None = None
        ctx.changed.connect(self.on_ctx_changed)
        self.reload()

    def on_ctx_changed(self, change: Change) -> None:
        if change.touches(Kind.CONNECTIONS):  # a connection added here or by the CLI
            self.reload(change.state.connections if change.state is not None else None)

    def reload(self, connections: tuple[Connection, ...] | None = None) -> None:
        current = self.combo.currentText()
        shown = self.ctx.revocation.connections() if connections is None else connections
        names = [c.name for c in shown]
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItems([NOT_CHECKED, *names])
        self.combo.setCurrentText(current if current in names else NOT_CHECKED)
        self.combo.blockSignals(False)
        self.widget.setVisible(bool(names))

    @property
    def connection(self) -> str | None:
        text = self.combo.currentText()
        return None if text in ("", NOT_CHECKED) else text

    def row_for(self, token: str) -> Check | None:
        """The row for ``token`` on the chosen connection: the answer, or "checking…"."""
        name = self.connection
        if name is None:
            return None
        key = (name, token)
        if key in self._rows:
            return self._rows[key]
        if self._asked != key:
            self._start(key)
        return Check("revoked", "skipped", f"checking on {name}…")

    def _start(self, key: tuple[str, str]) -> None:
        from jwtdesk.services.revocation import revocation_row

        if self._task is not None:
            self._task.cancel()
        self._asked = key
        name, token = key
        svc = self.ctx.revocation

        def work() -> Check:
            return revocation_row(svc, svc.target(name), token)

        def done(row: Check) -> None:
            self._rows = {key: row}  # only the latest answer is kept
            self._task = None
            self.row_changed.emit()

        def failed(exc: JwtdeskError) -> None:  # reading the password failed
            done(
                Check("revoked", "failed", f"not checked ({name}): {for_people(exc)}", "revocation")
            )

        self._task = self.ctx.runner.run(work, done, failed, "Checking revocation")

    def on_combo_text_changed(self, _text: str) -> None:
        self._rows.clear()
        self._asked = None
        self.row_changed.emit()
