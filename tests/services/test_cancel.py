"""Cancelling a key generation: asked after the key is made, before anything is stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from jwtdesk.core.errors import Cancelled
from jwtdesk.services import KeyService
from tests.keyrings import MemoryKeyring


def test_a_cancelled_create_stores_nothing(
    memory_service: KeyService, memory_keyring: MemoryKeyring, home: Path
) -> None:
    memory_service.create("other", "HS256")  # the home exists: the audit log can be written
    memory_keyring.calls.clear()
    before = dict(memory_keyring.store)
    asked: list[bool] = []

    def cancelled() -> bool:
        asked.append(True)
        return True

    with pytest.raises(Cancelled, match="nothing was stored"):
        memory_service.create("api", "ES256", cancelled=cancelled)
    assert asked == [True]
    assert [k.name for k in memory_service.keysets()] == ["other"]
    assert memory_keyring.calls["set"] == 0 and memory_keyring.store == before
    last = (home / "audit.log").read_text().splitlines()[-1]
    assert '"action": "create"' in last and '"keyset": "api"' in last
    assert '"outcome": "Cancelled"' in last  # the attempt is on record


def test_a_create_not_cancelled_goes_ahead(
    memory_service: KeyService, memory_keyring: MemoryKeyring
) -> None:
    ks = memory_service.create("api", "ES256", cancelled=lambda: False)
    assert [k.name for k in memory_service.keysets()] == ["api"]
    assert ks.current is not None and memory_keyring.calls["set"] == 1
