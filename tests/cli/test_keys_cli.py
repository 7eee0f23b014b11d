"""`jwtdesk keys ...` and `doctor` end to end, against the real Secret Service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt
import pytest

from jwtdesk.cli import main
from jwtdesk.core.algorithms import NAMES
from jwtdesk.core.keysets import State
from jwtdesk.core.secret import Secret
from jwtdesk.services import KeyService

pytestmark = pytest.mark.secret_service


def raw(key: object) -> object:
    """What PyJWT takes: an HMAC key leaves its Secret only here, in the test."""
    return key.reveal() if isinstance(key, Secret) else key


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    doc: dict[str, object] = json.loads(out)
    return doc


def test_create_every_alg_and_list(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    for alg in NAMES:
        code, out, err = run(capsys, "keys", "new", f"k-{alg}", "--alg", alg, "--service", "shop")
        assert code == 0, err
        assert f"created k-{alg} ({alg})" in out
    listed = run_json(capsys, "keys", "list")["keysets"]
    assert isinstance(listed, list)
    assert sorted(k["alg"] for k in listed) == sorted(NAMES)
    for ks in real_service.keysets():
        # every key works: its secret is in the keyring and verifies a token it signed
        _, key = real_service.signing_key(ks.name)
        token = jwt.encode({"sub": "t"}, raw(key), algorithm=ks.alg)  # type: ignore[arg-type]
        ((_, verifier),) = real_service.verification_keys(ks.name)
        assert jwt.decode(token, raw(verifier), algorithms=[ks.alg])["sub"] == "t"  # type: ignore[arg-type]
    code, out, _ = run(capsys, "keys", "list")
    assert code == 0 and "k-RS256" in out and "RSA 3072" in out and "P-521" in out


@pytest.mark.parametrize("alg", ["HS256", "ES256"])
def test_rotate_twice_previous_still_verifies(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], alg: str
) -> None:
    assert run(capsys, "keys", "new", "api", "--alg", alg)[0] == 0
    first, key = real_service.signing_key("api")
    token = jwt.encode({"sub": "u1"}, raw(key), algorithm=alg, headers={"kid": first.kid})  # type: ignore[arg-type]

    doc = run_json(capsys, "keys", "rotate", "api")
    states = {v["kid"]: v["state"] for v in doc["versions"]}  # type: ignore[attr-defined]
    assert states[first.kid] == "previous" and list(states.values()).count("current") == 1

    def verifying_version() -> str | None:
        for version, verifier in real_service.verification_keys("api"):
            try:
                jwt.decode(token, raw(verifier), algorithms=[alg])  # type: ignore[arg-type]
            except jwt.InvalidSignatureError:
                continue
            return version.state.value
        return None

    assert verifying_version() == "previous"

    run(capsys, "keys", "rotate", "api")
    ks = real_service.get("api")
    assert [v.state for v in ks.versions] == [State.RETIRED, State.PREVIOUS, State.CURRENT]
    assert verifying_version() is None  # the retired key verifies nothing
    assert not real_service.vault.exists(ks.versions[0].id)  # and its secret is gone
    assert all(real_service.vault.exists(v.id) for v in ks.versions[1:])


def test_retire_delete_rename(real_service: KeyService, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "keys", "new", "svc", "--alg", "EdDSA")
    run(capsys, "keys", "rotate", "svc")
    ks = real_service.get("svc")
    prev = ks.previous
    assert prev is not None
    code, out, _ = run(capsys, "keys", "retire", "svc")
    assert code == 0 and f"retired {prev.kid}" in out
    assert not real_service.vault.exists(prev.id)

    code, _, err = run(capsys, "keys", "delete", "svc", f"--kid={ks.versions[1].kid}")
    assert code == 1 and "only retired" in err
    assert run(capsys, "keys", "delete", "svc", f"--kid={prev.kid}")[0] == 0
    assert len(real_service.get("svc").versions) == 1

    assert run(capsys, "keys", "rename", "svc", "svc2")[0] == 0
    renamed = real_service.get("svc2")
    assert renamed.versions == real_service.get("svc2").versions
    assert real_service.vault.exists(renamed.versions[0].id)  # the secret did not move

    code, _, err = run(capsys, "keys", "delete", "svc2")
    assert code == 1 and "--yes" in err  # not a terminal: refuses without --yes
    assert run(capsys, "keys", "delete", "svc2", "--yes")[0] == 0
    assert real_service.keysets() == ()
    assert not real_service.vault.exists(renamed.versions[0].id)


def test_show_public_only_unless_reveal(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "keys", "new", "rsa", "--alg", "PS256", "--size", "2048")
    run(capsys, "keys", "new", "hmac", "--alg", "HS512")
    code, out, _ = run(capsys, "keys", "show", "rsa")
    assert code == 0 and "BEGIN PUBLIC KEY" in out and "PRIVATE" not in out
    jwk = run_json(capsys, "keys", "show", "rsa", "--format", "jwk")["public_key"]
    assert isinstance(jwk, dict) and "d" not in jwk and jwk["alg"] == "PS256"
    code, out, _ = run(capsys, "keys", "show", "hmac")
    assert "••••••••" in out

    _, secret = real_service.secret("hmac")
    code, out, _ = run(capsys, "keys", "show", "hmac", "--reveal")
    assert code == 0 and out == secret.reveal().decode() + "\n"
    code, out, _ = run(capsys, "keys", "show", "rsa", "--reveal")
    assert out.startswith("-----BEGIN PRIVATE KEY-----")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["keys", "new", "bad name", "--alg", "HS256"], "invalid keyset name"),
        (["keys", "new", "x", "--alg", "HS1"], "unknown algorithm"),
        (["keys", "new", "x", "--alg", "RS256", "--size", "1024"], "below 2048"),
        (["keys", "new", "x", "--alg", "HS256", "--size", "16"], "at least 32 bytes"),
        (["keys", "new", "taken", "--alg", "HS256"], "already exists"),
        (["keys", "new", "x", "--alg", "HS256", "--rotate-every", "soon"], "invalid period"),
        (["keys", "rotate", "nope"], "no keyset named 'nope'"),
        (["keys", "rename", "taken", "a/b"], "invalid new keyset name"),
        (["keys", "retire", "taken"], "no previous key"),
    ],
)
def test_bad_input_is_one_line_exit_1_and_changes_nothing(
    real_service: KeyService,
    capsys: pytest.CaptureFixture[str],
    home: Path,
    argv: list[str],
    message: str,
) -> None:
    run(capsys, "keys", "new", "taken", "--alg", "HS256")
    before = (home / "index.json").read_bytes()
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and message in err and err.startswith("jwtdesk: error: ")
    assert (home / "index.json").read_bytes() == before


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    code, _, err = run(capsys, "keys", "frobnicate")
    assert code == 2 and err.count("\n") == 1
    code, _, err = run(capsys, "keys", "new", "x")
    assert code == 2 and "--alg" in err


def test_doctor_on_a_healthy_store(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    run(capsys, "keys", "new", "a", "--alg", "ES384")
    doc = run_json(capsys, "doctor")
    assert doc["backend"] == "keyring.backends.SecretService.Keyring"
    assert doc["backend_state"] == "ok" and doc["healthy"] is True
    assert doc["index"] == str(home / "index.json") and doc["versions"] == 1


def test_a_kid_that_starts_with_a_dash_is_a_value_not_an_option(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One thumbprint in 64 starts with "-": `--kid -Xy…` must reach the command as the kid."""
    run(capsys, "keys", "new", "dash", "--alg", "HS256")
    run(capsys, "keys", "rotate", "dash")
    prev = real_service.get("dash").previous
    assert prev is not None
    seen: list[str] = []
    from jwtdesk.cli import keys as keys_cli

    def spy(args: Any) -> int:
        seen.append(args.kid)
        return 0

    monkeypatch.setattr(keys_cli, "cmd_retire", spy)
    assert run(capsys, "keys", "retire", "dash", "--kid", "-" + prev.kid[1:])[0] == 0
    assert seen == ["-" + prev.kid[1:]]


def test_only_kid_values_are_joined_and_nothing_after_a_double_dash() -> None:
    from jwtdesk.cli import _join_dash_values

    assert _join_dash_values(["keys", "retire", "a", "--kid", "-x"]) == [
        "keys", "retire", "a", "--kid=-x",
    ]  # fmt: skip
    assert _join_dash_values(["--kid", "abc", "--json"]) == ["--kid", "abc", "--json"]
    assert _join_dash_values(["x", "--", "--kid", "-y"]) == ["x", "--", "--kid", "-y"]
    assert _join_dash_values(["--kid"]) == ["--kid"]
