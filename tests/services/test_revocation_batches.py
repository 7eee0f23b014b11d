"""Batches (revoke_tokens, check_many) run as Lua scripts when Redis lets them and as plain
pipelines otherwise. Against a real redis-server and a real 3-master cluster: both paths write
exactly the same keys, values and TTLs, answer the same verdicts, refuse a wrong-typed key
without writing anything, and the scripts hand over to the pipelines when Redis refuses them
(an ACL without scripting, a flushed script cache is reloaded instead)."""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from jwtdesk.core.errors import RedisFailed
from jwtdesk.core.revocation import KeyMode, KeySchema, Rule
from jwtdesk.services import KeyService
from jwtdesk.services.revocation import RevocationService, Target, adhoc_connection
from jwtdesk.store import redisconn
from tests.redis_servers import PASSWORD
from tests.revocation_helpers import target_for, token

pytestmark = pytest.mark.redis
MANY = 2 * redisconn.CHUNK + 300  # several script calls per master, a short last one


@dataclass
class Redis:
    kind: str
    server: Any

    @property
    def nodes(self) -> list[Any]:
        return list(self.server.nodes) if self.kind == "cluster" else [self.server]

    def target(self, schema: KeySchema | None = None, *, scripts: bool = True) -> Target:
        t = target_for(self.server, self.kind == "cluster", schema)
        return replace(t, scripts=scripts)

    def flush(self) -> None:
        for node in self.nodes:
            node.client().flushall()

    def dump(self) -> dict[str, tuple[str, str | None, int]]:
        """Every key on every node: (type, value if a string, TTL)."""
        out = {}
        for node in self.nodes:
            raw = node.client()
            for key in raw.scan_iter(count=1000):
                kind = raw.type(key)
                value = raw.get(key) if kind == "string" else None
                out[key] = (kind, value, raw.ttl(key))
        return out

    def stat(self, name: str) -> int:
        """Calls of command ``name`` on all nodes (INFO commandstats)."""
        total = 0
        for node in self.nodes:
            stats = node.client().info("commandstats")
            total += int(stats.get(f"cmdstat_{name}", {}).get("calls", 0))
        return total

    def errors(self, code: str) -> int:
        total = 0
        for node in self.nodes:
            stats = node.client().info("errorstats")
            total += int(stats.get(f"errorstat_{code}", {}).get("count", 0))
        return total


@pytest.fixture(params=["single", "cluster"])
def redis(request: pytest.FixtureRequest) -> Iterator[Redis]:
    r = Redis(request.param, request.getfixturevalue(f"redis_{request.param}"))
    r.flush()
    yield r
    r.flush()


@pytest.fixture
def svc(memory_service: KeyService) -> RevocationService:
    return RevocationService(memory_service)


def _same_entries(a: dict[str, Any], b: dict[str, Any], apart: float = 0.0) -> None:
    """Same keys, kinds and values; TTLs differ by no more than the seconds between the writes."""
    assert a.keys() == b.keys()
    for key, (kind, value, ttl) in a.items():
        other_kind, other_value, other_ttl = b[key]
        assert (kind, value) == (other_kind, other_value)
        assert abs(ttl - other_ttl) <= apart + 2, key


@pytest.mark.parametrize("mode", [KeyMode.TOKEN, KeyMode.SHA256, KeyMode.JTI])
@pytest.mark.parametrize("count", [7, MANY])
def test_scripts_and_pipelines_write_the_same_entries(
    redis: Redis, svc: RevocationService, mode: KeyMode, count: int
) -> None:
    schema = KeySchema(prefix="app:", mode=mode)
    tokens = [token(f"u{n % 50}", lifetime=600 + n) for n in range(count)]
    evalsha = redis.stat("evalsha")
    started = time.time()
    assert svc.revoke_tokens(redis.target(schema), tokens) == count
    assert redis.stat("evalsha") > evalsha  # the scripts wrote them
    scripted = redis.dump()
    read = time.time()
    redis.flush()
    evalsha = redis.stat("evalsha")
    svc.revoke_tokens(redis.target(schema, scripts=False), tokens)
    assert redis.stat("evalsha") == evalsha  # the pipelines wrote them
    _same_entries(scripted, redis.dump(), apart=time.time() - started)
    # and what was written is the schema's key, "1", the token's remaining lifetime
    import jwt

    for n, tok in enumerate(tokens):
        claims = jwt.decode(tok, options={"verify_signature": False})
        ident = {
            KeyMode.TOKEN: tok,
            KeyMode.SHA256: hashlib.sha256(tok.encode()).hexdigest(),
            KeyMode.JTI: claims["jti"],
        }[mode]
        kind, value, ttl = scripted[f"app:blacklist:{ident}"]
        assert (kind, value) == ("string", "1")
        assert claims["exp"] - read - 1 <= ttl <= claims["exp"] - started + 1, n
    if redis.kind == "cluster" and count == MANY:  # spread over every master
        # (7 random keys miss one of three masters about one run in six: only MANY is checked)
        assert all(node.client().dbsize() for node in redis.nodes)


def test_check_agrees_on_both_paths(redis: Redis, svc: RevocationService) -> None:
    now = int(time.time())
    tokens = [token(f"u{n % 40}", iat=now - 100) for n in range(MANY)]
    tokens.append(token(None, iat=now - 100))  # names no user
    tokens.append(tokens[3])  # the same token twice in a batch
    target = redis.target()
    svc.revoke_tokens(target, tokens[::3])
    svc.revoke_user(target, "u7")
    svc.revoke_user(target, "u8", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 1000)))

    def rules(scripts: bool) -> list[Rule | None]:
        verdicts = svc.check_many(redis.target(scripts=scripts), tokens)
        assert all(v.revoked == (v.rule is not None) for v in verdicts)
        return [v.rule for v in verdicts]

    evalsha = redis.stat("evalsha")
    scripted = rules(True)
    assert redis.stat("evalsha") > evalsha
    assert scripted == rules(False)
    expected = [
        Rule.BLACKLIST if n % 3 == 0 else Rule.USER if n % 40 == 7 else None for n in range(MANY)
    ]
    assert scripted == [*expected, None, Rule.BLACKLIST]
    svc.set_global(target)  # every token above was issued before now
    assert rules(True) == rules(False)
    assert set(rules(True)) == {Rule.BLACKLIST, Rule.USER, Rule.GLOBAL}


def test_check_in_jti_mode_skips_tokens_without_jti(redis: Redis, svc: RevocationService) -> None:
    schema = KeySchema(mode=KeyMode.JTI)
    with_jti = [token(f"u{n}") for n in range(5)]
    without = token("u9", jti=False)
    svc.revoke_tokens(redis.target(schema), with_jti[:2])
    for scripts in (True, False):
        verdicts = svc.check_many(redis.target(schema, scripts=scripts), [*with_jti, without])
        assert [v.blacklisted for v in verdicts] == [True, True, False, False, False, None]


def test_a_foreign_blacklist_key_counts_as_revoked(redis: Redis, svc: RevocationService) -> None:
    """The middleware asks EXISTS: a hash under a blacklist key revokes too, on both paths."""
    tokens = [token(f"u{n}") for n in range(30)]
    owner = _node_of(redis, f"blacklist:{tokens[4]}")
    owner.client().hset(f"blacklist:{tokens[4]}", mapping={"other": "program"})
    svc.revoke_tokens(redis.target(), tokens[10:12])
    for scripts in (True, False):
        verdicts = svc.check_many(redis.target(scripts=scripts), tokens)
        assert [n for n, v in enumerate(verdicts) if v.revoked] == [4, 10, 11]


def _node_of(redis: Redis, key: str) -> Any:
    if redis.kind == "single":
        return redis.server
    slot = int(redis.nodes[0].client().execute_command("CLUSTER", "KEYSLOT", key))
    for node in redis.nodes:
        for start, end, *_ in node.client().execute_command("CLUSTER", "SLOTS"):
            if int(start) <= slot <= int(end):
                return next(n for n in redis.nodes if n.port == int(_[0][1]))
    raise AssertionError("slot not covered")


@pytest.mark.parametrize("scripts", [True, False])
@pytest.mark.parametrize("count", [7, MANY])
def test_a_wrong_typed_key_stops_the_whole_batch(
    redis: Redis, svc: RevocationService, scripts: bool, count: int
) -> None:
    tokens = [token(f"u{n}") for n in range(count)]
    bad = tokens[-2]  # in the last chunk: earlier chunks must not be written either
    _node_of(redis, f"blacklist:{bad}").client().hset(f"blacklist:{bad}", mapping={"a": "b"})
    before = redis.dump()
    with pytest.raises(RedisFailed, match="wrong type") as info:
        svc.revoke_tokens(redis.target(scripts=scripts), tokens)
    message = str(info.value)
    assert "Nothing was changed" in message and "\n" not in message
    assert not any(t in message for t in tokens) and PASSWORD not in message
    digest = hashlib.sha256(bad.encode()).hexdigest()[:16]
    assert message.startswith(f"blacklist:<token sha256:{digest}…> in ")  # the very key, masked
    assert redis.dump() == before  # nothing half-written


@pytest.mark.parametrize("scripts", [True, False])
def test_check_names_a_wrong_typed_cutoff(
    redis: Redis, svc: RevocationService, scripts: bool
) -> None:
    tokens = [token(f"u{n}") for n in range(20)]
    _node_of(redis, "user_revoke:u13").client().rpush("user_revoke:u13", "x")
    with pytest.raises(RedisFailed, match="wrong type") as info:
        svc.check_many(redis.target(scripts=scripts), tokens)
    if scripts:
        assert str(info.value).startswith("user_revoke:u13 in ")


@contextlib.contextmanager
def _limited(redis: Redis, *rules: str) -> Iterator[Target]:
    """A target logging in as an ACL user with ``rules`` on every node (removed after)."""
    for node in redis.nodes:
        node.client().acl_setuser(
            "limited",
            enabled=True,
            passwords=["+limited-pw-8c1e"],
            keys=["*"],
            commands=["+@all", *rules],
        )
    try:
        host = redis.server.url.split("://", 1)[1]
        t = adhoc_connection(
            f"redis://limited:limited-pw-8c1e@{host}", cluster=redis.kind == "cluster"
        )
        yield Target(replace(t.conn, timeout_s=5.0), t.password)
    finally:
        for node in redis.nodes:
            node.client().acl_deluser("limited")


def test_without_scripting_the_pipelines_answer(redis: Redis, svc: RevocationService) -> None:
    """An ACL user that may not run scripts: NOPERM, then the same result by pipelines."""
    with _limited(redis, "-@scripting") as target:
        now = int(time.time())
        tokens = [token(f"u{n % 10}", iat=now - 50) for n in range(MANY)]
        refused = redis.errors("NOPERM")
        svc.revoke_tokens(target, tokens[:100])
        assert redis.errors("NOPERM") > refused  # EVALSHA was refused ...
        assert sum(node.client().dbsize() for node in redis.nodes) == 100  # ... and yet written
        written = redis.dump()
        redis.flush()
        svc.revoke_tokens(redis.target(), tokens[:100])
        _same_entries(written, redis.dump(), apart=time.time() - now)
        svc.revoke_user(redis.target(), "u3")
        refused = redis.errors("NOPERM")
        limited = [v.rule for v in svc.check_many(target, tokens)]
        assert redis.errors("NOPERM") > refused
        assert limited == [v.rule for v in svc.check_many(redis.target(), tokens)]
        assert limited.count(Rule.BLACKLIST) == 100 and limited.count(Rule.USER) > 0


def test_a_flushed_script_cache_is_reloaded(redis: Redis, svc: RevocationService) -> None:
    tokens = [token(f"u{n}") for n in range(50)]
    svc.revoke_tokens(redis.target(), tokens[:1])
    for node in redis.nodes:
        node.client().script_flush()
    missing = redis.errors("NOSCRIPT")
    loads = redis.stat("script|load")
    svc.revoke_tokens(redis.target(), tokens)
    assert redis.errors("NOSCRIPT") > missing and redis.stat("script|load") > loads
    assert sum(node.client().dbsize() for node in redis.nodes) == 50
    assert all(v.revoked for v in svc.check_many(redis.target(), tokens))


def test_client_flag_and_fallback_record(redis: Redis) -> None:
    """RedisClient(scripts=False) never sends EVALSHA; a refusal is recorded in fell_back."""
    items = [(f"blacklist:k{n}", "1", 300) for n in range(40)]
    with redis.target(scripts=False).open() as client:
        evalsha = redis.stat("evalsha")
        client.set_many(items)
        found, values = client.exists_and_read([k for k, _, _ in items], ["nope"], ["nope"])
        assert redis.stat("evalsha") == evalsha and not client.fell_back
    assert found == [True] * 40 and values == [None]
    with _limited(redis, "-evalsha") as target, target.open() as client:
        client.set_many(items)
        assert client.fell_back
    with redis.target().open() as client:
        assert client.exists_and_read(["blacklist:k1", "x"], ["blacklist:k2"], []) == (
            [True, False],
            ["1"],
        )
        assert not client.fell_back


def test_a_key_that_turns_wrong_typed_mid_batch_is_reported(redis: Redis) -> None:
    """Between the batch's type check and its writes another program puts a hash under one
    key: that chunk's script checks again and refuses (the hash stays); the message says the
    batch may be partly written and that running it again is safe."""
    items = [(f"blacklist:race-{n}", "1", 300) for n in range(MANY)]
    racer = items[-1][0]

    class Racing(redisconn.RedisClient):
        def _settle(self, calls: Any, replies: Any, name: Any, *, partly: bool) -> None:
            super()._settle(calls, replies, name, partly=partly)
            if not partly:  # the type check passed: now the other program writes
                _node_of(redis, racer).client().hset(racer, mapping={"a": "b"})

    t = redis.target()
    with Racing(t.conn, t.password) as client, pytest.raises(RedisFailed) as info:
        client.set_many(items, lambda key: f"<{key}>")
    message = str(info.value)
    assert message.startswith(f"<{racer}> in ") and "may be written" in message
    assert "run the same revocation again" in message and "\n" not in message
    assert _node_of(redis, racer).client().hgetall(racer) == {"a": "b"}
