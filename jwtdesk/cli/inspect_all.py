"""``token inspect`` of pasted text, files and HAR files: every token found, with where it was
found and how it travelled.

The JSON contract: one token gives the document of a bare token (``valid``, ``header``,
``claims``, ``findings``...) plus ``source``; several tokens (or a HAR) give
``{"tokens": [ ... ], "findings": [ ... ]}``, each token's document with ``token`` (masked after
its header unless --reveal), ``source`` and, for a HAR, ``requests``. Tokens are never written
anywhere but this output.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from jwtdesk.cli import output as out
from jwtdesk.cli.report import finding_json, print_report, report_json
from jwtdesk.core.extract import Found, Source, mask_token
from jwtdesk.services.tokens import Inspection, TokenReport

# A token-shaped run (also percent-encoded) inside a URL or header value, masked in output.
_TOKENISH = re.compile(r"eyJ[A-Za-z0-9_%-]*(?:(?:\.|%2[Ee])[A-Za-z0-9_%-]*){2,}")
MAX_REQUESTS_SHOWN = 20  # per token, in the text report


def mask_text(text: str, reveal: bool) -> str:
    return text if reveal else _TOKENISH.sub(lambda m: mask_token(m.group()), text)


def source_json(source: Source, reveal: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {"kind": source.kind, "where": source.where}
    for name in ("via", "name", "part", "method", "host", "scheme", "storage", "entry"):
        value = getattr(source, name)
        if value is not None:
            doc[name] = value
    if source.url is not None:
        doc["url"] = mask_text(source.url, reveal)
    if source.start >= 0:
        doc["start"], doc["end"] = source.start, source.end
    if source.cookie is not None:
        doc["cookie"] = cookie_json(source)
    if source.kind == "har" or source.kind in ("http", "curl"):
        doc["direction"] = "sent" if source.sent else "received"
    if source.at is not None:
        doc["at"] = out.iso(source.at)
    if source.split:
        doc["split"] = True
    return doc


def cookie_json(source: Source) -> dict[str, Any]:
    c = source.cookie
    assert c is not None  # noqa: S101 - callers check
    return {
        "http_only": c.http_only,
        "secure": c.secure,
        "same_site": c.same_site,
        "max_age": c.max_age,
        "expires": out.iso(c.expires),
        "domain": c.domain,
        "path": c.path,
    }


def token_json(tr: TokenReport, reveal: bool, har: str | None) -> dict[str, Any]:
    found = tr.found
    doc = report_json(tr.report)
    doc["token"] = found.token if reveal else mask_token(found.token)
    if har is not None:
        hosts = sorted({s.host for s in found.sources if s.host})
        doc["source"] = {"kind": "har", "file": har, "requests": len(found.sources), "hosts": hosts}
        doc["requests"] = [source_json(s, reveal) for s in found.sources]
    else:
        doc["source"] = source_json(found.source, reveal)
        if len(found.sources) > 1:
            doc["seen"] = [source_json(s, reveal) for s in found.sources]
    return doc


def document(result: Inspection, reveal: bool) -> dict[str, Any]:
    """The one JSON document ``token inspect --json`` prints."""
    har = result.extraction.har
    tokens = [token_json(tr, reveal, har) for tr in result.reports]
    if len(tokens) == 1 and har is None and not result.findings:
        single = tokens[0]
        del single["token"]  # a single token keeps the bare-token document, plus its source
        return single
    doc: dict[str, Any] = {"tokens": tokens, "findings": [finding_json(f) for f in result.findings]}
    if har is not None:
        x = result.extraction
        doc["har"] = {"file": har, "entries": x.entries, "skipped": list(x.skipped)}
    return doc


def print_inspection(result: Inspection, reveal: bool) -> None:
    """For people: each token, where it travelled, its report; then the findings grouped."""
    har = result.extraction.har
    count = len(result.reports)
    if har is not None:
        print(f"{har}: {result.extraction.entries} entries, {count} distinct token(s)")
    for number, tr in enumerate(result.reports, 1):
        token = tr.found.token if reveal else mask_token(tr.found.token)
        if count > 1 or har is not None:
            print(f"\n== token {number} of {count}: {token}")
        _print_sources(tr.found, reveal, har is not None)
        print_report(tr.report)
    for f in result.findings:
        print(f"  {f.severity.value:<7} {f.id}: {f.message} ({f.reference})")
    if count > 1:
        _print_summary(result)


def _print_sources(found: Found, reveal: bool, har: bool) -> None:
    first = found.source
    if not har:
        if first.wrapped:
            print(
                f"found in {first.where}"
                + (f" ({len(found.sources)} places)" if len(found.sources) > 1 else "")
            )
        return
    print(f"seen in {len(found.sources)} place(s) of the requests and responses:")
    for s in found.sources[:MAX_REQUESTS_SHOWN]:
        url = mask_text(s.url or "?", reveal)
        flags = f"  [{_flags(s)}]" if s.cookie is not None else ""
        print(f"  {s.method or '-':<7} {url[:160]}  {s.where}{flags}")
    if len(found.sources) > MAX_REQUESTS_SHOWN:
        print(f"  ... and {len(found.sources) - MAX_REQUESTS_SHOWN} more (--json lists all)")


def _flags(source: Source) -> str:
    c = source.cookie
    if c is None:
        return ""
    parts = ["HttpOnly" if c.http_only else "no HttpOnly", "Secure" if c.secure else "no Secure"]
    parts.append(f"SameSite={c.same_site}" if c.same_site else "no SameSite")
    if c.max_age is not None:
        parts.append(f"Max-Age={c.max_age}")
    elif c.expires is not None:
        parts.append(f"Expires={out.iso(c.expires)}")
    return ", ".join(parts)


def _print_summary(result: Inspection) -> None:
    tally: Counter[tuple[str, str]] = Counter()
    for tr in result.reports:
        for f in {(f.id, f.severity.value) for f in tr.report.findings}:
            tally[f] += 1
    if not tally:
        return
    valid = sum(tr.report.valid for tr in result.reports)
    print(f"\nsummary: {valid} of {len(result.reports)} token(s) valid; findings by rule:")
    order = {"error": 0, "warning": 1, "info": 2}
    for (rule, severity), n in sorted(tally.items(), key=lambda kv: (order[kv[0][1]], -kv[1])):
        print(f"  {severity:<7} {rule:<30} {n} token(s)")
