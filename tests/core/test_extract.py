"""extract(): the token inside whatever was pasted, its span, and what it came from."""

from __future__ import annotations

import pytest

from jwtdesk.core.extract import Extracted, extract, looks_like_token

JWS = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl-_"
JWE = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn"


def check(text: str, token: str, source_part: str) -> Extracted:
    found = extract(text)
    assert found is not None
    assert found.token == token
    assert source_part in found.source
    # The span points at the token in the text as given (URL-decoding aside).
    assert text[found.start : found.end] == token or "%" in text[found.start : found.end]
    return found


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_blank_text_has_no_token(text: str) -> None:
    assert extract(text) is None


def test_a_bare_token_is_taken_as_is_without_its_surrounding_whitespace() -> None:
    found = check(f"  {JWS}\n", JWS, "as pasted")
    assert (found.start, found.end) == (2, 2 + len(JWS))
    assert not found.wrapped


def test_a_five_segment_jwe_is_a_token_too() -> None:
    assert looks_like_token(JWE)
    check(JWE, JWE, "as pasted")
    check(f"Authorization: Bearer {JWE}", JWE, "Bearer")


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {JWS}",
        f"authorization:bearer   {JWS}\r\n",
        f"GET /api HTTP/1.1\nHost: x\nAuthorization: Bearer {JWS}\nAccept: */*",
        f"curl -H 'Authorization: Bearer {JWS}' https://api.example",
        f'curl -H "Authorization: Bearer {JWS}" https://api.example',
    ],
)
def test_authorization_bearer_lines(text: str) -> None:
    found = check(text, JWS, "Authorization: Bearer header")
    assert found.wrapped


def test_a_bare_bearer_credential_without_the_header_name() -> None:
    check(f"Bearer {JWS}", JWS, "Bearer credential")


def test_an_opaque_bearer_value_is_still_what_the_user_meant() -> None:
    # Not a JWT: handed on so the strict parser can say why.
    check("Authorization: Bearer abc123", "abc123", "Bearer")


@pytest.mark.parametrize(
    ("text", "name", "header"),
    [
        (f"Cookie: theme=dark; session={JWS}; lang=en", "session", "Cookie"),
        (f"cookie: auth={JWS}", "auth", "Cookie"),
        (f"Set-Cookie: id={JWS}; Path=/; HttpOnly; Secure", "id", "Set-Cookie"),
        (f'Set-Cookie: id="{JWS}"; Path=/', "id", "Set-Cookie"),
        (f"HTTP/1.1 200 OK\nSet-Cookie: a=b\nSet-Cookie: jwt={JWS}; Path=/", "jwt", "Set-Cookie"),
    ],
)
def test_cookie_headers(text: str, name: str, header: str) -> None:
    found = check(text, JWS, f"cookie {name!r} of the {header} header")
    assert text[found.start : found.end] == JWS


def test_a_set_cookie_attribute_is_not_a_cookie() -> None:
    # Only the first pair of Set-Cookie is the cookie; later pairs are attributes.
    found = extract(f"Set-Cookie: theme=dark; Comment={JWS}")
    assert found is not None and "Set-Cookie" not in found.source


@pytest.mark.parametrize(
    ("text", "name", "part"),
    [
        (
            f"https://app.example/cb#access_token={JWS}&token_type=Bearer",
            "access_token",
            "fragment",
        ),
        (f"https://app.example/cb?state=xyz&id_token={JWS}", "id_token", "query"),
        (f"https://app.example/?jwt={JWS}#top", "jwt", "query"),
        (f"https://app.example/login?token={JWS}", "token", "query"),
        (f"/callback?code=abc&state=q&assertion={JWS}", "assertion", "query"),
    ],
)
def test_url_parameters(text: str, name: str, part: str) -> None:
    check(text, JWS, f"URL {part} parameter {name!r}")


def test_url_named_parameter_wins_over_another_token_shaped_one() -> None:
    other = "eyJhbGciOiJub25lIn0.eyJ4IjoxfQ."
    found = check(f"https://x/?state={other}&id_token={JWS}", JWS, "'id_token'")
    assert found.token == JWS


def test_url_values_are_percent_decoded() -> None:
    encoded = JWS.replace(".", "%2E")
    found = extract(f"https://x/?access_token={encoded}")
    assert found is not None and found.token == JWS


def test_a_json_token_response() -> None:
    text = f'{{"access_token": "{JWS}", "token_type": "Bearer", "expires_in": 3600}}'
    check(text, JWS, "JSON member 'access_token'")


def test_a_token_anywhere_in_prose() -> None:
    check(f"the failing token was {JWS}, see the log", JWS, "found in the text")


def test_a_four_segment_string_is_not_cut_down_to_three() -> None:
    text = f"see {JWS}.extra here"
    found = extract(text)
    assert found is not None and found.token == text.strip()
    assert found.source == "the text as pasted"


@pytest.mark.parametrize(
    "text",
    ["hello world", "not.a token", "{}", "Bearer", "Cookie: a=b; c=d", "https://x/?q=1", "%%%"],
)
def test_garbage_is_handed_on_whole_for_the_parser_to_explain(text: str) -> None:
    found = extract(text)
    assert found is not None
    if text == "Bearer":
        assert found.token == "Bearer"
    assert found.token == text.strip()
    assert found.source == "the text as pasted"


def test_a_token_with_whitespace_inside_is_not_silently_repaired() -> None:
    broken = JWS[:20] + "\n" + JWS[20:]
    found = extract(broken)
    assert found is not None and found.token == broken  # the parser reports the whitespace


def test_extract_never_changes_its_input() -> None:
    text = f"  Authorization: Bearer {JWS}  \n"
    copy = str(text)
    extract(text)
    assert text == copy


def test_large_input_is_linear() -> None:
    import time

    text = "x" * 500_000 + " eyJ" + "a" * 200_000 + "." + "b" * 100 + ".c"
    start = time.perf_counter()
    found = extract(text)
    assert found is not None and found.token.startswith("eyJ")
    # A guard against a quadratic (backtracking) scan, which takes minutes on this input; the
    # bound is far above any machine's noise, not a speed goal.
    assert time.perf_counter() - start < 20


@pytest.mark.parametrize("suffix", ["=", "==", "+x", "/x"])
def test_a_padded_or_standard_base64_token_is_not_trimmed_into_shape(suffix: str) -> None:
    text = JWS + suffix
    found = extract(text)
    assert found is not None and found.token == text  # the parser reports the defect
