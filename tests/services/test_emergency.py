"""The emergency response against the real Secret Service and a real Redis (single server and
cluster): dry run changes nothing; a run rotates, retires, cuts off, exports and reports; an
unreachable or broken Redis stops it before the first change."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from dotenv import dotenv_values

from jwtdesk.cli import main
from jwtdesk.services import KeyService
from jwtdesk.services.emergency import EmergencyService
from jwtdesk.services.export import ExportService
from jwtdesk.services.revocation import RevocationService, Target
from jwtdesk.store.auditlog import AuditLog
from tests import redis_servers
from tests.revocation_helpers import target_for

pytestmark = [pytest.mark.redis, pytest.mark.secret_service]


@pytest.fixture
def shop(real_service: KeyService) -> KeyService:
    real_service.create("shop-access", "HS256", service="shop")
    real_service.create("shop-signing", "ES256", service="shop")
    real_service.create("other", "HS256", service="other")
    ExportService(real_service).create_profile("shop-prod", access="shop-access")
    return real_service


def kids(svc: KeyService) -> dict[str, str]:
    return {ks.name: ks.current.kid for ks in svc.keysets() if ks.current}


@pytest.fixture(params=["single", "cluster"])
def redis_target(request: pytest.FixtureRequest) -> tuple[Target, Any]:
    server = request.getfixturevalue(f"redis_{request.param}")
    if request.param == "cluster":
        server.flush()
    else:
        server.client().flushall()
    return target_for(server, request.param == "cluster"), server.client()


def test_dry_run_changes_nothing(
    shop: KeyService, redis_target: tuple[Target, Any], tmp_path: Path
) -> None:
    target, raw = redis_target
    before = kids(shop)
    out = EmergencyService(RevocationService(shop)).run(
        "shop", target, tmp_path / "er", dry_run=True
    )
    assert out.ok and out.dry_run
    assert out.steps[0].status == "ok" and "reachable" in out.steps[0].detail
    assert [s.status for s in out.steps[1:]] == ["planned"] * (len(out.steps) - 1)
    kinds = [s.kind for s in out.steps]
    assert kinds == ["check", "rotate", "retire", "rotate", "retire", "cutoff", "export", "jwks",
                     "report"]  # fmt: skip
    assert kids(shop) == before
    assert raw.exists("global_revoke_before") == 0
    assert not (tmp_path / "er").exists()


def test_run_rotates_cuts_off_exports_and_reports(
    shop: KeyService, redis_target: tuple[Target, Any], tmp_path: Path
) -> None:
    target, raw = redis_target
    before = kids(shop)
    directory = tmp_path / "er"
    out = EmergencyService(RevocationService(shop)).run("shop", target, directory)
    assert out.ok, out.steps
    after = kids(shop)
    assert after["other"] == before["other"]
    for name in ("shop-access", "shop-signing"):
        assert after[name] != before[name]
        ks = shop.get(name)
        assert ks.previous is None  # the possibly leaked key verifies nothing
        assert ks.version(before[name]).state.value == "retired"
    assert {r["keyset"]: r["old_kid"] for r in out.rotated} == {
        "shop-access": before["shop-access"],
        "shop-signing": before["shop-signing"],
    }
    value = int(raw.get("global_revoke_before"))
    assert abs(value - time.time()) < 5 and raw.ttl("global_revoke_before") > 6 * 86400
    env = dotenv_values(directory / "shop-prod.env")
    _, secret = shop.secret("shop-access")
    assert env["JWT_SECRET_CURRENT"] == secret.reveal().decode()
    assert "JWT_SECRET_PREVIOUS" not in env
    jwks = json.loads((directory / "shop.jwks.json").read_text())
    assert [k["kid"] for k in jwks["keys"]] == [after["shop-signing"]]
    assert (directory / "shop-prod.env").stat().st_mode & 0o777 == 0o600
    report = json.loads((directory / "report.json").read_text())
    assert report["ok"] and len(report["files"]) == 2 and report["cutoff"]["value"] == value
    assert any("deploy" in line and "shop-prod.env" in line for line in report["to_deploy"])
    assert any(line.startswith("publish") and "jwks" in line for line in report["to_deploy"])
    assert secret.reveal().decode() not in (directory / "report.json").read_text()
    log = [e for e in AuditLog(shop.index.home).read() if e.action.startswith("emergency")]
    assert [e.action for e in log] == ["emergency-rotate"] * 2 + ["emergency-export"] * 2 + [
        "emergency"
    ]
    assert log[-1].outcome == "ok" and log[-1].target == str(directory / "report.json")


def _assert_stopped_before_change(shop: KeyService, out: Any, before: dict[str, str]) -> None:
    assert not out.ok and out.steps[0].status == "failed"
    assert all(s.status == "planned" for s in out.steps[1:])
    assert kids(shop) == before and out.files == () and out.rotated == ()
    assert AuditLog(shop.index.home).read()[-1].action == "emergency"
    assert AuditLog(shop.index.home).read()[-1].outcome == "failed"


def test_redis_down_stops_before_the_first_rotation(shop: KeyService, tmp_path: Path) -> None:
    port = redis_servers.free_port()
    target = target_for(type("S", (), {"url": f"redis://127.0.0.1:{port}"})())
    before = kids(shop)
    out = EmergencyService(RevocationService(shop)).run("shop", target, tmp_path / "er")
    assert "cannot reach Redis" in out.steps[0].detail
    _assert_stopped_before_change(shop, out, before)
    assert not (tmp_path / "er").exists()


def test_wrong_type_cutoff_or_password_stops_before_change(
    shop: KeyService, redis_single: Any, tmp_path: Path
) -> None:
    raw = redis_single.client()
    raw.flushall()
    raw.hset("global_revoke_before", mapping={"x": "y"})
    before = kids(shop)
    svc = EmergencyService(RevocationService(shop))
    out = svc.run("shop", target_for(redis_single), tmp_path / "a")
    assert "wrong type" in out.steps[0].detail
    _assert_stopped_before_change(shop, out, before)
    raw.delete("global_revoke_before")
    bad = Target(target_for(redis_single).conn, None)
    out = svc.run("shop", bad, tmp_path / "b")
    assert "refused the credentials" in out.steps[0].detail
    _assert_stopped_before_change(shop, out, before)


def test_cli_contract(
    shop: KeyService,
    redis_single: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    redis_single.client().flushall()
    url = redis_single.url.replace("://", f"://:{redis_servers.PASSWORD}@")
    assert main(["connections", "new", "shop-redis", "--url", url, "--service", "shop"]) == 0
    capsys.readouterr()
    before = kids(shop)
    assert main(["emergency", "shop", "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "plan  Rotate shop-access (HS256)" in text and "checks passed" in text
    assert main(["emergency", "shop", "--dry-run", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["dry_run"] and doc["ok"] and doc["connection"] == "shop-redis"
    assert kids(shop) == before
    assert main(["emergency", "shop"]) == 1  # not a terminal, no --yes: refused
    assert "--yes" in capsys.readouterr().err and kids(shop) == before
    out_dir = tmp_path / "response"
    assert main(["emergency", "shop", "--yes", "--out", str(out_dir)]) == 0
    text = capsys.readouterr().out
    assert "DONE" in text and "to deploy:" in text and f"report: {out_dir}/report.json" in text
    assert redis_servers.PASSWORD not in text
    assert kids(shop)["shop-access"] != before["shop-access"]


def test_redis_lost_mid_run_is_reported_step_by_step(shop: KeyService, tmp_path: Path) -> None:
    """Redis dies after the rotations (a real server, stopped by pid from the progress
    callback): the report says what was done and what was not, and is written."""
    server = redis_servers.start(tmp_path / "redis")
    try:
        seen: list[str] = []

        def progress(step: Any) -> None:
            seen.append(f"{step.kind}:{step.status}")
            if step.kind == "retire" and step.subject == "shop-signing" and step.status == "ok":
                server.stop()

        directory = tmp_path / "er"
        out = EmergencyService(RevocationService(shop)).run(
            "shop", target_for(server), directory, progress=progress
        )
    finally:
        server.stop()
    assert not out.ok
    statuses = {s.kind: s.status for s in out.steps}
    assert statuses["rotate"] == "ok" and statuses["cutoff"] == "failed"
    assert statuses["export"] == "not run" and statuses["jwks"] == "not run"
    assert "cannot reach Redis" in next(s.detail for s in out.steps if s.kind == "cutoff")
    assert len(out.rotated) == 2 and out.files == ()
    assert any("did not finish" in line for line in out.to_deploy)
    report = json.loads((directory / "report.json").read_text())
    assert report["ok"] is False and [r["keyset"] for r in report["rotated"]] == [
        "shop-access",
        "shop-signing",
    ]


def test_a_verify_only_keyset_is_left_to_its_issuer(
    shop: KeyService, redis_single: Any, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from jwtdesk.services.importing import ImportOptions, import_file

    redis_single.client().flushall()
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    pem = tmp_path / "partner.pub"
    pem.write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    import_file(shop, str(pem), ImportOptions(name="partner", alg="ES256", service="shop"))
    before = kids(shop)["partner"]
    out = EmergencyService(RevocationService(shop)).run(
        "shop", target_for(redis_single), tmp_path / "er"
    )
    assert out.ok
    step = next(s for s in out.steps if s.subject == "partner")
    assert step.kind == "skip" and "rotate it there" in step.title
    assert kids(shop)["partner"] == before
    assert {r["keyset"] for r in out.rotated} == {"shop-access", "shop-signing"}


def test_a_response_directory_in_an_unignored_git_tree_is_refused_with_a_fix_that_exists(
    shop: KeyService, redis_single: Any, tmp_path: Path
) -> None:
    import subprocess

    redis_single.client().flushall()
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    out = EmergencyService(RevocationService(shop)).run(
        "shop", target_for(redis_single, False), repo / "er", dry_run=True
    )
    assert not out.ok and out.steps[0].status == "failed"
    from jwtdesk.cli.fixes import FIXES
    from jwtdesk.core.errors import Fix

    step = out.steps[0]
    assert "git does not ignore it" in step.detail and step.fix is Fix.OTHER_OUT_DIR
    assert "--out" in FIXES[step.fix].text and FIXES[step.fix].command == ("emergency",)
    assert "--force" not in FIXES[step.fix].text  # `jwtdesk emergency` has no such flag
    assert out.to_json()["steps"][0]["fix"] == "other-out-dir"


def test_an_unusable_response_directory_names_the_out_fix(
    shop: KeyService, redis_single: Any, tmp_path: Path
) -> None:
    from jwtdesk.core.errors import Fix

    redis_single.client().flushall()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "old.txt").write_text("x")
    afile = tmp_path / "afile"
    afile.write_text("x")
    for directory, words in ((busy, "is not empty"), (afile, "is not a directory")):
        out = EmergencyService(RevocationService(shop)).run(
            "shop", target_for(redis_single, False), directory, dry_run=True
        )
        step = out.steps[0]
        assert not out.ok and words in step.detail and step.fix is Fix.OTHER_OUT_DIR
        assert "--out" not in step.detail  # the flag is the CLI's word for the fix
