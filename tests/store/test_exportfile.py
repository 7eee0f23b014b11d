"""Exported files: 0600 whatever the umask, atomic, never over a symlink; a secret never into a
git work tree unless git ignores the path; public material anywhere."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from jwtdesk.core.errors import Fix, InGitTree, InvalidInput
from jwtdesk.store.exportfile import check_not_tracked, write_export

GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


@pytest.fixture
def umask_000() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_is_0600_even_with_umask_000(tmp_path: Path, umask_000: None) -> None:
    target = tmp_path / "app.env"
    write_export(target, b"JWT_SECRET_CURRENT=x\n")
    assert mode(target) == 0o600
    assert target.read_bytes() == b"JWT_SECRET_CURRENT=x\n"


def test_replacing_a_wide_file_narrows_it_to_0600(tmp_path: Path, umask_000: None) -> None:
    target = tmp_path / "app.env"
    target.write_text("OLD=1\n")
    target.chmod(0o644)
    write_export(target, b"NEW=2\n")
    assert mode(target) == 0o600
    assert target.read_text() == "NEW=2\n"


def test_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    real = tmp_path / "real.env"
    real.write_text("KEEP=1\n")
    link = tmp_path / "link.env"
    link.symlink_to(real)
    with pytest.raises(InvalidInput, match="symbolic link"):
        write_export(link, b"NEW=2\n")
    assert real.read_text() == "KEEP=1\n"
    assert link.is_symlink()


def test_dangling_symlink_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "link.env"
    link.symlink_to(tmp_path / "nowhere.env")
    with pytest.raises(InvalidInput, match="symbolic link"):
        write_export(link, b"NEW=2\n")
    assert not (tmp_path / "nowhere.env").exists()


def test_missing_directory_and_directory_target(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        write_export(tmp_path / "no" / "app.env", b"X=1\n")
    (tmp_path / "dir.env").mkdir()
    with pytest.raises(InvalidInput, match="not a regular file"):
        write_export(tmp_path / "dir.env", b"X=1\n")


CRASH = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    import jwtdesk.store.index as index

    real_fsync = os.fsync
    def die(fd):  # the data is in the temp file; the rename has not happened
        os._exit(9)
    index.os.fsync = die
    from jwtdesk.store.exportfile import write_export
    write_export(Path(sys.argv[1]), b"NEW=" + b"x" * 100000 + b"\\n")
    """
)


def test_crash_mid_write_leaves_the_old_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "app.env"
    target.write_text("OLD=1\n")
    proc = subprocess.run([sys.executable, "-c", CRASH, str(target)], check=False)
    assert proc.returncode == 9
    assert target.read_text() == "OLD=1\n"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "app.env"]
    assert all(name.startswith(".app.env.") and name.endswith(".tmp") for name in leftovers)


def git(repo: Path, *args: str) -> None:
    assert GIT is not None
    subprocess.run([GIT, "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q")
    (path / ".gitignore").write_text("*.env\nsecrets/\n")
    (path / "sub").mkdir()
    return path


@needs_git
def test_refused_inside_a_git_tree_when_not_ignored(repo: Path) -> None:
    target = repo / "sub" / "config.txt"
    with pytest.raises(InGitTree, match=r"git does not ignore it") as caught:
        write_export(target, b"X=1\n")
    assert caught.value.fix is Fix.ALLOW_IN_GIT  # the CLI says --force, the GUI its checkbox
    assert not target.exists()
    assert caught.value.path == str(target) and "--force" not in str(caught.value)


@needs_git
def test_public_material_needs_no_ignore_rule(repo: Path) -> None:
    target = repo / "sub" / "jwks.json"
    write_export(target, b'{"keys": []}\n', secret=False)
    assert target.read_bytes() == b'{"keys": []}\n' and mode(target) == 0o600


@needs_git
def test_allowed_when_git_ignores_the_path(repo: Path) -> None:
    write_export(repo / "sub" / "app.env", b"X=1\n")
    (repo / "secrets").mkdir()
    write_export(repo / "secrets" / "keys.txt", b"X=1\n")
    assert (repo / "sub" / "app.env").read_bytes() == b"X=1\n"


@needs_git
def test_a_tracked_file_is_refused_even_if_a_pattern_matches(repo: Path) -> None:
    tracked = repo / "tracked.env"
    tracked.write_text("OLD=1\n")
    git(repo, "add", "-f", "tracked.env")
    with pytest.raises(InvalidInput, match="git does not ignore it"):
        check_not_tracked(tracked)
    assert tracked.read_text() == "OLD=1\n"


@needs_git
def test_force_writes_inside_a_git_tree(repo: Path) -> None:
    target = repo / "config.txt"
    write_export(target, b"X=1\n", force=True)
    assert mode(target) == 0o600


def test_without_git_inside_a_work_tree_it_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(InvalidInput, match="git is not installed"):
        check_not_tracked(tmp_path / "app.env")


def test_outside_any_git_tree_no_git_is_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    check_not_tracked(tmp_path / "app.env")  # no .git above tmp_path: nothing to check
