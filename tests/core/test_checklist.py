"""The checklist, pure: each item passes on a sound fixture and fails on one built to fail it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from jwtdesk.core import checklist_more
from jwtdesk.core.checklist import (
    ExportFacts,
    Facts,
    Item,
    RevocationFacts,
    Status,
    shared_secrets,
)
from jwtdesk.core.keysets import KeySet, KeyVersion, Purpose, State, new_keyset, rotate
from jwtdesk.core.profiles import Binding, Profile, Source, default_bindings
from jwtdesk.core.tokens import PresetRules

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def version(kid: str, size: int = 64) -> KeyVersion:
    return KeyVersion(f"kv-{kid}", kid, State.CURRENT, NOW, NOW, None, size, None)


def keyset(
    name: str, purpose: Purpose, *, size: int = 64, age: timedelta = timedelta(days=1)
) -> KeySet:
    return new_keyset(
        name=name,
        alg="HS256",
        first=version(name + "-1", size),
        now=NOW - age,
        service="shop",
        environment="prod",
        purpose=purpose,
        rotation_period=timedelta(days=30),
    )


def sound() -> Facts:
    access = keyset("api", Purpose.ACCESS)
    refresh = keyset("refresh", Purpose.REFRESH)
    confirm = keyset("confirm", Purpose.CONFIRMATION)
    bindings = default_bindings(
        access=access,
        refresh=refresh,
        confirmation=confirm,
        issuer="https://auth.example",
        audience="shop-api",
    )
    return Facts(
        service="shop",
        keysets=(access, refresh, confirm),
        profiles=(Profile("shop-prod", bindings),),
        weak={},
        shared=[],
        last_scan={
            "time": "2026-05-31T10:00:00+00:00",
            "paths": ["/src/shop"],
            "history": True,
            "keysets": [],
            "leaked": [],
        },
        exports=[ExportFacts("/srv/shop/.env", "shop-prod", True, 0o600, True, None)],
        revocation=RevocationFacts(True, "redis://127.0.0.1:6379/0 answered PING", 20, 0),
        now=NOW,
    )


def items(facts: Facts) -> dict[str, Item]:
    return {i.id: i for i in checklist_more.evaluate(facts)}


def set_var(facts: Facts, var: str, value: str | None) -> Facts:
    (profile,) = facts.profiles
    bindings = tuple(b for b in profile.bindings if b.var != var)
    if value is not None:
        bindings += (Binding(var, Source.VALUE, value=value),)
    return facts._replace(profiles=(profile._replace(bindings=bindings),))


def rotated(facts: Facts, ago: timedelta) -> Facts:
    api = rotate(facts.keysets[0], version("api-2"), NOW - ago)
    return facts._replace(keysets=(api, *facts.keysets[1:]))


def export(facts: Facts, **change: object) -> Facts:
    return facts._replace(exports=[facts.exports[0]._replace(**change)])


FAILING: dict[str, Callable[[Facts], Facts]] = {
    "keys-size": lambda f: f._replace(keysets=(keyset("api", Purpose.ACCESS, size=16),)),
    "keys-weak": lambda f: f._replace(weak={"api": "current key is on the list"}),
    "keys-rotation": lambda f: f._replace(now=NOW + timedelta(days=40)),
    "keys-grace": lambda f: rotated(f, timedelta(hours=2)),
    "keys-shared": lambda f: f._replace(shared=[("api", "api-staging")]),
    "keys-vcs": lambda f: f._replace(
        last_scan={**f.last_scan, "keysets": ["api"], "leaked": [["api", "api-1"]]}  # type: ignore[dict-item]
    ),
    "tokens-access": lambda f: set_var(f, "JWT_EXPIRES_IN", "2h"),
    "tokens-refresh": lambda f: set_var(f, "JWT_REFRESH_EXPIRES_IN", "30d"),
    "tokens-iss-aud": lambda f: set_var(f, "JWT_AUDIENCE", None),
    "revocation-redis": lambda f: f._replace(revocation=RevocationFacts(False, "refused")),
    "revocation-ttl": lambda f: f._replace(revocation=RevocationFacts(True, "ok", 20, 3)),
    "exports-files": lambda f: export(f, mode=0o644),
}


def test_the_sound_fixture_passes_everything_jwtdesk_can_see() -> None:
    result = items(sound())
    statuses = {k: v.status for k, v in result.items() if not k.startswith("transport-")}
    assert set(statuses.values()) == {Status.PASS}, statuses
    assert not checklist_more.failed(list(result.values()))


@pytest.mark.parametrize("ident", sorted(FAILING))
def test_each_item_fails_on_a_fixture_built_to_fail_it(ident: str) -> None:
    before = items(sound())[ident]
    after = items(FAILING[ident](sound()))[ident]
    assert before.status is Status.PASS
    assert after.status is Status.FAIL and after.reason and after.fix
    assert checklist_more.failed(checklist_more.evaluate(FAILING[ident](sound())))


def test_the_confirmation_item_fails_on_a_long_preset_without_jti() -> None:
    facts = sound()
    assert checklist_more.check_confirmation(facts).status is Status.PASS
    loose = PresetRules(timedelta(minutes=5), None, timedelta(hours=2), False)
    failed = checklist_more.check_confirmation(facts, loose)
    assert failed.status is Status.FAIL and "jti" in failed.reason


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"exists": False, "mode": None}, "missing"),
        ({"ignored": False}, "not ignored"),
        ({"drift": "JWT_SECRET_CURRENT"}, "drifted"),
    ],
)
def test_export_failures(change: dict[str, object], word: str) -> None:
    item = items(export(sound(), **change))["exports-files"]
    assert item.status is Status.FAIL and word in item.reason


def test_fixes_jwtdesk_can_do_are_actions_with_commands() -> None:
    item = items(rotated(sound(), timedelta(hours=2)))["keys-grace"]
    assert [a.command for a in item.actions] == ["jwtdesk keys retire api"]
    item = items(FAILING["keys-weak"](sound()))["keys-weak"]
    assert [a.command for a in item.actions] == ["jwtdesk keys rotate api"]
    assert items(sound())["keys-vcs"].actions[0].command == "jwtdesk scan PATH --history"


def test_within_grace_passes_and_a_leak_rotated_away_no_longer_fails() -> None:
    assert items(rotated(sound(), timedelta(minutes=30)))["keys-grace"].status is Status.PASS
    facts = FAILING["keys-vcs"](sound())
    moved = rotate(rotate(facts.keysets[0], version("api-2"), NOW), version("api-3"), NOW)
    facts = facts._replace(keysets=(moved, *facts.keysets[1:]))
    assert items(facts)["keys-vcs"].status is Status.PASS  # api-1 is retired now


def test_unknowns_never_pass() -> None:
    facts = sound()._replace(keysets=(), profiles=(), last_scan=None, exports=[], revocation=None)
    result = items(facts)
    unknown = ("keys-size", "keys-weak", "keys-rotation", "keys-grace", "keys-shared", "keys-vcs")
    for ident in (*unknown, "tokens-access", "tokens-iss-aud", "exports-files"):
        assert result[ident].status is Status.UNKNOWN, ident
    for ident in ("revocation-redis", "revocation-ttl"):
        assert result[ident].status is Status.UNKNOWN
        assert result[ident].reason == "unknown — no Redis connection configured"
    transport = [i for i in result.values() if i.area == "transport"]
    assert len(transport) == 5
    assert all(i.status is Status.UNKNOWN and "check yourself" in i.reason for i in transport)
    assert all(i.fix.startswith("look for:") for i in transport)
    assert not checklist_more.failed(list(result.values()))


def test_shared_secrets_groups_owners_by_keyed_hash() -> None:
    a, b = b"x" * 64, b"y" * 64
    groups = shared_secrets([("prod", a), ("staging", a), ("dev", b), ("other", a)])
    assert groups == [("other", "prod", "staging")]
    assert shared_secrets([("prod", a), ("dev", b)]) == []
    # the same owner twice (current and previous equal) is not shared between keysets
    assert shared_secrets([("prod", a), ("prod", a)]) == []
