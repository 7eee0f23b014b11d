"""The transport and storage rules: each fires where it should and stays quiet where it should
not; messages never carry the token."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest

from jwtdesk.core import har
from jwtdesk.core.extract import Extraction, extract_all
from jwtdesk.core.inspect import inspect
from jwtdesk.core.lint import CATALOGUE, rule
from jwtdesk.core.lint_transport import (
    TransportContext,
    storage_findings,
    transport_lint,
    with_transport,
)
from jwtdesk.core.lint_types import TRANSPORT_RULE_IDS, Finding
from tests.core.har_samples import (
    ACCESS,
    REFRESH,
    chrome_entry,
    chrome_har,
    login_flow_chrome,
    refresh_flow_firefox,
)

NOW = int(time.time())
T = jwt.encode({"sub": "a", "exp": NOW + 600}, "k" * 32, algorithm="HS256")
R = jwt.encode({"sub": "a", "exp": NOW + 600, "token_use": "refresh"}, "k" * 32, algorithm="HS256")
SAFE = "; HttpOnly; Secure; SameSite=Lax"


def lint_text(text: str, extraction: Extraction | None = None) -> list[Finding]:
    x = extraction or extract_all(text)
    out: list[Finding] = []
    for found in () if x.raw else x.found:  # nothing token-shaped: only the code is judged
        claims = jwt.decode(found.token, options={"verify_signature": False})
        ctx = TransportContext(found.sources, claims, datetime.now(UTC), sts_hosts=x.sts_hosts)
        out += transport_lint(ctx)
    return out + storage_findings(x.writes)


def lint_har(doc: dict[str, Any]) -> list[Finding]:
    return lint_text("", har.scan(io.StringIO(json.dumps(doc)).read, "t.har"))


def ids(findings: list[Finding]) -> set[str]:
    return {f.id for f in findings}


POSITIVE = [
    ("token-over-http", f"curl http://api.example/me -H 'Authorization: Bearer {T}'"),
    ("token-over-http", f"http://api.example/cb?access_token={T}"),
    ("token-in-url", f"https://api.example/cb?access_token={T}"),
    ("token-in-url", f"https://app.example/cb#id_token={T}"),
    ("token-in-url", f"https://app.example/verify/{T}"),
    ("cookie-no-httponly", f"Set-Cookie: jwt={T}; Secure; SameSite=Lax"),
    ("cookie-no-httponly", 'document.cookie = "jwt=" + token + "; path=/";'),
    ("cookie-no-secure", f"Set-Cookie: jwt={T}; HttpOnly; SameSite=Lax"),
    ("cookie-no-samesite", f"Set-Cookie: jwt={T}; HttpOnly; Secure"),
    ("cookie-no-samesite", f"Set-Cookie: jwt={T}; HttpOnly; SameSite=None"),
    ("cookie-outlives-token", f"Set-Cookie: jwt={T}; Max-Age=86400{SAFE}"),
    ("cookie-outlives-token", f"Set-Cookie: jwt={T}; Expires=Fri, 01 Jan 2100 00:00:00 GMT{SAFE}"),
    ("refresh-token-readable-by-js", f"Set-Cookie: refresh={R}; Secure; SameSite=Strict"),
    ("refresh-token-readable-by-js", f"Set-Cookie: rt={R}; Secure; SameSite=Strict"),  # by claims
    ("refresh-token-readable-by-js", f"localStorage.setItem('refresh_token', '{T}')"),
    ("refresh-token-readable-by-js", "sessionStorage.refreshToken = data.refresh_token;"),
    ("refresh-token-readable-by-js", "document.cookie = `refresh_token=${rt}; Secure`;"),
    ("token-in-web-storage", "localStorage.setItem('jwt_token', token)"),
    ("token-in-web-storage", "window.sessionStorage['auth'] = resp.data.accessToken"),
    ("token-in-web-storage", f"localStorage.setItem(\"t\", '{T}')"),
    (
        "token-sent-to-several-hosts",
        f"curl https://a.example -H 'Authorization: Bearer {T}'\n"
        f"curl https://b.example -H 'Authorization: Bearer {T}'",
    ),
]
NEGATIVE = [
    ("token-over-http", f"curl https://api.example/me -H 'Authorization: Bearer {T}'"),
    ("token-over-http", f"Authorization: Bearer {T}"),  # no scheme known: no claim
    ("token-in-url", f"Authorization: Bearer {T}"),
    ("token-in-url", f"curl https://api.example/?a=1 -H 'Authorization: Bearer {T}'"),
    *[(r, f"Set-Cookie: jwt={T}{SAFE}") for r in ("cookie-no-httponly", "cookie-no-secure")],
    ("cookie-no-samesite", f"Set-Cookie: jwt={T}; HttpOnly; Secure; SameSite=None"),
    ("cookie-no-samesite", f"Cookie: jwt={T}"),  # a request cookie has no attributes
    ("cookie-no-httponly", 'document.cookie = "theme=dark";'),
    ("cookie-no-httponly", "if (document.cookie == saved) { reload(); }"),
    ("cookie-outlives-token", f"Set-Cookie: jwt={T}; Max-Age=300{SAFE}"),
    ("cookie-outlives-token", f"Set-Cookie: jwt={T}{SAFE}"),  # a session cookie
    ("refresh-token-readable-by-js", f"Set-Cookie: refresh={R}{SAFE}"),
    ("refresh-token-readable-by-js", f"Set-Cookie: jwt={T}; Secure; SameSite=Lax"),
    ("token-in-web-storage", "localStorage.setItem('theme', 'dark')"),
    ("token-in-web-storage", f"const t = '{T}'"),
    (
        "token-sent-to-several-hosts",
        f"curl https://a.example/1 -H 'Authorization: Bearer {T}'\n"
        f"curl https://a.example/2 -H 'Authorization: Bearer {T}'",
    ),
    ("missing-hsts", f"Set-Cookie: jwt={T}; Secure"),  # outside a HAR: not known
]


@pytest.mark.parametrize(("rule_id", "text"), POSITIVE)
def test_rule_fires(rule_id: str, text: str) -> None:
    found = [f for f in lint_text(text) if f.id == rule_id]
    assert found, f"{rule_id} did not fire"
    for f in found:
        assert f.reference == rule(rule_id).reference and f.location == "transport"
        assert T not in f.message and R not in f.message and "eyJ" not in f.message


@pytest.mark.parametrize(("rule_id", "text"), NEGATIVE)
def test_rule_stays_quiet(rule_id: str, text: str) -> None:
    assert rule_id not in ids(lint_text(text))


def test_http_on_loopback_is_only_information() -> None:
    (f,) = [f for f in lint_text(f"http://localhost:8080/?token={T}") if f.id == "token-over-http"]
    assert f.severity.value == "info"


def test_har_rules_on_a_chrome_login_flow() -> None:
    found = lint_har(login_flow_chrome())
    assert {"missing-hsts", "token-sent-to-several-hosts", "token-over-http"} <= ids(found)
    assert {"token-in-url", "cookie-outlives-token", "refresh-token-readable-by-js"} <= ids(found)
    hsts = next(f for f in found if f.id == "missing-hsts")
    assert "auth.example" in hsts.message  # api.example sent HSTS; auth.example did not


def test_har_rules_stay_quiet_on_a_careful_site() -> None:
    entry = chrome_entry(
        "GET", "https://api.example/me",
        req_headers=[("authorization", f"Bearer {ACCESS}")],
        resp_headers=[("set-cookie", f"sid={ACCESS}; HttpOnly; Secure; SameSite=Lax"),
                      ("strict-transport-security", "max-age=63072000")],
    )  # fmt: skip
    assert ids(lint_har(chrome_har([entry]))) == set()


def test_firefox_flow_with_hsts_and_httponly_cookie_is_quiet_about_both() -> None:
    found = ids(lint_har(refresh_flow_firefox()))
    assert "missing-hsts" not in found and "cookie-no-httponly" not in found
    assert REFRESH  # sent in a form body over https: no transport finding of its own


def test_with_transport_merges_findings_errors_first() -> None:
    x = extract_all(f"http://api.example/?access_token={T}")
    report = inspect(x.found[0].token, [])
    merged = with_transport(report, x.found[0], x)
    assert ids(list(merged.findings)) >= {"token-over-http", "token-in-url"}
    ranks = [["error", "warning", "info"].index(f.severity.value) for f in merged.findings]
    assert ranks == sorted(ranks)
    assert merged.valid == report.valid  # how a token travelled never changes its verdict


def test_every_transport_rule_is_in_the_catalogue_and_tested_both_ways() -> None:
    assert {r.id for r in CATALOGUE} >= TRANSPORT_RULE_IDS
    har_only = {"missing-hsts"}
    assert {r for r, _ in POSITIVE} | har_only == TRANSPORT_RULE_IDS
    assert {r for r, _ in NEGATIVE} == TRANSPORT_RULE_IDS
