"""An inline message bar shown above a view's content: what went wrong and how to fix it.

Errors are shown here rather than in modal dialogs (DESIGN.md, User interface). The tint is
mixed from the palette's window colour so it reads in light and dark palettes.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from jwtdesk.gui.icons import icon


class Kind(Enum):
    ERROR = ("error", QColor(220, 50, 47))
    WARNING = ("error", QColor(230, 160, 20))
    INFO = ("info", QColor(40, 120, 220))

    @property
    def icon_name(self) -> str:
        return self.value[0]

    @property
    def color(self) -> QColor:
        return self.value[1]


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0..1) of the way towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


class Banner(QFrame):
    """Hidden until :meth:`show_message`; the close button (or Esc inside it) hides it."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = Kind.INFO
        self.setAccessibleName("Message")
        self._icon = QLabel(self)
        self._text = QLabel(self)
        self._text.setWordWrap(True)
        self._text.setTextFormat(Qt.TextFormat.PlainText)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._close = QToolButton(self)
        self._close.setIcon(icon("close"))
        self._close.setAutoRaise(True)
        self._close.setToolTip("Dismiss")
        self._close.setAccessibleName("Dismiss message")
        self._close.clicked.connect(self.on_close_clicked)
        layout = QHBoxLayout(self)
        margin = self.fontMetrics().height() // 2
        layout.setContentsMargins(margin, margin // 2, margin // 2, margin // 2)
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self._text, 1)
        layout.addWidget(self._close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    @property
    def text(self) -> str:
        return self._text.text()

    def show_error(self, message: str) -> None:
        self.show_message(message, Kind.ERROR)

    def show_info(self, message: str) -> None:
        self.show_message(message, Kind.INFO)

    def show_message(self, message: str, kind: Kind = Kind.INFO) -> None:
        self.kind = kind
        self._text.setText(message)
        side = self.fontMetrics().height()
        self._icon.setPixmap(icon(kind.icon_name).pixmap(side, side))
        self.setAccessibleDescription(message)
        self.show()
        self.update()

    def on_close_clicked(self) -> None:
        self.hide()
        self.dismissed.emit()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        base = self.palette().color(QPalette.ColorRole.Window)
        painter.setBrush(mix(base, self.kind.color, 0.18))
        painter.setPen(mix(base, self.kind.color, 0.7))
        radius = self.fontMetrics().height() / 3
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
        painter.end()
