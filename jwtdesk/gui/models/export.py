"""Item models of the Export view: profiles, a profile's variables, drift-check rows.

All three are built from the index (profiles, plans) or a drift report: none holds or returns
secret material for any role; a secret variable's value shows as the mask.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase

from jwtdesk.core.profiles import Profile, Source
from jwtdesk.core.secret import MASK
from jwtdesk.services.drift import DriftRow
from jwtdesk.services.export import Planned

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
DISPLAY = Qt.ItemDataRole.DisplayRole
NAME_ROLE = Qt.ItemDataRole.UserRole + 1


def _mono() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class _Table(QAbstractTableModel):
    headers: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[Any] = []

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.headers)

    def headerData(  # noqa: N802 (Qt API)
        self, section: int, orientation: Qt.Orientation, role: int = DISPLAY
    ) -> Any:
        horizontal = orientation is Qt.Orientation.Horizontal
        if horizontal and role == DISPLAY and 0 <= section < len(self.headers):
            return self.headers[section]
        return None

    def reset(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_item(self, row: int) -> Any:
        return self._rows[row]


class ProfilesModel(_Table):
    headers = ("Profile", "Format", "Variables")

    def data(self, index: _Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        p: Profile = self._rows[index.row()]
        if role == DISPLAY:
            return (p.name, p.format, str(len(p.bindings)))[index.column()]
        if role == NAME_ROLE:
            return p.name
        return None

    def row_of(self, name: str) -> int:
        return next((n for n, p in enumerate(self._rows) if p.name == name), -1)


class VariablesModel(_Table):
    """One row per variable: name, source, what an export writes now (masked for secrets)."""

    headers = ("Variable", "Source", "Value now", "Export")

    def data(self, index: _Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        p: Planned = self._rows[index.row()]
        col = index.column()
        if role == DISPLAY:
            return (p.binding.var, _source(p), _now(p), _export(p))[col]
        if role == Qt.ItemDataRole.FontRole and col in (0, 2):
            return _mono()
        if role == Qt.ItemDataRole.ForegroundRole and col == 3 and p.omitted:
            return QColor(150, 110, 0)
        if role == Qt.ItemDataRole.ToolTipRole:
            return p.omitted or (
                "secret: shown masked; written only to the file you choose"
                if p.binding.source.secret
                else None
            )
        if role == NAME_ROLE:
            return p.binding.var
        return None


def _source(p: Planned) -> str:
    b = p.binding
    return "literal value" if b.source is Source.VALUE else f"{b.keyset} · {b.source.value}"


def _now(p: Planned) -> str:
    b = p.binding
    if p.omitted:
        return "—"
    if b.source.secret:
        return MASK
    if b.source is Source.VALUE:
        return b.value
    kid = p.version.kid if p.version else ""
    return f"kid {kid[:12]}…" if len(kid) > 12 else f"kid {kid}"


def _export(p: Planned) -> str:
    return f"omitted: {p.omitted}" if p.omitted else "written"


_STATUS_COLORS = {
    "match": QColor(40, 150, 60),
    "stale": QColor(200, 60, 50),
    "missing": QColor(200, 60, 50),
    "extra": QColor(200, 120, 0),
    "unknown": QColor(120, 120, 120),
}


class DriftModel(_Table):
    headers = ("Name", "Status", "Keyset", "Kid", "Key state", "Detail")

    def data(self, index: _Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        r: DriftRow = self._rows[index.row()]
        if role == DISPLAY:
            kid = r.kid or "—"
            values = (r.name, r.status, r.keyset or "—", kid[:16], r.state or "—", r.detail)
            return values[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1:
            return _STATUS_COLORS.get(r.status)
        if role == Qt.ItemDataRole.FontRole and index.column() in (0, 3):
            return _mono()
        return None
