"""The Export view driven as a user does, against the in-memory keyring."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from jwtdesk.cli import main
from jwtdesk.core import envfile
from jwtdesk.core.secret import MASK
from jwtdesk.gui.clipboard import ClipboardGuard
from jwtdesk.gui.context import AppContext
from jwtdesk.gui.views.export.dialogs import NewProfileDialog
from jwtdesk.gui.views.export.view import FORCE_TEXT, ExportView


@pytest.fixture
def view(ctx: AppContext, qtbot: QtBot) -> ExportView:
    ctx.keys.create("api", "HS256")
    ctx.keys.create("api-refresh", "HS512")
    ctx.keys.create("sig", "ES256")
    widget = ExportView(ctx, None, ClipboardGuard(None, 0.5))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def secret(ctx: AppContext, name: str) -> str:
    return ctx.keys.secret(name)[1].reveal().decode("ascii")


def all_model_text(model: object) -> str:
    out = []
    m = model  # a QAbstractTableModel
    for r in range(m.rowCount()):  # type: ignore[attr-defined]
        for c in range(m.columnCount()):  # type: ignore[attr-defined]
            for role in range(0, 300):
                value = m.data(m.index(r, c), role)  # type: ignore[attr-defined]
                if isinstance(value, str):
                    out.append(value)
    return "\n".join(out)


def new_profile(view: ExportView, qtbot: QtBot, name: str = "api-prod") -> None:
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    dialog = view.findChild(NewProfileDialog)
    assert dialog is not None
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # no name yet
    qtbot.keyClicks(dialog.name, "bad name")
    assert not ok.isEnabled() and "profile name" in dialog.error.text()
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, name)
    dialog.access.setCurrentText("api")
    dialog.refresh.setCurrentText("api-refresh")
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


def test_empty_state_then_a_new_profile(view: ExportView, qtbot: QtBot) -> None:
    assert view.empty.isVisible() and not view.write_button.isEnabled()
    new_profile(view, qtbot)
    assert not view.empty.isVisible()
    assert view.profile() is not None and view.profile().name == "api-prod"  # type: ignore[union-attr]
    vars_ = [
        view.variables_model.row_item(r).binding.var for r in range(view.variables_model.rowCount())
    ]
    assert vars_[:2] == ["JWT_SECRET_CURRENT", "JWT_SECRET_PREVIOUS"]
    preview = view.preview.toPlainText()
    assert "JWT_SECRET_CURRENT" in preview and MASK in preview
    assert "JWT_SECRET_PREVIOUS" not in preview  # omitted: no previous key yet
    view.format_combo.setCurrentText("shell")
    assert (
        view.preview.toPlainText().startswith("export ")
        or "\nexport " in view.preview.toPlainText()
    )
    assert view.export.profile("api-prod").format == "shell"
    for model in (view.profiles_model, view.variables_model):
        text = all_model_text(model)
        assert secret(view.ctx, "api") not in text and secret(view.ctx, "api-refresh") not in text


def test_write_to_a_file_and_refuse_a_git_tree(
    view: ExportView, qtbot: QtBot, tmp_path: Path
) -> None:
    new_profile(view, qtbot)
    target = tmp_path / "api.env"
    with qtbot.waitSignal(view.file_written, timeout=10_000):
        view.write_to(target)
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    values = envfile.parse(target.read_text())
    assert values["JWT_SECRET_CURRENT"] == secret(view.ctx, "api")
    assert "Wrote" in view.banner.text

    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    with qtbot.waitSignal(view.ctx.runner.task_finished, timeout=10_000):
        view.write_to(repo / "api.env")
    assert view.banner.isVisible() and "git does not ignore it" in view.banner.text
    assert FORCE_TEXT in view.banner.text and "--force" not in view.banner.text  # its own fix
    assert view.force_check.text() == FORCE_TEXT
    assert not (repo / "api.env").exists()
    view.force_check.setChecked(True)
    with qtbot.waitSignal(view.file_written, timeout=10_000):
        view.write_to(repo / "api.env")
    assert (repo / "api.env").exists()


def test_copy_a_secret_value_clears_after_the_timeout(view: ExportView, qtbot: QtBot) -> None:
    new_profile(view, qtbot)
    view.variables_view.setCurrentIndex(view.variables_model.index(0, 0))
    assert view.selected_var() == "JWT_SECRET_CURRENT"
    clipboard = QGuiApplication.clipboard()
    with qtbot.waitSignal(view.ctx.runner.task_finished, timeout=10_000):
        qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
    assert clipboard.text() == secret(view.ctx, "api")
    mime = clipboard.mimeData()
    assert mime is not None and mime.hasFormat("x-kde-passwordManagerHint")
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=5_000)


def test_drift_check_in_the_view(view: ExportView, qtbot: QtBot, tmp_path: Path) -> None:
    new_profile(view, qtbot)
    target = tmp_path / "api.env"
    with qtbot.waitSignal(view.file_written, timeout=10_000):
        view.write_to(target)
    with qtbot.waitSignal(view.drift_checked, timeout=10_000) as clean:
        view.check_file(str(target))
    assert clean.args == [True] and "in sync" in view.verdict.text()
    view.ctx.keys.rotate("api")
    with qtbot.waitSignal(view.drift_checked, timeout=10_000) as clean:
        view.check_file(str(target))
    assert clean.args == [False] and "DRIFT" in view.verdict.text()
    statuses = {
        view.drift_model.data(view.drift_model.index(r, 0)): view.drift_model.data(
            view.drift_model.index(r, 1)
        )
        for r in range(view.drift_model.rowCount())
    }
    assert statuses["JWT_SECRET_CURRENT"] == "stale"
    assert secret(view.ctx, "api") not in all_model_text(view.drift_model)


def test_jwks_export_and_hmac_refusal(view: ExportView, qtbot: QtBot, tmp_path: Path) -> None:
    new_profile(view, qtbot)
    with qtbot.waitSignal(view.ctx.runner.task_finished, timeout=10_000):
        view.write_jwks_to(tmp_path / "jwks.json")
    assert "never published" in view.banner.text
    view.export.set_var("api-prod", "JWT_JWKS", "sig:jwks")
    view.reload()
    with qtbot.waitSignal(view.file_written, timeout=10_000):
        view.write_jwks_to(tmp_path / "jwks.json")
    assert '"kid"' in (tmp_path / "jwks.json").read_text()


def test_models_pass_qtmodeltester(
    view: ExportView, qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    new_profile(view, qtbot)
    qtmodeltester.check(view.profiles_model)
    qtmodeltester.check(view.variables_model)
    qtmodeltester.check(view.drift_model)
    assert view.variables_model.index(0, 0).parent() == QModelIndex()
    assert os.environ.get("QT_QPA_PLATFORM") in (None, "offscreen", "xcb")


def test_jwks_into_a_git_tree_is_written_and_identical_to_the_cli(
    view: ExportView, qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JWKS is public: the GUI writes it into a git work tree without the force checkbox, as
    `jwtdesk export jwks -o` does, and both write the same bytes for the same keyset."""
    new_profile(view, qtbot)
    view.export.set_var("api-prod", "JWT_JWKS", "sig:jwks")
    view.ctx.keys.rotate("sig")  # current and previous: two keys in the document
    view.reload()
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    assert not view.force_check.isChecked()
    with qtbot.waitSignal(view.file_written, timeout=10_000):
        view.write_jwks_to(repo / "gui-jwks.json")
    assert main(["export", "jwks", "sig", "-o", str(repo / "cli-jwks.json")]) == 0
    capsys.readouterr()
    gui, cli = (repo / "gui-jwks.json").read_bytes(), (repo / "cli-jwks.json").read_bytes()
    assert gui == cli
    assert len(json.loads(gui)["keys"]) == 2
    assert main(["export", "jwks", "sig"]) == 0
    assert capsys.readouterr().out.encode("utf-8") == gui  # printed: the same bytes again
