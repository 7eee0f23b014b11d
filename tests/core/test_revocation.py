"""The revocation schema and rules, pure: key names, masking, TTLs, the middleware's order."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import jwt
import pytest

from jwtdesk.core import revocation as rv
from jwtdesk.core.connections import Connection, parse_url
from jwtdesk.core.errors import Fix, InvalidInput

NOW = datetime(2026, 6, 1, 12, 0, 0, 250_000, tzinfo=UTC)
T = int(NOW.timestamp())


def tok(**claims: object) -> str:
    return jwt.encode(claims, "k" * 32, algorithm="HS256")


def test_default_schema_is_the_guides() -> None:
    s = rv.KeySchema()
    assert s.blacklist_key("abc") == "blacklist:abc"
    assert s.user_key("42") == "user_revoke:42"
    assert s.cutoff_key == "global_revoke_before"
    assert s.blacklist_match() == "blacklist:*" and s.user_match() == "user_revoke:*"


def test_custom_schema_escapes_glob_characters() -> None:
    s = rv.KeySchema(prefix="app[1]:", blacklist="deny:{token}:v1", user="u*:{id}")
    assert s.blacklist_key("t") == "app[1]:deny:t:v1"
    assert s.blacklist_match() == "app\\[1\\]:deny:*:v1"
    assert s.user_match() == "app\\[1\\]:u\\*:*"
    assert s.user_of("app[1]:u*:alice") == "alice"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"blacklist": "blacklist"}, "{token} exactly once"),
        ({"blacklist": "{token}:{token}"}, "exactly once"),
        ({"user": "user_revoke"}, "{id} exactly once"),
        ({"cutoff": "all:{id}"}, "takes no placeholder"),
        ({"prefix": "a b"}, "no spaces"),
    ],
)
def test_bad_schemas_are_refused(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("{", "\\{").replace("}", "\\}")):
        rv.KeySchema(**kwargs)  # type: ignore[arg-type]


def test_token_identity_by_mode() -> None:
    text = tok(sub="u", jti="j-1", exp=T + 60)
    facts = rv.token_facts(f"  {text}\n")
    assert facts.text == text and facts.user == "u" and facts.exp == T + 60
    assert rv.token_ident(facts, rv.KeyMode.TOKEN) == text
    assert rv.token_ident(facts, rv.KeyMode.JTI) == "j-1"
    assert rv.token_ident(facts, rv.KeyMode.SHA256) == hashlib.sha256(text.encode()).hexdigest()
    assert text not in repr(facts)
    with pytest.raises(InvalidInput, match="no jti"):
        rv.token_ident(rv.token_facts(tok(sub="u")), rv.KeyMode.JTI)


@pytest.mark.parametrize("bad", ["", "abc", "a.b", "a.b.c.d", "eyJ.!!!.x", "e30.W10.x"])
def test_not_a_jwt(bad: str) -> None:
    with pytest.raises(InvalidInput, match="not a JWT"):
        rv.token_facts(bad)


def test_raw_token_keys_are_shown_masked() -> None:
    text = tok(sub="u")
    schema = rv.KeySchema()
    shown = rv.display_key(schema.blacklist_key(text), schema)
    assert text not in shown and shown.startswith("blacklist:<token sha256:")
    hashed = rv.KeySchema(mode=rv.KeyMode.SHA256)
    assert rv.display_key("blacklist:abc", hashed) == "blacklist:abc"
    assert rv.display_key("user_revoke:7", schema) == "user_revoke:7"


def test_blacklist_ttl_rules() -> None:
    assert rv.blacklist_ttl(T + 100, NOW, None) == 100  # ceil(exp - now): never shorter
    assert rv.blacklist_ttl(T + 100, NOW, 500) == 500
    with pytest.raises(InvalidInput, match="shorter"):
        rv.blacklist_ttl(T + 100, NOW, 50)
    with pytest.raises(InvalidInput, match="without a TTL") as info:
        rv.blacklist_ttl(None, NOW, None)
    assert info.value.fix is Fix.GIVE_TTL
    assert rv.blacklist_ttl(None, NOW, 30) == 30
    with pytest.raises(InvalidInput, match="expired"):
        rv.blacklist_ttl(T - 1, NOW, None)
    with pytest.raises(InvalidInput, match="above 0"):
        rv.blacklist_ttl(None, NOW, 0)


def test_cutoffs() -> None:
    assert rv.cutoff_time(NOW) == T + 1  # the next whole second
    assert rv.cutoff_ttl(T + 1, 3600, NOW) == 3601
    with pytest.raises(InvalidInput, match="has expired"):
        rv.cutoff_ttl(T - 7200, 3600, NOW)
    assert rv.parse_before("2026-06-01T11:00:00Z", NOW) == T - 3600
    with pytest.raises(InvalidInput, match="future"):
        rv.parse_before("+1h", NOW)
    assert rv.parse_stored_time("1700000000.5", "k") == 1700000000
    assert rv.parse_stored_time(None, "k") is None
    with pytest.raises(InvalidInput, match="not a Unix time"):
        rv.parse_stored_time("soon", "k")


def verdict(
    blacklisted: bool | None = False, user: int | None = None, glob: int | None = None, **c: object
) -> rv.Verdict:
    facts = rv.token_facts(tok(**({"sub": "u", "iat": T} | c)))
    return rv.evaluate(
        facts, rv.KeySchema(), blacklisted=blacklisted, user_before=user, global_before=glob
    )


def test_rules_in_the_middlewares_order() -> None:
    assert verdict().rule is None and not verdict().revoked
    assert verdict(True, T + 5, T + 5).rule is rv.Rule.BLACKLIST
    assert verdict(False, T + 1, T + 1).rule is rv.Rule.USER
    assert verdict(False, T, T + 1).rule is rv.Rule.GLOBAL  # iat == cut-off: not before it
    assert verdict(None).checks[0].status == "skipped"
    rows = verdict(False, T + 1).checks
    assert [(c.name, c.status) for c in rows] == [
        ("blacklist", "passed"),
        ("user cut-off", "failed"),
        ("global cut-off", "passed"),
    ]


def test_a_token_without_iat_fails_closed() -> None:
    facts = rv.token_facts(tok(sub="u"))
    v = rv.evaluate(facts, rv.KeySchema(), blacklisted=False, user_before=None, global_before=T)
    assert v.rule is rv.Rule.GLOBAL and "no iat" in v.checks[2].reason
    v = rv.evaluate(facts, rv.KeySchema(), blacklisted=False, user_before=None, global_before=None)
    assert not v.revoked


def test_urls_lose_their_password() -> None:
    p = parse_url("rediss://ops:s3cr%40t@redis.internal:6380/2")
    assert p.url == "rediss://redis.internal:6380" and p.username == "ops" and p.db == 2
    assert p.password == "s3cr@t" and "s3cr" not in repr(p)
    assert parse_url("redis://[::1]").url == "redis://[::1]:6379"
    for bad in ("http://x", "redis://", "redis://h/x", "redis://h?ssl=1", "unix:///tmp/s"):
        with pytest.raises(InvalidInput):
            parse_url(bad)
    with pytest.raises(InvalidInput, match="only database 0"):
        Connection("c", "redis://h:6379", cluster=True, db=1)
    with pytest.raises(InvalidInput, match="rediss://"):
        Connection("c", "redis://h:6379", ca_file="ca.pem")
    with pytest.raises(InvalidInput, match="key file"):
        Connection("c", "rediss://h:6379", cert_file="c.pem")
    with pytest.raises(InvalidInput, match="scheme://host:port only"):
        Connection("c", "redis://:pw@h:6379")


def _segment(payload: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("payload", "claims"),
    [
        (b'{"sub":"u","iat":5,"exp":9}', ("u", 5, 9)),
        (b' {"sub":"u"} \n', ("u", None, None)),  # whitespace around: json.loads accepts it
        (b'{"sub":7,"iat":5.9,"exp":true}', ("7", 5, None)),  # numbers, not booleans
        (b'{"sub":false,"iat":"5","exp":1e400}', (None, None, None)),
    ],
)
def test_claims_are_read_as_json_reads_them(payload: bytes, claims: tuple[object, ...]) -> None:
    facts = rv.token_facts(f"eyJhbGciOiJIUzI1NiJ9.{_segment(payload)}.sig")
    assert (facts.user, facts.iat, facts.exp) == claims


@pytest.mark.parametrize("payload", [b'{"sub":"u"} x', b'{"sub":"u"}{}', b"\xef\xbb\xbf{}", b"[1]"])
def test_claims_with_anything_but_one_object_are_refused(payload: bytes) -> None:
    with pytest.raises(InvalidInput, match="not a JWT"):
        rv.token_facts(f"eyJhbGciOiJIUzI1NiJ9.{_segment(payload)}.sig")


def test_token_facts_is_an_ordinary_frozen_dataclass() -> None:
    """Built by filling its slots (faster than the frozen __init__): the same object."""
    import dataclasses

    text = tok(sub="u", jti="j", iat=T, exp=T + 60)
    facts = rv.token_facts(text)
    assert facts == rv.TokenFacts(text, "j", "u", T, T + 60)
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.user = "v"  # type: ignore[misc]
    assert text not in repr(facts) and hash(facts) == hash(rv.TokenFacts(text, "j", "u", T, T + 60))


def test_batch_helpers_match_the_single_ones() -> None:
    schema = rv.KeySchema(prefix="p:", blacklist="deny:{token}:v1")
    tokens = [tok(sub=f"u{n}", jti=f"j{n}", iat=T - n, exp=T + 60 + n) for n in range(5)]
    facts = [rv.token_facts(t) for t in tokens] + [rv.token_facts(tok(sub="x", exp=T + 9))]
    for mode in rv.KeyMode:
        idents = rv.token_idents(facts, mode)
        for f, ident in zip(facts, idents, strict=True):
            if ident is None:  # jti mode, no jti
                assert mode is rv.KeyMode.JTI and f.jti is None
            else:
                assert ident == rv.token_ident(f, mode)
        keys = schema.blacklist_keys(idents)
        assert keys == [None if i is None else schema.blacklist_key(i) for i in idents]
    assert rv.blacklist_ttls([f.exp for f in facts], NOW) == [
        rv.blacklist_ttl(f.exp, NOW, None) for f in facts
    ]
    with pytest.raises(InvalidInput, match="without a TTL"):
        rv.blacklist_ttls([T + 60, None], NOW)
    with pytest.raises(InvalidInput, match="expired"):
        rv.blacklist_ttls([T + 60, T - 1], NOW)


def test_evaluate_many_agrees_with_the_rows() -> None:
    """The batch's rules (written out once) against the rows, which are worked out apart:
    revoked exactly when a row failed, by the rule of the first failed row."""
    schema = rv.KeySchema()
    facts = [
        rv.token_facts(tok(sub="u", iat=T)),
        rv.token_facts(tok(sub="u", iat=T - 10)),
        rv.token_facts(tok(iat=T - 10)),  # no user
        rv.token_facts(tok(sub="u")),  # no iat
    ]
    names = {"blacklist": rv.Rule.BLACKLIST, "user cut-off": rv.Rule.USER}
    names["global cut-off"] = rv.Rule.GLOBAL
    seen = set()
    for black in (None, False, True):
        for user in (None, T - 5, T + 5):
            for glob in (None, T - 5, T + 5):
                many = rv.evaluate_many(facts, schema, [black] * 4, [user] * 4, glob)
                for v in many:
                    failed = [c.name for c in v.checks if c.status == "failed"]
                    assert v.revoked == bool(failed)
                    assert v.rule == (names[failed[0]] if failed else None)
                    seen.add(v.rule)
    assert seen == {None, *rv.Rule}
