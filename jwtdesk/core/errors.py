"""One exception family. Each message is for people: what is wrong and what to do.

A message never contains secret material; callers pass names, kids and paths, never values.
Any exception outside this family that reaches the CLI or GUI is a bug.
"""

from __future__ import annotations


class JwtdeskError(Exception):
    """Base of every error jwtdesk reports to a user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(JwtdeskError):
    """The command line itself is wrong (exit 2)."""

    exit_code = 2


class InvalidInput(JwtdeskError):
    """A name, algorithm, size, period or file the user gave cannot be used."""


class NotFound(JwtdeskError):
    """A keyset or key version that does not exist."""


class Conflict(JwtdeskError):
    """The action contradicts the current state (duplicate name, retiring the current key...)."""


class KeyringUnavailable(JwtdeskError):
    """No usable OS keyring, or it is locked. jwtdesk never falls back to plaintext."""


class KeyringLocked(KeyringUnavailable):
    """The OS keyring is there but locked: unlocking it is the fix."""


class SecretMissing(JwtdeskError):
    """The index names a key version whose secret is not in the keyring."""


class StoreCorrupt(JwtdeskError):
    """The index or another jwtdesk file cannot be read as jwtdesk wrote it."""


class Cancelled(JwtdeskError):
    """The user declined a confirmation."""


class RedisFailed(JwtdeskError):
    """A service's Redis is down, slow, refuses the credentials or holds data jwtdesk cannot
    read (revocation). The message names host:port, never a password or a token."""


class InGitTree(InvalidInput):
    """A secret export aimed inside a git work tree where git does not (or cannot be shown to)
    ignore the path. ``reason`` says which; the fix (ignore it, write elsewhere, or allow it
    anyway) is worded by each front end: ``FIX`` is the CLI's, whose flag is ``--force``."""

    FIX = "add it to .gitignore, write elsewhere, or pass --force"

    def __init__(self, reason: str, path: str, fix: str = FIX) -> None:
        super().__init__(f"{reason}; {fix}")
        self.reason = reason
        self.path = path
