from __future__ import annotations

import base64

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from jwtdesk.core import keys
from jwtdesk.core.algorithms import NAMES, get
from jwtdesk.core.errors import InvalidInput

# RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint.
RFC7638_N = (
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
    "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
    "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
    "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
)


def test_rfc7638_example_thumbprint() -> None:
    jwk = {"kty": "RSA", "n": RFC7638_N, "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"}
    assert keys.thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


@pytest.mark.parametrize("name", [n for n in NAMES if not n.startswith(("RS", "PS"))])
def test_generated_keys_sign_and_verify(name: str) -> None:
    alg = get(name)
    material = keys.generate(alg)
    if alg.is_symmetric:
        signing: object = material.secret.reveal()
        verifying: object = signing
        assert material.public_jwk is None
        assert material.size == 64 and len(material.secret) == 86  # base64url of 64 bytes
        assert keys.b64url_decode(material.secret.reveal().decode())  # pure base64url text
    else:
        signing = keys.load_private(alg, material.secret)
        verifying = keys.public_key_from_jwk(material.public_jwk or {})
        assert keys.thumbprint(material.public_jwk or {}) == material.kid
    token = jwt.encode({"sub": "x"}, signing, algorithm=name)  # type: ignore[arg-type]
    assert jwt.decode(token, verifying, algorithms=[name])["sub"] == "x"  # type: ignore[arg-type]


@pytest.mark.parametrize("bits", [2048, 3072])
def test_rsa_generation_sizes(bits: int) -> None:
    material = keys.generate(get("PS256"), bits)
    key = keys.load_private(get("PS256"), material.secret)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.key_size == bits == material.size
    assert key.public_key().public_numbers().e == 65537


def test_hmac_kid_is_the_rfc7638_thumbprint_of_the_oct_jwk() -> None:
    material = keys.generate(get("HS256"), 32)
    raw = material.secret.reveal()
    assert len(raw) == 43  # 32 bytes of entropy as base64url text
    assert material.kid == keys.thumbprint({"kty": "oct", "k": keys.b64url(raw)})
    assert raw.decode() not in material.kid


def test_key_family_is_enforced() -> None:
    p256 = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(InvalidInput, match="P-384"):
        keys.check_family(get("ES384"), p256)
    with pytest.raises(InvalidInput, match="RSA"):
        keys.check_family(get("RS256"), ed25519.Ed25519PrivateKey.generate())
    with pytest.raises(InvalidInput):
        keys.material_from_private(get("RS256"), rsa.generate_private_key(65537, 1024))  # noqa: S505 - the refusal under test


def test_public_pem_and_private_pem() -> None:
    alg = get("ES256")
    material = keys.generate(alg)
    pem = keys.public_pem(material.public_jwk or {})
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    private = keys.private_pem(material.secret).reveal()
    assert private.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    body = b"".join(private.splitlines()[1:-1])
    assert base64.b64decode(body) == material.secret.reveal()


def test_ec_jwk_coordinates_have_the_full_curve_width() -> None:
    material = keys.generate(get("ES512"))
    jwk = material.public_jwk or {}
    assert len(keys.b64url_decode(jwk["x"])) == 66 == len(keys.b64url_decode(jwk["y"]))


def test_bad_public_jwk_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="not a usable public JWK"):
        keys.public_key_from_jwk({"kty": "RSA", "n": "!!"})
    with pytest.raises(InvalidInput, match="thumbprint"):
        keys.thumbprint({"kty": "XYZ"})
