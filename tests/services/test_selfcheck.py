"""``jwtdesk doctor --self-check`` in the source install, under the real Secret Service.

The frozen app runs the same checks without being asked (tests/packaging)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from jwtdesk.cli import main
from jwtdesk.services import KeyService, selfcheck
from jwtdesk.store import backends

pytestmark = pytest.mark.secret_service


def test_doctor_self_check_json(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--self-check", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["healthy"] is True
    rows = {r["name"]: r for r in doc["self_check"]}
    assert all(r["ok"] for r in rows.values()), rows
    assert "SecretService.Keyring" in rows["keyring viable"]["detail"]
    assert rows["Qt platform offscreen"]["detail"] == "loads"
    assert rows["app icon"]["detail"] == "renders"


def test_plain_doctor_skips_it_outside_a_frozen_app(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--json"]) == 0
    assert "self_check" not in json.loads(capsys.readouterr().out)


def test_frozen_app_runs_the_gui_beside_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/jwtdesk/jwtdesk")
    assert selfcheck.frozen()
    assert selfcheck.gui_command() == [str(Path("/opt/jwtdesk/jwtdesk-gui")), "--self-check"]


def test_a_missing_gui_fails_the_qt_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selfcheck, "gui_command", lambda: ["/nonexistent/jwtdesk-gui"])
    rows = selfcheck.qt_checks()
    assert [(r.name, r.ok) for r in rows] == [("Qt", False)]
    assert "FileNotFoundError" in rows[0].detail


def test_failing_check_makes_doctor_exit_1(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selfcheck, "gui_command", lambda: ["/nonexistent/jwtdesk-gui"])
    assert main(["doctor", "--self-check"]) == 1
    assert "self-check FAILED: Qt: cannot run jwtdesk-gui" in capsys.readouterr().out


def test_native_backend_of_another_platform_is_not_viable_here() -> None:
    result = backends.viable("win32")
    assert not result.ok
    assert "WinVaultKeyring is not usable here" in result.detail


def test_every_backend_module_loads() -> None:
    assert backends.modules().ok
    assert backends.entry_points().ok
