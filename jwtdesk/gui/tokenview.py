"""Small widgets shared by Inspect and Build: a token in coloured segments (header, payload,
signature, as jwt.io shows them), a custom-painted lifetime bar, and check/severity icons.

The findings list (delegate and view) is in :mod:`jwtdesk.gui.widgets.findings` and the
times a lifetime bar draws (:class:`Lifetime`, Qt-free) in :mod:`jwtdesk.gui.models.inspect_text`;
Build reuses both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import NamedTuple

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QIcon,
    QPainter,
    QPen,
    QPixmap,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextOption,
)
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from jwtdesk.gui.models.inspect_text import Lifetime

# jwt.io's colours, readable on light and dark palettes; JWE's extra segments get two more.
SEGMENT_COLOURS = ("#fb015b", "#d63aff", "#00b9f1", "#f5a623", "#2bb673")
JWS_NAMES = ("header", "payload", "signature")
JWE_NAMES = ("header", "encrypted key", "iv", "ciphertext", "tag")
_MAX_DOTS = 8  # more than a JWE has: the rest of a malformed token keeps the last colour


class Span(NamedTuple):
    """Where the token is in a document, and where its dots are (document positions)."""

    start: int
    end: int
    dots: tuple[int, ...]


def span_of(token: str, start: int) -> Span:
    dots: list[int] = []
    at = token.find(".")
    while at != -1 and len(dots) < _MAX_DOTS:
        dots.append(start + at)
        at = token.find(".", at + 1)
    return Span(start, start + len(token), tuple(dots))


def segment_names(count: int) -> tuple[str, ...]:
    if count == 5:
        return JWE_NAMES
    return JWS_NAMES if count == 3 else tuple(f"segment {i + 1}" for i in range(count))


Locate = Callable[[str], "Span | None"]


def whole_text(text: str) -> Span | None:
    """The whole document is the token (a token display)."""
    return span_of(text, 0) if text else None


class SegmentHighlighter(QSyntaxHighlighter):
    """Colours the token's segments where ``locate`` finds them; never changes the text.

    The span is found once per edit, before Qt re-colours the edited block, so that pass is
    already right: no second layout of a long token per keystroke. (``rehighlight`` would emit
    ``contentsChanged``, i.e. a second ``textChanged``, so it is used only when a span moves
    across blocks the edit did not touch.)
    """

    def __init__(self, edit: QPlainTextEdit, locate: Locate = whole_text) -> None:
        super().__init__(edit)  # a QObject parent, no document yet: see below
        document = edit.document()
        self._locate = locate
        self._span: Span | None = None
        self._old: Span | None = None
        self._dirty = True
        self._formats = []
        for colour in SEGMENT_COLOURS:
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            self._formats.append(fmt)
        # Connected before setDocument connects Qt's own re-colouring: it runs first.
        document.contentsChange.connect(self.on_document_contents_change)
        document.contentsChanged.connect(self.on_document_contents_changed)
        self.setDocument(document)

    def span(self) -> Span | None:
        if self._dirty:
            self._dirty = False
            self._old, self._span = self._span, self._locate(self.document().toPlainText())
        return self._span

    def _state(self) -> int:
        return hash(self._span) & 0x3FFFFFFF

    def on_document_contents_change(self, _pos: int, _removed: int, _added: int) -> None:
        self._dirty = True

    def on_document_contents_changed(self) -> None:
        """Re-colour blocks outside the edit that still show an older span."""
        span, old = self.span(), self._old
        if span == old:
            return
        self._old = span
        doc, state = self.document(), self._state()
        for area in (old, span):
            if area is None:
                continue
            block = doc.findBlock(area.start)
            while block.isValid() and block.position() <= area.end:
                if block.userState() != state:
                    self.rehighlightBlock(block)
                block = block.next()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        span = self.span()
        self.setCurrentBlockState(self._state())
        if span is None:
            return
        base = self.currentBlock().position()
        if span.end < base or span.start > base + len(text):
            return
        bounds = [span.start, *(d + 1 for d in span.dots), span.end + 1]
        for index in range(len(bounds) - 1):
            lo = max(bounds[index], base)
            hi = min(bounds[index + 1] - 1, span.end, base + len(text))
            if hi > lo:
                fmt = self._formats[min(index, len(self._formats) - 1)]
                self.setFormat(lo - base, hi - lo, fmt)


def monospace_edit(edit: QPlainTextEdit) -> None:
    """The system's fixed font (no pixel sizes), wrapping anywhere: tokens have no spaces."""
    edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    edit.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)


class TokenDisplay(QPlainTextEdit):
    """A read-only token in coloured segments (selectable, copyable)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        monospace_edit(self)
        self.highlighter = SegmentHighlighter(self)
        self.setAccessibleName("Token")

    def set_token(self, token: str) -> None:
        if token != self.toPlainText():
            self.setPlainText(token)

    def token(self) -> str:
        return self.toPlainText()


class SegmentLegend(QLabel):
    """A legend naming each coloured segment and its length."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setAccessibleName("Token segments")

    def set_segments(self, segments: Sequence[str]) -> None:
        if len(segments) < 2:
            self.clear()
            return
        names = segment_names(len(segments))
        parts = []
        for index, (name, text) in enumerate(zip(names, segments, strict=False)):
            colour = SEGMENT_COLOURS[min(index, len(SEGMENT_COLOURS) - 1)]
            parts.append(f'<span style="color:{colour}">■</span> {name} {len(text)}')
        self.setText(" &nbsp;·&nbsp; ".join(parts) + " characters")


# ---- icons --------------------------------------------------------------------------------

STATUS_COLOURS = {"passed": "#2e7d32", "failed": "#d32f2f", "skipped": "#8a8a8a"}
SEVERITY_COLOURS = {"error": "#d32f2f", "warning": "#ef8f00", "info": "#1e88e5"}
_ICON_PX = 64  # drawn large once; QIcon scales down to the style's small icon size


def _canvas() -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(_ICON_PX, _ICON_PX)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pixmap, painter


def _glyph_pen() -> QPen:
    pen = QPen(QColor("white"), _ICON_PX / 9)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _disc(painter: QPainter, colour: str) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(QRectF(2, 2, _ICON_PX - 4, _ICON_PX - 4))
    painter.setPen(_glyph_pen())


@cache
def status_icon(status: str) -> QIcon:
    """passed: a check in green; failed: a cross in red; skipped: a dash in grey."""
    pixmap, p = _canvas()
    _disc(p, STATUS_COLOURS.get(status, "#8a8a8a"))
    s = _ICON_PX
    if status == "passed":
        p.drawPolyline([QPointF(s * 0.28, s * 0.52), QPointF(s * 0.44, s * 0.68)])
        p.drawLine(QPointF(s * 0.44, s * 0.68), QPointF(s * 0.72, s * 0.34))
    elif status == "failed":
        p.drawLine(QPointF(s * 0.33, s * 0.33), QPointF(s * 0.67, s * 0.67))
        p.drawLine(QPointF(s * 0.67, s * 0.33), QPointF(s * 0.33, s * 0.67))
    else:
        p.drawLine(QPointF(s * 0.3, s * 0.5), QPointF(s * 0.7, s * 0.5))
    p.end()
    return QIcon(pixmap)


@cache
def severity_icon(severity: str) -> QIcon:
    """error: "!" on a red disc; warning: "!" on an amber triangle; info: "i" on blue."""
    pixmap, p = _canvas()
    s = _ICON_PX
    if severity == "warning":
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(SEVERITY_COLOURS["warning"]))
        p.drawPolygon([QPointF(s / 2, 3), QPointF(s - 3, s - 5), QPointF(3, s - 5)])
        p.setPen(_glyph_pen())
    else:
        _disc(p, SEVERITY_COLOURS.get(severity, SEVERITY_COLOURS["info"]))
    top, bottom = (0.3, 0.58) if severity != "info" else (0.46, 0.72)
    dot = 0.74 if severity != "info" else 0.3
    if severity == "warning":
        top, bottom, dot = 0.34, 0.62, 0.78
    p.drawLine(QPointF(s / 2, s * top), QPointF(s / 2, s * bottom))
    p.drawPoint(QPointF(s / 2, s * dot))
    p.end()
    return QIcon(pixmap)


# ---- lifetime bar -------------------------------------------------------------------------


class LifetimeBar(QWidget):
    """A horizontal bar from iat through nbf to exp with a marker at the as-of time."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._life: Lifetime | None = None
        self.setAccessibleName("Token lifetime")
        self.setMinimumHeight(self.fontMetrics().height() * 3 + 8)

    def set_lifetime(self, life: Lifetime | None) -> None:
        if life == self._life:
            return
        self._life = life
        text = life.summary() if life is not None else "No token."
        self.setToolTip(text)
        self.setAccessibleDescription(text)
        self.update()

    def lifetime(self) -> Lifetime | None:
        return self._life

    def paintEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        try:
            _paint_lifetime(painter, self, self._life)
        finally:
            painter.end()


def _domain(life: Lifetime) -> tuple[float, float, bool]:
    """(lo, hi, as-of inside): the times to draw; a far-off as-of time is pinned at an edge."""
    points = [t for t in (life.iat, life.nbf, life.exp) if t is not None]
    lo, hi = min(points), max(points)
    if hi - lo < 1:
        lo, hi = min(lo, life.at), max(hi, life.at)
    span = max(hi - lo, 60.0)
    inside = lo - span <= life.at <= hi + span
    if inside:
        lo, hi = min(lo, life.at), max(hi, life.at)
    pad = max(hi - lo, 60.0) * 0.06
    return lo - pad, hi + pad, inside


def _paint_lifetime(p: QPainter, widget: QWidget, life: Lifetime | None) -> None:
    pal = widget.palette()
    rect = QRectF(widget.rect()).adjusted(4, 4, -4, -4)
    if life is None or life.empty:
        p.setPen(pal.color(pal.ColorRole.PlaceholderText))
        text = "No token yet" if life is None else "No iat, nbf or exp: no lifetime to draw"
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        return
    fm = widget.fontMetrics()
    line = fm.height()
    lo, hi, inside = _domain(life)
    track = QRectF(rect.left(), rect.top() + line + 2, rect.width(), line * 0.8)

    def x(t: float) -> float:
        return track.left() + (t - lo) / (hi - lo) * track.width()

    start = life.nbf if life.nbf is not None else life.iat
    valid_from = x(start) if start is not None else track.left()
    valid_to = x(life.exp) if life.exp is not None else track.right()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(STATUS_COLOURS["skipped"]).lighter(150))
    p.drawRoundedRect(track, 3, 3)
    if life.leeway > 0:  # the skew allowed, drawn rather than hidden
        slack = life.leeway / (hi - lo) * track.width()
        p.setBrush(QColor(STATUS_COLOURS["passed"]).lighter(200))
        p.drawRect(QRectF(valid_from - slack, track.top(), valid_to - valid_from + 2 * slack,
                          track.height()))  # fmt: skip
    p.setBrush(QColor(STATUS_COLOURS["passed"]))
    p.drawRect(QRectF(valid_from, track.top(), max(valid_to - valid_from, 1.0), track.height()))
    if life.exp is not None:
        p.setBrush(QColor(STATUS_COLOURS["failed"]).lighter(130))
        p.drawRect(QRectF(valid_to, track.top(), track.right() - valid_to, track.height()))
    _ticks(p, widget, life, x, track)
    _marker(p, widget, life, x if inside else None, track)


_Scale = Callable[[float], float]


def _ticks(p: QPainter, widget: QWidget, life: Lifetime, x: _Scale, track: QRectF) -> None:
    pal = widget.palette()
    p.setPen(QPen(pal.color(pal.ColorRole.WindowText), 1))
    labels: dict[int, list[str]] = {}
    for name in ("iat", "nbf", "exp"):
        t = getattr(life, name)
        if t is not None:
            labels.setdefault(round(x(t)), []).append(name)
    if life.exp is None:
        labels.setdefault(round(track.right()), []).append("no exp →")
    last_right = -1e9
    fm = widget.fontMetrics()
    for pos in sorted(labels):
        text = ", ".join(labels[pos])
        p.drawLine(QPointF(pos, track.top()), QPointF(pos, track.bottom() + 3))
        width = fm.horizontalAdvance(text)
        left = min(max(pos - width / 2, track.left(), last_right + 6), track.right() - width)
        p.drawText(QPointF(left, track.bottom() + 3 + fm.ascent()), text)
        last_right = left + width


def _marker(p: QPainter, widget: QWidget, life: Lifetime, x: _Scale | None, track: QRectF) -> None:
    fm = widget.fontMetrics()
    name = "now" if life.live else "as of"
    if x is not None:
        pos = x(life.at)
    else:
        first = min(t for t in (life.iat, life.nbf, life.exp) if t is not None)
        before = life.at < first
        pos = track.left() if before else track.right()
        name = f"« {name}" if before else f"{name} »"
    pen = QPen(widget.palette().color(widget.palette().ColorRole.Highlight), 2)
    p.setPen(pen)
    p.drawLine(QPointF(pos, track.top() - 3), QPointF(pos, track.bottom() + 3))
    width = fm.horizontalAdvance(name)
    left = min(max(pos - width / 2, track.left()), track.right() - width)
    p.drawText(QPointF(left, track.top() - 4), name)
