"""The details pane of the Keys view: facts, version timeline, public key, masked secret.

Public material comes from the index (the public JWK is stored there). The secret is read only
when the user asks (Reveal or Copy), in the TaskRunner; it lives in the secret field while
shown and is dropped on re-mask, selection change and lock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.core.errors import JwtdeskError
from jwtdesk.core.keysets import (
    KeySet,
    KeyVersion,
    State,
    format_period,
    jwks,
    jwks_text,
    public_jwk,
)
from jwtdesk.core.weak import key_weakness
from jwtdesk.gui.clipboard import ClipboardGuard
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.icons import icon
from jwtdesk.gui.tasks import Task
from jwtdesk.gui.widgets.badge import state_color
from jwtdesk.gui.widgets.secret_field import DEFAULT_REVEAL_MS, SecretField
from jwtdesk.gui.widgets.timeline import VersionTimeline
from jwtdesk.services import KeyService


def read_secret_text(keys: KeyService, name: str, kid: str, recheck: bool) -> str:
    """Worker side of Reveal/Copy: the HMAC key text, or the private key as PKCS#8 PEM.

    ``recheck``: after an idle lock, probe the keyring first (fails while it is locked).
    """
    _version, secret = keys.reveal(name, kid, recheck=recheck)
    return secret.reveal().decode("ascii", errors="replace")


FACTS = ("Service", "Purpose", "Rotation", "Rotate by", "Kid", "State", "Created", "Thumbprint")
NO_PUBLIC = "HMAC keys have no public part: share the secret only with the services that verify."


def when(t: datetime | None) -> str:
    return "—" if t is None else t.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def mono() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class KeyDetails(QWidget):
    """Passive: shows what it is given; reports keyring errors through ``error_raised``."""

    error_raised = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        clipboard: ClipboardGuard,
        parent: QWidget | None = None,
        reveal_timeout_ms: int = DEFAULT_REVEAL_MS,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.clipboard = ctx, clipboard
        self.keyset: KeySet | None = None
        self.version: KeyVersion | None = None
        self._task: Task | None = None
        self.due_soon_of: Callable[[], timedelta] = lambda: timedelta(0)  # set by the Keys view
        self._pages = QStackedWidget(self)
        self.placeholder = QLabel("Select a keyset to see its versions, public key and secret.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self._pages.addWidget(self.placeholder)
        self._reveal_ms = reveal_timeout_ms
        self._built = False  # the content page is built on the first selection (start-up)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._pages)
        ctx.locked_changed.connect(self.on_ctx_locked_changed)
        clipboard.countdown_changed.connect(self.on_clipboard_countdown_changed)
        clipboard.cleared.connect(self.on_clipboard_cleared)

    def prepare(self) -> None:
        """Build the content page now (the main window does this after start-up, in a step of
        its own, so that the first selection does not pay ~20 ms for it)."""
        self._ensure_content()

    def _ensure_content(self) -> None:
        if self._built:
            return
        self._built = True
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._build_content(self._reveal_ms))
        self._pages.addWidget(scroll)

    def _build_content(self, reveal_timeout_ms: int) -> QWidget:
        content = QWidget(self)
        self.title = QLabel(content)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.subtitle = QLabel(content)
        self.facts = QFormLayout()
        self.facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QLabel] = {}
        for key in FACTS:
            label = QLabel(content)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            if key in ("Kid", "Thumbprint"):
                label.setFont(mono())
            self.fields[key] = label
            self.facts.addRow(f"{key}:", label)
        self.fields["Thumbprint"].setToolTip("RFC 7638 JWK thumbprint (SHA-256, base64url)")
        self.timeline = VersionTimeline(content)
        layout = QVBoxLayout(content)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(self.facts)
        layout.addWidget(self._heading("History", content))
        layout.addWidget(self.timeline)
        self._build_public(content, layout)
        self._build_secret(content, layout, reveal_timeout_ms)
        layout.addStretch(1)
        return content

    def _build_public(self, content: QWidget, layout: QVBoxLayout) -> None:
        self.public = QTabWidget(content)
        self.public.setAccessibleName("Public key")
        self.pem = self._mono_text(content, "Public key PEM")
        self.jwk = self._mono_text(content, "Public key JWK")
        self.public.addTab(self.pem, "PEM")
        self.public.addTab(self.jwk, "JWK")
        self.no_public = QLabel(NO_PUBLIC, content)
        self.no_public.setWordWrap(True)
        self.copy_public = QPushButton(icon("copy"), "Copy public key", content)
        self.copy_public.clicked.connect(self.on_copy_public_clicked)
        self.copy_jwks = QPushButton(icon("copy"), "Copy JWKS", content)
        self.copy_jwks.setToolTip("The public keys that verify: current and previous, as a JWKS")
        self.copy_jwks.clicked.connect(self.on_copy_jwks_clicked)
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_public)
        copy_row.addWidget(self.copy_jwks)
        copy_row.addStretch(1)
        layout.addWidget(self._heading("Public key", content))
        layout.addWidget(self.public)
        layout.addWidget(self.no_public)
        layout.addLayout(copy_row)

    def _build_secret(self, content: QWidget, layout: QVBoxLayout, reveal_timeout_ms: int) -> None:
        self.secret_label = self._heading("Secret", content)
        self.secret = SecretField(content, reveal_timeout_ms)
        self.secret.reveal_requested.connect(self.on_secret_reveal_requested)
        self.secret.copy_requested.connect(self.on_secret_copy_requested)
        self.secret_note = QLabel(content)
        self.secret_note.setWordWrap(True)
        layout.addWidget(self.secret_label)
        layout.addWidget(self.secret)
        layout.addWidget(self.secret_note)

    def _heading(self, text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label

    def _mono_text(self, parent: QWidget, name: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(parent)
        edit.setReadOnly(True)
        edit.setFont(mono())
        edit.setAccessibleName(name)
        edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * 8)
        return edit

    # --- showing -----------------------------------------------------------------------------

    def show_keyset(self, keyset: KeySet | None, version: KeyVersion | None = None) -> None:
        """Show ``keyset`` (its ``version``, or the current one); None shows the placeholder."""
        self._drop_secret()
        self.keyset = keyset
        self.version = version or (keyset.current if keyset else None)
        if keyset is None:
            self._pages.setCurrentIndex(0)
            return
        self._ensure_content()
        self._pages.setCurrentIndex(1)
        now = datetime.now().astimezone()
        self.title.setText(keyset.name)
        self.subtitle.setText(f"{keyset.alg} · {keyset.algorithm.size_label(self._size())}")
        self._fill_facts(keyset, self.version, now)
        self.timeline.set_keyset(keyset, now)
        self._fill_public(keyset, self.version)
        self._fill_secret(keyset, self.version)

    def _due_soon(self) -> timedelta:
        """The "rotation due soon" threshold (Preferences), as the Keys table flags it."""
        return self.due_soon_of()

    def _size(self) -> int | None:
        return self.version.size if self.version is not None else None

    def _fill_facts(self, ks: KeySet, v: KeyVersion | None, now: datetime) -> None:
        f = self.fields
        f["Service"].setText(" · ".join(x for x in (ks.service, ks.environment) if x) or "—")
        f["Purpose"].setText(ks.purpose.value)
        f["Rotation"].setText(f"every {format_period(ks.rotation_period)}")
        due = ks.rotate_by()
        soon = self._due_soon()
        if ks.rotation_due(now):
            color = state_color("due").name()
            overdue = f"{escape(when(due))} — rotation due"
            f["Rotate by"].setText(f'<b style="color:{color}">{overdue}</b>')
        elif due is not None and soon > timedelta(0) and now >= due - soon:
            color = state_color("soon").name()
            text = f"{escape(when(due))} — rotation due soon"
            f["Rotate by"].setText(f'<b style="color:{color}">{text}</b>')
        else:
            f["Rotate by"].setText(escape(when(due)))
        f["Kid"].setText(v.kid if v else "—")
        weak = key_weakness(ks, v) if v is not None and v.state is not State.RETIRED else None
        state = escape(v.state.value) if v else "no current key"
        if weak:
            color = state_color("weak").name()
            state += f' — <b style="color:{color}">weak key</b>: {escape(weak)}'
        f["State"].setText(state)
        f["Created"].setText(when(v.created if v else ks.created))
        f["Thumbprint"].setText(self._thumbprint(v))

    def _thumbprint(self, v: KeyVersion | None) -> str:
        if v is None or v.public_jwk is None:
            return "— (HMAC keys have no public JWK; the kid is derived from the secret)"
        from jwtdesk.core.keys import thumbprint

        return thumbprint(v.public_jwk)

    def _fill_public(self, ks: KeySet, v: KeyVersion | None) -> None:
        has_public = v is not None and v.public_jwk is not None
        self.public.setVisible(has_public)
        self.copy_public.setVisible(has_public)
        self.copy_jwks.setVisible(has_public)
        self.no_public.setVisible(not has_public)
        if v is None or v.public_jwk is None:
            self.pem.clear()
            self.jwk.clear()
            return
        from jwtdesk.core.keys import public_pem

        self.pem.setPlainText(public_pem(v.public_jwk))
        self.jwk.setPlainText(json.dumps(public_jwk(ks, v), indent=2))

    def _fill_secret(self, ks: KeySet, v: KeyVersion | None) -> None:
        self.secret_label.setText("Secret" if ks.algorithm.is_symmetric else "Private key")
        usable = v is not None and v.state is not State.RETIRED
        self.secret.setEnabled(usable)
        self.secret.remask()
        if v is None:
            self.secret_note.setText("This keyset has no current key; rotate it to make one.")
        elif not usable:
            self.secret_note.setText("Retired: its secret was deleted from the OS keyring.")
        else:
            self.secret_note.setText("Read from the OS keyring only when you reveal or copy it.")

    def _drop_secret(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._built:
            self.secret.remask()

    # --- secret actions ----------------------------------------------------------------------

    def _read_secret(self, then: str) -> None:
        if self.keyset is None or self.version is None:
            return
        name, kid, recheck = self.keyset.name, self.version.kid, self.ctx.locked
        keys = self.ctx.keys

        def done(text: str) -> None:
            self._task = None
            if recheck:
                self.ctx.set_locked(False)
            if then == "reveal":
                self.secret.show_text(text)
            else:
                self._copy(text)

        self._task = self.ctx.runner.run(
            lambda: read_secret_text(keys, name, kid, recheck),
            done,
            self.on_read_failed,
            label=f"Reading the secret of {name}",
        )

    def on_read_failed(self, exc: JwtdeskError) -> None:
        self._task = None
        self.secret.remask()
        self.error_raised.emit(f"Could not read the secret: {exc}")

    def on_secret_reveal_requested(self) -> None:
        self._when_unlocked("reveal", lambda: self._read_secret("reveal"))

    def on_secret_copy_requested(self) -> None:
        if self.secret.revealed and not self.ctx.locked:
            self._copy(self.secret.shown_text)
        else:
            self._when_unlocked("copy", lambda: self._read_secret("copy"))

    def _when_unlocked(self, verb: str, action: Callable[[], None]) -> None:
        """While locked, ask first; the read then re-checks the keyring and unlocks."""
        from jwtdesk.gui.unlock import when_unlocked

        name = self.keyset.name if self.keyset is not None else "this keyset"
        what = f"{verb} the {self.secret_label.text().lower()} of {name}"
        when_unlocked(
            self.ctx, self, what, action, unlock_first=False, cancelled=self.secret.remask
        )

    def _copy(self, text: str) -> None:
        self.clipboard.copy_secret(text)
        left = self.clipboard.seconds_left
        self.ctx.post_status(f"Secret copied; the clipboard is cleared in {left} s", 3000)

    def on_clipboard_countdown_changed(self, seconds: int) -> None:
        if self._built:
            self.secret.set_copy_label(f"Copied — clears in {seconds} s")

    def on_clipboard_cleared(self, _wiped: bool) -> None:
        if self._built:
            self.secret.set_copy_label("Copy")

    def on_copy_public_clicked(self) -> None:
        edit = self.pem if self.public.currentIndex() == 0 else self.jwk
        self.clipboard.copy_plain(edit.toPlainText())
        self.ctx.post_status("Public key copied", 3000)

    def on_copy_jwks_clicked(self) -> None:
        ks = self.keyset
        if ks is None:
            return
        try:
            document = jwks([ks])
        except JwtdeskError as exc:
            self.error_raised.emit(str(exc))
            return
        self.clipboard.copy_plain(jwks_text(document))
        self.ctx.post_status(f"JWKS of {ks.name} copied ({len(document['keys'])} key(s))", 3000)

    def on_ctx_locked_changed(self, locked: bool) -> None:
        if locked:
            self._drop_secret()
