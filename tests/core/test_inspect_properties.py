"""Properties of inspect(): it never raises, and a token whose signed bytes changed is never valid.

Real candidates for four families (HS256, RS256, ES256, EdDSA, plus decoys of each) are offered
to every input. Mutations of honestly signed tokens: bit flips in the decoded bytes of each
segment, bit flips in the token text, segment swaps (within a token and across tokens), and
truncation. A mutation may only be valid when neither the signing input (the ASCII of the first
two segments) nor the decoded signature changed, e.g. surrounding whitespace.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jwtdesk.core import keyfile, tokens
from jwtdesk.core.algorithms import KeyType
from jwtdesk.core.inspect import Expectations, inspect
from jwtdesk.core.jose import parse
from jwtdesk.core.keyfile import Candidate
from jwtdesk.core.secret import Secret

NOW = datetime(2026, 1, 1, tzinfo=UTC)
T = int(NOW.timestamp())
AT = Expectations(at=NOW)
ALGS = ("HS256", "RS256", "ES256", "EdDSA")
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class World:
    """Signing keys, one honest token per alg, and every candidate (real ones and decoys)."""

    def __init__(self) -> None:
        secret = hashlib.sha256(b"jwtdesk property tests").digest()
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ec_key = ec.generate_private_key(ec.SECP256R1())
        ed_key = ed25519.Ed25519PrivateKey.generate()
        signing: dict[str, object] = {
            "HS256": secret,
            "RS256": rsa_key,
            "ES256": ec_key,
            "EdDSA": ed_key,
        }
        claims = {"iss": "https://id.example", "sub": "u1", "iat": T - 60, "exp": T + 600}
        self.tokens = {
            alg: tokens.sign({**claims, "alg_under_test": alg}, {"kid": f"k-{alg}"}, alg, key)
            for alg, key in signing.items()
        }
        self.candidates: list[Candidate] = [
            Candidate("hs", KeyType.OCT, Secret(secret), kid="k-HS256", alg="HS256"),
            keyfile.from_public_key(rsa_key.public_key(), "rs", kid="k-RS256"),
            keyfile.from_public_key(ec_key.public_key(), "es", kid="k-ES256"),
            keyfile.from_public_key(ed_key.public_key(), "ed", kid="k-EdDSA"),
            # Decoys: same families, no kid, so they are tried for every token of their alg.
            Candidate("hs-decoy", KeyType.OCT, Secret(secret[::-1]), source="secret"),
            keyfile.from_public_key(
                rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key(), "rd"
            ),
            keyfile.from_public_key(ec.generate_private_key(ec.SECP256R1()).public_key(), "ed"),
            keyfile.from_public_key(ed25519.Ed25519PrivateKey.generate().public_key(), "dd"),
        ]


@functools.cache
def world() -> World:
    return World()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def assert_sound(original: str, mutated: str | bytes) -> None:
    """inspect() returns a report; the report is valid only if the signed bytes are unchanged."""
    report = inspect(mutated, world().candidates, AT)
    before, after = parse(original), report.token
    changed = after.signing_input != before.signing_input or after.signature != before.signature
    if changed:
        assert not report.valid, f"mutated token accepted: {mutated!r}"
    if report.valid:
        assert report.verified_by is not None
        assert before.header is not None
        assert report.verified_by.kid == before.header["kid"]


algs = st.sampled_from(ALGS)


def test_honest_tokens_are_valid() -> None:
    """The control: every unmutated token verifies with its own key, and only with it."""
    for alg, token in world().tokens.items():
        report = inspect(token, world().candidates, AT)
        assert report.valid, (alg, report.errors)
        assert report.verified_by is not None and report.verified_by.kid == f"k-{alg}"


@PROPERTY
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text: str) -> None:
    report = inspect(text, world().candidates, AT)
    assert not report.valid


@PROPERTY
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    report = inspect(data, world().candidates, AT)
    assert not report.valid


@PROPERTY
@given(
    st.lists(
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/"),
        min_size=1,
        max_size=6,
    )
)
def test_token_shaped_text_never_raises(segments: list[str]) -> None:
    report = inspect(".".join(segments), world().candidates, AT)
    assert not report.valid


@PROPERTY
@given(algs, st.integers(0, 2), st.integers(min_value=0))
def test_bit_flip_in_a_decoded_segment(alg: str, index: int, bit: int) -> None:
    """One bit of the header, payload or signature bytes flipped, the segment re-encoded."""
    original = world().tokens[alg]
    segments = original.split(".")
    data = bytearray(b64url_decode(segments[index]))
    bit %= len(data) * 8
    data[bit // 8] ^= 1 << (bit % 8)
    segments[index] = b64url(bytes(data))
    assert_sound(original, ".".join(segments))


@PROPERTY
@given(algs, st.integers(min_value=0), st.integers(0, 7))
def test_bit_flip_in_the_token_text(alg: str, position: int, bit: int) -> None:
    """Any one bit of any character of the token text flipped (dots and all)."""
    original = world().tokens[alg]
    raw = bytearray(original.encode("ascii"))
    position %= len(raw)
    raw[position] ^= 1 << bit
    assert_sound(original, bytes(raw))
    assert_sound(original, bytes(raw).decode("latin-1"))


@PROPERTY
@given(algs, st.permutations([0, 1, 2]), algs, st.integers(0, 2))
def test_segment_swaps(alg: str, order: list[int], other: str, index: int) -> None:
    """Segments reordered within a token, or one segment taken from another token."""
    original = world().tokens[alg]
    segments = original.split(".")
    assert_sound(original, ".".join(segments[i] for i in order))
    spliced = list(segments)
    spliced[index] = world().tokens[other].split(".")[index]
    assert_sound(original, ".".join(spliced))


@PROPERTY
@given(algs, st.integers(min_value=0), st.sampled_from(["head", "tail", "middle"]))
def test_truncation(alg: str, cut: int, where: str) -> None:
    """The token cut short at any point: its end, its start, or a run from the middle."""
    original = world().tokens[alg]
    cut %= len(original)
    mutated = {
        "head": original[:cut],
        "tail": original[cut + 1 :],
        "middle": original[: cut // 2] + original[cut:],
    }[where]
    if mutated != original:
        assert_sound(original, mutated)


@PROPERTY
@given(algs, st.sampled_from(["", " ", "\n", "\t", "\r\n"]), st.sampled_from(["", " ", "\n"]))
def test_surrounding_whitespace_keeps_the_signed_bytes(alg: str, lead: str, trail: str) -> None:
    """Whitespace around a token changes neither signing input nor signature: may stay valid."""
    original = world().tokens[alg]
    report = inspect(lead + original + trail, world().candidates, AT)
    assert report.token.signing_input == parse(original).signing_input
    assert report.valid
