"""A git repository's history as blobs, each read once, for the leak scan.

``git rev-list --objects --all`` names every object reachable from any ref (with the first
path it was seen at); ``git cat-file --batch-check`` keeps the blobs; ``git cat-file --batch``
streams their contents. Only when a blob matched does ``git log --all --raw`` say which
commits added it, at which path, with the author date. Fixed argv lists, no shell.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, NamedTuple

from jwtdesk.core.errors import Cancelled, JwtdeskError
from jwtdesk.core.leakscan import CHUNK


class Origin(NamedTuple):
    commit: str | None
    date: str | None  # author date, ISO 8601
    path: str


def _git() -> str:
    git = shutil.which("git")
    if git is None:
        raise JwtdeskError("git is not installed, so history cannot be scanned; install git")
    return git


def _rev_parse(git: str, where: Path, option: str) -> str | None:
    try:
        out = subprocess.run(
            [git, "-C", str(where), "rev-parse", option],
            capture_output=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = out.stdout.decode("utf-8", "surrogateescape").strip()
    return text if out.returncode == 0 and text else None


def repository(path: Path) -> Path:
    """The work tree (or bare repository) holding ``path``; an error if there is none."""
    git = _git()
    where = path if path.is_dir() else path.parent
    git_dir = _rev_parse(git, where, "--absolute-git-dir")
    if git_dir is None:
        raise JwtdeskError("not a git repository (or unreadable); no history was scanned")
    top = _rev_parse(git, where, "--show-toplevel")
    return Path(top or git_dir)


def _blob_list(git: str, repo: Path) -> list[tuple[str, int, str]]:
    """(oid, size, first path) of every blob reachable from any ref."""
    listing = subprocess.Popen(
        [git, "-C", str(repo), "rev-list", "--objects", "--all"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    check = subprocess.Popen(
        [
            git,
            "-C",
            str(repo),
            "cat-file",
            "--batch-check=%(objecttype) %(objectname) %(objectsize) %(rest)",
        ],
        stdin=listing.stdout,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    if listing.stdout is None or check.stdout is None:  # pragma: no cover - PIPE was asked
        raise JwtdeskError("cannot start git")
    listing.stdout.close()  # cat-file holds it now
    out: list[tuple[str, int, str]] = []
    for raw in check.stdout:
        kind, _, rest = raw.rstrip(b"\n").partition(b" ")
        if kind != b"blob":
            continue
        oid, size, path = [*rest.split(b" ", 2), b""][:3]
        out.append((oid.decode("ascii"), int(size), path.decode("utf-8", "surrogateescape")))
    if listing.wait() != 0 or check.wait() != 0:
        raise JwtdeskError(f"git could not list the history of {repo}; run `git fsck` there")
    return out


def _feed(stdin: IO[bytes], oids: list[str]) -> None:
    try:
        for oid in oids:
            stdin.write(oid.encode("ascii") + b"\n")
        stdin.close()
    except (BrokenPipeError, ValueError, OSError):
        pass  # the reader stopped (cancelled); it kills the process


def blobs(
    repo: Path, check_cancel: Callable[[], None]
) -> Iterator[tuple[str, str, Iterator[bytes]]]:
    """(oid, first path, its contents in pieces) of each reachable blob, each exactly once.
    The pieces of one blob must be consumed before asking for the next."""
    git = _git()
    listed = _blob_list(git, repo)
    proc = subprocess.Popen(
        [git, "-C", str(repo), "cat-file", "--batch", "--buffer"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    if proc.stdin is None or proc.stdout is None:  # pragma: no cover - PIPE was asked
        raise JwtdeskError("cannot start git")
    writer = threading.Thread(target=_feed, args=(proc.stdin, [o for o, _, _ in listed]))
    writer.daemon = True
    writer.start()
    out = proc.stdout
    try:
        for oid, _size, path in listed:
            check_cancel()
            header = out.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                raise JwtdeskError(f"git cat-file answered out of order in {repo}")
            left = int(header[2])
            pieces = _pieces(out, left)
            yield oid, path, pieces
            for _ in pieces:  # whatever the caller left unread
                pass
            out.read(1)  # the newline after each object
    except Cancelled:
        raise
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        writer.join(timeout=5)


def _pieces(out: IO[bytes], left: int) -> Iterator[bytes]:
    while left > 0:
        data = out.read(min(left, CHUNK))
        if not data:
            raise JwtdeskError("git cat-file stopped in the middle of a blob")
        left -= len(data)
        yield data


def origins(repo: Path, wanted: set[str]) -> dict[str, list[Origin]]:
    """For each blob in ``wanted``: the commits that added it, with path and author date."""
    git = _git()
    proc = subprocess.Popen(
        [
            git,
            "-C",
            str(repo),
            "-c",
            "core.quotePath=off",
            "log",
            "--all",
            "--raw",
            "--no-renames",
            "--no-abbrev",
            "--format=%x01%H %aI",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    if proc.stdout is None:  # pragma: no cover - PIPE was asked
        raise JwtdeskError("cannot start git")
    found: dict[str, list[Origin]] = {}
    commit = date = None
    for raw in proc.stdout:
        if raw.startswith(b"\x01"):
            commit, _, rest = raw[1:].strip().decode("ascii", "replace").partition(" ")
            date = rest or None
        elif raw.startswith(b":"):
            meta, _, path = raw[1:].rstrip(b"\n").partition(b"\t")
            fields = meta.split()
            if len(fields) >= 5 and fields[4] != b"D":
                new = fields[3].decode("ascii")
                if new in wanted:
                    text = path.decode("utf-8", "surrogateescape")
                    found.setdefault(new, []).append(Origin(commit, date, text))
    proc.wait()
    return found
