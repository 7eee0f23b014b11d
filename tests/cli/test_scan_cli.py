"""`jwtdesk scan`: the JSON contract, exit codes, and no secret in any output."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from jwtdesk.cli import main
from jwtdesk.services import KeyService

pytestmark = pytest.mark.secret_service


def test_scan_json_contract_exit_codes_and_no_secret(
    real_service: KeyService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_service.create("api", "HS256", service="shop", environment="prod")
    secret = real_service.secret("api", action="test")[1].reveal()
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "app.py").write_text("print('hello')\n")
    assert main(["scan", str(clean), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []

    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "k8s.yaml").write_bytes(b"data:\n  JWT_SECRET: " + base64.b64encode(secret) + b"\n")
    (leak / "dev.env").write_text('JWT_SECRET="mysecret"\n')
    assert main(["scan", str(leak), "--json"]) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    kid = real_service.get("api").current.kid  # type: ignore[union-attr]
    stored = [f for f in doc["findings"] if f["kind"] == "stored-secret"]
    weak = [f for f in doc["findings"] if f["kind"] == "weak-secret"]
    assert [
        (f["path"], f["line"], f["commit"], f["keyset"], f["version"], f["form"]) for f in stored
    ] == [(str(leak / "k8s.yaml"), 2, None, "api", kid, "base64")]
    assert [(Path(f["path"]).name, f["line"], f["name"]) for f in weak] == [
        ("dev.env", 1, "JWT_SECRET")
    ]
    assert doc["remedies"] == [
        {
            "keyset": "api",
            "rotate": "jwtdesk keys rotate api",
            "emergency": "jwtdesk emergency shop",
        }
    ]

    assert main(["scan", str(leak), str(tmp_path / "missing")]) == 1
    text = capsys.readouterr()
    assert "jwtdesk keys rotate api" in text.out and "missing" in text.out
    for out in (captured.out + captured.err, text.out + text.err):
        assert secret.decode()[:16] not in out
        assert base64.b64encode(secret).decode()[:16] not in out
        assert "mysecret" not in out
