"""The Redis revocation schema of the JWT guides, and the check their middleware makes.

Three kinds of entry (names configurable per service; these are the guides' defaults):
- ``blacklist:{token}``: one revoked token, value ``1``, TTL = the token's remaining lifetime
  (exp - now), so an entry never outlives the token it voids and expired ones clean up;
- ``user_revoke:{id}``: a Unix time; that user's tokens issued (iat) before it are void;
- ``global_revoke_before``: a Unix time; every token issued before it is void (emergency).

The guides key the blacklist by the raw token. A schema may instead key it by the token's
``jti`` or by the SHA-256 of the token: a raw token in a key name puts a live credential in
Redis, in its ``MONITOR`` output, slow log, RDB/AOF files and backups. Whatever the mode, key
names are shown masked (:func:`display_key`) so no live token reaches a log or a screen.

Pure: no I/O. The Redis calls are in ``jwtdesk.store.redisconn``; the use cases in
``jwtdesk.services.revocation``.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from jwtdesk.core.errors import Fix, InvalidInput

if TYPE_CHECKING:  # the index imports this module: inspect (and lint) only when checking
    from jwtdesk.core.inspect import Check

TOKEN_SLOT = "{token}"  # noqa: S105 - a placeholder, not a password
USER_SLOT = "{id}"
BLACKLIST_VALUE = "1"  # the guides' value: the middleware only asks whether the key exists
DEFAULT_MAX_LIFETIME_S = 7 * 86400  # refresh tokens' default lifetime (JWT_REFRESH_EXPIRES_IN)
_GLOB = "*?[]\\"


class KeyMode(Enum):
    TOKEN = "token"  # noqa: S105 - the raw token text (the guides' way)
    JTI = "jti"  # the token's jti claim
    SHA256 = "sha256"  # hex SHA-256 of the token text


class Rule(Enum):
    BLACKLIST = "blacklist"
    USER = "user"
    GLOBAL = "global"


def glob_escape(text: str) -> str:
    """``text`` as a literal in a Redis MATCH pattern."""
    return "".join("\\" + c if c in _GLOB else c for c in text)


def _check_pattern(pattern: str, slot: str | None, what: str) -> None:
    if not pattern or len(pattern) > 200 or not pattern.isprintable() or " " in pattern:
        raise InvalidInput(f"the {what} key pattern must be 1-200 printable characters, no spaces")
    count = pattern.count(slot) if slot else 0
    if slot and count != 1:
        raise InvalidInput(f"the {what} key pattern must contain {slot} exactly once")
    if not slot and "{" in pattern:
        raise InvalidInput(f"the {what} key is one fixed name; it takes no placeholder")


@dataclass(frozen=True, slots=True)
class KeySchema:
    """How a service names its revocation keys."""

    prefix: str = ""
    blacklist: str = f"blacklist:{TOKEN_SLOT}"
    user: str = f"user_revoke:{USER_SLOT}"
    cutoff: str = "global_revoke_before"
    mode: KeyMode = KeyMode.TOKEN

    def __post_init__(self) -> None:
        if len(self.prefix) > 100 or not self.prefix.isprintable() or " " in self.prefix:
            raise InvalidInput("the key prefix must be at most 100 printable characters, no spaces")
        _check_pattern(self.blacklist, TOKEN_SLOT, "blacklist")
        _check_pattern(self.user, USER_SLOT, "user")
        _check_pattern(self.cutoff, None, "global cut-off")

    def blacklist_key(self, ident: str) -> str:
        return self.prefix + self.blacklist.replace(TOKEN_SLOT, ident)

    def blacklist_keys(self, idents: Sequence[str | None]) -> list[str | None]:
        """:meth:`blacklist_key` of each (None stays None)."""
        head, tail = self.blacklist.split(TOKEN_SLOT)
        head = self.prefix + head
        return [None if i is None else head + i + tail for i in idents]

    def user_key(self, user_id: str) -> str:
        return self.prefix + self.user.replace(USER_SLOT, user_id)

    @property
    def cutoff_key(self) -> str:
        return self.prefix + self.cutoff

    def blacklist_match(self) -> str:
        head, tail = self.blacklist.split(TOKEN_SLOT)
        return glob_escape(self.prefix + head) + "*" + glob_escape(tail)

    def user_match(self) -> str:
        head, tail = self.user.split(USER_SLOT)
        return glob_escape(self.prefix + head) + "*" + glob_escape(tail)

    def user_of(self, key: str) -> str | None:
        head, tail = self.user.split(USER_SLOT)
        head = self.prefix + head
        if key.startswith(head) and key.endswith(tail) and len(key) >= len(head) + len(tail):
            return key[len(head) : len(key) - len(tail)]
        return None

    def to_json(self) -> dict[str, str]:
        return {
            "prefix": self.prefix,
            "blacklist": self.blacklist,
            "user": self.user,
            "global": self.cutoff,
            "key_by": self.mode.value,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> KeySchema:
        defaults = cls()
        return cls(
            prefix=str(doc.get("prefix", defaults.prefix)),
            blacklist=str(doc.get("blacklist", defaults.blacklist)),
            user=str(doc.get("user", defaults.user)),
            cutoff=str(doc.get("global", defaults.cutoff)),
            mode=parse_mode(str(doc.get("key_by", defaults.mode.value))),
        )


def parse_mode(text: str) -> KeyMode:
    try:
        return KeyMode(text)
    except ValueError:
        choices = ", ".join(m.value for m in KeyMode)
        raise InvalidInput(f"{text!r} is not a key mode; choose one of {choices}") from None


@dataclass(frozen=True, slots=True)
class TokenFacts:
    """What the revocation rules read from a token (its signature is inspect's business)."""

    text: str = field(repr=False)  # the token itself: a credential, never shown
    jti: str | None
    user: str | None
    iat: int | None
    exp: int | None


def _int_claim(claims: dict[str, Any], name: str) -> int | None:
    value = claims.get(name)
    if type(value) is int:  # the usual case first (bool is not int here)
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value)


# Frozen slotted dataclasses built by filling their slots directly: the generated ``__init__``
# calls ``object.__setattr__`` per field (that is what frozen costs), ~0.5 µs a token twice
# over when 10,000 are checked in a batch. Same objects, same fields; written out per class
# because a loop over the fields costs what it saves.
_new = object.__new__
_f_text, _f_jti, _f_user, _f_iat, _f_exp = (
    getattr(TokenFacts, name).__set__ for name in ("text", "jti", "user", "iat", "exp")
)


def _facts(
    text: str, jti: str | None, user: str | None, iat: int | None, exp: int | None
) -> TokenFacts:
    facts = _new(TokenFacts)
    _f_text(facts, text)
    _f_jti(facts, jti)
    _f_user(facts, user)
    _f_iat(facts, iat)
    _f_exp(facts, exp)
    return facts


_B64URL = bytes.maketrans(b"-_", b"+/")
_B64URL_TEXT = re.compile(r"[A-Za-z0-9_-]+")
_NOT_A_JWT = (
    "that is not a JWT (three base64url segments with a JSON header and claims); "
    "give the token itself, e.g. the text after 'Bearer '"
)


_DECODER = json.JSONDecoder()


def _json_segment(segment: str) -> dict[str, Any]:
    """One base64url segment as a JSON object; strict base64 (no stray characters).
    ``raw_decode`` first: ``json.loads`` scans for surrounding whitespace twice, half its
    cost on a claims set; anything but a bare object goes to ``json.loads`` to be judged."""
    try:
        padded = (segment + "=" * (-len(segment) % 4)).encode("ascii").translate(_B64URL)
        text = binascii.a2b_base64(padded, strict_mode=True).decode("utf-8")
        try:
            value, end = _DECODER.raw_decode(text)
        except ValueError:
            end = -1
        if end != len(text):
            value = json.loads(text)
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        raise InvalidInput(_NOT_A_JWT) from None
    if not isinstance(value, dict):
        raise InvalidInput(_NOT_A_JWT)
    return value


def token_facts(token: str, user_claim: str = "sub") -> TokenFacts:
    """The claims the rules read. Not ``core.jose.parse``: that strict, diagnostic parser
    (defects with offsets, duplicate names) costs ~19 µs a token, and revoking or checking
    10,000 tokens in one pipeline should cost about what Redis does (bench_revoke.py). The
    signature is not verified here: that is inspect's business."""
    text = token.strip()
    parts = text.split(".")
    if len(parts) != 3 or len(text) > 16384 or not _B64URL_TEXT.fullmatch(parts[0]):
        raise InvalidInput(_NOT_A_JWT)
    if not parts[0].startswith("eyJ"):  # '{"' in base64: else decode to be sure
        _json_segment(parts[0])
    claims = _json_segment(parts[1])
    jti, user = claims.get("jti"), claims.get(user_claim)
    if type(user) is not str:
        user = str(user) if isinstance(user, int) and not isinstance(user, bool) else None
    return _facts(
        text,
        jti if isinstance(jti, str) and jti else None,
        user,
        _int_claim(claims, "iat"),
        _int_claim(claims, "exp"),
    )


def token_ident(facts: TokenFacts, mode: KeyMode) -> str:
    """What replaces ``{token}`` in the blacklist key."""
    if mode is KeyMode.TOKEN:
        return facts.text
    if mode is KeyMode.SHA256:
        return hashlib.sha256(facts.text.encode("utf-8")).hexdigest()
    if facts.jti is None:
        raise InvalidInput(
            "this connection keys the blacklist by jti and the token has no jti claim; "
            "use a connection keyed by token or sha256"
        )
    return facts.jti


def token_idents(facts: Sequence[TokenFacts], mode: KeyMode) -> list[str | None]:
    """:func:`token_ident` of each; None for a token without jti in jti mode."""
    if mode is KeyMode.TOKEN:
        return [f.text for f in facts]
    if mode is KeyMode.SHA256:
        sha = hashlib.sha256
        return [sha(f.text.encode("utf-8")).hexdigest() for f in facts]
    return [f.jti for f in facts]


def display_key(key: str, schema: KeySchema) -> str:
    """A key name safe to show: in token mode the token part becomes its SHA-256 prefix."""
    if schema.mode is not KeyMode.TOKEN:
        return key
    head, tail = schema.blacklist.split(TOKEN_SLOT)
    head = schema.prefix + head
    if key.startswith(head) and key.endswith(tail) and len(key) > len(head) + len(tail):
        token = key[len(head) : len(key) - len(tail)]
        digest = hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        return f"{head}<token sha256:{digest}…>{tail}"
    return key


def blacklist_ttl(exp: int | None, now: datetime, explicit: int | None) -> int:
    """Seconds the blacklist entry must live: until the token expires. Never unbounded."""
    if explicit is not None and explicit <= 0:
        raise InvalidInput("the TTL is a number of seconds above 0")
    if exp is None:
        if explicit is None:
            raise InvalidInput(
                "the token has no exp, so its entry's lifetime cannot be derived, and no entry "
                "is written without a TTL",
                fix=Fix.GIVE_TTL,
            )
        return explicit
    remaining = math.ceil(exp - now.timestamp())
    if remaining <= 0:
        raise InvalidInput(
            f"the token expired at {_utc(exp)}; an expired token needs no blacklist entry "
            "(nothing was written)"
        )
    if explicit is not None and explicit < remaining:
        raise InvalidInput(
            f"a TTL of {explicit} s is shorter than the token's remaining lifetime "
            f"({remaining} s): the entry would vanish while the token is still valid"
        )
    return explicit if explicit is not None else remaining


def blacklist_ttls(exps: Sequence[int | None], now: datetime) -> list[int]:
    """:func:`blacklist_ttl` of each token (no explicit TTL): the first that has none (no exp,
    or expired) raises, so a batch is written whole or not at all."""
    start = now.timestamp()
    ttls = []
    for exp in exps:
        remaining = 0 if exp is None else math.ceil(exp - start)
        if remaining <= 0:
            blacklist_ttl(exp, now, None)  # raises, saying why
        ttls.append(remaining)
    return ttls


def cutoff_time(now: datetime) -> int:
    """The cut-off for "now": the next whole second, so a token issued earlier within the
    current second (iat is whole seconds) is void too."""
    return math.floor(now.timestamp()) + 1


def cutoff_ttl(before: int, max_lifetime_s: int, now: datetime) -> int:
    """A cut-off matters while a token issued before it may still be valid: before + the
    longest token lifetime. Past that the entry cleans itself up."""
    if max_lifetime_s <= 0:
        raise InvalidInput("the longest token lifetime must be above 0 seconds")
    ttl = math.ceil(before + max_lifetime_s - now.timestamp())
    if ttl <= 0:
        raise InvalidInput(
            f"every token issued before {_utc(before)} has expired (longest lifetime "
            f"{max_lifetime_s} s); nothing to revoke, nothing was written"
        )
    return ttl


def parse_before(text: str, now: datetime) -> int:
    """``--before ISO`` as a Unix time; a cut-off in the future is refused."""
    from jwtdesk.core.tokens import parse_time

    when = parse_time(text, now)
    if when.timestamp() > now.timestamp() + 60:
        raise InvalidInput(
            f"the cut-off {text} is in the future; a cut-off voids tokens issued before it, "
            "so it must be now or earlier"
        )
    return math.floor(when.timestamp())


def parse_stored_time(value: str | None, key: str) -> int | None:
    """A cut-off value as stored (Unix seconds; a float is accepted); None if absent."""
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InvalidInput(
            f"{key} holds {value[:20]!r}, not a Unix time; fix or delete that key in Redis "
            "(nothing was changed)"
        )
    return math.floor(number)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Revoked or not, by which rule; the rows that explain it are made when asked for
    (checking 10,000 tokens should not format 30,000 sentences nobody reads)."""

    revoked: bool
    rule: Rule | None  # the first rule that revokes it, in the middleware's order
    facts: TokenFacts = field(repr=False)
    schema: KeySchema
    blacklisted: bool | None
    user_before: int | None
    global_before: int | None

    @property
    def checks(self) -> tuple[Check, ...]:
        from jwtdesk.core.inspect import Check

        facts, schema = self.facts, self.schema
        rows: list[Check] = []
        if self.blacklisted is None:
            rows.append(Check("blacklist", "skipped", "the token has no jti to look up"))
        elif self.blacklisted:
            rows.append(Check("blacklist", "failed", "a blacklist entry exists for this token"))
        else:
            rows.append(Check("blacklist", "passed", "no blacklist entry"))
        if facts.user is None:
            rows.append(Check("user cut-off", "skipped", "the token names no user"))
        else:
            user_key = display_key(schema.user_key(facts.user), schema)
            rows.append(_cutoff_check("user cut-off", facts, self.user_before, user_key))
        rows.append(_cutoff_check("global cut-off", facts, self.global_before, schema.cutoff_key))
        return tuple(rows)


def _cutoff_check(name: str, facts: TokenFacts, before: int | None, key: str) -> Check:
    from jwtdesk.core.inspect import Check

    if before is None:
        return Check(name, "passed", f"{key} is not set")
    if facts.iat is None:
        # The guides' `iat < cutoff` is false for a missing iat in JavaScript: a token
        # without iat would outlive every cut-off. jwtdesk fails closed.
        return Check(name, "failed", f"{key} is {_utc(before)} and the token has no iat")
    if facts.iat < before:
        return Check(name, "failed", f"issued {_utc(facts.iat)}, before {key} = {_utc(before)}")
    return Check(name, "passed", f"issued {_utc(facts.iat)}, not before {_utc(before)}")


_v_fields = ("revoked", "rule", "facts", "schema", "blacklisted", "user_before", "global_before")
_v_revoked, _v_rule, _v_facts, _v_schema, _v_black, _v_user, _v_global = (
    getattr(Verdict, name).__set__ for name in _v_fields
)


def evaluate(
    facts: TokenFacts,
    schema: KeySchema,
    *,
    blacklisted: bool | None,
    user_before: int | None,
    global_before: int | None,
) -> Verdict:
    """The middleware's rules: blacklist entry, user cut-off, global cut-off.
    ``blacklisted`` None: the token could not be keyed (jti mode without jti)."""
    return evaluate_many([facts], schema, [blacklisted], [user_before], global_before)[0]


def evaluate_many(
    facts: Sequence[TokenFacts],
    schema: KeySchema,
    blacklisted: Sequence[bool | None],
    user_before: Sequence[int | None],
    global_before: int | None,
) -> list[Verdict]:
    """:func:`evaluate` for a batch (one global cut-off): the rules written out once, for
    checking 10,000 tokens at about what Redis costs (bench_revoke.py)."""
    out = []
    for f, black, user_cut in zip(facts, blacklisted, user_before, strict=True):
        iat = f.iat
        if black:
            rule: Rule | None = Rule.BLACKLIST
        elif user_cut is not None and f.user is not None and (iat is None or iat < user_cut):
            rule = Rule.USER
        elif global_before is not None and (iat is None or iat < global_before):
            rule = Rule.GLOBAL
        else:
            rule = None
        v = _new(Verdict)
        _v_revoked(v, rule is not None)
        _v_rule(v, rule)
        _v_facts(v, f)
        _v_schema(v, schema)
        _v_black(v, black)
        _v_user(v, user_cut)
        _v_global(v, global_before)
        out.append(v)
    return out


def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
