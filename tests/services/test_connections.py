"""Connections' crash order: the password is in the keyring before the index names it; a
failed keyring write leaves neither; a delete drops the entry first. The real keyring test
shows the password never reaches the index file."""

from __future__ import annotations

from pathlib import Path

import pytest

from jwtdesk.core.connections import Connection
from jwtdesk.core.errors import Conflict, KeyringUnavailable
from jwtdesk.core.secret import Secret
from jwtdesk.services import KeyService
from jwtdesk.services.revocation import RevocationService
from jwtdesk.store.index import Index
from jwtdesk.store.vault import Vault
from tests.keyrings import MemoryKeyring, secret_service_usernames

CONN = Connection(name="shop-redis", url="redis://127.0.0.1:6379", service="shop")


class FailingKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("the keyring went away")


def test_a_failed_keyring_write_stores_nothing(home: Path) -> None:
    keys = KeyService(Index(home), lambda: Vault(FailingKeyring()))
    svc = RevocationService(keys)
    with pytest.raises(KeyringUnavailable):
        svc.create_connection(CONN, Secret(b"pw-never-stored"))
    state = Index(home).load()
    assert state.connections == () and state.pending == ()
    assert "pw-never-stored" not in Index(home).path.read_text()


def test_create_and_delete_in_crash_order(memory_service: KeyService, home: Path) -> None:
    svc = RevocationService(memory_service)
    stored = svc.create_connection(CONN, Secret(b"pw-1"))
    assert stored.secret_id.startswith("rc-") and Index(home).load().pending == ()
    assert svc.target("shop-redis").password == Secret(b"pw-1")
    assert "pw-1" not in Index(home).path.read_text()
    with pytest.raises(Conflict):
        svc.create_connection(CONN, None)
    svc.delete_connection("shop-redis")
    assert not memory_service.vault.exists(stored.secret_id)
    assert Index(home).load().connections == () and Index(home).load().pending == ()
    no_pw = svc.create_connection(CONN, None)
    assert no_pw.secret_id == "" and svc.target("shop-redis").password is None


@pytest.mark.secret_service
def test_the_password_is_in_the_real_keyring_only(real_service: KeyService, home: Path) -> None:
    svc = RevocationService(real_service)
    stored = svc.create_connection(CONN, Secret(b"real-pw-xyz"))
    assert stored.secret_id in secret_service_usernames()
    assert "real-pw-xyz" not in Index(home).path.read_text()
    assert svc.for_service("shop").name == "shop-redis"
    svc.delete_connection("shop-redis")
    assert stored.secret_id not in secret_service_usernames()
