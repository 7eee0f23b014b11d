"""MOVED and ASK: a slot changes master while jwtdesk's client holds the old slot map (a real
3-master cluster of this test's own). redis-py's RedisCluster follows the redirection; the
entry lands on the slot's new master with its TTL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from jwtdesk.core.errors import RedisFailed
from jwtdesk.core.revocation import BLACKLIST_VALUE
from jwtdesk.services import KeyService
from jwtdesk.services.revocation import RevocationService
from tests import redis_servers
from tests.revocation_helpers import target_for

pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[redis_servers.Cluster]:
    """Its own cluster: these tests move slots around."""
    if not redis_servers.have_redis():
        pytest.skip("needs redis-server")
    c = redis_servers.start_cluster(tmp_path_factory.mktemp("cluster-moved"))
    yield c
    c.stop()


def _ids(cluster: redis_servers.Cluster) -> dict[int, str]:
    return {n.port: str(n.client().execute_command("CLUSTER", "MYID")) for n in cluster.nodes}


def _owner(cluster: redis_servers.Cluster, slot: int) -> redis_servers.Server:
    for node in cluster.nodes:
        for start, end, *_ in node.client().execute_command("CLUSTER", "SLOTS"):
            if int(start) <= slot <= int(end):
                return next(n for n in cluster.nodes if n.port == int(_[0][1]))
    raise AssertionError("slot not covered")


def _key_and_slot(cluster: redis_servers.Cluster, prefix: str) -> tuple[str, int]:
    key = f"{prefix}{time.time_ns()}"
    return key, int(cluster.nodes[0].client().execute_command("CLUSTER", "KEYSLOT", key))


def _errors(node: redis_servers.Server, code: str) -> int:
    """How many ``code`` error replies (MOVED, ASK) the node has sent (INFO errorstats)."""
    stats = node.client().info("errorstats")
    return int(stats.get(f"errorstat_{code}", {}).get("count", 0))


def _give_slot(cluster: redis_servers.Cluster, slot: int, to: redis_servers.Server) -> None:
    target_id = _ids(cluster)[to.port]
    for node in cluster.nodes:
        node.client().execute_command("CLUSTER", "SETSLOT", slot, "NODE", target_id)


def test_moved_is_followed(cluster: redis_servers.Cluster) -> None:
    client = target_for(cluster, cluster=True).open()
    client.ping()  # the client now holds the slot map
    key, slot = _key_and_slot(cluster, "blacklist:moved-")
    old = _owner(cluster, slot)
    new = next(n for n in cluster.nodes if n is not old)
    _give_slot(cluster, slot, new)
    client.set_entry(key, BLACKLIST_VALUE, 300, key)  # sent to old, answered MOVED
    client.close()
    assert _errors(old, "MOVED") == 1  # the redirection happened and was followed
    assert new.client().get(key) == BLACKLIST_VALUE and 295 <= new.client().ttl(key) <= 300
    assert old.client().execute_command("CLUSTER", "COUNTKEYSINSLOT", slot) == 0


def test_ask_during_migration_is_followed(cluster: redis_servers.Cluster) -> None:
    client = target_for(cluster, cluster=True).open()
    client.ping()
    key, slot = _key_and_slot(cluster, "user_revoke:ask-")
    source = _owner(cluster, slot)
    dest = next(n for n in cluster.nodes if n is not source)
    ids = _ids(cluster)
    dest.client().execute_command("CLUSTER", "SETSLOT", slot, "IMPORTING", ids[source.port])
    source.client().execute_command("CLUSTER", "SETSLOT", slot, "MIGRATING", ids[dest.port])
    written, value = client.raise_cutoff(key, 1_700_000_000, 300, key)  # source says ASK
    client.close()
    assert _errors(source, "ASK") == 1
    assert written and value == 1_700_000_000
    raw: Any = dest.client()
    assert raw.execute_command("ASKING") and raw.get(key) == "1700000000"
    assert source.client().execute_command("CLUSTER", "COUNTKEYSINSLOT", slot) == 0
    _give_slot(cluster, slot, dest)  # finish the migration
    assert dest.client().get(key) == "1700000000"


def _moved_key(cluster: redis_servers.Cluster, prefix: str) -> tuple[str, redis_servers.Server]:
    """A key whose slot now has another master than the one the client's map names."""
    key, slot = _key_and_slot(cluster, prefix)
    old = _owner(cluster, slot)
    new = next(n for n in cluster.nodes if n is not old)
    _give_slot(cluster, slot, new)
    return key, new


def test_a_moved_slot_hands_a_revoke_batch_to_the_pipelines(
    cluster: redis_servers.Cluster,
) -> None:
    """The batch scripts run on the master the client's stale map names, which refuses the
    key ("non local key") before writing anything; the pipelines then follow MOVED."""
    client = target_for(cluster, cluster=True).open()
    client.ping()
    key, new = _moved_key(cluster, "blacklist:batch-moved-")
    items = [(key, BLACKLIST_VALUE, 300)]
    items += [(f"blacklist:batch-{n}-{time.time_ns()}", BLACKLIST_VALUE, 300) for n in range(60)]
    moved = sum(_errors(n, "MOVED") for n in cluster.nodes)
    client.set_many(items)
    assert client.fell_back
    assert sum(_errors(n, "MOVED") for n in cluster.nodes) > moved  # redis-py followed it
    client.close()
    assert new.client().get(key) == BLACKLIST_VALUE and 295 <= new.client().ttl(key) <= 300
    reader = cluster.client()
    for k, _, _ in items:
        assert reader.get(k) == BLACKLIST_VALUE and 295 <= reader.ttl(k) <= 300


def test_a_moved_slot_hands_a_check_batch_to_the_pipelines(
    cluster: redis_servers.Cluster,
) -> None:
    cutoff = f"user_revoke:moved-{time.time_ns()}"
    cluster.client().set(cutoff, "1700000000", ex=300)
    client = target_for(cluster, cluster=True).open()
    client.ping()
    key, new = _moved_key(cluster, "blacklist:check-moved-")
    new.client().set(key, BLACKLIST_VALUE, ex=300)
    others = [f"blacklist:absent-{n}" for n in range(30)]
    found, values = client.exists_and_read([key, *others], [cutoff], [cutoff])
    assert client.fell_back
    client.close()
    assert found == [True] + [False] * 30 and values == ["1700000000"]


def test_a_master_down_is_one_clear_line(
    cluster: redis_servers.Cluster, memory_service: KeyService
) -> None:
    """Last in this module: it stops a master of the module's cluster."""
    svc = RevocationService(memory_service)
    target = target_for(cluster, cluster=True)
    assert svc.count(target)["blacklist"] >= 1
    cluster.nodes[2].stop()
    with pytest.raises(RedisFailed) as info:
        svc.count(target)  # SCAN reaches every master, the stopped one too
    message = str(info.value)
    assert message.startswith("cannot reach the Redis Cluster at 127.0.0.1:")
    assert "\n" not in message and redis_servers.PASSWORD not in message
