"""One exception family. Each message is for people: what is wrong and what to do.

A message never contains secret material; callers pass names, kids and paths, never values.
Any exception outside this family that reaches the CLI or GUI is a bug.

The kind of an error is its class; what to do about it, when the fix is a choice the user makes
in a front end (an option, a field), is data: a :class:`Fix`. The message then says only what is
wrong, and each front end words the fix in its own terms (``jwtdesk.cli.fixes`` names flags,
``jwtdesk.gui.models.error_text`` names buttons and fields). Core never names a CLI flag.
"""

from __future__ import annotations

from enum import Enum


class Fix(Enum):
    """What the user can do about an error, independent of the front end."""

    CUSTOM_PRESET = "custom-preset"  # the custom preset accepts any lifetime
    GIVE_HMAC_KEY = "give-hmac-key"  # a raw HMAC secret is given as one (or as an oct JWK)
    NAME_ALG = "name-alg"  # say which algorithm the key is for
    HMAC_ALG = "hmac-alg"  # an HMAC secret needs HS256/384/512 (or import the private key)
    MULTILINE_BASE64 = "multiline-base64"  # write line-broken values as NAME_B64, or another format
    ALLOW_WEAK = "allow-weak"  # generate a new key, or import the weak secret anyway
    GIVE_TTL = "give-ttl"  # a blacklist entry of a token without exp needs an explicit TTL
    ALLOW_IN_GIT = "allow-in-git"  # git-ignore the file, write elsewhere, or allow it anyway
    OTHER_OUT_DIR = "other-out-dir"  # git-ignore the response folder or choose another one
    PRIVATE_JWK = "private-jwk"  # a secret that is not text travels as a private JWK instead
    CONNECTION_CREDENTIALS = "connection-credentials"  # Redis refused the stored credentials
    CONNECTION_TIMEOUT = "connection-timeout"  # a Redis connection's timeout is too short
    ADD_CONNECTION = "add-connection"  # no Redis connection serves the service yet
    CHOOSE_CONNECTION = "choose-connection"  # several Redis connections serve the service
    REMAP_VARIABLE = "remap-variable"  # a profile variable names a keyset that is gone


class JwtdeskError(Exception):
    """Base of every error jwtdesk reports to a user. ``fix``, when given, is the remedy the
    front end words (the message then does not say it)."""

    exit_code = 1

    def __init__(self, message: str, *, fix: Fix | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

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
    anyway) travels as data: :attr:`Fix.ALLOW_IN_GIT` (the CLI's ``--force``, the GUI's
    checkbox), or :attr:`Fix.OTHER_OUT_DIR` where nothing may allow it (emergency response)."""

    def __init__(self, reason: str, path: str, fix: Fix = Fix.ALLOW_IN_GIT) -> None:
        super().__init__(reason, fix=fix)
        self.reason = reason
        self.path = path
