"""Revocation against a real redis-server and a real 3-master Redis Cluster: every operation
writes exactly the keys, values and TTLs the schema says (read back with redis-py), and the
check agrees with what was written."""

from __future__ import annotations

import calendar
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest

from jwtdesk.core.errors import Fix, InvalidInput
from jwtdesk.core.revocation import KeyMode, KeySchema, Rule
from jwtdesk.services import KeyService
from jwtdesk.services.revocation import RevocationService
from jwtdesk.store.auditlog import AuditLog
from tests.revocation_helpers import target_for, token

pytestmark = pytest.mark.redis
DAY = 86400


@dataclass
class Redis:
    kind: str
    server: Any
    raw: Any  # redis-py client to read back with

    def target(self, schema: KeySchema | None = None) -> Any:
        return target_for(self.server, self.kind == "cluster", schema)


@pytest.fixture(params=["single", "cluster"])
def redis(request: pytest.FixtureRequest) -> Iterator[Redis]:
    server = request.getfixturevalue(f"redis_{request.param}")
    raw = server.client()
    if request.param == "cluster":
        server.flush()
    else:
        raw.flushall()
    yield Redis(request.param, server, raw)
    raw.close()


@pytest.fixture
def svc(memory_service: KeyService) -> RevocationService:
    return RevocationService(memory_service)


@pytest.mark.parametrize("mode", list(KeyMode))
def test_revoke_token_writes_the_schema_key_value_and_ttl(
    redis: Redis, svc: RevocationService, mode: KeyMode
) -> None:
    tok = token(lifetime=600)
    claims = jwt.decode(tok, options={"verify_signature": False})
    written = svc.revoke_token(redis.target(KeySchema(mode=mode)), tok)
    ident = {
        KeyMode.TOKEN: tok,
        KeyMode.JTI: claims["jti"],
        KeyMode.SHA256: hashlib.sha256(tok.encode()).hexdigest(),
    }[mode]
    key = f"blacklist:{ident}"
    assert redis.raw.get(key) == "1"
    remaining = claims["exp"] - time.time()
    ttl = redis.raw.ttl(key)
    # ceil(exp - now): the entry may outlive the token by under a second, never the reverse
    assert remaining - 5 <= ttl <= remaining + 2, (ttl, remaining)
    assert written.ttl_s == redis.raw.ttl(key) or abs(written.ttl_s - redis.raw.ttl(key)) <= 2
    if mode is KeyMode.TOKEN:
        assert tok not in written.key  # shown masked, never the live token
    verdict = svc.check(redis.target(KeySchema(mode=mode)), tok)
    assert verdict.revoked and verdict.rule is Rule.BLACKLIST
    other = svc.check(redis.target(KeySchema(mode=mode)), token())
    assert not other.revoked and other.rule is None
    assert [c.status for c in other.checks] == ["passed", "passed", "passed"]


def test_token_without_exp_needs_explicit_ttl(redis: Redis, svc: RevocationService) -> None:
    tok = token(lifetime=None)
    with pytest.raises(InvalidInput, match="without a TTL") as info:
        svc.revoke_token(redis.target(), tok)
    assert info.value.fix is Fix.GIVE_TTL
    assert redis.raw.dbsize() == 0 if redis.kind == "single" else True
    svc.revoke_token(redis.target(), tok, ttl_s=120)
    assert 115 <= redis.raw.ttl(f"blacklist:{tok}") <= 120


def test_expired_token_and_short_ttl_write_nothing(redis: Redis, svc: RevocationService) -> None:
    old = token(iat=time.time() - 3600, lifetime=60)
    with pytest.raises(InvalidInput, match="expired"):
        svc.revoke_token(redis.target(), old)
    live = token(lifetime=600)
    with pytest.raises(InvalidInput, match="shorter"):
        svc.revoke_token(redis.target(), live, ttl_s=10)
    assert svc.count(redis.target()) == {"blacklist": 0, "user": 0, "global": 0}


def test_revoke_user_now_sets_cutoff_with_ttl(redis: Redis, svc: RevocationService) -> None:
    before = token("alice", iat=time.time() - 10)
    written = svc.revoke_user(redis.target(), "alice")
    value = int(redis.raw.get("user_revoke:alice"))
    assert value == int(time.time()) + 1 or value == int(time.time())  # the next whole second
    assert written.value == value
    ttl = redis.raw.ttl("user_revoke:alice")
    assert 7 * DAY - 5 <= ttl <= 7 * DAY + 1  # the longest token lifetime (default 7 d)
    verdict = svc.check(redis.target(), before)
    assert verdict.revoked and verdict.rule is Rule.USER
    assert verdict.checks[1].status == "failed"
    assert not svc.check(redis.target(), token("bob", iat=time.time() - 10)).revoked
    assert not svc.check(redis.target(), token("alice", iat=value)).revoked


def test_revoke_user_before_and_cutoff_only_moves_forward(
    redis: Redis, svc: RevocationService
) -> None:
    hour_ago = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    svc.revoke_user(redis.target(), "carol", before=hour_ago)
    first = int(redis.raw.get("user_revoke:carol"))
    assert first == int(calendar.timegm(time.strptime(hour_ago, "%Y-%m-%dT%H:%M:%SZ")))
    assert 7 * DAY - 3600 - 5 <= redis.raw.ttl("user_revoke:carol") <= 7 * DAY - 3600 + 1
    svc.revoke_user(redis.target(), "carol")
    later = int(redis.raw.get("user_revoke:carol"))
    assert later > first
    kept = svc.revoke_user(redis.target(), "carol", before=hour_ago)
    assert not kept.changed and kept.value == later
    assert int(redis.raw.get("user_revoke:carol")) == later
    with pytest.raises(InvalidInput, match="future"):
        svc.revoke_user(redis.target(), "carol", before="+2h")


def test_global_cutoff_set_show_clear(redis: Redis, svc: RevocationService) -> None:
    tok = token("dave", iat=time.time() - 5)
    assert svc.show_global(redis.target()).value is None
    written = svc.set_global(redis.target())
    assert redis.raw.get("global_revoke_before") == str(written.value)
    assert 7 * DAY - 5 <= redis.raw.ttl("global_revoke_before") <= 7 * DAY + 1
    shown = svc.show_global(redis.target())
    assert shown.value == str(written.value) and shown.ttl_s > 0
    verdict = svc.check(redis.target(), tok)
    assert verdict.revoked and verdict.rule is Rule.GLOBAL
    assert svc.clear_global(redis.target())
    assert redis.raw.exists("global_revoke_before") == 0
    assert not svc.check(redis.target(), tok).revoked


def test_list_and_count_scan_every_master(redis: Redis, svc: RevocationService) -> None:
    tokens = [token(f"u{n}") for n in range(60)]
    zed = token("zed")
    assert svc.revoke_tokens(redis.target(), tokens) == 60
    svc.revoke_user(redis.target(), "u1")
    svc.set_global(redis.target())
    assert svc.count(redis.target()) == {"blacklist": 60, "user": 1, "global": 1}
    entries, more = svc.entries(redis.target(), limit=1000)
    assert not more and len(entries) == 62
    assert all(e.ttl_s > 0 for e in entries)
    shown = " ".join(e.key for e in entries)
    assert not any(t in shown for t in tokens)  # raw-token keys are listed masked
    if redis.kind == "cluster":
        per_node = [n.client().dbsize() for n in redis.server.nodes]
        assert sum(per_node) == 62 and sum(1 for n in per_node if n) == 3
    few, more = svc.entries(redis.target(), limit=10)
    assert len(few) == 10 and more
    verdicts = svc.check_many(redis.target(), [*tokens[:5], zed])
    # zed has no entry, but was issued before the global cut-off just set
    assert [v.rule for v in verdicts] == [Rule.BLACKLIST] * 5 + [Rule.GLOBAL]


def test_custom_schema_prefix_and_patterns(redis: Redis, svc: RevocationService) -> None:
    schema = KeySchema(
        prefix="shop:prod:",
        blacklist="jwt:deny:{token}",
        user="jwt:user:{id}:before",
        cutoff="jwt:all-before",
        mode=KeyMode.SHA256,
    )
    tok = token("erin", iat=time.time() - 5)
    svc.revoke_token(redis.target(schema), tok)
    svc.revoke_user(redis.target(schema), "erin")
    svc.set_global(redis.target(schema))
    digest = hashlib.sha256(tok.encode()).hexdigest()
    assert redis.raw.get(f"shop:prod:jwt:deny:{digest}") == "1"
    assert redis.raw.get("shop:prod:jwt:user:erin:before") is not None
    assert redis.raw.get("shop:prod:jwt:all-before") is not None
    assert svc.count(redis.target(schema)) == {"blacklist": 1, "user": 1, "global": 1}
    assert svc.count(redis.target()) == {"blacklist": 0, "user": 0, "global": 0}


def test_health_reports_entries_without_ttl(redis: Redis, svc: RevocationService) -> None:
    svc.revoke_token(redis.target(), token())
    redis.raw.set("user_revoke:forever", "1700000000")  # written by someone else, no TTL
    health = svc.health(redis.target())
    assert health.reachable and health.sampled == 2
    assert health.without_ttl == ("user_revoke:forever",)
    assert len(health.masters) == (3 if redis.kind == "cluster" else 1)


def test_actions_are_audited_without_tokens(
    redis: Redis, memory_service: KeyService, svc: RevocationService
) -> None:
    tok = token()
    svc.revoke_token(redis.target(), tok)
    svc.set_global(redis.target())
    log = AuditLog(memory_service.index.home).path.read_text()
    assert "revoke-token" in log and "revoke-global" in log
    assert tok not in log and tok.split(".")[1] not in log


def test_service_health_for_the_checklist(redis: Redis, svc: RevocationService) -> None:
    from dataclasses import replace

    missing = svc.service_health("shop")
    assert not missing.reachable and "no Redis connection" in missing.detail
    adhoc = redis.target()
    svc.create_connection(replace(adhoc.conn, name="shop-redis", service="shop"), adhoc.password)
    svc.revoke_token(svc.target("shop-redis"), token())
    health = svc.service_health("shop")
    assert health.reachable and health.sampled == 1 and health.without_ttl == ()
