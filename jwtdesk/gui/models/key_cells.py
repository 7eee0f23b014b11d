"""What each cell of the keys tree says: plain functions over a row and the time (no Qt).

Rows are groups (service · environment), keysets, and key versions. Nothing here ever sees a
secret: keysets and versions come from the index (DESIGN.md rule 2).
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum

from jwtdesk.core.keysets import KeySet, KeyVersion, State

HEADERS = ("Name", "Kid", "Alg", "Size / curve", "Created", "Rotate by", "State")
NO_GROUP = "(no service)"
VERSION_TIPS = {
    State.CURRENT: "signs and verifies",
    State.PREVIOUS: "verifies tokens issued before the last rotation",
    State.RETIRED: "verifies nothing; its secret was deleted",
}


class Column(IntEnum):
    NAME = 0
    KID = 1
    ALG = 2
    SIZE = 3
    CREATED = 4
    ROTATE_BY = 5
    STATE = 6


class Node:
    """One row. ``ident`` is the index's internal id; children are kept in display order."""

    __slots__ = ("cache", "children", "group", "ident", "keyset", "parent", "row", "version")

    def __init__(
        self,
        ident: int,
        parent: Node | None,
        row: int,
        *,
        group: str = "",
        keyset: KeySet | None = None,
        version: KeyVersion | None = None,
    ) -> None:
        self.ident, self.parent, self.row = ident, parent, row
        self.group, self.keyset, self.version = group, keyset, version
        self.children: list[Node] = []
        self.cache: dict[tuple[int, int], object] = {}  # (column, role) -> data; no secrets

    @property
    def kind(self) -> str:
        if self.version is not None:
            return "version"
        return "keyset" if self.keyset is not None else "group"


def group_label(ks: KeySet) -> str:
    if not ks.service and not ks.environment:
        return NO_GROUP
    return " · ".join(p for p in (ks.service or NO_GROUP, ks.environment) if p)


def age(now: datetime, then: datetime) -> str:
    seconds = int((now - then).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if abs(seconds) >= size:
            return f"{seconds // size} {unit}"
    return "now"


def day(t: datetime) -> str:
    return t.astimezone().strftime("%Y-%m-%d")


def short_kid(kid: str) -> str:
    return kid if len(kid) <= 12 else kid[:10] + "…"


def is_due(node: Node, now: datetime) -> bool:
    """A keyset past its rotate-by date, or a group holding one."""
    if node.kind == "group":
        return any(c.keyset is not None and c.keyset.rotation_due(now) for c in node.children)
    return node.kind == "keyset" and node.keyset is not None and node.keyset.rotation_due(now)


def display(node: Node, col: int, now: datetime) -> str:
    ks, v = node.keyset, node.version
    if ks is None:
        if col == Column.NAME:
            return node.group
        count = sum(1 for c in node.children if c.keyset and c.keyset.rotation_due(now))
        return f"{count} due" if col == Column.STATE and count else ""
    version = v if v is not None else ks.current
    if col == Column.NAME:
        return ks.name if v is None else f"version {node.row + 1}"
    if col == Column.KID:
        return short_kid(version.kid) if version else "—"
    if col == Column.ALG:
        return ks.alg
    if col == Column.SIZE:
        return ks.algorithm.size_label(version.size if version else None)
    if col == Column.CREATED:
        created = v.created if v is not None else ks.created
        return f"{day(created)} · {age(now, created)}"
    if col == Column.ROTATE_BY:
        due = ks.rotate_by()
        return day(due) if v is None and due is not None else ""
    return state_text(node, now)


def state_text(node: Node, now: datetime) -> str:
    ks, v = node.keyset, node.version
    if v is not None:
        return v.state.value
    if ks is None:
        return ""
    if ks.current is None:
        return "no current key"
    return "rotation due" if ks.rotation_due(now) else "ok"


def badge_state(node: Node, now: datetime) -> str | None:
    """The badge colour of the state cell: current/previous/retired, due or ok."""
    if node.version is not None:
        return node.version.state.value
    if is_due(node, now):
        return "due"
    return "ok" if node.keyset is not None else None


def tooltip(node: Node, col: int, now: datetime) -> str | None:
    ks, v = node.keyset, node.version
    if ks is None:
        return f"{len(node.children)} keyset(s) for {node.group}"
    version = v if v is not None else ks.current
    if col == Column.KID and version is not None:
        return version.kid
    when = ks.rotate_by()
    if col == Column.ROTATE_BY and v is None and when is not None:
        late = "overdue since" if ks.rotation_due(now) else "rotate by"
        return f"{late} {when.astimezone().strftime('%Y-%m-%d %H:%M')}"
    if col == Column.STATE and v is not None:
        return VERSION_TIPS[v.state]
    return None


def sort_key(node: Node, col: int, now: datetime) -> str | float:
    """Times sort as timestamps, versions in creation order, the rest by their text."""
    ks, v = node.keyset, node.version
    if col == Column.CREATED:
        t = v.created if v is not None else (ks.created if ks is not None else None)
        return t.timestamp() if t is not None else 0.0
    if col == Column.ROTATE_BY:
        due = ks.rotate_by() if ks is not None and v is None else None
        return due.timestamp() if due is not None else 0.0
    if col == Column.NAME and v is not None:
        return f"{node.row:06d}"
    return display(node, col, now).lower()


def filter_text(node: Node) -> str:
    """What the filter box matches: names, labels, alg, purpose and every kid."""
    ks, v = node.keyset, node.version
    if ks is None:
        return node.group
    if v is not None:
        return f"{v.kid} {v.state.value}"
    kids = " ".join(x.kid for x in ks.versions)
    return f"{ks.name} {ks.alg} {ks.service} {ks.environment} {ks.purpose.value} {kids}"
