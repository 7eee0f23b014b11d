"""The keys tree: service/environment groups -> keysets -> key versions.

Built from ``KeyService.keysets()``, the index only: no keyring read, and no secret material is
ever held or returned, whatever the role (DESIGN.md rule 2). What each cell says is in
:mod:`key_cells`.

A :class:`QStandardItemModel`: every role of every cell is stored in its item when the row is
built or changes (or when :meth:`KeysModel.refresh_times` moves the clock), so the views and
the proxy paint, scroll, select, sort and filter without calling into Python (a Python model
answered ~1,000 calls a repaint). A change that keeps the tree's shape (rotate, retire, create,
rename, delete) updates rows in place, so the view keeps its scroll position and the proxy
re-sorts only what changed; other changes reset the model.

No Python wrapper of an item outlives the call that made it (Qt deletes removed items, and a
wrapper left over would point at freed memory): items are copies made in C++ (``clone()``),
added through a short-lived wrapper of their parent item, which invalidates them when it goes.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont, QFontDatabase, QStandardItem, QStandardItemModel

from jwtdesk.core.keysets import KeySet, KeyVersion
from jwtdesk.gui.models import key_cells as cells
from jwtdesk.gui.models.key_cells import HEADERS, NO_GROUP, Column, Node, group_label
from jwtdesk.gui.widgets.badge import state_color

__all__ = ["HEADERS", "Column", "KeysFilterProxy", "KeysModel", "Node", "Role"]

_Index = QModelIndex | QPersistentModelIndex
_COLUMNS = len(HEADERS)
_ALL = tuple(range(_COLUMNS))
_TIMES = (Column.CREATED, Column.ROTATE_BY, Column.STATE)  # what moves with the clock
_DUE_COLUMNS = (Column.ROTATE_BY, Column.STATE)  # in the "due" colour when due
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable  # not editable, no drag/drop


class Role(IntEnum):
    KIND = Qt.ItemDataRole.UserRole + 1  # "group" | "keyset" | "version"
    KEYSET = Qt.ItemDataRole.UserRole + 2  # keyset name (keyset and version rows)
    KID = Qt.ItemDataRole.UserRole + 3  # version kid (current kid on keyset rows)
    SORT = Qt.ItemDataRole.UserRole + 4
    FILTER = Qt.ItemDataRole.UserRole + 5
    STATE = Qt.ItemDataRole.UserRole + 6  # badge state: current/previous/retired/due/ok


# Plain ints: item.setData(value, role) runs ~18,000 times to fill 200 keysets' tree.
_IDENT = int(Qt.ItemDataRole.UserRole)  # the row's Node.ident, on column 0 (private)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
# No AccessibleTextRole: Qt's accessible tree cells read DisplayRole when it is empty, and
# 600 rows x 7 cells of copies cost start-up ~4 ms.
_FONT = int(Qt.ItemDataRole.FontRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_KIND, _KEYSET, _KID = int(Role.KIND), int(Role.KEYSET), int(Role.KID)
_SORT, _FILTER, _STATE = int(Role.SORT), int(Role.FILTER), int(Role.STATE)
_set = QStandardItem.setData


def _group_key(label: str) -> tuple[bool, str]:
    """Groups sort by label, "(no service)" last."""
    return (label == NO_GROUP, label.lower())


def _renumber(nodes: list[Node]) -> None:
    for row, node in enumerate(nodes):
        node.row = row


def _versions(ks: KeySet) -> list[KeyVersion]:
    return sorted(ks.versions, key=lambda v: v.created)


class KeysModel(QStandardItemModel):
    """Read-only tree over a tuple of keysets, replaced with :meth:`set_keysets`.

    A :class:`Node` per row mirrors the tree (what each cell says is computed from it); the
    items hold what the views read.
    """

    def __init__(
        self, parent: QObject | None = None, clock: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__(0, _COLUMNS, parent)
        self.setHorizontalHeaderLabels(list(HEADERS))
        self.invisibleRootItem().setFlags(Qt.ItemFlag.NoItemFlags)
        self._clock = clock or (lambda: datetime.now().astimezone())
        self._roots: list[Node] = []
        self._nodes: dict[int, Node] = {}
        self._shown: dict[int, cells.Cells] = {}  # by ident: what the row's items say
        self._next_id = 1
        self._keysets: tuple[KeySet, ...] = ()
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._bold = QFont()
        self._bold.setBold(True)
        self._due = state_color("due")
        self._blank = QStandardItem()  # every item is a copy: its flags come along
        self._blank.setFlags(_FLAGS)
        self._now = self._clock()
        self.due_soon = timedelta(days=cells.DEFAULT_DUE_SOON_DAYS)  # "rotation due soon" from

    def set_due_soon(self, threshold: timedelta) -> None:
        """Flag keysets whose rotate-by date is this close (Preferences); rows update in place."""
        if threshold != self.due_soon:
            self.due_soon = threshold
            self.refresh_times()

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
        touched: set[str] = set()  # groups whose "N due" and keyset count may change
        for node, old in self._keyset_nodes():
            ks = by_name.get(old.name)
            if ks is None or group_label(ks) != group_label(old):
                self._remove_keyset(node)
                touched.add(group_label(old))
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
                self._update_row(group)
        self._keysets = new
        return False

    @staticmethod
    def display_order(keysets: Sequence[KeySet]) -> list[KeySet]:
        """``keysets`` in the order the tree shows them: by group, "(no service)" last, then
        by name."""
        return sorted(keysets, key=lambda k: (_group_key(group_label(k)), k.name.lower()))

    def needs_reset(self, new: Sequence[KeySet]) -> bool:
        return not self._keysets or not self._fits_in_place(tuple(new))

    def _reset(self, keysets: tuple[KeySet, ...]) -> None:
        self._nodes.clear()
        self._shown.clear()
        self._roots = []
        for ks in self.display_order(keysets):
            label = group_label(ks)
            if not self._roots or self._roots[-1].group != label:
                self._roots.append(self._node(None, len(self._roots), group=label))
            self._add_keyset(self._roots[-1], len(self._roots[-1].children), ks)
        rows = [self._items(group) for group in self._roots]
        # One reset announces it all: the rows go and come with signals blocked.
        self.beginResetModel()
        blocked = self.blockSignals(True)
        try:
            self.removeRows(0, self.rowCount())
            root = self.invisibleRootItem()
            for row in rows:
                root.appendRow(row)
        finally:
            self.blockSignals(blocked)
        self.endResetModel()

    def _add_keyset(self, group: Node, row: int, ks: KeySet) -> Node:
        node = self._node(group, row, keyset=ks)
        group.children.insert(row, node)
        for v in _versions(ks):
            node.children.append(self._node(node, len(node.children), keyset=ks, version=v))
        _renumber(group.children)
        return node

    def _insert_keyset(self, ks: KeySet) -> None:
        label = group_label(ks)
        group = next((g for g in self._roots if g.group == label), None)
        if group is None:  # a new group, in group order, with its first keyset
            keys = [_group_key(g.group) for g in self._roots]
            row = bisect.bisect(keys, _group_key(label))
            group = self._node(None, row, group=label)
            self._roots.insert(row, group)
            _renumber(self._roots)
            self._add_keyset(group, 0, ks)
            self.invisibleRootItem().insertRow(row, self._items(group))
            return
        names = [c.keyset.name.lower() for c in group.children if c.keyset is not None]
        row = bisect.bisect(names, ks.name.lower())
        node = self._add_keyset(group, row, ks)
        self._item(group).insertRow(row, self._items(node))

    def _remove_keyset(self, node: Node) -> None:
        group = node.parent
        if group is None:  # pragma: no cover - keyset rows always have a group
            return
        if len(group.children) == 1:  # the group goes with its last keyset
            node, siblings, parent = group, self._roots, QModelIndex()
        else:
            siblings, parent = group.children, self._index(group)
        self.removeRow(node.row, parent)  # deletes the items (Python holds none of them)
        siblings.pop(node.row)
        _renumber(siblings)
        self._forget(node)

    def _forget(self, node: Node) -> None:
        self._nodes.pop(node.ident, None)
        self._shown.pop(node.ident, None)
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
            wanted = [v.id for v in _versions(ks)]
            kept = [c.version.id for c in node.children if c.version]
            if wanted[: len(kept)] != kept:
                return False
        return True

    def _update_keyset(self, node: Node, ks: KeySet) -> None:
        wanted = _versions(ks)
        by_id = {v.id: v for v in wanted}
        node.keyset = ks
        for child in node.children:
            if child.version is not None:
                child.keyset, child.version = ks, by_id[child.version.id]
        added = wanted[len(node.children) :]
        if added:
            item = self._item(node)
            for v in added:
                child = self._node(node, len(node.children), keyset=ks, version=v)
                node.children.append(child)
                item.appendRow(self._items(child))
        self._update_row(node)
        for child in node.children:
            self._update_row(child)

    def _node(self, parent: Node | None, row: int, **kw: Any) -> Node:
        node = Node(self._next_id, parent, row, **kw)
        self._next_id += 1
        self._nodes[node.ident] = node
        return node

    # --- items -------------------------------------------------------------------------------

    def _roles(self, node: Node, col: int, c: cells.Cells) -> list[tuple[int, Any]]:
        """(role, value) of what a cell says that can change; None: the role has no value."""
        text = c.display[col]
        due = c.due and col in _DUE_COLUMNS
        roles = [
            (_DISPLAY, text),
            (_TOOLTIP, c.tooltip[col]),
            (_SORT, c.sort[col]),
            (_FOREGROUND, self._due if due else None),
        ]
        if col == Column.STATE:
            roles.append((_STATE, c.state))
        elif col == Column.NAME:
            roles.append((_FILTER, cells.filter_text(node)))
        return roles

    def _items(self, node: Node) -> list[QStandardItem]:
        """The items of ``node``'s row, with its children's rows under the first one.

        What :meth:`_roles` says, without its None values, plus what never changes: kind,
        keyset, ident, fonts. Written out, as this runs for every cell of the tree; the
        tests check that both say the same. Roles common to the row are set on the first item
        before it is copied to the others."""
        ks = node.keyset
        c = self._shown[node.ident] = cells.row_cells(node, self._now, self.due_soon)
        first = self._blank.clone()
        _set(first, node.kind, _KIND)
        if ks is not None:
            _set(first, ks.name, _KEYSET)
            kid = _kid(node)
            if kid is not None:
                _set(first, kid, _KID)
        else:  # a group: one tooltip for the whole row
            _set(first, c.tooltip[0], _TOOLTIP)
        items = [first, *[first.clone() for _ in _ALL[1:]]]  # all with the roles above
        for item, text, tip, sort in zip(items, c.display, c.tooltip, c.sort, strict=True):
            _set(item, text, _DISPLAY)
            if tip is not None and ks is not None:
                _set(item, tip, _TOOLTIP)
            _set(item, sort, _SORT)
        if c.due:
            for col in _DUE_COLUMNS:
                _set(items[col], self._due, _FOREGROUND)
        if c.state is not None:
            _set(items[Column.STATE], c.state, _STATE)
        _set(first, cells.filter_text(node), _FILTER)
        _set(first, node.ident, _IDENT)
        _set(items[Column.KID], self._mono, _FONT)
        if ks is None:
            _set(first, self._bold, _FONT)
        for child in node.children:
            first.appendRow(self._items(child))
        return items

    def _update_row(
        self, node: Node, columns: Iterable[int] = _ALL, c: cells.Cells | None = None
    ) -> None:
        """Store what ``node``'s cells say now; each cell that changes emits dataChanged."""
        if c is None:
            c = cells.row_cells(node, self._now, self.due_soon)
        self._shown[node.ident] = c
        index = self._index(node)
        kid = [(_KID, _kid(node))] if node.keyset is not None else []
        for col in columns:
            roles = dict(self._roles(node, col, c) + kid)
            self.setItemData(index.siblingAtColumn(col), roles)

    def refresh_times(self) -> None:
        """Ages and "rotation due" move with the clock: update those cells, in the rows where
        what they say changed (most minutes, none or a few)."""
        self._now = self._clock()
        for node in self._walk(self._roots):
            c = cells.row_cells(node, self._now, self.due_soon)
            if c != self._shown.get(node.ident):
                self._update_row(node, _TIMES, c)

    def _walk(self, nodes: list[Node]) -> Iterable[Node]:
        for node in nodes:
            yield node
            yield from self._walk(node.children)

    def _index(self, node: Node, col: int = 0) -> QModelIndex:
        parent = QModelIndex() if node.parent is None else self._index(node.parent)
        return self.index(node.row, col, parent)

    def _item(self, node: Node) -> QStandardItem:
        """A short-lived wrapper of ``node``'s first item (to add rows under it)."""
        return self.itemFromIndex(self._index(node))

    def node(self, index: _Index) -> Node | None:
        """The row of a (source model) index, any column; None for an invalid index."""
        ident = index.sibling(index.row(), 0).data(_IDENT)
        return self._nodes.get(ident) if isinstance(ident, int) else None

    def find(self, keyset: str, kid: str | None = None) -> QModelIndex:
        """The index of a keyset (or one of its versions), or an invalid index."""
        for node, ks in self._keyset_nodes():
            if ks.name == keyset:
                if kid is None:
                    return self._index(node)
                for child in node.children:
                    if child.version is not None and child.version.kid == kid:
                        return self._index(child)
        return QModelIndex()


def _kid(node: Node) -> str | None:
    """The kid of a version row, or the current kid of a keyset row."""
    ks, v = node.keyset, node.version
    version = v if v is not None else (ks.current if ks is not None else None)
    return version.kid if version is not None else None


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
