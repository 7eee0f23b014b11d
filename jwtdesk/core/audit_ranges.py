"""The audit's range path: forked workers read their own byte ranges of the wordlists.

Used by ``audit.search`` when workers are forked (a single-threaded CLI on Linux) and no list
has rules: every list is then a regular file or bytes in memory, so it can be cut into
*pieces* of ``PIECE_BYTES`` (256 KiB) that a worker reads itself (``os.pread``), and the parent only
hands out piece numbers and merges the answers. No candidate crosses a pipe, so the parent
costs the workers nothing and two workers run twice as fast as one (the queue path, which
ships every chunk through the parent, stays for rules, pipes and spawned workers).

A piece ``[a, b)`` of a list owns the lines that *start* in it: a worker skips the partial
line at ``a`` (unless ``a`` is 0 or follows a newline) and reads the line that crosses ``b``
to its end, keeping at most ``MAX_LINE + 1`` bytes of it (a longer line is counted as
overlong and never held). Memory per worker: one piece and one line.

Pieces are handed out in order through a pipe of 4-byte piece numbers (a read of 4 bytes
from a pipe written in whole numbers takes one whole number), so a worker on a busy core
just takes fewer pieces. Each worker answers on its own pipe, one marshal frame per piece:
``(piece, tried, empty, overlong, binary, crlf, hits)`` with ``hits = [(target, offset,
secret)]``; the line number of a hit is counted in the parent (newlines before ``offset``)
only when something is found.
"""

from __future__ import annotations

import marshal
import os
import select
import signal
import threading
import time
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from jwtdesk.core.audit_scan import MAX_LINE, scan
from jwtdesk.core.errors import JwtdeskError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from jwtdesk.core.audit import Job, OnProgress, Outcome, Source

PIECE_BYTES = 256 << 10  # ~20k short candidates: ~6 ms of one core in C; a fine split keeps
# both workers busy to the end (a piece costs a pread and one answer, ~50 us)
FIND_BLOCK = 64 << 10  # reads while looking for the start of a piece's first line
TOKEN = 4  # bytes of a piece number in the hand-out pipe
FEED_BATCH = 1024  # piece numbers per write: 4096 bytes, PIPE_BUF, so written whole


def applies(sources: Sequence[Source]) -> bool:
    """Every list can be cut into ranges: no rules, and each is bytes or a regular file."""
    return all(not s.rules and s.size() is not None for s in sources)


class Plan:
    """The pieces of every list, numbered in list order: piece ``n`` -> (list, start, end)."""

    def __init__(self, sources: Sequence[Source], piece: int | None = None) -> None:
        self.sources, self.piece = sources, piece or PIECE_BYTES
        self.sizes = [s.size() or 0 for s in sources]
        self.first: list[int] = []  # number of each list's first piece
        count = 0
        for size in self.sizes:
            self.first.append(count)
            count += -(-size // self.piece)
        self.count = count

    def locate(self, number: int) -> tuple[int, int, int]:
        index = bisect_right(self.first, number) - 1
        while self.first[index] > number or not self.sizes[index]:  # skip empty lists
            index -= 1
        start = (number - self.first[index]) * self.piece
        return index, start, min(start + self.piece, self.sizes[index])

    @property
    def total(self) -> int:
        return sum(self.sizes)


class _Reader:
    """``read(offset, n)`` over one list: ``os.pread`` on a file, slices of bytes in memory."""

    def __init__(self, source: Source, size: int) -> None:
        self.size = size
        self.data = source.data
        self.fd = -1 if source.data is not None else os.open(source.path or "", os.O_RDONLY)

    def read(self, offset: int, n: int) -> bytes:
        if n <= 0:
            return b""
        if self.data is not None:
            return self.data[offset : offset + n]
        return os.pread(self.fd, n, offset)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def piece_lines(reader: _Reader, a: int, b: int) -> tuple[int, bytes, int, int]:
    """The lines that start in ``[a, b)``: ``(offset of the first, bytes, overlong dropped,
    of which ending in CR)``.

    The last line is read past ``b`` to its newline (or the end of the list); if it is longer
    than ``MAX_LINE + 1`` bytes it is dropped and counted instead of being kept (its end is
    looked for block by block, so its CR is counted as the scanner counts one).
    """
    start = a
    if a > 0:  # the line holding byte a-1 is an earlier piece's unless that byte is a newline
        pos, start = a - 1, -1
        while pos < b - 1:
            block = reader.read(pos, min(FIND_BLOCK, b - 1 - pos))
            if not block:
                break
            nl = block.find(b"\n")
            if nl >= 0:
                start = pos + nl + 1
                break
            pos += len(block)
        if start < 0 or start >= b:
            return b, b"", 0, 0
    body = reader.read(start, b - start)
    if not body or body.endswith(b"\n") or start + len(body) >= reader.size:
        return start, body, 0, 0  # ends at a newline, or at the end of the list
    cut = body.rfind(b"\n") + 1
    need = MAX_LINE + 2 - (len(body) - cut)  # bytes past b that could still end a kept line
    if need > 0:
        more = reader.read(start + len(body), need)
        nl = more.find(b"\n")
        if nl >= 0:
            return start, body + more[: nl + 1], 0, 0
        if len(more) < need:  # the list ends within the line: its last line, no newline
            return start, body + more, 0, 0
    end = _line_end(reader, start + len(body))
    return start, body[:cut], 1, int(reader.read(end - 1, 1) == b"\r")


def _line_end(reader: _Reader, pos: int) -> int:
    """Offset of the first newline at or after ``pos``, or of the end of the list."""
    while block := reader.read(pos, FIND_BLOCK):
        nl = block.find(b"\n")
        if nl >= 0:
            return pos + nl
        pos += len(block)
    return pos


class _Want:
    def __init__(self, job: Job) -> None:
        self.msg, self.bits = job.msg, job.bits
        self.targets = b"".join(job.targets)
        self.count = len(job.targets)
        self.found: set[int] = set()


def scan_piece(reader: _Reader, a: int, b: int, want: _Want) -> tuple[Any, ...]:
    """Scan one piece: ``(tried, empty, overlong, binary, crlf, hits)``; stops at a hit once
    every target is found (``tried`` then counts up to the hit)."""
    start, data, overlong, crlf = piece_lines(reader, a, b)
    pos = tried = empty = binary = 0
    hits: list[tuple[int, int, bytes]] = []
    while pos < len(data):
        s = scan(data, pos, want.msg, want.targets, want.bits)
        tried, empty, overlong = tried + s.tried, empty + s.empty, overlong + s.overlong
        binary, crlf, pos = binary + s.binary, crlf + s.crlf, s.next
        if s.target >= 0:
            secret = data[s.match_start : s.match_start + s.match_len]
            hits.append((s.target, start + s.match_start, secret))
            want.found.add(s.target)
            if len(want.found) == want.count:
                break
    return tried, empty, overlong, binary, crlf, hits


def _worker(plan: Plan, job: Job, tokens: int, answers: int) -> None:
    """A forked worker: take piece numbers until the pipe ends, answer each on ``answers``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl+C and stops us
    want = _Want(job)
    readers: dict[int, _Reader] = {}
    while len(token := os.read(tokens, TOKEN)) == TOKEN:
        number = int.from_bytes(token, "little")
        index, a, b = plan.locate(number)
        reader = readers.get(index)
        if reader is None:
            reader = readers[index] = _Reader(plan.sources[index], plan.sizes[index])
        frame = marshal.dumps((number, *scan_piece(reader, a, b, want)))
        _write_all(answers, len(frame).to_bytes(4, "little") + frame)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def fork_worker(plan: Plan, job: Job, tokens: list[int]) -> tuple[int, int]:
    """Fork one worker; ``(pid, read end of its answers)``. The child never returns: it
    leaves by ``os._exit`` (no atexit handlers, no buffers flushed twice)."""
    answers_r, answers_w = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # e.g. EAGAIN at a process limit: the caller reports it, no fd is left
        os.close(answers_r)
        os.close(answers_w)
        raise
    if pid == 0:  # pragma: no cover - runs in the child (coverage does not follow a fork)
        code = 1
        try:
            os.close(answers_r)
            os.close(tokens[1])
            _worker(plan, job, tokens[0], answers_w)
            code = 0
        finally:
            os._exit(code)
    os.close(answers_w)
    return pid, answers_r


class RangeRun:
    """The parent's side: hand out pieces, merge answers, report progress, stop workers."""

    def __init__(self, job: Job, sources: Sequence[Source], workers: int) -> None:
        self.job, self.sources = job, sources
        self.plan = Plan(sources)
        self.nworkers = max(1, min(workers, 64, self.plan.count or 1))
        self.fed = 0  # pieces written to the hand-out pipe (workers take them in order)
        self.answers: dict[int, tuple[int, tuple[int, ...], int]] = {}  # n -> tried, skipped, b
        self.hits: dict[int, tuple[int, int, bytes]] = {}  # target -> (piece, offset, secret)
        self.done_bytes = self.tried = 0
        self.started = time.perf_counter()

    def execute(self, on_progress: OnProgress | None, cancel: threading.Event) -> Outcome:
        from jwtdesk.core import audit

        tokens = list(os.pipe())
        os.set_blocking(tokens[1], False)
        workers: dict[int, int] = {}  # answer fd -> pid
        try:
            for _ in range(self.nworkers):
                pid, fd = fork_worker(self.plan, self.job, tokens)
                workers[fd] = pid
            self._loop(workers, tokens, on_progress, cancel)
        finally:
            _stop(workers, tokens)
        if on_progress:
            on_progress(self.progress())
        return self._outcome(audit, cancel.is_set())

    def progress(self) -> Any:
        from jwtdesk.core.audit import Progress

        elapsed = time.perf_counter() - self.started
        return Progress(self.done_bytes, self.plan.total, self.tried, elapsed)

    def _all_found(self) -> bool:
        return len(self.hits) == len(self.job.targets)

    def _last_hit(self) -> int:
        return max(piece for piece, _, _ in self.hits.values())

    def _finished(self) -> bool:
        if not self._all_found():
            return len(self.answers) == self.plan.count
        # Pieces leave the pipe in order: every piece before the last hit's was taken, and
        # its answer counts; pieces after it are not waited for (the workers are stopped).
        return all(n in self.answers for n in range(self._last_hit() + 1))

    def _loop(
        self,
        workers: dict[int, int],
        tokens: list[int],
        on_progress: OnProgress | None,
        cancel: threading.Event,
    ) -> None:
        buffers = {fd: bytearray() for fd in workers}
        last = 0.0
        while not cancel.is_set() and not self._finished():
            if tokens[1] >= 0:
                self._feed(tokens)
            ready, _, _ = select.select(list(buffers), [], [], 0.05)
            for fd in ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:  # the worker ended: only after the pipe ran dry, or it died
                    del buffers[fd]
                    _reap(workers.pop(fd), fd)
                    continue
                buffers[fd] += chunk
                self._frames(buffers[fd])
            if self._all_found() and tokens[1] >= 0:
                os.close(tokens[1])  # nothing more is handed out
                tokens[1] = -1
            if not buffers and not self._finished():
                raise _died(None)
            if on_progress and time.perf_counter() - last >= 0.2:
                last = time.perf_counter()
                on_progress(self.progress())

    def _feed(self, tokens: list[int]) -> None:
        while self.fed < self.plan.count:
            end = min(self.fed + FEED_BATCH, self.plan.count)
            data = b"".join(n.to_bytes(TOKEN, "little") for n in range(self.fed, end))
            try:
                os.write(tokens[1], data)
            except BlockingIOError:
                return
            self.fed = end
        os.close(tokens[1])  # every piece is handed out: a worker that finds none ends
        tokens[1] = -1

    def _frames(self, buf: bytearray) -> None:
        while len(buf) >= 4:
            size = int.from_bytes(buf[:4], "little")
            if len(buf) < 4 + size:
                return
            # From our own forked worker over a private pipe: marshal is safe (and builtin).
            answer = marshal.loads(bytes(buf[4 : 4 + size]))  # noqa: S302
            del buf[: 4 + size]
            self._take(answer)

    def _take(self, answer: tuple[Any, ...]) -> None:
        number, tried, empty, overlong, binary, crlf, hits = answer
        _, a, b = self.plan.locate(number)
        self.answers[number] = (tried, (empty, overlong, binary, crlf), b - a)
        self.tried += tried
        self.done_bytes += b - a
        for target, offset, secret in hits:
            known = self.hits.get(target)
            if known is None or number < known[0]:  # the first in list order wins
                self.hits[target] = (number, offset, secret)

    def _outcome(self, audit: Any, cancelled: bool) -> Outcome:
        from jwtdesk.core.secret import Secret

        last = self._last_hit() if self.hits and self._all_found() else None
        counted = [v for n, v in self.answers.items() if last is None or n <= last]
        tried = sum(t for t, _, _ in counted)
        skipped = [sum(column) for column in zip(*(s for _, s, _ in counted), strict=True)]
        skipped_by_kind = dict(zip(audit.SKIP_KINDS, skipped or [0, 0, 0, 0], strict=True))
        hits = []
        for target, (number, offset, secret) in sorted(self.hits.items()):
            index, _, _ = self.plan.locate(number)
            line = line_of(self.sources[index], offset)
            hits.append(audit.Hit(target, self.sources[index].name, line, Secret(secret)))
        seconds = time.perf_counter() - self.started
        result: Outcome = audit.Outcome(tuple(hits), tried, seconds, skipped_by_kind, cancelled)
        return result


def line_of(source: Source, offset: int) -> int:
    """The 1-based line starting at ``offset``: newlines before it, counted in blocks."""
    if source.data is not None:
        return source.data.count(b"\n", 0, offset) + 1
    count, pos = 0, 0
    fd = os.open(source.path or "", os.O_RDONLY)
    try:
        while pos < offset:
            block = os.pread(fd, min(PIECE_BYTES, offset - pos), pos)
            if not block:
                break
            count += block.count(b"\n")
            pos += len(block)
    finally:
        os.close(fd)
    return count + 1


def _died(status: int | None) -> JwtdeskError:
    code = "?" if status is None else str(status)
    return JwtdeskError(
        f"an audit worker process stopped unexpectedly (exit code {code}); "
        "try again, with fewer --workers if memory is short"
    )


def _reap(pid: int, fd: int) -> None:
    """A worker closed its answers: collect its exit status; anything but 0 is an error."""
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise _died(code)


def _stop(workers: dict[int, int], tokens: list[int]) -> None:
    """Stop and reap every worker still running (at the natural end none is), close pipes."""
    for fd, pid in workers.items():
        os.kill(pid, signal.SIGKILL)  # not reaped yet, so still ours: unwanted work stops
        os.waitpid(pid, 0)
        os.close(fd)
    workers.clear()
    for i, fd in enumerate(tokens):
        if fd >= 0:
            os.close(fd)
            tokens[i] = -1
