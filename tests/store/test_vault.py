"""The vault against the real Secret Service, and its chunking against a size-limited backend."""

from __future__ import annotations

import secrets

import pytest

from jwtdesk.core.errors import KeyringLocked, KeyringUnavailable, SecretMissing, StoreCorrupt
from jwtdesk.core.secret import Secret
from jwtdesk.store.vault import SERVICE, Vault
from tests.keyrings import WINDOWS_BLOB_LIMIT, LimitedKeyring, MemoryKeyring


def new_id() -> str:
    return "kv-test-" + secrets.token_hex(6)


@pytest.mark.parametrize("size", [0, 32, 64, 2400, 5000])
def test_round_trip_in_the_real_secret_service(secret_service: object, size: int) -> None:
    vault = Vault()
    assert vault.backend_name == "keyring.backends.SecretService.Keyring"
    vid, value = new_id(), secrets.token_bytes(size)
    vault.put(vid, Secret(value))
    assert vault.get(vid).reveal() == value
    assert vault.exists(vid)
    assert vault.delete(vid)
    assert not vault.exists(vid)
    assert not vault.delete(vid)
    with pytest.raises(SecretMissing, match="jwtdesk doctor"):
        vault.get(vid)


def test_secret_service_stores_large_values_whole(secret_service: object) -> None:
    import keyring

    vault, vid = Vault(), new_id()
    vault.put(vid, Secret(secrets.token_bytes(3000)))
    assert keyring.get_password(SERVICE, f"{vid}/0") is None
    vault.delete(vid)


def test_limited_backend_gets_chunks_under_its_limit() -> None:
    backend = LimitedKeyring()
    vault = Vault(backend)
    assert vault.chunk_chars is not None
    vid = new_id()
    value = secrets.token_bytes(3300)  # larger than an RSA-4096 PKCS#8 key
    vault.put(vid, Secret(value))
    assert backend.largest <= WINDOWS_BLOB_LIMIT
    assert sum(1 for (_, user) in backend.store if user.startswith(vid + "/")) >= 4
    assert vault.get(vid).reveal() == value
    assert vault.delete(vid)
    assert backend.store == {}


def test_limited_backend_refuses_unchunked_values() -> None:
    # The test backend really enforces the limit: an unchunked write fails.
    from keyring.errors import PasswordSetError

    with pytest.raises(PasswordSetError):
        LimitedKeyring().set_password(SERVICE, "x", "a" * 2000)


def test_missing_or_tampered_chunks_are_detected() -> None:
    backend = LimitedKeyring()
    vault, vid = Vault(backend), new_id()
    vault.put(vid, Secret(secrets.token_bytes(3000)))
    backend.store[(SERVICE, f"{vid}/1")] = backend.store[(SERVICE, f"{vid}/1")][::-1]
    with pytest.raises(StoreCorrupt, match="do not match"):
        vault.get(vid)
    del backend.store[(SERVICE, f"{vid}/2")]
    with pytest.raises(SecretMissing, match="chunk 2"):
        vault.get(vid)


def test_foreign_entry_is_reported_not_decoded() -> None:
    backend = MemoryKeyring()
    backend.store[(SERVICE, "kv-x")] = "hello"
    with pytest.raises(StoreCorrupt, match="not in a format jwtdesk wrote"):
        Vault(backend).get("kv-x")


@pytest.mark.parametrize(
    ("backend", "reason"),
    [
        ("keyring.backends.null.Keyring", "null backend"),
        ("keyring.backends.fail.Keyring", "no usable OS keyring"),
    ],
)
def test_unusable_backends_are_refused(
    backend: str, reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", backend)
    vault = Vault(keyring.core.load_env())
    with pytest.raises(KeyringUnavailable, match=reason) as info:
        vault.put(new_id(), Secret(b"x" * 32))
    assert "PYTHON_KEYRING_BACKEND" in str(info.value)


def test_plaintext_backend_is_refused() -> None:
    class PlaintextKeyring(MemoryKeyring):
        pass

    with pytest.raises(KeyringUnavailable, match="plain file"):
        Vault(PlaintextKeyring()).check()


def test_backend_errors_never_carry_the_value() -> None:
    class Exploding(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise RuntimeError(f"cannot store {password}")

    value = secrets.token_bytes(32)
    with pytest.raises(KeyringUnavailable) as info:
        Vault(Exploding()).put(new_id(), Secret(value))
    assert info.value.__cause__ is None and info.value.__context__ is not None
    import base64

    assert base64.b64encode(value).decode() not in str(info.value)
    assert "RuntimeError" in str(info.value)


def test_a_locked_keyring_is_its_own_error() -> None:
    from keyring.errors import KeyringLocked as Locked

    class LockedRing(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise Locked("collection is locked")

    with pytest.raises(KeyringLocked) as info:
        Vault(LockedRing()).check()
    assert isinstance(info.value, KeyringUnavailable)  # callers catching the family still do
    assert "unlock it" in str(info.value)
    with pytest.raises(KeyringUnavailable) as other:
        Vault(Exploding()).check()
    assert not isinstance(other.value, KeyringLocked)


class Exploding(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("backend failure")


def test_chained_backends_chunk_unless_all_are_unlimited(secret_service: object) -> None:
    class Chain(MemoryKeyring):
        def __init__(self, *inner: object) -> None:
            super().__init__()
            self.backends = list(inner)

    assert Vault(Chain(secret_service)).chunk_chars is None
    assert Vault(Chain(secret_service, LimitedKeyring())).chunk_chars is not None
