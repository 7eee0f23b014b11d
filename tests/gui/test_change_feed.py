"""One change feed: what the CLI (a real `jwtdesk` subprocess on the same index) creates while
the app runs appears in every view without a restart, and a change the app makes itself is
applied once (the index watcher finds nothing new in the file event it causes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from jwtdesk.gui.context import AppContext
from jwtdesk.gui.main_window import MainWindow
from jwtdesk.services.changes import Change, Origin
from tests.gui.conftest import open_window

ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 15_000
VIEWS = ("keys", "build", "inspect", "export", "audit", "revocation", "checklist")


def cli(home: Path, ring: Path, *args: str) -> None:
    """`jwtdesk ARGS` in another process: its own keyring (a file), the same index."""
    env = {
        **os.environ,
        "JWTDESK_HOME": str(home),
        "JWTDESK_TEST_KEYRING": str(ring),
        "PYTHON_KEYRING_BACKEND": "tests.keyrings.FileKeyring",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "jwtdesk", *args],
        check=False,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def started(ctx: AppContext, qtbot: QtBot, settings: QSettings) -> MainWindow:
    """The window with every view built, once its index watcher has its first state."""
    ctx.keys.create("first", "HS256")  # the index folder exists
    window = open_window(ctx, qtbot, settings)
    for key in VIEWS:
        window.view(key)
    qtbot.waitUntil(
        lambda: ctx.watcher is not None and ctx.watcher.known is not None, timeout=WAIT_MS
    )
    return window


def combo_texts(combo: Any) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def shown_everywhere(window: MainWindow) -> dict[str, bool]:
    """Whether each view shows the keyset, profile and connection the CLI made."""
    v: dict[str, Any] = {key: window.view(key) for key in VIEWS}
    inspect_list = v["inspect"].keys_panel.keysets_list
    inspect_names = [
        inspect_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(inspect_list.count())
    ]
    return {
        "keys": v["keys"].model.find("from-cli").isValid(),
        "build": v["build"].keyset_combo.findData("from-cli") >= 0,
        "inspect": "from-cli" in inspect_names,
        "inspect revocation": "cli-redis" in combo_texts(v["inspect"].revocation.combo),
        "export": v["export"].profiles_model.row_of("cli-profile") >= 0,
        "export keysets": "from-cli" in v["export"]._keyset_names(),
        "revocation": "cli-redis" in combo_texts(v["revocation"].connection_combo),
        "checklist": "cli" in combo_texts(v["checklist"].service_box),
    }


def test_what_the_cli_creates_appears_in_every_view(
    ctx: AppContext, qtbot: QtBot, settings: QSettings, tmp_path: Path
) -> None:
    window = started(ctx, qtbot, settings)
    heard: list[Change] = []
    ctx.changed.connect(heard.append)
    assert not any(shown_everywhere(window).values())
    home = ctx.keys.index_dir()
    cli(home, tmp_path, "keys", "new", "from-cli", "--alg", "ES256", "--service", "cli")
    cli(home, tmp_path, "profiles", "new", "cli-profile", "--access", "from-cli")
    cli(home, tmp_path, "connections", "new", "cli-redis", "--url", "redis://127.0.0.1:1")
    qtbot.waitUntil(lambda: all(shown_everywhere(window).values()), timeout=WAIT_MS)
    assert heard and all(c.origin is Origin.OUTSIDE for c in heard)
    assert set().union(*(c.keysets for c in heard)) == {"from-cli"}
    assert set().union(*(c.profiles for c in heard)) == {"cli-profile"}
    assert set().union(*(c.connections for c in heard)) == {"cli-redis"}


def test_the_apps_own_change_is_applied_once(
    ctx: AppContext, qtbot: QtBot, settings: QSettings, tmp_path: Path
) -> None:
    window = started(ctx, qtbot, settings)
    heard: list[Change] = []
    ctx.changed.connect(heard.append)
    keys_view = cast(Any, window.view("keys"))
    reloads: list[int] = []
    keys_view.model.modelReset.connect(lambda: reloads.append(1))
    keys_view.model.rowsInserted.connect(lambda *_: reloads.append(1))
    keys_view.key_actions.run_change(
        "Creating own", lambda: ctx.keys.create("own", "HS256"), lambda _ks: None
    )
    qtbot.waitUntil(lambda: keys_view.model.find("own").isValid(), timeout=WAIT_MS)
    # The file events of that write reach the watcher; a change by the CLI afterwards is
    # announced after them, so any echo of "own" would be in the list by then.
    cli(ctx.keys.index_dir(), tmp_path, "keys", "new", "later", "--alg", "HS256")
    qtbot.waitUntil(lambda: keys_view.model.find("later").isValid(), timeout=WAIT_MS)
    own = [c for c in heard if "own" in c.keysets]
    assert len(own) == 1 and own[0].origin is Origin.APP
    assert [c.keysets for c in heard if c.origin is Origin.OUTSIDE] == [{"later"}]
    assert len(reloads) == 2  # one tree update for "own", one for "later"


def test_the_watcher_waits_for_an_index_folder_that_does_not_exist_yet(
    ctx: AppContext, qtbot: QtBot, settings: QSettings, tmp_path: Path
) -> None:
    home = ctx.keys.index_dir()
    assert not home.exists()
    window = open_window(ctx, qtbot, settings)
    qtbot.waitUntil(
        lambda: ctx.watcher is not None and ctx.watcher.known is not None, timeout=WAIT_MS
    )
    assert ctx.watcher is not None and ctx.watcher.watched() == [str(home.parent)]
    cli(home, tmp_path, "keys", "new", "first-ever", "--alg", "HS256")
    qtbot.waitUntil(lambda: window.keys_view.model.find("first-ever").isValid(), timeout=WAIT_MS)
    # Re-armed on the folder (and its index file) once they exist.
    qtbot.waitUntil(lambda: str(home) in ctx.watcher.watched(), timeout=WAIT_MS)  # type: ignore[union-attr]
    cli(home, tmp_path, "keys", "new", "second", "--alg", "HS256")
    qtbot.waitUntil(lambda: window.keys_view.model.find("second").isValid(), timeout=WAIT_MS)
