"""Item models of the Inspect and Build views: the check rows, the decoded header and claims,
and the lint findings. They hold what a token says and what was checked, never a key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, overload

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from jwtdesk.core.inspect import Check
from jwtdesk.core.lint import Finding
from jwtdesk.gui.models.inspect_text import (
    CHECK_TITLES,
    DESCRIPTIONS,
    MS_WARNING,
    TIME_CLAIMS,
    clip,
    describe_time,
    reference_url,
    value_text,
)
from jwtdesk.gui.tokenview import SEVERITY_COLOURS, STATUS_COLOURS, severity_icon, status_icon

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_R = Qt.ItemDataRole
_D, _DEC, _TIP, _FG, _ACC = (
    _R.DisplayRole, _R.DecorationRole, _R.ToolTipRole, _R.ForegroundRole, _R.AccessibleTextRole
)  # fmt: skip
USER = _R.UserRole
_SERVED = frozenset({_D, _DEC, _TIP, _FG, _ACC, USER + 1, USER + 2})


class ChecksModel(QAbstractTableModel):
    """One row per check: what was checked, passed / failed / skipped, and why."""

    NameRole = USER + 1
    StatusRole = USER + 2
    HEADERS = ("Check", "Result", "Reason")
    _checks: tuple[Check, ...] = ()  # class defaults: a view tearing down may still ask

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._checks: tuple[Check, ...] = ()

    def checks(self) -> tuple[Check, ...]:
        return self._checks

    def set_checks(self, checks: Sequence[Check]) -> None:
        new = tuple(checks)
        if new == self._checks:
            return
        if [c.name for c in new] == [c.name for c in self._checks]:
            old, self._checks = self._checks, new  # same rows: keep the selection
            for row, (was, now) in enumerate(zip(old, new, strict=True)):
                if was != now:
                    self.dataChanged.emit(self.index(row, 0), self.index(row, 2))
            return
        self.beginResetModel()
        self._checks = new
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._checks)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = _D
    ) -> Any:
        if role == _D and orientation == Qt.Orientation.Horizontal and 0 <= section < 3:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = _D) -> Any:
        if role not in _SERVED or not index.isValid() or not 0 <= index.row() < len(self._checks):
            return None
        check, column = self._checks[index.row()], index.column()
        if role == self.NameRole:
            return check.name
        if role == self.StatusRole:
            return check.status
        if role in (_D, _TIP):
            texts = (CHECK_TITLES.get(check.name, check.name), check.status.title(), check.reason)
            return texts[column] if role == _D else f"{texts[0]}: {check.status} — {check.reason}"
        if role == _ACC:
            return f"{CHECK_TITLES.get(check.name, check.name)} {check.status}: {check.reason}"
        if role == _DEC and column == 1:
            return status_icon(check.status)
        if role == _FG and column == 1 and check.status != "passed":
            return QBrush(QColor(STATUS_COLOURS[check.status]))
        return None


# ---- findings -----------------------------------------------------------------------------


class FindingsModel(QAbstractListModel):
    """Lint findings, errors first: severity icon, one sentence, rule id and reference."""

    RuleIdRole = USER + 1
    SeverityRole = USER + 2
    ReferenceRole = USER + 3
    ReferenceUrlRole = USER + 4
    LocationRole = USER + 5
    _findings: tuple[Finding, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._findings: tuple[Finding, ...] = ()

    def findings(self) -> tuple[Finding, ...]:
        return self._findings

    def set_findings(self, findings: Sequence[Finding]) -> None:
        new = tuple(findings)
        if new == self._findings:
            return
        if [(f.id, f.location) for f in new] == [(f.id, f.location) for f in self._findings]:
            self._findings = new  # same findings, new wording ("expired 5 min"): keep selection
            self.dataChanged.emit(self.index(0), self.index(len(new) - 1))
            return
        self.beginResetModel()
        self._findings = new
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._findings)

    def data(self, index: Index, role: int = _D) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._findings):
            return None
        f = self._findings[index.row()]
        by_role: dict[int, Any] = {
            _D: f.message,
            _TIP: f"{f.severity.value}: {f.message}\n{f.id} — {f.reference}",
            _ACC: f"{f.severity.value}: {f.message}. Rule {f.id}, {f.reference}",
            self.RuleIdRole: f.id,
            self.SeverityRole: f.severity.value,
            self.ReferenceRole: f.reference,
            self.LocationRole: f.location,
        }
        if role == _DEC:
            return severity_icon(f.severity.value)
        if role == self.ReferenceUrlRole:
            return reference_url(f.reference)
        return by_role.get(role)


# ---- header and claims --------------------------------------------------------------------


class _Node:
    """A member of the header or claims; its children are made when first asked for, so a
    token with thousands of nested claims costs only the rows on screen."""

    __slots__ = ("_children", "key", "parent", "path", "row", "value")

    def __init__(self, key: str, value: Any, parent: _Node | None, row: int, path: str) -> None:
        self.key, self.value, self.parent, self.row, self.path = key, value, parent, row, path
        self._children: list[_Node] | None = None

    @property
    def children(self) -> list[_Node]:
        if self._children is None:
            value, path = self.value, self.path
            if isinstance(value, dict):
                items = enumerate(value.items())
                self._children = [_Node(k, v, self, i, f"{path}.{clip(k)}") for i, (k, v) in items]
            elif isinstance(value, list):
                self._children = [
                    _Node(f"[{i}]", v, self, i, f"{path}[{i}]") for i, v in enumerate(value)
                ]
            else:
                self._children = []
        return self._children

    def names(self, location: str) -> bool:
        """True if ``location`` is this node's path (keys clipped to 40 characters or not)."""
        if location == self.path:
            return True
        parent = self.parent
        return parent is not None and location == f"{parent.path}.{self.key}"


class ClaimsModel(QAbstractItemModel):
    """The decoded header and claims as a tree: Header and Claims, their members below.

    Columns: name, value (as JSON), and what it means (times as UTC, local and relative to the
    as-of time; a 13-digit time is flagged "milliseconds?"). ``PathRole`` is the path lint
    findings use for their location ("header.alg", "claims.exp", "claims.address.pwd").
    """

    PathRole = USER + 1
    ValueRole = USER + 2
    HEADERS = ("Name", "Value", "Meaning")
    _as_of = datetime.fromtimestamp(0, UTC)
    _ROLES = frozenset({_D, _DEC, _TIP, _FG, _ACC, USER + 1, USER + 2})
    _top: Sequence[_Node] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._key: tuple[bytes | None, bytes | None, str] | None = None
        self._as_of = datetime.now(UTC)
        self._top = []

    # -- updates ----------------------------------------------------------------------------

    def set_token(
        self,
        header: tuple[bytes | None, dict[str, Any] | None],
        claims: tuple[bytes | None, dict[str, Any] | None],
        as_of: datetime,
        claims_note: str = "",
    ) -> None:
        """Rebuild only when the decoded bytes changed; else just re-describe the times."""
        key = (header[0], claims[0], claims_note)
        as_of = as_of.replace(microsecond=0)  # times are described to the second
        if as_of != self._as_of:
            self._as_of = as_of
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 2, 2)
            if key == self._key:
                self._times_changed()
        if key == self._key:
            return
        self.beginResetModel()
        self._key = key
        self._top = []
        if header[0] is not None or claims[0] is not None or claims_note:
            claims_value = claims[1] if claims[1] is not None else claims_note or None
            self._top = [
                _Node("Header", header[1], None, 0, "header"),
                _Node("Claims", claims_value, None, 1, "claims"),
            ]
        self.endResetModel()

    def _times_changed(self) -> None:
        """Relative times moved: repaint the meaning of the time claims only."""
        if len(self._top) < 2:
            return
        for node in self._top[1].children:
            if node.key in TIME_CLAIMS:
                cell = self.createIndex(node.row, 2, node)
                self.dataChanged.emit(cell, cell, [_D, _TIP, _ACC, _DEC, _FG])

    def clear(self) -> None:
        self.set_token((None, None), (None, None), self._as_of)

    def index_for_location(self, location: str | None) -> QModelIndex:
        """The row a finding is about: the exact path, else its nearest ancestor shown."""
        location = location or ""
        level, found = self._top, None
        while True:
            match = next((n for n in level if n.names(location)), None)
            if match is not None:
                found = match
                break
            inside = (
                n
                for n in level
                if location.startswith((f"{n.path}.", f"{n.path}["))
                and isinstance(n.value, dict | list)
            )
            found = next(inside, found)
            if found is None or level is found.children:
                break
            level = found.children
        return self.createIndex(found.row, 0, found) if found is not None else QModelIndex()

    # -- the model --------------------------------------------------------------------------

    def _node(self, index: Index) -> _Node | None:
        node: Any = index.internalPointer() if index.isValid() else None
        return node if isinstance(node, _Node) else None

    def _children(self, parent: Index) -> Sequence[_Node]:
        node = self._node(parent)
        return node.children if node is not None else self._top

    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 - Qt override
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children(parent))

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 - Qt override
        return len(self.HEADERS)

    def index(self, row: int, column: int, parent: Index = _ROOT) -> QModelIndex:
        children = self._children(parent)
        if (parent.isValid() and parent.column() != 0) or not 0 <= row < len(children):
            return QModelIndex()
        if not 0 <= column < len(self.HEADERS):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, child: Index) -> QModelIndex: ...
    def parent(self, child: Index | None = None) -> QObject | QModelIndex | None:
        if child is None:
            return super().parent()
        node = self._node(child)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = _D
    ) -> Any:
        if role != _D or orientation != Qt.Orientation.Horizontal or not 0 <= section < 3:
            return None
        if section == 2:
            at = self._as_of.strftime("%Y-%m-%d %H:%M:%S UTC")
            return f"Meaning (relative to {at})"
        return self.HEADERS[section]

    def data(self, index: Index, role: int = _D) -> Any:
        # Views ask for a dozen roles per cell: answer the unserved ones before any work.
        node = self._node(index) if role in self._ROLES else None
        if node is None:
            return None
        if role == self.PathRole:
            return node.path
        if role == self.ValueRole:
            return node.value
        column = index.column()
        if role == _D:
            if column == 0:
                return node.key
            return self._value(node) if column == 1 else self._meaning(node)
        if role in (_ACC, _TIP):
            texts = (node.key, self._value(node), self._meaning(node))
            return " — ".join(t for t in texts if t)
        warn = column == 2 and node.key in TIME_CLAIMS and MS_WARNING in self._meaning(node)
        if role == _DEC and warn:
            return severity_icon("warning")
        if role == _FG and warn:
            return QBrush(QColor(SEVERITY_COLOURS["warning"]))
        return None

    def _value(self, node: _Node) -> str:
        if node.parent is None and not isinstance(node.value, dict):
            return "not decoded" if node.value is None else str(node.value)
        return value_text(node.value)

    def _meaning(self, node: _Node) -> str:
        parent = node.parent
        if parent is None:
            return "the JOSE header" if node.path == "header" else "the payload (JWT claims)"
        if parent.parent is not None:
            return ""
        value = node.value
        if parent.path == "claims" and node.key in TIME_CLAIMS:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return "not a NumericDate: a number of seconds is expected (RFC 7519 §2)"
            return describe_time(node.key, float(value), self._as_of)
        return DESCRIPTIONS[parent.path].get(node.key, "") if parent.path in DESCRIPTIONS else ""
