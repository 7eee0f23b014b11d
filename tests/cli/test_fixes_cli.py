"""The CLI words each Fix with a flag its parser has, and prints it after the core message."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from jwtdesk.cli import build_parser, main
from jwtdesk.cli.fixes import FIXES, describe
from jwtdesk.core.errors import Fix, InvalidInput
from jwtdesk.services import KeyService


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def parser_of(command: tuple[str, ...]) -> argparse.ArgumentParser:
    parser = build_parser(list(command))
    for word in command:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[word]
    return parser


def test_every_fix_has_cli_words() -> None:
    assert set(FIXES) == set(Fix)


@pytest.mark.parametrize("fix", list(Fix), ids=lambda f: f.value)
def test_each_fix_names_a_flag_its_command_has(fix: Fix) -> None:
    words = FIXES[fix]
    parser = parser_of(words.command)  # the command exists
    if words.flag is None:
        assert f"jwtdesk {' '.join(words.command)}" in words.text
    else:
        assert words.flag in words.text
        assert words.flag in parser._option_string_actions, words


def test_describe_adds_the_fix_and_leaves_plain_errors_alone() -> None:
    assert describe(InvalidInput("plain")) == "plain"
    worded = describe(InvalidInput("too long", fix=Fix.CUSTOM_PRESET))
    assert worded == "too long; --preset custom allows any lifetime"


def test_a_file_that_is_no_key_file_points_to_secret_file(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00not a key")
    token = "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"
    code, _, err = run(capsys, "token", "inspect", token, "--key-file", str(junk))
    assert code == 1
    assert err.strip().endswith("; give an HMAC secret with --secret-file")
    assert err.count("\n") == 1


def test_a_pem_private_key_without_alg_asks_for_alg(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pem = tmp_path / "key.pem"
    pem.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    code, _, err = run(capsys, "token", "build", "--key-file", str(pem), "--sub", "x")
    assert code == 1 and "does not name its alg; give --alg" in err


@pytest.mark.secret_service
def test_a_lifetime_outside_the_preset_points_to_preset_custom(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "keys", "new", "api", "--alg", "HS256", "--purpose", "access")[0] == 0
    code, out, err = run(capsys, "token", "build", "--keyset", "api", "--exp", "+3h")
    assert code == 1 and out == ""
    assert "access tokens live 15 min to 1 h; got 3 h" in err
    assert err.strip().endswith("--preset custom allows any lifetime")
    # and the flag it names does what it says
    code, out, _ = run(
        capsys, "token", "build", "--keyset", "api", "--exp", "+3h", "--preset", "custom"
    )
    assert code == 0 and out.count(".") == 2
