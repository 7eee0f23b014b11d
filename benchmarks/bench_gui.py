"""The desktop app: start-up time, event-loop stalls and memory. Prints figures, asserts nothing.

Run: make bench  (or: .venv/bin/python benchmarks/bench_gui.py [--runs N])

1. Start-up: process start -> main window shown, with 200 keysets stored (index only), beside a
   bare PySide6 QMainWindow, alternating subprocess runs, median of N (goal <= 1.5x). The
   window's frame comes first and the current view is built just after its first paint, so
   each jwtdesk run also reports the time to the Keys tree's first rows painted and to all
   200 keysets in it, the longest event-loop stall in between, and the keyring reads made
   before the window was shown (0).
2. Stalls: the longest gap of a 10 ms QTimer heartbeat while the Keys view generates an
   RSA-4096 keyset, rotates it, while details of many keysets are shown, and while a token is
   typed into Inspect one key at a time (goal <= 50 ms).
3. Peak RSS (getrusage) of the start-up processes, jwtdesk beside the bare window.

Environment: BENCH_STARTUP_ONLY=1 runs part 1 only; BENCH_VERBOSE=1 prints every run's times.
Keyring: benchmarks/counting_keyring.py (a file-backed backend counting each call); Qt: the
offscreen platform unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

BARE = """
import resource
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(["bare"])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1200, 800)
window.show()
def shown():
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"shown 0 {rss}", flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""

# The calls file is read directly: importing counting_keyring would import keyring (~50 ms),
# which jwtdesk itself does not do before its window is shown.
JWTDESK = """
import os, resource, time
from PySide6.QtCore import QTimer
def calls():
    try:
        with open(os.path.join(os.environ["JWTDESK_BENCH_KEYRING"], "calls")) as fh:
            return len(fh.read().split())
    except FileNotFoundError:
        return 0
before = calls()  # earlier runs' probes are in the same file
from jwtdesk.gui.app import create
app, window = create(["jwtdesk"])
window.show()
reads = calls() - before
rss = 0
def shown():
    global rss
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"shown {reads} {rss}", flush=True)
QTimer.singleShot(0, shown)
# Then: the Keys view built and its tree filled and painted (its content, after the frame),
# and the longest gap of a 10 ms heartbeat until then.
last, worst = time.perf_counter(), 0.0
def beat():
    global last, worst
    now = time.perf_counter()
    worst, last = max(worst, now - last), now
heart = QTimer(interval=10)
heart.timeout.connect(beat)
heart.start()
first = None
def listed():
    global first
    view = window.views.get("keys")
    if view is None or view.model.rowCount() == 0 or not view.tree.isVisible():
        return
    if first is None:
        view.tree.viewport().repaint()  # a paint of the rows is part of "listed"
        first = time.perf_counter()
    if len(view.model.keysets) < 200:
        return
    poll.stop()
    beat()
    print(f"listed {worst * 1e3:.1f} {(time.perf_counter() - first) * 1e3:.1f}", flush=True)
    window.ctx.runner.shutdown()
    app.quit()
poll = QTimer(interval=1)
poll.timeout.connect(listed)
poll.start()
app.exec()
"""


class StartRun(NamedTuple):
    shown: float  # s from process start to the window shown
    listed: float  # s to the Keys tree's first rows painted (jwtdesk; = shown for bare)
    complete: float  # s to all 200 keysets in the tree (jwtdesk; = shown for bare)
    gap_ms: float  # longest heartbeat gap between shown and complete (jwtdesk)
    reads: int  # keyring reads before the window was shown
    rss: int  # peak RSS KiB at shown


def start_once(code: str, env: dict[str, str]) -> StartRun:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    shown = time.perf_counter() - start
    second = proc.stdout.readline()
    listed = time.perf_counter() - start  # all keysets in; "first" is reported relative to it
    _, err = proc.communicate()
    if not line.startswith("shown"):
        raise SystemExit(f"start-up run failed: {err}")
    _, reads, rss = line.split()
    if second.startswith("listed"):
        _, gap, rest = second.split()
        done = listed - float(rest) / 1e3
        return StartRun(shown, done, listed, float(gap), int(reads), int(rss))
    return StartRun(shown, shown, shown, 0.0, int(reads), int(rss))


def startup(runs: int, env: dict[str, str]) -> None:
    start_once(BARE, env)  # warm the OS file cache for both
    start_once(JWTDESK, env)
    bare, app = [], []
    for _ in range(runs):
        bare.append(start_once(BARE, env))
        app.append(start_once(JWTDESK, env))
    if os.environ.get("BENCH_VERBOSE"):
        print("   bare ms:", " ".join(f"{r.shown * 1e3:.0f}" for r in bare))
        times = (f"{r.shown * 1e3:.0f}/{r.listed * 1e3:.0f}/{r.complete * 1e3:.0f}" for r in app)
        print("   app  ms (shown/first rows/all):", " ".join(times))

    def median_ms(rows: list[StartRun], field: str) -> float:
        return float(statistics.median(getattr(r, field) for r in rows)) * 1e3

    mb, ma, ml = median_ms(bare, "shown"), median_ms(app, "shown"), median_ms(app, "listed")
    mc = median_ms(app, "complete")

    def paired(field: str) -> float:
        """Median of each run's ratio to the bare run just before it: robust to the machine
        speeding up or slowing down during the benchmark."""
        pairs = zip(app, bare, strict=True)
        return float(statistics.median(getattr(a, field) / b.shown for a, b in pairs))

    print(f"1. start-up, median of {runs} alternating runs (200 keysets, 400 versions stored)")
    least = min(r.shown for r in bare) * 1e3
    print(f"   bare QMainWindow shown        : {mb:6.1f} ms  (min {least:.1f})")
    print("   (ratio: median of each run's ratio to the bare run before it)")
    win = paired("shown")
    print(f"   jwtdesk window shown          : {ma:6.1f} ms  ratio {win:.2f}  (goal <= 1.50)")
    print(f"   jwtdesk first keysets painted : {ml:6.1f} ms  ratio {paired('listed'):.2f}")
    print(f"   jwtdesk all 200 keysets listed: {mc:6.1f} ms  ratio {paired('complete'):.2f}")
    gap = max(r.gap_ms for r in app)
    print(f"   longest stall from shown to all listed: {gap:.1f} ms (max over runs; goal <= 50)")
    reads = max(r.reads for r in app)
    print(f"   keyring reads before the window was shown: {reads} (max over runs; goal 0)")
    rb, ra = median_ms(bare, "rss") / 1024e3, median_ms(app, "rss") / 1024e3
    print(f"3. peak RSS at shown: bare {rb:.1f} MiB, jwtdesk {ra:.1f} MiB ({ra / rb:.2f}x)")


class Heartbeat:
    """A 10 ms QTimer; ``phase`` reports the longest gap between its ticks while work runs."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.last, self.worst = time.perf_counter(), 0.0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self.on_timer_timeout)
        self.timer.start()

    def on_timer_timeout(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def phase(self, name: str, run: Callable[[], object], until: Callable[[], bool]) -> None:
        from PySide6.QtTest import QTest

        QTest.qWait(100)
        self.worst, self.last = 0.0, time.perf_counter()
        started = time.perf_counter()
        run()
        while not until():
            QTest.qWait(5)
        QTest.qWait(50)
        took = time.perf_counter() - started
        print(f"   {name:<44}: worst gap {self.worst * 1e3:5.1f} ms  ({took:.2f} s)")


def typing_phase(beat: Heartbeat, window: Any) -> None:
    """Type a token into Inspect one key at a time (if Inspect takes tokens yet)."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from jwtdesk.core.tokens import TokenRequest

    if not hasattr(window.view("inspect"), "set_token"):
        print("   (Inspect has no set_token yet: typing phase skipped)")
        return
    req = TokenRequest(sub="user-1", aud=["api"], exp="+15m")
    token = window.ctx.tokens.build("bench-rsa", req)

    # The first switch builds the view (imports, widgets, first paint): reported apart,
    # since it happens once per session, not per keystroke.
    beat.phase(
        "first switch to Inspect (builds the view)",
        lambda: window.show_view("inspect"),
        lambda: True,
    )

    def typing() -> None:
        window.focus_token()
        field = QApplication.focusWidget()
        for ch in token:
            QTest.keyClicks(field, ch)
            QTest.qWait(12)

    beat.phase(f"type a {len(token)}-char token into Inspect", typing, lambda: True)


def stalls() -> None:
    """In-process: the longest heartbeat gap while the Keys view works, per phase."""
    import resource

    from PySide6.QtTest import QTest

    from jwtdesk.core.keysets import Purpose
    from jwtdesk.gui.app import create
    from jwtdesk.gui.views.keys.dialogs import NewKeyset

    app, window = create(["jwtdesk"])
    window.resize(1280, 820)
    window.show()
    ctx, actions, beat = window.ctx, window.keys_view.key_actions, Heartbeat()
    idle = lambda: not ctx.runner.busy  # noqa: E731
    print("2. longest event-loop stall, 10 ms heartbeat (goal <= 50 ms)")
    checked = lambda: window.status.keyring_status.state != "checking"  # noqa: E731
    beat.phase("wait for the post-show keyring probe", lambda: None, checked)
    period = timedelta(days=90)
    request = NewKeyset("bench-rsa", "RS256", 4096, "bench", "prod", Purpose.ACCESS, period, "")
    beat.phase(
        "New keyset RSA-4096 (Keys view action)", lambda: actions.create_keyset(request), idle
    )
    beat.phase("Rotate RSA-4096 (Keys view action)", lambda: actions.rotate("bench-rsa"), idle)

    def browse() -> None:
        for ks in ctx.keys.keysets()[:60]:
            window.keys_view.select(ks.name)
            QTest.qWait(15)

    beat.phase("select 60 keysets one by one (details pane)", browse, lambda: True)
    typing_phase(beat, window)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"   peak RSS of this run (after RSA-4096 work): {rss:.1f} MiB")
    beat.timer.stop()
    ctx.runner.shutdown()
    window.close()
    del app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    compileall.compile_dir(str(ROOT / "jwtdesk"), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        home, ring, cfg = Path(tmp) / "home", Path(tmp) / "ring", Path(tmp) / "config"
        ring.mkdir()
        cfg.mkdir()
        os.environ.update(
            {
                "JWTDESK_BENCH_KEYRING": str(ring),
                "JWTDESK_HOME": str(home),
                "PYTHON_KEYRING_BACKEND": "counting_keyring.CountingKeyring",
                "XDG_CONFIG_HOME": str(cfg),  # QSettings of these runs stay in the temp dir
                "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            }
        )
        from bench_store import seed

        seed(home, 200, 2)
        (ring / "calls").unlink()
        env = {**os.environ, "PYTHONPATH": str(HERE), "PYTHONDONTWRITEBYTECODE": "1"}
        startup(args.runs, env)
        if not os.environ.get("BENCH_STARTUP_ONLY"):
            stalls()


if __name__ == "__main__":
    main()
