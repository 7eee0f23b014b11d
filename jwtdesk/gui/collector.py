"""The garbage collector runs on the GUI thread only, on a timer.

Python collects cycles on whichever thread happens to allocate when a threshold is crossed. In
this app that is often a TaskRunner worker, and a collected cycle may hold the last reference
to a Qt wrapper (a closure over a widget, a dialog's slot): destroying a QObject off its thread
crashes Qt at random (seen as segfaults in the Revocation and Checklist view tests). So the
automatic collector is off and :func:`collect_on_gui_thread` collects every ~10 s on the GUI
thread, where deleting Qt objects is safe. Start-up objects are frozen first (``gc.freeze``),
so each collection looks only at what the app made since: a few ms.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 10_000


def collect_on_gui_thread(parent: QObject, interval_ms: int = INTERVAL_MS) -> QTimer:
    """Turn automatic collection off; collect on ``parent``'s (GUI) thread every interval."""
    gc.disable()
    timer = QTimer(parent)
    timer.setObjectName("gc-collect")
    timer.setInterval(interval_ms)
    timer.timeout.connect(gc.collect)
    timer.start()
    return timer
