"""Fixtures: a private JWTDESK_HOME per test, the real Secret Service, in-memory keyrings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from jwtdesk.services import KeyService
from jwtdesk.store.index import Index
from jwtdesk.store.vault import Vault
from tests.keyrings import MemoryKeyring

SECRET_SERVICE = "keyring.backends.SecretService.Keyring"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "jwtdesk-home"
    monkeypatch.setenv("JWTDESK_HOME", str(path))
    return path


@pytest.fixture(scope="session")
def secret_service() -> object:
    """The real Secret Service that `make test` starts (gnome-keyring in a private D-Bus)."""
    import keyring

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if name != SECRET_SERVICE:
        message = f"needs a real Secret Service (got {name}); run the tests with `make test`"
        if os.environ.get("JWTDESK_REQUIRE_SECRET_SERVICE") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return backend


@pytest.fixture
def real_service(home: Path, secret_service: object) -> KeyService:
    return KeyService(Index(home), Vault)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def memory_service(home: Path, memory_keyring: MemoryKeyring) -> Iterator[KeyService]:
    yield KeyService(Index(home), lambda: Vault(memory_keyring))


# --- Redis: a real server and a real 3-master cluster for the whole session -------------


@pytest.fixture(scope="session")
def redis_single(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A password-protected redis-server on a free loopback port, stopped by pid."""
    from tests import redis_servers

    if not redis_servers.have_redis():
        pytest.skip("needs redis-server and redis-cli (make test installs them)")
    server = redis_servers.start(tmp_path_factory.mktemp("redis-single"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Three redis-server masters joined with `redis-cli --cluster create`, stopped by pid."""
    from tests import redis_servers

    if not redis_servers.have_redis():
        pytest.skip("needs redis-server and redis-cli (make test installs them)")
    cluster = redis_servers.start_cluster(tmp_path_factory.mktemp("redis-cluster"))
    yield cluster
    cluster.stop()
