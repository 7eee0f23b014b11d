"""A process killed (SIGKILL) at each step of a change leaves no index entry without its
secret, and `doctor --repair` cleans up what it left. Real Secret Service throughout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jwtdesk.cli import main
from jwtdesk.core.keysets import State
from jwtdesk.services import KeyService

pytestmark = pytest.mark.secret_service

# The child imports jwtdesk, wraps one step so that it kills itself right there, then runs the
# command. Nothing in jwtdesk knows about this: the kill is as abrupt as a power cut.
CHILD = r"""
import os, signal, sys
import jwtdesk.store.index as index_mod
import jwtdesk.store.vault as vault_mod
where, nth = sys.argv[1], int(sys.argv[2])
calls = {"n": 0}

def die_after(fn):
    def wrapper(*args, **kwargs):
        result = fn(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return wrapper

def die_before(fn):
    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return fn(*args, **kwargs)
    return wrapper

if where == "after-vault-put":
    vault_mod.Vault.put = die_after(vault_mod.Vault.put)
elif where == "before-vault-delete":
    vault_mod.Vault.delete = die_before(vault_mod.Vault.delete)
elif where == "during-index-replace":
    index_mod.os.replace = die_before(index_mod.os.replace)
from jwtdesk.cli import main
sys.exit(main(sys.argv[3:]))
"""


def child(where: str, nth: int, *argv: str) -> int:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, where, str(nth), *argv],
        capture_output=True,
        timeout=120,
        env=os.environ.copy(),
        check=False,
    )
    return proc.returncode


def assert_consistent(svc: KeyService) -> None:
    """Every version that the index says can sign or verify has its secret."""
    for ks in svc.keysets():
        for v in ks.versions:
            if v.state is not State.RETIRED:
                assert svc.vault.exists(v.id), f"{ks.name} {v.kid} has no secret"


def doctor(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    main(["doctor", "--json", *extra])
    doc: dict[str, object] = json.loads(capsys.readouterr().out)
    return doc


def kinds(doc: dict[str, object]) -> list[str]:
    return sorted(f["kind"] for f in doc["findings"])  # type: ignore[attr-defined,index]


@pytest.mark.parametrize(
    "argv", [["keys", "new", "fresh", "--alg", "ES256"], ["keys", "rotate", "api"]]
)
def test_killed_between_vault_write_and_index_write(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    real_service.create("api", "HS256")
    before = real_service.keysets()
    assert child("after-vault-put", 1, *argv) == -9
    assert real_service.keysets() == before  # the new version never reached the index
    assert_consistent(real_service)
    orphan = real_service.index.load().pending[0].id
    assert real_service.vault.exists(orphan)

    doc = doctor(capsys)
    assert kinds(doc) == ["orphan-secret"] and doc["healthy"] is False
    doc = doctor(capsys, "--repair")
    assert doc["healthy"] is True
    assert not real_service.vault.exists(orphan)
    assert kinds(doctor(capsys)) == []
    # and the store keeps working
    real_service.rotate("api")
    assert_consistent(real_service)


@pytest.mark.parametrize("nth", [1, 2])
def test_killed_during_index_replace(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], nth: int
) -> None:
    real_service.create("api", "HS256")
    before = real_service.keysets()
    # replace #1 writes the pending mark (before the secret), #2 the new index entry
    assert child("during-index-replace", nth, "keys", "rotate", "api") == -9
    assert real_service.keysets() == before
    assert_consistent(real_service)
    assert len(real_service.index.temp_files()) == 1

    expected = ["temp-file"] if nth == 1 else ["orphan-secret", "temp-file"]
    assert kinds(doctor(capsys)) == expected
    assert doctor(capsys, "--repair")["healthy"] is True
    assert real_service.index.temp_files() == []
    assert kinds(doctor(capsys)) == []


def test_killed_between_index_delete_and_secret_delete(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    ks = real_service.create("gone", "EdDSA")
    vid = ks.versions[0].id
    assert child("before-vault-delete", 1, "keys", "delete", "gone", "--yes") == -9
    assert real_service.keysets() == ()  # index first: the entry is gone
    assert real_service.vault.exists(vid)  # the secret is an orphan now
    assert kinds(doctor(capsys)) == ["orphan-secret"]
    assert doctor(capsys, "--repair")["healthy"] is True
    assert not real_service.vault.exists(vid)


def test_missing_secret_is_reported_not_dropped(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    ks = real_service.create("api", "HS384")
    real_service.vault.delete(ks.versions[0].id)  # someone deleted it in the keyring app
    doc = doctor(capsys, "--repair")
    assert kinds(doc) == ["missing-secret"] and doc["healthy"] is False
    assert "keys rotate api" in json.dumps(doc)
    assert real_service.get("api") == ks
