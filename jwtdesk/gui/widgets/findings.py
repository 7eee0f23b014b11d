"""The findings list, read like a linter's: severity icon, one sentence, then the rule id and
a reference link. Selecting a finding reports where it points ("claims.exp") so the view can
highlight that claim; the reference opens in the browser. Used by Inspect and Build.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QMouseEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from jwtdesk.gui.models.inspect import FindingsModel

Index = QModelIndex | QPersistentModelIndex
_PAD = 4


class FindingDelegate(QStyledItemDelegate):
    """Paints a finding on two lines; a click on the reference emits its URL."""

    reference_activated = Signal(str)

    def _metrics(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, int]:
        small = QFont(option.font)
        size = option.font.pointSizeF()
        if size > 0:
            small.setPointSizeF(size * 0.9)
        icon = option.widget.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        return option.font, small, icon

    def _layout(self, option: QStyleOptionViewItem, index: Index) -> tuple[QRect, QRect, QRect]:
        font, small, icon = self._metrics(option)
        rect = option.rect.adjusted(_PAD, _PAD, -_PAD, -_PAD)
        icon_rect = QRect(rect.left(), rect.top(), icon, icon)
        text_left = rect.left() + icon + 2 * _PAD
        width = max(rect.right() - text_left, 40)
        message = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        flags = int(Qt.TextFlag.TextWordWrap)
        msg = QFontMetrics(font).boundingRect(
            QRect(text_left, rect.top(), width, 10_000), flags, message
        )
        meta_h = QFontMetrics(small).height()
        meta = QRect(text_left, msg.bottom() + 2, width, meta_h)
        return icon_rect, QRect(text_left, rect.top(), width, msg.height()), meta

    def _meta(self, index: Index) -> tuple[str, str, str | None]:
        rule = str(index.data(FindingsModel.RuleIdRole) or "")
        ref = str(index.data(FindingsModel.ReferenceRole) or "")
        url = index.data(FindingsModel.ReferenceUrlRole)
        return rule, ref, url if isinstance(url, str) else None

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        style = opt.widget.style()
        opt.text, opt.icon = "", type(opt.icon)()  # the background and focus only
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        icon_rect, msg_rect, meta_rect = self._layout(option, index)
        _, small, _ = self._metrics(option)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        pal = option.palette
        text_role = pal.ColorRole.HighlightedText if selected else pal.ColorRole.Text
        painter.save()
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        if icon is not None:
            icon.paint(painter, icon_rect)
        painter.setPen(pal.color(text_role))
        painter.setFont(option.font)
        message = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        painter.drawText(msg_rect, int(Qt.TextFlag.TextWordWrap), message)
        rule, ref, url = self._meta(index)
        painter.setFont(small)
        muted = pal.color(text_role if selected else pal.ColorRole.PlaceholderText)
        painter.setPen(muted)
        fm = QFontMetrics(small)
        prefix = f"{rule}  ·  "
        painter.drawText(meta_rect, 0, prefix)
        link = QFont(small)
        link.setUnderline(url is not None)
        painter.setFont(link)
        if url is not None and not selected:
            painter.setPen(pal.color(pal.ColorRole.Link))
        ref_rect = meta_rect.adjusted(fm.horizontalAdvance(prefix), 0, 0, 0)
        painter.drawText(
            ref_rect, 0, fm.elidedText(ref, Qt.TextElideMode.ElideRight, ref_rect.width())
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        opt = QStyleOptionViewItem(option)
        view = option.widget
        if isinstance(view, QAbstractItemView):
            opt.rect = QRect(0, 0, view.viewport().width(), 0)
        icon_rect, msg_rect, meta_rect = self._layout(opt, index)
        height = max(icon_rect.height(), meta_rect.bottom() - msg_rect.top()) + 2 * _PAD + 2
        return QSize(opt.rect.width(), height)

    def editorEvent(  # noqa: N802 - Qt override
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            rule, _, url = self._meta(index)
            _, _, meta_rect = self._layout(option, index)
            _, small, _ = self._metrics(option)
            left = meta_rect.left() + QFontMetrics(small).horizontalAdvance(f"{rule}  ·  ")
            point = event.position()
            if url and meta_rect.contains(point.toPoint()) and point.x() >= left:
                self.reference_activated.emit(url)
                return True
        return super().editorEvent(event, model, option, index)


class FindingsView(QListView):
    """The findings list; ``finding_selected(location)`` when one becomes current."""

    finding_selected = Signal(str)  # the location ("claims.exp"), "" when it names none
    reference_activated = Signal(str)

    def __init__(self, model: FindingsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.delegate = FindingDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setAccessibleName("Findings")
        self.placeholder = "No findings."
        self.delegate.reference_activated.connect(self.reference_activated)
        self.reference_activated.connect(self.on_self_reference_activated)
        self.selectionModel().currentChanged.connect(self.on_selection_current_changed)
        self.clicked.connect(self.on_self_clicked)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for text, slot in (
            ("Open reference", self.on_open_reference_triggered),
            ("Copy rule id", self.on_copy_rule_triggered),
        ):
            action = QAction(text, self)
            action.triggered.connect(slot)
            self.addAction(action)

    def on_selection_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.finding_selected.emit(current.data(FindingsModel.LocationRole) or "")

    def on_self_clicked(self, index: QModelIndex) -> None:
        # A click on the current row again highlights its claim again.
        if index.isValid() and index == self.currentIndex():
            self.finding_selected.emit(index.data(FindingsModel.LocationRole) or "")

    def on_self_reference_activated(self, url: str) -> None:
        QDesktopServices.openUrl(QUrl(url))

    def on_open_reference_triggered(self) -> None:
        url = self.currentIndex().data(FindingsModel.ReferenceUrlRole)
        if isinstance(url, str):
            self.reference_activated.emit(url)

    def on_copy_rule_triggered(self) -> None:
        rule = self.currentIndex().data(FindingsModel.RuleIdRole)
        if isinstance(rule, str):
            QGuiApplication.clipboard().setText(rule)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(self.palette().ColorRole.PlaceholderText))
            rect = self.viewport().rect().adjusted(8, 8, -8, -8)
            flags = int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter) | int(
                Qt.TextFlag.TextWordWrap
            )
            painter.drawText(rect, flags, self.placeholder)
            painter.end()

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.scheduleDelayedItemsLayout()  # wrapped heights depend on the width
