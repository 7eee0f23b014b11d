"""Keys leave the services as Secret (HMAC) or key objects, never as raw bytes; the bytes are
revealed only where a MAC is computed. Runs on the in-memory keyring."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from jwtdesk.core import envfile, tokens
from jwtdesk.core.errors import Conflict, InvalidInput
from jwtdesk.core.secret import MASK, Secret
from jwtdesk.services import KeyService
from jwtdesk.services.export import ExportService
from jwtdesk.services.tokens import TokenService
from tests.keyrings import MemoryKeyring


def test_hmac_keys_are_secrets_and_asymmetric_keys_are_key_objects(
    memory_service: KeyService,
) -> None:
    memory_service.create("api", "HS256")
    memory_service.create("sig", "ES256")
    version, key = memory_service.signing_key("api")
    assert isinstance(key, Secret) and MASK in repr(key)
    assert key == memory_service.secret("api")[1]
    ((_, verifying),) = memory_service.verification_keys("api")
    assert isinstance(verifying, Secret) and verifying == key
    _, private = memory_service.signing_key("sig")
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    ((_, public),) = memory_service.verification_keys("sig")
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert version.kid in repr((version, key)) and MASK in repr((version, key))


def test_candidates_carry_the_secret_and_verify_what_was_signed(
    memory_service: KeyService,
) -> None:
    memory_service.create("api", "HS384")
    svc = TokenService(memory_service)
    token = svc.build("api", tokens.TokenRequest(sub="u1"))
    (cand,) = svc.keyset_candidates(["api"])
    assert isinstance(cand.key, Secret)
    report = svc.inspect(token, keysets=["api"])
    assert report.valid and report.verified_by == cand
    raw = memory_service.secret("api")[1].reveal()
    assert jwt.decode(token, raw, algorithms=["HS384"])["sub"] == "u1"  # the same key, signed


def test_sign_takes_a_secret_and_reveals_it_only_for_the_call() -> None:
    key = Secret(b"k" * 32)
    token = tokens.sign({"sub": "x"}, {"typ": "JWT"}, "HS256", key)
    assert jwt.decode(token, b"k" * 32, algorithms=["HS256"]) == {"sub": "x"}


@pytest.fixture
def export(memory_service: KeyService) -> ExportService:
    memory_service.create("api", "HS256")
    memory_service.create("api-refresh", "HS512")
    memory_service.create("sig", "ES256")
    svc = ExportService(memory_service)
    svc.create_profile("prod", access="api", refresh="api-refresh", issuer="https://i")
    svc.create_profile("signed", access="sig")
    return svc


def test_entries_hold_secrets_and_public_text(export: ExportService) -> None:
    entries = {e.name: e for e in export.entries("prod")}
    current = entries["JWT_SECRET_CURRENT"]
    assert isinstance(current.value, Secret) and current.secret
    assert current.value == export.keys.secret("api")[1]
    assert entries["JWT_ISSUER"].value == "https://i" and not entries["JWT_ISSUER"].secret
    signed = {e.name: e for e in export.entries("signed")}
    assert isinstance(signed["JWT_PRIVATE_KEY"].value, Secret)
    assert isinstance(signed["JWT_PUBLIC_KEY_CURRENT"].value, str)


def test_value_reads_one_secret_only(export: ExportService, memory_keyring: MemoryKeyring) -> None:
    before = memory_keyring.calls["get"]
    value = export.value("prod", "REFRESH_TOKEN_SECRET")
    assert memory_keyring.calls["get"] - before == 1  # not the profile's other secrets
    assert isinstance(value, Secret) and value == export.keys.secret("api-refresh")[1]
    before = memory_keyring.calls["get"]
    assert export.value("prod", "JWT_ISSUER") == "https://i"
    assert export.value("signed", "JWT_KID") == export.keys.get("sig").current.kid  # type: ignore[union-attr]
    assert memory_keyring.calls["get"] == before  # public values read no keyring


def test_value_of_an_unknown_or_omitted_variable(export: ExportService) -> None:
    with pytest.raises(InvalidInput, match="no variable NOPE"):
        export.value("prod", "NOPE")
    with pytest.raises(Conflict, match="JWT_SECRET_PREVIOUS is not exported now"):
        export.value("prod", "JWT_SECRET_PREVIOUS")  # no previous key yet


def test_rendered_file_holds_the_secret_and_the_preview_does_not(
    export: ExportService,
) -> None:
    raw = export.keys.secret("api")[1].reveal().decode()
    written = envfile.parse(export.render("prod"))
    assert written["JWT_SECRET_CURRENT"] == raw
    preview = export.preview("prod")
    assert raw not in preview and envfile.parse(preview)["JWT_SECRET_CURRENT"] == MASK


def test_a_private_pem_of_an_hmac_keyset_is_refused_before_any_keyring_read(
    export: ExportService, memory_keyring: MemoryKeyring
) -> None:
    before = memory_keyring.calls["get"]
    with pytest.raises(InvalidInput, match="is an HMAC keyset"):
        export.private_pem("api-refresh")
    assert memory_keyring.calls["get"] == before
    assert export.private_pem("sig") == export.keys.reveal("sig")[1]  # the one reveal rule
