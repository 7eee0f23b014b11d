from __future__ import annotations

import pytest

from jwtdesk.core import algorithms
from jwtdesk.core.algorithms import KeyType, check_size, get
from jwtdesk.core.errors import InvalidInput


def test_table_covers_the_jwa_signature_algorithms_and_never_none() -> None:
    assert set(algorithms.NAMES) == {
        *(f"{f}{b}" for f in ("HS", "RS", "PS", "ES") for b in (256, 384, 512)),
        "EdDSA",
    }
    for spelling in ("none", "None", "NONE"):
        with pytest.raises(InvalidInput):
            get(spelling)


def test_lookup_is_case_sensitive() -> None:
    with pytest.raises(InvalidInput, match="unknown algorithm 'hs256'"):
        get("hs256")


@pytest.mark.parametrize(
    ("name", "kty", "curve"),
    [
        ("HS256", KeyType.OCT, None),
        ("PS384", KeyType.RSA, None),
        ("ES512", KeyType.EC, "P-521"),
        ("EdDSA", KeyType.OKP, "Ed25519"),
    ],
)
def test_each_alg_binds_one_key_family(name: str, kty: KeyType, curve: str | None) -> None:
    alg = get(name)
    assert alg.kty is kty
    assert alg.curve == curve


@pytest.mark.parametrize(("name", "minimum"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
def test_hmac_secret_never_shorter_than_hash(name: str, minimum: int) -> None:
    alg = get(name)
    assert check_size(alg, None) == 64
    assert check_size(alg, minimum) == minimum
    with pytest.raises(InvalidInput, match=f"at least {minimum} bytes"):
        check_size(alg, minimum - 1)


def test_rsa_sizes() -> None:
    alg = get("RS256")
    assert check_size(alg, None) == 3072
    assert [check_size(alg, s) for s in (2048, 3072, 4096)] == [2048, 3072, 4096]
    with pytest.raises(InvalidInput, match="below 2048"):
        check_size(alg, 1024)
    with pytest.raises(InvalidInput, match="one of 2048, 3072, 4096"):
        check_size(alg, 2500)


def test_curves_take_no_size() -> None:
    assert check_size(get("ES256"), None) is None
    with pytest.raises(InvalidInput, match="takes no key size"):
        check_size(get("ES256"), 256)
