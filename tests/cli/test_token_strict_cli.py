"""`jwtdesk token inspect`: second spellings are invalid in the JSON contract and the text
report; whitespace around piped or pasted input is trimmed and said (issue 12)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jwt
import pytest

from jwtdesk.cli import main

KEY = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"


@pytest.fixture
def secret_file(tmp_path: Path) -> str:
    path = tmp_path / "secret.bin"
    path.write_bytes(KEY)
    return str(path)


def token() -> str:
    return jwt.encode({"sub": "user-42"}, KEY, algorithm="HS256")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["token", "inspect", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def as_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run(capsys, *argv, "--json")
    assert err == ""
    doc: dict[str, Any] = json.loads(out)
    return code, doc


def test_a_padded_signature_is_invalid_in_json_though_the_mac_verifies(
    capsys: pytest.CaptureFixture[str], secret_file: str
) -> None:
    padded = token() + "="  # 43 characters + 1: the '=' PyJWT accepts and AWS ALB emits
    code, doc = as_json(capsys, padded, "--secret-file", secret_file)
    assert code == 1 and doc["valid"] is False
    assert [e["id"] for e in doc["errors"]] == ["padding"]
    assert "PyJWT accepts it" in doc["errors"][0]["message"]
    assert doc["claims"] == {"sub": "user-42"}  # still decoded
    assert doc["verified_by"] == {"secret_file": secret_file}
    checks = {c["name"]: c["status"] for c in doc["checks"]}
    assert checks["canonical"] == "failed" and checks["signature"] == "passed"
    assert {"id": "padding", "severity": "error"}.items() <= doc["findings"][0].items()


def test_the_text_report_says_invalid_and_why(
    capsys: pytest.CaptureFixture[str], secret_file: str
) -> None:
    header, payload, signature = token().split(".")
    spaced = f"{header}.{payload[:6]} {payload[6:]}.{signature}"
    code, out, _ = run(capsys, spaced, "--secret-file", secret_file)
    assert code == 1 and out.startswith("INVALID")
    assert "FAIL  canonical" in out
    assert "error   whitespace:" in out
    assert 'claims: {"sub": "user-42"}' in out


def test_a_trailing_newline_from_a_pipe_is_trimmed_and_said(
    capsys: pytest.CaptureFixture[str], secret_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(token() + "\r\n"))
    code, doc = as_json(capsys, "-", "--secret-file", secret_file)
    assert code == 0 and doc["valid"] is True
    assert doc["trimmed"] == {"leading": 0, "trailing": 2}
    monkeypatch.setattr("sys.stdin", io.StringIO(token() + "\n"))
    code, out, _ = run(capsys, "-", "--secret-file", secret_file)
    assert code == 0 and out.startswith("VALID")
    assert "note  input trimmed: 0 whitespace character(s) before the token and 1 after" in out


def test_a_pasted_argument_with_a_line_break_is_trimmed_too(
    capsys: pytest.CaptureFixture[str], secret_file: str
) -> None:
    code, doc = as_json(capsys, "  " + token() + "\n", "--secret-file", secret_file)
    assert code == 0 and doc["trimmed"] == {"leading": 2, "trailing": 1}
    code, doc = as_json(capsys, token(), "--secret-file", secret_file)
    assert code == 0 and doc["trimmed"] is None
