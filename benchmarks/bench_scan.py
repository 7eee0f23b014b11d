"""Leak scan throughput on a generated tree and a generated git history, beside `git grep`.

Run: .venv/bin/python benchmarks/bench_scan.py [--tree-mb 100] [--commits 20000]
     [--history-mb 200] [--keysets 100] [--keep DIR]

1. Matchers on the same text and needles (why jwtdesk uses ahocorasick-rs as a DFA): a
   compiled `re` alternation, one `bytes.count` per needle, pyahocorasick if installed.
2. Tree: files of generated source text with a few planted secrets; jwtdesk's file scan
   (Scanner.scan_path) in MB/s beside `git grep --no-index -F -f NEEDLES` on the same tree,
   and detect-secrets if installed (on a slice: it is far slower).
3. History: `git fast-import` writes COMMITS commits of about HISTORY_MB of blobs; jwtdesk's
   history scan (every reachable blob once) beside `git grep -F -f NEEDLES $(git rev-list
   --all)` (which reads every tree of every revision; stopped after --grep-timeout s).
Goals: >= 200 MB/s of file text per core; the history in under 60 s. Figures on a shared,
loaded 2-core machine are noisy: compare the ratios printed beside each reference.
The needles of made-up keys (never a stored one) are written to a temp file for git grep only.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from jwtdesk.core import leakforms
from jwtdesk.core.keys import b64url
from jwtdesk.core.leakscan import Entry, Matcher
from jwtdesk.services.scan import Scanner

WORDS = (
    *("def", "return", "self", "import", "class", "value", "name", "config", "token", "user"),
    *("data", "for", "in", "if", "else", "print", "json", "path", "request", "response"),
    *("session", "cache", "logger", "error", "result", "items", "index", "count", "total"),
    *("async", "await", "const", "let", "var", "function", "module", "exports", "require"),
)


def make_entries(keysets: int) -> tuple[list[Entry], list[bytes]]:
    """``keysets`` HMAC keysets with two versions each, and four EC keys."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    entries: list[Entry] = []
    secrets: list[bytes] = []
    for n in range(keysets):
        for v in range(2):
            secret = b64url(os.urandom(64)).encode()
            secrets.append(secret)
            entries.append(Entry(f"ks{n}", f"kid{n}.{v}", tuple(leakforms.secret_forms(secret))))
    for n in range(4):
        der = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        forms, public = leakforms.private_key_forms(der)
        entries.append(Entry(f"ec{n}", f"eckid{n}", tuple(forms), public))
    return entries, secrets


def line_pool(rng: random.Random, n: int = 20000) -> list[str]:
    pool = []
    for i in range(n):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 10)))
        pool.append(f"{' ' * rng.choice((0, 4, 8))}{words}(x_{i % 97}, '{rng.random():.6f}')")
    return pool


def file_text(rng: random.Random, pool: list[str], size: int) -> str:
    lines = rng.choices(pool, k=max(1, size // 40))
    return "\n".join(lines) + "\n"


def make_tree(root: Path, mb: int, rng: random.Random, pool: list[str], plant: bytes) -> int:
    total = 0
    n = 0
    while total < mb * 1_000_000:
        text = file_text(rng, pool, rng.randint(2_000, 60_000))
        path = root / f"pkg{n % 50}" / f"mod{n}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        if n == 7:
            data += b"JWT_SECRET=" + plant + b"\n"
        path.write_bytes(data)
        total += len(data)
        n += 1
    return total


def cpu() -> float:
    """CPU seconds of this process and its waited-for children (git): on a machine shared
    with other jobs, MB per CPU-second is the per-core figure; wall-clock MB/s also counts
    the time other jobs held the cores."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def mbps(size: int, seconds: float) -> float:
    return size / 1e6 / seconds if seconds > 0 else float("inf")


def bench_matchers(text: bytes, entries: list[Entry]) -> None:
    needles = [n for e in entries for _, n in leakforms.needles(list(e.forms), e.public)]
    print(f"\n[1] matchers: {len(text) / 1e6:.0f} MB of text, {len(needles)} needles")
    matcher = Matcher(entries)
    t, c = time.perf_counter(), cpu()
    matcher.scan(text)
    ours, used = time.perf_counter() - t, cpu() - c
    print(
        f"  ahocorasick-rs DFA (jwtdesk)  {mbps(len(text), ours):8.1f} MB/s"
        f"  ({mbps(len(text), used):.0f} MB per CPU-second)"
    )
    small = text[:2_000_000]
    rx = re.compile(b"|".join(re.escape(n) for n in needles))
    t = time.perf_counter()
    rx.findall(small)
    dt = time.perf_counter() - t
    print(f"  re alternation                {mbps(len(small), dt):8.1f} MB/s  (on 2 MB)")
    t = time.perf_counter()
    for n in needles:
        small.count(n)
    dt = time.perf_counter() - t
    print(f"  bytes.count per needle        {mbps(len(small), dt):8.1f} MB/s  (on 2 MB)")
    try:
        import ahocorasick  # type: ignore[import-not-found]
    except ImportError:
        print("  pyahocorasick                 not installed")
        return
    auto = ahocorasick.Automaton()
    for i, n in enumerate(needles):
        auto.add_word(n.decode("latin-1"), i)
    auto.make_automaton()
    s = text.decode("latin-1")
    t = time.perf_counter()
    sum(1 for _ in auto.iter(s))
    dt = time.perf_counter() - t
    print(f"  pyahocorasick                 {mbps(len(text), dt):8.1f} MB/s")


def git_grep(args: list[str], cwd: Path, timeout: float) -> tuple[float, int | None]:
    """Seconds, and the number of files (or revision:files) listed; None if stopped."""
    t = time.perf_counter()
    try:
        out = subprocess.run(args, cwd=cwd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - t, None
    if out.returncode not in (0, 1):
        raise SystemExit(f"git grep failed: {out.stderr.decode(errors='replace')[:300]}")
    return time.perf_counter() - t, len(out.stdout.splitlines())


def bench_tree(work: Path, mb: int, entries: list[Entry], plant: bytes, pat: Path) -> None:
    rng = random.Random(7)
    tree = work / "tree"
    tree.mkdir()
    size = make_tree(tree, mb, rng, line_pool(rng), plant)
    print(f"\n[2] tree: {size / 1e6:.0f} MB in {sum(1 for _ in tree.rglob('*.py'))} files")
    subprocess.run(["cat", *map(str, tree.rglob("*.py"))], capture_output=True, check=False)
    scanner = Scanner(Matcher(entries))
    t, c = time.perf_counter(), cpu()
    scanner.scan_path(tree)
    ours, used = time.perf_counter() - t, cpu() - c
    assert len(scanner.findings) == 1, scanner.findings
    print(
        f"  jwtdesk scan          {mbps(size, ours):8.1f} MB/s  {ours:6.2f} s"
        f"  ({mbps(size, used):.0f} MB per CPU-second)"
    )
    gg, done = git_grep(["git", "grep", "--no-index", "-F", "-l", "-f", str(pat), "."], tree, 600)
    ratio = gg / ours
    note = f" found {done}" if done is not None else " (stopped)"
    speed = f"{mbps(size, gg):8.1f} MB/s  {gg:6.2f} s"
    print(f"  git grep -F -f        {speed}{note}  (time ratio git grep/jwtdesk {ratio:.2f})")
    beside = Path(sys.executable).parent / "detect-secrets"  # installed in the same venv
    detect = str(beside) if beside.exists() else shutil.which("detect-secrets")
    if detect is None:
        print("  detect-secrets        not installed")
        return
    part = sorted(tree.rglob("*.py"))[:40]
    part_size = sum(p.stat().st_size for p in part)
    t = time.perf_counter()
    subprocess.run([detect, "scan", *map(str, part)], capture_output=True, check=False)
    dt = time.perf_counter() - t
    speed = f"{mbps(part_size, dt):8.1f} MB/s"
    print(f"  detect-secrets scan   {speed}  (on {part_size / 1e6:.1f} MB; generic secret rules)")


def fast_import_stream(commits: int, mb: int, plant: bytes, rng: random.Random) -> Iterator[bytes]:
    pool = line_pool(rng, 5000)
    per_commit = max(1000, mb * 1_000_000 // commits)
    paths = [f"src/pkg{i % 40}/file{i}.py" for i in range(max(200, commits // 20))]
    leak_at = commits // 3
    for c in range(1, commits + 1):
        when = 1_600_000_000 + c * 600
        files = [(rng.choice(paths), file_text(rng, pool, per_commit).encode())]
        if c == leak_at:
            files.append(("config/.env", b"JWT_SECRET=" + plant + b"\n"))
        head = [f"commit refs/heads/main\nmark :{c}\n"]
        head.append(f"author A <a@example.invalid> {when} +0000\n")
        head.append(f"committer A <a@example.invalid> {when} +0000\ndata 6\nchange\n")
        if c > 1:
            head.append(f"from :{c - 1}\n")
        if c == leak_at + 1:
            head.append("D config/.env\n")
        yield "".join(head).encode()
        for path, data in files:
            yield f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"


def bench_history(
    work: Path, args: argparse.Namespace, entries: list[Entry], plant: bytes, pat: Path
) -> None:
    commits, mb, timeout = args.commits, args.history_mb, args.grep_timeout
    repo = work / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    t = time.perf_counter()
    proc = subprocess.Popen(
        ["git", "-C", str(repo), "fast-import", "--quiet"], stdin=subprocess.PIPE
    )
    assert proc.stdin is not None
    for piece in fast_import_stream(commits, mb, plant, random.Random(11)):
        proc.stdin.write(piece)
    proc.stdin.close()
    proc.wait()
    subprocess.run(["git", "-C", str(repo), "repack", "-adq", "--depth=20"], check=True)
    gen = time.perf_counter() - t
    sizes = subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "cat-file",
            "--batch-all-objects",
            "--batch-check=%(objecttype) %(objectsize)",
        ],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split("\n")
    blob_bytes = sum(int(s.split()[1]) for s in sizes if s.startswith("blob"))
    size = f"{blob_bytes / 1e6:.0f} MB of blobs"
    print(f"\n[3] history: {commits} commits, {size} (generated in {gen:.0f} s)")
    scanner = Scanner(Matcher(entries))
    t, c = time.perf_counter(), cpu()
    scanner.scan_history(repo)
    ours, used = time.perf_counter() - t, cpu() - c
    leaks = [f for f in scanner.findings if f.kind == "stored-secret"]
    assert len(leaks) == 1 and leaks[0].commit, scanner.findings
    speed = f"{mbps(blob_bytes, ours):8.1f} MB/s  {ours:6.1f} s"
    print(f"  jwtdesk scan --history  {speed}  ({scanner.blobs} blobs, each read once)")
    print(f"    {used:.1f} CPU-seconds with git's: {mbps(blob_bytes, used):.0f} MB per CPU-second")
    revs = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--all"], capture_output=True, text=True, check=True
    ).stdout.split()
    gg, done = git_grep(["git", "grep", "-F", "-l", "-f", str(pat), *revs], repo, timeout)
    if done is not None:
        print(f"  git grep all revisions  {gg:6.1f} s, listed {done} revision:path matches")
        print(f"  time ratio git grep/jwtdesk {gg / ours:.2f}")
    else:
        print(f"  git grep all revisions  stopped unfinished after {gg:.0f} s")
        print(f"  time ratio git grep/jwtdesk > {gg / ours:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree-mb", type=int, default=100)
    ap.add_argument("--commits", type=int, default=20000)
    ap.add_argument("--history-mb", type=int, default=200)
    ap.add_argument("--keysets", type=int, default=100)
    ap.add_argument("--grep-timeout", type=float, default=120)
    args = ap.parse_args()
    entries, secrets = make_entries(args.keysets)
    plant = secrets[5]
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        work = Path(tmp)
        pat = work / "needles.txt"
        needles = [n for e in entries for _, n in leakforms.needles(list(e.forms), e.public)]
        # git grep reads patterns as text: the printable needles only (raw DER pieces are not)
        text_needles = [n for n in needles if all(32 <= c < 127 for c in n)]
        pat.write_bytes(b"\n".join(text_needles) + b"\n")
        print(f"git grep gets {len(text_needles)} of the {len(needles)} needles (the text ones)")
        rng = random.Random(3)
        sample = file_text(rng, line_pool(rng), 50_000_000).encode()
        bench_matchers(sample, entries)
        del sample
        bench_tree(work, args.tree_mb, entries, plant, pat)
        bench_history(work, args, entries, plant, pat)
    print("\n(shared 2-core machine: figures are noisy; compare the ratios within this run)")


if __name__ == "__main__":
    main()
