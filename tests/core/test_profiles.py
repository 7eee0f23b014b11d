"""Export profiles: default names from the guides, editing, sources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jwtdesk.core import profiles
from jwtdesk.core.errors import InvalidInput, NotFound
from jwtdesk.core.keysets import KeySet, KeyVersion, Purpose, State
from jwtdesk.core.profiles import Binding, Source

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def keyset(name: str, alg: str) -> KeySet:
    v = KeyVersion("kv-1", "kid1", State.CURRENT, NOW, NOW, None, 64, None)
    return KeySet(name, "", "", Purpose.ACCESS, alg, timedelta(days=90), "", NOW, (v,))


def test_defaults_follow_the_guides_names() -> None:
    b = profiles.default_bindings(
        access=keyset("api", "HS256"),
        refresh=keyset("api-refresh", "HS512"),
        confirmation=keyset("api-confirm", "HS256"),
        issuer="https://auth.example",
        audience="api",
    )
    got = {x.var: x.describe() for x in b}
    assert got == {
        "JWT_SECRET_CURRENT": "api:current",
        "JWT_SECRET_PREVIOUS": "api:previous",
        "JWT_EXPIRES_IN": "value:15m",
        "REFRESH_TOKEN_SECRET": "api-refresh:current",
        "JWT_REFRESH_EXPIRES_IN": "value:7d",
        "CONFIRMATION_SECRET": "api-confirm:current",
        "JWT_ISSUER": "value:https://auth.example",
        "JWT_AUDIENCE": "value:api",
    }


def test_asymmetric_access_exports_private_and_public_keys() -> None:
    b = profiles.default_bindings(access=keyset("api", "ES256"))
    assert [(x.var, x.source) for x in b] == [
        ("JWT_PRIVATE_KEY", Source.CURRENT),
        ("JWT_PUBLIC_KEY_CURRENT", Source.PUBLIC),
        ("JWT_PUBLIC_KEY_PREVIOUS", Source.PUBLIC_PREVIOUS),
        ("JWT_KID", Source.KID),
        ("JWT_EXPIRES_IN", Source.VALUE),
    ]


def test_sources_parse_and_refuse_with_a_fix() -> None:
    assert profiles.parse_source("api:previous") == (Source.PREVIOUS, "api", "")
    assert profiles.parse_source("value:a:b=c") == (Source.VALUE, "", "a:b=c")
    for bad, message in [
        ("api", "KEYSET:current"),
        ("api:secret", "not a key source"),
        ("bad name:current", "keyset name"),
        ("value:two\nlines", "one line"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            profiles.parse_source(bad)


def test_edit_bindings() -> None:
    p = profiles.new_profile("api-prod", profiles.default_bindings(access=keyset("a", "HS256")))
    p = profiles.with_binding(p, profiles.binding("JWT_SECRET_CURRENT", "b:current"))
    assert p.binding("JWT_SECRET_CURRENT").keyset == "b"
    p = profiles.with_binding(p, profiles.binding("EXTRA", "value:x"))
    assert p.bindings[-1] == Binding("EXTRA", Source.VALUE, "", "x")
    p = profiles.without(p, "JWT_SECRET_PREVIOUS")
    with pytest.raises(NotFound):
        p.binding("JWT_SECRET_PREVIOUS")
    with pytest.raises(NotFound):
        profiles.without(p, "JWT_SECRET_PREVIOUS")
    assert profiles.renamed_keyset(p, "b", "c").binding("JWT_SECRET_CURRENT").keyset == "c"
    assert p.keysets() == ["b"]  # JWT_SECRET_PREVIOUS, the last use of "a", is gone


@pytest.mark.parametrize("var", ["1ABC", "A-B", "", "A B", "É"])
def test_bad_variable_names(var: str) -> None:
    with pytest.raises(InvalidInput, match="not an environment variable name"):
        profiles.binding(var, "value:x")


def test_a_variable_bound_twice_is_refused() -> None:
    twice = (Binding("X", Source.VALUE, value="1"), Binding("X", Source.VALUE, value="2"))
    with pytest.raises(InvalidInput, match="bound twice"):
        profiles.new_profile("p", twice)
