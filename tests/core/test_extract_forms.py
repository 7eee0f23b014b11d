"""extract_all(): every token in each input form, with the source the transport lint needs."""

from __future__ import annotations

import pytest

from jwtdesk.core.extract import Extraction, Source, extract_all, mask_token

A = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWE"
B = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJlLWI"


def only(x: Extraction) -> tuple[str, Source]:
    assert len(x.found) == 1, x.found
    return x.found[0].token, x.found[0].source


def test_a_bare_token_is_raw() -> None:
    token, source = only(extract_all(f"\n {A} \n"))
    assert token == A and source.kind == "raw" and not source.wrapped
    assert (source.start, source.end) == (2, 2 + len(A))


def test_bearer_header() -> None:
    token, s = only(extract_all(f"Authorization: Bearer {A}"))
    assert (token, s.kind, s.name, s.sent, s.scheme) == (A, "bearer", "Authorization", True, None)


def test_cookie_header_gives_every_token_cookie() -> None:
    x = extract_all(f"Cookie: theme=dark; access={A}; refresh={B}")
    assert x.tokens == (A, B)
    assert [(f.source.kind, f.source.name) for f in x.found] == [
        ("cookie", "access"),
        ("cookie", "refresh"),
    ]


def test_set_cookie_header_with_its_attributes() -> None:
    text = f"Set-Cookie: jwt={A}; Path=/; Domain=.app.example; Max-Age=3600; Secure; SameSite=Lax"
    token, s = only(extract_all(text))
    assert token == A and s.kind == "set-cookie" and not s.sent
    assert s.cookie is not None
    assert (s.cookie.secure, s.cookie.http_only, s.cookie.same_site) == (True, False, "Lax")
    assert (s.cookie.max_age, s.cookie.domain, s.cookie.path) == (3600, "app.example", "/")


def test_set_cookie_expires_in_both_date_spellings() -> None:
    for date in ("Wed, 21 Oct 2037 07:28:00 GMT", "Wed, 21-Oct-2037 07:28:00 GMT"):
        _, s = only(extract_all(f"Set-Cookie: jwt={A}; Expires={date}; HttpOnly"))
        assert s.cookie is not None and s.cookie.http_only
        assert s.cookie.expires is not None and s.cookie.expires.year == 2037


@pytest.mark.parametrize(
    ("text", "part", "scheme", "host"),
    [
        (f"https://app.example/cb?state=x&id_token={A}", "query", "https", "app.example"),
        (f"http://app.example/cb#access_token={A}&x=1", "fragment", "http", "app.example"),
        (f"see https://app.example/verify/{A}/done", "path", "https", "app.example"),
        (f"/callback?assertion={A}", "query", None, None),
    ],
)
def test_urls(text: str, part: str, scheme: str | None, host: str | None) -> None:
    token, s = only(extract_all(text))
    assert (token, s.kind, s.part, s.scheme, s.host) == (A, "url", part, scheme, host)


def test_curl_command_line_with_continuations() -> None:
    text = (
        f"curl -X PUT 'http://api.example/v1/items?jwt={A}' \\\n"
        f"  -H 'Authorization: Bearer {B}' \\\n"
        f"  -b 'sid={B}; theme=dark' --data '{{}}'"
    )
    x = extract_all(text)
    assert x.tokens == (A, B)
    for found in x.found:
        for s in found.sources:
            assert (s.kind, s.method, s.scheme, s.host) == ("curl", "PUT", "http", "api.example")
    assert {s.via for s in x.found[1].sources} == {"bearer", "cookie"}
    assert x.found[0].source.via == "url" and x.found[0].source.part == "query"


def test_curl_oauth2_bearer_option_and_default_method() -> None:
    token, s = only(extract_all(f"curl --oauth2-bearer {A} https://api.example/me"))
    assert (token, s.kind, s.via, s.method, s.scheme) == (A, "curl", "bearer", "GET", "https")


def test_raw_http_request() -> None:
    text = (
        f"POST /api/v1/orders?debug=1&token={B} HTTP/1.1\r\nHost: shop.example\r\n"
        f"Authorization: Bearer {A}\r\nContent-Type: application/json\r\n\r\n"
        '{"note": "hi"}'
    )
    x = extract_all(text)
    assert x.tokens == (B, A)
    url, bearer = x.found[0].source, x.found[1].source
    assert (url.kind, url.via, url.part, url.method, url.host) == (
        "http", "url", "query", "POST", "shop.example"
    )  # fmt: skip
    assert (bearer.kind, bearer.via, bearer.sent, bearer.scheme) == ("http", "bearer", True, None)


def test_raw_http_response_with_date_set_cookie_and_json_body() -> None:
    text = (
        "HTTP/1.1 200 OK\nDate: Wed, 02 Dec 2026 10:00:00 GMT\n"
        f"Set-Cookie: refresh_token={B}; HttpOnly; Secure; SameSite=Strict\n\n"
        f'{{"access_token": "{A}", "token_type": "Bearer"}}'
    )
    x = extract_all(text)
    cookie, body = x.found[0].source, x.found[1].source
    assert (cookie.kind, cookie.via, cookie.sent) == ("http", "set-cookie", False)
    assert cookie.at is not None and cookie.at.isoformat() == "2026-12-02T10:00:00+00:00"
    assert (body.kind, body.via, body.name, body.sent) == ("http", "body", "access_token", False)


def test_javascript_storage_writes() -> None:
    text = (
        "fetch('/login').then(r => r.json()).then(d => {\n"
        "  localStorage.setItem('jwt_token', d.token);\n"
        f"  sessionStorage['refresh'] = '{B}';\n"
        "  localStorage.theme = 'dark';\n"
        "});"
    )
    x = extract_all(text)
    assert [(w.storage, w.key, w.token) for w in x.writes] == [
        ("localStorage", "jwt_token", None),
        ("sessionStorage", "refresh", B),
        ("localStorage", "theme", None),
    ]
    token, s = only(x)
    assert (token, s.kind, s.storage, s.name) == (B, "js", "sessionStorage", "refresh")
    assert x.writes[1].value == "a token literal"  # never the token itself


def test_a_token_literal_in_code_is_js() -> None:
    token, s = only(extract_all(f"const token = '{A}';\nfetch(url, {{headers: {{}}}});"))
    assert (token, s.kind) == (A, "js")


def test_json_token_response() -> None:
    token, s = only(extract_all(f'{{"id_token": "{A}", "expires_in": 300}}'))
    assert (token, s.kind, s.name) == (A, "json", "id_token")


@pytest.mark.parametrize("cut", [10, 20, 21, 45, len(A) - 3])
@pytest.mark.parametrize("fmt", ["{}", "Authorization: Bearer {}\nHost: x", "https://x/?t={}&a=1"])
def test_a_token_split_across_a_line_break_is_found_whole(cut: int, fmt: str) -> None:
    broken = A[:cut] + "\n" + A[cut:]
    x = extract_all(fmt.format(broken))
    token, s = only(x)
    assert token == broken and s.split  # the parser reports the line break; nothing is joined


def test_a_crlf_wrapped_token_over_three_lines() -> None:
    broken = A[:20] + "\r\n" + A[20:40] + "\r\n" + A[40:]
    token, s = only(extract_all(f"token: {broken}\r\n"))
    assert token == broken and s.split


def test_two_tokens_on_consecutive_lines_stay_two() -> None:
    assert extract_all(f"{A}\n{B}\n").tokens == (A, B)


def test_a_line_after_a_token_is_not_glued_on() -> None:
    x = extract_all(f"Authorization: Bearer {A}\nAccept: */*\n")
    assert x.tokens == (A,)


@pytest.mark.parametrize("defect", ["=", "==", "+x", "/x"])
def test_non_canonical_tokens_are_handed_on_unmodified(defect: str) -> None:
    for text in (f"Bearer {A}{defect}", f"Set-Cookie: s={A}{defect}; Secure"):
        x = extract_all(text)
        assert x.tokens[0].endswith(defect) or x.raw, text


def test_the_same_token_in_two_places_is_one_token_seen_twice() -> None:
    x = extract_all(f"Cookie: a={A}\nhttps://x.example/?t={A}")
    (found,) = x.found
    assert [s.kind for s in found.sources] == ["cookie", "url"]


def test_nothing_token_shaped_is_handed_on_whole() -> None:
    x = extract_all("  hello world  ")
    assert x.raw and x.tokens == ("hello world",)
    assert extract_all(" \n").found == ()


def test_mask_keeps_only_the_header() -> None:
    assert mask_token(A) == "eyJhbGciOiJIUzI1NiJ9.••••••••"
