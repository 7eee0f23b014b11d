"""TaskRunner: run blocking work (keyring, key generation, files) off the GUI thread.

The pattern is Anki's ``aqt/taskman.py``: work runs in a thread pool; its outcome comes back to
the GUI thread through a queued signal, and only there are the callbacks called. Worker code
never touches a widget. A cancelled task still runs to its end (RSA generation cannot be
interrupted) but its callbacks are dropped, so the view that asked has moved on cleanly.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

from jwtdesk.core.errors import JwtdeskError

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

T = TypeVar("T")

OnDone = Callable[[Any], None]
OnError = Callable[[JwtdeskError], None]


class Task:
    """A handle on submitted work: ``cancel()`` drops its callbacks."""

    def __init__(self, ident: int, label: str) -> None:
        self.ident = ident
        self.label = label
        self.cancelled = False
        self.finished = False

    def cancel(self) -> None:
        self.cancelled = True

    def __repr__(self) -> str:
        return f"Task({self.ident}, {self.label!r})"


class TaskRunner(QObject):
    """Runs callables in worker threads; results arrive on the GUI thread.

    Signals: ``task_started(label)``, ``task_finished(label)`` (success, error or cancel) and
    ``busy_changed(bool)`` for busy indicators. An exception outside ``JwtdeskError`` is a bug:
    it is re-raised on the GUI thread, where the app's excepthook reports it.
    """

    task_started = Signal(str)
    task_finished = Signal(str)
    busy_changed = Signal(bool)
    _completed = Signal(object, object, object)  # (Task, result, exception) — queued to GUI
    _progressed = Signal(object, object)  # (Task, payload) — queued to GUI

    def __init__(self, parent: QObject | None = None, workers: int = 4) -> None:
        super().__init__(parent)
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None  # made on first use (start-up time)
        self._closed = False
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[OnDone, OnError | None]] = {}
        self._running = 0
        self._progress: dict[int, Callable[[Any], None]] = {}
        # Queued even when emitted on the GUI thread: a future that finishes before
        # add_done_callback runs its callback right there, and a direct call would then finish
        # the task inside run(), before the caller has its Task (seen under load).
        self._completed.connect(self._on_completed, Qt.ConnectionType.QueuedConnection)
        self._progressed.connect(self._on_progressed, Qt.ConnectionType.QueuedConnection)

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: OnError | None = None,
        label: str = "",
    ) -> Task:
        """Call ``fn()`` in a worker; then ``on_done(result)`` or ``on_error(exc)`` in the GUI
        thread. Without ``on_error`` a JwtdeskError is re-raised on the GUI thread."""
        task = Task(next(self._ids), label)
        self._callbacks[task.ident] = (on_done, on_error)
        self._running += 1
        if self._running == 1:
            self.busy_changed.emit(True)
        self.task_started.emit(label)
        future = self._executor().submit(fn)
        future.add_done_callback(lambda fut: self._finish(task, fut))
        return task

    def run_with_progress(
        self,
        fn: Callable[[Callable[[Any], None]], T],
        on_done: Callable[[T], None],
        on_progress: Callable[[Any], None],
        on_error: OnError | None = None,
        label: str = "",
    ) -> Task:
        """Like :meth:`run`, but ``fn`` is given a ``report(payload)`` function it may call
        from the worker; each payload reaches ``on_progress`` on the GUI thread (queued), until
        the task finishes or is cancelled. ``fn`` should throttle its reports (a few a second)."""
        holder: list[Task] = []

        def report(payload: Any) -> None:  # worker thread
            if holder:
                self._progressed.emit(holder[0], payload)

        task = self.run(lambda: fn(report), on_done, on_error, label)
        self._progress[task.ident] = on_progress
        holder.append(task)
        return task

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            if self._closed:
                raise RuntimeError("TaskRunner is shut down")
            name = "jwtdesk-task"
            self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix=name)
        return self._pool

    @property
    def busy(self) -> bool:
        return self._running > 0

    @property
    def closed(self) -> bool:
        """Shut down: :meth:`run` would raise."""
        return self._closed

    def shutdown(self) -> None:
        """Stop accepting work; running tasks finish but their callbacks are dropped."""
        for ident in list(self._callbacks):
            self._callbacks.pop(ident, None)
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _finish(self, task: Task, fut: Future[Any]) -> None:  # worker thread
        exc = fut.exception()
        self._completed.emit(task, None if exc else fut.result(), exc)

    @Slot(object, object)
    def _on_progressed(self, task: Task, payload: object) -> None:
        callback = self._progress.get(task.ident)
        if callback is not None and not task.cancelled and not task.finished:
            callback(payload)

    @Slot(object, object, object)
    def _on_completed(self, task: Task, result: object, exc: BaseException | None) -> None:
        callbacks = self._callbacks.pop(task.ident, None)
        self._progress.pop(task.ident, None)
        task.finished = True
        self._running -= 1
        self.task_finished.emit(task.label)
        if self._running == 0:
            self.busy_changed.emit(False)
        if callbacks is None or task.cancelled:
            return
        on_done, on_error = callbacks
        if exc is None:
            on_done(result)
        elif isinstance(exc, JwtdeskError) and on_error is not None:
            on_error(exc)
        else:
            raise exc
