"""Append-only JSON lines of what jwtdesk did: time, action, keyset, kid, outcome.

Only these non-secret fields are accepted, so no caller can put key material or a token in.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from jwtdesk.core.errors import JwtdeskError

LOG_NAME = "audit.log"


class AuditEntry(NamedTuple):
    time: datetime
    action: str
    keyset: str | None
    kid: str | None
    outcome: str  # "ok" or the error class name
    # What else the action was about, by name only: a Redis connection, a written file, a
    # masked key (revocation and emergency entries). Never a token or a value.
    target: str | None = None


class AuditLog:
    def __init__(self, home: Path) -> None:
        self.path = home / LOG_NAME

    def append(self, entry: AuditEntry) -> None:
        line = json.dumps(
            {
                "time": entry.time.astimezone(UTC).isoformat(),
                "action": entry.action,
                "keyset": entry.keyset,
                "kid": entry.kid,
                "outcome": entry.outcome,
            }
            | ({"target": entry.target} if entry.target is not None else {}),
            ensure_ascii=False,
        )
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise JwtdeskError(f"cannot open the audit log {self.path}: {exc.strerror}") from None
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
        finally:
            os.close(fd)

    def read(self) -> list[AuditEntry]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            try:
                d = json.loads(line)
                out.append(
                    AuditEntry(
                        datetime.fromisoformat(d["time"]),
                        d["action"],
                        d["keyset"],
                        d["kid"],
                        d["outcome"],
                        d.get("target"),
                    )
                )
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by a crash mid-append: skip it, keep the rest
        return out
