"""The audit's inner loop: HMAC every candidate line of a chunk, stop at a matching digest.

The C extension ``_hmacscan`` (built at install time when gcc and the OpenSSL headers are
there) does it at ~3.7 M candidates/s per core for HS256; without it the pure-Python path
below does the same at the speed of ``hmac.digest`` (~0.6 M/s). Both clean lines alike: one
trailing CR is dropped (counted as ``crlf``); empty lines, lines longer than ``MAX_LINE``
bytes and lines holding a control byte other than TAB (binary data) are counted and skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from itertools import repeat
from typing import NamedTuple

# hashcat's longest password is 256 bytes; HMAC keys beyond a few hundred bytes are not
# "guessable secrets". 1024 leaves room for long passphrases and base64 text.
MAX_LINE = 1024
HASHES = {256: "sha256", 384: "sha384", 512: "sha512"}
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")

_c_scan: Callable[[bytes, int, bytes, bytes, int, int], tuple[int, ...]] | None = None
try:
    if os.environ.get("JWTDESK_AUDIT_PURE") == "1":  # tests and benchmarks of the fallback
        raise ImportError("pure Python path requested")
    from jwtdesk.core import _hmacscan

    _c_scan = _hmacscan.scan
except ImportError:  # pragma: no cover - depends on the build
    pass
HAVE_C = _c_scan is not None

FALLBACK_NOTE = (
    "note: the C scanner is not built (it needs gcc and the OpenSSL headers, e.g. "
    "`apt install gcc libssl-dev`, then reinstall jwtdesk); using the slower Python path"
)


class Scan(NamedTuple):
    next: int  # where to resume in the chunk
    lines: int
    tried: int
    empty: int
    overlong: int
    binary: int
    crlf: int
    target: int  # index of the matching digest, -1 when none matched
    match_start: int
    match_len: int


def scan(chunk: bytes, start: int, msg: bytes, targets: bytes, bits: int) -> Scan:
    """Scan ``chunk`` from byte ``start`` until the end or the first match."""
    if _c_scan is not None:
        return Scan(*_c_scan(chunk, start, msg, targets, bits, MAX_LINE))
    return _scan_python(chunk, start, msg, targets, bits)


def _scan_python(chunk: bytes, start: int, msg: bytes, targets: bytes, bits: int) -> Scan:
    size = bits // 8
    wanted = [targets[i : i + size] for i in range(0, len(targets), size)]
    data = chunk[start:]
    if not data:
        return Scan(len(chunk), 0, 0, 0, 0, 0, 0, -1, -1, 0)
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    crlf = empty = overlong = binary = 0
    clean = lines
    if _needs_cleaning(data, lines):
        clean, crlf, empty, overlong, binary = _clean(lines)
    import hmac  # not at the top: the C path never needs it (start-up)

    digests = list(map(hmac.digest, clean, repeat(msg), repeat(HASHES[bits])))
    hit = min((digests.index(w) for w in wanted if w in digests), default=-1)
    if hit < 0:
        return Scan(len(chunk), len(lines), len(clean), empty, overlong, binary, crlf, -1, -1, 0)
    target = wanted.index(digests[hit])
    return _python_hit(chunk, start, lines, secret=clean[hit], hit=hit, target=target)


def _python_hit(
    chunk: bytes, start: int, lines: list[bytes], *, secret: bytes, hit: int, target: int
) -> Scan:
    """Re-walk the raw lines up to the hit so every count matches the C path's."""
    raw_index = _raw_index(lines, hit)
    before = lines[: raw_index + 1]
    _, crlf, empty, overlong, binary = _clean(before)
    offset = start + sum(len(line) + 1 for line in lines[:raw_index])
    nxt = min(offset + len(lines[raw_index]) + 1, len(chunk))
    return Scan(
        nxt,
        raw_index + 1,
        hit + 1,
        empty,
        overlong,
        binary,
        crlf,
        target,
        offset,
        len(secret),
    )


def _needs_cleaning(data: bytes, lines: list[bytes]) -> bool:
    """Whole-chunk checks (C speed) so a clean chunk costs no per-line Python work."""
    return (
        b"\r" in data
        or b"\n\n" in data
        or data.startswith(b"\n")
        or _CONTROL.search(data.replace(b"\n", b"")) is not None
        or max(map(len, lines)) > MAX_LINE
    )


def _raw_index(lines: list[bytes], clean_index: int) -> int:
    seen = -1
    for i, line in enumerate(lines):
        if _usable(line.removesuffix(b"\r")):
            seen += 1
            if seen == clean_index:
                return i
    raise AssertionError("hit beyond the cleaned lines")


def _usable(line: bytes) -> bool:
    return 0 < len(line) <= MAX_LINE and _CONTROL.search(line) is None


def _clean(lines: list[bytes]) -> tuple[list[bytes], int, int, int, int]:
    indexed, (empty, overlong, binary, crlf) = clean_indexed(lines)
    return [line for _, line in indexed], crlf, empty, overlong, binary


def clean_indexed(lines: list[bytes]) -> tuple[list[tuple[int, bytes]], tuple[int, int, int, int]]:
    """The usable lines with their index, and the counts ``(empty, overlong, binary, crlf)``."""
    out: list[tuple[int, bytes]] = []
    crlf = empty = overlong = binary = 0
    for index, raw in enumerate(lines):
        line = raw.removesuffix(b"\r")
        crlf += len(line) != len(raw)
        if not line:
            empty += 1
        elif len(line) > MAX_LINE:
            overlong += 1
        elif _CONTROL.search(line):
            binary += 1
        else:
            out.append((index, line))
    return out, (empty, overlong, binary, crlf)
