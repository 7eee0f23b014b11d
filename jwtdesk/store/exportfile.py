"""Writing exported files the user asked for: atomic, mode 0600, never over a symlink, never
into a git work tree unless git ignores the path there.

Secret managers that export env files often write them 0644 in place; a crash then leaves
half a file, and a file in a repository is one `git add .` from a leak. Here the data goes
to a temp file created 0600 (whatever the umask) in the same directory, is fsynced and renamed
over the target, so readers see the old file or the new one, never a mix.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

from jwtdesk.core.errors import Fix, InvalidInput, JwtdeskError
from jwtdesk.store.index import atomic_write

GIT_TIMEOUT_S = 10


def write_export(path: Path, data: bytes, *, force: bool = False) -> Path:
    """Write ``data`` to ``path`` (0600, atomic); return the resolved path written."""
    _refuse_symlink(path)
    parent = path.parent if str(path.parent) else Path()
    if not parent.is_dir():
        raise InvalidInput(f"the directory {parent} does not exist; create it first")
    if path.exists() and not path.is_file():
        raise InvalidInput(f"{path} exists and is not a regular file; choose another path")
    if not force:
        check_not_tracked(path)
    try:
        atomic_write(path, data, mode=0o600)
    except OSError as exc:
        raise JwtdeskError(f"cannot write {path}: {exc.strerror}") from None
    return path


def _refuse_symlink(path: Path) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InvalidInput(f"cannot check {path}: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        raise InvalidInput(
            f"{path} is a symbolic link; jwtdesk does not write through links. "
            "Give the real path, or remove the link"
        )


def git_root(directory: Path) -> Path | None:
    """The work tree containing ``directory`` (found by its ``.git``), or None."""
    here = directory.resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def check_not_tracked(path: Path) -> None:
    """Refuse a path inside a git work tree unless `git check-ignore` says git ignores it.
    A tracked file is never ignored (check-ignore consults the index), so it is refused too."""
    parent = path.parent if str(path.parent) else Path()
    root = git_root(parent)
    if root is None:
        return
    allow = Fix.ALLOW_IN_GIT  # each front end words it: --force, or the GUI's checkbox
    git = shutil.which("git")
    if git is None:
        raise InvalidInput(
            f"{path} is inside the git work tree {root} and git is not installed to check "
            "that it is ignored",
            fix=allow,
        )
    target = parent.resolve() / path.name
    try:
        result = subprocess.run(  # fixed argv, no shell
            [git, "-C", str(root), "check-ignore", "-q", "--", str(target)],
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        raise InvalidInput(f"cannot run git to check {path} is ignored", fix=allow) from None
    if result.returncode == 0:
        return  # ignored
    if result.returncode == 1:
        raise InvalidInput(
            f"{path} is inside the git work tree {root} and git does not ignore it; "
            "a secret there is one commit from a leak",
            fix=allow,
        )
    raise InvalidInput(f"git could not tell whether {path} is ignored", fix=allow)
