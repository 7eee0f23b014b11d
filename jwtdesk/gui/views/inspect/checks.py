"""Inspect's check rows at any window size: every row on screen, a long reason wrapped whole.

Per keystroke this compares the reasons (and the column width) with the last ones: rows are
measured only when they change, so typing stays cheap (a keystroke re-runs every check).
"""

from __future__ import annotations

from PySide6.QtWidgets import QSplitter, QTableView


def fit_checks(
    view: QTableView, splitter: QSplitter, reasons: tuple[str, ...], fitted: tuple[object, ...]
) -> tuple[object, ...]:
    """Fit ``view``'s rows to ``reasons`` (its column 2) unless ``fitted`` says they already
    are; returns what to pass as ``fitted`` next time. The claims pane (``splitter``'s second)
    gives way first: a splitter keeps the sizes it had, even below a pane's new minimum."""
    key = (reasons, view.columnWidth(2))
    if key == fitted:
        return fitted
    metrics = view.fontMetrics()
    room = view.columnWidth(2) - metrics.averageCharWidth() * 2
    default = view.verticalHeader().defaultSectionSize()
    for row, reason in enumerate(reasons):
        if metrics.horizontalAdvance(reason) > room:
            view.resizeRowToContents(row)
        elif view.rowHeight(row) != default:
            view.setRowHeight(row, default)
    # The header's size hint, not its height: before its first layout that is still 0.
    rows = view.verticalHeader().length() + view.horizontalHeader().sizeHint().height()
    need = rows + 2 * view.frameWidth()
    if view.minimumHeight() != need:
        view.setMinimumHeight(need)
    top = splitter.widget(0)
    sizes, want = splitter.sizes(), top.minimumSizeHint().height() if top else 0
    if sum(sizes) and sizes[0] < want:
        take = min(want - sizes[0], max(0, sizes[1] - metrics.lineSpacing() * 4))
        splitter.setSizes([sizes[0] + take, sizes[1] - take, *sizes[2:]])
    return key
