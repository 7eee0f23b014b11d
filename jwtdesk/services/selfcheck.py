"""``jwtdesk doctor --self-check``: the parts an installed (or frozen) jwtdesk needs all load.

Three groups: keyring backends (store.backends), crypto and data files (core.selfcheck), and Qt
(platform plugins, SVG, the app icon). The Qt checks run in a child process, ``jwtdesk-gui
--self-check``: the CLI never imports Qt, and a plugin that aborts the process cannot take the
report with it. In a frozen app that child is the ``jwtdesk-gui`` executable beside this one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from jwtdesk.core import selfcheck as core_checks
from jwtdesk.core.selfcheck import CheckResult
from jwtdesk.store import backends

QT_TIMEOUT_S = 120


def frozen() -> bool:
    """True in a PyInstaller build (``sys.frozen``), where doctor runs the self-check itself."""
    return bool(getattr(sys, "frozen", False))


def gui_command() -> list[str]:
    if frozen():
        exe = Path(sys.executable).resolve()  # /usr/bin/jwtdesk links to /opt/jwtdesk
        return [str(exe.with_name("jwtdesk-gui" + exe.suffix)), "--self-check"]
    return [sys.executable, "-m", "jwtdesk.gui", "--self-check"]


def qt_checks() -> list[CheckResult]:
    cmd = gui_command()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=QT_TIMEOUT_S, env=env, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [CheckResult("Qt", False, f"cannot run {Path(cmd[0]).name}: {type(exc).__name__}")]
    try:
        rows = json.loads(done.stdout.strip().splitlines()[-1])["checks"]
        return [CheckResult(str(r["name"]), bool(r["ok"]), str(r["detail"])) for r in rows]
    except (IndexError, KeyError, TypeError, ValueError):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
        return [CheckResult("Qt", False, f"the Qt check exited {done.returncode}: {last}")]


def run_self_check() -> list[CheckResult]:
    """Every check; the caller reports them and fails when one did not pass."""
    return [*backends.run(), *core_checks.run(), *qt_checks()]
