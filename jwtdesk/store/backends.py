"""Which keyring backends this install can load (``jwtdesk doctor --self-check``).

``keyring`` finds its backends through the ``keyring.backends`` entry points in its package
metadata, and imports each one. A frozen app (PyInstaller) has neither unless the spec copies
keyring's metadata and names every backend module as a hidden import: then keyring quietly
falls back to the fail backend. This check makes that visible.
"""

from __future__ import annotations

import importlib
import sys

from jwtdesk.core.selfcheck import CheckResult

# The backends keyring 25 declares for itself; a build missing one cannot serve that platform.
BACKEND_MODULES = {
    "SecretService": "keyring.backends.SecretService",
    "libsecret": "keyring.backends.libsecret",
    "KWallet": "keyring.backends.kwallet",
    "Windows": "keyring.backends.Windows",
    "macOS": "keyring.backends.macOS",
    "chainer": "keyring.backends.chainer",
}
# The backend each platform's users have (Secret Service on Linux and the BSDs).
NATIVE = {
    "win32": "keyring.backends.Windows.WinVaultKeyring",
    "darwin": "keyring.backends.macOS.Keyring",
}
NATIVE_DEFAULT = "keyring.backends.SecretService.Keyring"


def _qualname(obj: object) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__name__}"


def entry_points() -> CheckResult:
    """keyring's own metadata is there and declares every backend jwtdesk ships."""
    from importlib.metadata import entry_points as eps

    found = {ep.name for ep in eps(group="keyring.backends")}
    missing = sorted(set(BACKEND_MODULES) - found)
    if missing:
        return CheckResult(
            "keyring entry points", False, f"keyring does not declare: {', '.join(missing)}"
        )
    return CheckResult("keyring entry points", True, ", ".join(sorted(found)))


def modules() -> CheckResult:
    """Every backend module imports (a backend that is not viable here still must import)."""
    failed = []
    for name, module in BACKEND_MODULES.items():
        try:
            importlib.import_module(module)
        except ImportError as exc:
            failed.append(f"{name} ({exc.name})")
    if failed:
        return CheckResult("keyring backends", False, f"cannot import: {', '.join(failed)}")
    return CheckResult("keyring backends", True, f"{len(BACKEND_MODULES)} backend modules load")


def viable(platform: str = sys.platform) -> CheckResult:
    """``keyring.backend.get_all_keyring()`` offers this platform's native backend."""
    from keyring.backend import get_all_keyring

    names = [_qualname(b) for b in get_all_keyring()]
    native = NATIVE.get(platform, NATIVE_DEFAULT)
    shown = ", ".join(sorted(n.removeprefix("keyring.backends.") for n in names)) or "none"
    if native not in names:
        return CheckResult(
            "keyring viable", False, f"{native} is not usable here (viable: {shown})"
        )
    return CheckResult("keyring viable", True, shown)


def run() -> list[CheckResult]:
    return [entry_points(), modules(), viable()]
