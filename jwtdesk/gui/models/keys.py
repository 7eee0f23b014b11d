"""The keys tree: service/environment groups -> keysets -> key versions.

Built from ``KeyService.keysets()``, the index only: no keyring read, and no secret material is
ever held or returned, whatever the role (DESIGN.md rule 2). What each cell says is in
:mod:`key_cells`. A change that keeps the tree's shape (rotate, retire) updates rows in place,
so the view keeps its scroll position and the proxy re-sorts only what changed; other changes
reset the model.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont, QFontDatabase

from jwtdesk.core.keysets import KeySet
from jwtdesk.gui.models import key_cells as cells
from jwtdesk.gui.models.key_cells import HEADERS, NO_GROUP, Column, Node, group_label
from jwtdesk.gui.widgets.badge import state_color

__all__ = ["HEADERS", "Column", "KeysFilterProxy", "KeysModel", "Node", "Role"]

_Index = QModelIndex | QPersistentModelIndex
_COLUMNS = len(HEADERS)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags


class Role(IntEnum):
    KIND = Qt.ItemDataRole.UserRole + 1  # "group" | "keyset" | "version"
    KEYSET = Qt.ItemDataRole.UserRole + 2  # keyset name (keyset and version rows)
    KID = Qt.ItemDataRole.UserRole + 3  # version kid (current kid on keyset rows)
    SORT = Qt.ItemDataRole.UserRole + 4
    FILTER = Qt.ItemDataRole.UserRole + 5
    STATE = Qt.ItemDataRole.UserRole + 6  # badge state: current/previous/retired/due/ok


def _group_key(label: str) -> tuple[bool, str]:
    """Groups sort by label, "(no service)" last."""
    return (label == NO_GROUP, label.lower())


def _renumber(nodes: list[Node]) -> None:
    for row, node in enumerate(nodes):
        node.row = row


class KeysModel(QAbstractItemModel):
    """Read-only tree over a tuple of keysets, replaced with :meth:`set_keysets`."""

    def __init__(
        self, parent: QObject | None = None, clock: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__(parent)
        self._clock = clock or (lambda: datetime.now().astimezone())
        self._roots: list[Node] = []
        self._nodes: dict[int, Node] = {}
        self._next_id = 1
        self._keysets: tuple[KeySet, ...] = ()
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._bold = QFont()
        self._bold.setBold(True)
        self._now = self._clock()

    # --- building ---------------------------------------------------------------------------

    @property
    def keysets(self) -> tuple[KeySet, ...]:
        return self._keysets

    def set_keysets(self, keysets: Sequence[KeySet]) -> bool:
        """Show ``keysets``; True if that took a model reset, False if rows were updated,
        inserted or removed in place (create, rotate, retire, rename, delete)."""
        new = tuple(keysets)
        self._now = self._clock()
        if self.needs_reset(new):
            self._reset(new)
            self._keysets = new
            return True
        by_name = {k.name: k for k in new}
        touched: set[str] = set()  # groups whose "N due" may change
        for node, old in self._keyset_nodes():
            ks = by_name.get(old.name)
            if ks is None or group_label(ks) != group_label(old):
                self._remove_keyset(node)
            elif ks != old:
                self._update_keyset(node, ks)
                touched.add(group_label(ks))
        shown = {ks.name for _, ks in self._keyset_nodes()}
        for ks in new:
            if ks.name not in shown:
                self._insert_keyset(ks)
                touched.add(group_label(ks))
        for group in self._roots:
            if group.group in touched:
                self._row_changed(group)
        self._keysets = new
        return False

    def needs_reset(self, new: Sequence[KeySet]) -> bool:
        return not self._keysets or not self._fits_in_place(tuple(new))

    def _reset(self, keysets: tuple[KeySet, ...]) -> None:
        self.beginResetModel()
        self._nodes.clear()
        self._roots = []
        for ks in sorted(keysets, key=lambda k: (_group_key(group_label(k)), k.name.lower())):
            label = group_label(ks)
            if not self._roots or self._roots[-1].group != label:
                self._roots.append(self._node(None, len(self._roots), group=label))
            self._add_keyset(self._roots[-1], len(self._roots[-1].children), ks)
        self.endResetModel()

    def _add_keyset(self, group: Node, row: int, ks: KeySet) -> None:
        node = self._node(group, row, keyset=ks)
        group.children.insert(row, node)
        for v in sorted(ks.versions, key=lambda v: v.created):
            node.children.append(self._node(node, len(node.children), keyset=ks, version=v))
        _renumber(group.children)

    def _insert_keyset(self, ks: KeySet) -> None:
        label = group_label(ks)
        group = next((g for g in self._roots if g.group == label), None)
        if group is None:
            keys = [_group_key(g.group) for g in self._roots]
            row = bisect.bisect(keys, _group_key(label))
            self.beginInsertRows(QModelIndex(), row, row)
            group = self._node(None, row, group=label)
            self._roots.insert(row, group)
            _renumber(self._roots)
            self.endInsertRows()
        names = [c.keyset.name.lower() for c in group.children if c.keyset is not None]
        row = bisect.bisect(names, ks.name.lower())
        self.beginInsertRows(self.createIndex(group.row, 0, group.ident), row, row)
        self._add_keyset(group, row, ks)
        self.endInsertRows()

    def _remove_keyset(self, node: Node) -> None:
        group = node.parent
        if group is None:  # pragma: no cover - keyset rows always have a group
            return
        if len(group.children) == 1:  # the group goes with its last keyset
            node, siblings, parent = group, self._roots, QModelIndex()
        else:
            siblings, parent = group.children, self.createIndex(group.row, 0, group.ident)
        self.beginRemoveRows(parent, node.row, node.row)
        siblings.pop(node.row)
        _renumber(siblings)
        self._forget(node)
        self.endRemoveRows()

    def _forget(self, node: Node) -> None:
        self._nodes.pop(node.ident, None)
        for child in node.children:
            self._forget(child)

    def _keyset_nodes(self) -> list[tuple[Node, KeySet]]:
        return [(n, n.keyset) for g in self._roots for n in g.children if n.keyset is not None]

    def _fits_in_place(self, new: tuple[KeySet, ...]) -> bool:
        """Each keyset still shown keeps all its versions, in order, and may gain newer ones.
        (A removed version renumbers the rows after it, which only a reset announces.)"""
        by_name = {k.name: k for k in new}
        for node, old in self._keyset_nodes():
            ks = by_name.get(old.name)
            if ks is None:
                continue
            wanted = [v.id for v in sorted(ks.versions, key=lambda v: v.created)]
            kept = [c.version.id for c in node.children if c.version]
            if wanted[: len(kept)] != kept:
                return False
        return True

    def _update_keyset(self, node: Node, ks: KeySet) -> None:
        parent = self.createIndex(node.row, 0, node.ident)
        wanted = sorted(ks.versions, key=lambda v: v.created)
        by_id = {v.id: v for v in wanted}
        node.keyset = ks
        for child in node.children:
            if child.version is not None:
                child.keyset, child.version = ks, by_id[child.version.id]
        added = wanted[len(node.children) :]
        if added:
            first = len(node.children)
            self.beginInsertRows(parent, first, first + len(added) - 1)
            for v in added:
                node.children.append(self._node(node, len(node.children), keyset=ks, version=v))
            self.endInsertRows()
        self._row_changed(node)
        for child in node.children:
            self._row_changed(child)

    def _row_changed(self, node: Node) -> None:
        node.cache.clear()
        first = self.createIndex(node.row, 0, node.ident)
        self.dataChanged.emit(first, first.siblingAtColumn(len(HEADERS) - 1))

    def refresh_times(self) -> None:
        """Ages and "rotation due" move with the clock: repaint those columns."""
        self._now = self._clock()
        for node in self._nodes.values():
            node.cache.clear()
        for group in self._roots:
            self._times_changed(group)

    def _times_changed(self, node: Node) -> None:
        if node.children:
            first = self.createIndex(0, Column.CREATED, node.children[0].ident)
            last = self.createIndex(len(node.children) - 1, Column.STATE, node.children[-1].ident)
            self.dataChanged.emit(first, last)
            for child in node.children:
                self._times_changed(child)

    def _node(self, parent: Node | None, row: int, **kw: Any) -> Node:
        node = Node(self._next_id, parent, row, **kw)
        self._next_id += 1
        self._nodes[node.ident] = node
        return node

    def node(self, index: _Index) -> Node | None:
        # An invalid index has internal id 0, which no node has: no isValid() call needed.
        return self._nodes.get(index.internalId())

    def find(self, keyset: str, kid: str | None = None) -> QModelIndex:
        """The index of a keyset (or one of its versions), or an invalid index."""
        for node, ks in self._keyset_nodes():
            if ks.name == keyset:
                if kid is None:
                    return self.createIndex(node.row, 0, node.ident)
                for child in node.children:
                    if child.version is not None and child.version.kid == kid:
                        return self.createIndex(child.row, 0, child.ident)
        return QModelIndex()

    # --- QAbstractItemModel ------------------------------------------------------------------

    # index(), parent() and data() run thousands of times per repaint (through the proxy):
    # they stay short, and data() answers from a per-row cache.

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        pnode = self._nodes.get(parent.internalId())
        if pnode is not None and parent.column() != 0:
            return QModelIndex()
        siblings = self._roots if pnode is None else pnode.children
        if 0 <= row < len(siblings) and 0 <= column < _COLUMNS:
            return self.createIndex(row, column, siblings[row].ident)
        return QModelIndex()

    def parent(self, child: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self._nodes.get(child.internalId())
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent.ident)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        node = self._nodes.get(parent.internalId())
        if node is None:
            return len(self._roots)
        return len(node.children) if parent.column() == 0 else 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return len(HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(HEADERS):
            return HEADERS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return _FLAGS if index.internalId() in self._nodes else _NO_FLAGS

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._nodes.get(index.internalId())
        if node is None:
            return None
        key = (index.column(), role)
        try:
            return node.cache[key]
        except KeyError:
            value = node.cache[key] = self._data(node, key[0], role)
            return value

    def _data(self, node: Node, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return cells.display(node, col, self._now)
        if role == Qt.ItemDataRole.ToolTipRole:
            return cells.tooltip(node, col, self._now)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return cells.display(node, col, self._now) or None
        if role == Qt.ItemDataRole.FontRole:
            if col == Column.KID:
                return self._mono
            return self._bold if node.kind == "group" and col == Column.NAME else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col in (Column.ROTATE_BY, Column.STATE) and cells.is_due(node, self._now):
                return state_color("due")
            return None
        return self._custom(node, col, role)

    def _custom(self, node: Node, col: int, role: int) -> Any:
        ks, v = node.keyset, node.version
        if role == Role.KIND:
            return node.kind
        if role == Role.KEYSET:
            return ks.name if ks is not None else None
        if role == Role.KID:
            version = v if v is not None else (ks.current if ks is not None else None)
            return version.kid if version is not None else None
        if role == Role.STATE:
            return cells.badge_state(node, self._now) if col == Column.STATE else None
        if role == Role.SORT:
            return cells.sort_key(node, col, self._now)
        if role == Role.FILTER and col == Column.NAME:
            return cells.filter_text(node)
        return None


class KeysFilterProxy(QSortFilterProxyModel):
    """Live filter (case-insensitive, any word of name/service/env/alg/kid) and sorting.

    A matching keyset shows all its versions; a matching version shows its keyset and group.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self.setFilterRole(Role.FILTER)
        self.setFilterKeyColumn(Column.NAME)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortRole(Role.SORT)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
