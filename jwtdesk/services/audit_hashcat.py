"""Interop with hashcat: export a token as a mode 16500 line, or let hashcat search for it.

hashcat's mode 16500 ("JWT (JSON Web Token)") takes the compact token as its hash line and
finds HS256/384/512 secrets; ``-a 0`` is a straight wordlist attack; without ``-o`` a cracked
hash is printed as ``hash:plain`` (hashcat.net/wiki, "example hashes" and ``--help``).
Exit status 0 means cracked, 1 exhausted; anything else is an error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from jwtdesk.core import audit
from jwtdesk.core.audit_target import TokenTarget, hashcat_line, john_line
from jwtdesk.core.errors import InvalidInput, JwtdeskError
from jwtdesk.core.secret import Secret
from jwtdesk.services.audit import AuditOptions, Result

HASHCAT_MODE = "16500"


def export_lines(targets: Sequence[TokenTarget], path: str, fmt: str = "hashcat") -> int:
    """Write one line per token (hashcat 16500, or John's ``msg#hexmac``); ``-`` is stdout.
    The file is created 0600: a token is not a secret, but it is a credential."""
    line = hashcat_line if fmt == "hashcat" else john_line
    text = "".join(line(t) + "\n" for t in targets)
    if path == "-":
        print(text, end="")
        return len(targets)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(text)
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror}; choose another path") from None
    return len(targets)


def hashcat_path() -> str | None:
    return shutil.which("hashcat")


def run_hashcat(targets: Sequence[TokenTarget], options: AuditOptions) -> list[Result]:
    """Search each token with hashcat over the same wordlists (the built-in list is written
    to a private temporary file for it). Rules are jwtdesk's own: not offered here."""
    exe = hashcat_path()
    if exe is None:
        raise InvalidInput("hashcat is not on PATH; install it or drop --engine hashcat")
    if options.rules:
        raise InvalidInput("--rules is jwtdesk's own rule set; use it with --engine jwtdesk")
    with tempfile.TemporaryDirectory(prefix="jwtdesk-hashcat-") as tmp:
        lists = list(options.wordlists)
        if options.builtin:
            builtin = Path(tmp, "builtin.txt")
            builtin.write_bytes(audit.builtin_source().data or b"")
            lists.insert(0, str(builtin))
        if not lists:
            raise InvalidInput("no wordlist: give --wordlist FILE, or drop --no-builtin")
        return [_one(exe, t, lists, Path(tmp)) for t in targets]


def _one(exe: str, target: TokenTarget, lists: list[str], tmp: Path) -> Result:
    hashes = tmp / "hash.txt"
    line = hashcat_line(target)
    hashes.write_text(line + "\n", encoding="ascii")
    # No -o and no potfile: the found secret comes back on stdout ("hash:plain"), never
    # through a file.
    cmd = [exe, "-m", HASHCAT_MODE, "-a", "0", "--potfile-disable", "--quiet", str(hashes)]
    started = time.perf_counter()
    proc = subprocess.run([*cmd, *lists], capture_output=True, check=False, cwd=tmp)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise JwtdeskError(
            f"hashcat failed (exit {proc.returncode}); run it by hand to see why: "
            f"{' '.join(cmd)} WORDLIST"
        )
    secret = _plain(proc.stdout, line) if proc.returncode == 0 else None
    tried = sum(_count_lines(p) for p in lists)
    return Result(
        target.label, secret is not None, secret, "hashcat" if secret else None, None,
        tried, seconds, alg=target.alg,
    )  # fmt: skip


def _plain(stdout: bytes, hash_line: str) -> Secret | None:
    """The plain text hashcat printed after ``hash:`` (``$HEX[…]`` when not printable)."""
    prefix = hash_line.encode("ascii") + b":"
    for line in stdout.split(b"\n"):
        if line.startswith(prefix):
            plain = line[len(prefix) :].removesuffix(b"\r")
            if plain.startswith(b"$HEX[") and plain.endswith(b"]"):
                plain = bytes.fromhex(plain[5:-1].decode("ascii", "replace"))
            return Secret(plain) if plain else None
    return None


def _count_lines(path: str) -> int:
    """hashcat reports no count in --quiet mode: the lines of the lists are what it tried."""
    count = 0
    with Path(path).open("rb") as f:
        while block := f.read(1 << 20):
            count += block.count(b"\n")
    return count
