"""State badges (current / previous / retired / weak / rotation due / due soon) drawn as pills
in a tree column."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from jwtdesk.gui.widgets.banner import mix

STATE_COLORS = {
    "current": QColor(46, 160, 67),
    "previous": QColor(47, 129, 247),
    "retired": QColor(128, 128, 128),
    "due": QColor(218, 54, 51),
    "weak": QColor(218, 54, 51),
    "soon": QColor(219, 140, 0),
    "ok": QColor(46, 160, 67),
    "none": QColor(128, 128, 128),
}


def state_color(state: str) -> QColor:
    return STATE_COLORS.get(state, STATE_COLORS["none"])


class BadgeDelegate(QStyledItemDelegate):
    """Paints the display text as a rounded badge tinted by the state in ``state_role``."""

    def __init__(self, state_role: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state_role = state_role

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        text = index.data(Qt.ItemDataRole.DisplayRole)
        state = index.data(self.state_role)
        if not text or not state:
            super().paint(painter, option, index)
            return
        # Selection background and focus as the style draws them, then the badge on top.
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        metrics = option.fontMetrics
        pad = metrics.height() / 2
        width = metrics.horizontalAdvance(str(text)) + 2 * pad
        height = metrics.height() + 2
        rect = QRectF(option.rect)
        badge = QRectF(rect.left() + pad / 2, rect.center().y() - height / 2, width, height)
        base = option.palette.color(QPalette.ColorRole.Base)
        color = state_color(str(state))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(mix(base, color, 0.8))
        painter.setBrush(mix(base, color, 0.22))
        painter.drawRoundedRect(badge, height / 2, height / 2)
        painter.setPen(option.palette.color(QPalette.ColorRole.Text))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(text))
        painter.restore()

    def sizeHint(  # noqa: N802 (Qt API)
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        metrics = option.fontMetrics
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        width = metrics.horizontalAdvance(text) + 2 * metrics.height()
        return QSize(max(size.width(), width), max(size.height(), metrics.height() + 6))
