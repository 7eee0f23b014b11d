"""The audit's worker process: takes chunks of candidate lines, returns counts and hits.

Kept small so a spawned worker starts quickly: it imports the scanner and the rules only.
A chunk is ``(seq, data, rules)``: ``data`` holds whole lines; with ``rules`` each line is a
base word whose variants are tried. The answer is ``(seq, tried, lines, skipped, hits)`` with
``skipped = (empty, overlong, binary, crlf)`` and ``hits = [(target, line_in_chunk, secret)]``.
"""

from __future__ import annotations

import bisect
import signal
from typing import Any

from jwtdesk.core import audit_rules
from jwtdesk.core.audit_scan import MAX_LINE, clean_indexed, scan

Hit = tuple[int, int, bytes]


class _Want:
    """What a worker looks for, and which targets it has found so far."""

    def __init__(self, msg: bytes, targets: bytes, bits: int) -> None:
        self.msg, self.targets, self.bits = msg, targets, bits
        self.count = len(targets) * 8 // bits
        self.found: set[int] = set()  # once all are found, a chunk stops at its hit

    def hit(self, target: int) -> bool:
        """Note a hit; True when every target is found."""
        self.found.add(target)
        return len(self.found) == self.count


def run(tasks: Any, results: Any, msg: bytes, targets: bytes, bits: int) -> None:
    """The worker's main loop; ends on a ``None`` task (or is terminated by the parent)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl+C and stops us
    want = _Want(msg, targets, bits)
    while (item := tasks.get()) is not None:
        seq, data, rules = item
        answer = _rules_chunk(data, want) if rules else _chunk(data, want)
        results.put((seq, *answer))


def _chunk(data: bytes, want: _Want) -> tuple[Any, ...]:
    pos = lines = tried = empty = overlong = binary = crlf = 0
    hits: list[Hit] = []
    while pos < len(data):
        s = scan(data, pos, want.msg, want.targets, want.bits)
        lines, tried = lines + s.lines, tried + s.tried
        empty, overlong = empty + s.empty, overlong + s.overlong
        binary, crlf = binary + s.binary, crlf + s.crlf
        pos = s.next
        if s.target >= 0:
            secret = data[s.match_start : s.match_start + s.match_len]
            hits.append((s.target, lines - 1, secret))
            if want.hit(s.target):
                break
    return tried, lines, (empty, overlong, binary, crlf), hits


def _rules_chunk(data: bytes, want: _Want) -> tuple[Any, ...]:
    raw_lines = data.split(b"\n")
    if data.endswith(b"\n"):
        raw_lines.pop()
    words, skipped = clean_indexed(raw_lines)
    ends: list[int] = []  # cumulative candidate counts: word i owns [ends[i-1], ends[i])
    total = 0
    for _, word in words:
        total += audit_rules.expand_count(word)
        ends.append(total)
    big = b"\n".join(audit_rules.expand(word) for _, word in words)
    pos = lines = tried = 0
    hits: list[Hit] = []
    while pos < len(big):
        s = scan(big, pos, want.msg, want.targets, want.bits)
        lines, tried, pos = lines + s.lines, tried + s.tried, s.next
        if s.target >= 0:
            word_index = bisect.bisect_right(ends, lines - 1)
            secret = big[s.match_start : s.match_start + s.match_len]
            hits.append((s.target, words[word_index][0], secret))
            if want.hit(s.target):
                break
    return tried, len(raw_lines), skipped, hits


__all__ = ["MAX_LINE", "run"]
