"""The drift check of the Export view: Check a deployed file…, Re-check, the verdict and one
row per variable or JWKS key.

A verdict never goes stale: the last file checked is checked again (in the TaskRunner, no
secret read) whenever keysets or the chosen profile change, and on Re-check; while that runs
the verdict says "checking again…", never the old "in sync".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from jwtdesk.gui.models.export import DriftModel

Run = Callable[[str, Callable[[], Any], Callable[[Any], None]], None]
CLEAN_TINT, DRIFT_TINT = "rgba(46, 160, 67, 0.18)", "rgba(218, 54, 51, 0.18)"


class DriftPanel(QWidget):
    drift_checked = Signal(bool)  # clean

    def __init__(
        self,
        check: Callable[[str, str | None], Any],  # (path, profile name) -> DriftReport
        profile_name: Callable[[], str | None],
        run: Run,  # the view's: runs work in the TaskRunner, errors to its banner
        table: QWidget,
        model: DriftModel,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._check, self._profile_name, self._run = check, profile_name, run
        self.model = model
        self.checked_path: str | None = None  # the deployed file last checked
        self._due = False
        self._rechecking = False  # the verdict says "checking again…" until a result comes
        self.check_button = QPushButton("Chec&k a deployed file…", self)
        self.check_button.clicked.connect(self.on_check_button_clicked)
        self.recheck_button = QPushButton("&Re-check", self)
        self.recheck_button.setToolTip("Compare the same file again with what jwtdesk holds now")
        self.recheck_button.setEnabled(False)
        self.recheck_button.clicked.connect(self.on_recheck_button_clicked)
        self.verdict = QLabel(self)
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Drift verdict")
        self.view = table
        self.view.hide()
        row = QHBoxLayout()
        row.addWidget(self.check_button)
        row.addWidget(self.recheck_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.verdict)
        layout.addWidget(self.view, 1)

    def on_check_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Check a deployed env file or JWKS")
        if path:
            self.check_file(path)

    def on_recheck_button_clicked(self) -> None:
        if self.checked_path is not None:
            self.check_file(self.checked_path)

    def schedule_recheck(self) -> None:
        """Check the last file again once this turn of the event loop is over: one check
        however many key or profile changes came together."""
        if self.checked_path is None or self._due:
            return
        self._due, self._rechecking = True, True
        self.verdict.setText(f"{self.checked_path}: checking again…")
        QTimer.singleShot(0, self, self._recheck_now)

    def _recheck_now(self) -> None:
        self._due = False
        self.on_recheck_button_clicked()

    def check_failed(self) -> None:
        """The view's banner says why; the verdict no longer claims anything."""
        if not self._due and self._rechecking:
            self._rechecking = False
            self.verdict.setText(f"{self.checked_path}: could not be checked (see above)")
            self.verdict.setStyleSheet("")

    def check_file(self, path: str) -> None:
        name = self._profile_name()
        self.checked_path = path
        self.recheck_button.setEnabled(True)

        def then(report: Any) -> None:
            self._rechecking = False
            self.model.reset(report.rows)
            self.view.show()
            verdict = "in sync with jwtdesk" if report.clean else "DRIFT — export again"
            at = datetime.now().astimezone().strftime("%H:%M:%S")
            against = f" (profile {name})" if name else ""
            self.verdict.setText(f"{report.path}: {verdict}{against} · checked at {at}")
            tint = CLEAN_TINT if report.clean else DRIFT_TINT
            self.verdict.setStyleSheet(f"background: {tint}; padding: 4px; border-radius: 4px;")
            self.drift_checked.emit(report.clean)

        self._run("drift check", lambda: self._check(path, name), then)
