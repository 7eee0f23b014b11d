"""SVG icons from ``jwtdesk/resources/icons`` drawn in the palette's colours.

The monochrome icons use ``currentColor``; :class:`PaletteIconEngine` substitutes the current
palette's text colour (or its disabled / highlighted-text colour) each time it paints, so the
icons follow a light/dark palette switch with no reload. The app icon keeps its own colours.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

APP_ICON = "jwtdesk"
# Next to the package's modules (not importlib.resources: it costs ~25 ms at start-up).
ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
# Not Qt.GlobalColor.transparent: the first use of ``Qt`` costs ~20 ms, and the icons of the
# first frame are drawn before anything else needs it (start-up time).
TRANSPARENT = QColor(0, 0, 0, 0)


@cache
def svg_source(name: str) -> bytes:
    """The bytes of ``icons/<name>.svg`` shipped in the package."""
    return (ICONS / f"{name}.svg").read_bytes()


def _color_for(mode: QIcon.Mode) -> QColor:
    palette = QGuiApplication.palette()
    if mode is QIcon.Mode.Disabled:
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    if mode is QIcon.Mode.Selected:
        return palette.color(QPalette.ColorRole.HighlightedText)
    return palette.color(QPalette.ColorRole.WindowText)


class PaletteIconEngine(QIconEngine):
    """Renders one monochrome SVG in the colour the palette gives for the icon's mode."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name
        self._renderers: dict[str, QSvgRenderer] = {}
        # Toolbars, lists and buttons ask for pixmaps on every repaint: render each size and
        # colour once (an SVG render costs ~0.3 ms, and an enable/disable repaints them all).
        self._pixmaps: dict[tuple[int, int, str], QPixmap] = {}

    def _renderer(self, mode: QIcon.Mode) -> QSvgRenderer:
        color = _color_for(mode).name()
        renderer = self._renderers.get(color)
        if renderer is None:
            data = svg_source(self._name).replace(b"currentColor", color.encode("ascii"))
            renderer = QSvgRenderer(QByteArray(data))
            self._renderers[color] = renderer
        return renderer

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        side = min(rect.width(), rect.height())
        square = QRect(0, 0, side, side)
        square.moveCenter(rect.center())
        self._renderer(mode).render(painter, square)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        key = (size.width(), size.height(), _color_for(mode).name())
        cached = self._pixmaps.get(key)
        if cached is None:
            cached = QPixmap(size)
            cached.fill(TRANSPARENT)
            painter = QPainter(cached)
            self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
            painter.end()
            self._pixmaps[key] = cached
        return cached

    def clone(self) -> QIconEngine:
        return PaletteIconEngine(self._name)

    def key(self) -> str:
        return "jwtdesk-palette-svg"


def icon(name: str) -> QIcon:
    """A palette-coloured icon, e.g. ``icon("rotate")``."""
    return QIcon(PaletteIconEngine(name))


def app_icon() -> QIcon:
    """The application icon in its own colours, rendered at the usual sizes."""
    renderer = QSvgRenderer(QByteArray(svg_source(APP_ICON)))
    out = QIcon()
    for side in (16, 24, 32, 48, 64, 128, 256):
        pixmap = QPixmap(side, side)
        pixmap.fill(TRANSPARENT)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        out.addPixmap(pixmap)
    return out
