"""Redis through redis-py: a single server or a Redis Cluster, a timeout on every call.

Every failure becomes one :class:`RedisFailed` line naming the server (host:port, never the
password) and what to do; redis-py's own message is not passed on (foreign text). Retries are
off: a server that is down or paused fails within the connection's timeout instead of after
redis-py's default backoff. In a cluster, redis-py's ``RedisCluster`` follows MOVED and ASK
redirections and routes each key to the master owning its slot; SCAN runs on every master.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from jwtdesk.core.connections import Connection
from jwtdesk.core.errors import JwtdeskError, RedisFailed
from jwtdesk.core.secret import Secret

SCAN_COUNT = 1000
__all__ = ["Entry", "RedisClient", "RedisFailed"]


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    kind: str  # Redis TYPE: "string", "none" (absent), "hash", ...
    value: str | None  # None unless a string
    ttl_s: int  # -1: no TTL, -2: absent


_RAISE_CUTOFF = """
local cur = redis.call('GET', KEYS[1])
if cur then
  local n = tonumber(cur)
  if not n then return redis.error_reply('BADVALUE not a Unix time') end
  if n >= tonumber(ARGV[1]) then return {0, cur} end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
return {1, ARGV[1]}
"""


def _reason(exc: BaseException) -> str:
    text = str(exc).lower()
    for needle, reason in (
        ("refused", "connection refused"),
        ("name or service not known", "unknown host"),
        ("no route", "no route to host"),
        ("certificate", "TLS certificate not accepted"),
        ("ssl", "TLS handshake failed"),
    ):
        if needle in text:
            return f" ({reason})"
    return ""


class RedisClient:
    """One connection's client; use as a context manager to close it."""

    def __init__(self, conn: Connection, password: Secret | None) -> None:
        self.conn = conn
        self._password = password
        self._client: Any = None

    # --- lifecycle --------------------------------------------------------------------

    def __enter__(self) -> RedisClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None

    @property
    def raw(self) -> Any:
        """The redis-py client (``Redis`` or ``RedisCluster``), made on first use."""
        if self._client is None:
            with self.translated():
                self._client = self._make()
        return self._client

    def _kwargs(self) -> dict[str, Any]:
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        c = self.conn
        kw: dict[str, Any] = {
            "socket_timeout": c.timeout_s,
            "socket_connect_timeout": c.timeout_s,
            "decode_responses": True,
            "encoding_errors": "surrogateescape",
            "retry": Retry(NoBackoff(), 0),
            "username": c.username or None,
            "password": self._password.reveal().decode("utf-8") if self._password else None,
        }
        if c.tls:
            kw.update(ssl=True, ssl_cert_reqs="required", ssl_check_hostname=True)
            kw.update(
                ssl_ca_certs=c.ca_file or None,
                ssl_certfile=c.cert_file or None,
                ssl_keyfile=c.key_file or None,
            )
        return kw

    def _make(self) -> Any:
        c = self.conn
        host, _, port = c.address.rpartition(":")
        host = host.strip("[]")
        if c.cluster:
            from redis.cluster import RedisCluster

            return RedisCluster(host=host, port=int(port), **self._kwargs())
        from redis import Redis

        return Redis(host=host, port=int(port), db=c.db, **self._kwargs())

    # --- errors -----------------------------------------------------------------------

    @contextlib.contextmanager
    def translated(self, key: str | None = None) -> Iterator[None]:
        """redis-py's exceptions as one line each; ``key`` (already masked) for WRONGTYPE."""
        import redis.exceptions as rx

        where = f"{'the Redis Cluster' if self.conn.cluster else 'Redis'} at {self.conn.address}"
        try:
            yield
        except JwtdeskError:
            raise
        except (rx.AuthenticationError, rx.AuthenticationWrongNumberOfArgsError):
            raise RedisFailed(
                f"{where} refused the credentials; check the connection's username and "
                f"password (`jwtdesk connections new {self.conn.name} … --password`)"
            ) from None
        except rx.TimeoutError:
            raise RedisFailed(
                f"{where} did not answer within {self.conn.timeout_s:g} s; check that it is "
                "running and not overloaded, or raise the connection's --timeout"
            ) from None
        except (rx.ConnectionError, OSError) as exc:
            raise RedisFailed(
                f"cannot reach {where}{_reason(exc)}; check that it is running and the URL"
            ) from None
        except rx.ResponseError as exc:
            raise _response_error(where, str(exc), key) from None
        except (rx.RedisClusterException, rx.RedisError) as exc:
            raise RedisFailed(
                f"{where} failed ({type(exc).__name__}); if it is a cluster, check that "
                "every slot is served (`redis-cli --cluster check`)"
            ) from None

    # --- operations -------------------------------------------------------------------

    def ping(self) -> None:
        with self.translated():
            self.raw.ping()

    def set_entry(self, key: str, value: str, ttl_s: int, shown: str) -> None:
        """SET key value EX ttl. With GET, Redis (>= 6.2) aborts the SET (WRONGTYPE) when the
        key holds a non-string: a hash or list where an entry belongs is reported, never
        overwritten."""
        with self.translated(shown):
            self.raw.set(key, value, ex=ttl_s, get=True)

    def set_many(self, items: Sequence[tuple[str, str, int]]) -> None:
        """Pipelined SET … EX … GET (not transactional: a cluster spreads them over slots).
        ``execute_command`` skips ``set()``'s option checks: half the client-side cost."""
        with self.translated("a blacklist key"):
            pipe = self.raw.pipeline(transaction=False)
            command = pipe.execute_command
            for key, value, ttl in items:
                command("SET", key, value, "EX", ttl, "GET")
            pipe.execute()

    def read(self, keys: Sequence[str], shown: Sequence[str]) -> list[str | None]:
        """GET each key (pipelined; a cluster groups them by node)."""
        with self.translated(", ".join(shown)):
            pipe = self.raw.pipeline(transaction=False)
            for key in keys:
                pipe.get(key)
            return list(pipe.execute())

    def exists_many(self, keys: Sequence[str]) -> list[bool]:
        with self.translated():
            pipe = self.raw.pipeline(transaction=False)
            command = pipe.execute_command
            for key in keys:
                command("EXISTS", key)
            return [bool(n) for n in pipe.execute()]

    def exists_and_read(
        self, exists: Sequence[str], read: Sequence[str], shown: Sequence[str]
    ) -> tuple[list[bool], list[str | None]]:
        """EXISTS each of ``exists`` and GET each of ``read``, in one pipeline."""
        with self.translated(", ".join(shown)):
            pipe = self.raw.pipeline(transaction=False)
            command = pipe.execute_command
            for key in exists:
                command("EXISTS", key)
            for key in read:
                command("GET", key)
            replies = pipe.execute()
            n = len(exists)
            return [bool(r) for r in replies[:n]], list(replies[n:])

    def entry(self, key: str, shown: str) -> Entry:
        with self.translated(shown):
            pipe = self.raw.pipeline(transaction=False)
            pipe.type(key)
            pipe.ttl(key)
            kind, ttl = pipe.execute()
            value = self.raw.get(key) if kind == "string" else None
            return Entry(key, str(kind), value, int(ttl))

    def entries(self, keys: Sequence[str]) -> list[Entry]:
        """TYPE, TTL and GET of every key in one pipeline (a GET of a non-string answers
        WRONGTYPE, kept as value None): one round trip for a whole page of a listing."""
        with self.translated():
            pipe = self.raw.pipeline(transaction=False)
            command = pipe.execute_command
            for key in keys:
                command("TYPE", key)
                command("TTL", key)
                command("GET", key)
            replies = pipe.execute(raise_on_error=False)
        out = []
        for n, key in enumerate(keys):
            kind, ttl, value = replies[3 * n : 3 * n + 3]
            if isinstance(ttl, Exception) or isinstance(kind, Exception):
                raise RedisFailed(f"Redis at {self.conn.address} could not describe an entry")
            text = value if isinstance(value, str) and kind == "string" else None
            out.append(Entry(key, str(kind), text, int(ttl)))
        return out

    def string_or_none(self, key: str, shown: str) -> Entry:
        """The entry at ``key``; a non-string there is reported as the wrong type."""
        entry = self.entry(key, shown)
        if entry.kind not in ("string", "none"):
            raise _response_error(f"Redis at {self.conn.address}", "WRONGTYPE", shown)
        return entry

    def raise_cutoff(self, key: str, when: int, ttl_s: int, shown: str) -> tuple[bool, int]:
        """Set ``key`` to ``when`` with a TTL unless it already holds a later time (a cut-off
        only ever moves forward: lowering it would bring revoked tokens back). Atomic: one
        script on the key's master. Returns (written, the value now in force)."""
        with self.translated(shown):
            written, now = self.raw.eval(_RAISE_CUTOFF, 1, key, str(when), str(ttl_s))
            return bool(written), int(float(now))

    def delete(self, key: str) -> bool:
        with self.translated():
            return bool(self.raw.delete(key))

    def scan(self, match: str) -> Iterator[str]:
        """SCAN (never KEYS) with MATCH on the server, or on every master of a cluster."""
        with self.translated():
            nodes = [self.raw]
            if self.conn.cluster:
                nodes = [self.raw.get_redis_connection(n) for n in self.raw.get_primaries()]
            for node in nodes:
                yield from node.scan_iter(match=match, count=SCAN_COUNT)

    def ttls(self, keys: Sequence[str]) -> list[int]:
        with self.translated():
            pipe = self.raw.pipeline(transaction=False)
            for key in keys:
                pipe.ttl(key)
            return [int(t) for t in pipe.execute()]

    def masters(self) -> list[str]:
        """host:port of each master (one for a single server)."""
        with self.translated():
            if not self.conn.cluster:
                return [self.conn.address]
            return sorted(f"{n.host}:{n.port}" for n in self.raw.get_primaries())


def _response_error(where: str, text: str, key: str | None) -> RedisFailed:
    code = text.split(" ", 1)[0].upper() if text else "ERR"
    if "WRONGTYPE" in text.upper():
        what = key or "a key"
        return RedisFailed(
            f"{what} in {where} holds a value of the wrong type (not a string); another "
            "program uses that name: fix the key schema or the key. Nothing was changed"
        )
    if "BADVALUE" in text.upper():
        return RedisFailed(
            f"{key or 'a key'} in {where} holds a value that is not a Unix time; fix or delete "
            "that key. Nothing was changed"
        )
    if code in ("NOAUTH", "WRONGPASS"):
        return RedisFailed(
            f"{where} refused the credentials; check the connection's username and password"
        )
    if code == "NOPERM":
        return RedisFailed(f"{where}: the user may not run this command or key (ACL NOPERM)")
    if code in ("CLUSTERDOWN", "MOVED", "ASK", "TRYAGAIN"):
        return RedisFailed(f"{where}: the cluster is not serving every slot ({code}); retry")
    if code == "READONLY":
        return RedisFailed(f"{where} is a read-only replica; connect to a master")
    return RedisFailed(f"{where} refused the command ({code})")
