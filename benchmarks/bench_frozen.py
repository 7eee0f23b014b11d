"""The frozen app (PyInstaller one-folder, dist/jwtdesk) beside the source install, same run.

Run: make bench  (or: .venv/bin/python benchmarks/bench_frozen.py [--runs N] [--reuse])

1. Build time: PyInstaller with the build dir make dist keeps (build/pyinstaller; warm after
   the first build), beside building jwtdesk's wheel (what a source install builds).
   --reuse takes an existing dist/jwtdesk and skips this part.
2. Unpacked size: dist/jwtdesk beside the installed files of jwtdesk and its runtime
   dependencies in the venv (the interpreter itself not counted).
3. Start-up, median of N alternating runs with 200 keysets in the index:
   - CLI: `jwtdesk keys list` (reads the index only), frozen beside `.venv/bin/jwtdesk`;
   - GUI: process start -> main window mapped on a virtual X screen (Xvfb; polled with
     xwininfo every ~10 ms, so +-10 ms), frozen `jwtdesk-gui` beside `.venv/bin/jwtdesk-gui`.
   "Cold" here means a new process; the page cache stays warm (dropping it would slow every
   other user of this shared machine). The first frozen run after the build is shown apart.
Keyring: the null backend for every run (jwtdesk refuses it; the GUI shows its banner after
the window): no run touches a real keyring. Figures on a shared 2-core machine are noisy.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
APP = ROOT / "dist" / "jwtdesk"
VENV_BIN = Path(sys.executable).parent


def timed_run(cmd: list[str | Path], **kw: object) -> float:
    start = time.perf_counter()
    subprocess.run([str(c) for c in cmd], check=True, capture_output=True, **kw)  # type: ignore[call-overload]
    return time.perf_counter() - start


def build(reuse: bool) -> None:
    if reuse and (APP / "jwtdesk").is_file():
        print("build: reused dist/jwtdesk (--reuse)")
        return
    warm = (ROOT / "build" / "pyinstaller").is_dir()
    spec = ROOT / "packaging" / "jwtdesk.spec"
    frozen = timed_run(
        [
            VENV_BIN / "pyinstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            ROOT / "dist",
            "--workpath",
            ROOT / "build" / "pyinstaller",
            spec,
        ],
        cwd=ROOT,
    )
    with tempfile.TemporaryDirectory() as tmp:
        wheel = timed_run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "-q",
                "--no-deps",
                "-w",
                tmp,
                ROOT,
            ],
            cwd=ROOT,
        )
    state = "warm build dir" if warm else "fresh build dir"
    print(
        f"build: PyInstaller {frozen:.1f} s ({state}); source wheel {wheel:.1f} s; "
        f"ratio {frozen / wheel:.1f}x"
    )


def tree_bytes(top: Path) -> int:
    return sum(p.stat().st_size for p in top.rglob("*") if p.is_file() and not p.is_symlink())


def runtime_dists(name: str, seen: set[str]) -> None:
    """``name`` and what it requires (no extras), recursively, as installed in this venv."""
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        return
    try:
        dist = distribution(name)
    except PackageNotFoundError:
        return
    seen.add(key)
    for req in dist.requires or ():
        if "extra ==" in req:
            continue
        marker = req.split(";", 1)
        if len(marker) == 2 and "sys_platform" in marker[1] and sys.platform not in marker[1]:
            continue
        runtime_dists(re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0], seen)


def source_bytes() -> int:
    seen: set[str] = set()
    runtime_dists("jwtdesk", seen)
    total = 0
    for name in seen:
        for f in distribution(name).files or ():
            path = Path(str(f.locate()))
            if path.is_file() and (ROOT / "jwtdesk") not in path.parents:
                total += path.stat().st_size
    # jwtdesk itself is an editable install: count its package directory.
    return total + tree_bytes(ROOT / "jwtdesk")


def sizes() -> None:
    frozen, source = tree_bytes(APP), source_bytes()
    print(
        f"unpacked size: frozen {frozen / 1e6:.1f} MB (goal < 150 MB); source install "
        f"(jwtdesk + runtime dependencies, no interpreter) {source / 1e6:.1f} MB; "
        f"ratio {frozen / source:.2f}x"
    )


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def cli_startup(runs: int, env: dict[str, str]) -> None:
    frozen_cmd: list[str | Path] = [APP / "jwtdesk", "keys", "list"]
    source_cmd: list[str | Path] = [VENV_BIN / "jwtdesk", "keys", "list"]
    first = timed_run(frozen_cmd, env=env)
    frozen, source = [], []
    for _ in range(runs):
        frozen.append(timed_run(frozen_cmd, env=env))
        source.append(timed_run(source_cmd, env=env))
    f, s = median_ms(frozen), median_ms(source)
    print(
        f"CLI `keys list` (200 keysets), median of {runs}: frozen {f:.0f} ms, source "
        f"{s:.0f} ms; ratio {f / s:.2f}x (first frozen run after the build: "
        f"{first * 1000:.0f} ms)"
    )


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as fh:
        return xvfb, ":" + fh.readline().strip()


def window_shown(cmd: list[str | Path], env: dict[str, str], display: str) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], env=env, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < 60:
            tree = subprocess.run(
                ["xwininfo", "-root", "-tree", "-display", display],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            if '"jwtdesk"' in tree:
                return time.perf_counter() - start
            time.sleep(0.01)
        raise SystemExit(f"{cmd[0]}: no window within 60 s")
    finally:
        proc.terminate()  # only the time to the window is measured
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def gui_startup(runs: int, env: dict[str, str]) -> None:
    if not shutil.which("Xvfb") or not shutil.which("xwininfo"):
        print("GUI start-up: skipped (needs Xvfb and xwininfo: make debs)")
        return
    xvfb, display = start_xvfb()
    try:
        genv = {**env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        frozen, source = [], []
        for _ in range(runs):
            frozen.append(window_shown([APP / "jwtdesk-gui"], genv, display))
            source.append(window_shown([VENV_BIN / "jwtdesk-gui"], genv, display))
    finally:
        xvfb.terminate()
        xvfb.wait()
    f, s = median_ms(frozen), median_ms(source)
    print(
        f"GUI start -> window mapped (200 keysets), median of {runs}: frozen {f:.0f} ms, "
        f"source {s:.0f} ms; ratio {f / s:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="take dist/jwtdesk as built")
    args = parser.parse_args()
    build(args.reuse)
    if not (APP / "jwtdesk").is_file():
        raise SystemExit("no dist/jwtdesk: run `make dist` first")
    sizes()
    compileall.compile_dir(str(ROOT / "jwtdesk"), quiet=1)  # a source install ships bytecode
    with tempfile.TemporaryDirectory() as tmp:
        home, ring, cfg = Path(tmp) / "home", Path(tmp) / "ring", Path(tmp) / "config"
        ring.mkdir()
        cfg.mkdir()
        os.environ.update({"JWTDESK_BENCH_KEYRING": str(ring), "JWTDESK_HOME": str(home)})
        from bench_store import seed

        seed(home, 200, 2)  # secrets go to the counting keyring's file, never read here
        env = {
            **os.environ,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            "XDG_CONFIG_HOME": str(cfg),  # QSettings of these runs stay in the temp dir
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env.pop("PYTHONPATH", None)
        cli_startup(args.runs, env)
        gui_startup(args.runs, env)


if __name__ == "__main__":
    main()
