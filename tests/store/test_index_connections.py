"""Connections in the index: round trip, no password, and an index without them unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jwtdesk.core.connections import Connection
from jwtdesk.core.errors import StoreCorrupt
from jwtdesk.core.revocation import KeyMode, KeySchema
from jwtdesk.store.index import Index, IndexState, decode, encode


def test_round_trip_keeps_every_field(home: Path) -> None:
    conn = Connection(
        name="shop-prod",
        url="rediss://redis.internal:6380",
        service="shop",
        environment="prod",
        username="ops",
        ca_file="/etc/ca.pem",
        cert_file="/etc/c.pem",
        key_file="/etc/c.key",
        timeout_s=1.5,
        max_lifetime_s=86400,
        user_claim="uid",
        schema=KeySchema(prefix="shop:", mode=KeyMode.SHA256),
        secret_id="rc-0123",
    )
    index = Index(home)
    with index.locked() as state:
        index.write(state.put_connection(conn))
    loaded = Index(home).load()
    assert loaded.connections == (conn,)
    doc = json.loads(index.path.read_text())
    assert "password" not in json.dumps(doc["connections"])


def test_an_index_without_connections_is_written_as_before() -> None:
    old = b'{"schema":1,"keysets":[],"pending":[],"profiles":[]}\n'
    state = decode(old, Path("index.json"))
    assert state == IndexState()
    assert encode(state) == old


def test_a_malformed_connection_is_store_corrupt() -> None:
    bad = {"schema": 1, "connections": [{"name": "x", "url": "http://nope"}]}
    with pytest.raises(StoreCorrupt, match="malformed entry"):
        decode(json.dumps(bad).encode(), Path("index.json"))
