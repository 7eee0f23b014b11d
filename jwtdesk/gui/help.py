"""Help (F1) and About: the views and shortcuts, and the versions of everything that matters."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import qVersion
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from jwtdesk import __version__
from jwtdesk.gui.icons import app_icon

VIEWS = (
    (
        "Keys",
        "Your keysets grouped by service and environment, with their versions. Create, "
        "rotate, retire, rename and delete; see the public key (PEM / JWK) and reveal or copy the "
        "secret, read from the OS keyring only when you ask.",
    ),
    (
        "Build",
        "Build and sign a token with the current key of a keyset; findings update as you type.",
    ),
    (
        "Inspect",
        "Paste a token (or a whole Authorization header), or drop a file holding one: decoded "
        "header and claims, "
        "which key verified it, claim checks and findings.",
    ),
    ("Export", "Write keys to .env files and JWKS, and check a file for drift."),
    (
        "Checklist",
        "The guides' security checklist evaluated item by item (pass, fail, unknown) with the "
        "fix; and a leak scan of a folder and its git history for the stored keys.",
    ),
)
SAFETY = (
    "Secrets show as •••••••• until revealed and hide again after 30 s, on selection change and "
    "when jwtdesk locks after idle time. A copied secret is cleared from the clipboard after "
    "30 s if it is still there. Settings never hold a token or a secret."
)


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def versions(backend: str) -> list[tuple[str, str]]:
    import PySide6

    return [
        ("jwtdesk", __version__),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("cryptography", package_version("cryptography")),
        ("PyJWT", package_version("PyJWT")),
        ("keyring", package_version("keyring")),
        ("Keyring backend", backend or "not checked yet"),
    ]


def about_html(backend: str) -> str:
    rows = "".join(
        f"<tr><td>{escape(k)}</td><td>&nbsp;&nbsp;<b>{escape(v)}</b></td></tr>"
        for k, v in versions(backend)
    )
    return (
        "<h3>jwtdesk</h3><p>JWT signing keys in the OS keyring: generate, store, rotate; "
        f"build and inspect tokens.</p><table>{rows}</table>"
    )


def help_html(actions: Sequence[QAction]) -> str:
    views = "".join(f"<dt><b>{escape(n)}</b></dt><dd>{escape(t)}</dd>" for n, t in VIEWS)
    keys = "".join(
        f"<tr><td><code>{escape(a.shortcut().toString())}</code></td>"
        f"<td>&nbsp;&nbsp;{escape(a.text().replace('&', '').rstrip('…'))}</td></tr>"
        for a in actions
        if not a.shortcut().isEmpty()
    )
    return (
        f"<h3>Views</h3><dl>{views}</dl><h3>Keyboard</h3><table>{keys}</table>"
        f"<h3>Secrets</h3><p>{escape(SAFETY)}</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, backend: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About jwtdesk")
        side = self.fontMetrics().height() * 4
        logo = QLabel(self)
        logo.setPixmap(app_icon().pixmap(side, side))
        self.text = QLabel(about_html(backend), self)
        self.text.setAccessibleName("Versions")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(logo)
        layout.addWidget(self.text)
        layout.addWidget(buttons)


class HelpDialog(QDialog):
    def __init__(self, actions: Sequence[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("jwtdesk help")
        self.browser = QTextBrowser(self)
        self.browser.setHtml(help_html(actions))
        self.browser.setAccessibleName("Help")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        em = self.fontMetrics().averageCharWidth()
        self.resize(em * 80, self.fontMetrics().height() * 34)
