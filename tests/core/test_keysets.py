from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jwtdesk.core import keysets as k
from jwtdesk.core.errors import Conflict, InvalidInput, NotFound
from jwtdesk.core.keysets import KeyVersion, State

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def version(n: int) -> KeyVersion:
    return KeyVersion(f"kv-{n}", f"kid-{n}", State.CURRENT, T0, None, None, 64, None)


def fresh() -> k.KeySet:
    return k.new_keyset(name="api", alg="HS256", first=version(1), now=T0)


def states(ks: k.KeySet) -> list[tuple[str, str]]:
    return [(v.kid, v.state.value) for v in ks.versions]


def test_rotate_twice_moves_current_to_previous_to_retired() -> None:
    ks = fresh()
    ks = k.rotate(ks, version(2), T0 + timedelta(days=1))
    assert states(ks) == [("kid-1", "previous"), ("kid-2", "current")]
    ks = k.rotate(ks, version(3), T0 + timedelta(days=2))
    assert states(ks) == [("kid-1", "retired"), ("kid-2", "previous"), ("kid-3", "current")]
    assert ks.version("kid-1").retired == T0 + timedelta(days=2)
    assert ks.current is not None and ks.current.activated == T0 + timedelta(days=2)
    assert [v.verifies for v in ks.versions] == [False, True, True]


def test_at_most_one_current_and_one_previous() -> None:
    ks = fresh()
    for n in range(2, 8):
        ks = k.rotate(ks, version(n), T0 + timedelta(days=n))
        assert sum(v.state is State.CURRENT for v in ks.versions) == 1
        assert sum(v.state is State.PREVIOUS for v in ks.versions) == 1


def test_rotate_refuses_a_duplicate_kid() -> None:
    with pytest.raises(Conflict, match="kid-1"):
        k.rotate(fresh(), version(1), T0)


def test_rotation_due_after_the_period() -> None:
    ks = fresh()._replace(rotation_period=timedelta(days=30))
    assert ks.rotate_by() == T0 + timedelta(days=30)
    assert not ks.rotation_due(T0 + timedelta(days=29))
    assert ks.rotation_due(T0 + timedelta(days=30))
    ks = k.rotate(ks, version(2), T0 + timedelta(days=31))
    assert not ks.rotation_due(T0 + timedelta(days=31))


def test_retire_previous_and_refuse_current() -> None:
    ks = k.rotate(fresh(), version(2), T0)
    ks2, done = k.retire(ks, None, T0 + timedelta(hours=1))
    assert done.kid == "kid-1" and ks2.previous is None
    with pytest.raises(Conflict, match="rotate first"):
        k.retire(ks2, "kid-2", T0)
    with pytest.raises(Conflict, match="already retired"):
        k.retire(ks2, "kid-1", T0)
    with pytest.raises(Conflict, match="no previous"):
        k.retire(ks2, None, T0)


def test_remove_only_retired_versions() -> None:
    ks = k.rotate(k.rotate(fresh(), version(2), T0), version(3), T0)
    with pytest.raises(Conflict, match="only retired"):
        k.remove_version(ks, "kid-2")
    ks2, gone = k.remove_version(ks, "kid-1")
    assert gone.kid == "kid-1" and [v.kid for v in ks2.versions] == ["kid-2", "kid-3"]
    with pytest.raises(NotFound):
        ks2.version("kid-1")


@pytest.mark.parametrize("name", ["a", "api-prod_v1.2", "x" * 64])
def test_good_names(name: str) -> None:
    assert k.check_name(name) == name


@pytest.mark.parametrize("name", ["", "x" * 65, "has space", "slash/", "ü", "a\n", "semi;colon"])
def test_bad_names(name: str) -> None:
    with pytest.raises(InvalidInput, match="1-64 letters"):
        k.check_name(name)


@pytest.mark.parametrize(
    ("text", "period"),
    [("90d", timedelta(days=90)), ("2w", timedelta(weeks=2)), ("12h", timedelta(hours=12))],
)
def test_periods(text: str, period: timedelta) -> None:
    assert k.parse_period(text) == period
    assert k.format_period(period) == text


@pytest.mark.parametrize("text", ["", "90", "d", "-1d", "1y", "30m"])
def test_bad_periods(text: str) -> None:
    with pytest.raises(InvalidInput):
        k.parse_period(text)


def test_check_new_runs_every_rule_of_a_new_keyset_in_order() -> None:
    assert k.check_new("api", "RS256", size=3072).name == "RS256"
    with pytest.raises(InvalidInput, match="invalid keyset name"):
        k.check_new("bad name", "HS256", existing=["bad name"])  # the name's rules come first
    with pytest.raises(InvalidInput, match="HS384"):
        k.check_new("api", "HS384", size=16)  # shorter than the hash
    with pytest.raises(InvalidInput, match="curve"):
        k.check_new("api", "ES256", size=256)
    with pytest.raises(InvalidInput, match="service"):
        k.check_new("api", "ES256", service="a\nb")
    with pytest.raises(Conflict, match="already exists"):
        k.check_new("api", "ES256", existing=["api"])
    assert k.check_free_name("api", ["other"]) == "api"


def ec_version(n: int, state: State) -> KeyVersion:
    jwk = {"kty": "EC", "crv": "P-256", "x": f"x{n}", "y": f"y{n}"}
    return KeyVersion(f"kv-{n}", f"kid-{n}", state, T0, T0, None, None, jwk)


def test_a_jwks_carries_current_and_previous_public_keys_and_never_an_hmac_key() -> None:
    ks = k.new_keyset(name="sig", alg="ES256", first=ec_version(1, State.CURRENT), now=T0)
    for n in (2, 3):
        ks = k.rotate(ks, ec_version(n, State.CURRENT), T0)
    assert k.publishable(ks) and not k.publishable(fresh())
    doc = k.jwks([ks])
    assert [j["kid"] for j in doc["keys"]] == ["kid-3", "kid-2"]  # current first; kid-1 retired
    assert doc["keys"][1] == {
        "kty": "EC",
        "crv": "P-256",
        "x": "x2",
        "y": "y2",
        "kid": "kid-2",
        "alg": "ES256",
        "use": "sig",
    }
    assert k.jwks_text(doc).endswith("}\n")
    with pytest.raises(InvalidInput, match="never published"):
        k.jwks([ks, fresh()])
