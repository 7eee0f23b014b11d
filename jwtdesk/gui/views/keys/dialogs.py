"""Dialogs of the Keys view: new keyset, confirmations (rotate, retire), delete, rename.

Each validates as the user types with the model layer's own checks (``check_new``,
``check_free_name``, ``parse_period``: those ``jwtdesk keys new`` runs) and shows the problem
inline; OK stays disabled while invalid.
They return plain values; the view runs the work in the TaskRunner.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.core import keysets as ksmod
from jwtdesk.core.algorithms import ALGORITHMS, Algorithm, KeyType
from jwtdesk.core.errors import JwtdeskError
from jwtdesk.core.keysets import DEFAULT_ROTATION, Purpose, format_period
from jwtdesk.gui.icons import icon
from jwtdesk.gui.widgets.banner import Banner
from jwtdesk.gui.widgets.dialogs import focus_first_input

_ALG_HELP = {
    "HS": "HMAC with SHA-{bits} (one shared secret)",
    "RS": "RSA PKCS#1 v1.5 with SHA-{bits}",
    "PS": "RSA-PSS with SHA-{bits}",
    "ES": "ECDSA on {curve}",
    "EdDSA": "Ed25519 signatures",
}


class NewKeyset(NamedTuple):
    name: str
    alg: str
    size: int | None
    service: str
    environment: str
    purpose: Purpose
    rotation_period: timedelta
    notes: str


def alg_label(alg: Algorithm) -> str:
    text = _ALG_HELP[alg.family].format(bits=alg.hash_bits, curve=alg.curve)
    return f"{alg.name} — {text}"


def size_choices(alg: Algorithm) -> list[tuple[str, int | None]]:
    """The sizes offered for ``alg`` (weak sizes are not in the table, so never offered)."""
    if alg.kty is KeyType.OCT:
        return [(f"{s} bytes ({s * 8} bits)", s) for s in sorted(set(alg.sizes))]
    if alg.kty is KeyType.RSA:
        return [(f"{s} bits", s) for s in alg.sizes]
    return [(f"{alg.curve} (fixed by the algorithm)", None)]


class _Validated(QDialog):
    """A dialog with an inline error line and an OK button enabled only while valid."""

    def __init__(self, title: str, ok_text: str, icon_name: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.error = Banner(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        self.ok.setIcon(icon(icon_name))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def problem(self) -> str | None:  # pragma: no cover - overridden
        return None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        focus_first_input(self)

    def revalidate(self) -> None:
        """OK only while valid; a problem is shown inline ("" = incomplete, nothing to say)."""
        problem = self.problem()
        self.ok.setEnabled(problem is None)
        if problem:
            self.error.show_error(problem)
        else:
            self.error.hide()

    def accept(self) -> None:
        if self.problem() is None:
            super().accept()


class NewKeysetDialog(_Validated):
    def __init__(self, existing: Collection[str], parent: QWidget | None = None) -> None:
        super().__init__("New keyset", "Create", "new", parent)
        self.existing = set(existing)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("e.g. billing-api-access")
        self.service = QLineEdit(self)
        self.service.setPlaceholderText("the service or app, e.g. billing")
        self.environment = QLineEdit(self)
        self.environment.setPlaceholderText("e.g. prod, staging")
        self.purpose = QComboBox(self)
        for p in Purpose:
            self.purpose.addItem(p.value.capitalize(), p)
        self.alg = QComboBox(self)
        for alg in ALGORITHMS.values():
            self.alg.addItem(alg_label(alg), alg.name)
        self.key_size = QComboBox(self)
        self.period = QLineEdit(format_period(DEFAULT_ROTATION), self)
        self.period.setToolTip("A number and a unit: m, h, d or w (e.g. 30d, 12w); at least 1h")
        self.notes = QLineEdit(self)
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("&Service:", self.service)
        form.addRow("&Environment:", self.environment)
        form.addRow("&Purpose:", self.purpose)
        form.addRow("&Algorithm:", self.alg)
        form.addRow("Key si&ze:", self.key_size)
        form.addRow("&Rotate every:", self.period)
        form.addRow("N&otes:", self.notes)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.alg.currentIndexChanged.connect(self.on_alg_current_index_changed)
        for edit in (self.name, self.service, self.environment, self.period):
            edit.textChanged.connect(self.revalidate)
        self.key_size.currentIndexChanged.connect(self.revalidate)
        self.alg.setCurrentIndex(self.alg.findData("ES256"))
        self.on_alg_current_index_changed()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)

    @property
    def algorithm(self) -> Algorithm:
        return ALGORITHMS[str(self.alg.currentData())]

    def on_alg_current_index_changed(self) -> None:
        alg = self.algorithm
        self.key_size.clear()
        for label, value in size_choices(alg):
            self.key_size.addItem(label, value)
        default = self.key_size.findData(alg.default_size) if alg.default_size else 0
        self.key_size.setCurrentIndex(max(default, 0))
        self.key_size.setEnabled(self.key_size.count() > 1)
        self.revalidate()

    def problem(self) -> str | None:
        name = self.name.text()
        if not name:
            return "Name the keyset: 1-64 letters, digits, '-', '_' or '.'."
        try:
            ksmod.check_new(
                name,
                self.algorithm.name,
                size=self.key_size.currentData(),
                service=self.service.text(),
                environment=self.environment.text(),
                existing=self.existing,
            )
            ksmod.parse_period(self.period.text())
        except JwtdeskError as exc:
            return str(exc)
        return None

    def request(self) -> NewKeyset:
        return NewKeyset(
            name=self.name.text(),
            alg=self.algorithm.name,
            size=self.key_size.currentData(),
            service=self.service.text().strip(),
            environment=self.environment.text().strip(),
            purpose=self.purpose.currentData(),
            rotation_period=ksmod.parse_period(self.period.text()),
            notes=self.notes.text(),
        )


class RenameDialog(_Validated):
    def __init__(self, old: str, existing: Collection[str], parent: QWidget | None = None) -> None:
        super().__init__(f"Rename {old}", "Rename", "rename", parent)
        self.old, self.existing = old, set(existing)
        self.name = QLineEdit(old, self)
        self.name.selectAll()
        self.name.textChanged.connect(self.revalidate)
        form = QFormLayout()
        form.addRow("&New name:", self.name)
        note = QLabel("Its keys and secrets stay as they are; only the name changes.", self)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.revalidate()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 50)

    def problem(self) -> str | None:
        new = self.name.text()
        if new == self.old:
            return ""  # not changed yet: OK stays off, no error to show
        try:
            ksmod.check_name(new, "new keyset name")
            ksmod.check_free_name(new, self.existing)
        except JwtdeskError as exc:
            return str(exc)
        return None

    def new_name(self) -> str:
        return self.name.text()


class DeleteDialog(_Validated):
    """Deleting a keyset destroys its secrets: the user types its name to confirm."""

    def __init__(self, name: str, versions: int, parent: QWidget | None = None) -> None:
        super().__init__(f"Delete {name}", "Delete", "delete", parent)
        self.target = name
        text = QLabel(
            f"Deleting <b>{name}</b> removes its {versions} key version(s) and deletes their "
            "secrets from the OS keyring. Tokens signed with them can no longer be verified "
            "by jwtdesk. This cannot be undone.<br><br>"
            "Type the keyset name to confirm:",
            self,
        )
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setWordWrap(True)
        self.confirm = QLineEdit(self)
        self.confirm.setPlaceholderText(name)
        self.confirm.setAccessibleName("Keyset name to confirm")
        self.confirm.textChanged.connect(self.revalidate)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.confirm)
        layout.addWidget(self.buttons)
        self.ok.setEnabled(False)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    def problem(self) -> str | None:
        return None if self.confirm.text() == self.target else "the name does not match"

    def revalidate(self) -> None:
        self.ok.setEnabled(self.problem() is None)  # no error line: the button says it all
