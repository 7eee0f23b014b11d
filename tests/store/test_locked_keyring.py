"""A locked Secret Service collection: a one-line error, exit 1, nothing changed.

Locking the shared test keyring could not be undone without a prompt, so this test starts its
own private D-Bus session and gnome-keyring, locks that, and runs the CLI inside it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = r"""
set -e
printf %s throwaway-lock-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
"$PY" -c 'import secretstorage as s; c = s.get_default_collection(s.dbus_init()); c.lock()'
set +e
"$PY" -m jwtdesk keys new api --alg HS256
echo "rc=$?"
"$PY" -m jwtdesk keys rotate existing
echo "rc=$?"
"""


@pytest.mark.skipif(shutil.which("gnome-keyring-daemon") is None, reason="needs gnome-keyring")
def test_locked_keyring_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    home = tmp_path / "jwtdesk"
    home.mkdir(mode=0o700)
    # An index with one keyset, as a user would have before the keyring got locked.
    index = (
        '{"schema": 1, "keysets": [{"name": "existing", "alg": "HS256", "rotation_period_s": '
        '86400, "created": "2026-01-01T00:00:00+00:00", "versions": [{"id": "kv-1", "kid": '
        '"k1", "state": "current", "created": "2026-01-01T00:00:00+00:00", "activated": '
        '"2026-01-01T00:00:00+00:00"}]}], "pending": []}\n'
    )
    (home / "index.json").write_text(index)
    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(run_dir),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "JWTDESK_HOME": str(home),
        "PY": sys.executable,
    }
    proc = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("rc=")]
    assert lines == ["rc=1", "rc=1"], proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("jwtdesk:")]
    assert len(errors) == 2
    assert all("keyring is locked" in line and "unlock it" in line for line in errors)
    assert "Traceback" not in proc.stderr
    assert (home / "index.json").read_text() == index
    # no temp file, no other new file: only the lock and the audit line of the refusal
    assert {p.name for p in home.iterdir()} <= {"index.json", "index.lock", "audit.log"}
