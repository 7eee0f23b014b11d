"""Keyring backends for unit tests only: in memory, and one with Windows' 2,560-byte limit.

Tests that claim anything about the OS keyring use the real Secret Service instead.
"""

from __future__ import annotations

from collections import Counter

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError, PasswordSetError

# Windows Credential Manager: CRED_MAX_CREDENTIAL_BLOB_SIZE = 5 * 512 bytes, and keyring's
# Windows backend stores the value as UTF-16.
WINDOWS_BLOB_LIMIT = 2560


class MemoryKeyring(KeyringBackend):
    # Priority 0: keyring registers every backend subclass it sees; at 0 this one is never
    # chosen or chained in place of the real Secret Service.
    priority = 0  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}
        self.calls: Counter[str] = Counter()

    def get_password(self, service: str, username: str) -> str | None:
        self.calls["get"] += 1
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls["set"] += 1
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls["delete"] += 1
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class LimitedKeyring(MemoryKeyring):
    """Refuses values over 2,560 bytes of UTF-16, as Windows Credential Manager does."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0

    def set_password(self, service: str, username: str, password: str) -> None:
        size = len(password.encode("utf-16-le"))
        if size > WINDOWS_BLOB_LIMIT:
            raise PasswordSetError(f"value of {size} bytes exceeds {WINDOWS_BLOB_LIMIT}")
        self.largest = max(self.largest, size)
        super().set_password(service, username, password)


def secret_service_usernames(service: str = "jwtdesk") -> frozenset[str]:
    """Every item ``service`` holds in the real Secret Service's default collection, read with
    secretstorage directly (not through jwtdesk): to show that an action left it unchanged."""
    import secretstorage

    conn = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(conn)
        return frozenset(
            item.get_attributes()["username"]
            for item in collection.search_items({"service": service})
        )
    finally:
        conn.close()


class FileKeyring(KeyringBackend):
    """For a CLI subprocess in a GUI test: values in ``$JWTDESK_TEST_KEYRING/store.json``
    (PYTHON_KEYRING_BACKEND=tests.keyrings.FileKeyring, the repository on PYTHONPATH)."""

    priority = 0  # type: ignore[assignment]  # only when named explicitly

    def __init__(self) -> None:
        super().__init__()
        import os
        from pathlib import Path

        # keyring makes one of every backend class it knows to rank them: no variable, no file.
        self.file = Path(os.environ.get("JWTDESK_TEST_KEYRING", "/nonexistent")) / "store.json"

    def _load(self) -> dict[str, str]:
        import json

        if not self.file.exists():
            return {}
        data: dict[str, str] = json.loads(self.file.read_text())
        return data

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        import json

        data = self._load()
        data[f"{service}/{username}"] = password
        self.file.write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        import json

        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("not found")
        self.file.write_text(json.dumps(data))
