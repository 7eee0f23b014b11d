"""Find every token in what a user pasted, and where each one travelled.

One extractor for the CLI and the GUI. It reads a bare token, an ``Authorization: Bearer``
header, ``Cookie`` and ``Set-Cookie`` headers, URLs (query, fragment, path), a curl command line,
a raw HTTP request or response, JavaScript that writes to web storage, a JSON token response,
and a browser HAR file (:mod:`jwtdesk.core.har`). Qt-free and pure: it never changes the text;
each token is handed on exactly as it appears (a line break inside it stays, for the strict
parser to report), except for URL percent-encoding. Where a token came from is a
:class:`Source`; :mod:`jwtdesk.core.lint_transport` judges it.

Text in which nothing token-shaped is found is handed on whole (minus surrounding whitespace)
for the parser to explain what is wrong with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from jwtdesk.core.extract_find import TOKEN_NAMES, CookieAttrs, Hit, find_hits, looks_like_token
from jwtdesk.core.extract_find import Write as StorageWrite

__all__ = [
    "TOKEN_NAMES",
    "CookieAttrs",
    "Extracted",
    "Extraction",
    "Found",
    "Source",
    "StorageWrite",
    "extract",
    "extract_all",
    "looks_like_token",
    "mask_token",
]

KINDS = ("bearer", "cookie", "set-cookie", "url", "curl", "http", "js", "json", "har", "raw")
_RAW_WHERE = "the token as pasted"


@dataclass(frozen=True, slots=True)
class Source:
    """One place a token was seen. Spans index the pasted text; -1 for a HAR."""

    kind: str  # one of KINDS: the outermost form recognised (har > curl > http > header...)
    where: str  # for people: "the Authorization: Bearer header"
    start: int = -1
    end: int = -1
    via: str | None = None  # inside curl/http/har: bearer, cookie, set-cookie, url, header, body
    name: str | None = None  # the cookie, parameter, member, header or storage key
    part: str | None = None  # URLs: "query" | "fragment" | "path"
    url: str | None = None  # the URL the token travelled to or came from (never printed raw)
    method: str | None = None
    host: str | None = None
    scheme: str | None = None  # "https", "http", ... ; None when the text does not say
    cookie: CookieAttrs | None = None  # Set-Cookie attributes
    storage: str | None = None  # "localStorage" | "sessionStorage"
    sent: bool = True  # a request carried it; False: a response delivered it
    at: datetime | None = None  # when: a HAR entry's start, a response's Date header
    entry: int | None = None  # HAR entry index
    split: bool = False  # the token runs across a line break

    @property
    def wrapped(self) -> bool:
        """True when the token was taken out of something larger than itself."""
        return self.kind != "raw" or self.where not in (_RAW_WHERE, "the text as pasted")


@dataclass(frozen=True, slots=True)
class Found:
    """A distinct token and every place it was seen, in the order seen."""

    token: str
    sources: tuple[Source, ...]

    @property
    def source(self) -> Source:
        return self.sources[0]


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything found in one input."""

    found: tuple[Found, ...]
    writes: tuple[StorageWrite, ...] = ()
    # HAR only: hosts whose responses carried Strict-Transport-Security (None: not known).
    sts_hosts: frozenset[str] | None = None
    har: str | None = None  # the HAR's file name
    entries: int = 0  # HAR entries read
    raw: bool = False  # nothing token-shaped: the whole text is handed to the parser
    skipped: tuple[str, ...] = field(default=())  # what could not be read, for people
    # The input as given when it is one bare token (or nothing token-shaped): inspect then
    # sees the whitespace around it, trims it and says so (RFC 7515 §7.1 has no whitespace).
    given: str | None = None

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(f.token for f in self.found)


def extract_all(text: str) -> Extraction:
    """Every token in ``text`` with where it was seen; an empty Extraction for blank text."""
    stripped = text.strip()
    if not stripped:
        return Extraction(())
    lead = len(text) - len(text.lstrip())
    if looks_like_token(stripped):
        raw = Source("raw", _RAW_WHERE, lead, lead + len(stripped))
        return Extraction((Found(stripped, (raw,)),), given=text)
    if stripped.startswith("{") and '"entries"' in stripped[:4096] + stripped[-4096:]:
        from jwtdesk.core import har

        scanned = har.scan_text(stripped)
        if scanned is not None:
            return scanned
    from jwtdesk.core.extract_context import annotate

    hits, writes = find_hits(text)
    sources = annotate(text, hits)
    found = _group(hits, sources)
    if not found and not writes:
        whole = Source("raw", "the text as pasted", lead, lead + len(stripped))
        return Extraction((Found(stripped, (whole,)),), raw=True, given=text)
    return Extraction(found, tuple(writes))


def _group(hits: list[Hit], sources: list[Source]) -> tuple[Found, ...]:
    by_token: dict[str, list[Source]] = {}
    for hit, source in zip(hits, sources, strict=True):
        by_token.setdefault(hit.token, []).append(source)
    return tuple(Found(token, tuple(seen)) for token, seen in by_token.items())


# ---- one token, as the Inspect view's first pick ---------------------------------------


class Extracted(NamedTuple):
    token: str  # what to inspect
    source: str  # what it was taken from, for people: "the Authorization: Bearer header"
    start: int  # span of the token in the text as given
    end: int

    @property
    def wrapped(self) -> bool:
        """True when the token was taken out of something larger than itself."""
        return self.source not in (_RAW_WHERE, "the text as pasted")


def extract(text: str) -> Extracted | None:
    """The token a person most likely meant, and where it is; None for blank text.

    A named carrier wins over a token found loose in the text (Bearer, then cookies, then a
    named URL parameter or JSON member), then the first in the text."""
    extraction = extract_all(text)
    if not extraction.found:
        if not text.strip():
            return None
        lead = len(text) - len(text.lstrip())
        stripped = text.strip()
        return Extracted(stripped, "the text as pasted", lead, lead + len(stripped))
    best = min(
        ((f, s) for f in extraction.found for s in f.sources),
        key=lambda fs: (preference(fs[1]), fs[1].start),
    )
    return Extracted(best[0].token, best[1].where, best[1].start, best[1].end)


def preference(source: Source) -> int:
    """How surely a source is the token meant: lower is surer."""
    via = source.via or source.kind
    order = ("raw", "bearer", "cookie", "set-cookie", "js")
    if via in order:
        return order.index(via)
    named = source.name is not None and source.name.lower() in TOKEN_NAMES
    if via in ("url", "json", "body", "header"):
        return 5 if named else 7
    return 8


def mask_token(token: str) -> str:
    """The header segment, then dots: enough to tell tokens apart, nothing to replay."""
    head = token.split(".", 1)[0].strip()
    head = head if len(head) <= 80 else head[:77] + "..."
    return f"{head}.••••••••"
