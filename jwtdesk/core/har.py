"""Every token in a browser HAR 1.2 file, read as a stream in bounded memory.

A HAR (``log.entries[]``, each with a ``request`` and a ``response``) from a browser's Network
panel easily reaches hundreds of megabytes; it is read in 1 MiB chunks and decoded one entry at
a time (``json.JSONDecoder.raw_decode`` on a rolling buffer), so memory stays near the size of
the largest entry, at most :data:`MAX_ENTRY`. Tokens are looked for in request URLs, headers,
cookies and ``postData``, and in response headers (``Set-Cookie``, ``Location``), cookies,
``redirectURL`` and ``content.text`` (base64-encoded bodies are decoded). Nothing found is
written anywhere; errors name the file and the position, never content.

HAR 1.2: http://www.softwareishard.com/blog/har-12-spec/ (the format browsers export).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from jwtdesk.core.errors import InvalidInput
from jwtdesk.core.extract import Extraction, Found, Source
from jwtdesk.core.extract_find import CookieAttrs, Hit, find_hits, http_date, looks_like_token

CHUNK = 1 << 20
MAX_ENTRY = 64 << 20  # one entry (with its bodies) larger than this is refused
MAX_BODY = 16 << 20  # bodies scanned for tokens; larger ones are counted as skipped
_WS = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()
_BINARY = ("image/", "font/", "audio/", "video/", "application/octet-stream", "application/wasm")
FIX = "export it again from the browser's Network panel (Save all as HAR)"

Read = Callable[[int], str]


def scan(read: Read, name: str) -> Extraction:
    """Every token in the HAR that ``read(n)`` yields (text, n characters at a time)."""
    reader = _Reader(read, name)
    acc = _Accumulator()
    if reader.peek() != "{":
        raise InvalidInput(f"{name} is not a HAR file: it does not start with a JSON object; {FIX}")
    saw_entries = _walk_object(reader, acc, ("log",))
    if not saw_entries:
        raise InvalidInput(f"{name} is not a HAR file: it has no log.entries array; {FIX}")
    if reader.peek() != "":
        raise reader.error("text after the end of the HAR document")
    return acc.extraction(name)


def scan_text(text: str, name: str = "the pasted HAR") -> Extraction | None:
    """The tokens of a HAR pasted as text; None when the text is not a HAR at all."""
    try:
        return scan(io.StringIO(text).read, name)
    except InvalidInput:
        return None


class _Reader:
    """A rolling window over the text: consumed text is dropped as the window moves."""

    def __init__(self, read: Read, name: str) -> None:
        self.read, self.name = read, name
        self.buf, self.pos, self.consumed, self.eof = "", 0, 0, False

    def fill(self, at_least: int) -> bool:
        if self.eof:
            return False
        if self.pos:
            self.consumed += self.pos
            self.buf, self.pos = self.buf[self.pos :], 0
        chunk = self.read(max(CHUNK, at_least))
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def peek(self) -> str:
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf) or not self.fill(0):
                return self.buf[self.pos : self.pos + 1]

    def take(self, expected: str) -> str:
        char = self.peek()
        if char not in expected:
            shown = repr(char) if char else "the end of the file"
            raise self.error(f"expected {' or '.join(repr(c) for c in expected)}, found {shown}")
        self.pos += 1
        return char

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof or not self._grow():
                    raise self.error(exc.msg.lower(), exc.pos) from None
                continue
            if end == len(self.buf) and not self.eof and self._grow():
                continue  # a number or literal may go on in the next chunk
            self.pos = end
            return obj

    def _grow(self) -> bool:
        pending = len(self.buf) - self.pos
        if pending > MAX_ENTRY:
            where = self.consumed + self.pos
            raise InvalidInput(
                f"{self.name} has a value over {MAX_ENTRY >> 20} MiB at character {where}; "
                "jwtdesk reads HAR entries up to that size: export the HAR without the large body"
            )
        return self.fill(pending)  # doubles the window: re-parsing stays linear overall

    def error(self, what: str, at: int | None = None) -> InvalidInput:
        where = self.consumed + (self.pos if at is None else at)
        return InvalidInput(f"{self.name} is not valid JSON at character {where}: {what}; {FIX}")


def _walk_object(reader: _Reader, acc: _Accumulator, path: tuple[str, ...]) -> bool:
    """Walk an object, descending along ``path`` to the entries array; True if it was found."""
    reader.take("{")
    found = False
    if reader.peek() == "}":
        reader.take("}")
        return False
    while True:
        key = reader.value()
        if not isinstance(key, str):
            raise reader.error("an object member name must be a string")
        reader.take(":")
        if path and key == path[0]:
            if reader.peek() != "{":
                raise InvalidInput(f"{reader.name} is not a HAR file: log is not an object; {FIX}")
            found = _walk_object(reader, acc, path[1:]) or found
        elif not path and key == "entries":
            if reader.peek() != "[":
                raise InvalidInput(f"{reader.name} is not a HAR file: log.entries is not an array")
            _walk_entries(reader, acc)
            found = True
        else:
            reader.value()  # version, creator, pages...: small, read and dropped
        if reader.take(",}") == "}":
            return found


def _walk_entries(reader: _Reader, acc: _Accumulator) -> None:
    reader.take("[")
    if reader.peek() == "]":
        reader.take("]")
        return
    while True:
        acc.entry(reader.value())
        if reader.take(",]") == "]":
            return


class _Accumulator:
    def __init__(self) -> None:
        self.tokens: dict[str, list[Source]] = {}
        self.seen: set[tuple[str, int, str | None, str | None, bool]] = set()
        self.sts_hosts: set[str] = set()
        self.entries = 0
        self.skipped: list[str] = []

    def extraction(self, name: str) -> Extraction:
        found = tuple(Found(t, tuple(s)) for t, s in self.tokens.items())
        return Extraction(
            found,
            sts_hosts=frozenset(self.sts_hosts),
            har=name,
            entries=self.entries,
            skipped=tuple(self.skipped[:20]),
        )

    def entry(self, entry: Any) -> None:
        index = self.entries
        self.entries += 1
        if not isinstance(entry, dict):
            self.skipped.append(f"entry {index + 1} is not an object")
            return
        request, response = _dict(entry.get("request")), _dict(entry.get("response"))
        url = _str(request.get("url"))
        ctx = _Ctx(index, _str(request.get("method")) or None, url or None, _when(entry))
        self._request(ctx, request)
        self._response(ctx, response)

    def _request(self, ctx: _Ctx, request: dict[str, Any]) -> None:
        if ctx.url:
            self.add(ctx, find_hits(ctx.url)[0], "url", True)
        for name, value in _pairs(request.get("headers")):
            if not name.startswith(":"):  # HTTP/2 pseudo-headers repeat the URL
                self.add(ctx, find_hits(f"{name}: {value}")[0], "header", True, name)
        for name, value in _pairs(request.get("cookies")):
            if looks_like_token(value):
                where = f"cookie {name[:40]!r} of the request"
                self.add(ctx, [Hit(value, 0, 0, "cookie", where, name[:80])], "cookie", True)
        post = _dict(request.get("postData"))
        self._body(ctx, _str(post.get("text")), True)
        for name, value in _pairs(post.get("params")):
            if looks_like_token(value):
                hit = Hit(value, 0, 0, "body", f"the form field {name[:40]!r}", name[:80])
                self.add(ctx, [hit], "body", True)

    def _response(self, ctx: _Ctx, response: dict[str, Any]) -> None:
        for name, value in _pairs(response.get("headers")):
            low = name.lower()
            if low == "strict-transport-security" and ctx.host and ctx.scheme == "https":
                self.sts_hosts.add(ctx.host)
            for line in value.split("\n") if low == "set-cookie" else [value]:
                self.add(ctx, find_hits(f"{name}: {line}")[0], "header", False, name)
        for cookie in response.get("cookies") or ():
            if isinstance(cookie, dict) and looks_like_token(_str(cookie.get("value"))):
                name = _str(cookie.get("name"))[:80]
                where = f"cookie {name[:40]!r} of the Set-Cookie header"
                hit = Hit(
                    _str(cookie["value"]), 0, 0, "set-cookie", where, name, cookie=_attrs(cookie)
                )
                self.add(ctx, [hit], "set-cookie", False)
        redirect = _str(response.get("redirectURL"))
        if redirect:
            self.add(ctx, find_hits(redirect)[0], "url", False)
        self._body(ctx, _content(response.get("content"), self.skipped), False)

    def _body(self, ctx: _Ctx, text: str, sent: bool) -> None:
        if "eyJ" in text:
            self.add(ctx, find_hits(text)[0], "body", sent)

    def add(
        self, ctx: _Ctx, hits: list[Hit], via: str, sent: bool, header: str | None = None
    ) -> None:
        for hit in hits:
            kind = hit.kind if hit.kind in ("bearer", "cookie", "set-cookie", "url") else via
            name = hit.name if kind != "header" or hit.name else header
            if kind == "set-cookie":
                name = hit.name
            key = (hit.token, ctx.index, kind, name, sent)
            if key in self.seen:
                continue  # a Cookie header and request.cookies name the same cookie
            self.seen.add(key)
            side = "request" if sent else "response"
            where = f"{hit.where} of {side} {ctx.index + 1}"
            url = hit.url if kind == "url" and hit.url else ctx.url
            self.tokens.setdefault(hit.token, []).append(
                Source(
                    "har", where, via=kind, name=name, part=hit.part, url=url, method=ctx.method,
                    host=ctx.host, scheme=ctx.scheme, cookie=hit.cookie,
                    sent=sent and kind != "set-cookie", at=ctx.at, entry=ctx.index,
                )
            )  # fmt: skip


class _Ctx:
    __slots__ = ("at", "host", "index", "method", "scheme", "url")

    def __init__(
        self, index: int, method: str | None, url: str | None, at: datetime | None
    ) -> None:
        self.index, self.method, self.url, self.at = index, method, url, at
        try:
            split = urlsplit(url or "")
            self.scheme, self.host = (split.scheme.lower() or None), split.hostname
        except ValueError:
            self.scheme, self.host = None, None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _pairs(items: Any) -> list[tuple[str, str]]:
    if not isinstance(items, list):
        return []
    return [
        (_str(i.get("name")), _str(i.get("value")))
        for i in items
        if isinstance(i, dict) and isinstance(i.get("value"), str)
    ]


def _when(entry: dict[str, Any]) -> datetime | None:
    try:
        when = datetime.fromisoformat(_str(entry.get("startedDateTime")))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _attrs(cookie: dict[str, Any]) -> CookieAttrs:
    """Response cookie fields (HAR 1.2 §cookies; sameSite is Chrome's addition)."""
    expires = _str(cookie.get("expires"))
    when = None
    if expires:
        try:
            when = datetime.fromisoformat(expires).astimezone(UTC)
        except ValueError:
            when = http_date(expires)
    same_site = cookie.get("sameSite")
    return CookieAttrs(
        http_only=cookie.get("httpOnly") is True,
        secure=cookie.get("secure") is True,
        same_site=same_site if isinstance(same_site, str) else None,
        expires=when,
        domain=_str(cookie.get("domain")).lstrip(".").lower() or None,
        path=_str(cookie.get("path")) or None,
    )


def _content(content: Any, skipped: list[str]) -> str:
    """The response body as text: base64 decoded; binary types and huge bodies left out."""
    content = _dict(content)
    text = _str(content.get("text"))
    mime = _str(content.get("mimeType")).lower()
    if not text or mime.startswith(_BINARY):
        return ""
    if len(text) > MAX_BODY:
        skipped.append(f"a {len(text) >> 20} MiB body was not searched")
        return ""
    if content.get("encoding") == "base64":
        try:
            return base64.b64decode(text, validate=False).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            skipped.append("a base64 body did not decode")
            return ""
    return text
