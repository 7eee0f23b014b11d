"""Revocation use cases on a service's Redis: connections, revoke, cut-offs, list, check.

Connections are index metadata; their passwords are keyring entries written in the crash
order of DESIGN.md (pending mark, secret, index entry; delete: index, then secret). Every
write to Redis carries a TTL (``jwtdesk.core.revocation`` computes it) and is audited by
connection name and masked key, never by token.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jwtdesk.core import revocation as rv
from jwtdesk.core.connections import Connection, parse_url
from jwtdesk.core.errors import Conflict, Fix, InvalidInput, JwtdeskError
from jwtdesk.core.secret import Secret
from jwtdesk.services.changes import reports_change
from jwtdesk.services.keys import KeyService
from jwtdesk.store.auditlog import AuditEntry
from jwtdesk.store.index import Pending
from jwtdesk.store.redisconn import RedisClient

if TYPE_CHECKING:
    from jwtdesk.core.checklist import Item, RevocationFacts, RevocationProbe
    from jwtdesk.core.inspect import Check, Report

LIST_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Target:
    """A connection and its password, ready to open."""

    conn: Connection
    password: Secret | None = field(default=None, repr=False)
    scripts: bool = True  # False: batches use plain pipelines, never Lua (tests compare both)

    def open(self) -> RedisClient:
        return RedisClient(self.conn, self.password, scripts=self.scripts)


@dataclass(frozen=True, slots=True)
class Written:
    key: str  # masked for display (display_key)
    value: int | str
    ttl_s: int
    changed: bool = True  # False: an existing later cut-off was kept


@dataclass(frozen=True, slots=True)
class Listed:
    kind: str  # "blacklist" | "user" | "global"
    key: str  # masked
    value: str | None
    ttl_s: int


@dataclass(frozen=True, slots=True)
class Health:
    """For checklists: reachable, and whether sampled entries carry TTLs."""

    reachable: bool
    detail: str
    masters: tuple[str, ...] = ()
    sampled: int = 0
    without_ttl: tuple[str, ...] = ()  # masked keys that would live forever


def adhoc_connection(url: str, *, cluster: bool = False, timeout_s: float = 2.0) -> Target:
    """``--redis URL``: a connection used once; a password in the URL is used, never shown."""
    parsed = parse_url(url)
    conn = Connection(
        name="adhoc",
        url=parsed.url,
        db=parsed.db or 0,
        username=parsed.username,
        cluster=cluster,
        timeout_s=timeout_s,
    )
    password = Secret(parsed.password.encode("utf-8")) if parsed.password else None
    return Target(conn, password)


class RevocationService:
    def __init__(self, keys: KeyService, clock: Callable[[], datetime] | None = None) -> None:
        self.keys = keys
        self.clock = clock or keys.clock

    # --- connections (index + keyring) ------------------------------------------------

    def connections(self) -> tuple[Connection, ...]:
        return self.keys.index.load().connections

    def connection(self, name: str) -> Connection:
        return self.keys.index.load().connection(name)

    @reports_change
    def create_connection(self, conn: Connection, password: Secret | None) -> Connection:
        """Store ``conn``; the password (if any) goes to the keyring first."""
        if self.keys.index.load().has_connection(conn.name):
            raise Conflict(f"a connection named {conn.name!r} already exists; choose another")
        vid = "rc-" + secrets.token_hex(12) if password else ""
        conn = replace(conn, secret_id=vid)
        with self._audited("connection-new", conn.name):
            if password is None:
                with self.keys.index.locked() as state:
                    self._refuse_duplicate(state.has_connection(conn.name), conn.name)
                    self.keys.index.write(state.put_connection(conn))
                return conn
            self.keys.vault.check()
            with self.keys.index.locked() as state:
                self._refuse_duplicate(state.has_connection(conn.name), conn.name)
                marked = state.mark(Pending(vid, "create", f"connection {conn.name}", self.clock()))
                self.keys.index.write(marked)
                try:
                    self.keys.vault.put(vid, password)
                except BaseException:
                    self.keys.index.write(state)
                    raise
                self.keys.index.write(marked.unmark(vid).put_connection(conn))
        return conn

    @reports_change
    def delete_connection(self, name: str) -> Connection:
        with self._audited("connection-delete", name), self.keys.index.locked() as state:
            conn = state.connection(name)
            after = state.drop_connection(name)
            if conn.secret_id:
                pending = Pending(conn.secret_id, "delete", f"connection {name}", self.clock())
                after = after.mark(pending)
            self.keys.index.write(after)
        if conn.secret_id:
            self.keys.vault.delete(conn.secret_id)
            with self.keys.index.locked() as state:
                self.keys.index.write(state.unmark(conn.secret_id))
        return conn

    def target(self, name: str) -> Target:
        conn = self.connection(name)
        password = self.keys.vault.get(conn.secret_id) if conn.secret_id else None
        return Target(conn, password)

    def for_service(self, service: str) -> Connection:
        found = [c for c in self.connections() if c.service == service]
        if not found:
            raise InvalidInput(
                f"no Redis connection is configured for service {service!r}",
                fix=Fix.ADD_CONNECTION,
            )
        if len(found) > 1:
            names = ", ".join(c.name for c in found)
            raise InvalidInput(
                f"service {service!r} has several Redis connections ({names})",
                fix=Fix.CHOOSE_CONNECTION,
            )
        return found[0]

    @staticmethod
    def _refuse_duplicate(exists: bool, name: str) -> None:
        if exists:
            raise Conflict(f"a connection named {name!r} already exists; choose another")

    # --- revoking ---------------------------------------------------------------------

    def revoke_token(self, target: Target, token: str, ttl_s: int | None = None) -> Written:
        conn = target.conn
        facts = rv.token_facts(token, conn.user_claim)
        key = conn.schema.blacklist_key(rv.token_ident(facts, conn.schema.mode))
        ttl = rv.blacklist_ttl(facts.exp, self.clock(), ttl_s)
        shown = rv.display_key(key, conn.schema)
        with self._audited("revoke-token", conn.name, shown), target.open() as client:
            client.set_entry(key, rv.BLACKLIST_VALUE, ttl, shown)
        return Written(shown, rv.BLACKLIST_VALUE, ttl)

    def revoke_tokens(self, target: Target, tokens: Sequence[str]) -> int:
        """Blacklist many tokens in one pipeline (each with its own TTL); all are checked
        before anything is sent."""
        conn, now = target.conn, self.clock()
        claim, schema = conn.user_claim, conn.schema
        facts = [rv.token_facts(token, claim) for token in tokens]
        idents = rv.token_idents(facts, schema.mode)
        if None in idents:
            rv.token_ident(facts[idents.index(None)], schema.mode)  # raises, saying why
        keys = [key for key in schema.blacklist_keys(idents) if key is not None]
        ttls = rv.blacklist_ttls([f.exp for f in facts], now)
        value = rv.BLACKLIST_VALUE
        items = [(key, value, ttl) for key, ttl in zip(keys, ttls, strict=True)]
        audited = self._audited("revoke-tokens", conn.name, f"{len(items)} tokens")
        with audited, target.open() as client:
            client.set_many(items, lambda key: rv.display_key(key, conn.schema))
        return len(items)

    def revoke_user(self, target: Target, user: str, before: str | None = None) -> Written:
        if not user or len(user) > 512 or not user.isprintable():
            raise InvalidInput("the user id is 1-512 printable characters")
        conn, now = target.conn, self.clock()
        when = rv.parse_before(before, now) if before else rv.cutoff_time(now)
        key = conn.schema.user_key(user)
        return self._cutoff(target, key, when, "revoke-user")

    def set_global(self, target: Target, before: str | None = None) -> Written:
        now = self.clock()
        when = rv.parse_before(before, now) if before else rv.cutoff_time(now)
        return self._cutoff(target, target.conn.schema.cutoff_key, when, "revoke-global")

    def _cutoff(self, target: Target, key: str, when: int, action: str) -> Written:
        conn = target.conn
        ttl = rv.cutoff_ttl(when, conn.max_lifetime_s, self.clock())
        shown = rv.display_key(key, conn.schema)
        with self._audited(action, conn.name, shown), target.open() as client:
            changed, value = client.raise_cutoff(key, when, ttl, shown)
            if not changed:
                ttl = client.entry(key, shown).ttl_s
        return Written(shown, value, ttl, changed)

    def show_global(self, target: Target) -> Listed:
        key = target.conn.schema.cutoff_key
        with target.open() as client:
            entry = client.string_or_none(key, key)
        rv.parse_stored_time(entry.value, key)  # a value that is not a time is reported
        return Listed("global", key, entry.value, entry.ttl_s)

    def clear_global(self, target: Target) -> bool:
        """Delete the global cut-off; a key of another type there is left alone."""
        key = target.conn.schema.cutoff_key
        with self._audited("revoke-global-clear", target.conn.name, key), target.open() as c:
            c.string_or_none(key, key)
            return c.delete(key)

    # --- reading ----------------------------------------------------------------------

    def entries(self, target: Target, limit: int = LIST_LIMIT) -> tuple[list[Listed], bool]:
        """Up to ``limit`` entries (SCAN on every master), and whether there were more."""
        schema = target.conn.schema
        out: list[Listed] = []
        with target.open() as client:
            keys = list(self._scan_keys(client, schema, limit + 1))
            more = len(keys) > limit
            keys = keys[:limit]
            found = client.entries([key for _, key in keys])
            for (kind, key), entry in zip(keys, found, strict=True):
                out.append(Listed(kind, rv.display_key(key, schema), entry.value, entry.ttl_s))
        return out, more

    def count(self, target: Target) -> dict[str, int]:
        schema = target.conn.schema
        counts = {"blacklist": 0, "user": 0, "global": 0}
        with target.open() as client:
            for kind, _ in self._scan_keys(client, schema, None):
                counts[kind] += 1
        return counts

    @staticmethod
    def _scan_keys(
        client: RedisClient, schema: rv.KeySchema, limit: int | None
    ) -> Iterator[tuple[str, str]]:
        n = 0
        for kind, match in (
            ("global", rv.glob_escape(schema.cutoff_key)),
            ("blacklist", schema.blacklist_match()),
            ("user", schema.user_match()),
        ):
            for key in client.scan(match):
                if limit is not None and n >= limit:
                    return
                n += 1
                yield kind, key

    def check(self, target: Target, token: str) -> rv.Verdict:
        """The guides' middleware: blacklist entry, then user cut-off, then global cut-off."""
        return self.check_many(target, [token])[0]

    def check_many(self, target: Target, tokens: Sequence[str]) -> list[rv.Verdict]:
        conn = target.conn
        schema = conn.schema
        claim = conn.user_claim
        facts = [rv.token_facts(t, claim) for t in tokens]
        black = schema.blacklist_keys(rv.token_idents(facts, schema.mode))
        user_keys = {f.user: "" for f in facts if f.user is not None}
        for user in user_keys:
            user_keys[user] = schema.user_key(user)
        wanted = [schema.cutoff_key, *sorted(set(user_keys.values()))]
        with target.open() as client:
            exists, values = client.exists_and_read(
                [k for k in black if k is not None],
                wanted,
                _shown(wanted, schema),
                lambda key: rv.display_key(key, schema),
            )
        cutoffs = {
            k: rv.parse_stored_time(v, rv.display_key(k, schema))
            for k, v in zip(wanted, values, strict=True)
        }
        if len(exists) == len(black):
            blacklisted: list[bool | None] = list(exists)
        else:  # jti mode: tokens without jti skip that rule
            found = iter(exists)
            blacklisted = [None if key is None else next(found) for key in black]
        before = {user: cutoffs[key] for user, key in user_keys.items()}
        user_before = [None if f.user is None else before[f.user] for f in facts]
        return rv.evaluate_many(facts, schema, blacklisted, user_before, cutoffs[schema.cutoff_key])

    def health(self, target: Target, sample: int = 50) -> Health:
        """Ping, then up to ``sample`` entries' TTLs via SCAN: the checklist's "reachable, and
        entries carry TTLs". Never raises for Redis trouble: the detail says what failed."""
        schema = target.conn.schema
        try:
            with target.open() as client:
                client.ping()
                masters = tuple(client.masters())
                keys = [k for _, k in self._scan_keys(client, schema, sample)]
                ttls = client.ttls(keys)
        except JwtdeskError as exc:
            return Health(False, exc.message)
        pairs = zip(keys, ttls, strict=True)
        forever = tuple(rv.display_key(k, schema) for k, t in pairs if t == -1)
        detail = f"reachable; {len(keys)} entries sampled, {len(forever)} without a TTL"
        return Health(True, detail, masters, len(keys), forever)

    def service_health(self, service: str, sample: int = 50) -> Health:
        """The checklist item: the service has one Redis connection, reachable, whose
        sampled entries carry TTLs (see :attr:`Health.without_ttl`)."""
        try:
            target = self.target(self.for_service(service).name)
        except JwtdeskError as exc:
            return Health(False, exc.message)
        return self.health(target, sample)

    # --- audit ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _audited(self, action: str, conn: str, target: str | None = None) -> Iterator[None]:
        outcome = "ok"
        try:
            yield
        except JwtdeskError as exc:
            outcome = type(exc).__name__
            raise
        except BaseException:
            outcome = "error"
            raise
        finally:
            entry = AuditEntry(self.clock(), action, None, None, outcome, _target(conn, target))
            try:
                self.keys.audit.append(entry)
            except JwtdeskError:
                if outcome == "ok":
                    raise  # a failing audit log is reported, unless another error already is


def _shown(keys: Sequence[str], schema: rv.KeySchema) -> list[str]:
    """Keys to name in an error: a few by name, many as a count."""
    if len(keys) <= 3:
        return [rv.display_key(k, schema) for k in keys]
    return [keys[0], f"{len(keys) - 1} user keys"]


def _target(conn: str, detail: str | None) -> str:
    return f"{conn}: {detail}" if detail else conn


def verdict_json(v: rv.Verdict) -> dict[str, Any]:
    return {
        "revoked": v.revoked,
        "rule": v.rule.value if v.rule else None,
        "checks": [{"name": c.name, "status": c.status, "reason": c.reason} for c in v.checks],
    }


def checklist_probe(svc: RevocationService) -> RevocationProbe:
    """The checklist's RevocationProbe: None (unknown) without a service or a connection."""
    from jwtdesk.core.checklist import RevocationFacts

    def probe(service: str | None) -> RevocationFacts | None:
        if not service or not any(c.service == service for c in svc.connections()):
            return None
        h = svc.service_health(service)
        return RevocationFacts(h.reachable, h.detail, h.sampled, len(h.without_ttl))

    return probe


def evaluate_checklist(keys: KeyService, service: str | None) -> list[Item]:
    """The checklist with its revocation items answered by the service's Redis connection:
    what the CLI and the GUI both run (in the GUI, off the GUI thread)."""
    from jwtdesk.services.checklist import run_checklist

    return run_checklist(keys, service, checklist_probe(RevocationService(keys)))


def revocation_row(svc: RevocationService, target: Target, token: str) -> Check:
    """Inspect's optional row: is the token revoked on this connection's Redis? A Redis that
    cannot answer makes the row failed (not checked is never shown as passed)."""
    from jwtdesk.core.inspect import Check

    name = target.conn.name
    try:
        verdict = svc.check(target, token)
    except JwtdeskError as exc:
        return Check("revoked", "failed", f"not checked ({name}): {exc.message}", "revocation")
    if verdict.revoked:
        why = next(c.reason for c in verdict.checks if c.status == "failed")
        rule = verdict.rule.value if verdict.rule else ""
        return Check("revoked", "failed", f"revoked by the {rule} rule ({name}): {why}", "revoked")
    return Check("revoked", "passed", f"no blacklist entry or cut-off applies ({name})")


def with_row(report: Report, row: Check) -> Report:
    """``report`` with ``row`` added; a failed row makes the token invalid."""
    return report._replace(
        checks=(*report.checks, row), valid=report.valid and row.status != "failed"
    )
