"""ExportService against the real Secret Service: profiles, env export, JWKS, drift check."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import jwt
import pytest

from jwtdesk.core import envfile
from jwtdesk.core.errors import Conflict, Fix, InGitTree, InvalidInput, JwtdeskError
from jwtdesk.core.keys import private_pem
from jwtdesk.services import KeyService
from jwtdesk.services.drift import MATCH, MISSING, STALE, UNKNOWN
from jwtdesk.services.export import ExportService
from jwtdesk.store.index import Index

pytestmark = pytest.mark.secret_service


@pytest.fixture
def svc(real_service: KeyService) -> ExportService:
    real_service.create("api", "HS256")
    real_service.create("api-refresh", "HS512")
    real_service.create("api-confirm", "HS256")
    export = ExportService(real_service)
    export.create_profile(
        "api-prod",
        access="api",
        refresh="api-refresh",
        confirmation="api-confirm",
        issuer="https://auth.example",
        audience="api",
    )
    return export


def secret_text(keys: KeyService, name: str) -> str:
    return keys.secret(name)[1].reveal().decode("ascii")


def test_preview_masks_every_secret_and_reads_no_keyring(svc: ExportService, home: Path) -> None:
    def no_keyring() -> object:
        raise AssertionError("the preview read the keyring")

    offline = ExportService(KeyService(Index(home), no_keyring))  # type: ignore[arg-type]
    text = offline.preview("api-prod")
    values = envfile.parse(text)
    assert values["JWT_SECRET_CURRENT"] == envfile.MASK
    assert values["REFRESH_TOKEN_SECRET"] == envfile.MASK
    assert values["JWT_EXPIRES_IN"] == "15m"
    assert values["JWT_ISSUER"] == "https://auth.example"
    assert "JWT_SECRET_PREVIOUS" not in values  # no previous key yet: omitted, not empty
    for name in ("api", "api-refresh", "api-confirm"):
        assert secret_text(svc.keys, name) not in text


def test_previous_variable_follows_the_grace_period(svc: ExportService) -> None:
    old = secret_text(svc.keys, "api")
    svc.keys.rotate("api")
    values = envfile.parse(svc.render("api-prod"))
    assert values["JWT_SECRET_PREVIOUS"] == old
    assert values["JWT_SECRET_CURRENT"] == secret_text(svc.keys, "api")
    svc.keys.retire("api")
    assert "JWT_SECRET_PREVIOUS" not in envfile.parse(svc.render("api-prod"))
    omitted = [p.binding.var for p in svc.plan("api-prod") if p.omitted]
    assert omitted == ["JWT_SECRET_PREVIOUS"]


@pytest.mark.parametrize("fmt", [f.value for f in envfile.Format if f is not envfile.Format.DOCKER])
def test_asymmetric_profile_round_trips_in_every_format(
    real_service: KeyService, tmp_path: Path, fmt: str
) -> None:
    real_service.create("sig", "ES256")
    svc = ExportService(real_service)
    svc.create_profile("p", access="sig")
    path = svc.write("p", tmp_path / "out.env", fmt)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = envfile.parse(path.read_text(), envfile.Format(fmt))
    pem = private_pem(real_service.secret("sig")[1]).reveal().decode("ascii")
    assert values["JWT_PRIVATE_KEY"] == pem
    assert values["JWT_PUBLIC_KEY_CURRENT"].startswith("-----BEGIN PUBLIC KEY-----\n")
    assert values["JWT_KID"] == real_service.get("sig").current.kid  # type: ignore[union-attr]
    token = jwt.encode({"sub": "u"}, values["JWT_PRIVATE_KEY"], algorithm="ES256")
    assert jwt.decode(token, values["JWT_PUBLIC_KEY_CURRENT"], algorithms=["ES256"])["sub"] == "u"


def test_docker_refuses_a_pem_unless_base64(real_service: KeyService, tmp_path: Path) -> None:
    real_service.create("sig", "EdDSA")
    svc = ExportService(real_service)
    svc.create_profile("p", access="sig", fmt="docker")
    with pytest.raises(InvalidInput, match="newline"):
        svc.write("p", tmp_path / "d.env")
    assert not (tmp_path / "d.env").exists()
    svc.write("p", tmp_path / "d.env", multiline="base64")
    values = envfile.parse((tmp_path / "d.env").read_text(), envfile.Format.DOCKER)
    assert "JWT_PRIVATE_KEY" not in values and "JWT_PRIVATE_KEY_B64" in values


def test_jwks_holds_current_and_previous_and_verifies(real_service: KeyService) -> None:
    real_service.create("sig", "RS256", size=2048)
    _, key = real_service.signing_key("sig")
    kid0 = real_service.get("sig").current.kid  # type: ignore[union-attr]
    token = jwt.encode({"sub": "u"}, key, algorithm="RS256", headers={"kid": kid0})  # type: ignore[arg-type]
    real_service.rotate("sig")
    svc = ExportService(real_service)
    doc = svc.jwks(["sig"])
    assert [k["kid"] for k in doc["keys"]][1] == kid0
    assert {(k["alg"], k["use"]) for k in doc["keys"]} == {("RS256", "sig")}
    assert not any("d" in k for k in doc["keys"])
    jwk_set = jwt.PyJWKSet.from_dict(doc)
    assert jwt.decode(token, jwk_set[kid0].key, algorithms=["RS256"])["sub"] == "u"


def test_hmac_keys_are_never_published(svc: ExportService) -> None:
    for call in (lambda: svc.jwks(["api"]), lambda: svc.public_pem("api")):
        with pytest.raises(InvalidInput, match="never"):
            call()


def test_private_jwk_round_trips(real_service: KeyService) -> None:
    real_service.create("sig", "ES384")
    svc = ExportService(real_service)
    jwk = json.loads(svc.private_jwk("sig").reveal())
    assert jwk["kid"] == real_service.get("sig").current.kid  # type: ignore[union-attr]
    key = jwt.PyJWK(jwk).key
    token = jwt.encode({"sub": "u"}, key, algorithm="ES384")
    ((_, public),) = real_service.verification_keys("sig")
    assert jwt.decode(token, public, algorithms=["ES384"])["sub"] == "u"  # type: ignore[arg-type]


def test_profile_editing_and_errors(svc: ExportService) -> None:
    svc.set_var("api-prod", "JWT_KID", "api:kid")
    svc.unset_var("api-prod", "JWT_AUDIENCE")
    vars_ = [b.var for b in svc.profile("api-prod").bindings]
    assert "JWT_KID" in vars_ and "JWT_AUDIENCE" not in vars_
    with pytest.raises(JwtdeskError, match="no keyset named"):
        svc.set_var("api-prod", "X", "nope:current")
    with pytest.raises(Conflict, match="already exists"):
        svc.create_profile("api-prod")
    svc.keys.rename("api", "api2")
    assert svc.profile("api-prod").binding("JWT_SECRET_CURRENT").keyset == "api2"
    svc.keys.delete("api-confirm")
    with pytest.raises(InvalidInput, match="no longer exists"):
        svc.plan("api-prod")
    svc.delete_profile("api-prod")
    assert svc.profiles() == ()


def test_drift_check_matching_stale_and_foreign(
    svc: ExportService, tmp_path: Path, home: Path
) -> None:
    path = svc.write("api-prod", tmp_path / "api.env")

    def no_keyring() -> object:
        raise AssertionError("the drift check read the keyring")

    offline = ExportService(KeyService(Index(home), no_keyring))  # type: ignore[arg-type]
    report = offline.check(str(path), "api-prod")
    assert report.clean, report.rows
    assert {r.status for r in report.rows} == {MATCH}

    svc.keys.rotate("api")
    rows = {r.name: r for r in offline.check(str(path), "api-prod").rows}
    assert rows["JWT_SECRET_CURRENT"].status == STALE
    assert "previous" in rows["JWT_SECRET_CURRENT"].detail
    assert rows["JWT_SECRET_PREVIOUS"].status == MISSING
    assert rows["REFRESH_TOKEN_SECRET"].status == MATCH

    foreign = tmp_path / "foreign.env"
    foreign.write_text("JWT_SECRET_CURRENT=not-ours-at-all\nOTHER=1\n")
    rows = {r.name: r for r in offline.check(str(foreign)).rows}
    assert rows["JWT_SECRET_CURRENT"].status == UNKNOWN
    assert rows["OTHER"].status == UNKNOWN
    text = json.dumps([r._asdict() for r in offline.check(str(path), "api-prod").rows])
    for name in ("api", "api-refresh", "api-confirm"):
        assert secret_text(svc.keys, name) not in text


def test_drift_check_of_a_jwks(real_service: KeyService, tmp_path: Path) -> None:
    real_service.create("sig", "ES256")
    svc = ExportService(real_service)
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(svc.jwks(["sig"])))
    assert svc.check(str(path)).clean
    real_service.rotate("sig")
    statuses = sorted(r.status for r in svc.check(str(path)).rows)
    assert statuses == [MATCH, MISSING]  # old current is now previous; new current missing
    real_service.rotate("sig")
    statuses = sorted(r.status for r in svc.check(str(path)).rows)
    assert statuses == [MISSING, MISSING, STALE]  # the published key is retired


def test_the_jwks_a_profile_publishes_leaves_out_hmac_and_writes_into_a_git_tree(
    svc: ExportService, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput, match="only HMAC keysets"):
        svc.profile_jwks_names("api-prod")
    svc.keys.create("sig", "ES256")
    svc.set_var("api-prod", "JWT_JWKS", "sig:jwks")
    assert svc.profile_jwks_names("api-prod") == ["sig"]
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    written = svc.write_jwks(["sig"], repo / "jwks.json")
    assert written.read_text() == svc.jwks_text(["sig"])
    with pytest.raises(InGitTree, match="git does not ignore it") as refused:
        svc.check_secret_target(repo / "api.env")
    assert refused.value.fix is Fix.ALLOW_IN_GIT  # the CLI words it --force, the GUI a checkbox


def test_the_keyring_is_reached_through_key_service_methods(real_service: KeyService) -> None:
    assert real_service.keyring_backend().endswith("Keyring")
    real_service.check_keyring()  # unlocked: no error
    assert real_service.index_dir().is_dir() or not real_service.index_dir().exists()
