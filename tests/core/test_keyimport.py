"""Reading keys to import (PEM, DER, JWK, JWKS, certificates, env variables) and the checks
that bind each to one algorithm. Pure: no keyring, no index."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa, x25519

from jwtdesk.core import keyimport
from jwtdesk.core.errors import Fix, InvalidInput
from jwtdesk.core.keyimport import Checked, Imported
from jwtdesk.core.weak import is_common_secret
from tests import keymaterial as km
from tests.keymaterial import Enc, PrivFmt, PubFmt

STRONG = b"k" * 7 + b"Zq3-strong-hmac-secret-for-tests-0123456789"  # 50 bytes
COMMON = b"16f8c0ef4a5d391b26034086c628469d3f9f497f08163ab9b40137092f2909ef"


@pytest.fixture(scope="module")
def rsa2048() -> rsa.RSAPrivateKey:
    return km.rsa_key(2048)


@pytest.fixture(scope="module")
def rsa1024() -> rsa.RSAPrivateKey:
    return km.rsa_key(1024)


def refused(message: str, *material: str | bytes) -> None:
    """A refusal is one line and shows no key material."""
    assert "\n" not in message
    for m in material:
        text = m.decode("latin-1") if isinstance(m, bytes) else m
        assert not text or text not in message


def one(data: bytes, label: str = "key.pem", **kw: Any) -> Imported:
    items = keyimport.read(data, label, **kw)
    assert len(items) == 1
    return items[0]


def private_key(name: str) -> Any:
    if name == "RSA":
        return km.rsa_key(2048)
    if name == "Ed25519":
        return km.ed_key()
    return km.ec_key(name)


DEFAULT_ALG = {"RSA": "RS256", "P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
DEFAULT_ALG["Ed25519"] = "EdDSA"
KINDS = list(DEFAULT_ALG)


def assert_private(checked: Checked, key: Any, alg: str) -> None:
    assert checked.alg == alg
    assert checked.secret is not None
    assert checked.secret.reveal() == km.pkcs8_der(key)  # the same key, stored as PKCS#8 DER
    assert checked.public_jwk == km.public_jwk(key)
    assert checked.kid == km.thumbprint(km.public_jwk(key))  # RFC 7638
    assert checked.weak is None


def assert_public(checked: Checked, key: Any, alg: str) -> None:
    assert checked.alg == alg
    assert checked.secret is None  # public only: nothing to keep secret
    assert checked.public_jwk == km.public_jwk(key)
    assert checked.kid == km.thumbprint(km.public_jwk(key))


# --- PEM and DER -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_pkcs8_pem_private_key(kind: str) -> None:
    key = private_key(kind)
    pem = km.private_pem(key, PrivFmt.PKCS8)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    item = one(pem)
    assert item.private is not None and item.public is None and item.secret is None
    assert_private(keyimport.check(item, None), key, DEFAULT_ALG[kind])


def test_pkcs1_rsa_private_key(rsa2048: rsa.RSAPrivateKey) -> None:
    pem = km.private_pem(rsa2048, PrivFmt.TraditionalOpenSSL)
    assert pem.startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    assert_private(keyimport.check(one(pem), "PS384"), rsa2048, "PS384")


@pytest.mark.parametrize("curve", ["P-256", "P-384", "P-521"])
def test_sec1_ec_private_key(curve: str) -> None:
    key = km.ec_key(curve)
    pem = km.private_pem(key, PrivFmt.TraditionalOpenSSL)
    assert pem.startswith(b"-----BEGIN EC PRIVATE KEY-----")
    assert_private(keyimport.check(one(pem), None), key, DEFAULT_ALG[curve])


@pytest.mark.parametrize("kind", KINDS)
def test_subject_public_key_info_is_public_only(kind: str) -> None:
    key = private_key(kind)
    pem = km.public_pem(key)
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    item = one(pem)
    assert item.public is not None and item.private is None
    assert_public(keyimport.check(item, None), key, DEFAULT_ALG[kind])


def test_pkcs1_rsa_public_key(rsa2048: rsa.RSAPrivateKey) -> None:
    pem = km.public_pem(rsa2048, PubFmt.PKCS1)
    assert pem.startswith(b"-----BEGIN RSA PUBLIC KEY-----")
    assert_public(keyimport.check(one(pem), "RS512"), rsa2048, "RS512")


@pytest.mark.parametrize("kind", ["RSA", "P-384", "Ed25519"])
def test_x509_certificate_gives_its_public_key_only(kind: str) -> None:
    key = private_key(kind)
    item = one(km.certificate(key), "cert.pem")
    assert item.private is None
    assert_public(keyimport.check(item, None), key, DEFAULT_ALG[kind])


@pytest.mark.parametrize("kind", ["RSA", "P-256", "Ed25519"])
def test_der_private_public_and_certificate(kind: str) -> None:
    key = private_key(kind)
    assert_private(keyimport.check(one(km.pkcs8_der(key), "k.der"), None), key, DEFAULT_ALG[kind])
    spki = key.public_key().public_bytes(Enc.DER, PubFmt.SubjectPublicKeyInfo)
    assert_public(keyimport.check(one(spki, "k.pub.der"), None), key, DEFAULT_ALG[kind])
    cert = km.certificate(key, Enc.DER)
    assert_public(keyimport.check(one(cert, "k.crt"), None), key, DEFAULT_ALG[kind])
    if kind != "Ed25519":  # PKCS#1 / SEC1 DER too
        trad = key.private_bytes(Enc.DER, PrivFmt.TraditionalOpenSSL, serialization.NoEncryption())
        assert_private(keyimport.check(one(trad, "k.der"), None), key, DEFAULT_ALG[kind])


def test_pem_with_crlf_and_surrounding_blank_lines(rsa2048: rsa.RSAPrivateKey) -> None:
    pem = b"\r\n\n" + km.private_pem(rsa2048).replace(b"\n", b"\r\n") + b"\r\n\r\n"
    assert_private(keyimport.check(one(pem), None), rsa2048, "RS256")


# --- encrypted private keys -----------------------------------------------------------------


class Asker:
    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.labels: list[str] = []

    def __call__(self, label: str) -> bytes:
        self.labels.append(label)
        return self.answer


@pytest.mark.parametrize("fmt", [PrivFmt.PKCS8, PrivFmt.TraditionalOpenSSL])
def test_encrypted_private_key_with_its_passphrase(
    rsa2048: rsa.RSAPrivateKey, fmt: PrivFmt
) -> None:
    pem = km.private_pem(rsa2048, fmt, password=b"correct horse")
    marker = b"ENCRYPTED PRIVATE KEY" if fmt is PrivFmt.PKCS8 else b"Proc-Type: 4,ENCRYPTED"
    assert marker in pem
    ask = Asker(b"correct horse")
    item = one(pem, "enc.pem", passphrase=ask)
    assert ask.labels == ["enc.pem"]
    assert_private(keyimport.check(item, None), rsa2048, "RS256")


@pytest.mark.parametrize("fmt", [PrivFmt.PKCS8, PrivFmt.TraditionalOpenSSL])
def test_encrypted_private_key_wrong_or_missing_passphrase(
    rsa2048: rsa.RSAPrivateKey, fmt: PrivFmt
) -> None:
    pem = km.private_pem(rsa2048, fmt, password=b"correct horse")
    with pytest.raises(InvalidInput) as err:
        keyimport.read(pem, "enc.pem", Asker(b"wrong horse"))
    assert err.value.message.startswith("enc.pem: the passphrase does not decrypt")
    refused(err.value.message, "wrong horse", "correct horse")
    with pytest.raises(InvalidInput, match=r"^enc\.pem: an encrypted private key"):
        keyimport.read(pem, "enc.pem")


def test_encrypted_ec_pkcs8() -> None:
    key = km.ec_key("P-384")
    pem = km.private_pem(key, PrivFmt.PKCS8, password=b"pw")
    assert_private(keyimport.check(one(pem, passphrase=Asker(b"pw")), None), key, "ES384")


def test_passphrase_is_not_asked_for_a_plain_key(rsa2048: rsa.RSAPrivateKey) -> None:
    ask = Asker(b"unused")
    one(km.private_pem(rsa2048), passphrase=ask)
    assert ask.labels == []


def test_passphrase_callback_errors_pass_through(rsa2048: rsa.RSAPrivateKey) -> None:
    def no_tty(label: str) -> bytes:
        raise InvalidInput(f"{label} is encrypted; give --passphrase-file")

    pem = km.private_pem(rsa2048, password=b"pw")
    with pytest.raises(InvalidInput, match="give --passphrase-file"):
        keyimport.read(pem, "enc.pem", no_tty)


# --- JWK and JWKS ------------------------------------------------------------------------------


def jwk_bytes(jwk: dict[str, Any]) -> bytes:
    return json.dumps(jwk).encode()


def test_oct_jwk_takes_its_alg() -> None:
    jwk = {"kty": "oct", "k": km.b64u(STRONG), "alg": "HS384", "kid": "theirs"}
    item = one(jwk_bytes(jwk), "k.jwk")
    assert item.secret == STRONG and item.alg == "HS384" and item.kid == "theirs"
    checked = keyimport.check(item, None)
    assert checked.alg == "HS384" and checked.secret is not None
    assert checked.secret.reveal() == STRONG and checked.public_jwk is None
    assert checked.kid == km.oct_thumbprint(STRONG) and checked.size == len(STRONG)


def test_oct_jwk_without_alg_is_hs256() -> None:
    checked = keyimport.check(one(jwk_bytes({"kty": "oct", "k": km.b64u(STRONG)})), None)
    assert checked.alg == "HS256"


@pytest.mark.parametrize("kind", KINDS)
def test_private_jwk(kind: str) -> None:
    key = private_key(kind)
    jwk = km.private_jwk(key) | {"use": "sig", "kid": "k1"}
    item = one(jwk_bytes(jwk), "k.jwk")
    assert item.private is not None and item.kid == "k1"
    assert_private(keyimport.check(item, None), key, DEFAULT_ALG[kind])


@pytest.mark.parametrize("kind", KINDS)
def test_public_jwk(kind: str) -> None:
    key = private_key(kind)
    jwk = km.public_jwk(key) | {"alg": DEFAULT_ALG[kind], "key_ops": ["verify"]}
    item = one(jwk_bytes(jwk), "k.jwk")
    assert item.public is not None and item.alg == DEFAULT_ALG[kind]
    assert_public(keyimport.check(item, None), key, DEFAULT_ALG[kind])


def test_rsa_jwk_alg_is_kept(rsa2048: rsa.RSAPrivateKey) -> None:
    jwk = km.public_jwk(rsa2048) | {"alg": "PS512"}
    assert keyimport.check(one(jwk_bytes(jwk)), None).alg == "PS512"
    assert keyimport.check(one(jwk_bytes(jwk)), "PS512").alg == "PS512"


def test_jwks_with_several_keys(rsa2048: rsa.RSAPrivateKey) -> None:
    ec_key, ed = km.ec_key("P-256"), km.ed_key()
    doc = {
        "keys": [
            km.public_jwk(rsa2048) | {"alg": "RS256", "kid": "a"},
            km.private_jwk(ec_key) | {"kid": "b"},
            km.public_jwk(ed),
            {"kty": "oct", "k": km.b64u(STRONG), "alg": "HS512"},
        ]
    }
    items = keyimport.read(jwk_bytes(doc), "jwks.json")
    assert [i.label for i in items] == [f"jwks.json#{n}" for n in range(4)]
    checked = [keyimport.check(i, None, allow_weak=True) for i in items]
    assert [c.alg for c in checked] == ["RS256", "ES256", "EdDSA", "HS512"]
    assert [c.secret is None for c in checked] == [True, False, True, False]
    assert checked[0].kid == km.thumbprint(km.public_jwk(rsa2048))
    assert checked[3].weak is not None  # 50 bytes < 64 for HS512


# --- env variables -----------------------------------------------------------------------------


def test_env_hmac_secret() -> None:
    (item,) = keyimport.from_env({"JWT_SECRET": STRONG.decode(), "OTHER": "x"}, ["JWT_SECRET"])
    assert item.secret == STRONG and item.label == "variable JWT_SECRET"
    checked = keyimport.check(item, "HS256")
    assert checked.kid == km.oct_thumbprint(STRONG)


def test_env_labels_name_the_file() -> None:
    (item,) = keyimport.from_env({"S": STRONG.decode()}, ["S"], source=".env")
    assert item.label == "variable S of .env"


def test_env_pem_private_key_multiline(rsa2048: rsa.RSAPrivateKey) -> None:
    pem = km.private_pem(rsa2048).decode()
    (item,) = keyimport.from_env({"JWT_PRIVATE_KEY": pem}, ["JWT_PRIVATE_KEY"])
    assert_private(keyimport.check(item, None), rsa2048, "RS256")


def test_env_public_pem_is_a_public_key(rsa2048: rsa.RSAPrivateKey) -> None:
    (item,) = keyimport.from_env(
        {"JWT_PUBLIC_KEY": km.public_pem(rsa2048).decode()}, ["JWT_PUBLIC_KEY"]
    )
    assert_public(keyimport.check(item, None), rsa2048, "RS256")


def test_env_b64_variables() -> None:
    key = km.ec_key("P-521")
    values = {
        "PEM_B64": base64.b64encode(km.private_pem(key)).decode(),
        "DER_B64": base64.b64encode(km.pkcs8_der(key)).decode(),
        "HMAC_B64": base64.b64encode(STRONG).decode(),
        "WRAPPED_B64": base64.encodebytes(km.private_pem(key)).decode(),  # 76-column lines
    }
    pem, der, hmac, wrapped = keyimport.from_env(values, list(values))
    for item in (pem, der, wrapped):
        assert_private(keyimport.check(item, None), key, "ES512")
    assert hmac.secret == STRONG


def test_env_jwk_in_a_variable() -> None:
    key = km.ed_key()
    (item,) = keyimport.from_env({"JWK": json.dumps(km.private_jwk(key))}, ["JWK"])
    assert_private(keyimport.check(item, None), key, "EdDSA")


def test_env_needs_variables_and_lists_names_not_values() -> None:
    values = {"JWT_SECRET": STRONG.decode(), "DB_PASSWORD": "hunter2-hunter2"}
    with pytest.raises(InvalidInput) as err:
        keyimport.from_env(values, [], source=".env")
    assert "--var" in err.value.message and "DB_PASSWORD, JWT_SECRET" in err.value.message
    assert ".env" in err.value.message
    refused(err.value.message, STRONG, "hunter2")
    with pytest.raises(InvalidInput) as err:
        keyimport.from_env(values, ["JWT_SECRET_CURRENT"], source=".env")
    assert err.value.message.startswith(".env: no variable JWT_SECRET_CURRENT")
    assert "DB_PASSWORD, JWT_SECRET" in err.value.message
    refused(err.value.message, STRONG, "hunter2")


def test_env_name_list_is_one_line_and_bounded() -> None:
    values = {"BAD\nNAME": "v", "OK": "v"} | {f"V{n:03}": "v" for n in range(40)}
    with pytest.raises(InvalidInput) as err:
        keyimport.from_env(values, [])
    message = err.value.message
    assert "\n" not in message and "V000, V001" in message and "and 12 more" in message
    assert "BAD" not in message


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"S": ""}, "variable S is empty"),
        ({"S_B64": "not base64!"}, "variable S_B64 is not valid base64"),
        ({"S": "{not json"}, "variable S: not valid JSON"),
        ({"S": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"}, "cannot be read"),
    ],
)
def test_env_bad_variables(values: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        keyimport.from_env(values, list(values))


# --- refusals ----------------------------------------------------------------------------------


def secret_item(secret: bytes) -> Imported:
    return Imported("variable S", secret=secret)


@pytest.mark.parametrize(("alg", "size"), [("HS256", 31), ("HS384", 47), ("HS512", 63)])
def test_short_hmac_secret_refused_unless_allowed(alg: str, size: int) -> None:
    secret = b"x" * size
    with pytest.raises(InvalidInput) as err:
        keyimport.check(secret_item(secret), alg)
    message = err.value.message
    assert message.startswith("variable S: weak HMAC secret")
    assert err.value.fix is Fix.ALLOW_WEAK  # the CLI words it as --allow-weak
    assert f"{size} bytes" in message
    refused(message, secret)
    allowed = keyimport.check(secret_item(secret), alg, allow_weak=True)
    assert allowed.weak is not None and f"{size} bytes" in allowed.weak
    assert allowed.secret is not None and allowed.secret.reveal() == secret
    # one byte more is enough
    assert keyimport.check(secret_item(b"y" * (size + 1)), alg).weak is None


@pytest.mark.parametrize("secret", [COMMON, b"secret", COMMON + b"\n", b"your-256-bit-secret"])
def test_common_secret_refused_unless_allowed(secret: bytes) -> None:
    assert is_common_secret(secret)
    with pytest.raises(InvalidInput) as err:
        keyimport.check(secret_item(secret), "HS256")
    if secret != b"secret":  # the word is in every message about secrets
        refused(err.value.message, secret.strip())
    allowed = keyimport.check(secret_item(secret), "HS256", allow_weak=True)
    assert allowed.weak is not None


def test_common_long_secret_says_why() -> None:
    with pytest.raises(InvalidInput, match="list of published JWT secrets"):
        keyimport.check(secret_item(COMMON), "HS256")


def rsa1024_forms(key: rsa.RSAPrivateKey) -> list[bytes]:
    return [
        km.private_pem(key, PrivFmt.PKCS8),
        km.private_pem(key, PrivFmt.TraditionalOpenSSL),
        km.public_pem(key),
        km.public_pem(key, PubFmt.PKCS1),
        km.pkcs8_der(key),
        km.certificate(key),
        jwk_bytes(km.private_jwk(key)),
        jwk_bytes(km.public_jwk(key)),
    ]


def test_rsa_1024_always_refused(rsa1024: rsa.RSAPrivateKey) -> None:
    for data in rsa1024_forms(rsa1024):
        with pytest.raises(InvalidInput) as err:
            keyimport.read(data, "small.pem")
        assert (
            err.value.message.startswith("small.pem") and "RSA-1024 is refused" in err.value.message
        )
        refused(err.value.message, *km.material_texts(rsa1024))
    with pytest.raises(InvalidInput, match="RSA-1024"):
        keyimport.from_env({"K": km.private_pem(rsa1024).decode()}, ["K"])


@pytest.mark.parametrize(
    ("kind", "alg"),
    [
        ("P-384", "ES256"),
        ("P-256", "ES384"),
        ("P-521", "ES384"),
        ("P-256", "RS256"),
        ("RSA", "ES256"),
        ("RSA", "EdDSA"),
        ("Ed25519", "ES256"),
        ("RSA", "HS256"),
        ("P-256", "HS512"),
    ],
)
def test_key_that_does_not_fit_the_alg(kind: str, alg: str) -> None:
    key = private_key(kind)
    for data in (km.private_pem(key), km.public_pem(key)):
        item = one(data, "k.pem")
        with pytest.raises(InvalidInput) as err:
            keyimport.check(item, alg, allow_weak=True)
        message = err.value.message
        assert message.startswith("k.pem: ") and alg in message
        refused(message, *km.material_texts(key))


def test_rsa_key_for_hmac_says_cannot_be_used(rsa2048: rsa.RSAPrivateKey) -> None:
    with pytest.raises(InvalidInput, match="an RSA-2048 key cannot be used with HS256"):
        keyimport.check(one(km.private_pem(rsa2048)), "HS256")


def test_jwk_alg_disagrees_with_asked_alg(rsa2048: rsa.RSAPrivateKey) -> None:
    jwk = km.private_jwk(rsa2048) | {"alg": "RS256"}
    with pytest.raises(InvalidInput, match=r"says alg RS256, but PS256 was asked for"):
        keyimport.check(one(jwk_bytes(jwk), "k.jwk"), "PS256")


def test_oct_jwk_with_an_rsa_alg() -> None:
    item = one(jwk_bytes({"kty": "oct", "k": km.b64u(STRONG), "alg": "RS256"}))
    with pytest.raises(InvalidInput, match="HMAC secret cannot be used with RS256"):
        keyimport.check(item, None)


def test_unknown_alg() -> None:
    with pytest.raises(InvalidInput, match="unknown algorithm"):
        keyimport.check(secret_item(STRONG), "HS1024")


def test_public_key_offered_as_hmac_secret_is_refused(rsa2048: rsa.RSAPrivateKey) -> None:
    """RFC 8725 §2.1: public key text as an HMAC key is the algorithm-confusion attack;
    --allow-weak does not allow it."""
    ec_key = km.ec_key("P-256")
    values = {
        "PEM": km.public_pem(rsa2048).decode(),
        "PKCS1": km.public_pem(rsa2048, PubFmt.PKCS1).decode(),
        "JWK": json.dumps(km.public_jwk(ec_key)),
        "JWKS": json.dumps({"keys": [km.public_jwk(ec_key)]}),
        "CERT": km.certificate(ec_key).decode(),
        "SSH": rsa2048.public_key().public_bytes(Enc.OpenSSH, PubFmt.OpenSSH).decode(),
        "INDENTED": "  key: " + km.public_pem(rsa2048).decode(),
    }
    for var, value in values.items():
        for item in keyimport.from_env(values, [var]):
            for allow in (False, True):
                with pytest.raises(InvalidInput) as err:
                    keyimport.check(item, "HS256", allow_weak=allow)
                message = err.value.message
                assert message.startswith(f"variable {var}"), message
                assert "this is a public key, not an HS256 secret" in message
                assert "algorithm-confusion" in message
                refused(message, value.splitlines()[1] if "\n" in value else "")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB"}, "not for signatures"),
        ({"kty": "oct", "k": "c2VjcmV0c2VjcmV0", "key_ops": ["encrypt"]}, "not for signatures"),
        ({"kty": "XYZ", "x": "AAAA"}, "kty is not one JWS uses"),
        ({"kty": "XYZ", "d": "AAAA"}, "kty is not one JWS uses"),
        ({"kty": "OKP", "crv": "X25519", "x": "AAAA"}, "not a usable public JWK"),
        ({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}, "not a usable public JWK"),
        ({"kty": "EC", "crv": "P-192", "d": "AAAA"}, "not a private JWK"),
        ({"kty": "oct"}, "needs a base64url 'k'"),
        ({"kty": "oct", "k": ""}, "'k' is empty"),
        ({"kty": "oct", "k": "c2VjcmV0", "alg": "A128KW"}, "not a JWS algorithm"),
        ({"kty": "oct", "k": "c2VjcmV0", "alg": "none"}, "not a JWS algorithm"),
        ({"keys": []}, "holds no key"),
        ({"keys": ["not an object"]}, "not a JWK object"),
        ({"hello": "world"}, "neither a JWK nor a JWKS"),
    ],
)
def test_jwk_refusals(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as err:
        keyimport.read(jwk_bytes(doc), "k.json")
    assert err.value.message.startswith("k.json")
    refused(err.value.message, "c2VjcmV0")


def test_jwks_with_one_enc_key_is_refused_whole() -> None:
    doc = {"keys": [km.public_jwk(km.ed_key()), km.public_jwk(km.ec_key("P-256")) | {"use": "enc"}]}
    with pytest.raises(InvalidInput, match=r"^k.json#1: .*not for signatures"):
        keyimport.read(jwk_bytes(doc), "k.json")


def test_private_jwk_whose_public_members_lie() -> None:
    key, other = km.ec_key("P-256"), km.ec_key("P-256", 1)
    jwk = km.private_jwk(key) | {k: v for k, v in km.public_jwk(other).items() if k in "xy"}
    with pytest.raises(InvalidInput, match="public members do not match") as err:
        keyimport.read(jwk_bytes(jwk), "k.jwk")
    refused(err.value.message, *km.material_texts(key))
    ed, ed2 = km.ed_key(), km.ed_key(1)
    jwk = km.private_jwk(ed) | {"x": km.public_jwk(ed2)["x"]}
    with pytest.raises(InvalidInput, match="public members do not match"):
        keyimport.read(jwk_bytes(jwk), "k.jwk")


def test_a_signing_key_file_whose_public_members_lie_is_refused_too() -> None:
    """``token build --key-file`` reads private JWKs through keyfile.load_signing."""
    from jwtdesk.core.keyfile import load_signing

    key, other = km.ec_key("P-256"), km.ec_key("P-256", 1)
    jwk = km.private_jwk(key) | {k: v for k, v in km.public_jwk(other).items() if k in "xy"}
    with pytest.raises(InvalidInput, match="public members do not match") as err:
        load_signing(jwk_bytes(jwk), "k.jwk", "ES256")
    refused(err.value.message, *km.material_texts(key))
    ed, ed2 = km.ed_key(), km.ed_key(1)
    jwk = km.private_jwk(ed) | {"x": km.public_jwk(ed2)["x"]}
    with pytest.raises(InvalidInput, match="public members do not match"):
        load_signing(jwk_bytes(jwk), "k.jwk", "EdDSA")
    good = load_signing(jwk_bytes(km.private_jwk(key)), "k.jwk", "ES256")
    assert good.alg == "ES256"  # a consistent JWK still loads


def test_rsa_jwk_inconsistent_numbers(rsa2048: rsa.RSAPrivateKey) -> None:
    jwk = km.private_jwk(rsa2048) | {"n": km.public_jwk(km.rsa_key(2048, 1))["n"]}
    with pytest.raises(InvalidInput, match="not a private JWK") as err:
        keyimport.read(jwk_bytes(jwk), "k.jwk")
    refused(err.value.message, *km.material_texts(rsa2048))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "k.bin is empty"),
        (b"  \n\t\n", "k.bin is empty"),
        (b'{"kty": "RSA", "n": ', "not valid JSON"),
        (b'{"a":' * 100_000, "not valid JSON"),
        (b"\xff\xfe garbage \x00\x80\x81 bytes", "not a key file"),
        (b"hello, this is not a key", "not a key file"),
        (
            b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
            "cannot be read",
        ),
        (b"-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n", "cannot be read"),
        (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "cannot be read"),
    ],
)
def test_unreadable_files(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as err:
        keyimport.read(data, "k.bin")
    assert err.value.message.startswith("k.bin")
    refused(err.value.message, "bm90IGEga2V5", "garbage")


def test_key_types_jws_does_not_use() -> None:
    dsa_key = dsa.generate_private_key(1024)  # noqa: S505 - refused by type, not size
    x_key = x25519.X25519PrivateKey.generate()
    for key in (dsa_key, x_key):
        for data in (km.private_pem(key), km.public_pem(key)):
            with pytest.raises(InvalidInput, match="not used by JWS"):
                keyimport.read(data, "k.pem")


def test_ec_curve_jws_does_not_use() -> None:
    key = ec.generate_private_key(ec.SECP256K1())
    item = one(km.private_pem(key))
    with pytest.raises(InvalidInput, match="secp256k1 key cannot be used with ES256"):
        keyimport.check(item, None)


# --- no key material in repr/str --------------------------------------------------------------


def test_repr_and_str_never_show_key_material(rsa2048: rsa.RSAPrivateKey) -> None:
    ed = km.ed_key()
    items = [
        one(km.private_pem(rsa2048)),
        one(km.public_pem(rsa2048)),
        one(km.private_pem(ed)),
        secret_item(STRONG),
        one(jwk_bytes({"kty": "oct", "k": km.b64u(STRONG), "alg": "HS512", "kid": "k9"})),
    ]
    forbidden = [
        *km.material_texts(rsa2048),
        *km.material_texts(ed),
        STRONG.decode(),
        km.b64u(STRONG),
        km.public_jwk(rsa2048)["n"][:20],  # not even the public members
        km.public_jwk(ed)["x"],
    ]
    for item in items:
        checked = keyimport.check(item, None, allow_weak=True)
        for obj in (item, checked):
            for text in (repr(obj), str(obj), f"{obj}", repr([obj]), repr({"k": obj})):
                for bad in forbidden:
                    assert bad not in text, (type(obj).__name__, text)
        assert checked.kid in repr(checked) and checked.alg in repr(checked)
