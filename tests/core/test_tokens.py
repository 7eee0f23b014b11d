from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from jwtdesk.core import tokens
from jwtdesk.core.errors import InvalidInput
from jwtdesk.core.tokens import Preset, TokenRequest, build_claims, build_header, parse_time

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())


def test_access_preset_lives_15_minutes() -> None:
    claims = build_claims(TokenRequest(Preset.ACCESS, iss="i", sub="s", aud=("a",)), NOW)
    assert claims == {"iss": "i", "sub": "s", "aud": "a", "iat": T, "exp": T + 900}


def test_refresh_preset_lives_7_days_with_a_jti() -> None:
    claims = build_claims(TokenRequest(Preset.REFRESH), NOW)
    assert claims["exp"] - claims["iat"] == 7 * 86400
    assert isinstance(claims["jti"], str) and len(claims["jti"]) >= 16
    assert build_claims(TokenRequest(Preset.REFRESH), NOW)["jti"] != claims["jti"]


def test_confirmation_preset() -> None:
    claims = build_claims(TokenRequest(Preset.CONFIRMATION, purpose="delete-account"), NOW)
    assert claims["exp"] - claims["iat"] == 300
    assert claims["purpose"] == "delete-account" and "jti" in claims


def test_custom_preset_adds_only_iat() -> None:
    assert build_claims(TokenRequest(Preset.CUSTOM, claims={"x": 1}), NOW) == {"x": 1, "iat": T}


@pytest.mark.parametrize(
    ("preset", "exp", "ok"),
    [
        (Preset.ACCESS, "+15m", True),
        (Preset.ACCESS, "+60m", True),
        (Preset.ACCESS, "+10m", False),
        (Preset.ACCESS, "+2h", False),
        (Preset.REFRESH, "7d", True),
        (Preset.REFRESH, "8d", False),
        (Preset.CONFIRMATION, "+16m", False),
        (Preset.CUSTOM, "+400d", True),
        (Preset.CUSTOM, "-1h", False),
    ],
)
def test_lifetime_ranges(preset: Preset, exp: str, ok: bool) -> None:
    req = TokenRequest(preset, exp=exp)
    if ok:
        assert build_claims(req, NOW)["exp"] > T
    else:
        with pytest.raises(InvalidInput, match=r"live|after the issue time"):
            build_claims(req, NOW)


def test_several_audiences_and_nbf_and_at() -> None:
    at = NOW - timedelta(hours=1)
    req = TokenRequest(Preset.ACCESS, aud=("a", "b"), nbf="+1m", at=at)
    claims = build_claims(req, NOW)
    assert claims["aud"] == ["a", "b"]
    assert claims["iat"] == T - 3600 and claims["nbf"] == T - 3600 + 60


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+15m", NOW + timedelta(minutes=15)),
        ("-1h", NOW - timedelta(hours=1)),
        ("7d", NOW + timedelta(days=7)),
        ("30s", NOW + timedelta(seconds=30)),
        ("2026-06-01T14:00:00+02:00", NOW),
        ("2026-06-01T12:00:00Z", NOW),
    ],
)
def test_parse_time(text: str, expected: datetime) -> None:
    assert parse_time(text, NOW) == expected


@pytest.mark.parametrize("text", ["2026-06-01T12:00:00", "tomorrow", "+15x", ""])
def test_bad_times(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_time(text, NOW)


def test_header_never_takes_alg_or_key_members_from_the_user() -> None:
    req = TokenRequest(
        header={"alg": "none", "jku": "http://x", "cty": "x", "kid": "evil"}, typ="at+jwt"
    )
    assert build_header(req, "kid-1") == {"cty": "x", "typ": "at+jwt", "kid": "kid-1"}


def test_sign_uses_the_given_alg() -> None:
    secret = b"k" * 32
    token = tokens.sign({"sub": "x"}, {"typ": "JWT", "kid": "1"}, "HS256", secret)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert jwt.decode(token, secret, algorithms=["HS256"]) == {"sub": "x"}


def test_sign_refuses_non_json_claims() -> None:
    with pytest.raises(InvalidInput, match="JSON"):
        tokens.sign({"x": object()}, {}, "HS256", b"k" * 32)


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("n=5", ("n", 5)),
        ("b=true", ("b", True)),
        ("s=hello", ("s", "hello")),
        ("l=[1]", ("l", [1])),
    ],
)
def test_parse_claim(text: str, pair: tuple[str, object]) -> None:
    assert tokens.parse_claim(text) == pair


def test_parse_claim_and_object_errors() -> None:
    with pytest.raises(InvalidInput, match="name=value"):
        tokens.parse_claim("novalue")
    with pytest.raises(InvalidInput, match="JSON object"):
        tokens.parse_json_object("[1]", "--claims-json")
    with pytest.raises(InvalidInput, match="not valid JSON"):
        tokens.parse_json_object("{", "--claims-json")


@pytest.mark.parametrize(
    ("purpose", "preset"),
    [
        (Preset.ACCESS, Preset.ACCESS),
        (Preset.REFRESH, Preset.REFRESH),
        (Preset.CONFIRMATION, Preset.CONFIRMATION),
        (Preset.CUSTOM, Preset.ACCESS),  # a custom keyset signs access tokens unless told
    ],
)
def test_preset_for_a_keyset_purpose(purpose: Preset, preset: Preset) -> None:
    assert tokens.preset_for(purpose) is preset
