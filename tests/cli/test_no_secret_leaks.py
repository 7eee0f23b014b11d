"""No secret in the index file, the audit log or any CLI output without --reveal."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from jwtdesk.cli import main
from jwtdesk.core.keys import b64url, private_pem
from jwtdesk.core.secret import Secret
from jwtdesk.services import KeyService

pytestmark = pytest.mark.secret_service


def forms(raw: bytes, asymmetric: bool) -> list[bytes]:
    """Every way a secret could appear in text: raw, base64, base64url, PEM lines."""
    out = [raw, base64.b64encode(raw), b64url(raw).encode()]
    if asymmetric:
        body = private_pem(Secret(raw)).reveal()
        out += [line for line in body.splitlines()[1:-2] if len(line) >= 32]
    return [f for f in out if len(f) >= 16]


def test_generated_secrets_appear_nowhere(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    commands = [
        ["keys", "new", "h", "--alg", "HS256"],
        ["keys", "new", "r", "--alg", "RS256", "--size", "2048"],
        ["keys", "new", "e", "--alg", "ES256"],
        ["keys", "new", "o", "--alg", "EdDSA"],
        ["keys", "rotate", "h"],
        ["keys", "rotate", "r"],
        ["keys", "list"],
        ["keys", "list", "--json"],
        ["keys", "show", "h", "--json"],
        ["keys", "show", "r"],
        ["keys", "show", "r", "--format", "jwk", "--json"],
        ["keys", "show", "e"],
        ["keys", "rename", "o", "o2"],
        ["doctor", "--json"],
        ["audit", "keys"],
        ["audit", "keys", "--json"],
        ["keys", "new", "h", "--alg", "HS256"],  # an error path too
    ]
    output = []
    for argv in commands:
        main(argv)
        captured = capsys.readouterr()
        output.append((captured.out + captured.err).encode())
    secrets = []
    for ks in real_service.keysets():
        for version in ks.versions:
            if version.verifies:
                raw = real_service.vault.get(version.id).reveal()
                secrets += forms(raw, not ks.algorithm.is_symmetric)
    assert len(secrets) > 12
    haystacks = {
        "index": (home / "index.json").read_bytes(),
        "audit": (home / "audit.log").read_bytes(),
        "cli": b"\n".join(output),
    }
    for where, text in haystacks.items():
        for secret in secrets:
            assert secret not in text, f"a secret leaked into the {where}"
    audit = haystacks["audit"].decode().splitlines()
    assert any('"action": "rotate"' in line for line in audit)
    assert any('"action": "audit"' in line for line in audit)
