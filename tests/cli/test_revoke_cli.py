"""`jwtdesk revoke …`, `connections …` and `token inspect --connection` end to end, against a
real redis-server / Redis Cluster and the real Secret Service."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from jwtdesk.cli import main
from jwtdesk.services import KeyService
from tests.redis_servers import PASSWORD
from tests.revocation_helpers import HS_KEY, token

pytestmark = pytest.mark.redis


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert PASSWORD not in out + err  # a password in --redis URL is never echoed
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> Any:
    got, out, err = run(capsys, *argv, "--json")
    assert got == code, err
    return json.loads(out)


@pytest.fixture(params=["single", "cluster"])
def where(request: pytest.FixtureRequest, home: Path) -> list[str]:
    server = request.getfixturevalue(f"redis_{request.param}")
    if request.param == "cluster":
        server.flush()
        return ["--redis", server.url.replace("://", f"://:{PASSWORD}@"), "--cluster"]
    server.client().flushall()
    return ["--redis", server.url.replace("://", f"://:{PASSWORD}@") + "/0"]


def test_revoke_and_check_contract(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    where: list[str],
) -> None:
    tok = token("alice", iat=time.time() - 5, lifetime=300)
    doc = run_json(capsys, "revoke", "check", tok, *where)
    assert doc["revoked"] is False and doc["rule"] is None
    assert [c["status"] for c in doc["checks"]] == ["passed", "passed", "passed"]
    monkeypatch.setattr("sys.stdin", io.StringIO(tok + "\n"))
    written = run_json(capsys, "revoke", "token", "-", *where)
    assert 290 <= written["ttl_s"] <= 300 and written["value"] == "1"
    assert tok not in json.dumps(written)
    doc = run_json(capsys, "revoke", "check", tok, *where, code=1)
    assert doc["revoked"] is True and doc["rule"] == "blacklist"
    code, out, _ = run(capsys, "revoke", "check", tok, *where)
    assert code == 1 and out.startswith("REVOKED (blacklist)") and "FAIL  blacklist" in out


def test_user_global_list_count(capsys: pytest.CaptureFixture[str], where: list[str]) -> None:
    tok = token("bob", iat=time.time() - 5)
    run_json(capsys, "revoke", "user", "bob", *where)
    assert run_json(capsys, "revoke", "check", tok, *where, code=1)["rule"] == "user"
    assert run_json(capsys, "revoke", "global", "--show", *where)["value"] is None
    written = run_json(capsys, "revoke", "global", *where)
    shown = run_json(capsys, "revoke", "global", "--show", *where)
    assert shown["value"] == str(written["value"]) and shown["ttl_s"] > 0
    run_json(capsys, "revoke", "token", token("carol"), *where)
    counts = run_json(capsys, "revoke", "count", *where)
    assert counts == {"blacklist": 1, "user": 1, "global": 1, "total": 3}
    listed = run_json(capsys, "revoke", "list", *where)
    assert sorted(e["kind"] for e in listed["entries"]) == ["blacklist", "global", "user"]
    assert all(e["ttl_s"] > 0 for e in listed["entries"]) and not listed["truncated"]
    assert run_json(capsys, "revoke", "global", "--clear", *where)["cleared"] is True
    run_json(capsys, "revoke", "check", token("dave", iat=time.time() - 5), *where)


def test_usage_and_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], where: list[str]
) -> None:
    code, _, err = run(capsys, "revoke", "token", token(lifetime=None), *where)
    assert code == 1 and "--ttl" in err and err.count("\n") == 1
    code, _, err = run(capsys, "revoke", "token", "not-a-token", *where)
    assert code == 1 and "not a JWT" in err
    code, _, err = run(capsys, "revoke", "count", "--redis", "redis://:x@127.0.0.1:1")
    assert code == 1 and "cannot reach Redis at 127.0.0.1:1" in err and err.count("\n") == 1
    code, _, err = run(capsys, "revoke", "count")
    assert code == 2


@pytest.mark.secret_service
def test_connections_keep_the_password_in_the_keyring(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    real_service: KeyService,
    redis_single: Any,
) -> None:
    redis_single.client().flushall()
    url = redis_single.url.replace("://", f"://:{PASSWORD}@") + "/0"
    doc = run_json(capsys, "connections", "new", "shop-prod", "--url", url, "--service", "shop",
                   "--key-by", "sha256", "--prefix", "shop:")  # fmt: skip
    assert doc["password"] == "in the OS keyring" and doc["url"] == redis_single.url
    index = real_service.index.path.read_text()
    assert PASSWORD not in index and "shop-prod" in index
    conn = real_service.index.load().connection("shop-prod")
    assert real_service.vault.get(conn.secret_id).reveal() == PASSWORD.encode()
    assert [c["name"] for c in run_json(capsys, "connections", "list")["connections"]] == [
        "shop-prod"
    ]
    shown = run_json(capsys, "connections", "show", "shop-prod")
    assert shown["schema"]["key_by"] == "sha256" and shown["service"] == "shop"
    assert run_json(capsys, "connections", "test", "shop-prod")["reachable"] is True

    tok = jwt.encode({"sub": "erin", "iat": int(time.time()), "exp": int(time.time()) + 60},
                     HS_KEY, algorithm="HS256")  # fmt: skip
    written = run_json(capsys, "revoke", "token", tok, "--connection", "shop-prod")
    assert written["key"].startswith("shop:blacklist:") and tok not in written["key"]
    assert redis_single.client().get(written["key"]) == "1"

    # token inspect --connection: the revocation row joins the checks; revoked = invalid
    real_service.index.path.parent.joinpath("k").write_text(HS_KEY)
    inspect = ["token", "inspect", tok, "--secret-file", str(real_service.index.path.parent / "k")]
    doc = run_json(capsys, *inspect, "--connection", "shop-prod", code=1)
    row = doc["checks"][-1]
    assert row["name"] == "revoked" and row["status"] == "failed" and "blacklist" in row["reason"]
    assert run_json(capsys, *inspect)["valid"] is True  # without a connection: no row

    # the checklist's revocation items use this connection (issue 15's probe)
    real_service.create("shop-api", "HS256", service="shop")
    _, text, _ = run(capsys, "checklist", "shop", "--json")  # 0 or 1: the other items say
    items = {i["id"]: i for i in json.loads(text)["items"]}
    assert items["revocation-redis"]["status"] == "pass"
    assert items["revocation-ttl"]["status"] == "pass"

    run_json(capsys, "connections", "delete", "shop-prod")
    assert not real_service.vault.exists(conn.secret_id)
    assert run(capsys, "connections", "show", "shop-prod")[0] == 1
