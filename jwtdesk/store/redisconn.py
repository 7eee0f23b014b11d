"""Redis through redis-py: a single server or a Redis Cluster, a timeout on every call.

Every failure becomes one :class:`RedisFailed` line naming the server (host:port, never the
password) and what to do; redis-py's own message is not passed on (foreign text). Retries are
off: a server that is down or paused fails within the connection's timeout instead of after
redis-py's default backoff. In a cluster, redis-py's ``RedisCluster`` follows MOVED and ASK
redirections and routes each key to the master owning its slot; SCAN runs on every master.

Batches (revoking or checking thousands of tokens) run as Lua scripts: one EVALSHA per chunk of
:data:`CHUNK` keys instead of one command per key, so neither redis-py's per-command packing and
reply parsing nor Redis's per-command dispatch is paid per token. In a cluster the keys are
grouped by the master owning their slot (redis-py's slot map) and each group's scripts run on
that master (``allow-cross-slot-keys``, Redis >= 7.0). Whenever the scripts cannot answer (no
scripting, an ACL without EVALSHA, an old server, a slot that moved) the batch falls back to
plain pipelines, where redis-py follows MOVED and ASK: the result is the same, only slower.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from jwtdesk.core.connections import Connection
from jwtdesk.core.errors import Fix, JwtdeskError, RedisFailed
from jwtdesk.core.secret import Secret

SCAN_COUNT = 1000
CHUNK = 1000  # keys per script call: one call holds the server for about a millisecond
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


# The batch scripts, on the keys K with the arguments A. A key of the wrong type answers
# "WRONGTYPE jwtdesk key I" (I: its index in K) before anything is written; values read come
# back as "=" + value, or "-" when absent (no nil in a Lua array; RESP2 and RESP3 would also
# disagree on how false comes back).
#
# On a single server types are checked per chunk with two multi-key commands, not a TYPE per
# key (each call from Lua costs about a microsecond beyond the command): EXISTS counts the keys
# that exist, of any type; MGET answers a value for each string and nil for anything else.
# Equal counts: every existing key is a string. Otherwise TYPE finds the culprit. (A key named
# twice counts twice in both.) unpack() takes up to ~8,000 values: far above CHUNK. A cluster
# refuses one command on keys of several slots, even in such a script: there ``strings``
# answers "unknown" and every key is looked at alone.
_WRONG = "return redis.error_reply('WRONGTYPE jwtdesk key ' .. i)"
_STRINGS = """
local function strings(first, last)  -- keys that exist but are not strings; MGET's values
  if last < first then return 0, nil end
  local n = redis.call('EXISTS', unpack(K, first, last))
  if n == 0 then return 0, nil end
  local values = redis.call('MGET', unpack(K, first, last))
  local s = 0
  for i = 1, #values do
    if values[i] then s = s + 1 end
  end
  return n - s, values
end
"""
_VERIFY_ALL = f"""
if strings(1, #K) > 0 then
  for i = 1, #K do
    local t = redis.call('TYPE', K[i])['ok']
    if t ~= 'string' and t ~= 'none' then {_WRONG} end
  end
end
"""
_STRINGS_UNKNOWN = """
local function strings(first, last)
  if last < first then return 0, nil end
  return 1, nil
end
"""
_VERIFY = _VERIFY_ALL + "return #K\n"
_WRITE = (
    _VERIFY_ALL
    + """for i = 1, #K do
  redis.call('SET', K[i], A[2 * i - 1], 'EX', A[2 * i])
end
return #K
"""
)
# EXISTS semantics for the blacklist keys (any type counts, as in the guides' middleware):
# from MGET when every existing key is a string, else one EXISTS each.
_CHECK = f"""
local n = tonumber(A[1])
local others, values = strings(1, n)
local bits = {{}}
if others > 0 then
  for i = 1, n do
    bits[i] = redis.call('EXISTS', K[i]) == 1 and '1' or '0'
  end
elseif values then
  for i = 1, n do
    bits[i] = values[i] and '1' or '0'
  end
else
  bits = {{string.rep('0', n)}}
end
local out = {{table.concat(bits)}}
for i = n + 1, #K do
  local v = redis.pcall('GET', K[i])
  if type(v) == 'table' then
    if string.find(v['err'] or '', 'WRONGTYPE', 1, true) then {_WRONG} end
    return v
  end
  out[#out + 1] = v and ('=' .. v) or '-'
end
return out
"""
_WRONG_KEY = re.compile(r"WRONGTYPE jwtdesk key (\d+)")

# A single server gets the keys declared (EVALSHA sha numkeys keys… args…). A cluster refuses
# declared keys of several slots (CROSSSLOT) even with ``allow-cross-slot-keys`` (Redis >= 7.0;
# an older cluster refuses the shebang and the pipelines take over): there the keys travel as
# arguments (EVALSHA sha 0 numkeys keys… args…), and the master refuses any key whose slot it
# does not serve ("non local key"), as it does during a slot migration.
_SINGLE = "local K, A = KEYS, ARGV\n"
_SPREAD = """local count = tonumber(ARGV[1])
local K, A = {}, {}
for i = 1, count do K[i] = ARGV[i + 1] end
for i = count + 2, #ARGV do A[#A + 1] = ARGV[i] end
"""
_CROSS = "#!lua flags=allow-cross-slot-keys\n"
_CROSS_READ = "#!lua flags=no-writes,allow-cross-slot-keys\n"


@dataclass(frozen=True, slots=True)
class _Script:
    body: str
    sha: bytes = field(init=False)

    def __post_init__(self) -> None:
        digest = hashlib.sha1(self.body.encode("utf-8"), usedforsecurity=False).hexdigest()
        object.__setattr__(self, "sha", digest.encode("ascii"))


_SINGLE += _STRINGS
_SPREAD += _STRINGS_UNKNOWN
_SCRIPTS = {
    False: {
        "verify": _Script(_SINGLE + _VERIFY),
        "write": _Script(_SINGLE + _WRITE),
        "check": _Script(_SINGLE + _CHECK),
    },
    True: {
        "verify": _Script(_CROSS_READ + _SPREAD + _VERIFY),
        "write": _Script(_CROSS + _SPREAD + _WRITE),
        "check": _Script(_CROSS_READ + _SPREAD + _CHECK),
    },
}


class _NoScripts(Exception):
    """The scripts cannot answer here (see the module doc): use the pipelines."""


@dataclass(slots=True)
class _Call:
    """One EVALSHA: ``node`` is the redis-py client of the server or of the owning master."""

    node: Any
    keys: list[str]
    args: list[str]
    exists: list[int] = field(default_factory=list)  # check: indices of the EXISTS keys
    read: list[int] = field(default_factory=list)  # check: indices of the keys to GET
    packed_keys: bytes = b""  # the keys in the protocol, kept for the next script on them

    def packed(self, sha: bytes, declared: bool) -> bytes:
        """EVALSHA sha numkeys keys… args… (``declared``) or EVALSHA sha 0 numkeys keys…
        args… in the Redis protocol: what redis-py's packer makes, without its per-argument
        checks (every argument here is a str)."""
        if not self.packed_keys and self.keys:
            self.packed_keys = _bulk(self.keys)
        count = str(len(self.keys))
        head = [count] if declared else ["0", count]
        size = 2 + len(head) + len(self.keys) + len(self.args)
        start = b"*%d\r\n$7\r\nEVALSHA\r\n$40\r\n%s\r\n" % (size, sha)
        return b"".join((start, _bulk(head), self.packed_keys, _bulk(self.args)))


def _connection(pool: Any) -> Any:
    """A connection of redis-py's pool (``release`` it after use)."""
    try:
        return pool.get_connection()
    except TypeError:  # redis-py before 5.3 wants a command name (later ones warn about it)
        return pool.get_connection("EVALSHA")


def _bulk(words: Sequence[str]) -> bytes:
    out = []
    for word in words:
        data = word.encode("utf-8", "surrogateescape")
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


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

    def __init__(self, conn: Connection, password: Secret | None, *, scripts: bool = True) -> None:
        self.conn = conn
        self._password = password
        self._client: Any = None
        self.scripts = scripts  # False: batches always take the pipelines (tests compare)
        self.fell_back = False  # whether a batch had to take the pipelines (tests read it)

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
                f"{where} refused the credentials of connection {self.conn.name}",
                fix=Fix.CONNECTION_CREDENTIALS,
            ) from None
        except rx.TimeoutError:
            raise RedisFailed(
                f"{where} did not answer within {self.conn.timeout_s:g} s",
                fix=Fix.CONNECTION_TIMEOUT,
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

    def set_many(
        self, items: Sequence[tuple[str, str, int]], name: Callable[[str], str] | None = None
    ) -> None:
        """SET key value EX ttl for each item, after checking that no key holds a non-string
        (a hash or list where an entry belongs is reported, never overwritten). ``name`` masks
        a key for messages. Scripts when they can answer, else pipelines (module doc)."""
        for _, _, ttl in items:
            if ttl <= 0:
                raise ValueError("every entry needs a TTL above 0")
        name = name or (lambda _key: "a blacklist key")
        with self.translated("a blacklist key"):
            if self.scripts and items:
                try:
                    self._set_many_scripted(items, name)
                    return
                except _NoScripts:
                    self.fell_back = True
            self._set_many_pipelined(items, name)

    def _set_many_scripted(
        self, items: Sequence[tuple[str, str, int]], name: Callable[[str], str]
    ) -> None:
        keys = [key for key, _, _ in items]
        calls = []
        for node, indices in self._by_master(keys):
            for start in range(0, len(indices), CHUNK):
                chunk = indices[start : start + CHUNK]
                args: list[str] = []
                for i in chunk:
                    args += (items[i][1], str(items[i][2]))
                calls.append(_Call(node, [keys[i] for i in chunk], args))
        scripts = _SCRIPTS[self.conn.cluster]
        if len(calls) > 1:  # several scripts: all keys are checked before the first write
            verify = [_Call(c.node, c.keys, []) for c in calls]
            self._settle(verify, self._run(scripts["verify"], verify), name, partly=False)
            for check, call in zip(verify, calls, strict=True):
                call.packed_keys = check.packed_keys  # the same keys: packed once
        self._settle(calls, self._run(scripts["write"], calls), name, partly=len(calls) > 1)

    def _set_many_pipelined(
        self, items: Sequence[tuple[str, str, int]], name: Callable[[str], str]
    ) -> None:
        """TYPE of every key, then SET … EX … GET (which still refuses a non-string that
        appeared in between). Not transactional: a cluster spreads them over slots.
        ``execute_command`` skips ``set()``'s option checks: half the client-side cost."""
        pipe = self.raw.pipeline(transaction=False)
        for key, _, _ in items:
            pipe.execute_command("TYPE", key)
        for (key, _, _), kind in zip(items, pipe.execute(), strict=True):
            if kind not in ("string", "none"):
                raise _wrong_type(self._where(), name(key), partly=False)
        pipe = self.raw.pipeline(transaction=False)
        command = pipe.execute_command
        for key, value, ttl in items:
            command("SET", key, value, "EX", ttl, "GET")
        import redis.exceptions as rx

        try:
            pipe.execute()
        except rx.ResponseError as exc:
            if "WRONGTYPE" in str(exc).upper():
                raise _wrong_type(self._where(), "a blacklist key", partly=True) from None
            raise

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
        self,
        exists: Sequence[str],
        read: Sequence[str],
        shown: Sequence[str],
        name: Callable[[str], str] | None = None,
    ) -> tuple[list[bool], list[str | None]]:
        """EXISTS each of ``exists`` and GET each of ``read`` (a non-string there is an
        error); ``shown`` names the read keys in an error when the exact one is not known,
        ``name`` masks the exact one. Scripts when they can answer, else one pipeline."""
        with self.translated(", ".join(shown)):
            if self.scripts and (exists or read):
                try:
                    return self._exists_and_read_scripted(exists, read, name or str)
                except _NoScripts:
                    self.fell_back = True
            pipe = self.raw.pipeline(transaction=False)
            command = pipe.execute_command
            for key in exists:
                command("EXISTS", key)
            for key in read:
                command("GET", key)
            replies = pipe.execute()
            n = len(exists)
            return [bool(r) for r in replies[:n]], list(replies[n:])

    def _exists_and_read_scripted(
        self, exists: Sequence[str], read: Sequence[str], name: Callable[[str], str]
    ) -> tuple[list[bool], list[str | None]]:
        n = len(exists)
        calls = []
        for node, indices in self._by_master([*exists, *read]):
            mine = [i for i in indices if i < n]
            reads = [i - n for i in indices if i >= n]
            for start in range(0, max(len(mine), 1), CHUNK):
                chunk = mine[start : start + CHUNK]
                first = start == 0  # the master's keys to read ride with its first call
                keys = [exists[i] for i in chunk]
                if first:
                    keys += [read[i] for i in reads]
                calls.append(_Call(node, keys, [str(len(chunk))], chunk, reads if first else []))
        replies = self._run(_SCRIPTS[self.conn.cluster]["check"], calls)
        self._settle(calls, replies, name, partly=False)
        found = [False] * n
        values: list[str | None] = [None] * len(read)
        for call, reply in zip(calls, replies, strict=True):
            if len(call.exists) == n == len(reply[0]):  # one call holds them all
                found = [bit == "1" for bit in reply[0]]
            else:
                for i, bit in zip(call.exists, reply[0], strict=True):
                    found[i] = bit == "1"
            for i, value in zip(call.read, reply[1:], strict=True):
                values[i] = value[1:] if value[:1] == "=" else None
        return found, values

    # --- scripts ------------------------------------------------------------------------

    def _where(self) -> str:
        return f"{'the Redis Cluster' if self.conn.cluster else 'Redis'} at {self.conn.address}"

    def _by_master(self, keys: Sequence[str]) -> list[tuple[Any, list[int]]]:
        """The indices of ``keys`` grouped by the client of the server or master holding them
        (a cluster: redis-py's slot map, which may be stale: the master then answers MOVED)."""
        if not self.conn.cluster:
            return [(self.raw, list(range(len(keys))))]
        import redis.exceptions as rx

        owner = self.raw.get_node_from_key
        groups: dict[str, tuple[Any, list[int]]] = {}
        try:
            for i, key in enumerate(keys):
                node = owner(key)
                group = groups.get(node.name)
                if group is None:
                    group = groups[node.name] = (node, [])
                group[1].append(i)
        except rx.SlotNotCoveredError:
            raise _NoScripts from None  # the pipelines report it, or find the slot's master
        return [(self.raw.get_redis_connection(node), idx) for node, idx in groups.values()]

    def _run(self, script: _Script, calls: Sequence[_Call]) -> list[Any]:
        """EVALSHA each call, each sent as soon as it is packed (Redis runs one while the
        next is packed) and every master's sent before any reply is read (the masters work at
        the same time). Error replies are returned in place. A master that lost the script
        (restart, SCRIPT FLUSH) gets it again with SCRIPT LOAD; one that cannot run it
        raises :class:`_NoScripts`."""
        import redis.exceptions as rx

        replies: list[Any] = [None] * len(calls)
        todo = list(range(len(calls)))
        for attempt in range(2):
            self._exchange(script.sha, calls, todo, replies, not self.conn.cluster)
            todo = [i for i in todo if isinstance(replies[i], rx.NoScriptError)]
            if not todo:
                return replies
            if attempt:
                break
            try:
                for node in {id(calls[i].node): calls[i].node for i in todo}.values():
                    node.script_load(script.body)
            except rx.ResponseError:  # e.g. NOPERM: the ACL forbids SCRIPT LOAD
                break
        raise _NoScripts

    @staticmethod
    def _exchange(
        sha: bytes, calls: Sequence[_Call], todo: list[int], replies: list[Any], declared: bool
    ) -> None:
        import redis.exceptions as rx

        by_node: dict[int, list[int]] = {}
        for i in todo:
            by_node.setdefault(id(calls[i].node), []).append(i)
        taken: list[tuple[Any, Any, list[int]]] = []
        try:
            for indices in by_node.values():
                pool = calls[indices[0]].node.connection_pool
                conn = _connection(pool)
                taken.append((pool, conn, indices))
                for i in indices:
                    conn.send_packed_command([calls[i].packed(sha, declared)], check_health=False)
            for _, conn, indices in taken:
                for i in indices:
                    try:
                        replies[i] = conn.read_response()
                    except rx.ResponseError as exc:  # an error reply: the stream is in step
                        replies[i] = exc
        except BaseException:
            for _, conn, _ in taken:  # replies may be left unread: never reuse these
                conn.disconnect()
            raise
        finally:
            for pool, conn, _ in taken:
                pool.release(conn)

    def _settle(
        self,
        calls: Sequence[_Call],
        replies: Sequence[Any],
        name: Callable[[str], str],
        *,
        partly: bool,
    ) -> None:
        """A wrong-typed key anywhere is the answer; any other error reply (MOVED, NOPERM,
        an old server refusing the shebang, …) hands the batch to the pipelines."""
        import redis.exceptions as rx

        other = False
        for call, reply in zip(calls, replies, strict=True):
            if isinstance(reply, rx.ResponseError):
                match = _WRONG_KEY.match(str(reply))
                if match:
                    key = call.keys[int(match.group(1)) - 1]
                    raise _wrong_type(self._where(), name(key), partly=partly)
                other = True
        if other:
            raise _NoScripts

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


def _wrong_type(where: str, key: str, *, partly: bool) -> RedisFailed:
    if not partly:
        return _response_error(where, "WRONGTYPE", key)
    return RedisFailed(
        f"{key} in {where} became a value of the wrong type (not a string) while the batch "
        "was written; part of the batch may be written: fix the key, then run the same "
        "revocation again (it writes the same entries)"
    )


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
