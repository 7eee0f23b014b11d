"""The pure self-checks: every key family signs and verifies, the wordlist loads."""

from __future__ import annotations

import pytest

from jwtdesk.core import selfcheck


@pytest.mark.parametrize("alg", selfcheck.CRYPTO_ALGS)
def test_each_family_signs_and_verifies(alg: str) -> None:
    result = selfcheck.sign_and_verify(alg)
    assert result.ok, result.detail
    assert result.name == f"sign {alg}"


def test_crypto_backend_names_openssl() -> None:
    result = selfcheck.crypto_backend()
    assert result.ok
    assert "OpenSSL" in result.detail


def test_wordlist_counts_the_published_secrets() -> None:
    result = selfcheck.wordlist()
    assert result.ok
    assert int(result.detail.split()[0]) > 100_000


def test_a_failure_is_a_row_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    from jwtdesk.core import tokens

    def broken(*_args: object) -> str:
        raise ImportError("no module", name="jwt.algorithms")

    monkeypatch.setattr(tokens, "sign", broken)
    result = selfcheck.sign_and_verify("ES256")
    assert not result.ok
    assert result.detail.startswith("ImportError")
