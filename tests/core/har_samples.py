"""HAR 1.2 documents in the shapes Chrome (DevTools "Save all as HAR with content") and Firefox
(Network panel "Save All As HAR") write: their extra members (_initiator, _resourceType,
_securityState, pages, timings...), HTTP/2 pseudo-headers, cookie arrays with Chrome's sameSite,
form postData with params, base64-encoded bodies. Tokens are signed here with a test secret."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt

SECRET = b"har-test-secret-of-32-bytes-long!"
NOW = int(time.time())


def token(**claims: Any) -> str:
    body = {"sub": "alice", "iss": "https://id.example", "aud": "api", "jti": "j1", **claims}
    body.setdefault("exp", NOW + 600)
    return jwt.encode(body, SECRET, algorithm="HS256")


ACCESS = token(scope="read")
REFRESH = token(token_use="refresh", jti="r1", exp=NOW + 3600)
ID_TOKEN = token(nonce="n", exp=NOW + 300)


def _timings() -> dict[str, Any]:
    return {"blocked": 1.2, "dns": -1, "ssl": -1, "connect": -1, "send": 0.1, "wait": 40.0,
            "receive": 4.3, "_blocked_queueing": 0.8}  # fmt: skip


def chrome_entry(
    method: str,
    url: str,
    *,
    req_headers: list[tuple[str, str]] = (),  # type: ignore[assignment]
    req_cookies: list[dict[str, Any]] = (),  # type: ignore[assignment]
    resp_headers: list[tuple[str, str]] = (),  # type: ignore[assignment]
    resp_cookies: list[dict[str, Any]] = (),  # type: ignore[assignment]
    body: str = "",
    base64_body: bool = False,
    mime: str = "application/json",
    post: dict[str, Any] | None = None,
    status: int = 200,
    redirect: str = "",
) -> dict[str, Any]:
    host = url.split("/")[2]
    pseudo = [(":authority", host), (":method", method), (":path", "/" + url.split("/", 3)[-1]),
              (":scheme", url.split(":", maxsplit=1)[0])]  # fmt: skip
    text = base64.b64encode(body.encode()).decode() if base64_body else body
    content: dict[str, Any] = {"size": len(body), "mimeType": mime, "text": text}
    if base64_body:
        content["encoding"] = "base64"
    request: dict[str, Any] = {
        "method": method, "url": url, "httpVersion": "http/2.0",
        "headers": [{"name": n, "value": v} for n, v in pseudo + list(req_headers)],
        "queryString": [], "cookies": list(req_cookies), "headersSize": -1, "bodySize": 0,
    }  # fmt: skip
    if post is not None:
        request["postData"] = post
    return {
        "_initiator": {"type": "script", "stack": {"callFrames": []}},
        "_priority": "High",
        "_resourceType": "fetch",
        "cache": {},
        "connection": "443",
        "pageref": "page_1",
        "request": request,
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "http/2.0",
            "headers": [{"name": n, "value": v} for n, v in resp_headers],
            "cookies": list(resp_cookies),
            "content": content,
            "redirectURL": redirect,
            "headersSize": -1,
            "bodySize": -1,
            "_transferSize": 456,
            "_error": None,
        },
        "serverIPAddress": "203.0.113.5",
        "startedDateTime": "2026-12-02T10:00:00.123Z",
        "time": 45.6,
        "timings": _timings(),
    }


def chrome_har(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "pages": [
                {
                    "startedDateTime": "2026-12-02T10:00:00.000Z",
                    "id": "page_1",
                    "title": "https://app.example/",
                    "pageTimings": {"onContentLoad": 512.3, "onLoad": 900.1},
                }
            ],
            "entries": entries,
        }
    }


def firefox_har(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "Firefox", "version": "133.0"},
            "browser": {"name": "Firefox", "version": "133.0"},
            "pages": [{"startedDateTime": "2026-12-02T10:00:00.000+01:00", "id": "page_1",
                       "pageTimings": {"onContentLoad": 300, "onLoad": 500}, "title": "App"}],
            "entries": entries,
        }
    }  # fmt: skip


def firefox_entry(
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    resp_headers: list[tuple[str, str]],
    *,
    post: dict[str, Any] | None = None,
    body: str = "",
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "bodySize": 0, "method": method, "url": url, "httpVersion": "HTTP/2",
        "headers": [{"name": n, "value": v} for n, v in headers],
        "cookies": [], "queryString": [], "headersSize": 500,
    }  # fmt: skip
    if post is not None:
        request["postData"] = post
    return {
        "pageref": "page_1",
        "startedDateTime": "2026-12-02T11:00:00.000+01:00",
        "request": request,
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/2",
            "headers": [{"name": n, "value": v} for n, v in resp_headers],
            "cookies": [],
            "content": {
                "mimeType": "application/json; charset=utf-8",
                "size": len(body),
                "text": body,
            },
            "redirectURL": "",
            "headersSize": 300,
            "bodySize": len(body),
        },
        "cache": {},
        "timings": {
            "blocked": 0,
            "dns": 0,
            "connect": 0,
            "ssl": 0,
            "send": 0,
            "wait": 30,
            "receive": 0,
        },
        "time": 30,
        "_securityState": "secure",
        "serverIPAddress": "198.51.100.7",
        "connection": "443",
    }


def login_flow_chrome() -> dict[str, Any]:
    """A login: the token response (base64 body) sets cookies; the API gets the Bearer; a
    tracker gets the token in a URL over http; a redirect carries an id_token fragment."""
    set_refresh = f"refresh_token={REFRESH}; Path=/auth; Max-Age=31536000; Secure; SameSite=None"
    return chrome_har([
        chrome_entry(
            "POST", "https://auth.example/oauth/token",
            post={"mimeType": "application/x-www-form-urlencoded",
                  "text": "grant_type=password&username=alice", "params": []},
            resp_headers=[("content-type", "application/json"), ("set-cookie", set_refresh)],
            resp_cookies=[{"name": "refresh_token", "value": REFRESH, "path": "/auth",
                           "domain": "auth.example", "expires": "2027-12-02T10:00:00.000Z",
                           "httpOnly": False, "secure": True, "sameSite": "None"}],
            body=json.dumps({"access_token": ACCESS, "token_type": "Bearer", "expires_in": 600}),
            base64_body=True,
        ),
        chrome_entry(
            "GET", "https://api.example/v1/me",
            req_headers=[("authorization", f"Bearer {ACCESS}"), ("accept", "*/*")],
            resp_headers=[("strict-transport-security", "max-age=63072000")],
            body='{"name": "Alice"}',
        ),
        chrome_entry("GET", f"http://tracker.example/pixel.gif?t={ACCESS}", mime="image/gif"),
        chrome_entry(
            "GET", "https://auth.example/authorize?client_id=app", status=302,
            resp_headers=[("location", f"https://app.example/cb#id_token={ID_TOKEN}&state=s")],
            redirect=f"https://app.example/cb#id_token={ID_TOKEN}&state=s",
        ),
    ])  # fmt: skip


def refresh_flow_firefox() -> dict[str, Any]:
    """A refresh grant as Firefox writes it: form postData with params, Set-Cookie joined by
    newlines in one header, the session cookie sent in the Cookie header."""
    set_cookies = f"sid={ACCESS}; Path=/; HttpOnly; Secure; SameSite=Lax\ntheme=dark; Path=/"
    return firefox_har([
        firefox_entry(
            "POST", "https://auth.example/oauth/token",
            [("Host", "auth.example"), ("Content-Type", "application/x-www-form-urlencoded")],
            [("Content-Type", "application/json"), ("Set-Cookie", set_cookies),
             ("Strict-Transport-Security", "max-age=31536000")],
            post={"mimeType": "application/x-www-form-urlencoded",
                  "params": [{"name": "grant_type", "value": "refresh_token"},
                             {"name": "refresh_token", "value": REFRESH}],
                  "text": f"grant_type=refresh_token&refresh_token={REFRESH}"},
            body=json.dumps({"id_token": ID_TOKEN}),
        ),
        firefox_entry(
            "GET", "https://api.example/v1/items",
            [("Host", "api.example"), ("Cookie", f"theme=dark; sid={ACCESS}")], [],
        ),
    ])  # fmt: skip
