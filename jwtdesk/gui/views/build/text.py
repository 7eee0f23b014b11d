"""What the Build view says in words: the lifetime warning, the absolute time behind a relative
exp or nbf, and the decoded header and claims. Plain functions, no widgets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from jwtdesk.core import tokens
from jwtdesk.core.inspect import human


def lifetime_warning(preset: tokens.Preset, claims: dict[str, Any]) -> str | None:
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int) or not isinstance(iat, int):
        return None
    return tokens.lifetime_problem(preset, timedelta(seconds=exp - iat))


def absolute(value: int, now: datetime) -> str:
    """ "= 2026-05-01 12:15:00 UTC (14:15 CEST local), in 15 min"."""
    try:
        utc = datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return ""
    local = utc.astimezone()
    delta = value - int(now.timestamp())  # to the second, as the claims are
    rel = f"in {human(delta)}" if delta >= 0 else f"{human(delta)} ago"
    day = "" if local.date() == utc.date() else f"{local:%Y-%m-%d} "
    return f"= {utc:%Y-%m-%d %H:%M:%S} UTC ({day}{local:%H:%M %Z} local), {rel}"


def decoded(header: object, claims: object) -> str:
    dump = json.dumps
    return f"header {dump(header, indent=2)}\nclaims {dump(claims, indent=2, ensure_ascii=False)}"
