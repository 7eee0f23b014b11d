"""Which env files jwtdesk wrote (``exports.json`` beside the index): path, profile, format
and time, never a value. The checklist checks those files are still 0600, ignored and current.
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jwtdesk.store.index import atomic_write

NAME = "exports.json"


def load(home: Path) -> list[dict[str, Any]]:
    try:
        doc = json.loads((home / NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    items = doc.get("files") if isinstance(doc, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def record(home: Path, path: Path, profile: str, fmt: str, now: datetime) -> None:
    """Remember (or refresh) one written file; a failure to remember is not an error."""
    target = str(path.resolve())
    items = [i for i in load(home) if i.get("path") != target]
    items.append(
        {"path": target, "profile": profile, "format": fmt, "time": now.astimezone(UTC).isoformat()}
    )
    with contextlib.suppress(OSError):
        atomic_write(home / NAME, (json.dumps({"files": items}, indent=1) + "\n").encode())
