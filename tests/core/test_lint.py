"""The finding catalogue: every rule fires when it should and stays quiet when it should not."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import given
from hypothesis import strategies as st

from jwtdesk.core import jose
from jwtdesk.core.lint import (
    CATALOGUE,
    Finding,
    LintContext,
    Severity,
    Thresholds,
    effective_preset,
    is_common_secret,
    lint,
    looks_like_public_key,
    rule,
)
from jwtdesk.core.lint_types import TRANSPORT_RULE_IDS
from jwtdesk.core.secret import Secret

NOW = datetime(2026, 1, 1, tzinfo=UTC)
T = int(NOW.timestamp())
HEADER = {"alg": "HS256", "typ": "JWT", "kid": "2026-01-k1"}
CLAIMS = {"iss": "https://id.example", "aud": "api", "sub": "u1", "iat": T - 60, "exp": T + 600}
CLAIMS["jti"] = "j-1"
DROP = object()  # a header or claim value that removes the member
STRONG = hashlib.sha256(b"jwtdesk test key").digest()  # 32 bytes, in no public list
KNOWN_LONG = b"YouReallyShouldSetThisInConfigAndNotLeaveItThisStaticValueExampl"  # 64 bytes, listed


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make(
    header: dict[str, Any] | bytes, claims: dict[str, Any] | bytes, sig: bytes = b"s" * 6
) -> str:
    parts = [h if isinstance(h, bytes) else json.dumps(h).encode() for h in (header, claims)]
    return ".".join([*map(b64, parts), b64(sig)])


GOOD = make(HEADER, CLAIMS)


def merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = {**base, **changes}
    return {k: v for k, v in out.items() if v is not DROP}


def run(h: dict[str, Any], c: dict[str, Any], raw: str | None, kw: dict[str, Any]) -> list[Finding]:
    token = raw if raw is not None else make(merged(HEADER, h), merged(CLAIMS, c))
    return lint(LintContext(jose.parse(token), NOW, **kw))


def case(rule_id: str, h: Any = None, c: Any = None, raw: str | None = None, **kw: Any) -> Any:
    return pytest.param(rule_id, h or {}, c or {}, raw, kw, id=rule_id)


def ids(findings: list[Finding]) -> list[str]:
    return [f.id for f in findings]


JWE = ".".join([b64(b'{"alg":"RSA-OAEP","enc":"A256GCM"}'), "a2V5", "aXY", "Y3Q", "dGFn"])
STD_ALPHABET = GOOD.rsplit(".", 1)[0] + ".AB+C"
DUP_HEADER = make(b'{"alg":"HS256","alg":"HS256"}', CLAIMS)

UNSAFE_KIDS: list[object] = [
    *("../../dev/null", "keys/a", "a\\b", "' OR '1'='1", 'a"b', "k\0", "k; rm -rf", "k|x", "k&x"),
    *("$(id)", "`id`", "<k>", "k\x07", "..%2f..%2fetc", 42, ["k1"], None),
]

POSITIVE = [
    case("malformed", raw="!!!.e30.AAAA"),
    case("segment-count", raw="e30.e30"),
    case("whitespace", raw=GOOD + "\n"),
    case("too-large", raw="A" * (jose.MAX_TOKEN_BYTES + 1)),
    case("jwe", raw=JWE),
    case("padding", raw=GOOD + "="),
    case("non-canonical-base64", raw=STD_ALPHABET),
    case("duplicate-member", raw=DUP_HEADER),
    case("crit-unknown", {"crit": ["x"], "x": 1}),
    *[case("alg-none", {"alg": alg}) for alg in ["none", "None", "NONE", "nOnE", 7, DROP]],
    case("alg-confusion", hmac_key_looks_public=True),
    case("alg-confusion", {"jwk": {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}}),
    case("alg-confusion", {"x5c": ["MIIB"]}),
    case("weak-secret", hmac_secret=Secret(b"short")),
    case("weak-secret", hmac_secret=Secret(b"your-256-bit-secret")),
    case("weak-secret", hmac_secret=Secret(KNOWN_LONG)),
    case("weak-secret", {"alg": "HS512"}, hmac_secret=Secret(STRONG)),
    case("previous-key", verified_state="previous"),
    case("retired-key", retired_key="retired key of keyset api, retired 2026-05-01"),
    case("jku-header", {"jku": "https://evil.example/jwks.json"}),
    case("x5u-header", {"x5u": "https://evil.example/cert.pem"}),
    case("embedded-jwk", {"alg": "ES256", "jwk": {"kty": "EC", "x": "AA", "y": "AA"}}),
    case("x5c-header", {"alg": "RS256", "x5c": ["MIIB"]}),
    *[case("kid-injection", {"kid": kid}) for kid in UNSAFE_KIDS],
    case("typ-mismatch", {"typ": 5}),
    case("typ-mismatch", {"typ": "JOSE+JSON"}),
    case("typ-mismatch", {"typ": "at+jwt"}, preset="refresh"),
    case("typ-mismatch", {"typ": "at+jwt"}, {"token_use": "refresh"}),
    case("numeric-date", c={"exp": str(T + 600)}),
    case("numeric-date", c={"iat": True}),
    case("numeric-date", c={"nbf": None}),
    case("numeric-date", c={"exp": 10**400}),
    case("ms-timestamp", c={"iat": (T - 60) * 1000}),
    case("expired", c={"exp": T - 3600}),
    case("expired", c={"exp": T - 30}),  # the leeway's edge: not valid at exp + leeway
    case("not-yet-valid", c={"nbf": T + 3600}),
    case("nbf-after-exp", c={"nbf": T + 601}),
    case("nbf-after-exp", c={"nbf": T + 600}),
    case("iat-in-future", c={"iat": T + 3600}),
    case("no-exp", c={"exp": DROP}),
    case("long-lifetime", c={"exp": T + 7200}, preset="access"),
    case("long-lifetime", c={"exp": T + 3600}, preset="confirmation"),
    case("long-lifetime", {"typ": "at+jwt"}, {"exp": T + 7200}),
    case("long-lifetime", c={"exp": T + 7200, "iat": DROP}, preset="access"),
    case("long-lifetime", c={"exp": T + 30 * 86400}),  # kind unknown: the refresh threshold
    case(
        "long-lifetime",
        c={"exp": T + 7200},
        preset="custom",
        thresholds=Thresholds(custom=timedelta(hours=1)),
    ),
    case("missing-iss", c={"iss": DROP}),
    case("missing-aud", c={"aud": DROP}),
    case("missing-jti", c={"jti": DROP}, preset="refresh"),
    case("missing-jti", c={"jti": DROP, "token_use": "refresh"}),
    case("missing-jti", c={"jti": DROP, "purpose": "email_confirmation"}),
    case("sensitive-claim", c={"password": "hunter2"}),
    case("sensitive-claim", c={"client_secret": "x"}),
    case("sensitive-claim", c={"clientSecret": "x"}),
    case("sensitive-claim", c={"Api-Key": "x"}),
    case("sensitive-claim", c={"user": {"ssn": "078-05-1120"}}),
    case("sensitive-claim", c={"cards": ["x", "4111 1111 1111 1111"]}),
    case("sensitive-claim", c={"note": "5500-0000-0000-0004"}),
]

NEGATIVE = [
    *[case(r.id) for r in CATALOGUE],  # the baseline token triggers nothing
    case("whitespace", raw=GOOD),
    case("alg-none", {"alg": "RS256"}),
    case("alg-none", {"alg": "nonesuch"}),
    case("alg-none", raw="!!!.e30.AAAA"),  # header unreadable: no claim about alg
    case("alg-confusion", {"alg": "RS256"}, hmac_key_looks_public=True),
    case("weak-secret", hmac_secret=Secret(STRONG)),
    case("weak-secret", {"alg": "HS512"}, hmac_secret=Secret(STRONG + STRONG)),
    case("previous-key", verified_state="current"),
    case("retired-key", verified_state="current"),
    *[case("kid-injection", {"kid": kid}) for kid in ["2026-01-k1", "abc_DEF-1.v2", "key 1"]],
    case("kid-injection", {"kid": DROP}),
    *[
        case("typ-mismatch", {"typ": typ})
        for typ in ["JWT", "jwt", "at+jwt", "application/at+jwt", "application/jwt", DROP]
    ],
    case("typ-mismatch", {"typ": "at+jwt"}, preset="access"),
    case("numeric-date", c={"exp": T + 600.5, "nbf": T - 1, "iat": T - 60}),
    case("ms-timestamp", c={"exp": 9_999_999_999}),
    case("ms-timestamp", c={"exp": str(T * 1000)}),  # a string: numeric-date instead
    case("expired", c={"exp": T - 29}),
    case("expired", c={"exp": T - 3600}, leeway=timedelta(hours=2)),
    case("not-yet-valid", c={"nbf": T + 29}),
    case("not-yet-valid", c={"nbf": T - 100}),
    case("nbf-after-exp", c={"nbf": T - 100}),
    case("iat-in-future", c={"iat": T + 29}),
    case("no-exp", raw=make(HEADER, b"[]")),  # claims unreadable: no claim about exp
    case("long-lifetime", c={"exp": T + 1800}, preset="access"),
    case("long-lifetime", c={"exp": T + 5 * 86400}, preset="refresh"),
    case("long-lifetime", c={"exp": T + 10 * 365 * 86400}, preset="custom"),  # no threshold
    case("long-lifetime", c={"exp": DROP}, preset="access"),
    case("missing-jti", c={"jti": DROP}, preset="access"),
    case("missing-jti", c={"jti": DROP}),
    case("sensitive-claim", c={"pinned": True, "secret_question": "x", "spin": 1}),
    case("sensitive-claim", c={"n": "4111111111111112", "z": "0000000000000000", "p": "12345"}),
    case("sensitive-claim", c={"card": 4111111111111111}),  # a number, not a string
]


def test_every_rule_has_a_positive_and_a_negative_case() -> None:
    every = {r.id for r in CATALOGUE if r.id not in TRANSPORT_RULE_IDS}  # test_lint_transport
    assert {p.values[0] for p in POSITIVE} == every
    assert {p.values[0] for p in NEGATIVE} - TRANSPORT_RULE_IDS == every


@pytest.mark.parametrize(("rule_id", "h", "c", "raw", "kw"), POSITIVE)
def test_rule_fires(rule_id: str, h: Any, c: Any, raw: str | None, kw: dict[str, Any]) -> None:
    found = [f for f in run(h, c, raw, kw) if f.id == rule_id]
    assert found, f"{rule_id} did not fire"
    assert all(f.reference == rule(rule_id).reference and f.message for f in found)


@pytest.mark.parametrize(("rule_id", "h", "c", "raw", "kw"), NEGATIVE)
def test_rule_stays_quiet(
    rule_id: str, h: Any, c: Any, raw: str | None, kw: dict[str, Any]
) -> None:
    assert rule_id not in ids(run(h, c, raw, kw))


def test_baseline_token_has_no_findings() -> None:
    assert run({}, {}, None, {}) == []


@pytest.mark.parametrize(
    ("h", "c", "raw", "kw", "expected"),
    [
        ({"alg": "none"}, {}, None, {}, [("alg-none", "header.alg")]),
        ({"crit": ["x"], "x": 1}, {}, None, {}, [("crit-unknown", "header.crit")]),
        ({}, {"exp": T - 3600}, None, {}, [("expired", "claims.exp")]),
        ({}, {"u": {"ssn": 1}}, None, {}, [("sensitive-claim", "claims.u.ssn")]),
        ({}, {"l": [0, "4111111111111111"]}, None, {}, [("sensitive-claim", "claims.l[1]")]),
        ({}, {}, make(HEADER, b'{"sub":1,"sub":2}'), {}, [("duplicate-member", "claims.sub")]),
        ({}, {}, GOOD + "=", {}, [("padding", "signature")]),
        ({}, {}, GOOD + " ", {}, [("whitespace", None)]),
    ],
)
def test_locations(h: Any, c: Any, raw: str | None, kw: Any, expected: list[Any]) -> None:
    found = run(h, c, raw, kw)
    assert [(f.id, f.location) for f in found if f.id in {e[0] for e in expected}] == expected


def test_alg_confusion_severity_depends_on_evidence() -> None:
    found = run({"jwk": {"kty": "RSA", "n": "AA", "e": "AQAB"}}, {}, None, {})
    assert [(f.id, f.severity) for f in found if f.id == "alg-confusion"] == [
        ("alg-confusion", Severity.INFO)
    ]
    checked = run({}, {}, None, {"hmac_key_looks_public": True})
    assert [(f.id, f.severity) for f in checked] == [("alg-confusion", Severity.ERROR)]


def test_findings_sorted_errors_then_warnings_then_info() -> None:
    found = run(
        {"alg": "none", "jku": "https://x"}, {"exp": T - 3600}, None, {"verified_state": "previous"}
    )
    ranks = [list(Severity).index(f.severity) for f in found]
    assert ranks == sorted(ranks) and {f.severity for f in found} == set(Severity)


def test_parser_defects_become_findings_with_their_severity() -> None:
    found = run({}, {}, " " + STD_ALPHABET, {})
    assert [(f.id, f.severity) for f in found] == [
        ("whitespace", Severity.ERROR),
        ("non-canonical-base64", Severity.ERROR),
    ]


def test_messages_never_leak_secrets_signatures_or_long_values() -> None:
    long = "A" * 41
    h = {"kid": "/" + long * 3, "typ": long * 3, "jku": long, "crit": [long], long: 1}
    c = {"password": long, "card": "4111111111111111", "exp": long, long * 2: 1}
    secret = b"Z" * 20
    token = make(merged(HEADER, h), merged(CLAIMS, c), sig=b"\xfb" * 30) + "="
    found = lint(LintContext(jose.parse(token), NOW, hmac_secret=Secret(secret)))
    assert len(found) >= 8
    for f in found:
        assert long not in f.message and "4111" not in f.message and "ZZZZ" not in f.message
        assert token.rsplit(".", 1)[1][:8] not in f.message


@pytest.mark.parametrize(
    ("h", "c", "preset", "expected"),
    [
        ({}, {}, None, None),
        ({}, {}, "custom", "custom"),
        ({"typ": "at+jwt"}, {}, None, "access"),
        ({"typ": "application/AT+JWT"}, {"token_use": "refresh"}, None, "access"),
        ({}, {"token_use": "refresh"}, None, "refresh"),
        ({}, {"type": "Refresh_Token"}, None, "refresh"),
        ({}, {"purpose": "confirm-email"}, None, "confirmation"),
        ({}, {"token_type": "access_token"}, None, "access"),
        ({}, {"purpose": 3}, None, None),
    ],
)
def test_effective_preset(h: Any, c: Any, preset: str | None, expected: str | None) -> None:
    token = jose.parse(make(merged(HEADER, h), merged(CLAIMS, c)))
    assert effective_preset(LintContext(token, NOW, preset=preset)) == expected


def test_thresholds_defaults() -> None:
    t = Thresholds()
    assert (t.access, t.refresh, t.confirmation, t.custom) == (
        timedelta(minutes=60),
        timedelta(days=7),
        timedelta(minutes=15),
        None,
    )


# ---- catalogue ----------------------------------------------------------------------------


def test_catalogue_ids_are_unique_and_well_formed() -> None:
    names = [r.id for r in CATALOGUE]
    assert len(names) == len(set(names))
    assert all(r.summary.endswith((".", "?")) and r.reference for r in CATALOGUE)
    assert all(n == n.lower() and " " not in n for n in names)


def test_parser_defect_ids_are_rules_with_matching_severity() -> None:
    """A defect a strict RFC 7515 verifier rejects is an error: those that stop decoding and
    those of spelling alike. Only jwe (a token of another kind, named) is not."""
    rejected = jose.ERROR_IDS | jose.STRICT_IDS
    assert rejected.isdisjoint({"jwe"}) and rejected | {"jwe"} == set(jose.DEFECT_IDS)
    for defect_id in jose.DEFECT_IDS:
        assert (rule(defect_id).severity is Severity.ERROR) is (defect_id in rejected)


@pytest.mark.parametrize(
    ("rule_id", "severity"),
    [
        ("whitespace", Severity.ERROR),  # RFC 7515 §7.1: no whitespace in the compact form
        ("padding", Severity.ERROR),  # RFC 7515 §2: base64url without '='
        ("non-canonical-base64", Severity.ERROR),  # RFC 7515 §2 + RFC 4648 §3.5, §5
        ("duplicate-member", Severity.ERROR),  # RFC 7515 §4 / RFC 7519 §4 let parsers reject
        ("iat-in-future", Severity.ERROR),  # the iat check fails the verdict: same weight
    ],
)
def test_rules_whose_severity_issue_12_raised(rule_id: str, severity: Severity) -> None:
    assert rule(rule_id).severity is severity


def test_rule_lookup() -> None:
    assert rule("alg-none").severity is Severity.ERROR
    with pytest.raises(KeyError):
        rule("no-such-rule")


# ---- key and secret helpers ---------------------------------------------------------------


def _public_keys() -> list[bytes]:
    ed = ed25519.Ed25519PrivateKey.generate().public_key()
    ecdsa = ec.generate_private_key(ec.SECP256R1()).public_key()
    ssh = serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    spki = serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    rsa_jwk = {"kty": "RSA", "n": "sXch", "e": "AQAB"}
    return [
        ed.public_bytes(*spki),
        ed.public_bytes(*ssh),
        ecdsa.public_bytes(*ssh),
        b"  " + ecdsa.public_bytes(*spki),
        b"-----BEGIN RSA PUBLIC KEY-----\nMIIBCgKCAQEA\n-----END RSA PUBLIC KEY-----\n",
        b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        b"ssh-rsa AAAAB3NzaC1yc2E user@host\n",
        json.dumps(rsa_jwk).encode(),
        b'{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}',
        json.dumps({"keys": [rsa_jwk]}).encode(),
    ]


@pytest.mark.parametrize("data", _public_keys())
def test_looks_like_public_key(data: bytes) -> None:
    assert looks_like_public_key(data)


@pytest.mark.parametrize(
    "data",
    [
        STRONG,
        b"my-secret",
        b"",
        b"-----BEGIN PRIVATE KEY-----\nMC4CAQAw\n-----END PRIVATE KEY-----\n",
        b'{"kty":"oct","k":"c2VjcmV0"}',
        b'{"kty":"RSA","n":"sXch","e":"AQAB","d":"AA"}',
        b'{"kty":"RSA"}',
        b'{"keys": "x"}',
        b"{not json",
        b"{" * 100_000,
        b"[1, 2]",
    ],
)
def test_does_not_look_like_public_key(data: bytes) -> None:
    assert not looks_like_public_key(data)


@pytest.mark.parametrize(
    "secret",
    [b"secret", b"your-256-bit-secret", b"secret\n", b"secret\r\n", KNOWN_LONG, b"oracle@123 "],
)
def test_common_secrets(secret: bytes) -> None:
    assert is_common_secret(secret)


@pytest.mark.parametrize("secret", [STRONG, b"secret\n\n", b" secret", b"oracle@123", b"SECRET!x"])
def test_uncommon_secrets(secret: bytes) -> None:
    assert not is_common_secret(secret)


# ---- lint never raises --------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
MEMBERS = ("alg", "typ", "kid", "crit", "jku", "x5u", "jwk", "x5c", "exp", "nbf", "iat", "iss")
NAMES = st.sampled_from((*MEMBERS, "aud", "jti", "token_use", "purpose", "password")) | st.text()
CONTEXTS = st.fixed_dictionaries(
    {},
    optional={
        "now": st.datetimes(timezones=st.just(UTC)),
        "leeway": st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=1)),
        "preset": st.sampled_from(["access", "refresh", "confirmation", "custom", "other"]),
        "thresholds": st.builds(
            Thresholds, custom=st.none() | st.timedeltas(min_value=timedelta(0))
        ),
        "verified_state": st.sampled_from(["current", "previous"]),
        "hmac_key_looks_public": st.booleans(),
        "hmac_secret": st.binary(max_size=80).map(Secret),
    },
)


def check_lint(token: jose.ParsedToken, kw: dict[str, Any]) -> None:
    found = lint(LintContext(token, **{"now": NOW, **kw}))
    known = {r.id for r in CATALOGUE}
    assert all(f.id in known for f in found)
    ranks = [list(Severity).index(f.severity) for f in found]
    assert ranks == sorted(ranks)


@given(st.dictionaries(NAMES, JSON, max_size=8), st.dictionaries(NAMES, JSON, max_size=8), CONTEXTS)
def test_lint_never_raises_on_any_json(header: Any, claims: Any, kw: dict[str, Any]) -> None:
    raw = make(json.dumps(header).encode(), json.dumps(claims).encode())
    check_lint(jose.parse(raw), kw)


@given(st.binary(max_size=300) | st.text(max_size=300), CONTEXTS)
def test_lint_never_raises_on_any_input(data: str | bytes, kw: dict[str, Any]) -> None:
    check_lint(jose.parse(data), kw)
