"""Use cases shared by the CLI and the GUI; they compose ``core`` and ``store``.

The key service's names are imported on first use (module ``__getattr__``): `audit token`
imports ``jwtdesk.services.audit``, and with it this package, and must not pay for the
key service, the index and the Redis connections at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from jwtdesk.services.keys import DoctorReport, Finding, KeyService, utcnow
    from jwtdesk.store.vault import Vault

__all__ = ["DoctorReport", "Finding", "KeyService", "default_key_service", "utcnow"]

_FROM_KEYS = frozenset({"DoctorReport", "Finding", "KeyService", "utcnow"})


def __getattr__(name: str) -> object:
    if name in _FROM_KEYS:
        from jwtdesk.services import keys

        return getattr(keys, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _system_vault() -> Vault:
    from jwtdesk.store.vault import Vault  # deferred: keyring is imported only when needed

    return Vault()


def default_key_service(home: Path | None = None) -> KeyService:
    """The KeyService over the user's real index and keyring (keyring's own configuration)."""
    from jwtdesk.services.keys import KeyService
    from jwtdesk.store.index import Index

    return KeyService(Index(home), _system_vault)
