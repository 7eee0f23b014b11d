"""Leak scan against the real keyring and real git repositories."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

import pytest

from jwtdesk.core import leakscan
from jwtdesk.core.keys import private_jwk_members, private_pem
from jwtdesk.services import KeyService
from jwtdesk.services.importing import ImportOptions, import_file
from jwtdesk.services.scan import scan

pytestmark = pytest.mark.secret_service

ODD = 'p4ss"w/rd\\with$pecial chars 0123456789 and more'


def git(repo: Path, *args: str, date: str = "2021-02-03T04:05:06+00:00") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }
    out = subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True)
    return out.stdout.decode().strip()


def commit(repo: Path, files: dict[str, bytes | None], date: str) -> str:
    for name, data in files.items():
        path = repo / name
        if data is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"change at {date}", date=date)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def stored(real_service: KeyService, tmp_path: Path) -> dict[str, bytes]:
    """An HMAC key, an EC key and an imported text secret with characters JSON escapes."""
    real_service.create("api", "HS256", service="shop", environment="prod")
    real_service.create("sign", "ES256", service="shop", environment="prod")
    env = tmp_path / "import.env"
    env.write_text("ODD='" + ODD + "'\n")
    import_file(real_service, str(env), ImportOptions(variables=["ODD"], name="odd"))
    env.unlink()
    return {
        name: real_service.secret(name, action="test")[1].reveal()
        for name in ("api", "sign", "odd")
    }


def shell_dq(text: bytes) -> bytes:
    return text.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"$", b"\\$")


def leaked_files(stored: dict[str, bytes], real_service: KeyService) -> dict[str, bytes]:
    api, der = stored["api"], stored["sign"]
    from jwtdesk.core.algorithms import get
    from jwtdesk.core.secret import Secret

    pem = private_pem(Secret(der)).reveal()
    jwk = private_jwk_members(get("ES256"), Secret(der))
    odd = ODD.encode()
    return {
        "config/raw.env": b"JWT_SECRET=" + api + b"\n",
        "hex.txt": b"# key\nkey: " + api.hex().encode() + b"\n",
        "k8s.yaml": b"data:\n  JWT_SECRET: " + base64.b64encode(api) + b"\n",
        "b64url.txt": b"x\ny\n" + base64.urlsafe_b64encode(api) + b"\n",
        "key.pem": b"some notes\n" + pem,
        "jwk.json": json.dumps(jwk, indent=2).encode(),
        "odd.json": json.dumps({"a": 1, "secret": ODD}).encode(),
        "odd.sh": b'export S="'
        + odd.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"$", b"\\$")
        + b'"\n',
    }


def test_each_form_committed_then_removed_is_found_in_history_with_its_commit(
    real_service: KeyService, stored: dict[str, bytes], tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, {"README": b"hello\n"}, "2020-01-01T00:00:00+00:00")
    files = leaked_files(stored, real_service)
    bad = commit(repo, files, "2021-02-03T04:05:06+00:00")
    commit(repo, dict.fromkeys(files), "2022-03-04T00:00:00+00:00")

    now = scan(real_service, [repo], history=False)
    assert now.findings == () and now.clean  # the work tree is clean today

    result = scan(real_service, [repo], history=True)
    by_file: dict[str, set[tuple[str | None, str]]] = {}
    for f in result.findings:
        assert f.commit == bad and f.commits == (bad,)
        assert f.author_date == "2021-02-03T04:05:06+00:00"
        by_file.setdefault(Path(f.path).relative_to(repo).as_posix(), set()).add((f.keyset, f.form))
    kid = {ks.name: ks.current.kid for ks in real_service.keysets() if ks.current}
    # The private scalar d lies inside the DER, so its base64url spelling (jwk) and a base64
    # piece of the DER (pem) may coincide where the alignment matches: either may show too.
    for name in ("key.pem", "jwk.json"):
        by_file[name] -= {("sign", "jwk" if name == "key.pem" else "pem")}
    assert by_file == {
        "config/raw.env": {("api", "raw")},
        "hex.txt": {("api", "hex")},
        "k8s.yaml": {("api", "base64")},
        "b64url.txt": by_file["b64url.txt"] & {("api", "base64url"), ("api", "base64")},
        "key.pem": {("sign", "pem")},
        "jwk.json": {("sign", "jwk")},
        "odd.json": {("odd", "json")},
        "odd.sh": {("odd", "env")},
    }
    assert by_file["b64url.txt"]
    lines = {Path(f.path).name: f.line for f in result.findings}
    assert lines["raw.env"] == 1 and lines["hex.txt"] == 2 and lines["b64url.txt"] == 3
    assert lines["key.pem"] == 3  # the first body line, after the notes and BEGIN
    assert {f.version for f in result.findings if f.keyset == "api"} == {kid["api"]}
    assert result.blobs >= len(files) + 1


def test_clean_tree_and_history_report_nothing(
    real_service: KeyService, stored: dict[str, bytes], tmp_path: Path
) -> None:
    repo = tmp_path / "clean"
    repo.mkdir()
    git(repo, "init", "-q")
    other = base64.urlsafe_b64encode(os.urandom(64))
    commit(
        repo,
        {"a.env": b"JWT_SECRET=" + other + b"\n", "b.bin": os.urandom(5000)},
        "2020-01-01T00:00:00+00:00",
    )
    result = scan(real_service, [repo], history=True)
    assert result.findings == () and result.errors == () and result.clean
    assert result.files == 2 and result.blobs == 2
    twice = scan(real_service, [repo, repo / "a.env"], history=True)
    assert twice.blobs == 2 and twice.files == 3  # one history, however many paths in it


def test_binary_huge_unreadable_and_special_files_do_not_stop_the_scan(
    real_service: KeyService, stored: dict[str, bytes], tmp_path: Path
) -> None:
    api = stored["api"]
    tree = tmp_path / "tree"
    tree.mkdir()
    noise = os.urandom(3000).replace(b"\n", b"")
    (tree / "blob.bin").write_bytes(noise + b"\0\0" + api + b"\0" + noise)
    # across the boundary between two pieces of a file streamed piece by piece
    head = b"x" * 99 + b"\n"
    count = leakscan.CHUNK // len(head)
    cut = count * len(head) - 10
    huge = bytearray(head * (count + 1000))
    huge[cut : cut + len(api)] = api
    (tree / "huge.log").write_bytes(bytes(huge))
    os.mkfifo(tree / "a.fifo")
    (tree / "link").symlink_to(tree / "blob.bin")
    missing = tmp_path / "does-not-exist"
    result = scan(real_service, [missing, tree], history=True)
    found = {Path(f.path).name: f.line for f in result.findings}
    assert found == {"blob.bin": 1, "huge.log": cut // len(head) + 1}
    messages = {Path(e.path).name: e.message for e in result.errors}
    assert set(messages) == {"does-not-exist", "tree"}
    assert "cannot read" in messages["does-not-exist"]
    assert "not a git repository" in messages["tree"]
    assert not result.clean


def test_last_scan_summary_and_home_hold_no_secret(
    real_service: KeyService, stored: dict[str, bytes], tmp_path: Path, home: Path
) -> None:
    (tmp_path / "leak.env").write_bytes(b"JWT_SECRET=" + stored["api"] + b"\n")
    scan(real_service, [tmp_path / "leak.env"])
    summary = json.loads((home / "last-scan.json").read_text())
    assert summary["stored_secret_findings"] == 1 and summary["keysets"] == ["api"]
    assert (home / "last-scan.json").stat().st_mode & 0o777 == 0o600
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in stored.values():
                assert secret[:24] not in data and base64.b64encode(secret)[:24] not in data
