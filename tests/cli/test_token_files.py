"""Signing with key files, certificates as verification keys, required claims and lifetime
thresholds on the command line. No keyring: everything comes from files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from jwtdesk.cli import main
from jwtdesk.core.keys import b64url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def inspect(
    capsys: pytest.CaptureFixture[str], token: str, *argv: str
) -> tuple[int, dict[str, Any]]:
    code, out, err = run(capsys, "token", "inspect", token, *argv, "--json")
    assert err == ""
    doc: dict[str, Any] = json.loads(out)
    return code, doc


def write_pem(path: Path, private: Any) -> Path:
    path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL
            if isinstance(private, rsa.RSAPrivateKey)
            else serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def certificate(private: ec.EllipticCurvePrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jwtdesk test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(private, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def test_sign_with_pem_files_and_verify_with_a_certificate(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    pem = write_pem(tmp_path / "ec.pem", ec_key)
    code, out, err = run(capsys, "token", "build", "--key-file", str(pem), "--alg", "ES256")
    assert code == 0, err
    cert = tmp_path / "cert.pem"
    cert.write_bytes(certificate(ec_key))
    code, doc = inspect(capsys, out.strip(), "--key-file", str(cert))
    assert code == 0 and doc["verified_by"]["key_file"] == str(cert)
    # the key's family binds: a P-256 key does not sign RS256 or ES384
    for alg in ("RS256", "ES384", "HS256"):
        code, _, err = run(capsys, "token", "build", "--key-file", str(pem), "--alg", alg)
        assert code == 1 and "cannot be used with" in err
    code, _, err = run(capsys, "token", "build", "--key-file", str(pem))
    assert code == 1 and "--alg" in err


def test_sign_with_private_and_oct_jwks(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ed = ed25519.Ed25519PrivateKey.generate()
    raw = ed.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    pub = ed.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {
        "kty": "OKP",
        "crv": "Ed25519",
        "d": b64url(raw),
        "x": b64url(pub),
        "kid": "ed-1",
        "alg": "EdDSA",
    }
    private = tmp_path / "ed.jwk"
    private.write_text(json.dumps(jwk))
    public = tmp_path / "ed-pub.jwk"
    public.write_text(json.dumps({k: v for k, v in jwk.items() if k != "d"}))
    code, out, _ = run(capsys, "token", "build", "--key-file", str(private))
    assert code == 0
    code, doc = inspect(capsys, out.strip(), "--key-file", str(public))
    assert code == 0 and doc["header"]["kid"] == "ed-1" and doc["header"]["alg"] == "EdDSA"

    oct_jwk = tmp_path / "oct.jwk"
    oct_jwk.write_text(json.dumps({"kty": "oct", "k": b64url(b"s" * 48), "alg": "HS384"}))
    code, out, _ = run(capsys, "token", "build", "--key-file", str(oct_jwk))
    assert code == 0
    assert inspect(capsys, out.strip(), "--key-file", str(oct_jwk))[0] == 0
    short = tmp_path / "short.jwk"
    short.write_text(json.dumps({"kty": "oct", "k": b64url(b"s" * 16), "alg": "HS256"}))
    code, _, err = run(capsys, "token", "build", "--key-file", str(short))
    assert code == 1 and "HS256" in err


def test_required_claims_and_lifetime_thresholds(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = write_pem(tmp_path / "rsa.pem", rsa.generate_private_key(65537, 2048))
    pub = tmp_path / "rsa-pub.pem"
    pub.write_bytes(
        serialization.load_pem_private_key(key.read_bytes(), None)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    _, out, _ = run(
        capsys,
        "token",
        "build",
        "--key-file",
        str(key),
        "--alg",
        "PS256",
        "--sub",
        "u",
        "--exp",
        "+45m",
    )
    token = out.strip()
    code, doc = inspect(
        capsys, token, "--key-file", str(pub), "--require", "sub", "--require", "tenant"
    )
    assert code == 1 and [e["id"] for e in doc["errors"]] == ["missing-claim"]
    assert "tenant" in doc["errors"][0]["message"]
    assert inspect(capsys, token, "--key-file", str(pub), "--require", "sub")[0] == 0

    def lifetime_findings(*extra: str) -> list[dict[str, Any]]:
        _, doc = inspect(capsys, token, "--key-file", str(pub), "--preset", "access", *extra)
        return [f for f in doc["findings"] if f["id"] == "long-lifetime"]

    assert lifetime_findings() == []  # 45 min is within the default 60 min
    assert len(lifetime_findings("--max-lifetime", "access=30m")) == 1
    code, _, err = run(capsys, "token", "inspect", token, "--max-lifetime", "access=soon")
    assert code == 1 and "duration" in err
    code, _, err = run(capsys, "token", "inspect", token, "--max-lifetime", "weekly=1d")
    assert code == 2
