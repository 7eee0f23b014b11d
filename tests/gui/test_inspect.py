"""The Inspect view driven as a user does, against keysets in the in-memory keyring."""

from __future__ import annotations

import base64
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from jwtdesk.core import tokens
from jwtdesk.core.keysets import Purpose
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.views.inspect.view import InspectView
from jwtdesk.services.changes import Change, Origin


@pytest.fixture
def view(ctx: AppContext, qtbot: QtBot) -> InspectView:
    widget = InspectView(ctx)
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.show()
    return widget


def create(ctx: AppContext, name: str, alg: str) -> None:
    """A new keyset; the service reports it to the context's change feed."""
    ctx.keys.create(name, alg, purpose=Purpose.ACCESS)


def build(ctx: AppContext, keyset: str = "api", **fields: Any) -> str:
    return ctx.tokens.build(keyset, tokens.TokenRequest(**fields))


def rows(view: InspectView) -> dict[str, tuple[str, str]]:
    return {c.name: (c.status, c.reason) for c in view.checks_model.checks()}


def paste(qtbot: QtBot, view: InspectView, text: str) -> None:
    """Ctrl+L, then Ctrl+V of ``text`` from the clipboard, as a user would."""
    QGuiApplication.clipboard().setText(text)
    view.focus_token()
    qtbot.keyClick(view.token_edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def wait_state(qtbot: QtBot, view: InspectView, state: str) -> None:
    qtbot.waitUntil(lambda: view.verdict.state == state, timeout=10_000)


def b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_pasted_bearer_line_is_extracted_and_verified_by_the_stored_keyset(
    ctx: AppContext, view: InspectView, qtbot: QtBot
) -> None:
    create(ctx, "api", "ES256")
    kid = ctx.keys.get("api").current.kid  # type: ignore[union-attr]
    line = "Authorization: Bearer " + build(ctx, sub="alice")
    paste(qtbot, view, line)
    wait_state(qtbot, view, "valid")
    assert view.token_edit.toPlainText() == line  # never rewritten
    assert "Authorization: Bearer header" in view.extracted_label.text()
    assert "keyset api" in view.verdict.plain and kid in view.verdict.plain
    assert rows(view)["signature"][0] == "passed"
    assert rows(view)["kid"][0] == "passed"
    assert view.claims_model.index_for_location("claims.sub").data() == "sub"


def test_a_tampered_payload_fails_the_signature_row(
    ctx: AppContext, view: InspectView, qtbot: QtBot
) -> None:
    create(ctx, "api", "HS256")
    header, _, sig = build(ctx, sub="alice").split(".")
    now = int(datetime.now(UTC).timestamp())
    forged = f"{header}.{b64({'sub': 'admin', 'iat': now, 'exp': now + 600})}.{sig}"
    paste(qtbot, view, forged)
    qtbot.waitUntil(lambda: rows(view).get("signature", ("", ""))[0] == "failed", timeout=10_000)
    assert view.verdict.state == "invalid"
    assert "none of 1 candidate key(s) verified it" in rows(view)["signature"][1]


def test_alg_none_is_never_accepted(ctx: AppContext, view: InspectView, qtbot: QtBot) -> None:
    create(ctx, "api", "HS256")
    now = int(datetime.now(UTC).timestamp())
    for alg in ("none", "None", "NONE"):
        unsigned = f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64({'sub': 'x', 'exp': now + 60})}."
        view.set_token(unsigned)
        assert rows(view)["alg"][0] == "failed"
        assert rows(view)["signature"][0] == "failed"
        assert view.verdict.state == "invalid"
        assert "alg-none" in [f.id for f in view.findings_model.findings()]


def test_an_expired_token_fails_the_exp_row_with_how_long_ago(
    ctx: AppContext, view: InspectView, qtbot: QtBot
) -> None:
    create(ctx, "api", "ES256")
    issued = datetime.now(UTC) - timedelta(hours=3, minutes=30)
    paste(qtbot, view, build(ctx, at=issued, exp="+15m"))
    qtbot.waitUntil(lambda: rows(view)["signature"][0] == "passed", timeout=10_000)
    status, reason = rows(view)["exp"]
    assert status == "failed" and reason == "expired 3 h ago"
    assert view.verdict.state == "invalid" and "expired 3 h ago" in view.verdict.plain
    meaning = view.claims_model.index_for_location("claims.exp").siblingAtColumn(2).data()
    assert "UTC" in meaning and "local" in meaning and meaning.endswith("expired 3 h ago")
    assert "expired" in [f.id for f in view.findings_model.findings()]


def test_iss_and_aud_expectations(ctx: AppContext, view: InspectView, qtbot: QtBot) -> None:
    create(ctx, "api", "ES256")
    paste(qtbot, view, build(ctx, iss="https://id.example", aud=("orders", "billing")))
    wait_state(qtbot, view, "valid")
    assert rows(view)["iss"][0] == "skipped" and rows(view)["aud"][0] == "skipped"
    qtbot.keyClicks(view.expect_form.iss_edit, "https://evil.example")
    assert rows(view)["iss"][0] == "failed" and view.verdict.state == "invalid"
    view.expect_form.iss_edit.clear()
    qtbot.keyClicks(view.expect_form.iss_edit, "https://id.example")
    assert rows(view)["iss"][0] == "passed"
    qtbot.keyClicks(view.expect_form.aud_edit, "billing")
    assert rows(view)["aud"] == ("passed", "aud is 'billing'")
    assert view.verdict.state == "valid"
    qtbot.keyClick(view.expect_form.aud_edit, Qt.Key.Key_Backspace)
    assert rows(view)["aud"][0] == "failed" and view.verdict.state == "invalid"


def test_leeway_and_as_of_change_the_result(
    ctx: AppContext, view: InspectView, qtbot: QtBot
) -> None:
    create(ctx, "api", "ES256")
    issued = datetime.now(UTC) - timedelta(minutes=15, seconds=20)
    paste(qtbot, view, build(ctx, at=issued, exp="+15m"))  # expired 20 s ago
    qtbot.waitUntil(lambda: rows(view)["signature"][0] == "passed", timeout=10_000)
    assert rows(view)["exp"] == ("passed", "expired within the leeway")
    view.expect_form.leeway_spin.setValue(0)
    assert rows(view)["exp"][0] == "failed" and view.verdict.state == "invalid"
    # As of five minutes after issue: valid again, and the bar shows "as of", not "now".
    view.expect_form.set_as_of(issued + timedelta(minutes=5))
    assert not view.expect_form.live
    assert rows(view)["exp"] == ("passed", "expires in 10 min")
    assert view.verdict.state == "valid"
    life = view.lifetime_bar.lifetime()
    assert life is not None and not life.live
    qtbot.mouseClick(view.expect_form.now_button, Qt.MouseButton.LeftButton)
    assert view.expect_form.live and rows(view)["exp"][0] == "failed"


def test_findings_update_per_keystroke_and_a_click_selects_the_claim(
    ctx: AppContext, view: InspectView, qtbot: QtBot
) -> None:
    create(ctx, "api", "ES256")
    token = build(ctx, sub="alice", claims={"password": "hunter2"})
    paste(qtbot, view, token)
    wait_state(qtbot, view, "valid")
    ids = [f.id for f in view.findings_model.findings()]
    assert "sensitive-claim" in ids and "missing-aud" in ids and "malformed" not in ids
    view.token_edit.moveCursor(view.token_edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(view.token_edit, "=")  # base64url in a JWS has no padding
    assert "padding" in [f.id for f in view.findings_model.findings()]
    qtbot.keyClicks(view.token_edit, "A")  # now the signature has an impossible length
    assert "malformed" in [f.id for f in view.findings_model.findings()]
    assert view.verdict.state == "invalid"
    qtbot.keyClick(view.token_edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(view.token_edit, Qt.Key.Key_Backspace)
    assert {"malformed", "padding"}.isdisjoint(f.id for f in view.findings_model.findings())
    assert view.verdict.state == "valid" and view.token_edit.toPlainText() == token
    model = view.findings_model
    row = next(i for i, f in enumerate(model.findings()) if f.id == "sensitive-claim")
    rect = view.findings_view.visualRect(model.index(row))
    qtbot.mouseClick(view.findings_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.selected_claim_path() == "claims.password"
    assert view.tabs.currentWidget() is view.claims_view
    row = next(i for i, f in enumerate(model.findings()) if f.id == "missing-aud")
    rect = view.findings_view.visualRect(model.index(row))
    qtbot.mouseClick(view.findings_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.selected_claim_path() == "claims"


def test_locked_means_skipped_never_passed_until_unlocked(
    ctx: AppContext, view: InspectView, qtbot: QtBot
) -> None:
    create(ctx, "api", "ES256")
    paste(qtbot, view, build(ctx, sub="alice"))
    wait_state(qtbot, view, "valid")
    ctx.set_locked(True)
    status, reason = rows(view)["signature"]
    assert status == "skipped" and "keyring locked" in reason and "Unlock" in reason
    assert view.verdict.state == "unverified" and "Valid" not in view.verdict.plain
    assert view.source.candidates() == []  # the keys left memory
    assert view.keys_panel.unlock_button.isVisibleTo(view)
    # Typing while locked reads nothing from the keyring.
    calls: list[object] = []
    original = ctx.tokens.keyset_candidates
    ctx.tokens.keyset_candidates = lambda names: calls.append(names) or original(names)  # type: ignore[method-assign]
    qtbot.keyClick(view.token_edit, Qt.Key.Key_End)
    qtbot.keyClicks(view.token_edit, "x")
    qtbot.keyClick(view.token_edit, Qt.Key.Key_Backspace)
    assert calls == [] and rows(view)["signature"][0] == "skipped"
    qtbot.mouseClick(view.keys_panel.unlock_button, Qt.MouseButton.LeftButton)
    wait_state(qtbot, view, "valid")
    assert not ctx.locked and len(calls) == 1


def test_a_key_file_verifies_and_a_bad_one_shows_a_banner(
    ctx: AppContext, view: InspectView, qtbot: QtBot, tmp_path: Path
) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    good, bad = tmp_path / "partner.pem", tmp_path / "notes.txt"
    good.write_bytes(pem)
    bad.write_text("this is not a key\n")
    now = int(datetime.now(UTC).timestamp())
    token = jwt.encode({"sub": "x", "iat": now, "exp": now + 300}, private, algorithm="ES256")
    paste(qtbot, view, token)
    assert view.verdict.state == "unverified"  # no stored keyset, no file yet
    view.keys_panel.file_edit.setFocus()
    qtbot.keyClicks(view.keys_panel.file_edit, str(good))
    qtbot.keyClick(view.keys_panel.file_edit, Qt.Key.Key_Return)
    wait_state(qtbot, view, "valid")
    assert f"key file {good}" in view.verdict.plain
    view.keys_panel.file_edit.clear()
    qtbot.keyClicks(view.keys_panel.file_edit, str(bad))
    qtbot.keyClick(view.keys_panel.file_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(view.banner.isVisible, timeout=10_000)
    text = view.banner.text
    assert "cannot be used" in text and "not a key file" in text and "choose a PEM" in text
    assert "Traceback" not in text and "--secret-file" not in text
    assert view.verdict.state == "unverified"  # the bad file replaced the good one
    qtbot.mouseClick(view.keys_panel.clear_button, Qt.MouseButton.LeftButton)
    assert not view.banner.isVisible() and view.keys_panel.file_edit.text() == ""


def test_keysets_are_read_once_not_per_keystroke_and_reloaded_on_change(
    ctx: AppContext, qtbot: QtBot
) -> None:
    create(ctx, "api", "HS256")
    create(ctx, "other", "ES256")
    calls: list[list[str]] = []
    original = ctx.tokens.keyset_candidates
    ctx.tokens.keyset_candidates = lambda names: calls.append(list(names)) or original(names)  # type: ignore[method-assign]
    view = InspectView(ctx)
    qtbot.addWidget(view)
    view.show()
    assert calls == []  # opening the view reads no key
    old = build(ctx, sub="alice")
    paste(qtbot, view, old)
    wait_state(qtbot, view, "valid")
    assert calls == [["api"]]  # only the keyset whose alg and kid match
    for _ in range(5):
        qtbot.keyClicks(view.token_edit, "x")
        qtbot.keyClick(view.token_edit, Qt.Key.Key_Backspace)
    assert calls == [["api"]]
    ctx.keys.rotate("api")
    wait_state(qtbot, view, "valid")
    assert len(calls) == 2 and "previous key" in view.verdict.plain
    assert "previous-key" in [f.id for f in view.findings_model.findings()]
    view.keys_panel.set_checked("api", False)
    assert view.verdict.state == "unverified"  # an unchecked keyset is not tried


def test_a_jwe_is_named_and_never_decrypted(view: InspectView) -> None:
    header = b64({"alg": "dir", "enc": "A256GCM"})
    view.set_token(f"{header}..aXY.Y2lwaGVy.dGFn")
    assert view.claims_model.index_for_location("header.enc").data() == "enc"
    claims = view.claims_model.index_for_location("claims")
    assert "encrypted" in claims.siblingAtColumn(1).data()
    assert "jwe" in [f.id for f in view.findings_model.findings()]
    assert view.verdict.state == "invalid"
    assert "encrypted" in view.legend.text()


def test_empty_state_and_nothing_is_restored(ctx: AppContext, qtbot: QtBot) -> None:
    view = InspectView(ctx)
    qtbot.addWidget(view)
    assert "Ctrl+L" in view.token_edit.placeholderText()
    assert view.results_stack.currentIndex() == 0 and "Ctrl+L" in view.empty_label.text()
    view.set_token("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
    assert view.results_stack.currentIndex() == 1
    view.set_token("   ")
    assert view.results_stack.currentIndex() == 0 and view.findings_model.rowCount() == 0
    view.set_token("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
    again = InspectView(ctx)
    qtbot.addWidget(again)
    assert again.token_edit.toPlainText() == "" and again.verdict.state == "empty"
    assert "eyJ" not in " ".join(str(QSettings().value(k)) for k in QSettings().allKeys())


def test_garbage_is_explained_not_a_traceback(view: InspectView) -> None:
    view.set_token("hello world")
    assert rows(view)["structure"][0] == "failed"
    assert view.verdict.state == "invalid"
    assert not view.banner.isVisible()


def test_each_keystroke_in_a_large_token_is_judged_within_the_key_event(
    ctx: AppContext, view: InspectView, qtbot: QtBot
) -> None:
    """Every keystroke re-judges the token inside its own key event (no timer, no backlog).
    How long that takes is measured by benchmarks/bench_gui.py: no timed assertion here, the
    machines are noisy."""
    create(ctx, "api", "ES256")
    claims = {f"claim_{i}": {"name": f"value {i}", "roles": ["a", "b", i]} for i in range(100)}
    token = build(ctx, sub="alice", claims=claims)
    assert len(token) > 7000
    paste(qtbot, view, token)
    wait_state(qtbot, view, "valid")
    cursor = view.token_edit.textCursor()
    cursor.setPosition(len(token) // 2)  # inside the payload: every claim decodes again
    view.token_edit.setTextCursor(cursor)
    for i in range(20):
        key = Qt.Key.Key_A if i % 2 == 0 else Qt.Key.Key_Backspace
        qtbot.keyClick(view.token_edit, key)  # the whole update runs in this call
        assert view.verdict.state == ("invalid" if i % 2 == 0 else "valid")
    assert view.token_edit.toPlainText() == token


def test_tab_moves_in_reading_order(view: InspectView, qtbot: QtBot) -> None:
    view.set_token("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
    view.activateWindow()
    view.focus_token()
    qtbot.waitUntil(view.token_edit.hasFocus)
    seen = []
    for _ in range(40):
        qtbot.keyClick(QGuiApplication.focusObject(), Qt.Key.Key_Tab)  # type: ignore[arg-type]
        seen.append(QGuiApplication.focusObject())
    landmarks = [
        view.keys_panel.keysets_list,
        view.keys_panel.file_edit,
        view.expect_form.iss_edit,
        view.expect_form.leeway_spin,
        view.checks_view,
        view.claims_view,
        view.findings_view,
    ]
    positions = [next(i for i, w in enumerate(seen) if w is mark) for mark in landmarks]
    assert positions == sorted(positions)


def test_a_finding_links_to_its_reference(
    view: InspectView, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QDesktopServices

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    now = int(datetime.now(UTC).timestamp())
    view.set_token(f"{b64({'alg': 'HS256'})}.{b64({'iat': now, 'exp': now * 1000})}.c2ln")
    model = view.findings_model
    row = next(i for i, f in enumerate(model.findings()) if f.id == "ms-timestamp")
    view.findings_view.setCurrentIndex(model.index(row))
    assert view.selected_claim_path() == "claims.exp"
    meaning = view.claims_model.index_for_location("claims.exp").siblingAtColumn(2).data()
    assert "milliseconds?" in meaning
    open_reference = view.findings_view.actions()[0]
    assert open_reference.text() == "Open reference"
    open_reference.trigger()
    assert opened == ["https://www.rfc-editor.org/rfc/rfc7519#section-2"]


def test_closing_the_view_while_keys_are_read_is_harmless(ctx: AppContext, qtbot: QtBot) -> None:
    import shiboken6

    create(ctx, "api", "ES256")
    # The keyring read waits until the view is gone: deterministic, whatever else spins the
    # event loop meanwhile (a read this fast could otherwise finish before the close).
    release = threading.Event()
    read = ctx.tokens.keyset_candidates

    def slow_read(names: Any) -> Any:
        release.wait(10)
        return read(names)

    ctx.tokens.keyset_candidates = slow_read  # type: ignore[method-assign]
    view = InspectView(ctx)
    view.show()
    view.set_token(build(ctx, sub="alice"))
    assert ctx.runner.busy  # the keyring read is under way
    shiboken6.delete(view)
    release.set()
    qtbot.waitUntil(lambda: not ctx.runner.busy, timeout=10_000)
    ctx.announce(Change(keysets=frozenset({"api"}), origin=Origin.OUTSIDE))
    ctx.set_locked(True)


def drop_file(view: InspectView, path: Path) -> None:
    """A file dragged from a file manager and dropped on the token field."""
    from PySide6.QtCore import QMimeData, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    target = view.token_edit.viewport()
    where = target.rect().center()
    args = (Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton)
    enter = QDragEnterEvent(where, *args, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()  # the field takes files
    move = QDragMoveEvent(where, *args, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, move)
    drop = QDropEvent(where.toPointF(), *args, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, drop)


def test_a_dropped_file_is_read_and_inspected(
    ctx: AppContext, view: InspectView, qtbot: QtBot, tmp_path: Path
) -> None:
    create(ctx, "api", "HS256")
    request = tmp_path / "request.http"
    line = "Authorization: Bearer " + build(ctx, sub="alice")
    request.write_text(f"GET /orders HTTP/1.1\nHost: api.example\n{line}\n")
    drop_file(view, request)
    wait_state(qtbot, view, "valid")
    assert view.token_edit.toPlainText() == request.read_text()  # the file's text, whole
    assert "file://" not in view.token_edit.toPlainText()
    assert "Authorization: Bearer header" in view.extracted_label.text()


def test_a_file_pasted_from_a_file_manager_is_read_too(
    ctx: AppContext, view: InspectView, qtbot: QtBot, tmp_path: Path
) -> None:
    from PySide6.QtCore import QMimeData, QUrl

    create(ctx, "api", "HS256")
    token_file = tmp_path / "token.txt"
    token_file.write_text(build(ctx, sub="bob") + "\n")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(token_file))])
    QGuiApplication.clipboard().setMimeData(data)
    view.focus_token()
    qtbot.keyClick(view.token_edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    wait_state(qtbot, view, "valid")
    assert view.token_edit.toPlainText() == token_file.read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00binary", "is not UTF-8 text"),
        (b"x" * (1024 * 1024 + 1), "is larger than 1 MiB"),
    ],
)
def test_an_unusable_dropped_file_is_explained_and_the_field_kept(
    view: InspectView, qtbot: QtBot, tmp_path: Path, content: bytes, message: str
) -> None:
    view.set_token("eyJhbGciOiJIUzI1NiJ9.e30.sig")
    bad = tmp_path / "dropped.bin"
    bad.write_bytes(content)
    drop_file(view, bad)
    qtbot.waitUntil(view.banner.isVisible, timeout=5000)
    assert message in view.banner.text and "dropped.bin" in view.banner.text
    assert "\n" not in view.banner.text
    assert view.token_edit.toPlainText() == "eyJhbGciOiJIUzI1NiJ9.e30.sig"  # nothing lost


def test_a_second_spelling_fails_the_canonical_row_and_is_still_decoded(
    ctx: AppContext, view: InspectView, qtbot: QtBot
) -> None:
    """Issue 12: a padded signature verifies with the key, yet the verdict is invalid."""
    create(ctx, "api", "HS256")
    token = build(ctx, sub="alice")
    paste(qtbot, view, token + "=")
    # The keyring read is asynchronous: wait until the stored key has verified the MAC.
    qtbot.waitUntil(lambda: rows(view)["signature"][0] == "passed", timeout=10_000)
    assert view.verdict.state == "invalid"
    assert rows(view)["canonical"][0] == "failed"
    assert "PyJWT accepts it" in rows(view)["canonical"][1]
    assert "Canonical form" in view.verdict.plain
    assert view.report is not None and view.report.token.claims is not None
    assert view.report.token.claims["sub"] == "alice"
    assert any(f.id == "padding" and f.severity.value == "error" for f in view.report.findings)


def test_whitespace_around_a_pasted_token_is_trimmed_and_said(
    ctx: AppContext, view: InspectView, qtbot: QtBot
) -> None:
    create(ctx, "api", "HS256")
    paste(qtbot, view, build(ctx, sub="alice") + "\n")
    wait_state(qtbot, view, "valid")
    assert view.extracted_label.isVisible()
    assert "trimmed" in view.extracted_label.text()
    view.set_token(build(ctx, sub="alice"))
    assert not view.extracted_label.isVisible()
