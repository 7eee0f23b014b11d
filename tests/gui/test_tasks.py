"""TaskRunner: results and errors come back on the GUI thread; cancel drops callbacks."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from jwtdesk.core.errors import InvalidInput
from jwtdesk.gui.tasks import TaskRunner


def test_result_arrives_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = TaskRunner()
    seen: list[tuple[int, bool]] = []
    main = threading.get_ident()
    worker: list[int] = []

    def work() -> int:
        worker.append(threading.get_ident())
        return 42

    with qtbot.waitSignal(runner.task_finished, timeout=5000):
        runner.run(work, lambda v: seen.append((v, threading.get_ident() == main)), label="w")
    assert seen == [(42, True)]
    assert worker and worker[0] != main
    assert not runner.busy
    runner.shutdown()


def test_jwtdesk_errors_go_to_on_error(qtbot: QtBot) -> None:
    runner = TaskRunner()
    errors: list[str] = []

    def fail() -> None:
        raise InvalidInput("the name is wrong; pick another")

    with qtbot.waitSignal(runner.task_finished, timeout=5000):
        runner.run(fail, lambda _v: errors.append("done?"), lambda e: errors.append(str(e)))
    assert errors == ["the name is wrong; pick another"]
    runner.shutdown()


def test_cancelled_task_drops_its_callbacks(qtbot: QtBot) -> None:
    runner = TaskRunner()
    gate = threading.Event()
    seen: list[object] = []
    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)
    task = runner.run(gate.wait, seen.append, label="slow")
    assert runner.busy
    task.cancel()
    with qtbot.waitSignal(runner.task_finished, timeout=5000):
        gate.set()
    assert seen == []
    assert task.finished and task.cancelled
    assert busy == [True, False]
    runner.shutdown()


def test_no_thread_until_the_first_task_and_none_after_shutdown() -> None:
    before = threading.active_count()
    runner = TaskRunner()
    assert threading.active_count() == before  # the pool is made on first use (start-up)
    runner.shutdown()
    try:
        runner.run(lambda: 1, lambda _v: None)
    except RuntimeError as exc:
        assert "shut down" in str(exc)
    else:  # pragma: no cover - the assertion below reports it
        raise AssertionError("a shut-down runner accepted work")


def test_a_task_that_finishes_before_run_returns_still_reports_later(qtbot: QtBot) -> None:
    """Under load the worker can finish before add_done_callback: the callback then runs on
    the GUI thread at once. The result must still arrive through the event loop, after run()
    has returned the Task, never inside run()."""
    from concurrent.futures import Future

    class Immediate:
        def submit(self, fn: object) -> Future[object]:
            future: Future[object] = Future()
            future.set_result(fn())  # type: ignore[operator]
            return future

    runner = TaskRunner()
    runner._executor = Immediate  # type: ignore[assignment,method-assign]
    seen: list[int] = []
    task = runner.run(lambda: 7, seen.append, label="fast")
    assert runner.busy and not task.finished and seen == []
    qtbot.waitUntil(lambda: seen == [7], timeout=5000)
    assert task.finished and not runner.busy
    runner.shutdown()
