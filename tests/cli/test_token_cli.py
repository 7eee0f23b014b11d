"""`jwtdesk token build|inspect` against keysets in the real Secret Service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jwtdesk.cli import main
from jwtdesk.core.algorithms import NAMES
from jwtdesk.services import KeyService

pytestmark = pytest.mark.secret_service


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def build(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, "token", "build", *argv)
    assert code == 0, err
    return out.strip()


def inspect(
    capsys: pytest.CaptureFixture[str], token: str, *argv: str
) -> tuple[int, dict[str, Any]]:
    code, out, err = run(capsys, "token", "inspect", token, *argv, "--json")
    assert err == "", err
    doc: dict[str, Any] = json.loads(out)
    return code, doc


def ids(items: list[dict[str, Any]]) -> set[str]:
    return {i["id"] for i in items}


def test_every_alg_verifies_with_its_keyset_and_fails_with_another(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    for alg in NAMES:
        size = ["--size", "2048"] if alg[:2] in ("RS", "PS") else []
        for name in (f"a-{alg}", f"b-{alg}"):
            assert run(capsys, "keys", "new", name, "--alg", alg, *size)[0] == 0
    for alg in NAMES:
        token = build(capsys, "--keyset", f"a-{alg}", "--iss", "me", "--aud", "you")
        code, doc = inspect(capsys, token, "--keyset", f"a-{alg}", "--iss", "me", "--aud", "you")
        assert code == 0 and doc["valid"] is True, (alg, doc["errors"])
        kid = real_service.get(f"a-{alg}").current.kid  # type: ignore[union-attr]
        assert doc["verified_by"] == {"keyset": f"a-{alg}", "kid": kid, "state": "current"}
        assert doc["header"]["alg"] == alg and doc["errors"] == []
        code, doc = inspect(capsys, token, "--keyset", f"b-{alg}")
        assert code == 1 and doc["valid"] is False and doc["verified_by"] is None
        assert "signature" in ids(doc["errors"])


def test_after_rotation_the_previous_key_verifies_and_is_named(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "keys", "new", "api", "--alg", "HS256")
    token = build(capsys, "--keyset", "api", "--preset", "refresh")
    old_kid = real_service.get("api").current.kid  # type: ignore[union-attr]
    run(capsys, "keys", "rotate", "api")
    code, doc = inspect(capsys, token, "--keyset", "api")
    assert code == 0
    assert doc["verified_by"] == {"keyset": "api", "kid": old_kid, "state": "previous"}
    assert "previous-key" in ids(doc["findings"])
    run(capsys, "keys", "rotate", "api")  # the old key retires
    code, doc = inspect(capsys, token, "--keyset", "api")
    assert code == 1 and doc["verified_by"] is None
    # Named for what it is (the index keeps a retired kid), as an error, not "no candidate".
    errors = {e["id"]: e["message"] for e in doc["errors"]}
    assert "retired key of keyset api" in errors["retired-key"]
    finding = next(f for f in doc["findings"] if f["id"] == "retired-key")
    assert finding["severity"] == "error" and "current key" in finding["message"]
    code, out, _ = run(capsys, "token", "inspect", token, "--keyset", "api")
    assert code == 1 and "retired key of keyset api" in out
    code, _, err = run(capsys, "token", "build", "--keyset", "api", f"--kid={old_kid}")
    assert code == 1 and "retired keys never sign" in err


def test_claims_and_header_options(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "keys", "new", "api", "--alg", "ES256")
    header = tmp_path / "h.json"
    header.write_text('{"alg": "none", "cty": "x"}')
    claims = tmp_path / "c.json"
    claims.write_text('{"role": "admin", "n": 1}')
    token = build(
        capsys,
        "--keyset",
        "api",
        "--claim",
        "n=2",
        "--claim",
        "tags=[1,2]",
        "--claims-json",
        str(claims),
        "--header-json",
        str(header),
        "--aud",
        "a",
        "--aud",
        "b",
        "--typ",
        "at+jwt",
        "--exp",
        "+30m",
    )
    _, doc = inspect(capsys, token, "--keyset", "api", "--aud", "b")
    assert doc["valid"] is True
    assert doc["header"]["alg"] == "ES256" and doc["header"]["typ"] == "at+jwt"
    assert (
        doc["claims"]["role"] == "admin"
        and doc["claims"]["n"] == 2
        and doc["claims"]["tags"] == [1, 2]
    )
    assert (
        doc["claims"]["aud"] == ["a", "b"] and doc["claims"]["exp"] - doc["claims"]["iat"] == 1800
    )
    code, _, err = run(capsys, "token", "build", "--keyset", "api", "--exp", "+3h")
    assert code == 1 and "access tokens live 15 min to 1 h" in err


def test_expected_claims_time_and_leeway(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "keys", "new", "api", "--alg", "EdDSA")
    token = build(capsys, "--keyset", "api", "--iss", "acme", "--at", "2026-01-01T00:00:00Z")
    code, doc = inspect(
        capsys, token, "--keyset", "api", "--iss", "acme-corp", "--at", "2026-01-01T00:05:00Z"
    )
    assert code == 1 and ids(doc["errors"]) == {"iss-mismatch"}
    code, doc = inspect(capsys, token, "--keyset", "api", "--at", "2026-01-01T00:15:20Z")
    assert code == 0  # 20 s past exp, inside the 30 s leeway
    code, doc = inspect(
        capsys, token, "--keyset", "api", "--at", "2026-01-01T00:15:20Z", "--leeway", "0"
    )
    assert code == 1 and ids(doc["errors"]) == {"expired"}
    assert doc["as_of"] == "2026-01-01T00:15:20Z" and doc["leeway_s"] == 0


def test_key_files_jwks_and_secret_files(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "keys", "new", "rsa", "--alg", "RS256", "--size", "2048")
    run(capsys, "keys", "new", "hs", "--alg", "HS384")
    _, out, _ = run(capsys, "keys", "show", "rsa", "--format", "jwk", "--json")
    jwk = json.loads(out)["public_key"]
    pem = tmp_path / "rsa.pem"
    pem.write_text(run(capsys, "keys", "show", "rsa")[1].split("\n\n")[-1])
    jwks = tmp_path / "jwks.json"
    run(capsys, "keys", "new", "decoy", "--alg", "RS256", "--size", "2048")
    decoy = json.loads(run(capsys, "keys", "show", "decoy", "--format", "jwk", "--json")[1])
    jwks.write_text(json.dumps({"keys": [decoy["public_key"], jwk]}))
    token = build(capsys, "--keyset", "rsa")
    for path in (pem, jwks):
        code, doc = inspect(capsys, token, "--key-file", str(path))
        assert code == 0, doc["errors"]
        assert doc["verified_by"]["key_file"] == str(path)

    secret = tmp_path / "secret"
    secret.write_text(run(capsys, "keys", "show", "hs", "--reveal")[1])
    hs_token = build(capsys, "--keyset", "hs")
    code, doc = inspect(capsys, hs_token, "--secret-file", str(secret))
    assert code == 0  # what --reveal prints is the key, byte for byte
    assert doc["verified_by"] == {"secret_file": str(secret)}
    # CVE-2015-9235: the RSA public key offered as the HMAC secret is never used as one.
    code, doc = inspect(capsys, hs_token, "--secret-file", str(pem))
    assert code == 1 and "alg-confusion" in ids(doc["findings"])
    code, _, err = run(capsys, "token", "inspect", token, "--key-file", str(tmp_path / "missing"))
    assert code == 1 and "cannot read the key file" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "token", ["", "abc", "a.b", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "x" * 5000]
)
def test_malformed_tokens_are_reports_not_tracebacks(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], token: str
) -> None:
    code, doc = inspect(capsys, token)
    assert code == 1 and doc["valid"] is False and doc["errors"]


def test_lint_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lint", "--list", "--json")
    rules = json.loads(out)["rules"]
    assert code == 0 and {"alg-none", "kid-injection", "previous-key", "jwe"} <= {
        r["id"] for r in rules
    }
    assert all(r["severity"] in ("error", "warning", "info") and r["reference"] for r in rules)


def test_preset_defaults_to_the_keyset_purpose(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "keys", "new", "refresh", "--alg", "HS512", "--purpose", "refresh")
    run(capsys, "keys", "new", "plain", "--alg", "HS512")
    _, doc = inspect(capsys, build(capsys, "--keyset", "refresh"), "--keyset", "refresh")
    assert doc["claims"]["exp"] - doc["claims"]["iat"] == 7 * 86400 and "jti" in doc["claims"]
    _, doc = inspect(capsys, build(capsys, "--keyset", "plain"), "--keyset", "plain")
    assert doc["claims"]["exp"] - doc["claims"]["iat"] == 15 * 60  # custom keysets: access
