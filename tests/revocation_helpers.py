"""Tokens and targets for the revocation tests."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from typing import Any

import jwt

from jwtdesk.core.revocation import KeySchema
from jwtdesk.services.revocation import Target, adhoc_connection
from tests.redis_servers import PASSWORD

HS_KEY = "revocation-tests-key-0123456789abcdef"


def token(
    sub: str | None = "user-1",
    *,
    iat: float | None = None,
    lifetime: int | None = 900,
    jti: bool = True,
    **claims: Any,
) -> str:
    now = int(time.time()) if iat is None else int(iat)
    body: dict[str, Any] = {"iat": now, **claims}
    if sub is not None:
        body["sub"] = sub
    if lifetime is not None:
        body["exp"] = now + lifetime
    if jti:
        body["jti"] = uuid.uuid4().hex
    return jwt.encode(body, HS_KEY, algorithm="HS256")


def target_for(server: Any, cluster: bool = False, schema: KeySchema | None = None) -> Target:
    url = server.url.replace("://", f"://:{PASSWORD}@")
    t = adhoc_connection(url, cluster=cluster)
    conn = replace(t.conn, timeout_s=5.0, schema=schema or KeySchema())
    return Target(conn, t.password)
