"""Wycheproof vectors (C2SP/wycheproof, carried in tests/vectors/wycheproof) against the verifier.

Two levels, because the vectors carry two kinds of input:

- JOSE files (``json_web_signature_test.json``, ``json_web_key_test.json``): compact tokens and
  JWK / JWK Set keys, run through :func:`jwtdesk.core.inspect.inspect` with candidates from
  :func:`keyfile.from_jwk` (a JWKS goes through :func:`keyfile.load`, the product's key-file
  path). No vector payload is a JSON object ("foo", "Test", RFC 7520 prose...), and a JWT
  claims set must be one (RFC 7519 §7.2 step 10), so ``inspect()`` never reports a vector
  token valid: for a ``valid`` vector the test asserts that the *only* failed checks are the
  structure (payload not a claims set) and the signature check it skips because of that, and
  that the JWS signature layer accepts it: the parsed token is well formed apart from the
  payload JSON, and :func:`inspect.verify` accepts it with a candidate. For an ``invalid``
  vector the test asserts ``inspect()`` is not valid and no candidate verifies it at all.
- Primitive files (ECDSA P1363, Ed25519, RSA PKCS#1 v1.5 / PSS, HMAC): the message is arbitrary
  bytes, so they run at the :func:`inspect.verify` level with a ParsedToken that carries only
  ``signing_input`` (the message) and ``signature`` (all verify() reads).

Not run, with the reason:

- json_web_encryption_test.json is not run as decryption vectors: jwtdesk never decrypts a JWE.
  ``test_jwe_is_never_valid`` only checks that every JWE token there is rejected (and that
  five-segment ones are named as JWE).
- json_web_crypto_test.json: an older combined file, 81 of its 83 tokens are repeated in the
  three files above; not run.
- Nothing for want of files: the vectors live in the repository, and a missing or altered file
  fails collection (or ``test_every_file_is_present_and_complete``), never skips.

Run, but asserted against jwtdesk's documented policy instead of the label (see the tables):

- json_web_signature tcId 367 and 370: byte-identical to tcId 357 (labelled valid) but labelled
  invalid; the padding was lost upstream (C2SP/wycheproof issue #236). No verifier can pass all
  three; they are asserted to be judged exactly as 357 is.

- RFC 7520 Figures 20/27 (tcId 346, 347, 350, 351, labelled valid): the JWK's ``alg`` (PS256,
  and "ES521", which is not a JWA name) does not match the token's alg. jwtdesk binds a key to
  its JWK alg (RFC 8725 §3.1), which is also what rejects the WrongPrimitive cases 332-340.
- tcId 372/373 (labelled valid, "InvalidCharacterInserted..."): a ``?`` inside the header or
  payload; strict base64url (RFC 7515 §2) rejects them; upstream notes they are mislabelled.
- json_web_key tcId 1 (mixed HMAC/EC set), 4 (duplicate kid), 7 (ROCA modulus): jwtdesk binds
  every key to its family, so a mixed set cannot confuse algorithms, and it tries each key
  whose kid matches; it has no ROCA fingerprint check. The signature verifies.
- json_web_key tcId 10-12 (HMAC key shorter than the hash, RFC 7518 §3.2): the MAC verifies;
  jwtdesk reports the key through the ``weak-secret`` lint rule (error severity), which
  ``test_short_hmac_jwk_is_reported_weak`` checks on a JWT signed with the same key.
- HMAC files: only full-length tags are JWS MACs (RFC 7518 §3.2). Truncated-tag cases, valid or
  not as HMAC, are asserted rejected. Full-tag cases with a key shorter than the hash verify as
  HMAC; they are asserted to verify and to raise ``weak-secret``.
- rsa_signature_2048_sha256 tcId 8 (acceptable, MissingNull legacy DigestInfo): rejected.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from jwtdesk.core import keyfile
from jwtdesk.core.algorithms import ALGORITHMS, KeyType
from jwtdesk.core.errors import InvalidInput
from jwtdesk.core.inspect import Report, inspect, verify
from jwtdesk.core.jose import ERROR_IDS, ParsedToken
from jwtdesk.core.keyfile import Candidate
from jwtdesk.core.secret import Secret

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
WYCHEPROOF = VECTORS / "wycheproof"


# ---- Finding the vectors ------------------------------------------------------------------


class VectorMissing(AssertionError):
    """A vector file the suite carries is absent or altered: a failure, never a skip."""


@functools.cache
def _sums() -> dict[str, str]:
    lines = (WYCHEPROOF / "SHA256SUMS").read_text(encoding="ascii").splitlines()
    return {name: digest for digest, name in (line.split() for line in lines if line.strip())}


def vector_path(name: str) -> Path:
    """The path of a Wycheproof file the suite carries, checked against SHA256SUMS."""
    path = WYCHEPROOF / name
    if not path.is_file():
        raise VectorMissing(f"{path} is missing: restore tests/vectors (see its README)")
    if hashlib.sha256(path.read_bytes()).hexdigest() != _sums().get(name):
        raise VectorMissing(f"{path} does not match tests/vectors/wycheproof/SHA256SUMS")
    return path


@functools.cache
def _document(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(vector_path(name).read_text(encoding="utf-8"))
    return doc


def _tests(name: str) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for group in _document(name)["testGroups"]:
        for test in group["tests"]:
            yield group, test


def cases(name: str, prefix: str = "") -> list[Any]:
    """(group, test) parameters with readable ids; a missing file fails collection."""
    return [
        pytest.param(group, test, id=f"{prefix}tc{test['tcId']}-{test['comment'][:40]}")
        for group, test in _tests(name)
    ]


def stub(message: bytes, signature: bytes) -> ParsedToken:
    """What verify() reads of a token: the signing input and the signature bytes."""
    return ParsedToken("", (), None, None, None, None, signature, message, False, (), ())


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# ---- JOSE files: inspect() and the JWS signature layer --------------------------------------


class Policy(NamedTuple):
    accepts: bool  # what jwtdesk's signature layer does, against the label
    why: str


JWS = "json_web_signature_test.json"
JWK = "json_web_key_test.json"

JWS_POLICY = {
    367: Policy(True, "byte-identical to tcId 357 (valid): padding lost upstream, wycheproof#236"),
    370: Policy(True, "byte-identical to tcId 357 (valid): padding lost upstream, wycheproof#236"),
    346: Policy(False, "JWK alg PS256 vs token PS384: a key is bound to its alg (RFC 8725 §3.1)"),
    350: Policy(False, "JWK alg PS256 vs token PS384: a key is bound to its alg (RFC 8725 §3.1)"),
    347: Policy(False, "JWK alg 'ES521' is not a JWA name: the key file is refused"),
    351: Policy(False, "JWK alg 'ES521' is not a JWA name: the key file is refused"),
    372: Policy(False, "'?' in the header is not base64url (RFC 7515 §2); mislabelled upstream"),
    373: Policy(False, "'?' in the payload is not base64url (RFC 7515 §2); mislabelled upstream"),
}
JWK_POLICY = {
    1: Policy(True, "mixed HMAC/EC set: keys are family-bound, the EC key never keys HMAC"),
    4: Policy(True, "duplicate kid: every key with the token's kid is tried"),
    7: Policy(True, "ROCA modulus: jwtdesk has no ROCA fingerprint check"),
    10: Policy(True, "HMAC key shorter than the hash: reported by the weak-secret lint rule"),
    11: Policy(True, "HMAC key shorter than the hash: reported by the weak-secret lint rule"),
    12: Policy(True, "HMAC key shorter than the hash: reported by the weak-secret lint rule"),
}


def jose_candidates(group: dict[str, Any]) -> list[Candidate]:
    """The verification keys of a JOSE group: ``public`` if given, else the (oct) ``private``."""
    key = group.get("public", group["private"])
    if isinstance(key.get("keys"), list):
        return keyfile.load(json.dumps(key).encode(), "jwks")
    return [keyfile.from_jwk(key, "jwk")]


def signature_layer(report: Report, candidates: list[Candidate]) -> Candidate | None:
    """The candidate that verifies the token as a compact JWS, ignoring only the JWT rule that
    the payload be a JSON object: every other structural error still rejects it."""
    parsed = report.token
    algorithm = ALGORITHMS.get(parsed.alg or "")
    if algorithm is None or len(parsed.segments) != 3 or parsed.header is None:
        return None
    if parsed.payload_bytes is None:  # the payload is not even base64url
        return None
    if any(d.id in ERROR_IDS and d.segment != "payload" for d in parsed.defects):
        return None
    if parsed.strict_defects:  # a second spelling: strict verifiers reject it (RFC 7515 §2)
        return None
    return next((c for c in candidates if verify(parsed, algorithm, c)), None)


def failed(report: Report) -> list[str]:
    return [c.name for c in report.checks if c.status == "failed"]


def check(report: Report, name: str) -> Any:
    return next(c for c in report.checks if c.name == name)


def run_jose(group: dict[str, Any], test: dict[str, Any], policy: Policy | None) -> Report:
    try:
        candidates, refused = jose_candidates(group), None
    except InvalidInput as exc:
        candidates, refused = [], exc
    report = inspect(test["jws"], candidates)
    accepts = policy.accepts if policy else test["result"] == "valid"
    by = signature_layer(report, candidates)
    why = policy.why if policy else test["comment"]
    assert (by is not None) is accepts, f"tcId {test['tcId']}: {why}"
    if refused is not None:
        assert not accepts, f"tcId {test['tcId']}: the key was refused: {refused}"
    if report.token.claims is not None:  # a claims set: inspect() decides alone
        assert report.valid is accepts
        return report
    assert not report.valid
    assert report.verified_by is None
    if accepts:
        # Rejected only because the payload is not a JWT claims set, never for the signature.
        assert failed(report) == ["structure", "signature"]
        assert check(report, "structure").error_id == "malformed"
        assert check(report, "signature").reason.startswith("not checked")
        assert check(report, "kid").status in ("passed", "skipped")
    return report


@pytest.mark.parametrize(("group", "test"), cases(JWS))
def test_json_web_signature(group: dict[str, Any], test: dict[str, Any]) -> None:
    tc = test["tcId"]
    report = run_jose(group, test, JWS_POLICY.get(tc))
    if tc in (346, 350):
        assert check(report, "kid").error_id == "alg-mismatch"
    if tc in (372, 373):
        assert check(report, "structure").error_id == "malformed"
    if tc == 375:  # MacOfIncorrectlyEncodedMessage: the MAC covers the non-canonical text
        assert "non-canonical-base64" in {e[0] for e in report.errors}
    if tc in (360, 365, 368):  # spaces in the MAC, header or payload: decoded, then refused
        assert "whitespace" in {e[0] for e in report.errors}
        assert report.token.header is not None
    if test["comment"] == "rejectsAttackerProvidedEmbeddedJwk":
        assert "embedded-jwk" in {f.id for f in report.findings}


@pytest.mark.parametrize(("group", "test"), cases(JWK))
def test_json_web_key(group: dict[str, Any], test: dict[str, Any]) -> None:
    report = run_jose(group, test, JWK_POLICY.get(test["tcId"]))
    if test["tcId"] == 1:
        assert report.token.alg == "HS256"
        by = signature_layer(report, jose_candidates(group))
        assert by is not None and by.kty is KeyType.OCT


@pytest.mark.parametrize("tc", [10, 11, 12])
def test_short_hmac_jwk_is_reported_weak(tc: int) -> None:
    """The keys of json_web_key tcId 10-12 verify, but a JWT under them is flagged weak-secret."""
    vector_path(JWK)
    group = next(g for g, t in _tests(JWK) if t["tcId"] == tc)
    (cand,) = jose_candidates(group)
    assert isinstance(cand.key, Secret) and cand.alg
    header = b64url(json.dumps({"alg": cand.alg, "kid": cand.kid}).encode())
    payload = b64url(json.dumps({"sub": "wycheproof"}).encode())
    digest = getattr(hashlib, f"sha{cand.alg[2:]}")
    signature = hmac.new(cand.key.reveal(), f"{header}.{payload}".encode(), digest).digest()
    report = inspect(f"{header}.{payload}.{b64url(signature)}", [cand])
    assert report.valid and report.verified_by == cand
    assert "weak-secret" in {f.id for f in report.findings}


def test_jwe_is_never_valid() -> None:
    """jwtdesk names a compact JWE and never decrypts or accepts one."""
    vector_path("json_web_encryption_test.json")
    for _, test in _tests("json_web_encryption_test.json"):
        report = inspect(test["jwe"], [])
        assert not report.valid
        if test["jwe"].count(".") == 4:
            assert report.token.is_jwe
            assert check(report, "structure").error_id == "jwe"


# ---- Primitive files: verify() with a stand-in token ------------------------------------------


def public_key(group: dict[str, Any], jwk_member: str = "publicKeyJwk") -> Candidate:
    """From the group's JWK when it has one, else its PEM (9 ECDSA groups per curve have none)."""
    if jwk_member in group:
        return keyfile.from_jwk(group[jwk_member], "vector")
    (cand,) = keyfile.load(group["publicKeyPem"].encode(), "vector")
    return cand


ECDSA = {
    "ES256": "ecdsa_secp256r1_sha256_p1363_test.json",
    "ES384": "ecdsa_secp384r1_sha384_p1363_test.json",
    "ES512": "ecdsa_secp521r1_sha512_p1363_test.json",
}


@pytest.mark.parametrize(
    ("alg", "group", "test"),
    [
        pytest.param(alg, *p.values, id=p.id, marks=p.marks)
        for alg, name in ECDSA.items()
        for p in cases(name, f"{alg}-")
    ],
)
def test_ecdsa_p1363(alg: str, group: dict[str, Any], test: dict[str, Any]) -> None:
    """ES256/384/512 take raw r||s of the curve's width (RFC 7518 §3.4): IEEE P1363."""
    assert group["sha"] == f"SHA-{ALGORITHMS[alg].hash_bits}"
    cand = public_key(group)
    assert cand.curve == ALGORITHMS[alg].curve
    token = stub(bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"]))
    assert verify(token, ALGORITHMS[alg], cand) is (test["result"] == "valid")


@pytest.mark.parametrize(("group", "test"), cases("ed25519_test.json"))
def test_ed25519(group: dict[str, Any], test: dict[str, Any]) -> None:
    cand = public_key(group)
    token = stub(bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"]))
    assert verify(token, ALGORITHMS["EdDSA"], cand) is (test["result"] == "valid")


@pytest.mark.parametrize(("group", "test"), cases("rsa_signature_2048_sha256_test.json"))
def test_rsa_pkcs1_rs256(group: dict[str, Any], test: dict[str, Any]) -> None:
    assert (group["sha"], group["keySize"]) == ("SHA-256", 2048)
    cand = public_key(group, "keyJwk")
    token = stub(bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"]))
    # "acceptable" is only tcId 8 (MissingNull: a DigestInfo without its NULL, a legacy
    # encoding). cryptography verifies PKCS#1 v1.5 by comparing the whole encoded block, so
    # jwtdesk rejects it: the strict outcome, asserted here.
    assert verify(token, ALGORITHMS["RS256"], cand) is (test["result"] == "valid")


@pytest.mark.parametrize(("group", "test"), cases("rsa_pss_2048_sha256_mgf1_32_test.json"))
def test_rsa_pss_ps256(group: dict[str, Any], test: dict[str, Any]) -> None:
    assert (group["sha"], group["mgfSha"], group["sLen"]) == ("SHA-256", "SHA-256", 32)
    cand = public_key(group)
    token = stub(bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"]))
    assert verify(token, ALGORITHMS["PS256"], cand) is (test["result"] == "valid")


HMAC = {
    "HS256": "hmac_sha256_test.json",
    "HS384": "hmac_sha384_test.json",
    "HS512": "hmac_sha512_test.json",
}


@pytest.mark.parametrize(
    ("alg", "group", "test"),
    [
        pytest.param(alg, *p.values, id=p.id, marks=p.marks)
        for alg, name in HMAC.items()
        for p in cases(name, f"{alg}-")
    ],
)
def test_hmac(alg: str, group: dict[str, Any], test: dict[str, Any]) -> None:
    algorithm = ALGORITHMS[alg]
    key = bytes.fromhex(test["key"])
    cand = Candidate("vector", KeyType.OCT, Secret(key))
    got = verify(stub(bytes.fromhex(test["msg"]), bytes.fromhex(test["tag"])), algorithm, cand)
    if group["tagSize"] < algorithm.hash_bits:
        # A JWS MAC is the whole HMAC output (RFC 7518 §3.2): a truncated tag never verifies,
        # even where it is a correct truncated HMAC (labelled valid).
        assert got is False
        return
    assert got is (test["result"] == "valid")
    if group["keySize"] < algorithm.hash_bits and got:
        # A correct MAC under a key shorter than the hash (RFC 7518 §3.2 forbids the key):
        # verify() checks the MAC; the key is reported by the weak-secret lint rule.
        header = b64url(json.dumps({"alg": alg}).encode())
        payload = b64url(b'{"sub":"wycheproof"}')
        digest = getattr(hashlib, f"sha{algorithm.hash_bits}")
        mac = hmac.new(key, f"{header}.{payload}".encode(), digest).digest()
        report = inspect(f"{header}.{payload}.{b64url(mac)}", [cand])
        assert report.valid
        assert "weak-secret" in {f.id for f in report.findings}


def test_every_file_is_present_and_complete() -> None:
    """The counts of the README: a truncated or swapped file would silently run fewer cases."""
    expected = {
        JWS: 401,
        JWK: 26,
        "json_web_encryption_test.json": 139,
        "ed25519_test.json": 151,
        "rsa_signature_2048_sha256_test.json": 259,
        "rsa_pss_2048_sha256_mgf1_32_test.json": 108,
        **dict.fromkeys(HMAC.values(), 174),
        ECDSA["ES256"]: 262,
        ECDSA["ES384"]: 280,
        ECDSA["ES512"]: 318,
    }
    assert set(expected) == set(_sums())  # every carried file is run, and only those
    for name, count in expected.items():
        vector_path(name)
        assert sum(1 for _ in _tests(name)) == count, name
