"""Palette icons: drawn in the palette's text colour, each size and colour rendered once."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from jwtdesk.gui.icons import PaletteIconEngine, icon


def opaque_colors(pixmap: object) -> set[str]:
    image = pixmap.toImage()  # type: ignore[attr-defined]
    out = set()
    for x in range(image.width()):
        for y in range(image.height()):
            c = image.pixelColor(x, y)
            if c.alpha() == 255:
                out.add(c.name())
    return out


def test_icons_follow_the_palette_and_are_rendered_once_per_size_and_colour(
    qapp: QApplication,
) -> None:
    engine = PaletteIconEngine("rotate")
    renders: list[QSize] = []
    paint = engine.paint
    engine.paint = lambda painter, rect, mode, state: (  # type: ignore[method-assign]
        renders.append(rect.size()),
        paint(painter, rect, mode, state),
    )
    size = QSize(24, 24)
    first = engine.pixmap(size, QIcon.Mode.Normal, QIcon.State.Off)
    again = engine.pixmap(size, QIcon.Mode.Normal, QIcon.State.Off)
    assert len(renders) == 1 and again.cacheKey() == first.cacheKey()
    text = QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()
    assert opaque_colors(first) == {text}
    engine.pixmap(QSize(32, 32), QIcon.Mode.Normal, QIcon.State.Off)
    engine.pixmap(size, QIcon.Mode.Disabled, QIcon.State.Off)
    assert len(renders) == 3  # another size, another colour: rendered once each
    saved = QGuiApplication.palette()
    try:
        dark = QPalette(saved)
        dark.setColor(QPalette.ColorRole.WindowText, QColor("#fafafa"))
        QApplication.setPalette(dark)
        light_on_dark = engine.pixmap(size, QIcon.Mode.Normal, QIcon.State.Off)
        assert opaque_colors(light_on_dark) == {"#fafafa"}  # a palette switch: new colour
    finally:
        QApplication.setPalette(saved)
    assert not icon("rotate").isNull()


def test_self_check_names_platform_plugins(qapp: object) -> None:
    from pathlib import Path

    from jwtdesk.gui.selfcheck import check_plugins, check_rendering, check_versions, plugin_name

    assert plugin_name(Path("libqxcb.so")) == "xcb"
    assert plugin_name(Path("qwindows.dll")) == "windows"
    rows = {r["name"]: r for r in [*check_rendering(), *check_versions(), *check_plugins("linux")]}
    assert rows["Qt platform offscreen"]["ok"]
    assert rows["Qt SVG images"]["ok"]
    assert rows["app icon"]["detail"] == "renders"
    assert rows["About box versions"]["ok"]
