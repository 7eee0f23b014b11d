"""The C scanner is optional: setup.py builds it with gcc and the OpenSSL headers, and an
install without a working compiler still succeeds (the audit then says it uses Python)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def build(tmp_path: Path, cc: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "jwtdesk" / "core").mkdir(parents=True)
    shutil.copy(ROOT / "setup.py", tmp_path)
    shutil.copy(ROOT / "jwtdesk" / "core" / "_hmacscan.c", tmp_path / "jwtdesk" / "core")
    env = {**os.environ, **({"CC": cc} if cc else {})}
    argv = [sys.executable, "setup.py", "-q", "build_ext", "--inplace"]
    return subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)


def built(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "jwtdesk" / "core").glob("_hmacscan*.so"))


def test_without_a_compiler_the_build_is_skipped(tmp_path: Path) -> None:
    proc = build(tmp_path, "/bin/false")
    assert proc.returncode == 0
    assert 'building extension "jwtdesk.core._hmacscan" failed' in proc.stdout + proc.stderr
    assert built(tmp_path) == []


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_with_gcc_and_openssl_it_builds(tmp_path: Path) -> None:
    proc = build(tmp_path, None)
    assert proc.returncode == 0, proc.stderr
    (lib,) = built(tmp_path)
    spec = importlib.util.spec_from_file_location("_hmacscan", lib)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import hmac

    msg = b"header.payload"
    target = hmac.digest(b"two", msg, "sha256")
    assert module.scan(b"one\ntwo\nthree\n", 0, msg, target, 256, 1024)[7] == 0
