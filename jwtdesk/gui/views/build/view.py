"""The Build view: pick a keyset and a preset, fill in the claims, and watch the signed token and
its lint findings update as you type.

The signing key is read from the keyring once, in the TaskRunner, when the view is shown with a
keyset selected; it stays in this view only (never in an item model) and is dropped when the
keyset changes, keysets change or the app locks. Signing runs on the GUI thread per edit (HMAC
and EC take microseconds, RSA-4096 a few milliseconds). Nothing is persisted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any, NamedTuple

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from jwtdesk.core import tokens
from jwtdesk.core.errors import JwtdeskError
from jwtdesk.core.inspect import Expectations, inspect
from jwtdesk.core.keyfile import Candidate, SigningMaterial, from_public_key
from jwtdesk.core.keysets import KeySet, KeyVersion
from jwtdesk.core.secret import Secret
from jwtdesk.gui.clipboard import ClipboardGuard
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.models.error_text import for_people
from jwtdesk.gui.models.inspect import FindingsModel
from jwtdesk.gui.models.inspect_text import Lifetime
from jwtdesk.gui.tasks import Task
from jwtdesk.gui.tokenview import LifetimeBar, SegmentLegend, TokenDisplay, monospace_edit
from jwtdesk.gui.views.build.form import ClaimForm, JsonProblem, TimeField
from jwtdesk.gui.views.build.text import absolute, decoded, lifetime_warning
from jwtdesk.gui.widgets.banner import Banner
from jwtdesk.gui.widgets.findings import FindingsView
from jwtdesk.services.changes import Change, Kind

EMPTY_TEXT = "No keysets yet — create one in Keys (Ctrl+N)."
WARNING_COLOR = "#b26a00"


class _SigningKey(NamedTuple):
    keyset: str
    version: KeyVersion
    key: SigningMaterial  # a Secret (HMAC) or a private key; dropped on lock
    candidate: Candidate  # its public half, to verify and lint what was signed


class BuildView(QWidget):
    token_built = Signal(str)  # a new token is shown (empty: none)
    token_copied = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        clipboard: ClipboardGuard | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        # A token is a bearer credential: it is copied as a secret (hint, countdown, cleared
        # on lock and quit), with the guard the main window shares between views.
        self.clipboard = clipboard or ClipboardGuard(self)
        self._copied = False
        self.findings_model = FindingsModel(self)
        self._keysets: dict[str, KeySet] = {}
        self._signing: _SigningKey | None = None
        self._task: Task | None = None
        self._selected: str | None = None  # the keyset the form's preset was defaulted for
        self._token = ""
        self._build_widgets()
        self._lay_out()
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.on_tick_timeout)
        self.keyset_combo.currentIndexChanged.connect(self.on_keyset_combo_current_index_changed)
        self.form.form_changed.connect(self.on_form_form_changed)
        self.copy_button.clicked.connect(self.on_copy_button_clicked)
        self.unlock_button.clicked.connect(self.on_unlock_button_clicked)
        self.clipboard.countdown_changed.connect(self.on_clipboard_countdown_changed)
        self.clipboard.cleared.connect(self.on_clipboard_cleared)
        ctx.changed.connect(self.on_ctx_changed)
        ctx.locked_changed.connect(self.on_ctx_locked_changed)
        self.refresh_keysets()

    # -- construction -----------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.banner = Banner()
        self.keyset_combo = QComboBox()
        self.keyset_combo.setAccessibleName("Keyset to sign with")
        self.form = ClaimForm()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Build status")
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.hide()
        self.token_view = TokenDisplay()
        self.token_view.setAccessibleName("Signed token")
        self.legend = SegmentLegend()
        self.copy_button = QPushButton("&Copy token")
        self.copy_button.setEnabled(False)
        self.lifetime_bar = LifetimeBar()
        self.decoded = QPlainTextEdit()
        monospace_edit(self.decoded)
        self.decoded.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.decoded.setReadOnly(True)
        self.decoded.setAccessibleName("Decoded header and claims")
        self.decoded.setPlaceholderText("The decoded header and claims appear here.")
        self.findings_view = FindingsView(self.findings_model)
        self.findings_view.placeholder = "No findings for this token."

    def _lay_out(self) -> None:
        form_box = QWidget()
        fv = QVBoxLayout(form_box)
        row = QHBoxLayout()
        label = QLabel("&Keyset")
        label.setBuddy(self.keyset_combo)
        row.addWidget(label)
        row.addWidget(self.keyset_combo, 1)
        fv.addLayout(row)
        fv.addWidget(self.form, 1)
        scroll = QScrollArea()
        scroll.setWidget(form_box)
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields inside
        result = QWidget()
        rv = QVBoxLayout(result)
        rv.setContentsMargins(0, 0, 0, 0)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.unlock_button)
        rv.addLayout(status_row)
        rv.addWidget(self.token_view, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.legend, 1)
        actions.addWidget(self.copy_button)
        rv.addLayout(actions)
        rv.addWidget(self.lifetime_bar)
        decoded_label = QLabel("&Decoded")
        decoded_label.setBuddy(self.decoded)
        rv.addWidget(decoded_label)
        rv.addWidget(self.decoded, 2)
        rv.addWidget(QLabel("Findings"))
        rv.addWidget(self.findings_view, 2)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(result)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.empty_label = QLabel(f"<h3>Nothing to sign with</h3><p>{EMPTY_TEXT}</p>")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self.splitter)
        outer = QVBoxLayout(self)
        outer.addWidget(self.banner)
        outer.addWidget(self.stack, 1)

    # -- public API -------------------------------------------------------------------------

    def token(self) -> str:
        """The token shown ("" while there is none)."""
        return self._token

    def select_keyset(self, name: str) -> None:
        self.keyset_combo.setCurrentIndex(self.keyset_combo.findData(name))

    def refresh_keysets(self) -> None:
        """Fill the keyset picker from the index (no keyring read)."""
        current = self.keyset_combo.currentData()
        keysets = {ks.name: ks for ks in self.ctx.keys.keysets()}
        if keysets == self._keysets and self.keyset_combo.count() == len(keysets):
            self.rebuild()  # nothing new; reads the key if the view needs it now
            return
        self._keysets = keysets
        self.keyset_combo.blockSignals(True)
        self.keyset_combo.clear()
        for ks in self._keysets.values():
            kid = ks.current.kid if ks.current else "no current key"
            self.keyset_combo.addItem(f"{ks.name} — {ks.alg}, kid {kid[:16]}", ks.name)
        index = self.keyset_combo.findData(current)
        self.keyset_combo.setCurrentIndex(index if index >= 0 else 0)
        self.keyset_combo.blockSignals(False)
        self.stack.setCurrentIndex(1 if self._keysets else 0)
        self.on_keyset_combo_current_index_changed(self.keyset_combo.currentIndex())

    # -- building ---------------------------------------------------------------------------

    def keyset(self) -> KeySet | None:
        name = self.keyset_combo.currentData()
        return self._keysets.get(name) if isinstance(name, str) else None

    def rebuild(self) -> None:
        """Build, sign, verify and lint the token for the form as it is: runs per edit.

        A lifetime outside the preset's range is a warning (and the long-lifetime finding),
        never a refusal; every message is worked out again from the form, so none outlives
        the value it was about."""
        ks = self.keyset()
        extra = self.form.extra_claims()
        self.form.show_json_problem(extra if isinstance(extra, JsonProblem) else None)
        now = datetime.now(UTC)
        at, bad_time = self._check_times(now)
        if ks is None:
            return self._show(None, "")
        if isinstance(extra, JsonProblem):
            return self._show(None, "No token while the extra claims are not a JSON object.")
        if bad_time:
            return self._show(None, "No token while a time is not readable (see the field).")
        try:
            req = self.form.request(extra, at)
            claims = tokens.build_claims(req, now, strict=False)
        except JwtdeskError as exc:
            return self._show(None, for_people(exc))
        self._show_times(claims, now)
        signing = self._signing_key(ks)
        if signing is None:
            return None
        header = tokens.build_header(req, signing.version.kid)
        try:
            token = tokens.sign(claims, header, ks.alg, signing.key)
        except JwtdeskError as exc:
            return self._show(None, for_people(exc))
        status = f"Signed with keyset {ks.name} ({ks.alg}, kid {signing.version.kid})."
        warning = lifetime_warning(req.preset or tokens.Preset.ACCESS, claims)
        if warning:  # on a line of its own, in the warning colour; signed all the same
            status = (
                f"{escape(status)}<br><b style='color:{WARNING_COLOR}'>⚠ Warning: "
                f"{escape(warning)}.</b> Signed anyway: see the long-lifetime finding."
            )
        self._show(token, status)
        preset = req.preset if req.preset is not tokens.Preset.CUSTOM else None
        report = inspect(token, [signing.candidate], Expectations(at=now, preset=_value(preset)))
        self.findings_model.set_findings(report.findings)
        self.decoded.setPlainText(decoded(report.token.header, report.token.claims))
        self.lifetime_bar.set_lifetime(Lifetime.from_claims(claims, int(now.timestamp()), 0, True))
        return None

    def _fields(self) -> tuple[tuple[str, TimeField], ...]:
        f = self.form
        return (("iat", f.iat_field), ("exp", f.exp_field), ("nbf", f.nbf_field))

    def _check_times(self, now: datetime) -> tuple[datetime | None, bool]:
        """The issue time, and whether a time field is unreadable: each field's note says what
        is wrong with it now, or nothing (a half-typed value's error goes when it is fixed)."""
        at, bad = None, False
        for name, field in self._fields():
            text = field.value()
            try:
                when = tokens.parse_time(text, at or now) if text else None
            except JwtdeskError as exc:
                field.set_note(for_people(exc), error=True)
                bad = True
                continue
            field.set_note("")
            if name == "iat":
                at = when
        return at, bad

    def _show_times(self, claims: dict[str, Any], now: datetime) -> None:
        """Under exp and nbf (and a given iat): the absolute time the field stands for."""
        for name, field in self._fields():
            value = claims.get(name)
            if name == "iat" and not field.value():
                continue
            field.set_note(absolute(value, now) if isinstance(value, int) else "")

    def _show(self, token: str | None, status: str) -> None:
        self.status.setText(status)
        self.token_view.setPlaceholderText(status or "The signed token appears here.")
        self.unlock_button.setVisible(self.ctx.locked and self.keyset() is not None)
        new = token or ""
        if token is None:
            self.findings_model.set_findings(())
            self.lifetime_bar.set_lifetime(None)
            self.decoded.clear()
        self.token_view.set_token(new)
        self.legend.set_segments(new.split(".") if new else ())
        self.copy_button.setEnabled(bool(new))
        if new != self._token:
            self._token = new
            self.token_built.emit(new)

    def _signing_key(self, ks: KeySet) -> _SigningKey | None:
        """The cached key, or None after asking the runner for it (the status says why)."""
        if self._signing is not None and self._signing.keyset == ks.name:
            return self._signing
        if self.ctx.locked:
            self._show(None, "Keyring locked — Unlock to sign with the stored key.")
        elif self._task is not None:
            self._show(None, "Reading the signing key from the keyring…")
        elif self.isVisible():
            self._fetch(ks)
            self._show(None, "Reading the signing key from the keyring…")
        else:
            self._show(None, "")
        return None

    def _fetch(self, ks: KeySet) -> None:
        keys, name = self.ctx.keys, ks.name

        def load() -> _SigningKey:
            version, key = keys.signing_key(name)
            return _SigningKey(name, version, key, _public(ks, version, key))

        self._task = self.ctx.runner.run(
            load, self.on_fetch_done, self.on_fetch_failed, label=f"Reading the key of {name}"
        )

    def _drop_key(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._task, self._signing = None, None

    # -- slots ------------------------------------------------------------------------------

    def on_fetch_done(self, signing: _SigningKey) -> None:
        if not shiboken6.isValid(self):
            return  # the view closed while the keyring was read
        self._task = None
        self.banner.hide()
        ks = self.keyset()
        if ks is not None and ks.name == signing.keyset and not self.ctx.locked:
            self._signing = signing
        self.rebuild()

    def on_fetch_failed(self, error: JwtdeskError) -> None:
        if not shiboken6.isValid(self):
            return
        self._task = None
        self.banner.show_error(f"Cannot sign: {for_people(error)}")
        self._show(None, "No signing key.")

    def on_keyset_combo_current_index_changed(self, _index: int) -> None:
        ks = self.keyset()
        name = ks.name if ks is not None else None
        if name != self._selected:
            self._drop_key()  # the cached key belongs to the keyset that was selected
            self._selected = name
            if ks is not None:
                self.form.set_preset(tokens.preset_for(ks.purpose))  # as `jwtdesk token`
        self.rebuild()

    def on_form_form_changed(self) -> None:
        self.rebuild()

    def on_copy_button_clicked(self) -> None:
        if self._token:
            self._copied = True
            self.clipboard.copy_secret(self._token)
            left = self.clipboard.seconds_left
            self.ctx.post_status(f"Token copied; the clipboard is cleared in {left} s.")
            self.token_copied.emit(self._token)

    def on_clipboard_countdown_changed(self, seconds: int) -> None:
        if self._copied:
            self.copy_button.setText(f"Copied — clears in {seconds} s")

    def on_clipboard_cleared(self, _wiped: bool) -> None:
        self._copied = False
        self.copy_button.setText("&Copy token")

    def on_unlock_button_clicked(self) -> None:
        self.ctx.set_locked(False)

    def on_ctx_changed(self, change: Change) -> None:
        if change.touches(Kind.KEYSETS):  # profiles and connections do not concern it
            self.on_ctx_keysets_changed()

    def on_ctx_keysets_changed(self) -> None:
        self._drop_key()  # a rotation makes another version current
        self.refresh_keysets()

    def on_ctx_locked_changed(self, locked: bool) -> None:
        if locked:
            self._drop_key()
        self.rebuild()

    def on_tick_timeout(self) -> None:
        self.lifetime_bar.set_lifetime(self._lifetime_now())

    def _lifetime_now(self) -> Lifetime | None:
        life = self.lifetime_bar.lifetime()
        if life is None:
            return None
        return life._replace(at=float(int(datetime.now(UTC).timestamp())))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._tick.start()
        self.refresh_keysets()  # keysets made elsewhere; reads the key if none is cached

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        super().hideEvent(event)
        self._tick.stop()


def _public(ks: KeySet, version: KeyVersion, key: SigningMaterial) -> Candidate:
    """The verifying half of a signing key, bound to the keyset's alg (RFC 8725 §3.1). An HMAC
    key is the same Secret object: the view never holds its bytes."""
    label = f"keyset {ks.name} kid {version.kid}"
    if isinstance(key, Secret):
        return Candidate(label, ks.algorithm.kty, key, kid=version.kid, alg=ks.alg)
    return from_public_key(key.public_key(), label, kid=version.kid, alg=ks.alg)


def _value(preset: tokens.Preset | None) -> str | None:
    # A custom token has no threshold of its own: lint it as a token of unknown kind.
    return preset.value if preset is not None else None
