"""Dialogs of the Export view: a new profile, and binding one variable to a source."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from jwtdesk.core import profiles
from jwtdesk.core.errors import InvalidInput
from jwtdesk.core.keysets import check_name
from jwtdesk.core.profiles import Source
from jwtdesk.gui.models.error_text import for_people
from jwtdesk.gui.widgets.dialogs import focus_first_input

FORMATS = ("dotenv", "shell", "docker", "json", "k8s", "systemd")
NONE = "(none)"


class NewProfile(NamedTuple):
    name: str
    access: str | None
    refresh: str | None
    confirmation: str | None
    access_ttl: str
    refresh_ttl: str
    issuer: str
    audience: str
    fmt: str


class _Validated(QDialog):
    """OK stays disabled while the inputs are invalid; the reason shows under the form."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout(self)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Validation message")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.form.addRow(self.error)
        self.form.addRow(self.buttons)
        self.validate()

    def problem(self) -> str | None:
        raise NotImplementedError

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        focus_first_input(self)

    def validate(self) -> None:
        message = self.problem()
        self.error.setText(message or "")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(message is None)


def _keyset_combo(names: Sequence[str], parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    combo.addItems([NONE, *names])
    return combo


class NewProfileDialog(_Validated):
    def __init__(self, keysets: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__("New export profile", parent)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("e.g. api-prod")
        self.access = _keyset_combo(keysets, self)
        self.refresh = _keyset_combo(keysets, self)
        self.confirmation = _keyset_combo(keysets, self)
        self.access_ttl = QLineEdit("15m", self)
        self.refresh_ttl = QLineEdit("7d", self)
        self.issuer = QLineEdit(self)
        self.audience = QLineEdit(self)
        self.format = QComboBox(self)
        self.format.addItems(FORMATS)
        rows: list[tuple[str, QWidget]] = [
            ("&Name", self.name),
            ("&Access keyset (JWT_SECRET_*)", self.access),
            ("&Refresh keyset (REFRESH_TOKEN_SECRET)", self.refresh),
            ("&Confirmation keyset", self.confirmation),
            ("Access lifetime (JWT_EXPIRES_IN)", self.access_ttl),
            ("Refresh lifetime", self.refresh_ttl),
            ("&Issuer", self.issuer),
            ("Au&dience", self.audience),
            ("&Format", self.format),
        ]
        for label, widget in rows:
            self.form.addRow(label, widget)
        self.name.textChanged.connect(self.validate)
        self.finish_layout()

    def problem(self) -> str | None:
        name = self.name.text()
        if not name:
            return "Give the profile a name (the service and environment, e.g. api-prod)."
        try:
            check_name(name, "profile name")
        except InvalidInput as exc:
            return for_people(exc)
        return None

    def result_value(self) -> NewProfile:
        def pick(combo: QComboBox) -> str | None:
            text = combo.currentText()
            return None if text == NONE else text

        return NewProfile(
            self.name.text(),
            pick(self.access),
            pick(self.refresh),
            pick(self.confirmation),
            self.access_ttl.text() or "15m",
            self.refresh_ttl.text() or "7d",
            self.issuer.text(),
            self.audience.text(),
            self.format.currentText(),
        )


class SetVariableDialog(_Validated):
    """Bind a variable to ``KEYSET:source`` or a literal value."""

    def __init__(
        self, keysets: Sequence[str], var: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__("Set variable", parent)
        self.var = QLineEdit(var, self)
        self.var.setPlaceholderText("e.g. JWT_SECRET_CURRENT")
        self.source = QComboBox(self)
        self.source.addItems([s.value for s in Source])
        self.keyset = QComboBox(self)
        self.keyset.addItems(list(keysets))
        self.value = QLineEdit(self)
        self.value.setPlaceholderText("literal, non-secret value (lifetime, issuer…)")
        for label, widget in (
            ("&Variable", self.var),
            ("&Source", self.source),
            ("&Keyset", self.keyset),
            ("V&alue", self.value),
        ):
            self.form.addRow(label, widget)
        self.var.textChanged.connect(self.validate)
        self.value.textChanged.connect(self.validate)
        self.source.currentTextChanged.connect(self.on_source_current_text_changed)
        self.on_source_current_text_changed(self.source.currentText())
        self.finish_layout()

    def on_source_current_text_changed(self, text: str) -> None:
        literal = text == Source.VALUE.value
        self.keyset.setEnabled(not literal)
        self.value.setEnabled(literal)
        self.validate()

    def source_text(self) -> str:
        if self.source.currentText() == Source.VALUE.value:
            return f"value:{self.value.text()}"
        return f"{self.keyset.currentText()}:{self.source.currentText()}"

    def problem(self) -> str | None:
        if not self.var.text():
            return "Name the environment variable."
        try:
            profiles.binding(self.var.text(), self.source_text())
        except InvalidInput as exc:
            return for_people(exc)
        return None
