"""The Audit view on a real QApplication: it runs a search in worker processes, shows progress,
cancels (every worker gone), masks a found secret until the eye reveals it, reports errors
in its banner, and audits the stored keys (the in-memory keyring)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import jwt
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from jwtdesk.core.secret import MASK
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.main_window import MainWindow
from jwtdesk.gui.models.audit import AuditResultsModel
from jwtdesk.gui.viewlist import VIEWS
from jwtdesk.gui.views.audit.view import AuditView
from tests.gui.conftest import REVEAL_MS

SECRET = "gui-found-secret"


@pytest.fixture
def view(ctx: AppContext, qtbot: QtBot) -> AuditView:
    widget = AuditView(ctx, None, reveal_timeout_ms=REVEAL_MS)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget


def wordlist(tmp_path: Path, lines: int = 3000) -> str:
    path = tmp_path / "words.txt"
    path.write_text("".join(f"word{i}\n" for i in range(lines)) + "\n" + SECRET + "\n")
    return str(path)


def all_text(model: AuditResultsModel) -> str:
    return " ".join(
        str(model.data(model.index(r, c)))
        for r in range(model.rowCount())
        for c in range(model.columnCount())
    )


def test_finds_and_masks_the_secret(view: AuditView, qtbot: QtBot, tmp_path: Path) -> None:
    assert view.empty.isVisible() and "Audit tokens (Ctrl+Return)" in view.empty.text()
    view.tokens_edit.setPlainText(jwt.encode({"sub": "u"}, SECRET, algorithm="HS384"))
    view.add_wordlists([wordlist(tmp_path)])
    view.builtin_check.setChecked(False)
    with qtbot.waitSignal(view.audit_finished, timeout=60_000) as done:
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
        assert view.running and not view.run_button.isEnabled() and view.cancel_button.isEnabled()
    (result,) = done.args[0]
    assert result.found and result.line == 3002
    model = view.model
    assert model.data(model.index(0, 2)) == "FOUND; lines skipped: 1 empty"
    assert model.data(model.index(0, 3)) == MASK
    assert SECRET not in all_text(model)
    assert view.secret_field.isVisible() and view.secret_field.shown_text == MASK
    assert view.banner.isVisible() and "rotate those keys" in view.banner.text
    qtbot.mouseClick(view.secret_field.eye, Qt.MouseButton.LeftButton)
    assert view.secret_field.shown_text == SECRET
    qtbot.waitUntil(lambda: view.secret_field.shown_text == MASK, timeout=5_000)  # re-masks
    assert "Done: 1 secret(s) found" in view.progress_label.text()


def test_progress_and_cancel(view: AuditView, qtbot: QtBot, tmp_path: Path) -> None:
    """Rules over 20k words (~30M candidates) run long enough to show progress; Cancel
    then stops every worker process."""
    view.tokens_edit.setPlainText(jwt.encode({"sub": "u"}, "never-in-any-list", algorithm="HS256"))
    view.add_wordlists([wordlist(tmp_path, 20_000)])
    view.builtin_check.setChecked(False)
    view.rules_check.setChecked(True)
    view.workers_spin.setValue(2)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: view.last_progress is not None and view.last_progress.tried > 0, timeout=60_000
    )
    text = view.progress_label.text()
    assert "Auditing" not in text and "tried" in text and "M/s" in text and "left" in text
    assert 0 <= view.progress.value() < 1000
    with qtbot.waitSignal(view.audit_finished, timeout=30_000) as done:
        qtbot.keyClick(view, Qt.Key.Key_Escape)
    (result,) = done.args[0]
    assert result.cancelled and not result.found
    assert multiprocessing.active_children() == []
    assert view.progress_label.text() == "Cancelled: every worker process has stopped"
    assert view.run_button.isEnabled() and not view.cancel_button.isEnabled()
    assert "Cancelled" in str(view.model.data(view.model.index(0, 2)))


def test_bad_token_shows_in_the_banner(view: AuditView) -> None:
    view.tokens_edit.setPlainText("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
    view.on_run_clicked()
    assert not view.running
    assert view.banner.isVisible() and "only HS256/384/512 tokens" in view.banner.text


def test_audit_stored_keys(view: AuditView, qtbot: QtBot) -> None:
    view.ctx.keys.create("fresh", "HS256")
    with qtbot.waitSignal(view.audit_finished, timeout=60_000) as done:
        qtbot.mouseClick(view.keys_button, Qt.MouseButton.LeftButton)
    (result,) = done.args[0]
    assert result.label == "fresh" and not result.flagged
    assert view.model.data(view.model.index(0, 2)).startswith("Not found in ")
    assert not view.secret_field.isVisible()
    # The feed: a profile change does not concern these results; a rotation does.
    from jwtdesk.services.export import ExportService

    ExportService(view.ctx.keys).create_profile("prod", access="fresh")
    assert view.stale_note == ""
    view.ctx.keys.rotate("fresh")
    assert "(fresh)" in view.stale_note and view.banner.text == view.stale_note


def test_tokens_from_a_file(view: AuditView, qtbot: QtBot, tmp_path: Path) -> None:
    view.tokens_edit.setPlainText("first-pasted")
    path = tmp_path / "tokens.txt"
    path.write_text("# a comment\nBearer aaa.bbb.ccc\n\nddd.eee.fff\n")
    with qtbot.waitSignal(view.ctx.runner.task_finished, timeout=10_000):
        view.load_token_file(str(path))
    assert view.tokens_edit.toPlainText() == "first-pasted\naaa.bbb.ccc\nddd.eee.fff"
    with qtbot.waitSignal(view.ctx.runner.task_finished, timeout=10_000):
        view.load_token_file(str(tmp_path / "missing.txt"))
    assert view.banner.isVisible() and "cannot read token file" in view.banner.text


def test_model_passes_qtmodeltester(view: AuditView, qtmodeltester: object) -> None:
    qtmodeltester.check(view.model)  # type: ignore[attr-defined]


def test_audit_is_in_the_navigation_after_export(window: MainWindow) -> None:
    keys = [v[0] for v in VIEWS]
    assert keys.index("audit") == keys.index("export") + 1
    assert ("audit", "Audit", "audit", "Ctrl+5") in VIEWS
    window.show_view("audit")
    assert isinstance(window.view("audit"), AuditView)
