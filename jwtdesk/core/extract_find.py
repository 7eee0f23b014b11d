"""The finders of :mod:`jwtdesk.core.extract`: one regex-driven pass per carrier over the text.

Each finder yields :class:`Hit` (the token as it appears, its span and carrier); the first
finder to claim a span keeps it (Bearer, cookies, web storage, URLs, JSON members, then tokens
anywhere). Every regex here is linear in the text. A token that runs across a line break
(a terminal or mail client wrapped it) is found whole and handed on with the break in it, so the
strict parser reports the whitespace instead of jwtdesk silently repairing the token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import NamedTuple
from urllib.parse import unquote

# Parameter and member names that carry tokens (OAuth 2.0, OIDC, common frameworks).
TOKEN_NAMES = (
    "access_token",
    "id_token",
    "refresh_token",
    "token",
    "jwt",
    "assertion",
    "logout_token",
    "session",
    "auth",
)
_SEG = r"[A-Za-z0-9_-]"
# A compact JWS (3 segments) or JWE (5 segments, some possibly empty; RFC 7516 §7.1).
_SHAPE = rf"{_SEG}+(?:\.{_SEG}*){{4}}|{_SEG}+\.{_SEG}*\.{_SEG}*"
_TOKEN = re.compile(rf"(?:{_SHAPE})\Z")
_B64DOT = re.compile(r"[A-Za-z0-9_.-]+\Z")
# A token start anywhere: base64url JSON ("eyJ" is '{"'), not inside a longer word.
_START = re.compile(r"(?<![A-Za-z0-9_.=+/-])eyJ[A-Za-z0-9_.-]*")
_PATH_TOKEN = re.compile(r"(?<=/)eyJ[A-Za-z0-9_.-]*(?![A-Za-z0-9_.=+%-])")
_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")
_PIECE = re.compile(r"[A-Za-z0-9_.-]+")
_STOPS = frozenset(" \t\r\n;&\"',)<>]}`\\")
_BEARER = re.compile(
    r"(?i)(?<![A-Za-z])(?:(authorization\s*:\s*)?bearer[ \t]+|--oauth2-bearer[ \t]+['\"]?)"
    r"([^\s\"',;]+)"
)
_COOKIE = re.compile(
    r"(?im)(?:^[ \t]*(?:[>-][ \t]*)?|(?<=['\"]))(set-cookie|cookie)[ \t]*:[ \t]*([^\r\n]*)"
)
_CURL_COOKIE = re.compile(r"(?m)(?:(?<=\s)|^)(?:-b|--cookie)[ \t]+(['\"]?)([^\r\n]*)")
_URL = re.compile(r"(?i)\b(?:https?|wss?)://[^\s\"'<>`\\]+")
_PARAM = re.compile(r"([?#&;])([A-Za-z0-9_.\-\[\]]+)=([^&#\s\"'<>]*)")
_JSON_MEMBER = re.compile(r'"([A-Za-z0-9_]+)"\s*:\s*"([A-Za-z0-9_.\-]+)"')
_STORAGE_CALL = re.compile(
    r"\b(localStorage|sessionStorage)\s*\.\s*setItem\s*\(\s*"
    r"(?:(['\"`])([^'\"`\n]{0,100})\2|([^,\n]{1,100}))\s*,\s*([^\n;]{1,200})"
)
_STORAGE_SET = re.compile(
    r"\b(localStorage|sessionStorage)\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(['\"`])([^'\"`\n]{0,100})"
    r"\3\s*\])\s*=(?!=)\s*([^\n;]{1,200})"
)
# document.cookie = "jwt=" + token + "; path=/": a cookie set by a script is never HttpOnly.
_DOC_COOKIE = re.compile(r"\bdocument\s*\.\s*cookie\s*=(?!=)\s*([^\n]{1,300})")
_COOKIE_NAME = re.compile(r"^[\s(]*['\"`]\s*([A-Za-z0-9_.\-]{1,80})\s*=")
_CODE = re.compile(
    r"\b(?:const|let|var|function|localStorage|sessionStorage|document\.cookie|fetch|axios)\b|=>"
)
_STORAGE_METHODS = frozenset({"setItem", "getItem", "removeItem", "clear", "key", "length"})


@dataclass(frozen=True, slots=True)
class CookieAttrs:
    """The attributes of a Set-Cookie (RFC 6265 §5.2), as far as they bear on a token."""

    http_only: bool = False
    secure: bool = False
    same_site: str | None = None  # as given: "Strict", "Lax", "None", ...
    max_age: int | None = None  # seconds; wins over expires (RFC 6265 §5.3 step 3)
    expires: datetime | None = None
    domain: str | None = None
    path: str | None = None


class Hit(NamedTuple):
    token: str  # as it appears (URL values percent-decoded)
    start: int
    end: int
    kind: str  # bearer, cookie, set-cookie, url, json, js, raw
    where: str
    name: str | None = None
    part: str | None = None
    url: str | None = None
    cookie: CookieAttrs | None = None
    storage: str | None = None


class Write(NamedTuple):
    storage: str
    key: str
    value: str
    start: int
    end: int
    token: str | None


def looks_like_token(text: str) -> bool:
    """Three (JWS) or five (JWE) dot-separated base64url segments, nothing else."""
    return _TOKEN.match(text) is not None


def token_end(text: str, start: int, end: int) -> int | None:
    """Where the token starting at ``start`` ends, following line breaks inside it; None when
    ``text[start:end]`` (with any continuation lines) is not token-shaped."""
    joined = text[start:end]
    complete = looks_like_token(joined)
    best = end if complete else None
    if not _B64DOT.match(joined):
        return best
    pos = end
    for _ in range(64):  # wrapped lines; nobody pastes a 64-line token
        brk = _BREAK.match(text, pos)
        piece = _PIECE.match(text, brk.end()) if brk else None
        if brk is None or piece is None:
            break
        after = text[piece.end() : piece.end() + 1]
        part = piece.group()
        if after and after not in _STOPS:
            break  # the next line is something else ("Host: x")
        if complete and (part.startswith("eyJ") or "." in part or brk.group()[0] in " \t"):
            break  # a complete token, then another one or other text
        joined += part
        if joined.count(".") > 4:
            break
        pos = piece.end()
        complete = looks_like_token(joined)
        if complete:
            best = pos
    return best


def parse_set_cookie(attributes: str) -> CookieAttrs:
    """The attributes after a Set-Cookie's first ';' (RFC 6265 §5.2); unknown ones ignored."""
    flags: dict[str, object] = {}
    for item in attributes.split(";"):
        name, _, value = item.partition("=")
        key, value = name.strip().lower(), value.strip()
        if key in ("httponly", "secure"):
            flags["http_only" if key == "httponly" else "secure"] = True
        elif key == "samesite":
            flags["same_site"] = value
        elif key == "max-age" and re.fullmatch(r"-?\d{1,12}", value):
            flags["max_age"] = int(value)
        elif key == "expires":
            flags["expires"] = http_date(value)
        elif key in ("domain", "path") and value:
            flags[key] = value.lstrip(".").lower() if key == "domain" else value
    return CookieAttrs(**flags)  # type: ignore[arg-type]


def http_date(value: str) -> datetime | None:
    """An HTTP or cookie date ("Wed, 21 Oct 2015 07:28:00 GMT", also with '-'), UTC."""
    try:
        when = parsedate_to_datetime(value.replace("-", " "))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def find_hits(text: str) -> tuple[list[Hit], list[Write]]:
    """Every token in ``text`` (first claim on a span wins), in text order, and the code that
    writes to web storage."""
    writes = list(_writes(text)) if "Storage" in text or "cookie" in text else []
    taken: list[tuple[int, int]] = []
    hits: list[Hit] = []
    finders: list[Callable[[str], Iterator[Hit]]] = [_urls, _params, _json, _anywhere]
    if writes:
        finders.insert(0, _storage_hits(writes))
    # Cheap literal checks first: a 20 KB response body rarely names a cookie or a Bearer.
    if "ookie" in text or "OOKIE" in text or "-b" in text:
        finders.insert(0, _cookies)
    if "earer" in text or "EARER" in text:
        finders.insert(0, _bearer)
    for finder in finders:
        for hit in finder(text):
            if not any(hit.start < e and s < hit.end for s, e in taken):
                taken.append((hit.start, hit.end))
                hits.append(hit)
    hits.sort(key=lambda h: h.start)
    return hits, writes


def _value(text: str, start: int, end: int) -> tuple[str, int] | None:
    stop = token_end(text, start, end)
    return None if stop is None else (text[start:stop], stop)


def _bearer(text: str) -> Iterator[Hit]:
    for m in _BEARER.finditer(text):
        start, end = m.start(2), m.end(2)
        stop = token_end(text, start, end) or end  # an opaque value: the parser says why
        where = "the Authorization: Bearer header" if m.group(1) else "the Bearer credential"
        yield Hit(text[start:stop], start, stop, "bearer", where, "Authorization")


def _cookies(text: str) -> Iterator[Hit]:
    for m in _COOKIE.finditer(text):
        value, base = m.group(2), m.start(2)
        before = text[m.start() - 1 : m.start()] if m.start() else ""
        if before in ("'", '"') and before in value:
            value = value[: value.index(before)]  # -H 'Cookie: ...' ends at its quote
        yield from _pairs(text, value, base, m.group(1).lower())
    for m in _CURL_COOKIE.finditer(text):
        value, quote = m.group(2), m.group(1)
        if quote and quote in value:
            value = value[: value.index(quote)]
        if "=" in value:  # else it names a cookie file
            yield from _pairs(text, value, m.start(2), "cookie")


def _pairs(text: str, value: str, base: int, header: str) -> Iterator[Hit]:
    # Set-Cookie carries one cookie; its attributes (Path, Expires...) follow the first ';'.
    first, _, attributes = value.partition(";")
    pairs = [first] if header == "set-cookie" else value.split(";")
    attrs = parse_set_cookie(attributes) if header == "set-cookie" else None
    label = "Set-Cookie" if header == "set-cookie" else "Cookie"
    offset = base
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        start = offset + len(name) + len(sep) + (len(raw) - len(raw.lstrip()))
        offset += len(pair) + 1
        cookie = raw.strip()
        if len(cookie) >= 2 and cookie[0] == cookie[-1] == '"':
            start += 1  # RFC 6265 §4.1.1 quoted value
        end = start + len(cookie.strip('"'))
        found = _value(text, start, end) if sep else None
        if found is not None:
            where = f"cookie {name.strip()[:40]!r} of the {label} header"
            yield Hit(found[0], start, found[1], header, where, name.strip()[:80], cookie=attrs)


def _writes(text: str) -> Iterator[Write]:
    for m in _STORAGE_CALL.finditer(text):
        key = m.group(3) if m.group(2) else "?"
        yield _write(m.group(1), key, m.group(5), m.start(), m.end())
    for m in _STORAGE_SET.finditer(text):
        key = m.group(2) or m.group(4) or "?"
        if m.group(2) in _STORAGE_METHODS:
            continue
        yield _write(m.group(1), key, m.group(5), m.start(), m.end())
    for m in _DOC_COOKIE.finditer(text):
        name = _COOKIE_NAME.match(m.group(1))
        value = m.group(1).split(";\n")[0].rstrip().rstrip(";")
        shown = "a token literal" if "eyJ" in value else value[:59] + "…" * (len(value) > 59)
        key = name.group(1) if name else "?"
        yield Write("document.cookie", key, shown, m.start(), m.end(), None)


def _write(storage: str, key: str, value: str, start: int, end: int) -> Write:
    value = value.rstrip()
    while value.endswith(")") and value.count(")") > value.count("("):
        value = value[:-1].rstrip()  # the closing parenthesis of setItem(...)
    token = None
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"`":
        inner = value[1:-1]
        token = inner if looks_like_token(inner) else None
    shown = "a token literal" if token else value if len(value) <= 60 else value[:59] + "…"
    return Write(storage, key[:80], shown, start, end, token)


def _storage_hits(writes: list[Write]) -> Callable[[str], Iterator[Hit]]:
    def finder(text: str) -> Iterator[Hit]:
        for w in writes:
            if w.token is None:
                continue
            start = text.find(w.token, w.start, w.end)
            where = f"{w.storage} key {w.key[:40]!r} in the code"
            yield Hit(w.token, start, start + len(w.token), "js", where, w.key, storage=w.storage)

    return finder


def _urls(text: str) -> Iterator[Hit]:
    for m in _URL.finditer(text):
        url = m.group()
        for p in _PARAM.finditer(text, m.start(), m.end()):
            hit = _param(text, p, url)
            if hit is not None:
                yield hit
        cut = [i for i in (url.find("?"), url.find("#")) if i != -1]
        path_end = m.start() + min(cut) if cut else m.end()
        for t in _PATH_TOKEN.finditer(text, m.start(), path_end):
            if looks_like_token(t.group()):
                yield Hit(t.group(), t.start(), t.end(), "url", "the URL path", None, "path", url)


def _params(text: str) -> Iterator[Hit]:
    for p in _PARAM.finditer(text):
        hit = _param(text, p, None)
        if hit is not None:
            yield hit


def _param(text: str, m: re.Match[str], url: str | None) -> Hit | None:
    name, raw = m.group(2), m.group(3)
    start, end = m.start(3), m.end(3)
    if "%" in raw:
        value = unquote(raw)
        if not looks_like_token(value):
            return None
    else:
        found = _value(text, start, end)
        if found is None:
            return None
        value, end = found
    part = "fragment" if _in_fragment(text, start) else "query"
    where = f"the URL {part} parameter {name[:40]!r}"
    return Hit(value, start, end, "url", where, name[:80], part, url)


def _in_fragment(text: str, position: int) -> bool:
    hash_at = text.rfind("#", 0, position + 1)
    return hash_at != -1 and not any(c.isspace() for c in text[hash_at:position])


def _json(text: str) -> Iterator[Hit]:
    """A token response or config: {"access_token": "eyJ..."} (RFC 6749 §5.1)."""
    for m in _JSON_MEMBER.finditer(text):
        name, value = m.group(1), m.group(2)
        if looks_like_token(value):
            where = f"the JSON member {name[:40]!r}"
            yield Hit(value, m.start(2), m.end(2), "json", where, name[:80])


def _anywhere(text: str) -> Iterator[Hit]:
    code = _CODE.search(text) is not None
    for m in _START.finditer(text):
        after = text[m.end() : m.end() + 1]
        if after and after not in _STOPS:
            continue  # cut out of a padded or standard-base64 token: the parser must see it all
        stop = token_end(text, m.start(), m.end())
        if stop is None:
            continue
        quoted = m.start() > 0 and text[m.start() - 1] in "'\"`"
        kind, where = ("js", "a string in the code") if code and quoted else ("raw", "")
        yield Hit(
            text[m.start() : stop], m.start(), stop, kind, where or "a token found in the text"
        )
