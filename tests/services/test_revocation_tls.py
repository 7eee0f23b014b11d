"""rediss:// with a CA file and a client certificate, against a real redis-server on a TLS
port. The CA and certificates are throwaway ones made here with `cryptography`."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from jwtdesk.core.connections import Connection
from jwtdesk.core.secret import Secret
from jwtdesk.services import KeyService
from jwtdesk.services.revocation import RevocationService, Target
from jwtdesk.store.redisconn import RedisFailed
from tests import redis_servers
from tests.revocation_helpers import token

pytestmark = pytest.mark.redis


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None,
    *,
    ca: bool = False,
    server: bool = False,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    signer_name, signer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(signer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if server:
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        builder = builder.add_extension(san, critical=False)
    if not ca:
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    return builder.sign(signer_key, hashes.SHA256())


def _write(
    directory: Path, name: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey
) -> None:
    (directory / f"{name}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / f"{name}.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def make_pki(directory: Path, ca_name: str = "ca") -> None:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert(f"jwtdesk test {ca_name}", ca_key, None, ca=True)
    _write(directory, ca_name, ca, ca_key)
    for name, server in (("server", True), ("client", False)):
        key = ec.generate_private_key(ec.SECP256R1())
        _write(
            directory,
            name,
            _cert(name, key, (f"jwtdesk test {ca_name}", ca_key), server=server),
            key,
        )


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[redis_servers.Server, Path]]:
    if not redis_servers.have_redis():
        pytest.skip("needs redis-server")
    pki = tmp_path / "pki"
    pki.mkdir()
    make_pki(pki)
    try:
        server = redis_servers.start(
            tmp_path / "redis",
            "--tls-cert-file", str(pki / "server.crt"),
            "--tls-key-file", str(pki / "server.key"),
            "--tls-ca-cert-file", str(pki / "ca.crt"),
            "--tls-auth-clients", "yes",
            tls=True,
        )  # fmt: skip
    except RuntimeError:
        pytest.skip("this redis-server was built without TLS (--tls-port refused)")
    yield server, pki
    server.stop()


def _target(server: redis_servers.Server, pki: Path, **files: str) -> Target:
    conn = Connection(
        name="tls",
        url=f"rediss://127.0.0.1:{server.port}",
        timeout_s=5.0,
        ca_file=files.get("ca", str(pki / "ca.crt")),
        cert_file=files.get("cert", str(pki / "client.crt")),
        key_file=files.get("key", str(pki / "client.key")),
    )
    return Target(conn, Secret(redis_servers.PASSWORD.encode()))


def test_rediss_with_ca_and_client_certificate(
    tls_server: tuple[redis_servers.Server, Path], memory_service: KeyService, tmp_path: Path
) -> None:
    server, pki = tls_server
    svc = RevocationService(memory_service)
    tok = token()
    written = svc.revoke_token(_target(server, pki), tok)
    assert written.ttl_s > 0
    assert svc.check(_target(server, pki), tok).revoked
    assert svc.count(_target(server, pki))["blacklist"] == 1
    other = tmp_path / "other"
    other.mkdir()
    make_pki(other, "ca")  # a CA the server's certificate is not from
    with pytest.raises(RedisFailed) as info:
        svc.check(_target(server, pki, ca=str(other / "ca.crt")), tok)
    assert "TLS" in str(info.value) and "\n" not in str(info.value)
    no_client_cert = Target(
        Connection(name="tls", url=f"rediss://127.0.0.1:{server.port}", timeout_s=5.0,
                   ca_file=str(pki / "ca.crt")),
        Secret(redis_servers.PASSWORD.encode()),
    )  # fmt: skip
    with pytest.raises(RedisFailed):  # the server asks for a client certificate
        svc.check(no_client_cert, tok)
