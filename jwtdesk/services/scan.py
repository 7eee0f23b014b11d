"""``jwtdesk scan``: search files and git history for the stored secrets, and for weak ones.

The secrets are read from the keyring in one batch at the start of a scan, turned into
needles in memory (core/leakforms.py) and matched in one pass (core/leakscan.py). Nothing
secret is written anywhere: findings name the file, line, commit, keyset, kid and form only.
The summary of the last scan (counts, paths, time; no secret) is kept beside the index for
the checklist (store/lastscan.py).
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from jwtdesk.core import leakforms
from jwtdesk.core.algorithms import KeyType
from jwtdesk.core.errors import Cancelled, JwtdeskError
from jwtdesk.core.keysets import State
from jwtdesk.core.leakscan import CHUNK, Entry, Label, Matcher, Stream, first_lines
from jwtdesk.services import githistory
from jwtdesk.store import lastscan

if TYPE_CHECKING:
    from jwtdesk.services.keys import KeyService

SKIP_DIRS = frozenset({".git", ".hg", ".svn"})


class Finding(NamedTuple):
    kind: str  # "stored-secret" | "weak-secret"
    path: str
    line: int
    commit: str | None  # None: found in a file, not in history
    author_date: str | None
    keyset: str | None  # None for a weak secret
    version: str | None  # the kid
    form: str  # raw, hex, base64, base64url, pem, jwk, json, env; "weak" for a weak secret
    name: str | None = None  # the variable assigned a weak value
    commits: tuple[str, ...] = ()  # every commit that added the blob (history findings)


class ScanError(NamedTuple):
    path: str
    message: str


class ScanResult(NamedTuple):
    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]
    files: int
    blobs: int
    bytes: int
    seconds: float
    needles: int
    secrets: int

    @property
    def clean(self) -> bool:
        return not self.findings and not self.errors

    def keysets(self) -> list[str]:
        return sorted({f.keyset for f in self.findings if f.keyset})


Progress = Callable[[str], None]


def stored_entries(keys: KeyService) -> list[Entry]:
    """Every secret jwtdesk keeps (current and previous versions), read in one batch."""
    entries: list[Entry] = []
    vault = keys.vault
    for ks in keys.keysets():
        for v in ks.versions:
            if v.state is State.RETIRED or v.public_only:
                continue
            secret = vault.get(v.id)
            raw = secret.reveal()
            if ks.algorithm.kty is KeyType.OCT:
                entries.append(Entry(ks.name, v.kid, tuple(leakforms.secret_forms(raw))))
            else:
                forms, public = leakforms.private_key_forms(raw)
                entries.append(Entry(ks.name, v.kid, tuple(forms), public))
            del secret, raw
    return entries


class Scanner:
    def __init__(
        self,
        matcher: Matcher,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        self.matcher = matcher
        self._progress = progress or (lambda _msg: None)
        self._cancelled = cancelled or (lambda: False)
        self.findings: list[Finding] = []
        self.errors: list[ScanError] = []
        self.files = self.blobs = self.bytes = 0
        self._repos: set[Path] = set()

    def check_cancel(self) -> None:
        if self._cancelled():
            raise Cancelled("the scan was cancelled")

    # --- files ------------------------------------------------------------------------

    def scan_path(self, path: Path) -> bool:
        """Scan a file or a directory tree; False if ``path`` itself cannot be read."""
        try:
            st = path.stat()
        except OSError as exc:
            self.errors.append(ScanError(str(path), f"cannot read: {exc.strerror}"))
            return False
        if stat.S_ISDIR(st.st_mode):
            self._walk(path)
        elif stat.S_ISREG(st.st_mode):
            self.scan_file(path)
        else:
            self.errors.append(ScanError(str(path), "not a regular file or directory; skipped"))
        return True

    def _walk(self, root: Path) -> None:
        def onerror(exc: OSError) -> None:
            self.errors.append(ScanError(str(exc.filename), f"cannot read: {exc.strerror}"))

        for here, dirs, files in os.walk(root, onerror=onerror):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            for name in sorted(files):
                path = Path(here, name)
                try:
                    mode = os.lstat(path).st_mode
                except OSError as exc:
                    self.errors.append(ScanError(str(path), f"cannot read: {exc.strerror}"))
                    continue
                if stat.S_ISREG(mode):  # links, fifos, sockets and devices are not opened
                    self.scan_file(path)

    def scan_file(self, path: Path) -> None:
        self.check_cancel()
        stream = self.matcher.stream()
        try:
            with path.open("rb", buffering=0) as fh:
                chunk = fh.read(CHUNK)
                while len(chunk) == CHUNK:  # a large file: streamed piece by piece
                    stream.feed(chunk)
                    chunk = fh.read(CHUNK)
                stream.feed(chunk, final=True)
        except OSError as exc:
            self.errors.append(ScanError(str(path), f"cannot read: {exc.strerror}"))
            return
        self.files += 1
        self.bytes += stream.size
        self._collect(stream, str(path), [(None, None)])
        if self.files % 500 == 0:
            self._progress(f"{self.files} files, {self.bytes / 1e6:.0f} MB")

    def _collect(
        self, stream: Stream, path: str, where: Sequence[tuple[str | None, str | None]]
    ) -> None:
        for label, line in first_lines(stream.secret_hits).items():
            for commit, date in where:
                self.findings.append(_stored(label, path, line, commit, date))
        for hit in stream.weak_hits:
            for commit, date in where:
                self.findings.append(
                    Finding(
                        "weak-secret", path, hit.line, commit, date, None, None, "weak", hit.name
                    )
                )

    # --- history ----------------------------------------------------------------------

    def scan_history(self, path: Path) -> None:
        try:
            repo = githistory.repository(path)
        except JwtdeskError as exc:
            self.errors.append(ScanError(str(path), exc.message))
            return
        if repo in self._repos:
            return  # two paths in one repository: its history is read once
        self._repos.add(repo)
        found: dict[str, tuple[Stream, str]] = {}
        for oid, first_path, chunks in githistory.blobs(repo, self.check_cancel):
            stream = self.matcher.stream()
            for chunk in chunks:
                stream.feed(chunk)
            stream.feed(b"", final=True)  # a blob's pieces come from git: none is known last
            self.blobs += 1
            self.bytes += stream.size
            if stream.secret_hits or stream.weak_hits:
                found[oid] = (stream, first_path)
            if self.blobs % 2000 == 0:
                self._progress(f"{repo.name}: {self.blobs} blobs, {self.bytes / 1e6:.0f} MB")
        if not found:
            return
        origins = githistory.origins(repo, set(found))
        for oid, (stream, first_path) in found.items():
            places = origins.get(oid) or [githistory.Origin(None, None, first_path)]
            by_path: dict[str, list[githistory.Origin]] = {}
            for o in places:
                by_path.setdefault(o.path, []).append(o)
            for rel, group in by_path.items():
                group.sort(key=lambda o: o.date or "")
                commits = tuple(o.commit for o in group if o.commit)
                where = [(group[0].commit, group[0].date)]
                before = len(self.findings)
                self._collect(stream, str(repo / rel), where)
                for i in range(before, len(self.findings)):
                    self.findings[i] = self.findings[i]._replace(commits=commits)

    def result(self, started: float, secrets: int) -> ScanResult:
        return ScanResult(
            tuple(self.findings),
            tuple(self.errors),
            self.files,
            self.blobs,
            self.bytes,
            time.monotonic() - started,
            self.matcher.needle_count,
            secrets,
        )


def _stored(label: Label, path: str, line: int, commit: str | None, date: str | None) -> Finding:
    return Finding(
        "stored-secret", path, line, commit, date, label.keyset, label.version, label.form
    )


def summary(
    result: ScanResult, paths: Sequence[Path], history: bool, now: datetime
) -> dict[str, Any]:
    """What the checklist needs of a scan: counts and names, never a secret or a line."""
    stored = [f for f in result.findings if f.kind == "stored-secret"]
    return {
        "time": now.astimezone(UTC).isoformat(),
        "paths": [str(p) for p in paths],
        "history": history,
        "stored_secret_findings": len(stored),
        "weak_secret_findings": len(result.findings) - len(stored),
        "keysets": result.keysets(),
        "leaked": sorted({(f.keyset or "", f.version or "") for f in stored}),
        "errors": len(result.errors),
        "secrets": result.secrets,
    }


def scan(
    keys: KeyService,
    paths: Iterable[Path],
    *,
    history: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    record: bool = True,
) -> ScanResult:
    """Scan ``paths`` (and with ``history`` their git repositories' history); keep the
    summary for the checklist unless ``record`` is false."""
    started = time.monotonic()
    paths = list(paths)
    entries = stored_entries(keys)
    matcher = Matcher(entries)
    count = len(entries)
    del entries
    scanner = Scanner(matcher, progress, cancelled)
    for path in paths:
        if scanner.scan_path(path) and history:
            scanner.scan_history(path)
    result = scanner.result(started, count)
    if record:
        lastscan.save(keys.index.home, summary(result, paths, history, keys.clock()))
    return result
