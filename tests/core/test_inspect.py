"""inspect(): header members that point at keys are never followed, crit is enforced, and the
check rows say what was and was not checked."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from jwtdesk.core import keyfile
from jwtdesk.core.inspect import Expectations, inspect
from jwtdesk.core.secret import Secret

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
KEY = ec.generate_private_key(ec.SECP256R1())
ATTACKER = ec.generate_private_key(ec.SECP256R1())
HONEST = keyfile.from_public_key(KEY.public_key(), "honest", kid="k1")


def token(headers: dict[str, Any], key: Any = KEY, **claims: Any) -> str:
    body = {"iat": int(NOW.timestamp()), "exp": int(NOW.timestamp()) + 600, **claims}
    return jwt.encode(body, key, algorithm="ES256", headers=headers)


def rows(report: Any) -> dict[str, str]:
    return {c.name: c.status for c in report.checks}


def test_a_valid_token_passes_every_row_it_checks() -> None:
    report = inspect(token({"kid": "k1"}), [HONEST], Expectations(at=NOW))
    assert report.valid and report.verified_by == HONEST and report.errors == []
    assert rows(report) == {
        "structure": "passed", "canonical": "passed", "alg": "passed", "kid": "passed",
        "signature": "passed",
        "iss": "skipped", "aud": "skipped", "exp": "passed", "nbf": "skipped", "iat": "passed",
    }  # fmt: skip


def test_no_keys_means_the_signature_is_skipped_and_the_token_invalid() -> None:
    report = inspect(token({}), [], Expectations(at=NOW))
    assert not report.valid and rows(report)["signature"] == "skipped"
    assert [e[0] for e in report.errors] == ["signature"]


@pytest.mark.parametrize(
    ("member", "finding"),
    [
        ("jku", "jku-header"),
        ("x5u", "x5u-header"),
    ],
)
def test_key_urls_are_never_fetched(
    member: str, finding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("inspect opened a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    forged = token({member: "https://attacker.example/keys"}, ATTACKER)
    report = inspect(forged, [HONEST], Expectations(at=NOW))
    assert not report.valid and finding in {f.id for f in report.findings}


def test_embedded_certificates_are_never_trusted() -> None:
    forged = token({"x5c": ["MIIBattacker"]}, ATTACKER)
    report = inspect(forged, [HONEST], Expectations(at=NOW))
    assert not report.valid and "x5c-header" in {f.id for f in report.findings}


def test_an_unknown_crit_extension_makes_the_token_invalid() -> None:
    signed = token({"crit": ["exp-ext"], "exp-ext": 1})
    report = inspect(signed, [HONEST], Expectations(at=NOW))
    assert not report.valid
    assert "crit-unknown" in {e[0] for e in report.errors}
    assert report.verified_by is None  # a token jwtdesk cannot fully understand is not verified


def test_times_in_words_and_as_of() -> None:
    signed = token({"kid": "k1"})
    later = inspect(signed, [HONEST], Expectations(at=NOW + timedelta(hours=3)))
    exp = next(c for c in later.checks if c.name == "exp")
    assert exp.status == "failed" and exp.reason == "expired 2 h ago"
    soon = inspect(signed, [HONEST], Expectations(at=NOW + timedelta(minutes=2)))
    assert next(c for c in soon.checks if c.name == "exp").reason == "expires in 8 min"


def test_aud_list_membership_is_exact() -> None:
    signed = token({"kid": "k1"}, aud=["api", "admin"])
    assert inspect(signed, [HONEST], Expectations(at=NOW, aud="admin")).valid
    report = inspect(signed, [HONEST], Expectations(at=NOW, aud="adm"))
    assert [e[0] for e in report.errors] == ["aud-mismatch"]


def test_a_kid_of_a_retired_key_is_named_as_an_error() -> None:
    """A token whose kid the index knows as retired: a failed kid check and an error finding,
    not "no candidate key"; a key that still verifies under that kid wins."""
    from jwtdesk.core.algorithms import KeyType
    from jwtdesk.core.keyfile import Candidate

    token = jwt.encode({"sub": "x"}, b"k" * 32, algorithm="HS256", headers={"kid": "old"})
    retired = {"old": "retired key of keyset api, retired 2026-05-01"}
    report = inspect(token, [], Expectations(retired=retired))
    assert not report.valid
    assert (
        "retired-key",
        "the kid names the retired key of keyset api, retired 2026-05-01: "
        "retired keys verify nothing",
    ) in report.errors
    assert [f.severity.value for f in report.findings if f.id == "retired-key"] == ["error"]
    live = Candidate("file", KeyType.OCT, Secret(b"k" * 32), kid="old")
    report = inspect(token, [live], Expectations(retired=retired))
    assert report.valid and all(f.id != "retired-key" for f in report.findings)
