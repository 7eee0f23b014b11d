"""Leak scan, the pure part: one automaton over every needle of every stored secret, fed a
stream of bytes, answering (line, keyset, version, form); and assignments of known weak values.

Matching is Aho-Corasick (the ``ahocorasick-rs`` binding of Rust's ``aho-corasick`` crate) as a
DFA reporting overlapping matches: one pass over the text whatever the number of needles.
Measured on this machine (benchmarks/bench_scan.py prints it each run): ~600 MB/s with 40 or
2,000 needles, where a compiled ``re`` alternation gave 46 MB/s with 40 needles and 0.5 MB/s
with 2,000, one ``bytes.count`` per needle 127 and 4 MB/s, and pyahocorasick 34-74 MB/s.

Keywords (``secret``, ``hmac``, ``signing``...) are needles of the same automaton: the line of
each is then checked for an assignment of a value on the built-in list of published secrets.
The secrets and their needles stay in memory: nothing here writes anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

import ahocorasick_rs

from jwtdesk.core import leakforms
from jwtdesk.core.weak import is_common_secret

KEYWORDS = tuple(
    variant
    for word in (b"secret", b"hmac", b"signing", b"jwt_key", b"jwtkey")
    for variant in (word, word.upper(), word.capitalize())
)
CHUNK = 8 << 20  # files and blobs are read and matched in pieces of this size
_NAME = rb"(?P<name>[a-z0-9_.\-]*(?:secret|hmac|signing[_.\-]?key|jwt[_.\-]?key)[a-z0-9_.\-]*)"
_QUOTED = rb"""(?:"(?P<dq>[^"\r\n]{1,200})"|'(?P<sq>[^'\r\n]{1,200})'|`(?P<bq>[^`\r\n]{1,200})`)"""
# Code and config: `NAME = "value"`, `"NAME": "value"`, `NAME := 'value'`, `NAME => 'value'`
_ASSIGN = re.compile(rb"(?ix)" + _NAME + rb"""["'\]]*\s*(?::=|=>|=(?!=)|:)\s*""" + _QUOTED)
# Env, YAML and properties files: the whole line is `NAME=value` / `export NAME=value` /
# `NAME: value`. An unquoted value elsewhere in code is an expression, not a literal.
_BARE = re.compile(
    rb"(?ix)\A\s*(?:export\s+|set\s+)?"
    + _NAME
    + rb"""\s*[=:]\s*(?P<bare>[^\s"'`#]{1,200})\s*(?:\#.*)?\Z"""
)
# Defaults: `env.JWT_SECRET || 'secret'`, `getenv("JWT_SECRET") or "x"`, `${JWT_SECRET:-x}`
_FALLBACK = re.compile(
    rb"(?ix)"
    + _NAME
    + rb"""(?:["'\])\]]*\s*(?:\|\||\?\?|\bor\b)\s*"""
    + _QUOTED
    + rb"""|:-(?P<bare>[^}\s"']{1,200}))"""
)
# `getenv("JWT_SECRET", "changeme")`, `config.get('SIGNING_KEY', 'secret')`
_GETENV = re.compile(rb"""(?ix)\(\s*["']""" + _NAME + rb"""["']\s*,\s*""" + _QUOTED)
_NOT_VALUES = {b"null", b"none", b"nil", b"undefined", b"true", b"false", b"0", b"1"}
_VALUE_GROUPS = ("dq", "sq", "bq", "bare")
_TYPE_LIKE = re.compile(rb"[A-Z][A-Za-z0-9_]*")


def _plausible(value: bytes, bare: bool) -> bool:
    """A literal that could be a secret: not a null or a boolean; unquoted, not a capitalised
    name (`secret: Secret` is a type annotation, `KEY: SECRET` a reference)."""
    if value.lower() in _NOT_VALUES:
        return False
    return not (bare and _TYPE_LIKE.fullmatch(value))


class Label(NamedTuple):
    keyset: str
    version: str  # the key version's kid
    form: str


class Entry(NamedTuple):
    """One stored secret to search for, with the forms leakforms made of it."""

    keyset: str
    version: str
    forms: tuple[tuple[str, bytes], ...]
    public: tuple[bytes, ...] = ()  # texts anyone may hold: needles inside them are dropped


class SecretHit(NamedTuple):
    line: int
    label: Label


class WeakHit(NamedTuple):
    line: int
    name: str  # the variable assigned, e.g. JWT_SECRET (never the value)


class Matcher:
    """The automaton over every needle of ``entries`` and the weak-assignment keywords."""

    def __init__(
        self, entries: Iterable[Entry], is_weak: Callable[[bytes], bool] = is_common_secret
    ) -> None:
        labels: dict[bytes, list[Label]] = {}
        for entry in entries:
            for form, needle in leakforms.needles(list(entry.forms), entry.public):
                label = Label(entry.keyset, entry.version, form)
                have = labels.setdefault(needle, [])
                if all(lb[:2] != label[:2] for lb in have):
                    have.append(label)
        self.needle_count = len(labels)
        patterns = list(labels)
        self._labels: list[tuple[Label, ...] | None] = [tuple(labels[p]) for p in patterns]
        for word in KEYWORDS:
            if word not in labels:
                patterns.append(word)
                self._labels.append(None)
        self.max_len = max(len(p) for p in patterns)
        self._ac = ahocorasick_rs.BytesAhoCorasick(
            patterns,
            matchkind=ahocorasick_rs.MATCHKIND_STANDARD,
            implementation=ahocorasick_rs.Implementation.DFA,
        )
        self._is_weak = is_weak
        del labels, patterns

    def stream(self) -> Stream:
        return Stream(self)

    def scan(self, data: bytes) -> tuple[list[SecretHit], list[WeakHit]]:
        """All hits in one whole buffer."""
        s = Stream(self)
        s.feed(data, final=True)
        return s.secret_hits, s.weak_hits

    def _matches(self, buf: bytes) -> list[tuple[int, int, int]]:
        # Overlapping: a raw secret and its escaped spelling overlap; both are reported.
        found: list[tuple[int, int, int]] = self._ac.find_matches_as_indexes(buf, overlapping=True)
        return found

    def _weak_line(self, line: bytes) -> str | None:
        for rx in (_ASSIGN, _BARE, _FALLBACK, _GETENV):
            for m in rx.finditer(line):
                found = {k: v for k, v in m.groupdict().items() if v is not None}
                value = next((found[k] for k in _VALUE_GROUPS if k in found), None)
                if value is None or not _plausible(value, bare="bare" in found):
                    continue
                if self._is_weak(value):
                    return m["name"].decode("utf-8", "replace")
        return None


class Stream:
    """Matches a file or blob fed in pieces; a needle across two pieces is still found once."""

    def __init__(self, matcher: Matcher) -> None:
        self._m = matcher
        self._tail = b""
        self._lines_before = 0  # newlines before the first byte of the tail
        self._weak_lines: set[int] = set()
        self.secret_hits: list[SecretHit] = []
        self.weak_hits: list[WeakHit] = []
        self.size = 0

    def feed(self, data: bytes, final: bool = False) -> None:
        self.size += len(data)
        buf = self._tail + data if self._tail else data
        fresh = len(self._tail)  # a match must end after this to be new
        for index, start, end in self._m._matches(buf):
            labels = self._m._labels[index]
            if end <= fresh and labels is not None:
                continue  # found in the previous piece
            line = self._lines_before + buf.count(b"\n", 0, start) + 1
            if labels is None:
                self._keyword(buf, start, end, line, final)
            else:
                self.secret_hits.extend(SecretHit(line, lb) for lb in labels)
        if final:  # nothing follows: no tail, no line count to carry
            self._tail = b""
            return
        keep = min(len(buf), self._m.max_len + 256)
        self._lines_before += buf.count(b"\n", 0, len(buf) - keep)
        self._tail = buf[len(buf) - keep :]

    def _keyword(self, buf: bytes, start: int, end: int, line: int, final: bool) -> None:
        if line in self._weak_lines:
            return
        stop = buf.find(b"\n", end)
        if stop < 0:
            if not final and len(buf) - end < 256:
                return  # the rest of the line comes with the next piece (kept in the tail)
            stop = len(buf)
        self._weak_lines.add(line)
        begin = buf.rfind(b"\n", 0, start) + 1
        name = self._m._weak_line(buf[max(begin, start - 512) : stop])
        if name is not None:
            self.weak_hits.append(WeakHit(line, name))


def first_lines(hits: Sequence[SecretHit]) -> dict[Label, int]:
    """Each label once, at the first line it was found on."""
    out: dict[Label, int] = {}
    for hit in hits:
        if hit.label not in out or hit.line < out[hit.label]:
            out[hit.label] = hit.line
    return out
