"""The one watcher of the index folder: changes made by other processes (the CLI, a second
window) reach the app's change feed as a ``Change`` with origin "outside".

Other processes replace ``index.json`` whole (temp file + rename), which drops a watch on the
file itself; the folder is watched, and every event re-arms the watches (the folder may also not
exist until the first keyset is stored: its nearest existing parent is watched until then).
Events come in bursts (temp file, rename, lock file, audit log), so a change is looked at
~250 ms after the last one; the index is read in the TaskRunner, never on the GUI thread, and
compared with the last state the app knows. The app's own changes update that state as they
are reported, so a file event caused by this app finds nothing new and announces nothing: no
echo to suppress anywhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer

from jwtdesk.core.errors import JwtdeskError
from jwtdesk.services.changes import Change, Origin, diff

if TYPE_CHECKING:
    from jwtdesk.gui.context import AppContext
    from jwtdesk.services.changes import IndexState


class IndexWatcher(QObject):
    def __init__(self, ctx: AppContext, debounce_ms: int = 250) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.folder = ctx.keys.index_dir()
        self.known: IndexState | None = None  # the last state announced or reported
        self._generation = 0  # bumped by every app change: a read begun before it is stale
        self._reading = False
        self._stopped = False
        self._fs = QFileSystemWatcher(self)
        self._debounce = QTimer(self, singleShot=True, interval=debounce_ms)
        self._debounce.timeout.connect(self.look)
        self._fs.directoryChanged.connect(self.on_fs_changed)
        self._fs.fileChanged.connect(self.on_fs_changed)
        ctx.changed.connect(self.on_ctx_changed)

    def start(self) -> None:
        self.arm()
        self.look()  # the state to compare with (read in the runner)

    def stop(self) -> None:
        self._stopped = True
        self._debounce.stop()
        watched = self._fs.files() + self._fs.directories()
        if watched:
            self._fs.removePaths(watched)

    def arm(self) -> None:
        """Watch the folder and its index file, or the nearest existing parent folder."""
        if self._stopped:
            return
        wanted = [self.folder, self.folder / "index.json"]
        paths = [str(p) for p in wanted if p.exists()]
        if not paths:
            parent = next((p for p in self.folder.parents if p.is_dir()), Path("/"))
            paths = [str(parent)]
        stale = [p for p in self._fs.files() + self._fs.directories() if p not in paths]
        if stale:
            self._fs.removePaths(stale)
        missing = [p for p in paths if p not in self._fs.files() + self._fs.directories()]
        if missing:
            self._fs.addPaths(missing)

    def watched(self) -> list[str]:
        return self._fs.directories() + self._fs.files()

    def on_fs_changed(self, _path: str) -> None:
        if not self._stopped:
            self._debounce.start()  # restarts: one look after a burst

    def on_ctx_changed(self, change: Change) -> None:
        if change.origin is Origin.APP and change.state is not None:
            self.known = change.state
            self._generation += 1

    def look(self) -> None:
        """Re-arm, then read the index in the runner and announce what differs."""
        self.arm()
        if self._stopped or self.ctx.runner.closed:  # the app (or a test) is ending
            return
        if self._reading:  # one read at a time; look again once it is done
            self._debounce.start()
            return
        self._reading = True
        generation = self._generation
        keys = self.ctx.keys

        def failed(_exc: JwtdeskError) -> None:  # a half-written or foreign file: next event
            self._reading = False

        self.ctx.runner.run(
            keys.settled_state,
            lambda state: self._compare(state, generation),
            failed,
            label="",
        )

    def _compare(self, state: IndexState | None, generation: int) -> None:
        self._reading = False
        if self._stopped:
            return
        # None: read while the app was changing it (its report is on the way); or the app
        # changed the index while this was read: either way look again
        if state is None or generation != self._generation:
            self._debounce.start()
            return
        if self.known is None:
            self.known = state
            return
        change = diff(self.known, state, Origin.OUTSIDE)
        self.known = state
        if change:
            self.ctx.announce(change)
