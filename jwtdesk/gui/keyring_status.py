"""The keyring's backend and state, probed in the TaskRunner after the window is shown.

Start-up reads no keyring (the start-up benchmark counts reads): the probe is the first call,
and it also imports ``cryptography`` off the GUI thread so the first selection in Keys does
not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from jwtdesk.core.errors import JwtdeskError, KeyringLocked

if TYPE_CHECKING:
    from jwtdesk.services import KeyService


class KeyringStatus(NamedTuple):
    backend: str  # "keyring.backends.SecretService.Keyring", or "" if unknown
    state: str  # "unlocked" | "locked" | "unavailable" | "checking"
    message: str = ""  # for locked / unavailable: what is wrong and the fix

    @property
    def short_backend(self) -> str:
        parts = self.backend.split(".")
        if len(parts) >= 2 and parts[-1] == "Keyring":
            return parts[-2]
        return parts[-1] if self.backend else "keyring"

    @property
    def ok(self) -> bool:
        return self.state == "unlocked"


CHECKING = KeyringStatus("", "checking")


def probe(keys: KeyService) -> KeyringStatus:
    """Worker side: which backend keyring chose, and whether it answers (one keyring read)."""
    import jwtdesk.core.keys  # noqa: F401 - warm-up import, off the GUI thread

    try:
        backend = keys.keyring_backend()
        keys.check_keyring()
    except JwtdeskError as exc:
        name = _safe_name(keys)
        state = "locked" if isinstance(exc, KeyringLocked) else "unavailable"
        return KeyringStatus(name, state, str(exc))
    return KeyringStatus(backend, "unlocked")


def _safe_name(keys: KeyService) -> str:
    try:
        return keys.keyring_backend()
    except Exception:  # only a label; the error itself is reported
        return ""
