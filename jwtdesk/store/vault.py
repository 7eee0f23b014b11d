"""Secret material in the OS keyring, through ``keyring`` (service ``jwtdesk``).

Each key version's secret is stored under username = the version id. Values are base64 text.
Backends with a small value limit (Windows Credential Manager: 2,560 bytes, stored as UTF-16)
get the value in numbered chunks, written before a manifest that names their count and digest,
so a crash leaves orphan chunks but never a manifest pointing at missing ones.

jwtdesk honours keyring's own configuration (``PYTHON_KEYRING_BACKEND``, keyringrc.cfg) and
refuses to run on a backend that would not keep a secret (fail, null, plaintext files).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from jwtdesk.core.errors import KeyringLocked, KeyringUnavailable, SecretMissing, StoreCorrupt
from jwtdesk.core.secret import Secret

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "jwtdesk"
_PREFIX = "jwtdesk:1:"
# Backends known to hold values far larger than any key jwtdesk makes.
_UNLIMITED = {
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.libsecret.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
    "keyring.backends.macOS.Keyring",
}
# Every other backend gets chunks this long: 1,000 ASCII characters are 2,000 bytes as UTF-16,
# under Windows' 2,560-byte credential blob limit with room to spare.
CHUNK_CHARS = 1000
_FIX = (
    "install and unlock a Secret Service (GNOME Keyring, KWallet, KeePassXC) or choose a "
    "backend with PYTHON_KEYRING_BACKEND; jwtdesk never stores keys in plaintext"
)
T = TypeVar("T")


def _qualname(obj: object) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__name__}"


def _refused(backend: object) -> str | None:
    name = _qualname(backend)
    if name == "keyring.backends.fail.Keyring":
        return "no usable OS keyring backend was found"
    if name == "keyring.backends.null.Keyring":
        return "the keyring backend is the null backend, which keeps nothing"
    if "plaintext" in name.lower() or name.startswith("keyrings.alt.file."):
        return f"the keyring backend {name} stores secrets in a plain file"
    for inner in getattr(backend, "backends", ()):
        reason = _refused(inner)
        if reason:
            return reason
    return None


class Vault:
    """Reads and writes secrets; every failure is a one-line :class:`KeyringUnavailable`."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend

    @property
    def backend(self) -> KeyringBackend:
        if self._backend is None:
            import keyring  # deferred: importing keyring scans entry points (~50 ms)

            self._backend = keyring.get_keyring()
        return self._backend

    @property
    def backend_name(self) -> str:
        return _qualname(self.backend)

    @property
    def chunk_chars(self) -> int | None:
        # keyring's ChainerBackend writes to the first of its backends that accepts a value:
        # whole values only if every one of them takes large values.
        chain = getattr(self.backend, "backends", None) or [self.backend]
        return None if all(_qualname(b) in _UNLIMITED for b in chain) else CHUNK_CHARS

    def check(self) -> None:
        """Fail early, before any change, if secrets cannot be stored and read back."""
        self._refuse()
        # A read of a name that never exists: unlocks or fails on a locked collection.
        self._call(self.backend.get_password, SERVICE, "jwtdesk-probe")

    def _refuse(self) -> None:
        reason = _refused(self.backend)
        if reason:
            raise KeyringUnavailable(f"{reason}: {_FIX}")

    def put(self, vid: str, secret: Secret) -> None:
        # No probe read here: callers ran check() before changing anything, and a locked
        # collection fails the write itself with the same message.
        self._refuse()
        text = base64.b64encode(secret.reveal()).decode("ascii")
        limit = self.chunk_chars
        if limit is None or len(text) + len(_PREFIX) + 2 <= limit:
            self._set(vid, f"{_PREFIX}i:{text}")
            return
        parts = [text[i : i + limit] for i in range(0, len(text), limit)]
        for n, part in enumerate(parts):
            self._set(f"{vid}/{n}", part)
        self._set(vid, f"{_PREFIX}c:{len(parts)}:{_digest(text)}")

    def get(self, vid: str) -> Secret:
        head = self._call(self.backend.get_password, SERVICE, vid)
        if head is None:
            raise SecretMissing(
                f"the secret of key version {vid} is not in the OS keyring; "
                "run `jwtdesk doctor` to see what is missing"
            )
        return Secret(base64.b64decode(self._join(vid, head), validate=True))

    def exists(self, vid: str) -> bool:
        return self._call(self.backend.get_password, SERVICE, vid) is not None

    def delete(self, vid: str) -> bool:
        """Remove a secret and its chunks; False if there was nothing to remove."""
        head = self._call(self.backend.get_password, SERVICE, vid)
        if head is None:
            return False
        count = _chunk_count(head)
        self._del(vid)
        for n in range(count):
            self._del(f"{vid}/{n}")
        return True

    def _join(self, vid: str, head: str) -> str:
        if head.startswith(f"{_PREFIX}i:"):
            return head[len(_PREFIX) + 2 :]
        count = _chunk_count(head)
        parts = []
        for n in range(count):
            part = self._call(self.backend.get_password, SERVICE, f"{vid}/{n}")
            if part is None:
                raise SecretMissing(f"chunk {n} of the secret of {vid} is missing from the keyring")
            parts.append(part)
        text = "".join(parts)
        if not hmac.compare_digest(_digest(text), head.rsplit(":", 1)[1]):
            raise StoreCorrupt(f"the chunks of the secret of {vid} do not match their manifest")
        return text

    def _set(self, username: str, value: str) -> None:
        self._call(self.backend.set_password, SERVICE, username, value)

    def _del(self, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        try:
            self.backend.delete_password(SERVICE, username)
        except PasswordDeleteError:
            pass  # already gone
        except Exception as exc:
            raise _translate(exc, self.backend_name) from None

    def _call(self, fn: Callable[..., T], *args: str) -> T:
        try:
            return fn(*args)
        except Exception as exc:
            # Foreign code: keyring, secretstorage, D-Bus. Translate, and never chain the
            # original, whose arguments may include the value being stored.
            raise _translate(exc, self.backend_name) from None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _chunk_count(head: str) -> int:
    if head.startswith(f"{_PREFIX}i:"):
        return 0
    fields = head.split(":")
    if head.startswith(f"{_PREFIX}c:") and len(fields) == 5 and fields[3].isdigit():
        return int(fields[3])
    raise StoreCorrupt("a jwtdesk entry in the OS keyring is not in a format jwtdesk wrote")


def _translate(exc: Exception, backend: str) -> KeyringUnavailable:
    kind = type(exc).__name__
    if kind == "KeyringLocked":
        return KeyringLocked(
            "the OS keyring is locked: unlock it (log in to the desktop session or open your "
            "keyring manager) and try again; nothing was changed"
        )
    if kind == "NoKeyringError":
        return KeyringUnavailable(f"no usable OS keyring backend was found: {_FIX}")
    return KeyringUnavailable(
        f"the OS keyring ({backend}) failed with {kind}; check that it is running and unlocked"
    )
