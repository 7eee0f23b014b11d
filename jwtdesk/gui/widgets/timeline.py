"""A keyset's history as a small custom-painted timeline, one lane per version.

Each lane runs from the version's activation: solid while it signed (until the next version was
activated), lighter while it only verified (as ``previous``), ending at its retirement or at
now. A dashed line marks the rotate-by date (red once passed), a solid one marks now.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from jwtdesk.core.keysets import KeySet, KeyVersion, State
from jwtdesk.gui.widgets.badge import state_color
from jwtdesk.gui.widgets.banner import mix

MAX_LANES = 5
_Scale = Callable[[datetime], float]


def _day(t: datetime) -> str:
    return t.astimezone().strftime("%Y-%m-%d")


class Lane:
    __slots__ = ("end", "signed_until", "start", "version")

    def __init__(
        self, version: KeyVersion, start: datetime, signed_until: datetime, end: datetime
    ) -> None:
        self.version, self.start, self.signed_until, self.end = version, start, signed_until, end


def lanes_of(keyset: KeySet, now: datetime) -> list[Lane]:
    """The last ``MAX_LANES`` versions in activation order, with their signing/verifying spans."""
    ordered = sorted(keyset.versions, key=lambda v: v.activated or v.created)
    lanes = []
    for n, version in enumerate(ordered):
        start = version.activated or version.created
        nxt = ordered[n + 1] if n + 1 < len(ordered) else None
        end = version.retired if version.state is State.RETIRED and version.retired else now
        signed = (nxt.activated or nxt.created) if nxt is not None else end
        lanes.append(Lane(version, start, min(signed, end), max(end, start)))
    return lanes[-MAX_LANES:]


def describe(keyset: KeySet, now: datetime) -> str:
    """One sentence per version, for screen readers and the tooltip."""
    parts = [f"{len(keyset.versions)} version(s)."]
    for lane in reversed(lanes_of(keyset, now)):
        v = lane.version
        text = f"{v.state.value} kid {v.kid[:8]}… since {_day(lane.start)}"
        if v.retired:
            text += f", retired {_day(v.retired)}"
        parts.append(text + ".")
    due = keyset.rotate_by()
    if due is not None:
        late = " (overdue)" if keyset.rotation_due(now) else ""
        parts.append(f"Rotate by {_day(due)}{late}.")
    return " ".join(parts)


class VersionTimeline(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._keyset: KeySet | None = None
        self._now = datetime.now().astimezone()
        self.setAccessibleName("Version timeline")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_keyset(self, keyset: KeySet | None, now: datetime) -> None:
        self._keyset, self._now = keyset, now
        text = describe(keyset, now) if keyset is not None else "No keyset selected."
        self.setAccessibleDescription(text)
        self.setToolTip(text)
        self.updateGeometry()
        self.update()

    def _lane_count(self) -> int:
        return len(lanes_of(self._keyset, self._now)) if self._keyset is not None else 1

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        line = self.fontMetrics().height()
        return QSize(line * 20, int(line * (1.6 * self._lane_count() + 2.6)))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(self.fontMetrics().height() * 12, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        if self._keyset is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        lanes = lanes_of(self._keyset, self._now)
        line = self.fontMetrics().height()
        label_w = self.fontMetrics().horizontalAdvance("previous 00000000…") + line
        area = QRectF(label_w, line * 0.3, self.width() - label_w - line, line * 1.6 * len(lanes))
        due = self._keyset.rotate_by()
        first = min(lane.start for lane in lanes)
        last = max([self._now, *(lane.end for lane in lanes), *([due] if due else [])])
        span = max((last - first).total_seconds(), timedelta(hours=1).total_seconds())

        def x(t: datetime) -> float:
            return area.left() + area.width() * (t - first).total_seconds() / span

        for n, lane in enumerate(reversed(lanes)):
            self._paint_lane(
                painter, lane, area.top() + n * line * 1.6, line=line, label_w=label_w, x=x
            )
        self._paint_markers(painter, area, line, x(self._now), x(due) if due else None)
        self._paint_axis(painter, area, line, first, last)
        painter.end()

    def _paint_lane(
        self, painter: QPainter, lane: Lane, top: float, *, line: int, label_w: float, x: _Scale
    ) -> None:
        text = self.palette().color(QPalette.ColorRole.WindowText)
        base = self.palette().color(QPalette.ColorRole.Window)
        color = state_color(lane.version.state.value)
        painter.setPen(text)
        label = f"{lane.version.state.value} {lane.version.kid[:8]}…"
        painter.drawText(QRectF(0, top, label_w, line * 1.2), Qt.AlignmentFlag.AlignVCenter, label)
        x0, x1, x2 = x(lane.start), x(lane.signed_until), x(lane.end)
        bar = QRectF(x0, top + line * 0.2, max(x1 - x0, 3.0), line * 0.8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(mix(base, color, 0.35))
        painter.drawRoundedRect(QRectF(x0, bar.top(), max(x2 - x0, 3.0), bar.height()), 3, 3)
        painter.setBrush(color)
        painter.drawRoundedRect(bar, 3, 3)
        painter.drawEllipse(QPointF(x0, bar.center().y()), line * 0.3, line * 0.3)

    def _paint_markers(
        self, painter: QPainter, area: QRectF, line: int, now_x: float, due_x: float | None
    ) -> None:
        text = self.palette().color(QPalette.ColorRole.WindowText)
        bottom = area.bottom() + line * 0.2
        if due_x is not None:
            overdue = self._keyset is not None and self._keyset.rotation_due(self._now)
            color = state_color("due") if overdue else mix(text, state_color("none"), 0.5)
            pen = QPen(color, 1.5, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(due_x, area.top()), QPointF(due_x, bottom))
            label = "rotation due" if overdue else "rotate by"
            self._label(painter, due_x, bottom, line=line, text=label, color=color)
        painter.setPen(QPen(text, 1.5))
        painter.drawLine(QPointF(now_x, area.top()), QPointF(now_x, bottom))
        if due_x is None or abs(due_x - now_x) > line * 4:
            self._label(painter, now_x, bottom, line=line, text="now", color=text)

    def _label(
        self, painter: QPainter, cx: float, top: float, *, line: int, text: str, color: QColor
    ) -> None:
        width = self.fontMetrics().horizontalAdvance(text) + 4
        left = min(max(cx - width / 2, 0.0), self.width() - width)
        painter.setPen(color)
        painter.drawText(QRectF(left, top, width, line * 1.2), Qt.AlignmentFlag.AlignCenter, text)

    def _paint_axis(
        self, painter: QPainter, area: QRectF, line: int, first: datetime, last: datetime
    ) -> None:
        color = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        painter.setPen(color)
        top = area.bottom() + line * 1.3
        box = QRectF(area.left(), top, area.width(), line * 1.2)
        painter.drawText(box, Qt.AlignmentFlag.AlignLeft, _day(first))
        painter.drawText(box, Qt.AlignmentFlag.AlignRight, _day(last))
