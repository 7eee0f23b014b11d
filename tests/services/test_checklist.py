"""The checklist against the real keyring, real files and git: weak and shared secrets, the
last leak scan, recorded exports; and no secret in any output or file."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest

from jwtdesk.cli import main
from jwtdesk.core.checklist import RevocationFacts, Status
from jwtdesk.core.keysets import Purpose
from jwtdesk.services import KeyService
from jwtdesk.services.checklist import run_checklist
from jwtdesk.services.export import ExportService
from jwtdesk.services.importing import ImportOptions, import_file
from jwtdesk.services.scan import scan

pytestmark = pytest.mark.secret_service


def by_id(keys: KeyService, service: str | None = "shop", **kw: object) -> dict[str, object]:
    return {i.id: i for i in run_checklist(keys, service, **kw)}  # type: ignore[arg-type]


def status(keys: KeyService, ident: str, service: str | None = "shop") -> Status:
    return by_id(keys, service)[ident].status  # type: ignore[attr-defined,no-any-return]


def make_shop(keys: KeyService) -> None:
    keys.create("shop-prod", "HS256", service="shop", environment="prod", purpose=Purpose.ACCESS)
    keys.create("shop-staging", "HS256", service="shop", environment="staging")


def test_a_secret_shared_across_environments_is_found_and_never_shown(
    real_service: KeyService, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_shop(real_service)
    assert status(real_service, "keys-shared") is Status.PASS
    # Built to fail: staging's key replaced in the keyring by prod's.
    prod = real_service.secret("shop-prod", action="test")[1]
    staging = real_service.get("shop-staging").current
    assert staging is not None
    real_service.vault.put(staging.id, prod)
    item = by_id(real_service)["keys-shared"]
    assert item.status is Status.FAIL  # type: ignore[attr-defined]
    assert "shop-prod = shop-staging" in item.reason  # type: ignore[attr-defined]

    assert main(["checklist", "shop", "--json"]) == 1
    assert main(["checklist", "shop"]) == 1
    assert main(["checklist"]) == 1
    out = capsys.readouterr()
    doc_text = out.out + out.err
    assert "shop-prod = shop-staging" in doc_text
    raw = prod.reveal()
    for form in (raw, base64.b64encode(raw), raw.hex().encode()):
        assert form[:20].decode() not in doc_text
        for path in home.rglob("*"):
            if path.is_file():
                assert form[:20] not in path.read_bytes(), path


def test_weak_imported_secret_fails_and_a_rotation_fixes_it(
    real_service: KeyService, tmp_path: Path
) -> None:
    env = tmp_path / "old.env"
    env.write_text("JWT_SECRET=mysecretmysecretmysecretmysecret1\n")
    import_file(
        real_service,
        str(env),
        ImportOptions(variables=["JWT_SECRET"], name="legacy", service="shop", allow_weak=True),
    )
    weak = tmp_path / "weak.env"
    weak.write_text("JWT_SECRET=secret\n")
    import_file(
        real_service,
        str(weak),
        ImportOptions(variables=["JWT_SECRET"], name="tiny", service="shop", allow_weak=True),
    )
    item = by_id(real_service)["keys-weak"]
    assert item.status is Status.FAIL  # type: ignore[attr-defined]
    assert "tiny" in item.reason and "legacy" not in item.reason  # type: ignore[attr-defined]
    assert status(real_service, "keys-size") is Status.FAIL
    real_service.rotate("tiny")
    real_service.retire("tiny")
    assert status(real_service, "keys-weak") is Status.PASS
    assert status(real_service, "keys-size") is Status.PASS


def test_keys_out_of_version_control_follows_the_last_scan(
    real_service: KeyService, tmp_path: Path
) -> None:
    make_shop(real_service)
    assert status(real_service, "keys-vcs") is Status.UNKNOWN
    clean = tmp_path / "clean"
    clean.mkdir()
    scan(real_service, [clean])
    assert status(real_service, "keys-vcs") is Status.PASS
    secret = real_service.secret("shop-prod", action="test")[1].reveal()
    (clean / ".env").write_bytes(b"JWT_SECRET=" + secret + b"\n")
    scan(real_service, [clean])
    item = by_id(real_service)["keys-vcs"]
    assert item.status is Status.FAIL and "shop-prod" in item.reason  # type: ignore[attr-defined]
    assert status(real_service, "keys-vcs", service=None) is Status.FAIL


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_exports_present_0600_ignored_and_not_drifted(
    real_service: KeyService, tmp_path: Path
) -> None:
    make_shop(real_service)
    svc = ExportService(real_service)
    svc.create_profile("shop-env", access="shop-prod", issuer="https://a", audience="shop")
    assert status(real_service, "exports-files") is Status.UNKNOWN
    out = tmp_path / "shop.env"
    svc.write("shop-env", out)
    assert status(real_service, "exports-files") is Status.PASS
    out.chmod(0o644)
    assert "mode 0644" in by_id(real_service)["exports-files"].reason  # type: ignore[attr-defined]
    out.chmod(0o600)
    real_service.rotate("shop-prod")
    item = by_id(real_service)["exports-files"]
    assert item.status is Status.FAIL and "drifted" in item.reason  # type: ignore[attr-defined]
    svc.write("shop-env", out)
    assert status(real_service, "exports-files") is Status.PASS
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    svc.write("shop-env", repo / "prod.env", force=True)
    item = by_id(real_service)["exports-files"]
    assert "not ignored" in item.reason  # type: ignore[attr-defined]
    out.unlink()
    assert "missing" in by_id(real_service)["exports-files"].reason  # type: ignore[attr-defined]


def test_revocation_items_use_the_probe_when_given(real_service: KeyService) -> None:
    make_shop(real_service)
    assert status(real_service, "revocation-redis") is Status.UNKNOWN
    asked: list[str | None] = []

    def probe(service: str | None) -> RevocationFacts:
        asked.append(service)
        return RevocationFacts(True, "127.0.0.1:6379 answered PING", 5, 1)

    items = by_id(real_service, probe=probe)
    assert asked == ["shop"]
    assert items["revocation-redis"].status is Status.PASS  # type: ignore[attr-defined]
    assert items["revocation-ttl"].status is Status.FAIL  # type: ignore[attr-defined]


def test_unknown_service_is_one_line_error(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    make_shop(real_service)
    assert main(["checklist", "nope"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "known services: shop" in err


def test_checklist_json_document(
    real_service: KeyService, capsys: pytest.CaptureFixture[str]
) -> None:
    make_shop(real_service)
    main(["checklist", "shop", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["service"] == "shop"
    ids = [i["id"] for i in doc["items"]]
    assert ids[:2] == ["keys-size", "keys-weak"] and len(ids) == len(set(ids)) == 18
    assert {i["status"] for i in doc["items"]} <= {"pass", "fail", "unknown"}
    assert all(i["status"] == "unknown" for i in doc["items"] if i["area"] == "transport")
