"""Dialog parts every view uses: focus on the first input, and a confirmation naming what
will happen with a verb on its button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.gui.icons import icon


def focus_first_input(dialog: QDialog) -> None:
    """Give the first enabled text field or picker the focus, so that typing right after
    Ctrl+N or F2 lands in it (its buttons, made first, would otherwise take it: Cancel)."""
    for child in dialog.findChildren(QWidget):
        if (
            isinstance(child, QLineEdit | QComboBox | QAbstractSpinBox | QPlainTextEdit)
            and child.isEnabled()
            and child.isVisibleTo(dialog)
        ):
            child.setFocus(Qt.FocusReason.OtherFocusReason)
            if isinstance(child, QLineEdit):
                child.selectAll()
            return


class ConfirmDialog(QDialog):
    """A confirmation naming exactly what will happen, with a verb on the button."""

    def __init__(
        self, title: str, html: str, action: str, icon_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.text = QLabel(html, self)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        self.ok = QPushButton(icon(icon_name), action, self)
        self.ok.setDefault(True)
        buttons.addButton(self.ok, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
