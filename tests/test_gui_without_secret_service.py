"""The GUI tests that need no real keyring run where there is no Secret Service at all: the
GUI test folder in a subprocess without a D-Bus session passes, skipping only the tests marked
``secret_service`` (which `make test` runs against a real gnome-keyring)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_gui_tests_pass_without_a_dbus_session(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DBUS_", "PYTEST_", "JWTDESK_")) and k != "PYTHON_KEYRING_BACKEND"
    }
    env.update({"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)})
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-m",
            "not secret_service",
            "tests/gui",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    assert done.returncode == 0, summary
    passed = re.search(r"(\d+) passed", summary)
    assert passed is not None and int(passed.group(1)) > 100, summary
    assert "failed" not in summary and "error" not in summary, summary
    assert "deselected" in summary  # the real-keyring tests exist; they are left out here
