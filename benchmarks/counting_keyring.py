"""A file-backed keyring backend that counts every call, for benchmarks only.

Set PYTHON_KEYRING_BACKEND=counting_keyring.CountingKeyring with benchmarks/ on PYTHONPATH and
JWTDESK_BENCH_KEYRING=<dir>: values live in <dir>/store.json, each call appends to <dir>/calls.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class CountingKeyring(KeyringBackend):
    priority = 0  # type: ignore[assignment]  # only when named explicitly

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(os.environ["JWTDESK_BENCH_KEYRING"])
        self.file = self.dir / "store.json"

    def _load(self) -> dict[str, str]:
        try:
            data: dict[str, str] = json.loads(self.file.read_text())
        except FileNotFoundError:
            return {}
        return data

    def _count(self, op: str) -> None:
        with (self.dir / "calls").open("a") as fh:
            fh.write(op + "\n")

    def get_password(self, service: str, username: str) -> str | None:
        self._count("get")
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self._count("set")
        data = self._load()
        data[f"{service}/{username}"] = password
        self.file.write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        self._count("delete")
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError(username)
        self.file.write_text(json.dumps(data))


def calls(directory: Path) -> list[str]:
    try:
        return (directory / "calls").read_text().split()
    except FileNotFoundError:
        return []
