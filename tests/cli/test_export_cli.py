"""`jwtdesk profiles`, `export env|jwks|pem|jwk|check` end to end, on the real Secret Service."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from jwtdesk.cli import main
from jwtdesk.core import envfile
from jwtdesk.services import KeyService

pytestmark = pytest.mark.secret_service


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def keys(real_service: KeyService, capsys: pytest.CaptureFixture[str]) -> KeyService:
    for name, alg in (("api", "HS256"), ("api-refresh", "HS512"), ("sig", "ES256")):
        assert run(capsys, "keys", "new", name, "--alg", alg)[0] == 0
    code, out, err = run(
        capsys,
        "profiles",
        "new",
        "prod",
        "--access",
        "api",
        "--refresh",
        "api-refresh",
        "--issuer",
        "https://auth.example",
    )
    assert code == 0, err
    assert "JWT_SECRET_CURRENT" in out
    return real_service


def secret(keys: KeyService, name: str) -> str:
    return keys.secret(name)[1].reveal().decode("ascii")


def test_profiles_list_show_set_unset_delete(
    keys: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "profiles", "list", "--json")
    assert [p["name"] for p in json.loads(out)["profiles"]] == ["prod"]
    assert run(capsys, "profiles", "set", "prod", "JWT_KID", "api:kid")[0] == 0
    assert run(capsys, "profiles", "unset", "prod", "JWT_ISSUER")[0] == 0
    assert run(capsys, "profiles", "format", "prod", "shell")[0] == 0
    code, out, _ = run(capsys, "profiles", "show", "prod", "--json")
    doc = json.loads(out)
    assert doc["format"] == "shell"
    now = {row["var"]: row for row in doc["export_now"]}
    assert now["JWT_SECRET_PREVIOUS"]["written"] is False
    assert "JWT_ISSUER" not in now and now["JWT_KID"]["written"] is True
    code, out, _ = run(capsys, "profiles", "show", "prod")
    assert "omitted: api has no previous key" in out and secret(keys, "api") not in out
    code, _, err = run(capsys, "profiles", "set", "prod", "1BAD", "api:current")
    assert code == 1 and "not an environment variable name" in err
    code, _, err = run(capsys, "profiles", "set", "prod", "X", "api:everything")
    assert code == 1 and "not a key source" in err
    assert run(capsys, "profiles", "delete", "prod")[0] == 0
    code, _, err = run(capsys, "profiles", "show", "prod")
    assert code == 1 and "no profile named 'prod'" in err


def test_export_env_previews_masked_by_default(
    keys: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "export", "env", "prod")
    assert code == 0
    assert envfile.MASK in out and secret(keys, "api") not in out + err
    assert "preview" in err and "omitted JWT_SECRET_PREVIOUS" in err


def test_export_env_to_a_file_and_to_a_pipe(
    keys: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "prod.env"
    code, out, err = run(capsys, "export", "env", "prod", "-o", str(target))
    assert code == 0, err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert secret(keys, "api") not in out + err
    values = envfile.parse(target.read_text())
    assert values["JWT_SECRET_CURRENT"] == secret(keys, "api")
    assert values["REFRESH_TOKEN_SECRET"] == secret(keys, "api-refresh")
    code, out, _ = run(capsys, "export", "env", "prod", "-o", "-", "-f", "json")
    assert code == 0 and json.loads(out)["JWT_SECRET_CURRENT"] == secret(keys, "api")


def test_export_env_through_bash(keys: KeyService, tmp_path: Path, home: Path) -> None:
    target = tmp_path / "prod.sh"
    env = {**os.environ, "JWTDESK_HOME": str(home)}
    cmd = [sys.executable, "-m", "jwtdesk", "export", "env", "prod", "-f", "shell", "-o", "-"]
    text = subprocess.run(cmd, env=env, capture_output=True, check=True, text=True).stdout
    target.write_text(text)
    got = subprocess.run(
        ["bash", "-c", f'set -a; . "{target}"; printf %s "$JWT_SECRET_CURRENT"'],
        capture_output=True,
        check=True,
        text=True,
        env={"PATH": os.environ["PATH"]},
    ).stdout
    assert got == secret(keys, "api")


def test_refusals_say_what_to_do(
    keys: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    link = tmp_path / "link.env"
    link.symlink_to(tmp_path / "real.env")
    code, _, err = run(capsys, "export", "env", "prod", "-o", str(link))
    assert code == 1 and "symbolic link" in err and not (tmp_path / "real.env").exists()
    code, _, err = run(capsys, "export", "pem", "sig", "--private")
    assert code == 2 and "-o FILE" in err
    code, _, err = run(capsys, "export", "jwks", "api")
    assert code == 1 and "never published" in err
    code, _, err = run(capsys, "export", "env", "nope")
    assert code == 1 and "no profile named" in err


def test_export_public_material(keys: KeyService, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "export", "jwks", "sig")
    (jwk,) = json.loads(out)["keys"]
    assert jwk["kid"] == keys.get("sig").current.kid  # type: ignore[union-attr]
    code, out, _ = run(capsys, "export", "pem", "sig")
    assert code == 0 and out.startswith("-----BEGIN PUBLIC KEY-----")
    code, out, _ = run(capsys, "export", "jwk", "sig", "--private", "-o", "-")
    assert code == 0 and "d" in json.loads(out)


def test_export_check_exit_codes(
    keys: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "prod.env"
    assert run(capsys, "export", "env", "prod", "-o", str(target))[0] == 0
    code, out, _ = run(capsys, "export", "check", str(target), "--profile", "prod")
    assert code == 0 and "in sync" in out
    assert run(capsys, "keys", "rotate", "api")[0] == 0
    code, out, _ = run(capsys, "export", "check", str(target), "--profile", "prod", "--json")
    assert code == 3
    rows = {r["name"]: r["status"] for r in json.loads(out)["rows"]}
    assert rows["JWT_SECRET_CURRENT"] == "stale"
    assert rows["JWT_SECRET_PREVIOUS"] == "missing"
    assert secret(keys, "api") not in out
    bad = tmp_path / "bad.env"
    bad.write_text("this is not an env file\n")
    code, _, err = run(capsys, "export", "check", str(bad))
    assert code == 1 and err.count("\n") == 1


def test_the_cli_offers_exactly_the_formats_envfile_writes() -> None:
    from jwtdesk.cli.actions import EXPORT_FORMATS

    assert tuple(f.value for f in envfile.Format) == EXPORT_FORMATS


def test_a_jwks_without_the_new_current_key_is_drift(
    keys: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Services reading an old JWKS reject every token signed since the rotation: the file,
    and a profile variable holding the JWKS, both report it (exit 3), never "match"."""
    jwks = tmp_path / "jwks.json"
    assert run(capsys, "export", "jwks", "sig", "-o", str(jwks))[0] == 0
    assert run(capsys, "profiles", "set", "prod", "JWT_JWKS", "sig:jwks")[0] == 0
    env = tmp_path / "prod.env"
    assert run(capsys, "export", "env", "prod", "-o", str(env))[0] == 0
    for path in (jwks, env):
        code, out, _ = run(capsys, "export", "check", str(path), "--profile", "prod")
        assert code == 0 and "in sync" in out
    assert run(capsys, "keys", "rotate", "sig")[0] == 0
    new = keys.get("sig").current.kid  # type: ignore[union-attr]

    code, out, _ = run(capsys, "export", "check", str(jwks), "--json")
    rows = json.loads(out)["rows"]
    assert code == 3 and not json.loads(out)["clean"]
    assert {(r["kid"], r["status"], r["state"]) for r in rows} >= {(new, "missing", "current")}

    code, out, _ = run(capsys, "export", "check", str(env), "--profile", "prod", "--json")
    row = {r["name"]: r for r in json.loads(out)["rows"]}["JWT_JWKS"]
    assert code == 3 and row["status"] == "stale" and row["kid"] == new
    assert "lacks the current key" in row["detail"]
    code, out, _ = run(capsys, "export", "check", str(env), "--profile", "prod")
    assert code == 3 and "DRIFT" in out and "lacks the current key" in out


def test_an_empty_jwks_is_not_in_sync(
    keys: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "jwks.json"
    empty.write_text('{"keys": []}\n')
    code, out, _ = run(capsys, "export", "check", str(empty))
    assert code == 3 and "publishes no key" in out


def git_repo(path: Path) -> Path:
    path.mkdir()
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


def test_jwks_and_public_pem_into_a_git_tree_need_no_force(
    keys: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Public material is meant to be published: a repository is a fine place for it."""
    repo = git_repo(tmp_path / "repo")
    code, _, err = run(capsys, "export", "jwks", "sig", "-o", str(repo / "jwks.json"))
    assert code == 0, err
    (jwk,) = json.loads((repo / "jwks.json").read_text())["keys"]
    assert jwk["kid"] == keys.get("sig").current.kid  # type: ignore[union-attr]
    code, out, _ = run(capsys, "export", "jwks", "sig")
    assert (repo / "jwks.json").read_text() == out  # the file holds what is printed
    code, _, err = run(capsys, "export", "pem", "sig", "-o", str(repo / "sig.pem"))
    assert code == 0, err
    assert (repo / "sig.pem").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    code, _, err = run(capsys, "export", "jwk", "sig", "-o", str(repo / "sig.jwk"))
    assert code == 0, err


@pytest.mark.parametrize(
    "argv",
    [
        ("env", "prod"),
        ("pem", "sig", "--private"),
        ("jwk", "sig", "--private"),
        ("jwk", "api", "--private"),
    ],
)
def test_a_secret_into_a_git_tree_is_refused_and_the_advised_force_works(
    keys: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: tuple[str, ...]
) -> None:
    repo = git_repo(tmp_path / "repo")
    target = repo / "out.secret"
    code, out, err = run(capsys, "export", *argv, "-o", str(target))
    assert code == 1 and not target.exists() and out == ""
    assert err.count("\n") == 1 and "git does not ignore it" in err and "--force" in err
    code, _, err = run(capsys, "export", *argv, "-o", str(target), "--force")  # the advice
    assert code == 0, err
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    (repo / ".gitignore").write_text("*.secret\n")  # ignored: no --force needed
    target.unlink()
    code, _, err = run(capsys, "export", *argv, "-o", str(target))
    assert code == 0, err
