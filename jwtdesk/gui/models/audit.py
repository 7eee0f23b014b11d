"""The Audit view's results table: one row per token or stored key version.

Like every model here it never returns secret material: the Secret column shows a fixed mask
for a found secret; the view reveals it on request from the row's ``Result``.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from jwtdesk.core.audit import Progress
from jwtdesk.core.secret import MASK
from jwtdesk.services.audit import Flag, Result

COLUMNS = ("Token / keyset", "Alg", "Verdict", "Secret", "Where", "Tried", "Rate", "Time")
Index = QModelIndex | QPersistentModelIndex


def verdict(r: Result) -> str:
    if r.error:
        return f"Not checked: {r.error}"
    parts = []
    if r.found:
        parts.append("FOUND")
    elif r.cancelled:
        parts.append("Cancelled")
    else:
        parts.append(f"Not found in {r.tried:,}")
    parts.extend(_flag_text(r, flag) for flag in r.flags())
    return "; ".join(parts)


def _flag_text(r: Result, flag: Flag) -> str:
    if flag is Flag.LOW_ENTROPY and r.strength is not None:
        return f"low entropy ({r.strength.bits:.0f} bits)"
    if flag is Flag.PUBLISHED:
        return "published secret"
    if flag is Flag.SHARED:
        return "shared with " + ", ".join(r.shared_with)
    return "lines skipped: " + ", ".join(f"{n:,} {k}" for k, n in r.skipped_lines.items())


def _cell(r: Result, column: int) -> str:
    if column == 0:
        return f"{r.label} ({r.kid})" if r.kid else r.label
    if column == 1:
        return r.alg
    if column == 2:
        return verdict(r)
    if column == 3:
        return MASK if r.found else ""
    if column == 4:
        return f"{r.source}, line {r.line:,}" if r.found and r.line else (r.source or "")
    if column == 5:
        return f"{r.tried:,}"
    if column == 6:
        return f"{r.rate / 1e6:.2f} M/s"
    return f"{r.seconds:.1f} s"


def _duration(seconds: float) -> str:
    s = int(seconds)
    return (
        f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def progress_text(label: str, p: Progress) -> str:
    parts = [
        label,
        p.amount(),
        f"{p.tried:,} tried",
        f"{p.rate / 1e6:.2f} M/s",
        f"{_duration(p.elapsed)} elapsed",
    ]
    if p.eta is not None and (p.fraction or 0) < 1:
        parts.append(f"about {_duration(p.eta)} left")
    return " · ".join(parts)


class AuditResultsModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.results: list[Result] = []

    def set_results(self, results: list[Result]) -> None:
        self.beginResetModel()
        self.results = list(results)
        self.endResetModel()

    def result(self, row: int) -> Result | None:
        return self.results[row] if 0 <= row < len(self.results) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(self.results)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        r = self.result(index.row()) if index.isValid() else None
        if r is None or not 0 <= index.column() < len(COLUMNS):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return _cell(r, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 5:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(  # noqa: N802 (Qt API)
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None
