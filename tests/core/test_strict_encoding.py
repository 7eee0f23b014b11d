"""Issue 12: a second spelling of a token is invalid, though still decoded for people to read.

Each spelling (padding, the standard alphabet, non-zero unused bits, whitespace inside) is
applied to the header, the payload and the signature of a token that a key verifies in its
canonical form. The verdict is invalid with the spelling's error id, header and claims still
decode to what the canonical token says, and a re-spelled signature still carries the same MAC
(which is why a denylist keyed on the token text is bypassed by re-spelling it).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime

import jwt
import pytest

from jwtdesk.core.algorithms import KeyType
from jwtdesk.core.inspect import Expectations, inspect
from jwtdesk.core.jose import parse, trim_input
from jwtdesk.core.keyfile import Candidate
from jwtdesk.core.lint import Severity, rule
from jwtdesk.core.secret import Secret

KEY = bytes(range(64))
CAND = Candidate("test key", KeyType.OCT, Secret(KEY))
NOW = datetime(2026, 1, 1, tzinfo=UTC)
AT = Expectations(at=NOW)
_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _fits(segment: str) -> bool:
    """A segment every spelling can be applied to: it has '-' or '_' and unused bits."""
    return ("-" in segment or "_" in segment) and len(segment) % 4 in (2, 3)


def _canonical_token() -> str:
    """An HS512 token (signed by PyJWT) whose three segments all fit every spelling."""
    for i in itertools.count():
        claims = {
            "sub": "user-42",
            "exp": int(NOW.timestamp()) + 600,
            "jti": "?" * (i % 7) + str(i),
        }
        token = jwt.encode(claims, KEY, algorithm="HS512", headers={"kid": "k" + "?" * (i % 5)})
        if all(_fits(s) for s in token.split(".")):
            return token
    raise AssertionError("unreachable")


TOKEN = _canonical_token()


def padded(segment: str) -> str:
    return segment + "=" * (-len(segment) % 4)


def standard_alphabet(segment: str) -> str:
    return segment.replace("-", "+").replace("_", "/")


def trailing_bits(segment: str) -> str:
    low = 0x0F if len(segment) % 4 == 2 else 0x03  # the unused bits of the last character
    return segment[:-1] + _B64URL[_B64URL.index(segment[-1]) | low]


def line_break(segment: str) -> str:
    return segment[:8] + "\n" + segment[8:]


def space(segment: str) -> str:
    return segment[:5] + " " + segment[5:]


SPELLINGS: dict[str, tuple[Callable[[str], str], str]] = {
    "padding": (padded, "padding"),
    "standard-alphabet": (standard_alphabet, "non-canonical-base64"),
    "trailing-bits": (trailing_bits, "non-canonical-base64"),
    "line-break": (line_break, "whitespace"),
    "space": (space, "whitespace"),
}


def respell(token: str, index: int, spelling: Callable[[str], str]) -> str:
    segments = token.split(".")
    segments[index] = spelling(segments[index])
    return ".".join(segments)


def test_the_canonical_token_is_valid() -> None:
    report = inspect(TOKEN, [CAND], AT)
    assert report.valid and report.verified_by == CAND and report.errors == []
    assert {c.name: c.status for c in report.checks}["canonical"] == "passed"


@pytest.mark.parametrize("index", [0, 1, 2], ids=["header", "payload", "signature"])
@pytest.mark.parametrize("name", list(SPELLINGS))
def test_every_second_spelling_is_invalid_and_still_decoded(name: str, index: int) -> None:
    spelling, error_id = SPELLINGS[name]
    token = respell(TOKEN, index, spelling)
    assert token != TOKEN
    report = inspect(token, [CAND], AT)
    canonical = parse(TOKEN)
    assert not report.valid
    assert error_id in [e[0] for e in report.errors]
    check = next(c for c in report.checks if c.name == "canonical")
    assert (check.status, check.error_id) == ("failed", error_id)
    segment = ("header", "payload", "signature")[index]
    assert [(d.id, d.segment) for d in report.token.strict_defects] == [(error_id, segment)]
    assert any(f.id == error_id and f.severity is Severity.ERROR for f in report.findings)
    # Decoded leniently: people see what the token says.
    assert report.token.header == canonical.header
    assert report.token.claims == canonical.claims
    assert report.token.signature == canonical.signature
    if index == 2 and name not in ("line-break", "space"):
        # Same signing input, same MAC bytes: the key verifies it, the verdict still refuses.
        assert report.verified_by == CAND


def test_several_spellings_are_each_listed_in_errors() -> None:
    token = respell(respell(TOKEN, 0, padded), 2, trailing_bits)
    report = inspect(token, [CAND], AT)
    assert [e[0] for e in report.errors if e[0] != "signature"] == [
        "padding",
        "non-canonical-base64",
    ]


def test_messages_say_which_libraries_take_the_spelling_anyway() -> None:
    messages = {
        name: next(
            d.message for d in parse(respell(TOKEN, 2, spelling)).defects if d.id == error_id
        )
        for name, (spelling, error_id) in SPELLINGS.items()
    }
    assert "PyJWT accepts it" in messages["padding"] and "AWS ALB" in messages["padding"]
    assert "Node" in messages["standard-alphabet"]
    assert "Node" in messages["trailing-bits"] and "Python" in messages["trailing-bits"]
    assert "Node" in messages["line-break"]


def test_pyjwt_accepts_the_padded_spelling_that_jwtdesk_refuses() -> None:
    """What the padding message says of PyJWT, checked against the PyJWT this project pins."""
    token = respell(TOKEN, 2, padded)
    assert jwt.decode(token, KEY, algorithms=["HS512"], options={"verify_exp": False})
    assert not inspect(token, [CAND], AT).valid


@pytest.mark.parametrize(
    ("lead", "trail"), [("", "\n"), ("", "\r\n"), ("  ", "\n"), ("\t", ""), ("", " \n\n")]
)
def test_whitespace_around_pasted_input_is_trimmed_and_said(lead: str, trail: str) -> None:
    report = inspect(lead + TOKEN + trail, [CAND], AT)
    assert report.valid
    assert report.trimmed is not None
    assert (report.trimmed.leading, report.trimmed.trailing) == (len(lead), len(trail))
    assert report.trimmed.note is not None and "trimmed" in report.trimmed.note


def test_nothing_trimmed_says_nothing() -> None:
    assert inspect(TOKEN, [CAND], AT).trimmed is None
    assert trim_input(TOKEN).note is None
    assert trim_input(b" x\n") == trim_input(b" x\n")
    assert trim_input(b" x\n").token == b"x"


def test_the_parser_alone_still_refuses_whitespace_around_a_token() -> None:
    """Trimming is input handling (inspect, the CLI, the GUI); the parser judges what it gets."""
    p = parse(TOKEN + "\n")
    assert [d.id for d in p.strict_defects] == ["whitespace"]
    assert rule("whitespace").severity is Severity.ERROR
