"""What changed in the index, said once: the services report it, the GUI's one feed spreads it.

A :class:`Change` names what changed (keysets, profiles, connections), which of them by name,
and who changed it (this app, or something outside it such as the CLI), with the index state
after the change when it is known. It is Qt-free: the services make it, the GUI's context turns
it into one signal that every view subscribes to (Anki's ``operation_did_execute`` is the model).

Services report through :class:`ChangeFeed` (held by the :class:`KeyService`; the export and
revocation services reach it through theirs). Every method that writes the index is wrapped in
:func:`reports_change`: it compares the index before and after, so a method never has to say
itself what it touched and a new method cannot forget a kind. Nothing is read when nobody
listens (the CLI), and a change made by a method called from another reporting method is
reported once, by the outer one.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from jwtdesk.core.errors import JwtdeskError

if TYPE_CHECKING:
    from jwtdesk.store.index import Index
    from jwtdesk.store.index import IndexState as IndexState  # noqa: PLC0414 - re-exported: views receive it in a Change

P = ParamSpec("P")
R = TypeVar("R")


class Origin(Enum):
    APP = "app"  # a service method of this process
    OUTSIDE = "outside"  # another process (the CLI, a second window) seen by a file watcher


class Kind(Enum):
    KEYSETS = "keysets"
    PROFILES = "profiles"
    CONNECTIONS = "connections"


@dataclass(frozen=True, slots=True)
class Change:
    """Names of the keysets, profiles and connections added, removed or altered."""

    keysets: frozenset[str] = frozenset()
    profiles: frozenset[str] = frozenset()
    connections: frozenset[str] = frozenset()
    origin: Origin = Origin.APP
    # The whole index after the change, when known: views show it without reading the file.
    state: IndexState | None = field(default=None, compare=False, repr=False)

    def __bool__(self) -> bool:
        return bool(self.keysets or self.profiles or self.connections)

    @property
    def kinds(self) -> frozenset[Kind]:
        named = (
            (Kind.KEYSETS, self.keysets),
            (Kind.PROFILES, self.profiles),
            (Kind.CONNECTIONS, self.connections),
        )
        return frozenset(kind for kind, names in named if names)

    def touches(self, *kinds: Kind) -> bool:
        return not self.kinds.isdisjoint(kinds)


def _changed_names(before: Iterable[Any], after: Iterable[Any]) -> frozenset[str]:
    """Names whose entry appeared, disappeared or differs (entries have a ``name``)."""
    old = {item.name: item for item in before}
    new = {item.name: item for item in after}
    return frozenset(n for n in old.keys() | new.keys() if old.get(n) != new.get(n))


def diff(before: IndexState, after: IndexState, origin: Origin = Origin.APP) -> Change:
    """What differs between two index states (pending marks are bookkeeping, not a change)."""
    return Change(
        keysets=_changed_names(before.keysets, after.keysets),
        profiles=_changed_names(before.profiles, after.profiles),
        connections=_changed_names(before.connections, after.connections),
        origin=origin,
        state=after,
    )


Listener = Callable[[Change], None]
_log = logging.getLogger(__name__)


class ChangeFeed:
    """Listeners of one index's changes. Listeners are called on the thread of the reporting
    method (a GUI queues them to its own thread); a failing listener never fails the change."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._local = threading.local()  # per thread: how deep in reporting methods
        self._busy = 0  # reporting methods under way (all threads)
        self._epoch = 0  # bumped as each starts and ends

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after each change; the result unsubscribes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock, contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    @property
    def listened(self) -> bool:
        return bool(self._listeners)

    def report(self, change: Change) -> None:
        if not change:
            return
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(change)
            except Exception:  # the index was written: the change stands
                _log.exception("a change listener failed")

    def epoch(self) -> int | None:
        """A number that moves whenever a reporting method starts or ends; None while one is
        under way. A reader whose epoch is the same before and after read a settled index."""
        with self._lock:
            return None if self._busy else self._epoch

    def _begin(self, delta: int) -> None:
        with self._lock:
            self._busy += delta
            self._epoch += 1

    @contextlib.contextmanager
    def reporting(self) -> Iterator[None]:
        """Around a changing method: compares the index before and after and reports the
        difference (also after a failure, which may have changed part of it)."""
        depth = getattr(self._local, "depth", 0)
        if depth or not self.listened:
            self._local.depth = depth + 1
            try:
                yield
            finally:
                self._local.depth = depth
            return
        self._begin(+1)
        before = after = None
        try:
            before = self._load()
            self._local.depth = 1
            try:
                yield
            finally:
                self._local.depth = 0
                after = self._load()
        finally:
            try:  # reported while still under way: a reader that saw it settle saw the report
                if before is not None and after is not None:
                    self.report(diff(before, after, Origin.APP))
            finally:
                self._begin(-1)

    def _load(self) -> IndexState | None:
        try:
            return self.index.load()
        except JwtdeskError:  # an unreadable index: the method itself says so
            return None


def reports_change(method: Callable[P, R]) -> Callable[P, R]:
    """Marks a method (or function) that writes the index: its first argument is a service
    holding the feed (a KeyService's ``changes``, or another service's ``keys.changes``)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        owner = args[0]
        feed: ChangeFeed = getattr(getattr(owner, "keys", owner), "changes")  # noqa: B009
        with feed.reporting():
            return method(*args, **kwargs)

    return wrapper
