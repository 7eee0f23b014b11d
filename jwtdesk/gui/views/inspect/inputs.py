"""The inputs of Inspect beside the token: which keys to verify with, and what to expect of the
claims (iss, aud, leeway, as-of time, required claims, the kind to lint as). All visible: a
verdict never rests on a setting the user cannot see.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDateTime, QMimeData, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.core.inspect import Expectations
from jwtdesk.core.keysets import KeySet

KINDS = ("access", "refresh", "confirmation", "custom")


class TokenEdit(QPlainTextEdit):
    """The token field. Text is pasted or dropped as usual; a local file dropped on it (or
    pasted from a file manager) is announced with ``file_dropped(path)`` for the view to read
    in the TaskRunner, instead of its URL being inserted as text."""

    file_dropped = Signal(str)

    @staticmethod
    def _local_file(source: QMimeData) -> str:
        if source.hasUrls():
            urls = [u for u in source.urls() if u.isLocalFile()]
            if len(urls) == 1:
                return urls[0].toLocalFile()
        return ""

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802 - Qt override
        return bool(self._local_file(source)) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 - Qt override
        path = self._local_file(source)
        if path:
            self.file_dropped.emit(path)
        else:
            super().insertFromMimeData(source)


class KeysPanel(QGroupBox):
    """Verify with: a checkable list of stored keysets (all by default) and a key file."""

    keysets_toggled = Signal()  # the checked keysets changed
    key_file_chosen = Signal(str)
    key_file_cleared = Signal()
    unlock_clicked = Signal()
    retry_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Verify with", parent)
        self.keysets_list = QListWidget()
        self.keysets_list.setAccessibleName("Stored keysets to verify with")
        self.keysets_list.setMaximumHeight(self.fontMetrics().height() * 6)
        self.keysets_list.itemChanged.connect(self.on_keysets_list_item_changed)
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText("a key file: PEM, JWK, JWKS, certificate, SSH public key")
        self.file_edit.setAccessibleName("Key file path")
        self.file_edit.returnPressed.connect(self.on_file_edit_return_pressed)
        self.browse_button = browse = QPushButton("Key &file…")
        self.clear_button = clear = QPushButton("Clear")
        clear.setAccessibleName("Clear the key file")
        browse.clicked.connect(self.on_browse_clicked)
        clear.clicked.connect(self.on_clear_clicked)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Key status")
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.clicked.connect(self.unlock_clicked)
        self.retry_button = QPushButton("Try again")
        self.retry_button.clicked.connect(self.retry_clicked)
        files = QHBoxLayout()
        files.addWidget(self.file_edit, 1)
        files.addWidget(browse)
        files.addWidget(clear)
        status = QHBoxLayout()
        status.addWidget(self.status, 1)
        status.addWidget(self.unlock_button)
        status.addWidget(self.retry_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.keysets_list)
        layout.addLayout(files)
        layout.addLayout(status)
        self._filling = False
        self.set_status("", unlock=False, retry=False)

    def set_keysets(self, keysets: Sequence[KeySet], unchecked: set[str]) -> None:
        self._filling = True
        self.keysets_list.clear()
        for ks in keysets:
            item = QListWidgetItem(f"{ks.name}  ({ks.alg}, {ks.purpose.value})")
            item.setData(Qt.ItemDataRole.UserRole, ks.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            state = Qt.CheckState.Unchecked if ks.name in unchecked else Qt.CheckState.Checked
            item.setCheckState(state)
            self.keysets_list.addItem(item)
        if not keysets:
            item = QListWidgetItem("No keysets yet — create one in Keys (Ctrl+N)")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.keysets_list.addItem(item)
        self._filling = False

    def unchecked(self) -> set[str]:
        out = set()
        for row in range(self.keysets_list.count()):
            item = self.keysets_list.item(row)
            name = item.data(Qt.ItemDataRole.UserRole)
            if name and item.checkState() != Qt.CheckState.Checked:
                out.add(str(name))
        return out

    def set_checked(self, name: str, checked: bool) -> None:
        for row in range(self.keysets_list.count()):
            item = self.keysets_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def set_status(self, text: str, *, unlock: bool, retry: bool) -> None:
        self.status.setText(text)
        self.unlock_button.setVisible(unlock)
        self.retry_button.setVisible(retry)

    def on_keysets_list_item_changed(self, _item: QListWidgetItem) -> None:
        if not self._filling:
            self.keysets_toggled.emit()

    def on_file_edit_return_pressed(self) -> None:
        path = self.file_edit.text().strip()
        if path:
            self.key_file_chosen.emit(path)
        else:
            self.key_file_cleared.emit()

    def on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Choose a key file",
            "",
            "Key files (*.pem *.crt *.cer *.der *.pub *.json *.jwk *.jwks);;All files (*)",
        )
        if path:
            self.file_edit.setText(path)
            self.key_file_chosen.emit(path)

    def on_clear_clicked(self) -> None:
        self.file_edit.clear()
        self.key_file_cleared.emit()


class ExpectationsForm(QGroupBox):
    """Validate: expected iss and aud, leeway, the as-of time (live now by default), required
    claims and the kind of token to lint as."""

    expectations_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Validate", parent)
        self.iss_edit = _line("any (not checked)", "Expected issuer")
        self.aud_edit = _line("any (not checked)", "Expected audience")
        self.leeway_spin = QSpinBox()
        self.leeway_spin.setRange(0, 86400)
        self.leeway_spin.setValue(30)
        self.leeway_spin.setSuffix(" s")
        self.leeway_spin.setAccessibleName("Leeway in seconds")
        self.at_edit = QDateTimeEdit()
        self.at_edit.setCalendarPopup(True)
        self.at_edit.setDisplayFormat("yyyy-MM-dd HH:mm:ss")
        self.at_edit.setTimeZone(QTimeZone.systemTimeZone())
        self.at_edit.setAccessibleName("As-of time (local)")
        self.now_button = QPushButton("Now")
        self.now_button.setCheckable(True)
        self.now_button.setChecked(True)
        self.now_button.setAccessibleName("Check as of now")
        self.now_button.setToolTip("Checked: times are checked against the current time")
        self.required_edit = _line("e.g. sub, jti", "Required claims")
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("auto (from typ and claims)", None)
        for kind in KINDS:
            self.kind_combo.addItem(kind, kind)
        self.kind_combo.setAccessibleName("Lint as")
        at_row = QHBoxLayout()
        at_row.addWidget(self.at_edit, 1)
        at_row.addWidget(self.now_button)
        form = QFormLayout(self)
        form.addRow("Expected &iss", self.iss_edit)
        form.addRow("Expected &aud", self.aud_edit)
        form.addRow("&Leeway", self.leeway_spin)
        at_label = QLabel("A&s of (local)")
        at_label.setBuddy(self.at_edit)
        form.addRow(at_label, at_row)
        form.addRow("&Required", self.required_edit)
        form.addRow("Lint as", self.kind_combo)
        self.set_now_mode(True)
        for edit in (self.iss_edit, self.aud_edit, self.required_edit):
            edit.textChanged.connect(self.expectations_changed)
        self.leeway_spin.valueChanged.connect(self.expectations_changed)
        self.kind_combo.currentIndexChanged.connect(self.expectations_changed)
        self.at_edit.dateTimeChanged.connect(self.on_at_edit_date_time_changed)
        self.now_button.toggled.connect(self.on_now_button_toggled)

    @property
    def live(self) -> bool:
        return self.now_button.isChecked()

    def set_now_mode(self, live: bool) -> None:
        self.now_button.setChecked(live)
        if live:
            self.at_edit.blockSignals(True)
            self.at_edit.setDateTime(QDateTime.currentDateTime())
            self.at_edit.blockSignals(False)

    def set_as_of(self, when: datetime) -> None:
        """Check as of a fixed time (leaves now mode)."""
        self.at_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(when.timestamp())))

    def as_of(self) -> datetime | None:
        """The fixed as-of time, or None when checking as of now."""
        if self.live:
            return None
        return datetime.fromtimestamp(self.at_edit.dateTime().toSecsSinceEpoch(), UTC)

    def expectations(self) -> Expectations:
        required = tuple(
            n for n in self.required_edit.text().replace(",", " ").split() if n.strip()
        )
        return Expectations(
            iss=self.iss_edit.text() or None,
            aud=self.aud_edit.text() or None,
            at=self.as_of(),
            leeway=timedelta(seconds=self.leeway_spin.value()),
            preset=self.kind_combo.currentData(),
            required=required,
        )

    def on_at_edit_date_time_changed(self, _when: QDateTime) -> None:
        self.now_button.blockSignals(True)
        self.now_button.setChecked(False)
        self.now_button.blockSignals(False)
        self.expectations_changed.emit()

    def on_now_button_toggled(self, checked: bool) -> None:
        if checked:
            self.set_now_mode(True)
        self.expectations_changed.emit()

    def tick(self) -> None:
        """Keep the shown as-of time current in now mode."""
        if self.live:
            self.set_now_mode(True)


def _line(placeholder: str, name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setAccessibleName(name)
    edit.setClearButtonEnabled(True)
    return edit
