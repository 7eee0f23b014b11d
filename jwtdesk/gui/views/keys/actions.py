"""What the Keys view's actions do: dialogs, then KeyService calls in the TaskRunner.

The view renders and selects; this controller turns its intents (New, Rotate, Retire, Delete,
Rename) into confirmations and service calls. Every call that touches the keyring or generates
a key runs in the TaskRunner with the busy bar; errors go to the view's banner with the
service's message (what is wrong and the fix), never to a modal traceback.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog

from jwtdesk.core.algorithms import get as get_algorithm
from jwtdesk.core.errors import Cancelled, JwtdeskError
from jwtdesk.core.keysets import KeySet, State
from jwtdesk.gui.icons import icon

if TYPE_CHECKING:
    from jwtdesk.gui.views.keys.dialogs import NewKeyset
    from jwtdesk.gui.views.keys.view import KeysView


def rotate_text(ks: KeySet) -> str:
    """What a rotation does to each version, in words, for the confirmation."""
    size = ks.algorithm.size_label(ks.current.size if ks.current else None)
    parts = [f"A new {escape(ks.alg)} key ({escape(size)}) becomes <b>current</b> and signs."]
    if ks.current is not None:
        parts.append(
            f"kid <code>{ks.current.kid[:10]}…</code> becomes <b>previous</b> and keeps "
            "verifying until the next rotation."
        )
    if ks.previous is not None:
        parts.append(
            f"kid <code>{ks.previous.kid[:10]}…</code> is <b>retired</b>: it verifies "
            "nothing from now on and its secret is deleted from the OS keyring."
        )
    return "<p>" + "</p><p>".join(parts) + "</p>"


class KeyActions(QObject):
    """The Keys view's QActions and what they run. ``dialog`` is the open dialog, if any."""

    def __init__(self, view: KeysView) -> None:
        super().__init__(view)
        self.view, self.ctx = view, view.ctx
        self.dialog: QDialog | None = None
        self._busy = False
        self._cancel: threading.Event | None = None
        self.new_action = self._action("new", "&New keyset…", self.on_new_triggered, "Ctrl+N")
        self.rotate_action = self._action("rotate", "&Rotate…", self.on_rotate_triggered, "Ctrl+R")
        self.retire_action = self._action("retire", "Re&tire previous…", self.on_retire_triggered)
        self.delete_action = self._action("delete", "&Delete…", self.on_delete_triggered)
        self.rename_action = self._action("rename", "Re&name…", self.on_rename_triggered, "F2")
        self.filter_action = self._action(
            "filter", "&Filter keysets", view.on_filter_triggered, "Ctrl+F"
        )
        self.new_action.setToolTip("Create a keyset with a fresh key (Ctrl+N)")
        self.rotate_action.setToolTip("Make a new current key; current becomes previous (Ctrl+R)")
        self.retire_action.setToolTip("End the previous key's grace period now")

    def _action(self, name: str, text: str, slot: Callable[[], None], keys: str = "") -> QAction:
        action = QAction(icon(name), text, self.view)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        return action

    @property
    def for_menu(self) -> list[QAction]:
        return [
            self.new_action,
            self.rotate_action,
            self.retire_action,
            self.rename_action,
            self.delete_action,
            self.filter_action,
        ]

    @property
    def busy(self) -> bool:
        return self._busy

    def update_enabled(self) -> None:
        ks, v = self.view.target()
        idle = not self._busy
        self.new_action.setEnabled(idle)
        self.rotate_action.setEnabled(idle and ks is not None)
        self.rename_action.setEnabled(idle and ks is not None)
        retirable = v.state is State.PREVIOUS if v else (ks is not None and ks.previous is not None)
        self.retire_action.setEnabled(idle and retirable)
        deletable = ks is not None and (v is None or v.state is State.RETIRED)
        self.delete_action.setEnabled(idle and deletable)

    # --- running service calls ---------------------------------------------------------------

    def run_change(
        self,
        label: str,
        fn: Callable[[], Any],
        then: Callable[[Any], None],
        busy: str = "",
        cancellable: bool = False,
    ) -> None:
        """Run a keyring-touching change in the runner; busy bar, banner on error, refresh."""
        self.view.banner.hide()
        self._set_busy(True, busy or label, cancellable)

        def done(result: Any) -> None:
            # The service reported the change (with the index after it) before this: the
            # context's feed has already shown it here and in every other view.
            self._set_busy(False)
            # Selecting (and scrolling to) the result waits for the next loop iteration, so
            # the tree update and the scroll repaint are two short stalls, not one long one.
            QTimer.singleShot(0, lambda: then(result))

        def failed(exc: JwtdeskError) -> None:
            self._set_busy(False)
            self.view.banner.show_error(f"{label} failed: {exc}")

        self.ctx.runner.run(fn, done, failed, label=label)

    def _set_busy(self, busy: bool, text: str = "", cancellable: bool = False) -> None:
        self._busy = busy
        if busy:
            self.view.busy.start(text, cancellable)
        else:
            self.view.busy.stop()
        self.update_enabled()

    def on_busy_cancel_requested(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self._set_busy(False)
            self.ctx.post_status("Cancelled: the key being generated is discarded", 5000)

    # --- actions -----------------------------------------------------------------------------

    def _open(self, dialog: QDialog, accepted: Callable[[], Callable[[], None]]) -> None:
        """Open ``dialog``; once accepted, ``accepted()`` reads its answer (the dialog is deleted
        on close) and returns the work to run."""
        self.dialog = dialog

        def go() -> None:
            # The idle lock may have come while the dialog was open: ask before going on.
            from jwtdesk.gui.unlock import when_unlocked

            work = accepted()
            when_unlocked(self.ctx, self.view, f"finish “{dialog.windowTitle()}”", work)

        dialog.accepted.connect(go)
        dialog.finished.connect(self._dialog_closed)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _dialog_closed(self) -> None:
        self.dialog = None

    def _unlocked(self, what: str, again: Callable[[], None]) -> bool:
        """True when unlocked; while locked, ask first and run ``again`` once unlocked."""
        if not self.ctx.locked:
            return True
        from jwtdesk.gui.unlock import when_unlocked

        self.view.activation_requested.emit()
        ks, _ = self.view.target()
        if what.endswith(" ") and ks is not None:  # "rotate " -> "rotate billing-api"
            what += ks.name
        dialog = when_unlocked(self.ctx, self.view, what.strip(), again)
        if dialog is not None:
            self.dialog = dialog
            # Qt emits accepted before finished: by then ``again`` may have opened the next one.
            dialog.finished.connect(lambda: self._forget(dialog))
        return False

    def _forget(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def on_new_triggered(self) -> None:
        from jwtdesk.gui.views.keys.dialogs import NewKeysetDialog

        if not self._unlocked("create a keyset", self.on_new_triggered):
            return

        self.view.activation_requested.emit()
        dialog = NewKeysetDialog([k.name for k in self.view.model.keysets], self.view)
        self._open(dialog, lambda: partial(self.create_keyset, dialog.request()))

    def create_keyset(self, req: NewKeyset) -> None:
        keys, cancel = self.ctx.keys, threading.Event()
        self._cancel = cancel

        def work() -> KeySet | None:
            try:
                return keys.create(
                    req.name,
                    req.alg,
                    size=req.size,
                    service=req.service,
                    environment=req.environment,
                    purpose=req.purpose,
                    rotation_period=req.rotation_period,
                    notes=req.notes,
                    cancelled=cancel.is_set,  # asked before anything is stored
                )
            except Cancelled:
                return None

        def then(ks: KeySet | None) -> None:
            self._cancel = None
            if ks is None:
                self.ctx.post_status(f"Cancelled: {req.name} was not created", 5000)
                return
            self.view.select(ks.name)
            self.ctx.post_status(f"Created {ks.name} ({ks.alg})", 5000)

        size = get_algorithm(req.alg).size_label(req.size)
        self.run_change(
            f"Creating {req.name}",
            work,
            then,
            f"Generating the {req.alg} key ({size}) for {req.name}…",
            cancellable=True,
        )

    def on_rotate_triggered(self) -> None:
        from jwtdesk.gui.widgets.dialogs import ConfirmDialog

        if not self._unlocked("rotate ", self.on_rotate_triggered):
            return

        self.view.activation_requested.emit()
        ks, _ = self.view.target()
        if ks is None or self._busy:
            return
        dialog = ConfirmDialog(f"Rotate {ks.name}", rotate_text(ks), "Rotate", "rotate", self.view)
        self._open(dialog, lambda: partial(self.rotate, ks.name))

    def rotate(self, name: str) -> None:
        keys = self.ctx.keys

        def then(ks: KeySet) -> None:
            self.view.select(ks.name)
            kid = ks.current.kid[:10] if ks.current else "-"
            self.ctx.post_status(f"Rotated {ks.name}: new current kid {kid}…", 5000)

        self.run_change(
            f"Rotating {name}",
            lambda: keys.rotate(name),
            then,
            f"Rotating {name}: generating its new key…",
        )

    def on_retire_triggered(self) -> None:
        from jwtdesk.gui.widgets.dialogs import ConfirmDialog

        if not self._unlocked("retire a key of ", self.on_retire_triggered):
            return

        self.view.activation_requested.emit()
        ks, v = self.view.target()
        target = v if v is not None else (ks.previous if ks else None)
        if ks is None or target is None or self._busy:
            return
        html = (
            f"<p>kid <code>{target.kid[:10]}…</code> of <b>{ks.name}</b> stops verifying "
            "now: tokens signed before the last rotation are rejected.</p><p>Its secret is "
            "deleted from the OS keyring.</p>"
        )
        dialog = ConfirmDialog(f"Retire a key of {ks.name}", html, "Retire", "retire", self.view)
        self._open(dialog, lambda: partial(self.retire, ks.name, target.kid))

    def retire(self, name: str, kid: str) -> None:
        keys = self.ctx.keys
        self.run_change(
            f"Retiring {kid[:10]}… of {name}",
            lambda: keys.retire(name, kid),
            lambda _v: self.view.select(name),
        )

    def on_delete_triggered(self) -> None:
        from jwtdesk.gui.views.keys.dialogs import DeleteDialog
        from jwtdesk.gui.widgets.dialogs import ConfirmDialog

        if not self._unlocked("delete ", self.on_delete_triggered):
            return

        self.view.activation_requested.emit()
        ks, v = self.view.target()
        if ks is None or self._busy:
            return
        if v is not None:
            html = (
                f"<p>Delete the record of retired kid <code>{v.kid[:10]}…</code> of "
                f"<b>{ks.name}</b>? Its secret is already gone.</p>"
            )
            dialog: QDialog = ConfirmDialog(
                "Delete a retired version", html, "Delete", "delete", self.view
            )
            self._open(dialog, lambda: partial(self.delete, ks.name, v.kid))
            return
        dialog = DeleteDialog(ks.name, len(ks.versions), self.view)
        self._open(dialog, lambda: partial(self.delete, ks.name))

    def delete(self, name: str, kid: str | None = None) -> None:
        keys = self.ctx.keys

        def then(_r: object) -> None:
            self.view.select(name if kid else "")
            self.ctx.post_status(f"Deleted {name}" if kid is None else f"Deleted {kid[:10]}…")

        self.run_change(f"Deleting {name}", lambda: keys.delete(name, kid), then)

    def on_rename_triggered(self) -> None:
        from jwtdesk.gui.views.keys.dialogs import RenameDialog

        if not self._unlocked("rename ", self.on_rename_triggered):
            return

        self.view.activation_requested.emit()
        ks, _ = self.view.target()
        if ks is None or self._busy:
            return
        dialog = RenameDialog(ks.name, [k.name for k in self.view.model.keysets], self.view)
        self._open(dialog, lambda: partial(self.rename, ks.name, dialog.new_name()))

    def rename(self, old: str, new: str) -> None:
        keys = self.ctx.keys
        self.run_change(
            f"Renaming {old}", lambda: keys.rename(old, new), lambda ks: self.view.select(ks.name)
        )
