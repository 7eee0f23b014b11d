"""``import_file`` / ``import_files`` against the real Secret Service: what lands in the index
and the keyring, public-only keysets, current + previous from an env file, and refusals that
leave both unchanged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from jwtdesk.core import envfile, tokens
from jwtdesk.core.errors import Conflict, InvalidInput, JwtdeskError
from jwtdesk.core.keysets import Purpose, State
from jwtdesk.services import KeyService
from jwtdesk.services.importing import ImportOptions, import_file, import_files
from jwtdesk.services.tokens import TokenService
from tests import keymaterial as km
from tests.keymaterial import PrivFmt
from tests.keyrings import secret_service_usernames

pytestmark = pytest.mark.secret_service

CURRENT = b"current-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP"
PREVIOUS = b"previous-secret-9876543210-zyxwvutsrqponmlkjihgfedcba-PONMLKJIHGFEDCBA"


@pytest.fixture(scope="module")
def rsa2048() -> rsa.RSAPrivateKey:
    return km.rsa_key(2048)


def write(tmp_path: Path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


def sign(key: Any, alg: str, kid: str, sub: str = "u1") -> str:
    return jwt.encode({"sub": sub}, key, algorithm=alg, headers={"kid": kid})


def verified_state(svc: KeyService, token: str, name: str) -> str | None:
    """The state of the keyset version that verified ``token`` (None: nothing did)."""
    report = TokenService(svc).inspect(token, keysets=[name])
    signature = next(c for c in report.checks if c.name == "signature")
    if report.verified_by is None:
        assert signature.status != "passed"
        return None
    assert signature.status == "passed" and report.verified_by.keyset == name
    return report.verified_by.state


class Unchanged:
    """Snapshot of the index and of jwtdesk's items in the keyring."""

    def __init__(self, svc: KeyService) -> None:
        self.svc = svc
        self.keysets = svc.keysets()
        self.items = secret_service_usernames()

    def check(self) -> None:
        assert self.svc.keysets() == self.keysets
        assert secret_service_usernames() == self.items
        assert self.svc.index.load().pending == ()


# --- paths -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fmt", "alg"),
    [
        ("RSA", PrivFmt.TraditionalOpenSSL, "RS256"),
        ("RSA", PrivFmt.PKCS8, "RS256"),
        ("P-256", PrivFmt.PKCS8, "ES256"),
        ("P-384", PrivFmt.TraditionalOpenSSL, "ES384"),
        ("P-521", PrivFmt.PKCS8, "ES512"),
        ("Ed25519", PrivFmt.PKCS8, "EdDSA"),
    ],
)
def test_private_pem_becomes_a_keyset(
    real_service: KeyService, tmp_path: Path, kind: str, fmt: PrivFmt, alg: str
) -> None:
    key = (
        km.rsa_key(2048) if kind == "RSA" else km.ed_key() if kind == "Ed25519" else km.ec_key(kind)
    )
    before = secret_service_usernames()
    path = write(tmp_path, "signing-key.pem", km.private_pem(key, fmt))
    (done,) = import_file(real_service, path, ImportOptions())
    ks = done.keyset
    assert ks.name == "signing-key" and ks.alg == alg and ks.notes == "imported"
    assert done.sources == (path,) and done.weak == ()
    assert real_service.get("signing-key") == ks
    (version,) = ks.versions
    assert version.kid == km.thumbprint(km.public_jwk(key)) and not version.public_only
    assert secret_service_usernames() - before == {version.id}
    _, secret = real_service.secret("signing-key")
    assert secret.reveal() == km.pkcs8_der(key)  # the very same private key
    # tokens signed by the original key verify, and jwtdesk signs with it
    assert verified_state(real_service, sign(key, alg, version.kid), "signing-key") == "current"
    _, signing = real_service.signing_key("signing-key")
    token = sign(signing, alg, version.kid)
    assert jwt.decode(token, key.public_key(), algorithms=[alg])["sub"] == "u1"


def test_options_are_recorded(real_service: KeyService, tmp_path: Path) -> None:
    path = write(tmp_path, ".env", f"JWT_SECRET='{CURRENT.decode()}'\n")
    opts = ImportOptions(
        name="api",
        alg="HS512",
        variables=["JWT_SECRET"],
        service="shop",
        environment="prod",
        purpose=Purpose.ACCESS,
        rotation_period=dt.timedelta(days=30),
    )
    (done,) = import_file(real_service, path, opts)
    ks = real_service.get("api")
    assert (ks.alg, ks.service, ks.environment, ks.purpose) == (
        "HS512",
        "shop",
        "prod",
        Purpose.ACCESS,
    )
    assert ks.rotation_period == dt.timedelta(days=30)
    assert done.sources == (f"variable JWT_SECRET of {path}",)
    assert real_service.secret("api")[1].reveal() == CURRENT
    assert ks.versions[0].kid == km.oct_thumbprint(CURRENT) and ks.versions[0].size == len(CURRENT)


@pytest.mark.parametrize("source", ["spki", "certificate", "jwk"])
def test_public_key_becomes_a_verify_only_keyset(
    real_service: KeyService, tmp_path: Path, rsa2048: rsa.RSAPrivateKey, source: str
) -> None:
    data = {
        "spki": km.public_pem(rsa2048),
        "certificate": km.certificate(rsa2048),
        "jwk": json.dumps(km.public_jwk(rsa2048) | {"alg": "PS256"}).encode(),
    }[source]
    alg = "PS256" if source == "jwk" else "RS256"
    items = secret_service_usernames()
    (done,) = import_file(real_service, write(tmp_path, "pub.key", data), ImportOptions(name="pub"))
    (version,) = done.keyset.versions
    assert version.public_only and version.kid == km.thumbprint(km.public_jwk(rsa2048))
    assert version.public_jwk == km.public_jwk(rsa2048)
    assert done.keyset.alg == alg and version.size == 2048
    assert secret_service_usernames() == items  # nothing went to the keyring
    assert not real_service.vault.exists(version.id)

    token = sign(rsa2048, alg, version.kid)
    report = TokenService(real_service).inspect(token, keysets=["pub"])
    assert report.valid
    assert {c.name: c.status for c in report.checks}["signature"] == "passed"
    forged = sign(km.rsa_key(2048, 1), alg, version.kid)
    assert verified_state(real_service, forged, "pub") is None

    for refuse in (
        lambda: real_service.signing_key("pub"),
        lambda: real_service.secret("pub"),
        lambda: TokenService(real_service).build("pub", _request()),
    ):
        with pytest.raises(Conflict) as err:
            refuse()
        assert "public key only" in err.value.message and "\n" not in err.value.message

    # rotating makes a real key; the imported public key verifies as the previous one
    rotated = real_service.rotate("pub")
    assert rotated.previous == version._replace(state=State.PREVIOUS)
    assert rotated.current is not None and not rotated.current.public_only
    assert verified_state(real_service, token, "pub") == "previous"
    real_service.delete("pub")
    assert secret_service_usernames() == items


def _request() -> tokens.TokenRequest:
    return tokens.TokenRequest(sub="u1")


def test_env_current_and_previous(real_service: KeyService, tmp_path: Path) -> None:
    text = envfile.render(
        envfile.Format.DOTENV,
        [
            envfile.Entry("JWT_SECRET_CURRENT", CURRENT.decode()),
            envfile.Entry("JWT_SECRET_PREVIOUS", PREVIOUS.decode()),
            envfile.Entry("JWT_EXPIRES_IN", "15m"),
        ],
    )
    path = write(tmp_path, "app.env", text)
    opts = ImportOptions(variables=["JWT_SECRET_CURRENT"], previous_var="JWT_SECRET_PREVIOUS")
    (done,) = import_file(real_service, path, opts)
    ks = real_service.get("jwt-secret-current")
    assert ks == done.keyset and ks.alg == "HS256"
    cur, prev = ks.versions
    assert (cur.state, prev.state) == (State.CURRENT, State.PREVIOUS)
    assert (cur.kid, prev.kid) == (km.oct_thumbprint(CURRENT), km.oct_thumbprint(PREVIOUS))
    assert real_service.secret(ks.name)[1].reveal() == CURRENT
    assert real_service.secret(ks.name, prev.kid)[1].reveal() == PREVIOUS

    old = sign(PREVIOUS, "HS256", prev.kid)
    new = sign(CURRENT, "HS256", cur.kid)
    assert verified_state(real_service, old, ks.name) == "previous"
    assert verified_state(real_service, new, ks.name) == "current"

    rotated = real_service.rotate(ks.name)
    assert rotated.version(prev.kid).state is State.RETIRED
    assert not real_service.vault.exists(prev.id)  # the retired secret left the keyring
    assert verified_state(real_service, old, ks.name) is None
    assert verified_state(real_service, new, ks.name) == "previous"


def test_env_several_variables_one_keyset_each(
    real_service: KeyService, tmp_path: Path, rsa2048: rsa.RSAPrivateKey
) -> None:
    text = envfile.render(
        envfile.Format.SHELL,
        [
            envfile.Entry("JWT_SECRET", CURRENT.decode()),
            envfile.Entry("REFRESH_TOKEN_SECRET", PREVIOUS.decode()),
            envfile.Entry("JWT_PRIVATE_KEY", km.private_pem(rsa2048).decode()),
        ],
    )
    path = write(tmp_path, "app.sh", text)
    opts = ImportOptions(variables=["JWT_SECRET", "REFRESH_TOKEN_SECRET", "JWT_PRIVATE_KEY"])
    done = import_file(real_service, path, opts)
    assert [d.keyset.name for d in done] == [
        "jwt-secret",
        "refresh-token-secret",
        "jwt-private-key",
    ]
    assert [d.keyset.alg for d in done] == ["HS256", "HS256", "RS256"]
    assert real_service.secret("jwt-private-key")[1].reveal() == km.pkcs8_der(rsa2048)


def test_jwks_one_keyset_per_key(real_service: KeyService, tmp_path: Path) -> None:
    ec_key, ed = km.ec_key("P-256"), km.ed_key()
    doc = {
        "keys": [
            km.private_jwk(ec_key) | {"alg": "ES256", "kid": "a"},
            km.public_jwk(ed) | {"kid": "b"},
            {"kty": "oct", "k": km.b64u(CURRENT), "alg": "HS384"},
        ]
    }
    path = write(tmp_path, "jwks.json", json.dumps(doc))
    done = import_file(real_service, path, ImportOptions(name="svc"))
    assert [d.keyset.name for d in done] == ["svc-1", "svc-2", "svc-3"]
    assert [d.keyset.alg for d in done] == ["ES256", "EdDSA", "HS384"]
    assert [d.keyset.versions[0].public_only for d in done] == [False, True, False]
    assert [d.sources for d in done] == [(f"{path}#{n}",) for n in range(3)]
    assert real_service.secret("svc-1")[1].reveal() == km.pkcs8_der(ec_key)
    assert real_service.secret("svc-3")[1].reveal() == CURRENT
    kid = done[1].keyset.versions[0].kid
    assert kid == km.thumbprint(km.public_jwk(ed))
    assert verified_state(real_service, sign(ed, "EdDSA", kid), "svc-2") == "current"
    # the JWKs' own kids are not kept: said once per key, never silently
    assert [len(d.notes) for d in done] == [1, 1, 0]
    assert "kid 'b' is replaced by its RFC 7638 thumbprint" in done[1].notes[0]


def test_several_files_at_once(real_service: KeyService, tmp_path: Path) -> None:
    a = write(tmp_path, "a.pem", km.private_pem(km.ec_key("P-384")))
    b = write(tmp_path, "b.pem", km.public_pem(km.ed_key()))
    done = import_files(real_service, [a, b], ImportOptions())
    assert [d.keyset.name for d in done] == ["a", "b"]


def test_weak_secret_allowed_is_reported(real_service: KeyService, tmp_path: Path) -> None:
    path = write(tmp_path, ".env", "JWT_SECRET=secret\n")
    opts = ImportOptions(variables=["JWT_SECRET"], allow_weak=True)
    (done,) = import_file(real_service, path, opts)
    assert len(done.weak) == 1 and "6 bytes" in done.weak[0] and "JWT_SECRET" in done.weak[0]
    assert real_service.secret("jwt-secret")[1].reveal() == b"secret"


@pytest.mark.parametrize("size", [6, 1100])
def test_rotate_an_imported_hmac_secret_of_any_size(
    real_service: KeyService, tmp_path: Path, size: int
) -> None:
    path = write(tmp_path, ".env", f"S={'a' * size}\n")
    import_file(real_service, path, ImportOptions(variables=["S"], allow_weak=True))
    rotated = real_service.rotate("s")
    assert rotated.current is not None and rotated.current.size != size


# --- refusals leave the index and the keyring unchanged ------------------------------------


def refuse(svc: KeyService, paths: list[str], opts: ImportOptions, match: str) -> str:
    snapshot = Unchanged(svc)
    with pytest.raises(JwtdeskError, match=match) as err:
        import_files(svc, paths, opts)
    snapshot.check()
    assert "\n" not in err.value.message
    return err.value.message


def test_same_key_twice_is_refused(
    real_service: KeyService, tmp_path: Path, rsa2048: rsa.RSAPrivateKey
) -> None:
    path = write(tmp_path, "k.pem", km.private_pem(rsa2048))
    (first,) = import_file(real_service, path, ImportOptions(name="first"))
    kid = first.keyset.versions[0].kid
    # the public key or certificate of a key jwtdesk holds is the same key too
    for data in (km.private_pem(rsa2048, PrivFmt.TraditionalOpenSSL), km.certificate(rsa2048)):
        other = write(tmp_path, "again.pem", data)
        message = refuse(real_service, [other], ImportOptions(name="second"), "already holds")
        assert kid in message and "'first'" in message and other in message


def test_name_taken_is_refused(real_service: KeyService, tmp_path: Path) -> None:
    real_service.create("taken", "HS256")
    path = write(tmp_path, "k.pem", km.private_pem(km.ed_key()))
    refuse(real_service, [path], ImportOptions(name="taken"), "'taken' already exists")


def test_nothing_is_stored_when_a_later_key_is_refused(
    real_service: KeyService, tmp_path: Path, rsa2048: rsa.RSAPrivateKey
) -> None:
    real_service.create("svc-2", "HS256")
    ok = write(tmp_path, "ok.pem", km.private_pem(km.ec_key("P-256")))
    small = write(tmp_path, "small.pem", km.private_pem(km.rsa_key(1024)))
    refuse(real_service, [ok, small], ImportOptions(), "RSA-1024 is refused")
    # the second keyset's name is taken: the first is not stored either
    doc = {"keys": [km.public_jwk(km.ed_key()), km.public_jwk(rsa2048)]}
    jwks = write(tmp_path, "jwks.json", json.dumps(doc))
    refuse(real_service, [jwks], ImportOptions(name="svc"), "'svc-2' already exists")
    # a JWKS holding the same key twice
    twice = write(tmp_path, "twice.json", json.dumps({"keys": [doc["keys"][0]] * 2}))
    refuse(real_service, [twice], ImportOptions(name="t"), "same key")
    # two files that would get the same name
    (tmp_path / "sub").mkdir()
    other = write(tmp_path, "sub/ok.pem", km.private_pem(km.ec_key("P-384")))
    refuse(real_service, [ok, other], ImportOptions(), "both be named 'ok'")


def test_audit_log_records_imports_and_refusals(
    real_service: KeyService, tmp_path: Path, rsa2048: rsa.RSAPrivateKey
) -> None:
    path = write(tmp_path, "k.pem", km.private_pem(rsa2048))
    (done,) = import_file(real_service, path, ImportOptions())
    with pytest.raises(Conflict):
        import_file(real_service, path, ImportOptions(name="again"))
    entries = [e for e in real_service.audit.read() if e.action == "import"]
    assert [(e.keyset, e.kid, e.outcome) for e in entries] == [
        ("k", done.keyset.versions[0].kid, "ok"),
        ("again", None, "Conflict"),
    ]
    log = b"".join(p.read_bytes() for p in real_service.index.home.rglob("*") if p.is_file())
    for text in km.material_texts(rsa2048):
        assert text.encode() not in log  # neither the index nor the audit log holds the key


def test_previous_var_refusals(
    real_service: KeyService, tmp_path: Path, rsa2048: rsa.RSAPrivateKey
) -> None:
    values = [
        envfile.Entry("CUR", CURRENT.decode()),
        envfile.Entry("SAME", CURRENT.decode()),
        envfile.Entry("RSA_KEY", km.private_pem(rsa2048).decode()),
    ]
    path = write(tmp_path, "x.env", envfile.render(envfile.Format.DOTENV, values))
    refuse(real_service, [path], ImportOptions(variables=["CUR"], previous_var="SAME"), "same key")
    refuse(
        real_service,
        [path],
        ImportOptions(variables=["CUR"], previous_var="RSA_KEY"),
        "cannot be used with HS256|one algorithm",
    )
    refuse(real_service, [path], ImportOptions(previous_var="CUR"), "exactly one --var")
    refuse(
        real_service,
        [path],
        ImportOptions(variables=["CUR", "SAME"], previous_var="RSA_KEY"),
        "exactly one --var",
    )


@pytest.mark.parametrize(
    ("filename", "name"),
    [("clé privée.pem", "cl--priv-e"), ("..key..pem", "key"), ("---.pem", "imported")],
)
def test_names_from_odd_file_names(
    real_service: KeyService, tmp_path: Path, filename: str, name: str
) -> None:
    path = write(tmp_path, filename, km.public_pem(km.ed_key()))
    (done,) = import_file(real_service, path, ImportOptions())
    assert done.keyset.name == name


def test_long_name_for_a_jwks(real_service: KeyService, tmp_path: Path) -> None:
    doc = {"keys": [km.public_jwk(km.ed_key()), km.public_jwk(km.ec_key("P-256"))]}
    path = write(tmp_path, "k" * 80 + ".json", json.dumps(doc))
    done = import_file(real_service, path, ImportOptions())
    assert [d.keyset.name for d in done] == ["k" * 62 + "-1", "k" * 62 + "-2"]
    with pytest.raises(InvalidInput, match="at most 62 characters"):
        import_file(real_service, path, ImportOptions(name="n" * 64))


def test_bad_labels_refused_before_reading(real_service: KeyService, tmp_path: Path) -> None:
    path = write(tmp_path, "k.pem", km.private_pem(km.ed_key()))
    with pytest.raises(InvalidInput, match="invalid service"):
        import_file(real_service, path, ImportOptions(service="a\nb"))
    assert real_service.keysets() == ()
