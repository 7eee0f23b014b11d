"""What surrounds each token of :mod:`jwtdesk.core.extract_find`: a curl command line or a raw
HTTP request or response, whose URL, method, Host and Date the transport lint needs.

A curl command runs from ``curl`` over backslash-continued lines; an HTTP message runs from its
request line (``GET /path HTTP/1.1``) or status line (``HTTP/1.1 200 OK``) to the next one.
"""

from __future__ import annotations

import re
import shlex
from datetime import datetime
from typing import NamedTuple
from urllib.parse import urlsplit

from jwtdesk.core.extract import Source
from jwtdesk.core.extract_find import Hit, http_date

_CURL = re.compile(r"(?m)^[ \t]*(?:\$[ \t]*)?curl(?:\.exe)?\b(?:[^\n]*\\[ \t]*\r?\n)*[^\n]*")
_START_LINE = re.compile(
    r"(?m)^[ \t]*(?:(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE|CONNECT)[ \t]+(\S+)[ \t]+"
    r"HTTP/\d(?:\.\d)?|HTTP/\d(?:\.\d)?[ \t]+(\d{3})\b[^\r\n]*)[ \t]*\r?$"
)
_HEADER = re.compile(r"(?m)^[ \t]*([A-Za-z0-9-]+)[ \t]*:[ \t]*([^\r\n]*)")
_BLANK = re.compile(r"\r?\n[ \t]*\r?\n")
_DATA_OPTIONS = ("-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--json", "-F")


class Region(NamedTuple):
    start: int
    end: int
    kind: str  # "curl" | "http"
    body_at: int  # where the body starts (http), else end
    url: str | None
    method: str | None
    sent: bool
    at: datetime | None


def annotate(text: str, hits: list[Hit]) -> list[Source]:
    """A Source for each hit, knowing the curl command or HTTP message it lies in."""
    regions = _curl_regions(text) + _http_regions(text)
    return [
        _source(hit, next((r for r in regions if r.start <= hit.start < r.end), None))
        for hit in hits
    ]


def _source(hit: Hit, region: Region | None) -> Source:
    url = hit.url or (region.url if region else None)
    scheme, host = _scheme_host(url)
    split = "\n" in hit.token or "\r" in hit.token
    common = {
        "start": hit.start,
        "end": hit.end,
        "name": hit.name,
        "part": hit.part,
        "url": url,
        "host": host,
        "scheme": scheme,
        "cookie": hit.cookie,
        "storage": hit.storage,
        "split": split,
    }
    if region is None:
        return Source(hit.kind, hit.where, sent=hit.kind != "set-cookie", **common)  # type: ignore[arg-type]
    via = "body" if hit.start >= region.body_at and hit.kind not in ("url",) else hit.kind
    what = (
        "curl command"
        if region.kind == "curl"
        else "HTTP " + ("request" if region.sent else "response")
    )
    where = f"{hit.where} in the {what}" if via != "body" else f"{hit.where} in the {what} body"
    return Source(
        region.kind,
        where,
        via=via,
        method=region.method,
        sent=region.sent and hit.kind != "set-cookie",
        at=region.at,
        **common,  # type: ignore[arg-type]
    )


def _scheme_host(url: str | None) -> tuple[str | None, str | None]:
    if not url:
        return None, None
    try:
        split = urlsplit(url)
        host = split.hostname
    except ValueError:
        return None, None
    return (split.scheme.lower() or None), host


def _curl_regions(text: str) -> list[Region]:
    out = []
    for m in _CURL.finditer(text):
        command = re.sub(r"\\[ \t]*\r?\n", " ", m.group())
        try:
            words = shlex.split(command, posix=True)
        except ValueError:
            words = command.split()
        url, method, data = None, None, False
        for i, word in enumerate(words[1:], 1):
            nxt = words[i + 1] if i + 1 < len(words) else None
            if word in ("-X", "--request") and nxt:
                method = nxt.upper()
            elif word == "--url" and nxt:
                url = nxt
            elif word.startswith(("http://", "https://")) and url is None:
                url = word
            elif word in _DATA_OPTIONS or word.startswith("--data"):
                data = True
        method = method or ("POST" if data else "GET")
        out.append(Region(m.start(), m.end(), "curl", m.end(), url, method, True, None))
    return out


def _http_regions(text: str) -> list[Region]:
    starts = list(_START_LINE.finditer(text))
    out = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        blank = _BLANK.search(text, m.end(), end)
        body_at = blank.end() if blank else end
        headers = {
            h.group(1).lower(): h.group(2).strip() for h in _HEADER.finditer(text, m.end(), body_at)
        }
        request = m.group(1) is not None
        url = None
        if request:
            target = m.group(2)
            host = headers.get("host")
            if target.lower().startswith(("http://", "https://")):
                url = target
            elif host:
                url = f"//{host}{target if target.startswith('/') else '/' + target}"
        at = None if request else http_date(headers.get("date", ""))
        method = m.group(1) if request else None
        out.append(Region(m.start(), end, "http", body_at, url, method, request, at))
    return out
