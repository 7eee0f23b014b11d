"""Use cases shared by the CLI and the GUI; they compose ``core`` and ``store``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from jwtdesk.services.keys import DoctorReport, Finding, KeyService, utcnow
from jwtdesk.store.index import Index

if TYPE_CHECKING:
    from jwtdesk.store.vault import Vault

__all__ = ["DoctorReport", "Finding", "KeyService", "default_key_service", "utcnow"]


def _system_vault() -> Vault:
    from jwtdesk.store.vault import Vault  # deferred: keyring is imported only when needed

    return Vault()


def default_key_service(home: Path | None = None) -> KeyService:
    """The KeyService over the user's real index and keyring (keyring's own configuration)."""
    return KeyService(Index(home), _system_vault)
