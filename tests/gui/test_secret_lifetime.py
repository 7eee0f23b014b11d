"""After lock, no secret bytes stay referenced by Build, Inspect or Export.

The check is on the objects themselves, not on what a view shows: every object the garbage
collector tracks is asked for what it references (``gc.get_referents``), and any ``bytes`` with
the secret's length and SHA-256 counts, whoever holds it (a Secret, a tuple, a cache dict, a
closure). The test keeps only that fingerprint, never the secret. Runs on the in-memory keyring.
"""

from __future__ import annotations

import gc
import hashlib
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import jwt
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from jwtdesk.core.keys import b64url
from jwtdesk.core.keysets import Purpose
from jwtdesk.core.secret import Secret
from jwtdesk.gui.clipboard import ClipboardGuard
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.views.build.view import BuildView
from jwtdesk.gui.views.export.view import ExportView
from jwtdesk.gui.views.inspect.view import InspectView
from jwtdesk.services import KeyService
from jwtdesk.services.export import ExportService
from tests.gui.conftest import make_ctx


class Fingerprint(NamedTuple):
    length: int
    digest: bytes


def fingerprint(value: bytes) -> Fingerprint:
    return Fingerprint(len(value), hashlib.sha256(value).digest())


def stored(ctx: AppContext, name: str) -> Fingerprint:
    return fingerprint(ctx.keys.secret(name, action="test")[1].reveal())


def _is_secret(ref: object, fp: Fingerprint) -> bool:
    return (
        type(ref) is bytes and len(ref) == fp.length and hashlib.sha256(ref).digest() == fp.digest
    )


def _untracked_hold(container: object, fp: Fingerprint) -> bool:
    """CPython stops tracking dicts and tuples that hold only atomic values (bytes, str...),
    so a cache like {"api": b"..."} is not in gc.get_objects(): look inside such containers."""
    for ref in gc.get_referents(container):
        if _is_secret(ref, fp):
            return True
        if isinstance(ref, dict | tuple) and not gc.is_tracked(ref) and _untracked_hold(ref, fp):
            return True
    return False


def holders(fp: Fingerprint) -> list[str]:
    """The types of every tracked object that references bytes equal to the secret, directly
    or through untracked dicts and tuples."""
    gc.collect()
    return [type(obj).__name__ for obj in gc.get_objects() if _untracked_hold(obj, fp)]


@pytest.fixture
def mctx(memory_service: KeyService, qtbot: QtBot) -> Iterator[AppContext]:
    context = make_ctx(memory_service)
    yield context
    context.runner.shutdown()


def test_holders_sees_a_secret_and_its_bytes_anywhere() -> None:
    value = secrets.token_bytes(40)
    fp = fingerprint(value)
    kept = Secret(value)
    del value
    assert holders(fp) == ["Secret"]
    box = [kept.reveal()]
    del kept
    assert holders(fp) == ["list"]
    box[0] = {"k": box[0]}  # a dict of atomic values: the collector does not track it
    assert not gc.is_tracked(box[0]) and holders(fp) == ["list"]
    box.clear()
    assert holders(fp) == []


def test_build_drops_its_signing_key_on_lock(mctx: AppContext, qtbot: QtBot) -> None:
    mctx.keys.create("api", "HS256", purpose=Purpose.ACCESS)
    fp = stored(mctx, "api")
    view = BuildView(mctx)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.token() != "", timeout=10_000)
    assert holders(fp) == ["Secret"]  # the one key the view signs with, as a Secret
    mctx.set_locked(True)
    assert holders(fp) == []
    assert view.token() == ""


def test_inspect_drops_stored_keys_on_lock(mctx: AppContext, qtbot: QtBot) -> None:
    mctx.keys.create("api", "HS256", purpose=Purpose.ACCESS)
    fp = stored(mctx, "api")
    from jwtdesk.core import tokens

    token = mctx.tokens.build("api", tokens.TokenRequest(sub="u1"))
    view = InspectView(mctx)
    qtbot.addWidget(view)
    view.show()
    paste(qtbot, view, token)
    qtbot.waitUntil(lambda: view.verdict.state == "valid", timeout=10_000)
    assert holders(fp)  # cached for the next token, as a Secret
    assert set(holders(fp)) == {"Secret"}
    mctx.set_locked(True)
    qtbot.waitUntil(lambda: view.verdict.state == "unverified", timeout=10_000)
    assert holders(fp) == []


def _inspect_verified_by_a_key_file(
    mctx: AppContext, qtbot: QtBot, path: Path
) -> tuple[InspectView, Fingerprint]:
    """An Inspect view whose token verified with the HMAC key in the oct JWK at ``path``;
    the key's fingerprint (the test keeps no reference to its bytes)."""
    raw = secrets.token_bytes(48)
    fp = fingerprint(raw)
    path.write_text(json.dumps({"kty": "oct", "k": b64url(raw), "alg": "HS384"}))
    token = jwt.encode({"sub": "u1"}, raw, algorithm="HS384")
    del raw
    view = InspectView(mctx)
    qtbot.addWidget(view)
    view.show()
    paste(qtbot, view, token)
    view.load_key_file(str(path))
    qtbot.waitUntil(lambda: view.verdict.state == "valid", timeout=10_000)
    return view, fp


def test_inspect_drops_a_key_file_hmac_key_on_lock_and_reads_it_again_after(
    mctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    view, fp = _inspect_verified_by_a_key_file(mctx, qtbot, tmp_path / "shared.jwk")
    assert set(holders(fp)) == {"Secret"}
    mctx.set_locked(True)
    qtbot.waitUntil(lambda: view.verdict.state == "unverified", timeout=10_000)
    assert holders(fp) == []
    assert "read again after Unlock" in view.keys_panel.status.text()
    mctx.set_locked(False)
    qtbot.waitUntil(lambda: view.verdict.state == "valid", timeout=10_000)


def test_inspect_drops_the_key_file_being_replaced_when_locked_during_a_read(
    mctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    view, fp = _inspect_verified_by_a_key_file(mctx, qtbot, tmp_path / "first.jwk")
    second = tmp_path / "second.jwk"
    second.write_text(json.dumps({"kty": "oct", "k": b64url(b"x" * 48), "alg": "HS384"}))
    view.load_key_file(str(second))  # its read is under way (its result is queued, not seen)
    mctx.set_locked(True)
    assert holders(fp) == []  # the first file's key went too, not only the read
    assert view.source.file_candidates() == []
    assert view.source.key_file() == str(second)  # read again after Unlock


def test_export_keeps_no_secret_after_a_copy(mctx: AppContext, qtbot: QtBot) -> None:
    mctx.keys.create("api", "HS256")
    mctx.keys.create("api-refresh", "HS512")
    ExportService(mctx.keys).create_profile("prod", access="api", refresh="api-refresh")
    fps = [stored(mctx, "api"), stored(mctx, "api-refresh")]
    view = ExportView(mctx, None, ClipboardGuard(None, 30))
    qtbot.addWidget(view)
    view.show()
    view.variables_view.setCurrentIndex(view.variables_model.index(0, 0))
    assert view.selected_var() == "JWT_SECRET_CURRENT"
    with qtbot.waitSignal(mctx.runner.task_finished, timeout=10_000):
        qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text().encode()
    assert fingerprint(copied) == fps[0]  # the copy happened (the clipboard has it, as text)
    del copied
    assert [holders(fp) for fp in fps] == [[], []]
    mctx.set_locked(True)
    assert [holders(fp) for fp in fps] == [[], []]


def paste(qtbot: QtBot, view: InspectView, text: str) -> None:
    QGuiApplication.clipboard().setText(text)
    view.focus_token()
    qtbot.keyClick(view.token_edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
