"""`jwtdesk import FILE…` end to end against the real Secret Service: every import path, and
every refusal (exit 1, one line naming the file or variable, no key material anywhere, the
index and the keyring unchanged)."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from jwtdesk.cli import main
from jwtdesk.core import envfile
from jwtdesk.core.envfile import Entry, Format
from jwtdesk.core.keysets import State
from jwtdesk.services import KeyService
from jwtdesk.services.tokens import TokenService
from tests import keymaterial as km
from tests.keymaterial import Enc, PrivFmt, PubFmt
from tests.keyrings import secret_service_usernames

pytestmark = pytest.mark.secret_service

HMAC_CUR = "cur-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"  # 66 bytes
HMAC_PREV = "prev-ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvutsrqponmlkjihgfedcba"
COMMON = "16f8c0ef4a5d391b26034086c628469d3f9f497f08163ab9b40137092f2909ef"  # on the list


@pytest.fixture(scope="module")
def rsa2048() -> rsa.RSAPrivateKey:
    return km.rsa_key(2048)


@pytest.fixture(scope="module")
def rsa1024() -> rsa.RSAPrivateKey:
    return km.rsa_key(1024)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def import_json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, "import", *argv, "--json")
    assert code == 0, err
    doc: list[dict[str, Any]] = json.loads(out)["imported"]
    return doc


def write(tmp_path: Path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


def sign(key: Any, alg: str, kid: str) -> str:
    return jwt.encode({"sub": "u1"}, key, algorithm=alg, headers={"kid": kid})


def inspect_state(capsys: pytest.CaptureFixture[str], token: str, name: str) -> str | None:
    """`token inspect --keyset NAME`: the state of the version that verified it, or None."""
    code, out, _ = run(capsys, "token", "inspect", token, "--keyset", name, "--json")
    doc = json.loads(out)
    checks = {c["name"]: c["status"] for c in doc["checks"]}
    by = doc.get("verified_by")
    if code == 0 and by:
        assert checks["signature"] == "passed"
        return str(by["state"])
    assert checks["signature"] != "passed"
    return None


def private_key(kind: str) -> Any:
    if kind == "RSA":
        return km.rsa_key(2048)
    if kind == "Ed25519":
        return km.ed_key()
    return km.ec_key(kind)


def assert_shown(capsys: pytest.CaptureFixture[str], name: str, kid: str) -> None:
    """`keys show NAME` works and shows the imported kid."""
    code, out, err = run(capsys, "keys", "show", name)
    assert code == 0, err
    assert kid in out and name in out


# --- key files: every format ------------------------------------------------------------------


class Form(NamedTuple):
    form: str  # also the file and keyset name
    kind: str  # RSA, P-256, P-384, P-521, Ed25519
    encode: Callable[[Any], bytes]
    alg: str  # the alg the import picks by default


def _pem(fmt: PrivFmt) -> Callable[[Any], bytes]:
    return lambda key: km.private_pem(key, fmt)


PRIVATE_FORMS = [
    Form("pkcs1-rsa", "RSA", _pem(PrivFmt.TraditionalOpenSSL), "RS256"),
    Form("pkcs8-rsa", "RSA", _pem(PrivFmt.PKCS8), "RS256"),
    Form("pkcs8-p256", "P-256", _pem(PrivFmt.PKCS8), "ES256"),
    Form("pkcs8-p384", "P-384", _pem(PrivFmt.PKCS8), "ES384"),
    Form("pkcs8-p521", "P-521", _pem(PrivFmt.PKCS8), "ES512"),
    Form("pkcs8-ed25519", "Ed25519", _pem(PrivFmt.PKCS8), "EdDSA"),
    Form("sec1-p256", "P-256", _pem(PrivFmt.TraditionalOpenSSL), "ES256"),
    Form("sec1-p521", "P-521", _pem(PrivFmt.TraditionalOpenSSL), "ES512"),
    Form("der-pkcs8-rsa", "RSA", km.pkcs8_der, "RS256"),
    Form("der-pkcs8-p384", "P-384", km.pkcs8_der, "ES384"),
    Form("jwk-rsa", "RSA", lambda k: json.dumps(km.private_jwk(k)).encode(), "RS256"),
    Form("jwk-ec", "P-384", lambda k: json.dumps(km.private_jwk(k)).encode(), "ES384"),
    Form("jwk-okp", "Ed25519", lambda k: json.dumps(km.private_jwk(k)).encode(), "EdDSA"),
]


@pytest.mark.parametrize("case", PRIVATE_FORMS, ids=[f.form for f in PRIVATE_FORMS])
def test_private_key_file(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path, case: Form
) -> None:
    form, kind, encode, alg = case
    key = private_key(kind)
    path = write(tmp_path, f"{form}.key", encode(key))
    code, out, err = run(capsys, "import", path)
    assert code == 0, err
    kid = km.thumbprint(km.public_jwk(key))
    assert out.startswith(f"imported {form} ({alg}) from {path}\n") and f"current  kid {kid}" in out
    assert err == ""
    for text in km.material_texts(key):
        assert text not in out
    ks = real_service.get(form)
    assert ks.alg == alg and ks.current is not None and ks.current.kid == kid
    assert real_service.secret(form)[1].reveal() == km.pkcs8_der(key)  # round trip
    assert_shown(capsys, form, kid)
    # jwtdesk signs with it, and the original key's tokens verify
    code, token, err = run(capsys, "token", "build", "--keyset", form, "--sub", "u1")
    assert code == 0, err
    assert jwt.decode(token.strip(), key.public_key(), algorithms=[alg])["sub"] == "u1"
    assert inspect_state(capsys, sign(key, alg, kid), form) == "current"


PUBLIC_FORMS = [
    Form("spki-rsa", "RSA", km.public_pem, "RS256"),
    Form("spki-p256", "P-256", km.public_pem, "ES256"),
    Form("spki-ed25519", "Ed25519", km.public_pem, "EdDSA"),
    Form("pkcs1-rsa-public", "RSA", lambda k: km.public_pem(k, PubFmt.PKCS1), "RS256"),
    Form(
        "der-spki-p384",
        "P-384",
        lambda k: k.public_key().public_bytes(Enc.DER, PubFmt.SubjectPublicKeyInfo),
        "ES384",
    ),
    Form("cert-pem-rsa", "RSA", km.certificate, "RS256"),
    Form("cert-pem-p521", "P-521", km.certificate, "ES512"),
    Form("cert-der-ed25519", "Ed25519", lambda k: km.certificate(k, Enc.DER), "EdDSA"),
    Form("jwk-public-rsa", "RSA", lambda k: json.dumps(km.public_jwk(k)).encode(), "RS256"),
    Form("jwk-public-ec", "P-256", lambda k: json.dumps(km.public_jwk(k)).encode(), "ES256"),
    Form("jwk-public-okp", "Ed25519", lambda k: json.dumps(km.public_jwk(k)).encode(), "EdDSA"),
]


@pytest.mark.parametrize("case", PUBLIC_FORMS, ids=[f.form for f in PUBLIC_FORMS])
def test_public_key_file_is_verify_only(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path, case: Form
) -> None:
    form, kind, encode, alg = case
    key = private_key(kind)
    items = secret_service_usernames()
    path = write(tmp_path, f"{form}.pub", encode(key))
    (doc,) = import_json(capsys, path)
    kid = km.thumbprint(km.public_jwk(key))
    assert doc["name"] == form and doc["alg"] == alg and doc["current_kid"] == kid
    assert doc["public_only"] is True
    assert secret_service_usernames() == items  # nothing in the keyring for it
    version = real_service.get(form).versions[0]
    assert version.public_only and not real_service.vault.exists(version.id)
    assert_shown(capsys, form, kid)
    code, out, _ = run(capsys, "keys", "show", form, "--format", "jwk", "--json")
    assert code == 0 and {
        k: v for k, v in json.loads(out)["public_key"].items() if k in "kty n e crv x y"
    } == km.public_jwk(key)

    # a token signed by the matching private key verifies
    token = sign(key, alg, kid)
    report = TokenService(real_service).inspect(token, keysets=[form])
    assert report.valid and report.verified_by is not None
    assert {c.name: c.status for c in report.checks}["signature"] == "passed"
    assert inspect_state(capsys, token, form) == "current"

    # it never signs, and says why on one line
    code, out, err = run(capsys, "token", "build", "--keyset", form, "--sub", "u1")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "public key only" in err and form in err
    code, out, err = run(capsys, "keys", "show", form, "--reveal", "--yes")
    assert code == 1 and err.count("\n") == 1 and "public key only" in err
    assert secret_service_usernames() == items


def test_public_only_text_output(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    key = km.ec_key("P-256")
    code, out, err = run(capsys, "import", write(tmp_path, "pub.pem", km.public_pem(key)))
    assert code == 0 and err == ""
    assert "imported pub (ES256, public key only: verifies, never signs)" in out


def test_oct_jwk_alg_from_the_jwk(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secret = HMAC_CUR.encode()
    jwk = {"kty": "oct", "k": km.b64u(secret), "alg": "HS512", "use": "sig"}
    (doc,) = import_json(capsys, write(tmp_path, "hmac.jwk", json.dumps(jwk)))
    assert doc["alg"] == "HS512" and doc["current_kid"] == km.oct_thumbprint(secret)
    assert real_service.secret("hmac")[1].reveal() == secret
    assert_shown(capsys, "hmac", doc["current_kid"])
    _, out, _ = run(capsys, "keys", "show", "hmac")
    assert HMAC_CUR not in out and "••••••••" in out
    assert inspect_state(capsys, sign(secret, "HS512", doc["current_kid"]), "hmac") == "current"


def test_jwks_several_keys(
    real_service: KeyService,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    rsa2048: rsa.RSAPrivateKey,
) -> None:
    p384, ed = km.ec_key("P-384"), km.ed_key()
    keys = [
        km.public_jwk(rsa2048) | {"alg": "RS256", "use": "sig", "kid": "2024-01"},
        km.private_jwk(p384) | {"alg": "ES384"},
        km.public_jwk(ed) | {"alg": "EdDSA"},
    ]
    path = write(tmp_path, "jwks.json", json.dumps({"keys": keys}))
    code, out, err = run(capsys, "import", path, "--name", "idp")
    assert code == 0, err
    for n in (1, 2, 3):
        assert f"imported idp-{n} " in out
    assert "NOTE: " in err and "kid '2024-01' is replaced" in err  # said, never silent
    names = [ks.name for ks in real_service.keysets()]
    assert names == ["idp-1", "idp-2", "idp-3"]
    assert [ks.alg for ks in real_service.keysets()] == ["RS256", "ES384", "EdDSA"]
    assert [ks.versions[0].public_only for ks in real_service.keysets()] == [True, False, True]
    assert real_service.secret("idp-2")[1].reveal() == km.pkcs8_der(p384)
    for name, key in (("idp-1", rsa2048), ("idp-3", ed)):
        assert_shown(capsys, name, km.thumbprint(km.public_jwk(key)))


def test_several_files_and_options(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    a = write(tmp_path, "a.pem", km.private_pem(km.ec_key("P-256")))
    b = write(tmp_path, "b.pem", km.public_pem(km.ed_key()))
    argv = ["--service", "shop", "--env", "prod", "--purpose", "access", "--rotate-every", "30d"]
    docs = import_json(capsys, a, b, *argv)
    assert [d["name"] for d in docs] == ["a", "b"]
    for d in docs:
        assert (d["service"], d["environment"], d["purpose"], d["rotation_period"]) == (
            "shop",
            "prod",
            "access",
            "30d",
        )
    code, _, err = run(capsys, "import", a, b, "--name", "x")
    assert code == 2 and "--name" in err  # a usage error


# --- encrypted private keys -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [PrivFmt.PKCS8, PrivFmt.TraditionalOpenSSL])
def test_encrypted_key_with_passphrase_file(
    real_service: KeyService,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    rsa2048: rsa.RSAPrivateKey,
    fmt: PrivFmt,
) -> None:
    path = write(tmp_path, "enc.pem", km.private_pem(rsa2048, fmt, password=b"s3cret pass"))
    right = write(tmp_path, "right.txt", "s3cret pass\n")  # one trailing newline is dropped
    code, out, err = run(capsys, "import", path, "--passphrase-file", right)
    assert code == 0, err
    assert "s3cret" not in out + err
    assert real_service.secret("enc")[1].reveal() == km.pkcs8_der(rsa2048)


@pytest.mark.parametrize("fmt", [PrivFmt.PKCS8, PrivFmt.TraditionalOpenSSL])
def test_encrypted_key_wrong_or_no_passphrase(
    real_service: KeyService,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: PrivFmt,
) -> None:
    rsa2048 = km.rsa_key(2048)
    path = write(tmp_path, "enc.pem", km.private_pem(rsa2048, fmt, password=b"s3cret pass"))
    wrong = write(tmp_path, "wrong.txt", "not-it\n")
    err = refused(capsys, real_service, ["import", path, "--passphrase-file", wrong], path, rsa2048)
    assert "passphrase does not decrypt" in err and "not-it" not in err
    # not a terminal and no --passphrase-file: says what to give, asks nothing
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"")))
    err = refused(capsys, real_service, ["import", path], path, rsa2048)
    assert "give --passphrase-file" in err
    missing = str(tmp_path / "nope.txt")
    err = refused(
        capsys, real_service, ["import", path, "--passphrase-file", missing], missing, rsa2048
    )
    assert "cannot read the passphrase file" in err


def test_encrypted_key_passphrase_from_stdin(
    real_service: KeyService,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = km.ec_key("P-521")
    path = write(tmp_path, "enc.pem", km.private_pem(key, password=b"from stdin"))
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"from stdin\n")))
    code, _, err = run(capsys, "import", path, "--passphrase-file", "-")
    assert code == 0, err
    assert real_service.secret("enc")[1].reveal() == km.pkcs8_der(key)


# --- env files ---------------------------------------------------------------------------------


def test_env_pick_variables(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = envfile.render(
        Format.DOTENV,
        [
            Entry("JWT_SECRET", HMAC_CUR),
            Entry("REFRESH_TOKEN_SECRET", HMAC_PREV),
            Entry("DATABASE_URL", "postgres://u:pw@db/app"),
        ],
    )
    path = write(tmp_path, "app.env", text)
    code, out, err = run(
        capsys, "import", path, "--var", "JWT_SECRET", "--var", "REFRESH_TOKEN_SECRET"
    )
    assert code == 0, err
    assert HMAC_CUR not in out + err and HMAC_PREV not in out + err
    assert f"imported jwt-secret (HS256) from variable JWT_SECRET of {path}" in out
    assert [ks.name for ks in real_service.keysets()] == ["jwt-secret", "refresh-token-secret"]
    assert real_service.secret("jwt-secret")[1].reveal() == HMAC_CUR.encode()
    assert real_service.secret("refresh-token-secret")[1].reveal() == HMAC_PREV.encode()
    assert_shown(capsys, "jwt-secret", km.oct_thumbprint(HMAC_CUR.encode()))


@pytest.mark.parametrize("fmt", [Format.DOTENV, Format.SHELL, Format.JSON, Format.K8S])
def test_env_current_and_previous_then_rotate(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: Format
) -> None:
    entries = [Entry("JWT_SECRET_CURRENT", HMAC_CUR), Entry("JWT_SECRET_PREVIOUS", HMAC_PREV)]
    path = write(tmp_path, f"app.{fmt.value}", envfile.render(fmt, entries))
    argv = ["--var", "JWT_SECRET_CURRENT", "--previous-var", "JWT_SECRET_PREVIOUS"]
    (doc,) = import_json(capsys, path, "--name", "api", *argv)
    cur_kid, prev_kid = km.oct_thumbprint(HMAC_CUR.encode()), km.oct_thumbprint(HMAC_PREV.encode())
    assert [(v["state"], v["kid"]) for v in doc["versions"]] == [
        ("current", cur_kid),
        ("previous", prev_kid),
    ]
    assert real_service.secret("api", prev_kid)[1].reveal() == HMAC_PREV.encode()
    old = sign(HMAC_PREV.encode(), "HS256", prev_kid)
    new = sign(HMAC_CUR.encode(), "HS256", cur_kid)
    assert inspect_state(capsys, old, "api") == "previous"  # tokens issued before still verify
    assert inspect_state(capsys, new, "api") == "current"

    code, _, err = run(capsys, "keys", "rotate", "api")
    assert code == 0, err
    ks = real_service.get("api")
    assert ks.version(prev_kid).state is State.RETIRED
    assert not real_service.vault.exists(ks.version(prev_kid).id)
    assert inspect_state(capsys, old, "api") is None  # the grace period is over
    assert inspect_state(capsys, new, "api") == "previous"


def test_env_pem_private_key_in_a_variable(
    real_service: KeyService,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    rsa2048: rsa.RSAPrivateKey,
) -> None:
    pem = km.private_pem(rsa2048).decode()
    text = envfile.render(Format.DOTENV, [Entry("JWT_PRIVATE_KEY", pem)])
    assert "\\n" in text  # the multi-line value is written with escaped newlines
    path = write(tmp_path, ".env", text)
    code, out, err = run(capsys, "import", path, "--var", "JWT_PRIVATE_KEY")
    assert code == 0, err
    for secret_text in km.material_texts(rsa2048):
        assert secret_text not in out + err
    assert real_service.secret("jwt-private-key")[1].reveal() == km.pkcs8_der(rsa2048)
    # a shell file keeps real newlines inside single quotes
    shell = write(tmp_path, "k.sh", envfile.render(Format.SHELL, [Entry("KEY", pem)]))
    code, _, err = run(capsys, "import", shell, "--var", "KEY", "--name", "again")
    assert code == 1 and "already holds" in err  # same key: read fine, refused as a duplicate


def test_env_b64_variable(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    key = km.ed_key()
    entries = [Entry("JWT_PRIVATE_KEY", km.private_pem(key).decode()), Entry("S", HMAC_CUR)]
    text = envfile.render(Format.DOCKER, entries, multiline="base64")
    assert "JWT_PRIVATE_KEY_B64=" in text
    path = write(tmp_path, "docker.env", text)
    (doc,) = import_json(capsys, path, "--var", "JWT_PRIVATE_KEY_B64")
    assert doc["name"] == "jwt-private-key" and doc["alg"] == "EdDSA"
    assert real_service.secret("jwt-private-key")[1].reveal() == km.pkcs8_der(key)
    secret = b"\x00\xff binary secret bytes, base64 in the file \x10\x80" * 2
    path = write(tmp_path, "b.env", f"HMAC_B64={base64.b64encode(secret).decode()}\n")
    (doc,) = import_json(capsys, path, "--var", "HMAC_B64", "--alg", "HS384")
    assert real_service.secret("hmac")[1].reveal() == secret


def test_allow_weak_imports_with_a_note(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, ".env", f"SHORT=tooshort\nWORD=secret\nCOMMON={COMMON}\n")
    for var in ("SHORT", "WORD", "COMMON"):
        code, out, err = run(capsys, "import", path, "--var", var, "--allow-weak")
        assert code == 0, err
        assert f"imported {var.lower()} (HS256)" in out
        assert err.count("\n") == 1 and err.startswith("  WEAK (allowed): variable " + var)
    assert real_service.secret("word")[1].reveal() == b"secret"
    assert real_service.secret("common")[1].reveal() == COMMON.encode()


def test_allow_weak_with_json(
    real_service: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, ".env", "JWT_SECRET=tooshort\n")
    code, out, err = run(capsys, "import", path, "--var", "JWT_SECRET", "--allow-weak", "--json")
    assert code == 0, err
    (doc,) = json.loads(out)["imported"]  # stdout stays one JSON document
    assert doc["weak"] == [
        f"variable JWT_SECRET of {path}: 8 bytes, below the 32 bytes HS256 needs"
    ]
    assert err.startswith("  WEAK (allowed): ") and "tooshort" not in out + err


# --- refusals ------------------------------------------------------------------------------------


def refused(
    capsys: pytest.CaptureFixture[str],
    svc: KeyService,
    argv: list[str],
    names: str,
    *material: Any,
) -> str:
    """Run a refused import: exit 1, one line naming ``names``, no key material printed,
    index and keyring unchanged. ``material``: keys (private) or strings never to print."""
    keysets, items = svc.keysets(), secret_service_usernames()
    index = svc.index.path.read_bytes() if svc.index.path.exists() else None
    code, out, err = run(capsys, *argv)
    assert code == 1, (out, err)
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("jwtdesk: error: "), err
    assert names in err, err
    for m in material:
        texts = [m] if isinstance(m, str) else km.material_texts(m)
        for text in texts:
            assert not text or text not in err
    assert svc.keysets() == keysets
    assert secret_service_usernames() == items
    assert (svc.index.path.read_bytes() if svc.index.path.exists() else None) == index
    return err


@pytest.fixture
def existing(real_service: KeyService, capsys: pytest.CaptureFixture[str]) -> KeyService:
    """A store that already holds keysets, so that "unchanged" means something."""
    assert run(capsys, "keys", "new", "taken", "--alg", "HS256")[0] == 0
    assert run(capsys, "keys", "new", "other", "--alg", "ES256")[0] == 0
    return real_service


@pytest.mark.parametrize(
    "case",
    [
        ("HS256", "x" * 31, "31 bytes, below the 32 bytes HS256 needs"),
        ("HS384", "y" * 47, "47 bytes, below the 48 bytes HS384 needs"),
        ("HS512", "z" * 63, "63 bytes, below the 64 bytes HS512 needs"),
        ("HS256", COMMON, "list of published JWT secrets"),
        ("HS256", "secret", "6 bytes"),
    ],
    ids=lambda case: "-".join(str(x)[:12] for x in case[:2]),
)
def test_weak_hmac_secret_refused(
    existing: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path, case: tuple[str, ...]
) -> None:
    alg, value, why = case
    path = write(tmp_path, ".env", f"JWT_SECRET='{value}'\nOTHER=1\n")
    argv = ["import", path, "--var", "JWT_SECRET", "--alg", alg]
    shown = value if value != "secret" else ""  # the word itself is in every message
    err = refused(capsys, existing, argv, f"variable JWT_SECRET of {path}", shown)
    assert why in err and "--allow-weak" in err


def test_weak_oct_jwk_refused(
    existing: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secret = b"forty bytes of secret for an HS512 key!!"
    jwk = {"kty": "oct", "k": km.b64u(secret), "alg": "HS512"}
    path = write(tmp_path, "k.jwk", json.dumps(jwk))
    err = refused(capsys, existing, ["import", path], path, km.b64u(secret), secret.decode())
    assert "40 bytes, below the 64 bytes HS512 needs" in err


def test_rsa_1024_refused_even_when_weak_allowed(
    existing: KeyService,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    rsa1024: rsa.RSAPrivateKey,
) -> None:
    forms = {
        "k.pem": km.private_pem(rsa1024),
        "pub.pem": km.public_pem(rsa1024),
        "k.jwk": json.dumps(km.private_jwk(rsa1024)).encode(),
        "cert.pem": km.certificate(rsa1024),
    }
    for name, data in forms.items():
        path = write(tmp_path, name, data)
        for extra in ([], ["--allow-weak"]):
            err = refused(capsys, existing, ["import", path, *extra], path, rsa1024)
            assert "RSA-1024 is refused" in err
    env = write(
        tmp_path, ".env", envfile.render(Format.SHELL, [Entry("K", forms["k.pem"].decode())])
    )
    refused(capsys, existing, ["import", env, "--var", "K", "--allow-weak"], "variable K", rsa1024)


@pytest.mark.parametrize(
    "case",
    [
        ("P-384", "ES256", "an EC secp384r1 key cannot be used with ES256; it needs an P-256 key"),
        ("P-256", "RS256", "cannot be used with RS256; it needs an RSA key"),
        ("RSA", "HS256", "an RSA-2048 key cannot be used with HS256"),
        ("RSA", "ES512", "cannot be used with ES512"),
        ("Ed25519", "ES256", "an Ed25519 key cannot be used with ES256"),
    ],
    ids=lambda case: "-".join(str(x)[:12] for x in case[:2]),
)
def test_key_that_does_not_fit_alg_refused(
    existing: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path, case: tuple[str, ...]
) -> None:
    kind, alg, needs = case
    key = private_key(kind)
    path = write(tmp_path, "k.pem", km.private_pem(key))
    err = refused(capsys, existing, ["import", path, "--alg", alg, "--allow-weak"], path, key)
    assert needs in err


def test_jwk_alg_disagrees_with_alg_option(
    existing: KeyService,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    rsa2048: rsa.RSAPrivateKey,
) -> None:
    path = write(tmp_path, "k.jwk", json.dumps(km.private_jwk(rsa2048) | {"alg": "RS256"}))
    err = refused(capsys, existing, ["import", path, "--alg", "PS256"], path, rsa2048)
    assert "the JWK says alg RS256, but PS256 was asked for" in err


def test_public_key_as_hmac_secret_refused(
    existing: KeyService,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    rsa2048: rsa.RSAPrivateKey,
) -> None:
    """The algorithm-confusion attack (RFC 8725 §2.1): never, even with --allow-weak."""
    ec_key = km.ec_key("P-256")
    entries = [
        Entry("JWT_SECRET", km.public_pem(rsa2048).decode()),
        Entry("JWT_SECRET_JWK", json.dumps(km.public_jwk(ec_key))),
        Entry("JWT_SECRET_CERT", km.certificate(rsa2048).decode()),
    ]
    path = write(tmp_path, "app.env", envfile.render(Format.SHELL, entries))
    pem_line = km.public_pem(rsa2048).decode().splitlines()[2]
    for var in ("JWT_SECRET", "JWT_SECRET_JWK", "JWT_SECRET_CERT"):
        for extra in ([], ["--allow-weak"]):
            argv = ["import", path, "--var", var, "--alg", "HS256", *extra]
            err = refused(capsys, existing, argv, f"variable {var} of {path}", pem_line)
            assert "this is a public key, not an HS256 secret" in err
            assert "algorithm-confusion" in err
    # without an HS* alg the same public key is a legitimate verify-only import
    (doc,) = import_json(capsys, path, "--var", "JWT_SECRET")
    assert doc["public_only"] is True and doc["alg"] == "RS256"


@pytest.mark.parametrize(
    "case",
    [
        (
            "enc.jwk",
            {"kty": "EC", "crv": "P-256", "use": "enc", "x": "AA", "y": "AA"},
            "not for signatures",
        ),
        ("ops.jwk", {"kty": "oct", "k": "c2VjcmV0", "key_ops": ["encrypt"]}, "not for signatures"),
        ("kty.jwk", {"kty": "PQC", "pub": "AAAA"}, "kty is not one JWS uses"),
        ("jwks.json", {"keys": []}, "holds no key"),
        ("alg.jwk", {"kty": "oct", "k": "c2VjcmV0", "alg": "none"}, "not a JWS algorithm"),
    ],
    ids=lambda case: "-".join(str(x)[:12] for x in case[:2]),
)
def test_bad_jwk_refused(
    existing: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path, case: tuple[Any, ...]
) -> None:
    name, data, message = case
    path = write(tmp_path, name, json.dumps(data))
    err = refused(capsys, existing, ["import", path], path, "c2VjcmV0")
    assert message in err


@pytest.mark.parametrize(
    "case",
    [
        ("broken.json", b'{"kty": "RSA", "n": "AQAB", ', "not valid JSON"),
        ("broken2.json", b"{not json at all", "not valid JSON"),
        ("junk.bin", b"\xff\xfe\x00garbage\x80\x81\x82 bytes", "not a key file"),
        ("words.txt", b"just some words", "not a key file"),
        ("empty.pem", b"", "is empty"),
        ("blank.pem", b"\n \n", "is empty"),
        (
            "bad.pem",
            b"-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\n",
            "cannot be read",
        ),
    ],
    ids=lambda case: "-".join(str(x)[:12] for x in case[:2]),
)
def test_unreadable_file_refused(
    existing: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path, case: tuple[Any, ...]
) -> None:
    name, data, message = case
    path = write(tmp_path, name, data)
    err = refused(capsys, existing, ["import", path], path, "garbage")
    assert message in err


def test_var_on_a_key_file_refused(
    existing: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    key = km.ec_key("P-256")
    path = write(tmp_path, "k.pem", km.private_pem(key))
    err = refused(capsys, existing, ["import", path, "--var", "JWT_SECRET"], path, key)
    assert "not an env file" in err


def test_file_over_1_mib_refused(
    existing: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "huge.pem", b"A" * ((1 << 20) + 1))
    err = refused(capsys, existing, ["import", path], path)
    assert "over 1 MiB" in err


def test_missing_file_refused(
    existing: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = str(tmp_path / "nope.pem")
    err = refused(capsys, existing, ["import", path], path)
    assert "No such file" in err


def test_same_key_twice_refused(
    existing: KeyService,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    rsa2048: rsa.RSAPrivateKey,
) -> None:
    path = write(tmp_path, "k.pem", km.private_pem(rsa2048))
    (doc,) = import_json(capsys, path)
    kid = doc["current_kid"]
    again = write(tmp_path, "copy.pem", km.private_pem(rsa2048, PrivFmt.TraditionalOpenSSL))
    err = refused(capsys, existing, ["import", again, "--name", "copy"], again, rsa2048)
    assert f"already holds this key (kid {kid} in keyset 'k')" in err
    # its certificate is the same key too
    cert = write(tmp_path, "k.crt", km.certificate(rsa2048))
    refused(capsys, existing, ["import", cert], "already holds", rsa2048)


def test_existing_name_refused(
    existing: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "taken.pem", km.private_pem(km.ec_key("P-256")))
    err = refused(capsys, existing, ["import", path], "'taken' already exists")
    assert "--name" in err
    refused(capsys, existing, ["import", path, "--name", "other"], "'other' already exists")


@pytest.mark.parametrize("name", ["bad name", "a/b", "", "x" * 65])
def test_bad_name_refused(
    existing: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    path = write(tmp_path, "k.pem", km.private_pem(km.ec_key("P-256")))
    refused(capsys, existing, ["import", path, "--name", name], "invalid keyset name")


def test_env_variable_missing_lists_names_not_values(
    existing: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = f"JWT_SECRET={HMAC_CUR}\nDB_PASSWORD=hunter2-hunter2-hunter2\n"
    path = write(tmp_path, "app.env", text)
    err = refused(
        capsys,
        existing,
        ["import", path, "--var", "JWT_SECRET_CURRENT"],
        "no variable JWT_SECRET_CURRENT",
        HMAC_CUR,
        "hunter2",
    )
    assert path in err and "DB_PASSWORD, JWT_SECRET" in err
    err = refused(capsys, existing, ["import", path], "--var", HMAC_CUR, "hunter2")
    assert path in err and "DB_PASSWORD, JWT_SECRET" in err
    err = refused(
        capsys,
        existing,
        ["import", path, "--var", "JWT_SECRET", "--previous-var", "NOPE"],
        "no variable NOPE",
        HMAC_CUR,
        "hunter2",
    )


def test_env_previous_same_as_current_refused(
    existing: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "app.env", f"A={HMAC_CUR}\nB={HMAC_CUR}\n")
    argv = ["import", path, "--var", "A", "--previous-var", "B"]
    err = refused(capsys, existing, argv, "variable A", HMAC_CUR)
    assert "same key" in err


def test_nothing_imported_when_one_file_is_refused(
    existing: KeyService,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    rsa1024: rsa.RSAPrivateKey,
) -> None:
    good = write(tmp_path, "good.pem", km.private_pem(km.ec_key("P-384")))
    bad = write(tmp_path, "bad.pem", km.private_pem(rsa1024))
    refused(capsys, existing, ["import", good, bad], bad, rsa1024)


def test_unparseable_env_file_refused(
    existing: KeyService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "app.env", "JWT_SECRET=abc\nthis line is not an assignment = \x01\n")
    refused(capsys, existing, ["import", path, "--var", "JWT_SECRET"], path, "abc")


def test_import_help_lists_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = capsys.readouterr().out
    for option in (
        "--name",
        "--alg",
        "--var",
        "--previous-var",
        "--allow-weak",
        "--passphrase-file",
        "--service",
        "--env",
        "--purpose",
        "--rotate-every",
        "--json",
    ):
        assert option in out
