"""Formatting helpers shared by commands: JSON documents, tables, times."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from jwtdesk.core.keysets import KeySet, KeyVersion, format_period


def emit_json(doc: object) -> None:
    print(json.dumps(doc, indent=2, ensure_ascii=False))


def iso(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def short_time(t: datetime | None) -> str:
    return "-" if t is None else t.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")


def age(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{sign}{seconds // size}{unit}"
    return f"{sign}{seconds}s"


def version_json(v: KeyVersion) -> dict[str, Any]:
    return {
        "id": v.id,
        "kid": v.kid,
        "state": v.state.value,
        "created": iso(v.created),
        "activated": iso(v.activated),
        "retired": iso(v.retired),
        "size": v.size,
    } | ({"public_only": True} if v.public_only else {})


def keyset_json(ks: KeySet, now: datetime, *, versions: bool = True) -> dict[str, Any]:
    cur = ks.current
    doc: dict[str, Any] = {
        "name": ks.name,
        "alg": ks.alg,
        "service": ks.service,
        "environment": ks.environment,
        "purpose": ks.purpose.value,
        "rotation_period": format_period(ks.rotation_period),
        "notes": ks.notes,
        "created": iso(ks.created),
        "current_kid": cur.kid if cur else None,
        "rotate_by": iso(ks.rotate_by()),
        "rotation_due": ks.rotation_due(now),
    }
    if versions:
        doc["versions"] = [version_json(v) for v in ks.versions]
    return doc


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def ask(prompt: str) -> str:
    sys.stderr.write(prompt)
    sys.stderr.flush()
    return sys.stdin.readline().strip()


def confirm(prompt: str) -> bool:
    """Ask on the terminal; anything but y/yes is no."""
    return ask(prompt).lower() in ("y", "yes")


def is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
