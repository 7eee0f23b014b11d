"""The claim form of Build: the registered claims, times as "+15m" or a date picker, and a JSON
editor for extra claims whose syntax errors are shown inline (line and column, underlined).
The form only reads; the view turns it into a :class:`~jwtdesk.core.tokens.TokenRequest`.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any, NamedTuple

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.core.tokens import PRESETS, Preset, TokenRequest
from jwtdesk.gui.tokenview import monospace_edit


class JsonProblem(NamedTuple):
    message: str  # "line 2, column 5: Expecting ',' delimiter"
    position: int | None  # character offset in the editor, when known


class TimeField(QWidget):
    """A time as text relative to the issue time ("+15m", "7d") or a picked date and time."""

    changed = Signal()

    def __init__(self, name: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = QComboBox()
        self.mode.addItems(["relative", "at"])
        self.mode.setAccessibleName(f"{name}: relative or at a time")
        self.relative = QLineEdit()
        self.relative.setPlaceholderText(placeholder)
        self.relative.setAccessibleName(f"{name}, relative to the issue time")
        self.relative.setClearButtonEnabled(True)
        self.picker = QDateTimeEdit(QDateTime.currentDateTime().addSecs(15 * 60))
        self.picker.setCalendarPopup(True)
        self.picker.setDisplayFormat("yyyy-MM-dd HH:mm:ss")
        self.picker.setAccessibleName(f"{name}, local date and time")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.relative)
        self.stack.addWidget(self.picker)
        # Under the field: the absolute time a relative value means, or what is wrong with it.
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName(f"{name}: meaning")
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.mode)
        row.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.note)
        self.mode.currentIndexChanged.connect(self.on_mode_current_index_changed)
        self.relative.textChanged.connect(self.changed)
        self.picker.dateTimeChanged.connect(self.changed)

    def value(self) -> str | None:
        """Text for ``core.tokens.parse_time``, or None when left empty."""
        if self.mode.currentIndex() == 0:
            return self.relative.text().strip() or None
        when = datetime.fromtimestamp(self.picker.dateTime().toSecsSinceEpoch(), UTC)
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")

    def set_note(self, text: str, error: bool = False) -> None:
        """Show ``text`` under the field ("" hides it); an error in the error colour."""
        self.note.setText(text)
        self.note.setStyleSheet("color: #d32f2f;" if error else "")
        self.note.setVisible(bool(text))

    def set_at(self, when: datetime) -> None:
        self.mode.setCurrentIndex(1)
        self.picker.setDateTime(QDateTime.fromSecsSinceEpoch(int(when.timestamp())))

    def on_mode_current_index_changed(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.changed.emit()


def _words(preset: Preset) -> str:
    rules = PRESETS[preset]

    def fmt(t: Any) -> str:
        seconds = int(t.total_seconds())
        for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
            if seconds % size == 0:
                return f"{seconds // size} {unit}"
        return f"{seconds} s"

    if rules.default_lifetime is None:
        return "no default lifetime and no limits; iat only"
    limit = (
        f"{fmt(rules.min_lifetime)} to {fmt(rules.max_lifetime)}"
        if rules.min_lifetime
        else f"at most {fmt(rules.max_lifetime)}"
    )
    jti = "; a jti is added" if rules.jti else ""
    return f"lives {fmt(rules.default_lifetime)} by default, {limit}{jti}"


def _relative(preset: Preset) -> str:
    rules = PRESETS[preset]
    if rules.default_lifetime is None:
        return "none (e.g. +1h)"
    minutes = int(rules.default_lifetime.total_seconds() // 60)
    return f"default +{minutes // 1440}d" if minutes % 1440 == 0 else f"default +{minutes}m"


class ClaimForm(QWidget):
    """Preset and claims; ``form_changed`` on every edit."""

    form_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jti = secrets.token_urlsafe(16)  # stable while the view lives: edits keep it
        self.preset_combo = QComboBox()
        for preset in Preset:
            self.preset_combo.addItem(preset.value, preset)
        self.preset_combo.setAccessibleName("Preset")
        self.preset_hint = QLabel()
        self.preset_hint.setWordWrap(True)
        self.sub_edit = _line("the user or client", "Subject (sub)")
        self.iss_edit = _line("e.g. https://auth.example.com", "Issuer (iss)")
        self.aud_edit = _line("e.g. orders-api, billing (comma separated)", "Audience (aud)")
        self.exp_field = TimeField("Expiry (exp)", "default")
        self.nbf_field = TimeField("Not before (nbf)", "none (e.g. +5m)")
        self.iat_field = TimeField("Issued at (iat)", "now (automatic)")
        self.jti_check = QCheckBox("Add a random jti")
        self.typ_combo = QComboBox()
        self.typ_combo.addItems(["JWT", "at+jwt"])
        self.typ_combo.setAccessibleName("Header typ")
        self.purpose_edit = _line("what is confirmed, e.g. delete-account", "Purpose")
        self.claims_edit = QPlainTextEdit()
        monospace_edit(self.claims_edit)
        self.claims_edit.setPlaceholderText('{"scope": "orders:read", "tenant": "acme"}')
        self.claims_edit.setAccessibleName("Extra claims (JSON)")
        self.claims_edit.setTabChangesFocus(True)
        self.claims_error = QLabel()
        self.claims_error.setWordWrap(True)
        self.claims_error.setStyleSheet("color: #d32f2f;")
        self.claims_error.setAccessibleName("Extra claims error")
        self.claims_error.hide()
        self._lay_out()
        self._connect()
        self.on_preset_combo_current_index_changed(0)

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow("&Preset", self.preset_combo)
        form.addRow("", self.preset_hint)
        form.addRow("&sub", self.sub_edit)
        form.addRow("&iss", self.iss_edit)
        form.addRow("&aud", self.aud_edit)
        form.addRow(_buddy("&exp", self.exp_field.relative), self.exp_field)
        form.addRow(_buddy("&nbf", self.nbf_field.relative), self.nbf_field)
        form.addRow(_buddy("iat", self.iat_field.relative), self.iat_field)
        form.addRow("&jti", self.jti_check)
        form.addRow("&typ", self.typ_combo)
        form.addRow("p&urpose", self.purpose_edit)
        title = QLabel("E&xtra claims (JSON object)")
        title.setBuddy(self.claims_edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(title)
        layout.addWidget(self.claims_edit, 1)
        layout.addWidget(self.claims_error)

    def _connect(self) -> None:
        self.preset_combo.currentIndexChanged.connect(self.on_preset_combo_current_index_changed)
        for edit in (self.sub_edit, self.iss_edit, self.aud_edit, self.purpose_edit):
            edit.textChanged.connect(self.form_changed)
        for field in (self.exp_field, self.nbf_field, self.iat_field):
            field.changed.connect(self.form_changed)
        self.jti_check.toggled.connect(self.form_changed)
        self.typ_combo.currentIndexChanged.connect(self.form_changed)
        self.claims_edit.textChanged.connect(self.form_changed)

    def preset(self) -> Preset:
        data = self.preset_combo.currentData()
        return data if isinstance(data, Preset) else Preset.ACCESS

    def set_preset(self, preset: Preset) -> None:
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(preset))

    def on_preset_combo_current_index_changed(self, _index: int) -> None:
        preset = self.preset()
        rules = PRESETS[preset]
        self.preset_hint.setText(f"{preset.value}: {_words(preset)}.")
        self.exp_field.relative.setPlaceholderText(_relative(preset))
        if rules.jti:  # refresh and confirmation tokens need a jti to be revocable
            self.jti_check.setChecked(True)
        self.jti_check.setEnabled(not rules.jti)
        self.purpose_edit.setEnabled(preset is Preset.CONFIRMATION)
        self.form_changed.emit()

    def extra_claims(self) -> dict[str, Any] | JsonProblem:
        """The JSON editor's object; a problem with its line and column if it is not one."""
        text = self.claims_edit.toPlainText()
        if not text.strip():
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno}, column {exc.colno}"
            return JsonProblem(f"Extra claims, {where}: {exc.msg}.", exc.pos)
        if not isinstance(value, dict):
            return JsonProblem('Extra claims must be a JSON object: {"name": value, …}.', 0)
        return value

    def show_json_problem(self, problem: JsonProblem | None) -> None:
        self.claims_error.setVisible(problem is not None)
        self.claims_error.setText(problem.message if problem else "")
        marks = []
        if problem is not None and problem.position is not None:
            mark = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor("#d32f2f"))
            fmt.setBackground(QColor(211, 47, 47, 50))
            mark.format = fmt
            cursor = QTextCursor(self.claims_edit.document())
            end = len(self.claims_edit.toPlainText())
            cursor.setPosition(min(problem.position, max(end - 1, 0)))
            cursor.setPosition(min(problem.position + 1, end), QTextCursor.MoveMode.KeepAnchor)
            mark.cursor = cursor
            marks.append(mark)
        self.claims_edit.setExtraSelections(marks)

    def request(self, extra: dict[str, Any], at: datetime | None) -> TokenRequest:
        claims = dict(extra)
        if self.jti_check.isChecked() and "jti" not in claims:
            claims["jti"] = self.jti
        aud = tuple(a.strip() for a in self.aud_edit.text().split(",") if a.strip())
        return TokenRequest(
            preset=self.preset(),
            iss=self.iss_edit.text().strip() or None,
            sub=self.sub_edit.text().strip() or None,
            aud=aud,
            exp=self.exp_field.value(),
            nbf=self.nbf_field.value(),
            at=at,
            claims=claims,
            typ=self.typ_combo.currentText(),
            purpose=self.purpose_edit.text().strip() or None,
        )


def _line(placeholder: str, name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setAccessibleName(name)
    edit.setClearButtonEnabled(True)
    return edit


def _buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label
