"""What each cell of the keys tree says: plain functions over a row and the time (no Qt).

Rows are groups (service · environment), keysets, and key versions. Nothing here ever sees a
secret: keysets and versions come from the index (DESIGN.md rule 2). :func:`row_cells` says a
whole row at once (the model fills its items from it); the one-cell functions read from it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntEnum
from typing import NamedTuple

from jwtdesk.core.keysets import KeySet, KeyVersion, State
from jwtdesk.core.weak import key_weakness

HEADERS = ("Name", "Kid", "Alg", "Size / curve", "Created", "Rotate by", "State")
NO_GROUP = "(no service)"
DEFAULT_DUE_SOON_DAYS = 14  # "rotation due soon" this many days ahead (Preferences change it)
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
    """One row. ``ident`` names it in the model; children are kept in display order."""

    __slots__ = ("children", "group", "ident", "keyset", "parent", "row", "version")

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
    # Not strftime: under PySide each call goes through its import hook (~10 us).
    return t.astimezone().date().isoformat()


def minute(t: datetime) -> str:
    local = t.astimezone()
    return f"{local.date().isoformat()} {local.hour:02d}:{local.minute:02d}"


def short_kid(kid: str) -> str:
    return kid if len(kid) <= 12 else kid[:10] + "…"


def is_due(node: Node, now: datetime) -> bool:
    """A keyset past its rotate-by date, or a group holding one."""
    if node.kind == "group":
        return any(c.keyset is not None and c.keyset.rotation_due(now) for c in node.children)
    return node.kind == "keyset" and node.keyset is not None and node.keyset.rotation_due(now)


class Cells(NamedTuple):
    """One row at one time: each column's text, tooltip and sort key, and its state."""

    display: tuple[str, ...]
    tooltip: tuple[str | None, ...]
    sort: tuple[str | float, ...]
    due: bool  # see is_due
    state: str | None  # the badge: current/previous/retired, weak, due, soon or ok


def row_cells(node: Node, now: datetime, due_soon: timedelta = timedelta(0)) -> Cells:
    """Every cell of ``node``'s row: what :func:`display`, :func:`tooltip`, :func:`sort_key`,
    :func:`is_due` and :func:`badge_state` say, each fact of the keyset looked up once.

    Times sort as timestamps, versions in creation order, the rest by their text.
    """
    ks, v = node.keyset, node.version
    if ks is None:
        return _group_cells(node, now)
    if v is not None:
        return _version_cells(node, ks, v, now)
    return _keyset_cells(ks, now, due_soon)


def _group_cells(node: Node, now: datetime) -> Cells:
    count = sum(1 for c in node.children if c.keyset and c.keyset.rotation_due(now))
    due = f"{count} due" if count else ""
    tip = f"{len(node.children)} keyset(s) for {node.group}"
    return Cells(
        (node.group, "", "", "", "", "", due),
        (tip,) * len(HEADERS),
        (node.group.lower(), "", "", "", 0.0, 0.0, due),
        count > 0,
        "due" if count else None,
    )


def _version_cells(node: Node, ks: KeySet, v: KeyVersion, now: datetime) -> Cells:
    kid = short_kid(v.kid)
    size = ks.algorithm.size_label(v.size)
    weak = key_weakness(ks, v) if v.state is not State.RETIRED else None
    state = f"{v.state.value} · weak" if weak else v.state.value
    return Cells(
        (
            f"version {node.row + 1}",
            kid,
            ks.alg,
            size,
            f"{day(v.created)} · {age(now, v.created)}",
            "",
            state,
        ),
        (
            None,
            v.kid,
            None,
            None,
            None,
            None,
            f"weak key: {weak}" if weak else VERSION_TIPS[v.state],
        ),
        (
            f"{node.row:06d}",
            kid.lower(),
            ks.alg.lower(),
            size.lower(),
            v.created.timestamp(),
            0.0,
            state.lower(),
        ),
        False,
        "weak" if weak else v.state.value,
    )


def _keyset_state(
    ks: KeySet, version: KeyVersion | None, now: datetime, due_soon: timedelta
) -> tuple[str, str, str | None]:
    """(text, badge, tooltip) of a keyset's state: no current key, weak key, rotation due,
    rotation due soon (within ``due_soon`` of its rotate-by date) or ok."""
    due = ks.rotate_by()
    overdue = due is not None and now >= due
    weak = key_weakness(ks, version)
    if version is None:
        return "no current key", "none", "rotate it to make a current key"
    if weak:
        return "weak key", "weak", f"weak key: {weak}; rotate it to make a strong one"
    if due is None:
        return "ok", "ok", None
    if overdue:
        return "rotation due", "due", f"overdue since {minute(due)}"
    if due_soon > timedelta(0) and now >= due - due_soon:
        return "rotation due soon", "soon", f"rotate by {minute(due)} (in {age(due, now)})"
    return "ok", "ok", None


def _keyset_cells(ks: KeySet, now: datetime, due_soon: timedelta) -> Cells:
    version = ks.current
    kid = short_kid(version.kid) if version else "—"
    size = ks.algorithm.size_label(version.size if version else None)
    due = ks.rotate_by()
    overdue = due is not None and now >= due
    state, badge, state_tip = _keyset_state(ks, version, now, due_soon)
    when = None
    if due is not None:
        when = f"{'overdue since' if overdue else 'rotate by'} {minute(due)}"
    return Cells(
        (
            ks.name,
            kid,
            ks.alg,
            size,
            f"{day(ks.created)} · {age(now, ks.created)}",
            day(due) if due is not None else "",
            state,
        ),
        (None, version.kid if version else None, None, None, None, when, state_tip),
        (
            ks.name.lower(),
            kid.lower(),
            ks.alg.lower(),
            size.lower(),
            ks.created.timestamp(),
            due.timestamp() if due is not None else 0.0,
            state.lower(),
        ),
        overdue,
        badge,
    )


def display(node: Node, col: int, now: datetime) -> str:
    return row_cells(node, now).display[col]


def state_text(node: Node, now: datetime) -> str:
    return row_cells(node, now).display[Column.STATE]


def badge_state(node: Node, now: datetime) -> str | None:
    """The badge colour of the state cell: current/previous/retired, due or ok."""
    return row_cells(node, now).state


def tooltip(node: Node, col: int, now: datetime) -> str | None:
    return row_cells(node, now).tooltip[col]


def sort_key(node: Node, col: int, now: datetime) -> str | float:
    """Times sort as timestamps, versions in creation order, the rest by their text."""
    return row_cells(node, now).sort[col]


def filter_text(node: Node) -> str:
    """What the filter box matches: names, labels, alg, purpose and every kid."""
    ks, v = node.keyset, node.version
    if ks is None:
        return node.group
    if v is not None:
        return f"{v.kid} {v.state.value}"
    kids = " ".join(x.kid for x in ks.versions)
    return f"{ks.name} {ks.alg} {ks.service} {ks.environment} {ks.purpose.value} {kids}"
