"""Find the token in what a user pasted: a bare token, an ``Authorization: Bearer`` line, a
``Cookie``/``Set-Cookie`` header, a URL with a token parameter, or a JSON token response.

Qt-free and pure: :func:`extract` never changes the text it is given; it returns the token it
found, where in the text it is, and a few words on what it was taken from, so the view can say
so. Text in which nothing token-shaped is found is handed on whole (minus surrounding
whitespace) for the strict parser to explain what is wrong with it.
"""

from __future__ import annotations

import re
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
# Anywhere in text: starts like base64url JSON ("eyJ" is '{"'), not part of a longer word, and
# not cut out of a padded or standard-base64 token, whose defects the parser must report.
_JWT_LIKE = re.compile(rf"(?<![A-Za-z0-9_.=+/-])(?=eyJ)(?:{_SHAPE})(?![A-Za-z0-9_.=+/-])")
_BEARER = re.compile(r"(?i)(?<![A-Za-z])(authorization\s*:\s*)?bearer[ \t]+([^\s\"',;]+)")
_COOKIE = re.compile(r"(?im)^[ \t]*(?:[>-]\s*|-H\s*['\"]?)?(set-cookie|cookie)[ \t]*:[ \t]*(.*)$")
_PARAM = re.compile(r"([?#&;])([A-Za-z0-9_.\-\[\]]+)=([^&#\s\"'<>]*)")
_JSON_MEMBER = re.compile(r'"([A-Za-z0-9_]+)"\s*:\s*"([A-Za-z0-9_.\-]+)"')


class Extracted(NamedTuple):
    token: str  # what to inspect
    source: str  # what it was taken from, for people: "the Authorization: Bearer header"
    start: int  # span of the token in the text as given
    end: int

    @property
    def wrapped(self) -> bool:
        """True when the token was taken out of something larger than itself."""
        return self.source not in ("the token as pasted", "the text as pasted")


def looks_like_token(text: str) -> bool:
    """Three (JWS) or five (JWE) dot-separated base64url segments, nothing else."""
    return _TOKEN.match(text) is not None


def extract(text: str) -> Extracted | None:
    """The token in ``text`` and what it came from; None for empty or blank text."""
    stripped = text.strip()
    if not stripped:
        return None
    lead = len(text) - len(text.lstrip())
    if looks_like_token(stripped):
        return Extracted(stripped, "the token as pasted", lead, lead + len(stripped))
    for finder in (_bearer, _cookie, _url_parameter, _json_member, _anywhere):
        found = finder(text)
        if found is not None:
            return found
    return Extracted(stripped, "the text as pasted", lead, lead + len(stripped))


def _bearer(text: str) -> Extracted | None:
    m = _BEARER.search(text)
    if m is None:
        return None
    source = "the Authorization: Bearer header" if m.group(1) else "the Bearer credential"
    return Extracted(m.group(2), source, m.start(2), m.end(2))


def _cookie(text: str) -> Extracted | None:
    for m in _COOKIE.finditer(text):
        header, value, base = m.group(1).lower(), m.group(2), m.start(2)
        # Set-Cookie carries one cookie; its attributes (Path, Expires...) follow the first ';'.
        pairs = value.split(";", 1)[:1] if header == "set-cookie" else value.split(";")
        offset = base
        for pair in pairs:
            name, sep, raw = pair.partition("=")
            start = offset + len(name) + len(sep)
            offset += len(pair) + 1
            cookie = raw.strip()
            start += len(raw) - len(raw.lstrip())
            if cookie.startswith('"') and cookie.endswith('"') and len(cookie) >= 2:
                cookie, start = cookie[1:-1], start + 1  # RFC 6265 §4.1.1 quoted value
            if sep and looks_like_token(cookie):
                label = "Set-Cookie" if header == "set-cookie" else "Cookie"
                where = f"cookie {name.strip()[:40]!r} of the {label} header"
                return Extracted(cookie, where, start, start + len(cookie))
    return None


def _url_parameter(text: str) -> Extracted | None:
    """A named token parameter first (access_token, id_token, ...), else any token-shaped one."""
    best: tuple[int, Extracted] | None = None
    for m in _PARAM.finditer(text):
        name, value = m.group(2), unquote(m.group(3))
        if not looks_like_token(value):
            continue
        part = "fragment" if _in_fragment(text, m.start()) else "query"
        found = Extracted(value, f"the URL {part} parameter {name[:40]!r}", m.start(3), m.end(3))
        rank = TOKEN_NAMES.index(name.lower()) if name.lower() in TOKEN_NAMES else len(TOKEN_NAMES)
        if best is None or rank < best[0]:
            best = (rank, found)
    return best[1] if best else None


def _in_fragment(text: str, position: int) -> bool:
    hash_at = text.rfind("#", 0, position + 1)
    return hash_at != -1 and not any(c.isspace() for c in text[hash_at:position])


def _json_member(text: str) -> Extracted | None:
    """A token response or config: {"access_token": "eyJ..."} (RFC 6749 §5.1)."""
    best: tuple[int, Extracted] | None = None
    for m in _JSON_MEMBER.finditer(text):
        name, value = m.group(1), m.group(2)
        if not looks_like_token(value):
            continue
        found = Extracted(value, f"the JSON member {name[:40]!r}", m.start(2), m.end(2))
        rank = TOKEN_NAMES.index(name.lower()) if name.lower() in TOKEN_NAMES else len(TOKEN_NAMES)
        if best is None or rank < best[0]:
            best = (rank, found)
    return best[1] if best else None


def _anywhere(text: str) -> Extracted | None:
    m = _JWT_LIKE.search(text)
    if m is None:
        return None
    return Extracted(m.group(), "a token found in the text", m.start(), m.end())


MAX_TOKEN_FILE = 1 << 20  # a token file (or a saved HTTP request) is far smaller than 1 MiB


def read_token_file(path: str) -> str:
    """The text of a file dropped (or pasted as a file) on the token field: UTF-8 text of at
    most 1 MiB. Runs in the TaskRunner. Errors name the file, never its content."""
    from pathlib import Path

    from jwtdesk.core.errors import InvalidInput

    name = Path(path).name
    try:
        with Path(path).open("rb") as fh:
            data = fh.read(MAX_TOKEN_FILE + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidInput(f"cannot read {name}: {reason}; drop a readable file") from None
    if len(data) > MAX_TOKEN_FILE:
        raise InvalidInput(f"{name} is larger than 1 MiB: drop or paste just the token")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{name} is not UTF-8 text: drop a text file with the token") from None
