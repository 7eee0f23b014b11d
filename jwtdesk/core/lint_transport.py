"""The transport and storage rules of the catalogue: judged from where a token was found.

Every place a token was seen is a :class:`~jwtdesk.core.extract.Source`; the rules here turn
the sources of one token (plus its exp, and the HAR's HSTS hosts) into findings with the same
shape as the token findings, one finding per rule and token, counting the places. Messages
never include the token, a cookie value or a URL with a query: hosts and names only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jwtdesk.core.extract import Extraction, Found, Source, StorageWrite
from jwtdesk.core.extract_find import CookieAttrs
from jwtdesk.core.inspect import Report
from jwtdesk.core.lint_types import _RANK, Finding, Severity, _declared_use, _finding, _number

_LOOPBACK = re.compile(r"^(?:localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$", re.IGNORECASE)
_TOKENISH = re.compile(r"(?i)jwt|token|auth|bearer|session|credential|access|refresh|id_?tok")
LOCATION = "transport"
_I = Severity.INFO


@dataclass(frozen=True, slots=True)
class TransportContext:
    sources: tuple[Source, ...]
    claims: dict[str, Any] | None
    now: datetime
    leeway: timedelta = timedelta(seconds=30)
    preset: str | None = None
    sts_hosts: frozenset[str] | None = None  # HAR only: hosts that sent Strict-Transport-Security

    @property
    def refresh(self) -> bool:
        named = any(s.name and "refresh" in s.name.lower() for s in self.sources)
        return named or (self.preset or _declared_use(self.claims or {})) == "refresh"


def _count(sources: Sequence[Source], what: str) -> str:
    first = sources[0]
    at = " ".join(x for x in (first.method, first.host) if x)
    if not at:
        return what + (f" ({len(sources)} places)" if len(sources) > 1 else "")
    more = f" and {len(sources) - 1} more" if len(sources) > 1 else ""
    return f"{what} ({at[:80]}{more})"


def _over_http(ctx: TransportContext) -> list[Finding]:
    plain = [s for s in ctx.sources if s.scheme in ("http", "ws")]
    if not plain:
        return []
    local = all(s.host and _LOOPBACK.match(s.host) for s in plain)
    message = _count(plain, "travelled over plain http://")
    if local:
        message += "; loopback only, but never do this beyond a developer machine"
        return [_finding("token-over-http", message, LOCATION, _I)]
    return [_finding("token-over-http", message + ": anyone on the path can replay it", LOCATION)]


def _in_url(ctx: TransportContext) -> list[Finding]:
    urls = [s for s in ctx.sources if (s.via or s.kind) == "url" and s.part]
    if not urls:
        return []
    first = urls[0]
    name = f" {first.name[:40]!r}" if first.name else ""
    what = f"in the URL {first.part}{name}"
    return [
        _finding(
            "token-in-url", _count(urls, what) + ": logs, history and Referer keep it", LOCATION
        )
    ]


def _cookies(ctx: TransportContext) -> list[Source]:
    return [s for s in ctx.sources if (s.via or s.kind) == "set-cookie" and s.cookie is not None]


def _cookie_flags(ctx: TransportContext) -> list[Finding]:
    out: list[Finding] = []
    cookies = _cookies(ctx)
    no_http_only = [s for s in cookies if not _attrs(s).http_only]
    if no_http_only and not ctx.refresh:
        message = _count(no_http_only, f"cookie {_name(no_http_only)} is set without HttpOnly")
        out.append(
            _finding("cookie-no-httponly", message + ": any script on the page reads it", LOCATION)
        )
    no_secure = [s for s in cookies if not _attrs(s).secure]
    if no_secure:
        message = _count(no_secure, f"cookie {_name(no_secure)} is set without Secure")
        out.append(
            _finding("cookie-no-secure", message + ": browsers send it over http too", LOCATION)
        )
    none = [s for s in cookies if not _attrs(s).same_site]
    if none:
        message = _count(none, f"cookie {_name(none)} is set without SameSite")
        out.append(_finding("cookie-no-samesite", message + ": state it (Lax or Strict)", LOCATION))
    loose = [
        s for s in cookies if (_attrs(s).same_site or "").lower() == "none" and not _attrs(s).secure
    ]
    if loose:
        message = _count(loose, f"cookie {_name(loose)} has SameSite=None without Secure")
        out.append(_finding("cookie-no-samesite", message + ": browsers reject it", LOCATION))
    return out


def _attrs(source: Source) -> CookieAttrs:
    return source.cookie or CookieAttrs()


def _name(sources: Sequence[Source]) -> str:
    return repr((sources[0].name or "?")[:40])


def _outlives(ctx: TransportContext) -> list[Finding]:
    exp = _number((ctx.claims or {}).get("exp"))
    if exp is None:
        return []
    out = []
    for s in _cookies(ctx):
        until = _cookie_expiry(_attrs(s), s.at or ctx.now)
        if until is not None and until.timestamp() > exp + ctx.leeway.total_seconds():
            extra = until.timestamp() - exp
            when = datetime.fromtimestamp(exp, UTC).isoformat(timespec="seconds")
            message = (
                f"cookie {_name([s])} lives until {until.isoformat(timespec='seconds')}, "
                f"{_span(extra)} after the token expires ({when}): the browser keeps a dead token"
            )
            out.append(_finding("cookie-outlives-token", message, LOCATION))
            break
    return out


def _cookie_expiry(attrs: CookieAttrs, set_at: datetime) -> datetime | None:
    if attrs.max_age is not None:  # RFC 6265 §5.3 step 3: Max-Age wins over Expires
        try:
            return set_at + timedelta(seconds=attrs.max_age)
        except OverflowError:
            return None
    return attrs.expires


def _span(seconds: float) -> str:
    for unit, size in (("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:,.0f} {unit}"
    return f"{seconds:.0f} s"


def _refresh_js(ctx: TransportContext) -> list[Finding]:
    if not ctx.refresh:
        return []
    readable = [s for s in _cookies(ctx) if not _attrs(s).http_only]
    readable += [s for s in ctx.sources if s.storage]
    if not readable:
        return []
    message = _count(readable, "a refresh token is readable by JavaScript")
    message += ": one XSS steals a long-lived credential; keep it in an HttpOnly cookie"
    return [_finding("refresh-token-readable-by-js", message, LOCATION)]


def _web_storage(ctx: TransportContext) -> list[Finding]:
    stored = [s for s in ctx.sources if s.storage]
    if not stored:
        return []
    message = f"the code writes it to {stored[0].storage} key {_name(stored)}"
    return [
        _finding("token-in-web-storage", message + ": any script on the origin reads it", LOCATION)
    ]


def _no_hsts(ctx: TransportContext) -> list[Finding]:
    if ctx.sts_hosts is None:
        return []
    hosts = sorted(
        {s.host for s in _cookies(ctx) if s.scheme == "https" and s.host} - ctx.sts_hosts
    )
    if not hosts:
        return []
    message = f"{', '.join(hosts[:3])} set the token cookie but sent no Strict-Transport-Security"
    return [
        _finding("missing-hsts", message + ": a first http:// visit can be intercepted", LOCATION)
    ]


def _several_hosts(ctx: TransportContext) -> list[Finding]:
    hosts = sorted({s.host for s in ctx.sources if s.sent and s.host})
    if len(hosts) < 2:
        return []
    shown = ", ".join(hosts[:3]) + (f" and {len(hosts) - 3} more" if len(hosts) > 3 else "")
    message = f"sent to {len(hosts)} hosts ({shown}): each can replay it against the others"
    return [_finding("token-sent-to-several-hosts", message, LOCATION)]


_CHECKS: tuple[Callable[[TransportContext], list[Finding]], ...] = (
    _over_http, _in_url, _cookie_flags, _outlives, _refresh_js, _web_storage, _no_hsts,
    _several_hosts,
)  # fmt: skip


def transport_lint(ctx: TransportContext) -> list[Finding]:
    """The transport findings of one token; errors first."""
    out: list[Finding] = []
    for check in _CHECKS:
        out.extend(check(ctx))
    return sorted(out, key=lambda f: _RANK[f.severity])


def storage_findings(writes: Sequence[StorageWrite]) -> list[Finding]:
    """Code that stores a token in web storage without a token literal to inspect
    (``localStorage.setItem('jwt_token', token)``): findings about the code itself."""
    out = []
    for w in writes:
        if w.token is not None or not (_TOKENISH.search(w.key) or _TOKENISH.search(w.value)):
            continue
        if w.storage == "document.cookie":
            out += _script_cookie(w)
            continue
        value = "a token literal" if "eyJ" in w.value else repr(w.value)
        message = f"the code writes {value} to {w.storage} key {w.key[:40]!r}"
        out.append(
            _finding(
                "token-in-web-storage", message + ": any script on the origin reads it", LOCATION
            )
        )
        if "refresh" in (w.key + w.value).lower():
            message = f"a refresh token goes to {w.storage}: one XSS steals a long-lived credential"
            out.append(_finding("refresh-token-readable-by-js", message, LOCATION))
    return sorted(out, key=lambda f: _RANK[f.severity])


def _script_cookie(w: StorageWrite) -> list[Finding]:
    """A cookie set from JavaScript: the script can read it back, HttpOnly is impossible."""
    message = (
        f"the code sets cookie {w.key[:40]!r} through document.cookie, which cannot be HttpOnly"
    )
    out = [_finding("cookie-no-httponly", message + ": set it from the server instead", LOCATION)]
    if "refresh" in (w.key + w.value).lower():
        message = "a refresh token goes to document.cookie: one XSS steals a long-lived credential"
        out.append(_finding("refresh-token-readable-by-js", message, LOCATION))
    return out


def with_transport(
    report: Report, found: Found, extraction: Extraction, preset: str | None = None
) -> Report:
    """``report`` with the transport findings of ``found`` merged in, errors first."""
    ctx = TransportContext(
        found.sources,
        report.token.claims,
        report.as_of,
        report.leeway,
        preset,
        extraction.sts_hosts,
    )
    extra = transport_lint(ctx)
    if not extra:
        return report
    merged = sorted((*report.findings, *extra), key=lambda f: _RANK[f.severity])
    return report._replace(findings=tuple(merged))
