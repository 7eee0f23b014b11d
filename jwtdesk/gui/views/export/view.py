"""The Export view: profiles, their variable mapping, a masked preview, writing env files and
JWKS documents, and the drift check of a deployed file.

Listing, editing and previewing read only the index. Writing, copying a secret value and the
drift check run in the TaskRunner; their errors (git tree, symlink, missing key) show in the
banner with the fix. The view never keeps a secret: a copied value goes straight to the
clipboard guard, which clears it after 30 s.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.core.errors import JwtdeskError
from jwtdesk.core.profiles import Profile
from jwtdesk.core.secret import Secret
from jwtdesk.gui.clipboard import ClipboardGuard
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.models.error_text import for_people
from jwtdesk.gui.models.export import DriftModel, ProfilesModel, VariablesModel
from jwtdesk.gui.views.export.dialogs import FORMATS, NewProfileDialog, SetVariableDialog
from jwtdesk.gui.views.export.drift import DriftPanel
from jwtdesk.gui.widgets.banner import Banner
from jwtdesk.services.changes import Change, Kind
from jwtdesk.services.export import ExportService

FORCE_TEXT = "Allow inside a git work tree"


def _table(model: Any, parent: QWidget, name: str) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class ExportView(QWidget):
    file_written = Signal(str)  # path
    drift_checked = Signal(bool)  # clean

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        clipboard: ClipboardGuard | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.export = ExportService(ctx.keys)
        self.clipboard = clipboard or ClipboardGuard(self)
        self.profiles_model = ProfilesModel()
        self.variables_model = VariablesModel()
        self.drift_model = DriftModel()
        self._build()
        ctx.changed.connect(self.on_ctx_changed)
        self.reload()

    # --- layout -----------------------------------------------------------------------

    def _build(self) -> None:
        self.banner = Banner(self)
        left = QWidget(self)
        self.profiles_view = _table(self.profiles_model, left, "Export profiles")
        self.profiles_view.selectionModel().currentRowChanged.connect(
            self.on_profiles_current_changed
        )
        self.new_button = QPushButton("&New profile…", left)
        self.delete_button = QPushButton("Delete profile", left)
        self.new_button.clicked.connect(self.on_new_clicked)
        self.delete_button.clicked.connect(self.on_delete_clicked)
        self.empty = QLabel("No export profiles yet — New profile maps keysets to variables", left)
        self.empty.setWordWrap(True)
        lv = QVBoxLayout(left)
        lv.addWidget(self.profiles_view, 1)
        lv.addWidget(self.empty)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.delete_button)
        lv.addLayout(row)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self._build_detail())
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)

    def _build_detail(self) -> QWidget:
        box = QWidget(self)
        self.format_combo = QComboBox(box)
        self.format_combo.addItems(FORMATS)
        self.format_combo.setAccessibleName("Export format")
        self.format_combo.currentTextChanged.connect(self.on_format_current_text_changed)
        self.base64_check = QCheckBox("Multi-line values as NAME_B64 (base64)", box)
        self.base64_check.toggled.connect(self.refresh_preview)
        top = QHBoxLayout()
        format_label = QLabel("&Format", box)
        format_label.setBuddy(self.format_combo)
        top.addWidget(format_label)
        top.addWidget(self.format_combo)
        top.addWidget(self.base64_check)
        top.addStretch(1)
        self.variables_view = _table(self.variables_model, box, "Variables")
        buttons = QHBoxLayout()
        self.set_button = self._button("Set &variable…", self.on_set_clicked, buttons, box)
        self.unset_button = self._button("Remove variable", self.on_unset_clicked, buttons, box)
        self.copy_button = self._button("&Copy value", self.on_copy_clicked, buttons, box)
        buttons.addStretch(1)
        self.preview = QPlainTextEdit(box)
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("Preview, secrets masked")
        from PySide6.QtGui import QFontDatabase

        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        actions = QHBoxLayout()
        self.write_button = self._button("&Write to file…", self.on_write_clicked, actions, box)
        self.force_check = QCheckBox(FORCE_TEXT, box)
        self.force_check.setToolTip(
            "Write the env file (it holds secrets) inside a git work tree even where git does "
            "not ignore it. JWKS documents are public and need no such check."
        )
        actions.addWidget(self.force_check)
        self.jwks_button = self._button("Export &JWKS…", self.on_jwks_clicked, actions, box)
        actions.addStretch(1)
        self.drift = DriftPanel(
            self.export.check,
            lambda: p.name if (p := self.profile()) else None,
            self._run,
            _table(self.drift_model, box, "Drift check"),
            self.drift_model,
            parent=box,
        )
        self.drift.drift_checked.connect(self.drift_checked)
        self.check_button, self.recheck_button = self.drift.check_button, self.drift.recheck_button
        self.verdict, self.drift_view = self.drift.verdict, self.drift.view
        v = QVBoxLayout(box)
        v.addLayout(top)
        v.addWidget(self.variables_view, 2)
        v.addLayout(buttons)
        v.addWidget(QLabel("Preview — exactly what will be written, secrets masked", box))
        v.addWidget(self.preview, 1)
        v.addLayout(actions)
        v.addWidget(self.drift, 2)  # once a file is checked, its rows get the room
        return box

    def _button(
        self, text: str, slot: Callable[[], None], row: QHBoxLayout, parent: QWidget
    ) -> QPushButton:
        button = QPushButton(text, parent)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # --- state ------------------------------------------------------------------------

    def profile(self) -> Profile | None:
        row = self.profiles_view.currentIndex().row()
        return self.profiles_model.row_item(row) if row >= 0 else None

    def on_ctx_changed(self, change: Change) -> None:
        """Profiles, or the keysets they export, changed (here, elsewhere, or by the CLI)."""
        if change.touches(Kind.PROFILES, Kind.KEYSETS):
            self.reload(change.state.profiles if change.state is not None else None)

    def reload(self, profiles: tuple[Profile, ...] | None = None) -> None:
        chosen = self.profile()
        if profiles is None:
            try:
                profiles = self.export.profiles()
            except JwtdeskError as exc:
                self.banner.show_error(for_people(exc))
                profiles = ()
        self.profiles_model.reset(profiles)
        self.empty.setVisible(not profiles)
        if profiles:
            row = self.profiles_model.row_of(chosen.name) if chosen else -1
            self.select_profile(profiles[max(row, 0)].name)
        else:
            self.show_profile(None)

    def select_profile(self, name: str) -> None:
        row = self.profiles_model.row_of(name)
        index = self.profiles_model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.profiles_view.selectionModel().setCurrentIndex(index, flags)
        self.show_profile(self.profiles_model.row_item(row) if row >= 0 else None)

    def on_profiles_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.show_profile(
            self.profiles_model.row_item(current.row()) if current.isValid() else None
        )

    def show_profile(self, profile: Profile | None) -> None:
        for w in (
            self.delete_button,
            self.set_button,
            self.unset_button,
            self.copy_button,
            self.write_button,
            self.jwks_button,
            self.format_combo,
        ):
            w.setEnabled(profile is not None)
        if profile is None:
            self.variables_model.reset([])
            self.preview.setPlainText("")
            return
        self.format_combo.blockSignals(True)
        self.format_combo.setCurrentText(profile.format)
        self.format_combo.blockSignals(False)
        try:
            self.variables_model.reset(self.export.plan(profile))
        except JwtdeskError as exc:
            self.variables_model.reset([])
            self.banner.show_error(for_people(exc))
        self.refresh_preview()
        self.drift.schedule_recheck()  # a new profile or keysets: the verdict may be stale

    def options(self) -> dict[str, Any]:
        return {"multiline": "base64" if self.base64_check.isChecked() else "native"}

    def refresh_preview(self) -> None:
        profile = self.profile()
        if profile is None:
            return
        try:
            text = self.export.preview(profile, self.format_combo.currentText(), **self.options())
        except JwtdeskError as exc:
            text = f"# cannot be written as {self.format_combo.currentText()}: {for_people(exc)}"
        self.preview.setPlainText(text)

    # --- profile editing (index only) ---------------------------------------------------

    def _keyset_names(self) -> list[str]:
        return [ks.name for ks in self.ctx.keys.keysets()]

    def _change(self, work: Callable[[], Profile]) -> None:
        try:
            profile = work()
        except JwtdeskError as exc:
            self.banner.show_error(for_people(exc))
            return
        self.banner.hide()  # the change feed has shown the new profiles (on_ctx_changed)
        current = self.profile()
        if current is None or current.name != profile.name:  # else shown already, as changed
            self.select_profile(profile.name)

    def on_new_clicked(self) -> None:
        dialog = NewProfileDialog(self._keyset_names(), self)
        dialog.accepted.connect(lambda: self.create_profile(dialog))
        dialog.open()

    def create_profile(self, dialog: NewProfileDialog) -> None:
        r = dialog.result_value()
        self._change(
            lambda: self.export.create_profile(
                r.name,
                access=r.access,
                refresh=r.refresh,
                confirmation=r.confirmation,
                access_ttl=r.access_ttl,
                refresh_ttl=r.refresh_ttl,
                issuer=r.issuer,
                audience=r.audience,
                fmt=r.fmt,
            )
        )

    def on_delete_clicked(self) -> None:
        profile = self.profile()
        if profile is None:
            return
        try:
            self.export.delete_profile(profile.name)  # the change feed reloads the list
        except JwtdeskError as exc:
            self.banner.show_error(for_people(exc))

    def on_format_current_text_changed(self, fmt: str) -> None:
        profile = self.profile()
        if profile is not None and fmt != profile.format:
            self._change(lambda: self.export.set_format(profile.name, fmt))

    def selected_var(self) -> str | None:
        row = self.variables_view.currentIndex().row()
        return self.variables_model.row_item(row).binding.var if row >= 0 else None

    def on_set_clicked(self) -> None:
        profile = self.profile()
        if profile is None:
            return
        dialog = SetVariableDialog(self._keyset_names(), self.selected_var() or "", self)
        dialog.accepted.connect(
            lambda: self._change(
                lambda: self.export.set_var(profile.name, dialog.var.text(), dialog.source_text())
            )
        )
        dialog.open()

    def on_unset_clicked(self) -> None:
        profile, var = self.profile(), self.selected_var()
        if profile is not None and var is not None:
            self._change(lambda: self.export.unset_var(profile.name, var))

    # --- secret work (in the runner) ----------------------------------------------------

    def _run(self, label: str, work: Callable[[], Any], then: Callable[[Any], None]) -> None:
        self.banner.hide()

        def done(result: Any) -> None:
            if shiboken6.isValid(self):  # the view may have closed while the work ran
                then(result)

        self.ctx.runner.run(work, done, self.on_task_failed, label=label)

    def on_task_failed(self, exc: JwtdeskError) -> None:
        if not shiboken6.isValid(self):
            return
        self.drift.check_failed()
        self.banner.show_error(for_people(exc))

    def _when_unlocked(self, what: str, action: Callable[[], None]) -> None:
        from jwtdesk.gui.unlock import when_unlocked

        when_unlocked(self.ctx, self, what, action)

    def on_copy_clicked(self) -> None:
        profile, var = self.profile(), self.selected_var()
        if profile is None or var is None:
            return
        if self.ctx.locked:
            return self._when_unlocked(f"copy {var}", self.on_copy_clicked)

        def work() -> str | Secret:
            return self.export.value(profile, var)  # reads this one variable's secret only

        def then(value: str | Secret) -> None:
            if isinstance(value, Secret):  # revealed here, into the clipboard, and not kept
                self.clipboard.copy_secret(value.reveal().decode("utf-8"))
                self.ctx.post_status(f"Copied {var} — clears in 30 s")
            else:
                self.clipboard.copy_plain(value)
                self.ctx.post_status(f"Copied {var}")

        self._run("copy value", work, then)

    def on_write_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Write env file", ".env")
        if path:
            self.write_to(Path(path))

    def write_to(self, path: Path) -> None:
        profile = self.profile()
        if profile is None:
            return
        if self.ctx.locked:
            return self._when_unlocked(f"write {path.name}", lambda: self.write_to(path))
        fmt, force, opts = (
            self.format_combo.currentText(),
            self.force_check.isChecked(),
            self.options(),
        )

        def then(written: Path) -> None:
            self.banner.show_info(f"Wrote {written} (mode 0600)")
            self.file_written.emit(str(written))

        self._run(
            "write env file",
            lambda: self.export.write(profile, path, fmt, force=force, **opts),
            then,
        )

    def on_jwks_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Write JWKS", "jwks.json")
        if path:
            self.write_jwks_to(Path(path))

    def write_jwks_to(self, path: Path) -> None:
        profile = self.profile()
        if profile is None:
            return

        def work() -> Path:
            return self.export.write_jwks(self.export.profile_jwks_names(profile), path)

        def then(written: Path) -> None:
            self.banner.show_info(f"Wrote the JWKS to {written}")
            self.file_written.emit(str(written))

        self._run("write JWKS", work, then)

    def check_file(self, path: str) -> None:
        """Compare the deployed file ``path`` with what jwtdesk holds (and keep doing so)."""
        self.drift.check_file(path)
