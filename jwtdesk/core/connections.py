"""Named Redis connections: non-secret metadata kept in the index.

The password is not here: it lives in the OS keyring under ``secret_id``. A URL given with a
password (``redis://:pw@host``, for scripts) is split: the password goes to the keyring (or is
used once), and only the URL without it is ever stored, shown or logged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from jwtdesk.core.errors import InvalidInput
from jwtdesk.core.keysets import check_label, check_name
from jwtdesk.core.revocation import DEFAULT_MAX_LIFETIME_S, KeySchema

DEFAULT_TIMEOUT_S = 2.0
SCHEMES = ("redis", "rediss")
_DEFAULT_SCHEMA = KeySchema()  # frozen: one shared instance is safe


@dataclass(frozen=True, slots=True)
class ParsedUrl:
    url: str  # scheme://host:port, no credentials, no path
    host: str
    port: int
    tls: bool
    username: str
    password: str | None = field(repr=False)
    db: int | None


def parse_url(url: str) -> ParsedUrl:
    """``redis://[user[:password]@]host[:port][/db]`` or ``rediss://…`` (TLS)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or 6379
    except ValueError:
        raise InvalidInput(
            "the Redis URL cannot be read; write redis://host:6379/0 or rediss://host:6380"
        ) from None
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise InvalidInput(
            "the Redis URL must be redis://host[:port][/db] or rediss://… for TLS "
            "(a unix socket or another scheme is not supported)"
        )
    if parts.query or parts.fragment:
        raise InvalidInput("the Redis URL takes no query or fragment; use the options instead")
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise InvalidInput("the Redis URL's path is the database number, e.g. /0")
    host = parts.hostname
    shown_host = f"[{host}]" if ":" in host else host
    password = unquote(parts.password) if parts.password is not None else None
    return ParsedUrl(
        url=f"{parts.scheme}://{shown_host}:{port}",
        host=host,
        port=port,
        tls=parts.scheme == "rediss",
        username=unquote(parts.username or ""),
        password=password or None,
        db=int(path) if path else None,
    )


def _check_file(path: str, what: str) -> str:
    if path and (len(path) > 4096 or "\n" in path or "\0" in path):
        raise InvalidInput(f"the {what} path is not a usable file name")
    return path


@dataclass(frozen=True, slots=True)
class Connection:
    name: str
    url: str  # scheme://host:port, never with a password
    service: str = ""
    environment: str = ""
    db: int = 0
    username: str = ""
    cluster: bool = False
    ca_file: str = ""
    cert_file: str = ""  # client certificate (PEM) for TLS client authentication
    key_file: str = ""  # its private key (PEM): a path only, the file stays where it is
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_lifetime_s: int = DEFAULT_MAX_LIFETIME_S  # longest token lifetime: cut-offs' TTL
    user_claim: str = "sub"
    schema: KeySchema = _DEFAULT_SCHEMA
    secret_id: str = ""  # keyring username of the password; "" = no password

    def __post_init__(self) -> None:
        check_name(self.name, "connection name")
        parsed = parse_url(self.url)
        if parsed.url != self.url:
            raise InvalidInput("a stored Redis URL is scheme://host:port only")
        check_label(self.service, "service")
        check_label(self.environment, "environment")
        check_label(self.username, "username")
        if self.cluster and self.db != 0:
            raise InvalidInput("a Redis Cluster has only database 0")
        if not 0 <= self.db <= 1_000_000:
            raise InvalidInput("the database number is 0 or more")
        if not (math.isfinite(self.timeout_s) and 0.05 <= self.timeout_s <= 120):
            raise InvalidInput("the timeout is between 0.05 and 120 seconds")
        if not 60 <= self.max_lifetime_s <= 400 * 86400:
            raise InvalidInput("the longest token lifetime is between 1 minute and 400 days")
        if not self.user_claim or not self.user_claim.isprintable():
            raise InvalidInput("the user claim is a claim name such as sub")
        if (self.cert_file or self.key_file or self.ca_file) and not parsed.tls:
            raise InvalidInput("CA and client certificate files need a rediss:// URL (TLS)")
        if bool(self.cert_file) != bool(self.key_file):
            raise InvalidInput("a client certificate needs its key file too (and the reverse)")
        for path, what in ((self.ca_file, "CA"), (self.cert_file, "certificate")):
            _check_file(path, what)
        _check_file(self.key_file, "key")

    @property
    def tls(self) -> bool:
        return self.url.startswith("rediss://")

    @property
    def address(self) -> str:
        """host:port, for messages."""
        return self.url.split("://", 1)[1]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "service": self.service,
            "environment": self.environment,
            "db": self.db,
            "username": self.username,
            "cluster": self.cluster,
            "ca_file": self.ca_file,
            "cert_file": self.cert_file,
            "key_file": self.key_file,
            "timeout_s": self.timeout_s,
            "max_lifetime_s": self.max_lifetime_s,
            "user_claim": self.user_claim,
            "schema": self.schema.to_json(),
            "secret_id": self.secret_id,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Connection:
        return cls(
            name=str(d["name"]),
            url=str(d["url"]),
            service=str(d.get("service", "")),
            environment=str(d.get("environment", "")),
            db=int(d.get("db", 0)),
            username=str(d.get("username", "")),
            cluster=d.get("cluster") is True,
            ca_file=str(d.get("ca_file", "")),
            cert_file=str(d.get("cert_file", "")),
            key_file=str(d.get("key_file", "")),
            timeout_s=float(d.get("timeout_s", DEFAULT_TIMEOUT_S)),
            max_lifetime_s=int(d.get("max_lifetime_s", DEFAULT_MAX_LIFETIME_S)),
            user_claim=str(d.get("user_claim", "sub")),
            schema=KeySchema.from_json(dict(d.get("schema", {}))),
            secret_id=str(d.get("secret_id", "")),
        )
