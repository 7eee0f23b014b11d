"""Known JWT verifier attacks, replayed against jwtdesk.core.inspect: each must be refused.

Every attack token is built here by hand (PyJWT refuses to build most of them), and every test
also checks a control: the honest token under the same keys is valid, so a refusal is the
attack's doing and not a broken fixture.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

from jwtdesk.core import keyfile
from jwtdesk.core.algorithms import KeyType
from jwtdesk.core.inspect import Expectations, Report, inspect
from jwtdesk.core.keys import public_jwk
from jwtdesk.core.secret import Secret
from jwtdesk.core.weak import looks_like_public_key

NOW = datetime(2026, 1, 1, tzinfo=UTC)
T = int(NOW.timestamp())
CLAIMS = {"iss": "https://id.example", "sub": "alice", "iat": T - 60, "exp": T + 600}
FORGED = {**CLAIMS, "sub": "admin", "role": "admin"}
AT = Expectations(at=NOW)
SECRET = hashlib.sha256(b"jwtdesk attack tests: the honest HMAC key").digest()
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def encode(obj: dict[str, Any]) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def signing_input(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{encode(header)}.{encode(claims)}"


def hs256(header: dict[str, Any], claims: dict[str, Any], key: bytes) -> str:
    data = signing_input(header, claims)
    return f"{data}.{b64url(hmac.new(key, data.encode(), hashlib.sha256).digest())}"


def es256(
    header: dict[str, Any], claims: dict[str, Any], key: ec.EllipticCurvePrivateKey, raw: bool
) -> str:
    data = signing_input(header, claims)
    der = key.sign(data.encode(), ec.ECDSA(hashes.SHA256()))
    if not raw:
        return f"{data}.{b64url(der)}"
    r, s = utils.decode_dss_signature(der)
    return f"{data}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def ids(report: Report) -> set[str]:
    return {f.id for f in report.findings}


def refused(report: Report) -> None:
    assert not report.valid
    assert report.verified_by is None
    assert report.errors


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def openssh(key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )


# ---- CVE-2015-9235: RS256 -> HS256 algorithm confusion --------------------------------------


def test_cve_2015_9235_public_key_candidate_never_keys_hmac(rsa_key: rsa.RSAPrivateKey) -> None:
    """CVE-2015-9235: an HS256 token MACed with the RSA public key PEM is not verified by that
    RSA public key, whether it comes from a PEM file or a JWK: keys are family-bound."""
    data = signing_input({"alg": "RS256"}, CLAIMS).encode()
    honest = f"{data.decode()}.{b64url(rsa_key.sign(data, padding.PKCS1v15(), hashes.SHA256()))}"
    attack = hs256({"alg": "HS256", "typ": "JWT"}, FORGED, pem(rsa_key))
    for cands in (
        keyfile.load(pem(rsa_key), "rsa.pem"),
        [keyfile.from_jwk(public_jwk(rsa_key.public_key()), "rsa.jwk")],
        [keyfile.from_public_key(rsa_key.public_key(), "rsa")],
    ):
        assert [c.kty for c in cands] == [KeyType.RSA]
        assert inspect(honest, cands, AT).valid
        report = inspect(attack, cands, AT)
        refused(report)
        assert next(c for c in report.checks if c.name == "signature").status == "skipped"


def test_cve_2015_9235_pem_offered_as_secret_file(rsa_key: rsa.RSAPrivateKey) -> None:
    """CVE-2015-9235: a --secret-file holding the public key PEM is recognised as a public key
    (never turned into an HMAC candidate); the token is invalid and alg-confusion is reported."""
    key_text = pem(rsa_key)
    assert looks_like_public_key(key_text.strip())  # what TokenService.secret_candidate checks
    attack = hs256({"alg": "HS256"}, FORGED, key_text)
    report = inspect(attack, [], AT._replace(public_key_offered_as_secret=True))
    refused(report)
    assert "alg-confusion" in ids(report)
    # With the RSA key also given as a key file the outcome is the same.
    both = inspect(
        attack, keyfile.load(key_text, "k.pem"), AT._replace(public_key_offered_as_secret=True)
    )
    refused(both)
    assert "alg-confusion" in ids(both)


# ---- CVE-2018-0114: a key embedded in the header --------------------------------------------


def test_cve_2018_0114_embedded_jwk_is_never_trusted(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """CVE-2018-0114 (node-jose): the attacker signs with their own key and embeds its public
    JWK in the header; jwtdesk verifies only with the caller's keys and flags embedded-jwk."""
    honest_cands = [keyfile.from_public_key(ec_key.public_key(), "ours", kid="k1")]
    honest = es256({"alg": "ES256", "kid": "k1"}, CLAIMS, ec_key, raw=True)
    assert inspect(honest, honest_cands, AT).valid
    attacker = ec.generate_private_key(ec.SECP256R1())
    header = {"alg": "ES256", "kid": "k1", "jwk": public_jwk(attacker.public_key())}
    attack = es256(header, FORGED, attacker, raw=True)
    for cands in (honest_cands, []):
        report = inspect(attack, cands, AT)
        refused(report)
        assert "embedded-jwk" in ids(report)
    # The same with the attacker's RSA key under RS256.
    rsa_attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    header = {"alg": "RS256", "jwk": public_jwk(rsa_attacker.public_key())}
    data = signing_input(header, FORGED).encode()
    sig = rsa_attacker.sign(data, padding.PKCS1v15(), hashes.SHA256())
    report = inspect(f"{data.decode()}.{b64url(sig)}", [], AT)
    refused(report)
    assert "embedded-jwk" in ids(report)


# ---- CVE-2020-28042: empty or stripped signature --------------------------------------------


@pytest.mark.parametrize("strip", ["empty", "stripped", "dot-dot"])
def test_cve_2020_28042_missing_signature(strip: str) -> None:
    """CVE-2020-28042 (ServiceStack): an HS256 token whose signature is empty or cut off is
    not valid, even with the right HMAC key offered."""
    cands = [keyfile.Candidate("secret", KeyType.OCT, Secret(SECRET), source="secret")]
    honest = hs256({"alg": "HS256"}, CLAIMS, SECRET)
    assert inspect(honest, cands, AT).valid
    data = signing_input({"alg": "HS256"}, FORGED)
    token = {"empty": f"{data}.", "stripped": data, "dot-dot": f"{data}.."}[strip]
    refused(inspect(token, cands, AT))
    refused(inspect(honest.rsplit(".", 1)[0] + ".", cands, AT))


# ---- CVE-2022-21449: ECDSA "psychic signatures" ---------------------------------------------


@pytest.mark.parametrize(
    "sig",
    [
        pytest.param(bytes(64), id="r=s=0"),
        pytest.param(P256_N.to_bytes(32, "big") * 2, id="r=s=n"),
        pytest.param(bytes(32) + (1).to_bytes(32, "big"), id="r=0"),
        pytest.param((1).to_bytes(32, "big") + bytes(32), id="s=0"),
        pytest.param(bytes(63), id="63-zero-bytes"),
        pytest.param(b"", id="empty"),
    ],
)
def test_cve_2022_21449_psychic_signature(ec_key: ec.EllipticCurvePrivateKey, sig: bytes) -> None:
    """CVE-2022-21449 (Java 15-18): an ES256 signature with r = s = 0 (all-zero 64 bytes) or
    its relatives verifies any message on a broken verifier; jwtdesk refuses them."""
    cands = [keyfile.from_public_key(ec_key.public_key(), "ec")]
    assert inspect(es256({"alg": "ES256"}, CLAIMS, ec_key, raw=True), cands, AT).valid
    token = f"{signing_input({'alg': 'ES256'}, FORGED)}.{b64url(sig)}"
    refused(inspect(token, cands, AT))


def test_cve_2022_21449_der_signature_is_not_a_jws_signature(
    ec_key: ec.EllipticCurvePrivateKey,
) -> None:
    """RFC 7518 §3.4: ES256 signatures are raw r||s; a genuine DER-encoded signature (the form
    that Java parsed and CVE-2022-21449 abused) over the very same input is refused."""
    cands = [keyfile.from_public_key(ec_key.public_key(), "ec")]
    refused(inspect(es256({"alg": "ES256"}, CLAIMS, ec_key, raw=False), cands, AT))
    der_zero = bytes.fromhex("3006020100020100")  # SEQUENCE { INTEGER 0, INTEGER 0 }
    refused(inspect(f"{signing_input({'alg': 'ES256'}, FORGED)}.{b64url(der_zero)}", cands, AT))


# ---- CVE-2022-29217: OpenSSH public keys as HMAC secrets ------------------------------------


@pytest.mark.parametrize("kind", ["ssh-ed25519", "ecdsa-sha2-nistp256"])
def test_cve_2022_29217_openssh_key_as_hmac_secret(kind: str) -> None:
    """CVE-2022-29217 (PyJWT < 2.4): with algorithms left open, an OpenSSH public key
    ("ssh-ed25519 ...", "ecdsa-sha2-nistp256 ...") became an HMAC secret. jwtdesk treats it as
    a public key: as a key file it never keys HMAC, as a secret file it is flagged."""
    private = ed25519.Ed25519PrivateKey.generate() if kind == "ssh-ed25519" else None
    private_key = private or ec.generate_private_key(ec.SECP256R1())
    text = openssh(private_key)
    assert text.startswith(kind.encode())
    assert looks_like_public_key(text)
    attack = hs256({"alg": "HS256"}, FORGED, text)
    attack_nl = hs256({"alg": "HS256"}, FORGED, text + b"\n")
    (cand,) = keyfile.load(text, "id.pub")
    assert cand.kty in (KeyType.OKP, KeyType.EC)
    for token in (attack, attack_nl):
        refused(inspect(token, [cand], AT))
        report = inspect(token, [], AT._replace(public_key_offered_as_secret=True))
        refused(report)
        assert "alg-confusion" in ids(report)


# ---- CVE-2022-39227: python-jwt JSON / compact polyglot -------------------------------------


def test_cve_2022_39227_polyglot_token() -> None:
    """CVE-2022-39227 (python-jwt < 3.3.4): a JSON-serialised JWS whose first key smuggles a
    compact token with forged claims; the honest protected/payload/signature verify while the
    forged claims were read. jwtdesk reads compact JWS only and refuses the polyglot."""
    cands = [keyfile.Candidate("secret", KeyType.OCT, Secret(SECRET), source="secret")]
    honest = hs256({"alg": "HS256"}, CLAIMS, SECRET)
    assert inspect(honest, cands, AT).valid
    header, payload, sig = honest.split(".")
    forged = encode(FORGED)
    polyglot = json.dumps(
        {f"  {header}.{forged}.": "", "protected": header, "payload": payload, "signature": sig}
    )
    report = inspect(polyglot, cands, AT)
    refused(report)
    # The parser still shows what it could decode (the forged claims), but as unverified: the
    # structure check fails and no signature check is made over the smuggled segments.
    assert {c.name: c.status for c in report.checks}["structure"] == "failed"
    assert not report.token.well_formed
    # The same idea as a plain compact token: forged payload, honest header and signature.
    refused(inspect(f"{header}.{forged}.{sig}", cands, AT))
    # And with the smuggled compact token appended or prepended to the honest one.
    refused(inspect(f"{honest}.{forged}", cands, AT))
    refused(inspect(f"{header}.{forged}.{honest}", cands, AT))


# ---- CVE-2024-53861: PyJWT partial issuer match ---------------------------------------------


@pytest.mark.parametrize(
    ("expected", "iss"),
    [
        ("abc", "ab"),
        ("abc", "__abc__"),
        ("abc", "b"),
        ("abc", ""),
        ("abc", "ABC"),
        ("acme-corp", "acme"),
        ("acme", "acme-corp"),
        ("abc", ["abc"]),
        ("abc", ["a", "b", "c"]),
        ("abc", None),
    ],
)
def test_cve_2024_53861_issuer_must_match_exactly(expected: str, iss: object) -> None:
    """CVE-2024-53861 (PyJWT 2.10.0): iss was checked with `in` against a str, so "ab" passed
    for "abc". jwtdesk compares iss by exact string equality (RFC 7519 §4.1.1)."""
    cands = [keyfile.Candidate("secret", KeyType.OCT, Secret(SECRET), source="secret")]
    expect = AT._replace(iss=expected)
    honest = hs256({"alg": "HS256"}, {**CLAIMS, "iss": expected}, SECRET)
    assert inspect(honest, cands, expect).valid
    claims = {k: v for k, v in CLAIMS.items() if k != "iss"}
    if iss is not None:
        claims["iss"] = iss
    report = inspect(hs256({"alg": "HS256"}, claims, SECRET), cands, expect)
    assert report.verified_by is not None  # the signature is fine: the issuer decides
    assert not report.valid
    assert [e for e, _ in report.errors] == ["iss-mismatch"]


# ---- alg "none" in every spelling ------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE", " none", "none "])
@pytest.mark.parametrize("signature", ["", "hmac", "garbage"])
def test_alg_none_in_any_spelling(alg: str, signature: str) -> None:
    """RFC 8725 §3.1 / CVE-2015-2951 family: an unsecured token (alg none, any case) is never
    valid, with or without a signature, even when a key for the claimed kid is offered."""
    cands = [keyfile.Candidate("secret", KeyType.OCT, Secret(SECRET), kid="k1", source="secret")]
    data = signing_input({"alg": alg, "kid": "k1"}, FORGED)
    sig = {
        "": "",
        "hmac": b64url(hmac.new(SECRET, data.encode(), hashlib.sha256).digest()),
        "garbage": b64url(b"\x00" * 32),
    }[signature]
    report = inspect(f"{data}.{sig}", cands, AT)
    refused(report)
    assert "alg-none" in ids(report)
    alg_check = next(c for c in report.checks if c.name == "alg")
    assert alg_check.status == "failed"
    # The alg check names surrounding-space spellings "unsupported" (not a JWA name), the lint
    # rule calls them alg-none; either way the token is refused.
    assert alg_check.error_id == ("alg-none" if alg == alg.strip() else "alg-unsupported")


def test_missing_alg_is_unsecured() -> None:
    """A header with no alg at all is treated as unsecured (RFC 7515 §4.1.1: alg is required)."""
    cands = [keyfile.Candidate("secret", KeyType.OCT, Secret(SECRET), source="secret")]
    data = signing_input({"typ": "JWT"}, FORGED)
    token = f"{data}.{b64url(hmac.new(SECRET, data.encode(), hashlib.sha256).digest())}"
    report = inspect(token, cands, AT)
    refused(report)
    assert "alg-none" in ids(report)
