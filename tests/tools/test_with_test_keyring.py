"""tools/with-test-keyring.sh removes its temporary HOME on the way out, whatever the command
did, and hands the command's exit status back."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "with-test-keyring.sh"

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-run-session") is None or shutil.which("gnome-keyring-daemon") is None,
    reason="needs dbus-run-session and gnome-keyring (make test installs them)",
)


def run(tmp_path: Path, command: str) -> tuple[int, str]:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [str(SCRIPT), "sh", "-c", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout


def test_the_temporary_home_is_removed_after_success(tmp_path: Path) -> None:
    code, out = run(tmp_path, 'echo "$HOME"; touch "$HOME/left-behind"')
    home = Path(out.strip())
    assert code == 0
    assert home.name == "home" and home.parent.parent == tmp_path  # it was made there...
    assert not home.parent.exists()  # ...and is gone
    assert list(tmp_path.iterdir()) == []


def test_the_exit_status_is_kept_and_the_home_removed_after_failure(tmp_path: Path) -> None:
    code, out = run(tmp_path, 'echo "$HOME"; exit 7')
    assert code == 7
    assert not Path(out.strip()).parent.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_home_is_removed_when_the_run_is_terminated(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([str(SCRIPT), "sleep", "3"], env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not list(tmp_path.glob("*/home")) and time.monotonic() < deadline:
            time.sleep(0.05)  # the tree is made (and its path known to the script)
        assert list(tmp_path.glob("*/home")), "the script made no temporary directory"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 143
    finally:
        if proc.poll() is None:
            proc.kill()
    assert list(tmp_path.iterdir()) == []
