"""Weak-secret audit: search wordlists for the HMAC key of a token (or of stored keys).

One HMAC of the signing input per candidate (RFC 7518 §3.2: HS256/384/512 are HMAC-SHA-2
over ``base64url(header) "." base64url(payload)``); a match is the key. RFC 8725 §3.5 asks for
keys with enough entropy: this is how an operator shows theirs are not guessable.

Wordlists are streamed in chunks of whole lines (never read whole: a line longer than
``MAX_LINE`` is skipped without being kept), handed to worker processes (the GIL rules out
threads) and scanned by ``audit_scan``. ``search`` reports progress through a callback, stops
when every target is found, and on ``cancel`` stops every worker (terminating it if needed)
before it returns.
"""

from __future__ import annotations

import os
import stat
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, BinaryIO, NamedTuple

from jwtdesk.core.audit_scan import MAX_LINE
from jwtdesk.core.errors import InvalidInput, JwtdeskError
from jwtdesk.core.secret import Secret

CHUNK_BYTES = 1 << 20  # ~100k short candidates: ~30 ms in C, ~0.2 s in Python
RULES_CHUNK_BYTES = 2 << 10  # ~200 words, ~200k variants
PROGRESS_EVERY_S = 0.2
STOP_GRACE_S = 0.4  # a terminated worker that is still alive after this is killed
SKIP_KINDS = ("empty", "overlong", "binary", "crlf")


# NamedTuples, not dataclasses: importing dataclasses costs `audit token` ~6 ms of start-up.
class Source(NamedTuple):
    """A wordlist: a file streamed from disk, or lines in memory (built-in list, templates)."""

    name: str
    path: str | None = None
    data: bytes | None = None
    rules: bool = False

    def size(self) -> int | None:
        if self.data is not None:
            return len(self.data)
        try:
            st = os.stat(self.path or "")  # noqa: PTH116 - pathlib costs start-up
        except OSError:
            return None
        return st.st_size if stat.S_ISREG(st.st_mode) else None  # pipes, ttys: unknown

    def open(self) -> BinaryIO:
        import io

        if self.data is not None:
            return io.BytesIO(self.data)
        try:
            return open(self.path or "", "rb")  # noqa: PTH123 - closed by the reader
        except OSError as exc:
            raise InvalidInput(
                f"cannot read wordlist {self.name}: {exc.strerror or 'error'}; "
                "check the path and its permissions"
            ) from None


def builtin_source(rules: bool = False) -> Source:
    """The built-in list (wallarm/jwt-secrets, MIT; see resources/weak_secrets.LICENSE)."""
    # A plain file beside the package: not importlib.resources nor pathlib (start-up).
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # noqa: PTH100, PTH120
    path = os.path.join(package, "resources", "weak_secrets.txt")  # noqa: PTH118
    try:
        with open(path, "rb") as f:  # noqa: PTH123
            data = f.read()
    except OSError:  # pragma: no cover - a zipped or otherwise packed install
        from importlib import resources

        data = resources.files("jwtdesk.resources").joinpath("weak_secrets.txt").read_bytes()
    return Source("built-in list", data=data, rules=rules)


def file_source(path: str, rules: bool = False) -> Source:
    source = Source(path, path=path, rules=rules)
    source.open().close()  # a missing or unreadable file fails now, before any work starts
    if os.path.isdir(path):  # noqa: PTH112
        raise InvalidInput(f"wordlist {path} is a directory; give a file with one word a line")
    return source


class Job(NamedTuple):
    """What to find: keys whose HMAC-SHA-``bits`` of ``msg`` is one of ``targets``."""

    msg: bytes
    bits: int
    targets: tuple[bytes, ...]


class Progress(NamedTuple):
    done_bytes: int
    total_bytes: int | None
    tried: int
    elapsed: float

    @property
    def rate(self) -> float:
        return self.tried / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def fraction(self) -> float | None:
        if not self.total_bytes:
            return None
        return min(1.0, self.done_bytes / self.total_bytes)

    def amount(self) -> str:
        """How much of the lists is done: "12.5 of 130.0 MB" (or "12.5 MB" if the total is
        unknown, e.g. a pipe)."""
        done = _size(self.done_bytes)
        return f"{done} of {_size(self.total_bytes)}" if self.total_bytes else done

    @property
    def eta(self) -> float | None:
        f = self.fraction
        return None if not f else self.elapsed * (1 - f) / f


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


class Hit(NamedTuple):
    target: int
    source: str
    line: int  # 1-based line of the word (with rules: of the word the variant came from)
    secret: Secret


class Outcome(NamedTuple):
    hits: tuple[Hit, ...]
    tried: int
    seconds: float
    skipped: dict[str, int] = {}  # noqa: RUF012 - never mutated: a fresh dict per run
    cancelled: bool = False

    @property
    def rate(self) -> float:
        return self.tried / self.seconds if self.seconds > 0 else 0.0


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _start_method() -> str:
    # fork starts a worker in ~2 ms; it is safe only with one thread (the CLI). The GUI and
    # tests with threads get spawn (a fresh interpreter, ~100 ms).
    return "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"


OnProgress = Callable[[Progress], None]


def search(
    job: Job,
    sources: Sequence[Source],
    *,
    workers: int | None = None,
    on_progress: OnProgress | None = None,
    cancel: threading.Event | None = None,
    start_method: str | None = None,
) -> Outcome:
    """Stream ``sources`` through worker processes until every target is found, the lists
    end, or ``cancel`` is set. Every worker is stopped before this returns.

    Forked workers over lists without rules read their own ranges of the lists
    (``audit_ranges``); otherwise the lists are read here and shipped to the workers."""
    method = start_method or _start_method()
    if method == "fork":
        from jwtdesk.core import audit_ranges

        if audit_ranges.applies(sources):
            ranges = audit_ranges.RangeRun(job, sources, workers or default_workers())
            return ranges.execute(on_progress, cancel or threading.Event())
    run = _Run(job, sources, workers or default_workers(), method)
    return run.execute(on_progress, cancel or threading.Event())


class _Run:
    def __init__(self, job: Job, sources: Sequence[Source], workers: int, method: str) -> None:
        import multiprocessing

        self.job, self.sources = job, sources
        self.ctx: Any = multiprocessing.get_context(method)
        self.nworkers = max(1, min(workers, 64))
        sizes = [s.size() for s in sources]
        self.total = None if None in sizes else sum(s or 0 for s in sizes)
        self.done_bytes = self.tried = 0
        self.pending: dict[int, tuple[int, int, int]] = {}  # seq -> (source, first line, bytes)
        self.hits: dict[int, Hit] = {}
        self.done: dict[int, tuple[int, tuple[int, ...]]] = {}  # seq -> (tried, skipped)
        self.reader_overlong = 0  # lines too long to keep, dropped while reading
        self.last_hit_seq = 0
        self.started = time.perf_counter()

    def execute(self, on_progress: OnProgress | None, cancel: threading.Event) -> Outcome:
        # Tasks: a SimpleQueue (no feeder thread: a second search may still fork). A put
        # waits while every worker is busy, at most one chunk's time (~30-300 ms).
        from jwtdesk.core import audit_worker

        tasks: Any = self.ctx.SimpleQueue()
        results: Any = self.ctx.Queue()
        job = self.job
        args = (tasks, results, job.msg, b"".join(job.targets), job.bits)
        procs = [
            self.ctx.Process(target=audit_worker.run, args=args, daemon=True, name="jwtdesk-audit")
            for _ in range(self.nworkers)
        ]
        for p in procs:
            p.start()
        graceful = False
        try:
            graceful = self._loop(procs, (tasks, results), on_progress, cancel)
        finally:
            _stop(procs, tasks, results, graceful)
        if on_progress:
            on_progress(self.progress())
        hits = tuple(sorted(self.hits.values(), key=lambda h: h.target))
        seconds = time.perf_counter() - self.started
        # Once every target is found: what came before the last hit, not what came after.
        last = self.last_hit_seq if len(self.hits) == len(job.targets) else None
        counted = [v for seq, v in self.done.items() if last is None or seq <= last]
        tried = sum(n for n, _ in counted)
        skipped = [sum(column) for column in zip(*(s for _, s in counted), strict=True)]
        skipped_by_kind = dict(zip(SKIP_KINDS, skipped or [0] * len(SKIP_KINDS), strict=True))
        skipped_by_kind["overlong"] += self.reader_overlong
        return Outcome(hits, tried, seconds, skipped_by_kind, cancel.is_set())

    def _loop(
        self,
        procs: list[Any],
        queues: tuple[Any, Any],
        on_progress: OnProgress | None,
        cancel: threading.Event,
    ) -> bool:
        """Feed chunks and collect answers; True when the lists ran out with nothing pending."""
        tasks, results = queues
        last = 0.0
        feed = self._feed()
        try:
            item = next(feed, None)
            while not cancel.is_set() and not self._finished():
                # Once every target is found, only the chunks before the last hit are awaited.
                feeding = len(self.hits) < len(self.job.targets)
                if feeding and item is not None and len(self.pending) < 2 * self.nworkers:
                    seq, meta, data, rules = item
                    self.pending[seq] = meta
                    tasks.put((seq, data, rules))
                    item = next(feed, None)
                    continue
                if item is None and not self.pending:
                    return True
                if not self._collect(results, timeout=0.05):
                    _check_alive(procs)
                if on_progress and time.perf_counter() - last >= PROGRESS_EVERY_S:
                    last = time.perf_counter()
                    on_progress(self.progress())
            return False
        finally:
            feed.close()

    def _finished(self) -> bool:
        """Every target is found and every chunk before the last hit has answered."""
        if len(self.hits) < len(self.job.targets):
            return False
        return all(seq > self.last_hit_seq for seq in self.pending)

    def progress(self) -> Progress:
        elapsed = time.perf_counter() - self.started
        return Progress(self.done_bytes, self.total, self.tried, elapsed)

    def _collect(self, results: Any, timeout: float) -> bool:
        """Take the answers that arrive within ``timeout``; False if none did."""
        import queue

        try:
            answer = results.get(timeout=timeout)
        except queue.Empty:
            return False
        while True:
            self._take(answer)
            try:
                answer = results.get_nowait()
            except queue.Empty:
                return True

    def _take(self, answer: tuple[Any, ...]) -> None:
        seq, tried, _lines, skipped, hits = answer
        source, first_line, nbytes = self.pending.pop(seq)
        self.tried += tried
        self.done[seq] = (tried, tuple(skipped))
        self.done_bytes += nbytes
        for target, line, secret in hits:
            if target not in self.hits:
                name = self.sources[source].name
                self.hits[target] = Hit(target, name, first_line + line + 1, Secret(secret))
                self.last_hit_seq = max(self.last_hit_seq, seq)

    def _feed(self) -> Generator[tuple[int, tuple[int, int, int], bytes, bool], None, None]:
        seq = 0
        for index, source in enumerate(self.sources):
            size = RULES_CHUNK_BYTES if source.rules else CHUNK_BYTES
            reader = _LineChunks(source.open(), size)
            with reader.stream:
                for data, first_line, nbytes in reader:
                    if not data:  # an overlong line being skipped: progress only
                        self.done_bytes += nbytes
                        continue
                    seq += 1
                    yield seq, (index, first_line, nbytes), data, source.rules
            self.reader_overlong += reader.overlong


class _LineChunks:
    """Chunks of whole lines from a stream, in bounded memory: a line longer than
    ``MAX_LINE`` that does not fit in a block is dropped as it is read (and counted)."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self.stream, self.size = stream, size
        self.overlong = 0

    def __iter__(self) -> Iterator[tuple[bytes, int, int]]:
        carry, line, skipping = b"", 0, False
        while block := self.stream.read(self.size):
            nbytes = len(block)
            if skipping:
                nl = block.find(b"\n")
                if nl < 0:
                    yield b"", line, nbytes
                    continue
                block, skipping, line = block[nl + 1 :], False, line + 1
            data = carry + block
            cut = data.rfind(b"\n") + 1
            chunk, carry = data[:cut], data[cut:]
            if len(carry) > MAX_LINE + 1:
                carry, skipping = b"", True
                self.overlong += 1
            yield chunk, line, nbytes
            line += chunk.count(b"\n")
        if carry:
            yield carry, line, 0


def _check_alive(procs: list[Any]) -> None:
    """A worker that died (killed by the system, a crash) would leave its chunk unanswered."""
    for p in procs:
        if p.exitcode is not None:
            raise JwtdeskError(
                f"an audit worker process stopped unexpectedly (exit code {p.exitcode}); "
                "try again, with fewer --workers if memory is short"
            )


def _stop(procs: list[Any], tasks: Any, results: Any, graceful: bool) -> None:
    """Stop every worker. At the natural end (nothing pending) each gets an end marker and
    exits; otherwise (cancel, found, error) each is terminated at once, mid-chunk: nothing it
    was doing is wanted. Returns when none is alive (and each is reaped)."""
    if graceful:
        for _ in procs:
            tasks.put(None)
        for p in procs:
            p.join(STOP_GRACE_S)
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(STOP_GRACE_S)
        if p.is_alive():  # pragma: no cover - SIGTERM is not ignored by the workers
            p.kill()
            p.join()
        p.close()
    tasks.close()
    results.close()
