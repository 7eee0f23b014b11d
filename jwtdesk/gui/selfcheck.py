"""``jwtdesk-gui --self-check``: Qt's platform plugins, SVG support and the app icon load.

Run by ``jwtdesk doctor --self-check`` in a child process (the CLI never imports Qt). It starts
Qt on the offscreen platform (no display needed), then loads every platform plugin it can find
with ``QPluginLoader``: loading resolves the plugin's shared libraries, so a missing system
library (e.g. libxcb-cursor0 for xcb) fails here with the loader's message. Prints one JSON
document: ``{"checks": [{"name", "ok", "detail"}...]}``; exit 0 when every check passed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# The plugins a desktop session on each platform needs; offscreen is what the checks run on.
REQUIRED = {
    "linux": ("xcb", "offscreen"),
    "win32": ("windows", "offscreen"),
    "darwin": ("cocoa", "offscreen"),
}


def plugin_name(path: Path) -> str:
    """``libqxcb.so`` -> ``xcb``; ``qwindows.dll`` -> ``windows``."""
    stem = path.name.split(".")[0]
    return stem.removeprefix("lib").removeprefix("q")


def platform_plugins() -> dict[str, Path]:
    from PySide6.QtCore import QCoreApplication

    found: dict[str, Path] = {}
    for folder in QCoreApplication.libraryPaths():
        for path in sorted((Path(folder) / "platforms").glob("*")):
            if path.suffix in {".so", ".dll", ".dylib"}:
                found.setdefault(plugin_name(path), path)
    return found


def check_plugins(platform: str = sys.platform) -> list[dict[str, object]]:
    from PySide6.QtCore import QPluginLoader

    found = platform_plugins()
    rows: list[dict[str, object]] = []
    for name in REQUIRED.get(platform, REQUIRED["linux"]):
        if name not in found:
            rows.append({"name": f"Qt platform {name}", "ok": False, "detail": "not shipped"})
    for name, path in found.items():
        loader = QPluginLoader(str(path))
        ok = loader.load()
        detail = "loads" if ok else loader.errorString()
        required = name in REQUIRED.get(platform, ())
        # An optional plugin (wayland, vnc...) that cannot load is reported, not failed:
        # Qt falls back to xcb when wayland's libraries are missing.
        rows.append({"name": f"Qt platform {name}", "ok": ok or not required, "detail": detail})
    return rows


def check_rendering() -> list[dict[str, object]]:
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QImageReader

    from jwtdesk.gui.icons import app_icon

    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    pixmap = app_icon().pixmap(64, 64)
    image = pixmap.toImage()
    painted = not pixmap.isNull() and image.pixelColor(32, 32).alpha() > 0
    return [
        {"name": "Qt", "ok": True, "detail": f"Qt {qVersion()}"},
        {
            "name": "Qt SVG images",
            "ok": "svg" in formats,
            "detail": "svg" if "svg" in formats else "no svg image format plugin",
        },
        {"name": "app icon", "ok": painted, "detail": "renders" if painted else "blank"},
    ]


def check_versions() -> list[dict[str, object]]:
    """The About box's versions: a frozen app without a package's metadata shows
    "not installed" there."""
    from jwtdesk.gui.help import versions

    rows = versions("")[:6]
    missing = [name for name, value in rows if value == "not installed"]
    shown = ", ".join(f"{name} {value}" for name, value in rows)
    detail = f"no metadata for {', '.join(missing)}" if missing else shown
    return [{"name": "About box versions", "ok": not missing, "detail": detail}]


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication([sys.argv[0], "-platform", "offscreen"])
    checks = [*check_rendering(), *check_versions(), *check_plugins()]
    print(json.dumps({"checks": checks}))
    del app
    return 0 if all(c["ok"] for c in checks) else 1
