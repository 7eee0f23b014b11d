"""The summary of the last leak scan (``last-scan.json`` beside the index): counts, paths and
keyset names, never a secret, a needle or a line of a scanned file. The checklist reads it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jwtdesk.core.errors import JwtdeskError
from jwtdesk.store.index import atomic_write

NAME = "last-scan.json"


def save(home: Path, summary: dict[str, Any]) -> None:
    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write(home / NAME, (json.dumps(summary, indent=1) + "\n").encode("utf-8"))
    except OSError as exc:
        raise JwtdeskError(f"cannot write {home / NAME}: {exc.strerror}") from None


def load(home: Path) -> dict[str, Any] | None:
    """The last summary, or None if no scan ran (or its file is unreadable)."""
    try:
        doc = json.loads((home / NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None
