from __future__ import annotations

import multiprocessing
import os
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jwtdesk.core.errors import StoreCorrupt
from jwtdesk.core.keysets import KeyVersion, State, new_keyset
from jwtdesk.store.index import Index, IndexState, Pending, atomic_write, decode, encode, home_dir

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def sample() -> IndexState:
    v = KeyVersion("kv-1", "kid-1", State.CURRENT, T0, T0, None, 256, {"kty": "EC", "x": "a"})
    ks = new_keyset(name="api", alg="ES256", first=v, now=T0, service="shop", environment="prod")
    return IndexState((ks,), (Pending("kv-9", "create", "api", T0),))


def test_round_trip(tmp_path: Path) -> None:
    state = sample()
    assert decode(encode(state), tmp_path / "i.json") == state


def test_home_dir_honours_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JWTDESK_HOME", str(tmp_path / "h"))
    assert home_dir() == tmp_path / "h"
    monkeypatch.delenv("JWTDESK_HOME")
    assert home_dir().name == "jwtdesk"


def test_written_0600_even_with_umask_000(home: Path) -> None:
    index = Index(home)
    old = os.umask(0)
    try:
        with index.locked():
            index.write(sample())
    finally:
        os.umask(old)
    assert stat.S_IMODE(index.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert index.load() == sample()
    assert index.temp_files() == []


def test_failed_write_leaves_old_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = Index(home)
    with index.locked():
        index.write(sample())
    before = index.path.read_bytes()

    def boom(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError), index.locked():
        index.write(IndexState())
    assert index.path.read_bytes() == before
    assert index.temp_files() == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[]", "no schema"),
        (b'{"schema": 99}', "newer jwtdesk"),
        (b'{"schema": 1, "keysets": [{"name": "x"}]}', "malformed entry"),
    ],
)
def test_corrupt_index_is_a_one_line_error(home: Path, content: bytes, message: str) -> None:
    home.mkdir()
    (home / "index.json").write_bytes(content)
    with pytest.raises(StoreCorrupt, match=message) as info:
        Index(home).load()
    assert "\n" not in str(info.value)


def test_missing_index_is_empty(home: Path) -> None:
    assert Index(home).load() == IndexState()


def test_atomic_write_mode(tmp_path: Path) -> None:
    target = tmp_path / "f"
    atomic_write(target, b"abc", mode=0o600)
    assert target.read_bytes() == b"abc"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def _hold_lock(home: str, seconds: float, ready: multiprocessing.synchronize.Event) -> None:
    index = Index(Path(home))
    with index.locked():
        ready.set()
        time.sleep(seconds)


def test_lock_serialises_processes(home: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(str(home), 1.0, ready))
    proc.start()
    assert ready.wait(30)
    start = time.monotonic()
    with Index(home).locked():
        waited = time.monotonic() - start
    proc.join()
    # Not a timing assertion on speed: the second writer must have waited for the first.
    assert waited > 0.2
    assert timedelta(seconds=waited) < timedelta(seconds=30)
