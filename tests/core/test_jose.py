"""The strict compact-JWS parser: each defect id with its position, and parse() never raises."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jwtdesk.core.jose import (
    DEFECT_IDS,
    MAX_DEPTH,
    MAX_DUPLICATES,
    MAX_TOKEN_BYTES,
    ParsedToken,
    parse,
)

KEY = b"k" * 32
HEADER = {"alg": "HS256", "typ": "JWT"}
CLAIMS = {"sub": "user-1", "iat": 1_767_225_600, "exp": 1_767_229_200}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def seg(value: dict[str, Any] | bytes) -> str:
    return b64(value if isinstance(value, bytes) else json.dumps(value).encode())


def make(
    header: dict[str, Any] | bytes = HEADER,
    claims: dict[str, Any] | bytes = CLAIMS,
    signature: bytes = b"\x01\x02\x03\x04\x05\x06",
) -> str:
    return f"{seg(header)}.{seg(claims)}.{b64(signature)}"


VALID = jwt.encode(CLAIMS, KEY, algorithm="HS256")


def defects(token: str | bytes) -> list[tuple[str, str | None, int | None]]:
    return [(d.id, d.segment, d.offset) for d in parse(token).defects]


def ids(token: str | bytes) -> list[str]:
    return [d.id for d in parse(token).defects]


# ---- well-formed tokens -------------------------------------------------------------------


def test_pyjwt_token_parses_cleanly() -> None:
    p = parse(VALID)
    h, c, s = VALID.split(".")
    assert p.well_formed and p.defects == () and not p.is_jwe
    assert p.header == HEADER and p.claims == CLAIMS and p.alg == "HS256"
    assert p.segments == (h, c, s) and p.raw == VALID
    assert p.signing_input == f"{h}.{c}".encode()
    assert p.signature == base64.urlsafe_b64decode(s + "=")
    assert p.header_bytes is not None and json.loads(p.header_bytes) == HEADER
    assert p.payload_bytes is not None and json.loads(p.payload_bytes) == CLAIMS


def test_ascii_bytes_parse_like_text() -> None:
    assert parse(VALID.encode()) == parse(VALID)


def test_unsecured_token_with_empty_signature_has_no_parser_defect() -> None:
    p = parse(make({"alg": "none"}, CLAIMS, b""))
    assert p.well_formed and p.signature == b"" and p.alg == "none"


def test_alg_property_is_none_unless_a_string() -> None:
    assert parse(make({"alg": 5}, CLAIMS)).alg is None
    assert parse("%%%.e30.AA").alg is None


# ---- whitespace and segments --------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "offset"), [(" " + VALID, 0), (VALID + "\n", len(VALID)), ("\t" + VALID + " ", 0)]
)
def test_surrounding_whitespace_is_reported_and_stripped(token: str, offset: int) -> None:
    p = parse(token)
    assert defects(token) == [("whitespace", None, offset)]
    assert p.raw == token and p.claims == CLAIMS and p.well_formed


def test_inner_whitespace_is_reported_and_the_segment_still_decoded() -> None:
    token = VALID[:10] + " " + VALID[10:]
    assert defects(token) == [("whitespace", "header", 10)]
    p = parse(token)
    assert p.header == parse(VALID).header and p.claims == CLAIMS  # decoded for display
    assert [d.id for d in p.strict_defects] == ["whitespace"]


def test_offsets_count_leading_whitespace() -> None:
    token = "  " + make(HEADER, CLAIMS) + "="
    assert ("padding", "signature", len(token) - 1) in defects(token)


@pytest.mark.parametrize(
    ("token", "count", "offset"),
    [
        ("", 1, None),
        ("abc", 1, None),
        (VALID.rsplit(".", 1)[0], 2, None),
        (VALID + ".AAAA", 4, len(VALID)),
        (VALID + ".A.B.C", 6, len(VALID)),
    ],
)
def test_segment_count(token: str, count: int, offset: int | None) -> None:
    p = parse(token)
    found = [d for d in p.defects if d.id == "segment-count"]
    assert [(d.offset, str(count) in d.message) for d in found] == [(offset, True)]
    assert len(p.segments) == count and not p.well_formed
    assert p.signature is None and p.signing_input is None


def test_two_segments_still_show_header_and_claims() -> None:
    p = parse(VALID.rsplit(".", 1)[0])
    assert p.header == HEADER and p.claims == CLAIMS


def test_five_segments_are_a_jwe_with_a_readable_header() -> None:
    header = {"alg": "RSA-OAEP", "enc": "A256GCM"}
    token = ".".join([seg(header), "ZW5jcnlwdGVka2V5", "aXY", "Y2lwaGVydGV4dA", "dGFn"])
    p = parse(token)
    assert p.is_jwe and ids(token) == ["jwe"] and p.header == header
    assert p.claims is None and p.signature is None and not p.well_formed


# ---- base64url ----------------------------------------------------------------------------


def test_padding_is_reported_at_the_first_equals_and_still_decoded() -> None:
    header = seg({"alg": "HS256"})  # 16 bytes: standard base64 would add "=="
    padded = header + "=" * (-len(header) % 4)
    assert padded != header
    token = f"{padded}.{seg(CLAIMS)}.AAAA"
    assert defects(token) == [("padding", "header", len(header))]
    assert parse(token).header == {"alg": "HS256"}


@pytest.mark.parametrize("char", ["+", "/"])
def test_standard_alphabet_is_non_canonical_but_decoded(char: str) -> None:
    token = make().rsplit(".", 1)[0] + f".AB{char}C"
    p = parse(token)
    assert defects(token) == [("non-canonical-base64", "signature", token.rindex(char))]
    assert p.signature == base64.b64decode(f"AB{char}C")


def test_non_zero_trailing_bits_are_non_canonical_but_decoded() -> None:
    header = seg({"alg": "HS256"})
    assert len(header) % 4 == 2  # last character carries 4 unused bits
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".index(header[-1])
    noisy = (
        header[:-1] + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last | 1]
    )
    token = f"{noisy}.{seg(CLAIMS)}.AAAA"
    p = parse(token)
    assert defects(token) == [("non-canonical-base64", "header", len(header) - 1)]
    assert p.header == {"alg": "HS256"} and p.well_formed


@pytest.mark.parametrize(
    ("token", "segment", "offset"),
    [
        ("eyJ!bGciOiJIUzI1NiJ9.e30.AAAA", "header", 3),
        ("eyJhbGciOiJIUzI1NiJ9.e3é0.AAAA", "payload", 23),
        ("eyJhbGciOiJIUzI1NiJ9.e30.AA=A", "signature", 27),  # '=' inside a segment
        ("eyJhbGciOiJIUzI1NiJ9.e30.AAAAA", "signature", 29),  # length % 4 == 1
        ("eyJhbGciOiJIUzI1NiJ9.e30x.AAAA", "payload", 21),  # decodes, but not JSON
    ],
)
def test_malformed_segments_report_where(token: str, segment: str, offset: int) -> None:
    assert ("malformed", segment, offset) in defects(token)
    assert not parse(token).well_formed


def test_non_ascii_bytes_are_malformed_at_their_offset() -> None:
    token = VALID.encode()[:5] + b"\xff" + VALID.encode()[5:]
    p = parse(token)
    assert defects(token)[0] == ("malformed", None, 5)
    assert p.raw == token.decode("latin-1") and not p.well_formed
    assert parse(b"ab" + "é".encode()).raw == "abé"


# ---- JSON ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"a": 1,}', "line 1, column 9"),
        (b'{"a":\n  tru}', "line 2"),
        (b"[1, 2]", "not an object"),
        (b'"text"', "not an object"),
        (b"", "not JSON"),
        (b'{"a": NaN}', "NaN"),
        (b'{"a": -Infinity}', "-Infinity"),
        (b'{"a": 1e999}', "out of range"),
        (b'{"a": ' + b"9" * 5000 + b"}", "too long"),
        (b"\xef\xbb\xbf{}", "not JSON"),  # a BOM
        (b'{"a": "x\x01"}', "not JSON"),  # raw control character
    ],
)
def test_payload_must_be_a_utf8_json_object(payload: bytes, words: str) -> None:
    p = parse(make(HEADER, payload))
    found = [d for d in p.defects if d.id == "malformed"]
    assert len(found) == 1 and found[0].segment == "payload" and words in found[0].message
    assert p.claims is None and p.payload_bytes == payload and not p.well_formed


def test_json_error_offset_points_into_the_segment() -> None:
    claims = b'{"aaaaaaaaaaaaaaaaaaaaaaaa": 1, oops}'
    token = make(HEADER, claims)
    start = token.index(".") + 1
    (found,) = [d for d in parse(token).defects if d.id == "malformed"]
    assert found.offset is not None and start + 40 <= found.offset < start + len(seg(claims))


def test_nesting_beyond_the_bound_is_malformed_without_recursion() -> None:
    deep = b'{"a":' * 20_000 + b"1" + b"}" * 20_000
    assert len(deep) * 4 // 3 < MAX_TOKEN_BYTES
    p = parse(make(HEADER, deep))
    assert p.claims is None and any("deeper" in d.message for d in p.defects)


def test_nesting_at_the_bound_is_fine_and_strings_do_not_count() -> None:
    ok = {"a": "[[[[{{{{" * 20}
    for _ in range(MAX_DEPTH - 1):
        ok = {"a": ok}
    p = parse(make(HEADER, ok))
    assert p.well_formed and p.claims == ok


def test_unterminated_string_with_brackets_is_malformed_not_deep() -> None:
    claims = b'{"a": "' + b'\\"[' * 1000
    p = parse(make(HEADER, claims))
    assert p.claims is None and any(d.id == "malformed" for d in p.defects)


def test_duplicate_members_at_any_depth_keep_the_last_value() -> None:
    header = b'{"alg":"none","alg":"HS256"}'
    claims = b'{"sub":"a","x":{"y":1,"y":2,"y":3},"l":[{"z":1,"z":2}],"sub":"b"}'
    p = parse(make(header, claims))
    assert p.duplicate_members == ("header.alg", "payload.sub", "payload.x.y", "payload.l[0].z")
    assert p.header == {"alg": "HS256"} and p.claims is not None
    assert p.claims["sub"] == "b" and p.claims["x"] == {"y": 3}
    assert [d.segment for d in p.defects if d.id == "duplicate-member"] == [
        "header",
        "payload",
        "payload",
        "payload",
    ]
    assert p.well_formed  # duplicates are a warning, not a decoding failure


def test_non_string_alg_is_malformed() -> None:
    assert ("malformed", "header", 0) in defects(make({"alg": ["HS256"]}))


@pytest.mark.parametrize("alg", ["HS256", "RS256"])
def test_empty_signature_needs_alg_none(alg: str) -> None:
    token = make({"alg": alg}, CLAIMS, b"")
    assert defects(token) == [("malformed", "signature", len(token))]


# ---- crit (RFC 7515 §4.1.11) --------------------------------------------------------------


def test_crit_naming_a_present_extension_is_unknown() -> None:
    p = parse(make({"alg": "HS256", "crit": ["exp"], "exp": 1}))
    assert [(d.id, d.segment) for d in p.defects] == [("crit-unknown", "header")]
    assert "'exp'" in p.defects[0].message and not p.well_formed


@pytest.mark.parametrize(
    ("crit", "also_unknown"),
    [("exp", False), ([], False), ([1], False), (["b64"], True), (["alg"], True)],
)
def test_malformed_crit(crit: object, also_unknown: bool) -> None:
    found = ids(make({"alg": "HS256", "crit": crit}))
    assert "malformed" in found and ("crit-unknown" in found) is also_unknown


def test_crit_listing_a_name_twice_is_malformed() -> None:
    assert ids(make({"alg": "HS256", "crit": ["x", "x"], "x": 1})) == [
        "malformed",
        "crit-unknown",
    ]


# ---- size ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [str, bytes])
def test_too_large_is_not_decoded(kind: type) -> None:
    token = VALID + "A" * (MAX_TOKEN_BYTES - len(VALID) + 1)
    p = parse(token if kind is str else token.encode())
    assert [d.id for d in p.defects] == ["too-large"] and p.segments == ()
    assert p.header is None and p.claims is None and p.signature is None


def test_size_counts_utf8_bytes_of_text() -> None:
    token = "é" * (MAX_TOKEN_BYTES // 2 + 1)
    assert ids(token) == ["too-large"]


def test_messages_never_echo_the_signature() -> None:
    signature = bytes(range(200, 248))
    tokens = [
        make(HEADER, CLAIMS, signature) + "=",
        make({"alg": "none"}, CLAIMS, signature),
        " " + make(HEADER, b"[]", signature).replace("_", "/"),
    ]
    for token in tokens:
        text = token.strip().split(".")[2]
        assert all(text[:8] not in d.message for d in parse(token).defects)


# ---- never raises -------------------------------------------------------------------------


def check_invariants(p: ParsedToken) -> None:
    assert isinstance(p, ParsedToken)
    assert all(d.id in DEFECT_IDS for d in p.defects)
    assert all(d.offset is None or 0 <= d.offset <= len(p.raw) for d in p.defects)
    if p.well_formed:
        assert len(p.segments) == 3 and p.header is not None and p.claims is not None
        assert p.signing_input is not None


@given(st.binary(max_size=400))
def test_parse_never_raises_on_bytes(data: bytes) -> None:
    check_invariants(parse(data))


@given(st.text(max_size=400))
def test_parse_never_raises_on_text(text: str) -> None:
    check_invariants(parse(text))


@given(st.lists(st.sampled_from(["e30", "eyJ", ".", "=", " ", "+", "/", "AA", "W10", "é"])))
def test_parse_never_raises_on_token_like_text(parts: list[str]) -> None:
    check_invariants(parse("".join(parts)))


MUTATIONS = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10_000), st.characters()),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.sampled_from([".", " ", "\n", "="])),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.just("")),
    st.tuples(st.just("swap"), st.integers(0, 2), st.integers(0, 2)),
)


def mutate(token: str, mutation: tuple[str, int, Any]) -> str:
    kind, where, what = mutation
    if kind == "swap":
        parts = token.split(".")
        if max(where, what) >= len(parts):
            return token
        parts[where], parts[what] = parts[what], parts[where]
        return ".".join(parts)
    i = where % (len(token) + 1)
    if kind == "flip":
        return token[:i] + what + token[i + 1 :]
    if kind == "insert":
        return token[:i] + what + token[i:]
    return token[:i] + token[i + 1 :]


@given(st.lists(MUTATIONS, min_size=1, max_size=5), st.booleans())
def test_parse_never_raises_on_mutated_tokens(mutations: list[Any], as_bytes: bool) -> None:
    token = VALID
    for mutation in mutations:
        token = mutate(token, mutation)
    check_invariants(parse(token.encode("utf-8", "surrogatepass") if as_bytes else token))


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=15,
)


@given(st.dictionaries(st.text(), JSON, max_size=6))
def test_any_json_object_round_trips(claims: dict[str, Any]) -> None:
    p = parse(make(HEADER, json.dumps(claims).encode()))
    assert p.well_formed and p.claims == claims and p.duplicate_members == ()


def test_duplicate_reports_are_bounded() -> None:
    claims = "{" + ",".join(f'"k{i}":1,"k{i}":2' for i in range(500)) + "}"
    p = parse(make(HEADER, claims.encode()))
    assert len(p.duplicate_members) == MAX_DUPLICATES and p.claims is not None
    assert p.claims["k499"] == 2
