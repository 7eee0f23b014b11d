"""Faults against real redis-server processes: down, wrong password, paused (SIGSTOP), a key of
the wrong type. Each gives one clear line, no secret in it, and changes nothing."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from jwtdesk.core.secret import Secret
from jwtdesk.services import KeyService
from jwtdesk.services.revocation import RevocationService, Target
from jwtdesk.store.redisconn import RedisFailed
from tests import redis_servers
from tests.revocation_helpers import target_for, token

pytestmark = pytest.mark.redis


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[redis_servers.Server]:
    """A server of this test's own (it gets paused or stopped)."""
    if not redis_servers.have_redis():
        pytest.skip("needs redis-server")
    server = redis_servers.start(tmp_path / "redis")
    yield server
    server.stop()


@pytest.fixture
def svc(memory_service: KeyService) -> RevocationService:
    return RevocationService(memory_service)


def test_server_down(svc: RevocationService) -> None:
    port = redis_servers.free_port()  # nothing listens there
    target = target_for(type("S", (), {"url": f"redis://127.0.0.1:{port}"})())
    with pytest.raises(RedisFailed) as info:
        svc.revoke_token(target, token())
    message = str(info.value)
    assert f"cannot reach Redis at 127.0.0.1:{port} (connection refused)" in message
    assert redis_servers.PASSWORD not in message and "\n" not in message
    health = svc.health(target)
    assert not health.reachable and "cannot reach" in health.detail


def test_wrong_password(svc: RevocationService, redis_single: redis_servers.Server) -> None:
    redis_single.client().flushall()
    good = target_for(redis_single)
    bad = Target(good.conn, Secret(b"not-the-password-xyz"))
    with pytest.raises(RedisFailed, match="refused the credentials") as info:
        svc.set_global(bad)
    assert "not-the-password-xyz" not in str(info.value)
    no_password = Target(good.conn, None)
    with pytest.raises(RedisFailed, match="refused the credentials"):
        svc.check(no_password, token())
    assert redis_single.client().exists("global_revoke_before") == 0


def test_paused_server_times_out_and_recovers(
    svc: RevocationService, own_server: redis_servers.Server
) -> None:
    target = target_for(own_server)
    target = Target(replace(target.conn, timeout_s=0.3), target.password)
    tok = token()
    os.kill(own_server.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(RedisFailed, match=r"did not answer within 0\.3 s"):
            svc.revoke_token(target, tok)
        assert time.monotonic() - started < 10  # no retry loop with backoff
    finally:
        os.kill(own_server.pid, signal.SIGCONT)
    assert own_server.client().dbsize() == 0  # nothing was queued and written later
    svc.revoke_token(target, tok)
    assert own_server.client().dbsize() == 1


def test_paused_server_times_out_a_batch(
    svc: RevocationService, own_server: redis_servers.Server
) -> None:
    """A batch (scripts) against a paused server: the same one line, nothing written later."""
    target = target_for(own_server)
    target = Target(replace(target.conn, timeout_s=0.3), target.password)
    tokens = [token(f"u{n}") for n in range(1500)]
    os.kill(own_server.pid, signal.SIGSTOP)
    try:
        with pytest.raises(RedisFailed, match=r"did not answer within 0\.3 s"):
            svc.revoke_tokens(target, tokens)
        with pytest.raises(RedisFailed, match=r"did not answer within 0\.3 s"):
            svc.check_many(target, tokens)
    finally:
        os.kill(own_server.pid, signal.SIGCONT)
    assert own_server.client().dbsize() == 0
    assert svc.revoke_tokens(target, tokens) == 1500
    assert all(v.revoked for v in svc.check_many(target, tokens))


def test_wrong_type_keys_are_reported_and_left_alone(
    svc: RevocationService, own_server: redis_servers.Server
) -> None:
    raw = own_server.client()
    target = target_for(own_server)
    tok = token("frank")
    raw.hset(f"blacklist:{tok}", mapping={"other": "program"})
    raw.rpush("user_revoke:frank", "x")
    with pytest.raises(RedisFailed, match="wrong type") as info:
        svc.revoke_token(target, tok)
    assert tok not in str(info.value)  # the key is named masked
    assert raw.hgetall(f"blacklist:{tok}") == {"other": "program"}
    with pytest.raises(
        RedisFailed, match=r"user_revoke:frank in Redis at .* holds a value of the wrong type"
    ):
        svc.revoke_user(target, "frank")
    assert raw.lrange("user_revoke:frank", 0, -1) == ["x"]
    with pytest.raises(RedisFailed, match="wrong type"):
        svc.check(target, tok)
    raw.delete("user_revoke:frank")
    raw.hset("global_revoke_before", mapping={"a": "b"})
    for action in (svc.set_global, svc.show_global, svc.clear_global):
        with pytest.raises(RedisFailed, match=r"global_revoke_before in Redis at .* wrong type"):
            action(target)
    assert raw.type("global_revoke_before") == "hash"
    raw.delete("global_revoke_before")
    raw.set("global_revoke_before", "soon")
    with pytest.raises(RedisFailed, match="not a Unix time"):
        svc.set_global(target)
    assert raw.get("global_revoke_before") == "soon"
    with pytest.raises(Exception, match="not a Unix time"):
        svc.check(target, token())


def test_password_in_url_is_never_in_errors(svc: RevocationService) -> None:
    port = redis_servers.free_port()
    from jwtdesk.services.revocation import adhoc_connection

    target = adhoc_connection(f"redis://:sup3r-s3cret@127.0.0.1:{port}/0")
    assert "sup3r" not in repr(target) and "sup3r" not in target.conn.url
    with pytest.raises(RedisFailed) as info:
        svc.count(target)
    assert "sup3r" not in str(info.value)


def test_listing_shows_a_foreign_entry_without_failing(
    svc: RevocationService, own_server: redis_servers.Server
) -> None:
    raw = own_server.client()
    raw.hset("blacklist:someone-elses", mapping={"a": "b"})
    raw.set("user_revoke:eve", "1700000000", ex=100)
    entries, more = svc.entries(target_for(own_server))
    found = {e.key: (e.value, e.ttl_s) for e in entries}
    assert not more and found["blacklist:<token sha256:" + _digest("someone-elses") + "…>"] == (
        None,
        -1,
    )
    assert found["user_revoke:eve"][0] == "1700000000"
    assert svc.health(target_for(own_server)).without_ttl == (
        "blacklist:<token sha256:" + _digest("someone-elses") + "…>",
    )


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:16]
