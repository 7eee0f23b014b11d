"""The Build view driven as a user does, signing with keysets in the in-memory keyring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from jwtdesk.core.keysets import Purpose
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.views.build.view import EMPTY_TEXT, BuildView
from jwtdesk.services.changes import Change, Origin


@pytest.fixture
def view(ctx: AppContext, qtbot: QtBot) -> BuildView:
    widget = BuildView(ctx)
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.show()
    return widget


def create(ctx: AppContext, name: str, alg: str, purpose: Purpose, size: int | None = None) -> None:
    ctx.keys.create(name, alg, size=size, purpose=purpose)


def wait_token(qtbot: QtBot, view: BuildView) -> str:
    qtbot.waitUntil(lambda: view.token() != "", timeout=10_000)
    return view.token()


def verify(ctx: AppContext, token: str, keyset: str) -> dict[str, object]:
    """Checked as the CLI checks: against the stored keyset, nothing else."""
    report = ctx.tokens.inspect(token, keysets=[keyset])
    assert report.valid, report.errors
    assert report.verified_by is not None and report.verified_by.keyset == keyset
    assert report.token.claims is not None
    return report.token.claims


def test_no_keysets_says_what_to_do_next(ctx: AppContext, view: BuildView) -> None:
    assert view.stack.currentWidget() is view.empty_label
    assert EMPTY_TEXT in view.empty_label.text() and "Ctrl+N" in EMPTY_TEXT
    assert view.token() == ""
    create(ctx, "api", "ES256", Purpose.ACCESS)
    assert view.stack.currentWidget() is view.splitter


def test_choose_keyset_and_preset_type_claims_and_the_token_verifies(
    ctx: AppContext, view: BuildView, qtbot: QtBot
) -> None:
    create(ctx, "api", "ES256", Purpose.ACCESS)
    create(ctx, "sessions", "HS384", Purpose.CUSTOM)
    view.keyset_combo.setFocus()
    qtbot.keyClicks(view.keyset_combo, "sessions")
    assert view.keyset().name == "sessions"  # type: ignore[union-attr]
    assert view.form.preset().value == "access"  # a custom keyset signs access tokens
    qtbot.keyClicks(view.form.preset_combo, "refresh")
    assert view.form.preset().value == "refresh"
    assert view.form.jti_check.isChecked() and not view.form.jti_check.isEnabled()
    qtbot.keyClicks(view.form.sub_edit, "alice")
    qtbot.keyClicks(view.form.iss_edit, "https://auth.example.com")
    qtbot.keyClicks(view.form.aud_edit, "orders, billing")
    token = wait_token(qtbot, view)
    claims = verify(ctx, token, "sessions")
    assert claims["sub"] == "alice" and claims["aud"] == ["orders", "billing"]
    assert claims["jti"] == view.form.jti  # stable across edits
    lifetime = int(claims["exp"]) - int(claims["iat"])  # type: ignore[call-overload]
    assert lifetime == 7 * 86400
    assert jwt.get_unverified_header(token)["alg"] == "HS384"
    assert "kid" in jwt.get_unverified_header(token)
    segments = view.legend.text()
    assert "header" in segments and "payload" in segments and "signature" in segments


def test_the_signing_key_is_read_once_not_per_keystroke(
    ctx: AppContext, view: BuildView, qtbot: QtBot
) -> None:
    calls: list[str] = []
    original = ctx.keys.signing_key

    def counting(name: object, kid: str | None = None) -> tuple[object, object]:
        calls.append(str(name))
        return original(name, kid)  # type: ignore[arg-type]

    ctx.keys.signing_key = counting  # type: ignore[method-assign]
    create(ctx, "api", "ES256", Purpose.ACCESS)
    wait_token(qtbot, view)
    seen = set()
    for char in "alice-and-bob":
        qtbot.keyClicks(view.form.sub_edit, char)
        seen.add(view.token())
    assert calls == ["api"] and len(seen) == len("alice-and-bob")
    assert verify(ctx, view.token(), "api")["sub"] == "alice-and-bob"


def test_extra_claims_json_errors_are_inline_and_no_token_is_made(
    ctx: AppContext, view: BuildView, qtbot: QtBot
) -> None:
    create(ctx, "api", "ES256", Purpose.ACCESS)
    wait_token(qtbot, view)
    view.form.claims_edit.setFocus()
    qtbot.keyClicks(view.form.claims_edit, '{"scope": "orders:read",')
    qtbot.keyClick(view.form.claims_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(view.form.claims_edit, ' "tenant" "acme"}')
    error = view.form.claims_error
    assert error.isVisible() and "line 2, column 11" in error.text() and "':'" in error.text()
    assert view.token() == "" and not view.copy_button.isEnabled()
    assert view.form.claims_edit.extraSelections()  # the spot is underlined
    # Fix it: the token comes back, with the claims.
    for _ in range(len(' "acme"}')):
        qtbot.keyClick(view.form.claims_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(view.form.claims_edit, ': "acme"}')
    assert not error.isVisible() and not view.form.claims_edit.extraSelections()
    claims = verify(ctx, view.token(), "api")
    assert claims["scope"] == "orders:read" and claims["tenant"] == "acme"
    view.form.claims_edit.setPlainText("[1, 2]")
    assert "must be a JSON object" in error.text() and view.token() == ""


def test_lint_findings_update_as_you_type(ctx: AppContext, view: BuildView, qtbot: QtBot) -> None:
    create(ctx, "api", "ES256", Purpose.ACCESS)
    wait_token(qtbot, view)
    ids = {f.id for f in view.findings_model.findings()}
    assert {"missing-aud", "missing-iss"} <= ids and "long-lifetime" not in ids
    qtbot.keyClicks(view.form.aud_edit, "orders")
    assert "missing-aud" not in {f.id for f in view.findings_model.findings()}
    # An access token should not live 30 days: the view warns, and still builds it.
    qtbot.keyClicks(view.form.exp_field.relative, "+30d")
    assert "Warning: access tokens live 15 min to 1 h; got 30 d" in view.status.text()
    claims = verify(ctx, view.token(), "api")
    assert int(claims["exp"]) - int(claims["iat"]) == 30 * 86400  # type: ignore[call-overload]
    findings = {f.id: f for f in view.findings_model.findings()}
    assert "long-lifetime" in findings and findings["long-lifetime"].severity.value == "warning"
    qtbot.keyClicks(view.form.claims_edit, '{"password": "hunter2"}')
    assert "sensitive-claim" in {f.id for f in view.findings_model.findings()}


def test_absolute_expiry_from_the_time_picker(
    ctx: AppContext, view: BuildView, qtbot: QtBot
) -> None:
    create(ctx, "api", "HS256", Purpose.CUSTOM)
    qtbot.keyClicks(view.form.preset_combo, "custom")
    when = (datetime.now(UTC) + timedelta(hours=5)).replace(microsecond=0)
    view.form.exp_field.set_at(when)
    token = wait_token(qtbot, view)
    assert verify(ctx, token, "api")["exp"] == int(when.timestamp())


def test_lock_drops_the_key_and_unlock_reads_it_again(
    ctx: AppContext, view: BuildView, qtbot: QtBot
) -> None:
    create(ctx, "api", "EdDSA", Purpose.ACCESS)
    wait_token(qtbot, view)
    ctx.set_locked(True)
    assert view.token() == "" and "locked" in view.status.text()
    assert view.unlock_button.isVisible()
    qtbot.keyClicks(view.form.sub_edit, "x")  # typing while locked signs nothing
    assert view.token() == ""
    qtbot.mouseClick(view.unlock_button, Qt.MouseButton.LeftButton)
    assert verify(ctx, wait_token(qtbot, view), "api")["sub"] == "x"


def test_a_rotation_signs_with_the_new_current_key(
    ctx: AppContext, view: BuildView, qtbot: QtBot
) -> None:
    create(ctx, "api", "ES256", Purpose.ACCESS)
    first = jwt.get_unverified_header(wait_token(qtbot, view))["kid"]
    ctx.keys.rotate("api")
    assert view.token() == ""  # the old key is dropped at once
    new = jwt.get_unverified_header(wait_token(qtbot, view))["kid"]
    assert new != first
    assert new == ctx.keys.get("api").current.kid  # type: ignore[union-attr]


def test_copy_token_is_guarded_like_a_secret(ctx: AppContext, qtbot: QtBot) -> None:
    """A token is a bearer credential: the password-manager hint, a countdown on the button,
    and the clipboard cleared at zero."""
    from PySide6.QtGui import QClipboard

    from jwtdesk.gui.clipboard import PASSWORD_HINT, ClipboardGuard

    guard = ClipboardGuard(timeout_s=0.6)
    view = BuildView(ctx, None, guard)
    qtbot.addWidget(view)
    view.show()
    create(ctx, "api", "ES256", Purpose.ACCESS)
    token = wait_token(qtbot, view)
    with qtbot.waitSignal(view.token_copied):
        qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == token
    mime = clipboard.mimeData(QClipboard.Mode.Clipboard)
    assert bytes(mime.data(PASSWORD_HINT).data()) == b"secret"
    assert guard.holding_secret and view.copy_button.text().startswith("Copied — clears in ")
    with qtbot.waitSignal(guard.cleared, timeout=5000) as blocker:
        pass
    assert blocker.args == [True] and clipboard.text() == ""
    assert view.copy_button.text() == "&Copy token"


def test_a_half_typed_time_error_goes_when_the_value_is_fixed(
    ctx: AppContext, view: BuildView, qtbot: QtBot
) -> None:
    """Each keystroke re-reads the form: "3" is an error under exp, "30d" is a token with a
    warning, the decoded claims, and the absolute time the relative exp stands for."""
    create(ctx, "api", "ES256", Purpose.ACCESS)
    wait_token(qtbot, view)
    note = view.form.exp_field.note
    qtbot.keyClicks(view.form.exp_field.relative, "3")
    assert view.token() == "" and note.isVisible() and "cannot read the time '3'" in note.text()
    assert "not readable" in view.status.text()
    qtbot.keyClicks(view.form.exp_field.relative, "0d")
    token = view.token()
    assert token and "cannot" not in note.text() and "cannot" not in view.status.text()
    claims = verify(ctx, token, "api")
    exp = datetime.fromtimestamp(int(claims["exp"]), UTC)  # type: ignore[call-overload]
    assert note.text().startswith(f"= {exp:%Y-%m-%d %H:%M:%S} UTC (") and "in 30 d" in note.text()
    assert "Warning: access tokens live" in view.status.text()
    assert "long-lifetime" in {f.id for f in view.findings_model.findings()}
    decoded = view.decoded.toPlainText()
    assert f'"exp": {claims["exp"]}' in decoded and '"alg": "ES256"' in decoded
    qtbot.keyClicks(view.form.exp_field.relative, "x")  # "30dx": wrong again, then fixed
    assert "cannot read" in note.text() and view.decoded.toPlainText() == ""
    qtbot.keyClick(view.form.exp_field.relative, Qt.Key.Key_Backspace)
    assert view.token() and "cannot" not in note.text() and view.decoded.toPlainText()


def test_rsa_4096_signs_on_every_keystroke(ctx: AppContext, view: BuildView, qtbot: QtBot) -> None:
    """Each keystroke re-signs within its key event; the time it takes is bench_gui's business
    (no timed assertions in tests: the machines are noisy)."""
    create(ctx, "big", "RS256", Purpose.ACCESS, size=4096)
    wait_token(qtbot, view)
    typed = ""
    for char in "abcdefghijklmnopqrst":
        qtbot.keyClicks(view.form.sub_edit, char)
        typed += char
        assert verify(ctx, view.token(), "big")["sub"] == typed


def test_closing_the_view_while_the_key_is_read_is_harmless(ctx: AppContext, qtbot: QtBot) -> None:
    import shiboken6

    create(ctx, "api", "ES256", Purpose.ACCESS)
    view = BuildView(ctx)
    view.show()
    assert ctx.runner.busy
    shiboken6.delete(view)
    qtbot.waitUntil(lambda: not ctx.runner.busy, timeout=10_000)
    ctx.announce(Change(keysets=frozenset({"api"}), origin=Origin.OUTSIDE))
    ctx.set_locked(True)


def test_every_field_is_reachable_by_tab_in_reading_order(
    ctx: AppContext, view: BuildView, qtbot: QtBot
) -> None:
    create(ctx, "api", "ES256", Purpose.ACCESS)
    wait_token(qtbot, view)
    view.activateWindow()
    view.keyset_combo.setFocus()
    qtbot.waitUntil(view.keyset_combo.hasFocus)
    seen = []
    for _ in range(25):
        qtbot.keyClick(QGuiApplication.focusObject(), Qt.Key.Key_Tab)  # type: ignore[arg-type]
        seen.append(QGuiApplication.focusObject())
    form = view.form
    landmarks = [
        form.preset_combo,
        form.sub_edit,
        form.exp_field.mode,
        form.exp_field.relative,
        form.nbf_field.mode,
        form.jti_check,
        form.claims_edit,
        view.copy_button,
        view.findings_view,
    ]
    positions = [next(i for i, w in enumerate(seen) if w is mark) for mark in landmarks]
    assert positions == sorted(positions)
